# infofirst: `make run` sets everything up and starts the demo county; `make test` sets
# everything up and runs every check. Both are idempotent: a second run changes nothing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NODE_BIN := node_modules/.bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The database role the server runs as (issue 12): it owns nothing; migrations run as the owner.
APP_ROLE ?= infofirst_app

.PHONY: run test setup system venv db demo serve lint typecheck jscheck imports audit unit pytest clean vendor ha-test

run: setup demo  ## Set up, load the demo county and serve it on http://$(HOST):$(PORT)
	@$(BIN)/python -m dispatch.cli.banner --host $(HOST) --port $(PORT)
	INFOFIRST_DATABASE_URL="$$($(BIN)/infofirst db app-url $(APP_ROLE))" \
		$(BIN)/infofirst serve --host $(HOST) --port $(PORT)

test: system venv lint typecheck jscheck imports audit pytest  ## Set up and run every check and test

setup: system venv db

system:  ## PostgreSQL running, with PostGIS and pgRouting for its major version
	@bash scripts/system-deps.sh

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || (bash scripts/system-deps.sh --python-venv && $(PYTHON) -m venv $(VENV))
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

db: venv  ## Create and migrate the database as its owner, then grant the application role
	$(BIN)/infofirst db upgrade
	$(BIN)/infofirst db grant-app-role $(APP_ROLE)

demo: db  ## Load the synthetic demo county
	$(BIN)/infofirst demo load

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy

# The pages' JavaScript: ESLint, then tsc --checkJs twice: jsconfig.json type-checks the
# modules listed there with --strict, jsconfig.pages.json every script in static/js with
# strict off but noImplicitThis, strictBindCallApply, strictFunctionTypes and unknown catch
# variables (versions pinned in package.json and package-lock.json; `npm ci` again only
# when the lock changed).
jscheck: node_modules/.installed
	$(NODE_BIN)/eslint
	$(NODE_BIN)/tsc -p jsconfig.json
	$(NODE_BIN)/tsc -p jsconfig.pages.json

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || bash scripts/system-deps.sh
	npm ci --no-audit --no-fund
	@touch $@

imports: venv  ## The import contracts of pyproject.toml ([tool.importlinter])
	$(BIN)/lint-imports

# Known vulnerabilities in the installed packages (pip-audit on PyPI's advisory data); skipped
# with a notice, not failed, when the advisory service cannot be reached (scripts/audit_deps.py).
audit: venv
	$(BIN)/python scripts/audit_deps.py

pytest: venv
	$(BIN)/pytest tests

# The HA lab (issue 17; not part of `make test`): three etcd members, two PostgreSQL 15 nodes
# under Patroni (WAL archived by pgBackRest) and two API processes on ports of their own
# (tests/ha/lab.py); the tests of tests/ha (the primary's host killed under 1,000 writes, screens
# across a failover, the standby killed, etcd's quorum lost, a point-in-time restore), everything
# torn down; the last line printed is the run's figures as JSON.
HA_RESULT ?= var/ha-result.json
ha-test: venv  ## The failure tests on a local Patroni lab (never touches the server on 5432)
	@bash scripts/ha-deps.sh
	@mkdir -p $(dir $(HA_RESULT)) && rm -f $(HA_RESULT)
	@INFOFIRST_HA_TEST=1 INFOFIRST_HA_RESULT=$(abspath $(HA_RESULT)) $(BIN)/pytest -q tests/ha; \
		status=$$?; \
		if [ -s $(HA_RESULT) ]; then cat $(HA_RESULT); echo; \
		else echo '{"error": "no figures: the lab or the test failed before measuring"}'; fi; \
		exit $$status

vendor:  ## Re-vendor Leaflet from the npm registry into dispatch/web/static/vendor (committed)
	bash scripts/vendor-leaflet.sh

clean:
	rm -rf $(VENV) *.egg-info node_modules
