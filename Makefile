# The two commands: `make run` (demo, no services needed) and `make test` (linters and the whole
# suite against the local PostgreSQL and Redis). Everything else here serves those two.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

# The demo runs with DEBUG on and SQLite unless the environment says otherwise.
RUN_ENV := DEBUG=$${DEBUG:-true}
# The suite runs against the real services; tests/settings.py holds the defaults.
TEST_ENV := DJANGO_SETTINGS_MODULE=tests.settings

.PHONY: run test lint bench mutants clean help

help:
	@echo "make run    serve the demo register on http://$(HOST):$(PORT)/ (SQLite, eager tasks)"
	@echo "make test   linters and the whole suite against PostgreSQL and Redis"
	@echo "make bench  the register at SCALE documents (default 1000000) measured against its floor"
	@echo "make mutants  mutation testing of the visibility rule, release guards and feed (long)"
	@echo "make clean  remove the virtualenv and local data"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py setup_roles
	$(RUN_ENV) $(BIN)/python manage.py load_demo
	@echo
	@echo "  Council document tracker (demo)"
	@echo "  Admin:     http://$(HOST):$(PORT)/$${ADMIN_URL:-admin/}"
	@echo "  API:       http://$(HOST):$(PORT)/api/v1/documents/"
	@echo "  API docs:  http://$(HOST):$(PORT)/api/docs/  (schema: /api/schema/)"
	@echo "  API token: DEBUG=true $(BIN)/python manage.py issue_token delegate.be"
	@echo "  Reminders: DEBUG=true $(BIN)/python manage.py send_reminders --now 2022-06-15T08:00"
	@echo "  Logins are listed above (username / password). Stop with Ctrl-C."
	@echo
	$(RUN_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(TEST_ENV) DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
		$(BIN)/python manage.py makemigrations --check --dry-run

test: $(VENV)/.installed-dev
	@$(BIN)/python scripts/check_services.py
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory e2e-deps
	$(TEST_ENV) $(BIN)/python -m pytest

# The browser tests (tests/e2e) drive Debian's Chromium; installs it when missing (needs root).
.PHONY: e2e-deps
e2e-deps:
	@bash scripts/ensure_chromium.sh

# SCALE=20000 for a quick run; BENCH_DATABASE_URL and the other BENCH_* variables: README.
bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench

# Not part of `make test`: mutates the visibility rule, the release guards and the feed one change
# at a time and runs the tests that cover each (scripts/mutants.py; an hour or more).
mutants: $(VENV)/.installed-dev
	@$(BIN)/python scripts/check_services.py
	$(TEST_ENV) $(BIN)/python scripts/mutants.py --report var/mutants-report.txt

clean:
	rm -rf $(VENV) var staticfiles media .pytest_cache .ruff_cache .hypothesis
