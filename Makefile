# Two commands do all the set-up (see README): `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test install install-dev browser-deps lint translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

## Install, create the SQLite database, load the courses and demo data, serve on 127.0.0.1:5000.
run: install
	$(FLASK) db upgrade
	@if $(FLASK) lms --help | grep -q import-content; then $(FLASK) lms import-content course_content; fi
	$(FLASK) lms demo
	$(FLASK) run --host 127.0.0.1 --port 5000

## Install with the test tools and run the whole suite (SQLite; set LMS_TEST_DATABASE_URL for PostgreSQL):
## the server-side tests in two processes (pytest-xdist), then the browser tests, two processes each with
## its own server.
## The browser tests need Chromium (apt-get install -y chromium); without it they are skipped and the
## run ends by saying so.
test: install-dev browser-deps
	$(BIN)/pytest -n 2 -m "not browser"
	$(BIN)/pytest -n 2 -m browser

## axe-core for the browser tests' accessibility checks, from the npm registry.
browser-deps: tests/e2e/node/node_modules/.installed

tests/e2e/node/node_modules/.installed: tests/e2e/node/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix tests/e2e/node --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the browser tests' accessibility checks will be skipped"; fi

lint: install-dev
	$(BIN)/ruff check .

## Re-extract messages after changing user-facing text, then translate the new entries in
## lms/translations/vi/LC_MESSAGES/messages.po and compile.
translations: install-dev
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 --no-location \
		--sort-output --no-wrap -o lms/translations/messages.pot .
	$(BIN)/pybabel update -i lms/translations/messages.pot -d lms/translations -l vi \
		--no-fuzzy-matching --ignore-obsolete --no-wrap
	$(BIN)/pybabel compile -d lms/translations
