# Two commands for a new user: `make demo` and `make test` (see README.md).
VENV   ?= .venv
PY     := $(VENV)/bin/python
PYTHON ?= python3
# camel-tools depends on torch; this exact CPU build must be installed first, or pip resolves a
# multi-GB CUDA build.
TORCH  ?= torch==2.13.0

.PHONY: install demo test test-fast lint services quality bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(TORCH)
	$(PY) -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(VENV)/bin/khabar demo

services:
	scripts/ensure-services

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

test: install services lint
	ALEMBIC=$(VENV)/bin/alembic scripts/check-migrations
	$(PY) -m pytest -ra

# The development lane: pure-stage and unit tests, no services, no subprocesses (seconds).
# `make test` stays the whole suite.
test-fast: install
	$(PY) -m pytest -q -m "not (db or pipeline or fault or quality or slow)"

# Quality and speed reports need ../shared (evaluation data); they are not tests.
SHARED ?= ../shared
quality: install
	$(VENV)/bin/khabar quality ner --test $(SHARED)/data/anercorp/test.txt
	$(VENV)/bin/khabar quality events --dev-dir $(SHARED)/eval/dev --gsr-dir $(SHARED)/data/gsr

bench: install
	$(VENV)/bin/khabar bench ner --conll $(SHARED)/data/anercorp/test.txt
	$(VENV)/bin/khabar bench stages $(SHARED)/data/saudinewsnet --limit 300

clean:
	rm -rf $(VENV) khabar.db khabar.db-* .pytest_cache .ruff_cache
