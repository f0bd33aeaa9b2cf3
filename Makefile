# EP Events: `make run` serves the demo, `make test` runs the whole suite. Both set everything up.
# Python 3.12 where the machine has it: CPython 3.11's sqlite3 module crashes (segmentation fault during
# garbage collection) when the slot picker loads a year of dates (seen with pyenv 3.11.7 and Debian 3.11.2).
PYTHON ?= $(firstword $(foreach p,$(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) \
	$(shell command -v python3.12 2>/dev/null),$(shell $(p) -c 'print("$(p)")' 2>/dev/null)) python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app ep_events
export FLASK_APP := ep_events

.PHONY: run test lint test-clock bench setup assets migrate demo clean production-local bench-production audit

run: setup
	$(FLASK) db upgrade
	$(FLASK) demo-data
	$(FLASK) serve-dev

# The two quick checks run first, so a style or layering slip fails in seconds rather than after the suite.
# The suite runs on two processes (pytest-xdist; each has its own browser, mail catcher and, without
# TEST_DATABASE_URL, its own throwaway PostgreSQL cluster): 11 to 14 minutes on two cores (2,335 tests; three
# processes were no quicker on this machine).
# `make test PYTEST_ARGS=` runs it in one process; `PYTEST_ARGS="-n 0 tests/x"` runs part of it.
PYTEST_ARGS ?= -n 2 --dist worksteal
test: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/bandit --quiet --recursive ep_events --severity-level medium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Only the checks: ruff (pyflakes, pycodestyle, import order), import-linter (the layers in ARCHITECTURE.md) and
# bandit (security lint; a finding that is safe carries `# nosec <id>` and the reason).
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/bandit --quiet --recursive ep_events --severity-level medium

# The suite at 00:30 and 23:30 UK time on an ordinary day and both clock-change days (six runs; needs faketime).
test-clock: setup
	scripts/test-at-times.sh

bench: setup
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } || \
		echo "wrk is not installed: the slower Python load generator will be used" >&2
	$(BIN)/python -m bench

# The key pages, the race for one slot and the shared sign-in limit on the production stack: PostgreSQL, Redis,
# nginx before two gunicorn instances of 2 workers, a year of every programme (see the README).
bench-production: setup
	$(BIN)/python -m bench.production

# Known vulnerabilities in the installed Python packages (pip-audit; says so when PyPI's service is unreachable).
audit: setup
	$(BIN)/python scripts/audit.py

# The production shape on this machine (PostgreSQL, Redis, nginx, two gunicorn instances, the outbox worker, the
# jobs) from Debian's packages on loopback ports; Ctrl-C stops it. See deploy/ and the README.
production-local: setup
	bash deploy/production-local.sh

setup: $(VENV)/.installed node_modules/.installed static/dist/main.css

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python --version
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/dist/main.css: node_modules/.installed static/src/main.scss static/src/print.scss static/src/app.mjs scripts/build-assets.mjs
	npm run --silent build

clean:
	rm -rf $(VENV) node_modules static/dist instance test-artefacts
