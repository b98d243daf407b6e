# Mentorat: `make run` and `make test` set everything up on a fresh machine (Python ≥ 3.11, make, git).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The address in e-mail links: the server `make run` starts, unless SITE_URL is set.
SITE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: install run test messages compile-messages migrate seed clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %d.%d)" % sys.version_info[:2])'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

compile-messages: install
	$(PY) manage.py compile_translations

migrate: install
	mkdir -p var
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

# Web server and a Celery worker with embedded beat; Ctrl-C stops both.
run: install compile-messages seed
	@echo "Mentorat on http://$(HOST):$(PORT)/, e-mail links to $(SITE_URL)/  (Ctrl-C stops the web server and the worker)"
	SITE_URL=$(SITE_URL) $(PY) -m mentorat.devrun --host $(HOST) --port $(PORT)

test: install compile-messages
	$(PY) -m pytest $(PYTEST_ARGS)

# Regenerate the .po catalogues from the code (needs GNU gettext; contributors only).
messages: install
	$(PY) manage.py makemessages --locale fr --locale en --ignore '.venv/*' --ignore 'var/*' --no-obsolete

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
