#!/usr/bin/env bash
# The long run of the API fuzz gate (tests/gates/test_schemathesis.py): the same checks as the
# suite — no server error, every status documented, every answer in its documented schema and
# content type — with many more examples per operation, role and mode, a fresh seed each run,
# failures shrunk to their smallest example.
#   FUZZ_EXAMPLES  examples per operation, role and mode (default 100; the suite runs 6)
#   FUZZ_SEED      replay a run (printed at its start); default a new one
#   FUZZ_WORKERS   pytest workers (default 2)
#   DATABASE_URL   default SQLite; e.g. postgres://postgres@127.0.0.1:5432/fuzz
# Extra arguments go to pytest, e.g. `make fuzz ARGS="-k employer"`.
set -euo pipefail
BIN=.venv/bin
export HUEY_IMMEDIATE=1
export YIBAO_VAR_DIR=${YIBAO_VAR_DIR:-$(mktemp -d -t yibao-fuzz-XXXXXX)}
export FUZZ_EXAMPLES=${FUZZ_EXAMPLES:-100}
export FUZZ_SEED=${FUZZ_SEED:-$(( (RANDOM << 15) | RANDOM ))}
export FUZZ_SHRINK=1
export DATABASE_URL=${DATABASE_URL:-}

echo "== API fuzz: ${FUZZ_EXAMPLES} examples per operation, role and mode, seed ${FUZZ_SEED}"
echo "   (replay with FUZZ_SEED=${FUZZ_SEED} make fuzz)"
$BIN/pytest -q -n "${FUZZ_WORKERS:-2}" -p no:cacheprovider tests/gates/test_schemathesis.py "$@"
