# The two commands: `make run` (the app on its embedded default) and `make test` (the suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi.py
export PIP_DISABLE_PIP_VERSION_CHECK := 1

AXE := tests/browser/node_modules/.installed
PORT ?= 5000

.PHONY: install run test translations messages lint

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

translations: install
	$(BIN)/pybabel compile -d shop/translations

# After adding or changing strings: refresh the template and the Indonesian catalog, then
# translate the new entries (docs/TRANSLATIONS.md).
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 \
		-k lazy_pgettext:1c,2 -c TRANSLATORS: --project="Pasar Koperasi" \
		--copyright-holder="Pasar Koperasi" -o shop/translations/messages.pot .
	$(BIN)/pybabel update -i shop/translations/messages.pot -d shop/translations

# The web server and, beside it, the queue's consumer (mail, notifications, periodic jobs);
# Ctrl-C stops both.
run: install translations
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	$(BIN)/flask jobs work & consumer=$$!; trap "kill $$consumer 2>/dev/null" EXIT INT TERM; \
		$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# axe-core for the accessibility checks in the browser tests (they skip without npm/Chromium).
$(AXE): tests/browser/package-lock.json
	-command -v npm >/dev/null && cd tests/browser && npm ci --no-audit --no-fund --silent \
		&& touch node_modules/.installed

test: install translations $(AXE)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff format --check . && $(BIN)/ruff check .
