# yibao — two commands: `make run` and `make test`. Everything else is a helper of theirs.
SHELL := /bin/bash
PYTHON ?= python3.11
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON := $(PYTHON)
export UV_PROJECT_ENVIRONMENT := $(VENV)
NPM ?= npm
# The division codes below the county (乡镇街道、村居委会) come from the npm package pinned in
# package-lock.json; `npm ci` runs only when the lock file changed or node_modules is missing.
NODE_PACKAGES := node_modules/.package-lock.json

.PHONY: run test env env-test system-deps system-deps-test init demo serve lint bench policy-test fuzz clean

run: env system-deps init demo serve

test: env-test system-deps-test
	bash scripts/test.sh

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

$(NODE_PACKAGES): package-lock.json
	@command -v $(NPM) >/dev/null || { echo "缺少 npm：请安装 Node.js（含 npm）后重试，区划代码包由 npm ci 安装" >&2; exit 1; }
	$(NPM) ci --no-audit --no-fund --loglevel=error >/dev/null
	@touch $@

env: $(UV) $(NODE_PACKAGES)
	$(UV) sync --frozen --no-dev --quiet

env-test: $(UV) $(NODE_PACKAGES)
	$(UV) sync --frozen --quiet

system-deps:
	bash scripts/system-deps.sh run

system-deps-test:
	bash scripts/system-deps.sh test

init:
	$(BIN)/yibao init

# The demo's contribution rates come from a labelled overlay (src/yibao/policies/overlays/demo-rates.yaml,
# 演示配置，非本地通知): no local notice gives them.
demo:
	YIBAO_POLICY_OVERLAYS=$${YIBAO_POLICY_OVERLAYS-demo-rates} $(BIN)/yibao demo

# The shipped notices and demo data are for 2024: the demo serves with the business date pinned
# to a day of that year's declaration window unless YIBAO_TODAY is already set.
serve:
	YIBAO_TODAY=$${YIBAO_TODAY-2024-01-15} YIBAO_POLICY_OVERLAYS=$${YIBAO_POLICY_OVERLAYS-demo-rates} $(BIN)/yibao serve

lint: env-test
	$(BIN)/ruff check src tests bench

policy-test: env
	$(BIN)/yibao policy test src/yibao/policies/cases/*.yaml

# The API fuzz gate with many more examples than the suite runs (scripts/fuzz.sh: FUZZ_EXAMPLES, FUZZ_SEED).
fuzz: env-test
	bash scripts/fuzz.sh $(ARGS)

bench: $(UV) $(NODE_PACKAGES)
	$(UV) sync --frozen --group bench --quiet
	bash scripts/bench.sh

clean:
	rm -rf $(VENV) $(TOOLS) var node_modules
