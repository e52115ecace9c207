# Two commands: `make run` and `make test`. Everything else here serves them.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WEB_CONCURRENCY ?= 3

.PHONY: run test install install-dev system-deps messages prepare test-postgres test-sqlite lint bench lock clean

$(VENV)/.installed: requirements.lock
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; set PYTHON=python3"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.lock
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# gettext (msgfmt) compiles the translation catalogues; install it where missing.
system-deps:
	@command -v msgfmt >/dev/null 2>&1 || scripts/apt-install gettext
	@test -f /usr/share/fonts/truetype/paratype/PTF55F.ttf || scripts/apt-install fonts-paratype

messages: install system-deps
	$(PY) manage.py compilemessages --ignore=.venv -v 0

prepare: messages
	mkdir -p var
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py createcachetable
	$(PY) manage.py certificate_keys generate -v 0
	$(PY) manage.py collectstatic --noinput -v 0

run: prepare
	$(PY) manage.py demo
	HOST=$(HOST) PORT=$(PORT) WEB_CONCURRENCY=$(WEB_CONCURRENCY) scripts/serve

test: install-dev system-deps
	@command -v /usr/bin/chromium >/dev/null 2>&1 || scripts/apt-install chromium
	@command -v pdftotext >/dev/null 2>&1 || scripts/apt-install poppler-utils
	$(PY) manage.py compilemessages --ignore=.venv -v 0
	$(MAKE) test-postgres
	$(MAKE) test-sqlite

# The whole suite on a throwaway PostgreSQL cluster (initdb/pg_ctl), then on SQLite.
test-postgres:
	$(PY) scripts/with_postgres.py -- $(PY) -m pytest -p no:cacheprovider $(PYTEST_ARGS)

test-sqlite:
	DATABASE_URL=sqlite:///:memory: $(PY) -m pytest -p no:cacheprovider $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .

# Each benchmark starts its own throwaway PostgreSQL cluster (docs/benchmarks.md).
bench: install-dev
	$(PY) bench/registry.py
	$(PY) bench/training.py
	$(PY) bench/assessment.py
	$(PY) bench/psychometrics.py
	$(PY) bench/item_statistics.py
	$(PY) bench/certificates.py
	$(PY) bench/courses.py
	$(PY) bench/reports.py

# Regenerate the lock files (needs network): uv resolves, pip installs with --require-hashes.
lock:
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile --python-version 3.11 --generate-hashes -q requirements.in -o requirements.lock
	$(VENV)/bin/uv pip compile --python-version 3.11 --generate-hashes -q requirements-dev.in -o requirements-dev.lock

clean:
	rm -rf $(VENV) var
