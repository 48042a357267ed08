#!/usr/bin/env bash
# Benchmarks at realistic scale (not part of `make test`). Each writes its figures under bench/results/.
#   bench/policy_bench.py    policy engine: 1.6 million residents, 2 million declaration lines, vs openfisca-core
#   bench/employer_bench.py  100,000-row declaration import vs django-import-export; pages at city scale
#   bench/serve_bench.py     served requests per second: `yibao serve` (gunicorn) vs one waitress process
#   bench/resident_queries_bench.py  coverage and premium queries among 1,583,685 residents (晋城)
#   bench/resident_import_bench.py  1,583,685 resident registrations imported from csv vs a plain bulk insert
#   bench/collection_reconcile_bench.py  a channel's statement of 1,000,000 lines reconciled
#   bench/collection_fund_bench.py  the assistance fund's payments generated for 1,583,685 residents (晋城)
#   bench/reporting_progress_bench.py  the collection progress dashboard for 1,583,685 residents and a season of payments (晋城)
#   bench/contributions_bills_bench.py  monthly bills for 30,000 units and 1,500,000 insured (潍坊), and a new average wage's what-if
#   bench/registry_compare_bench.py  a 2,000,000-row household registry extract compared with both schemes (晋城)
set -euo pipefail
BIN=.venv/bin
status=0
for b in bench/contributions_bills_bench.py bench/policy_bench.py bench/employer_bench.py bench/serve_bench.py bench/resident_queries_bench.py bench/resident_import_bench.py bench/collection_reconcile_bench.py bench/collection_fund_bench.py bench/collection_payments_bench.py bench/reporting_progress_bench.py bench/registry_compare_bench.py; do
  echo "== $b"
  $BIN/python "$b" || status=1
done
exit $status
