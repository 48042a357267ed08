#!/usr/bin/env bash
# The whole suite: lint, policy case files, pytest on SQLite, then pytest on PostgreSQL.
# PostgreSQL: $YIBAO_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test).
# With CI=true an unreachable PostgreSQL fails the run instead of being skipped.
set -euo pipefail
BIN=.venv/bin
export HUEY_IMMEDIATE=1
export YIBAO_VAR_DIR=${YIBAO_VAR_DIR:-$(mktemp -d -t yibao-test-XXXXXX)}
PG_URL=${YIBAO_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
workers=${PYTEST_WORKERS:-2}

echo "== ruff"
$BIN/ruff check src tests bench

echo "== layers (import-linter)"
$BIN/lint-imports --no-cache

echo "== policy case files"
$BIN/yibao policy test src/yibao/policies/cases/*.yaml

echo "== pytest on SQLite"
DATABASE_URL="" $BIN/pytest -q -n "$workers" -p no:cacheprovider "$@"

echo "== pytest on PostgreSQL ($PG_URL)"
if $BIN/python -c "import sys, psycopg; psycopg.connect(sys.argv[1], connect_timeout=5).close()" "$PG_URL" 2>/dev/null; then
  DATABASE_URL="$PG_URL" $BIN/pytest -q -n "$workers" -p no:cacheprovider "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL 不可连接（$PG_URL）：CI 中必须运行 PostgreSQL 测试。" >&2
  exit 1
else
  echo "PostgreSQL 不可连接（$PG_URL），跳过 PostgreSQL 测试（CI 中这是失败）。"
fi
