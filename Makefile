# gdcat: every command the README names goes through this file.
# The first target that needs it creates .venv with the project and its dev tools.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
STORE  ?= var/store

.PHONY: install run demo test lint typecheck unit generate messages bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## The main job: serve the demo federation's nodes on 127.0.0.1, harvest them into the
## embedded store, print the harvest report and the 1+MG inventory, then serve gdcat at
## http://127.0.0.1:8000 (Ctrl-C stops everything).
run: install
	$(BIN)/gdcat demo --store $(STORE) --replace --serve

## The whole test suite: lint, format, types, tests.
test: lint typecheck unit

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest -q -n 2

## Regenerate SHACL, OWL, JSON-LD context, model docs and Python classes from model/,
## then the CLI reference and the profile pages in docs/.
generate: install
	$(BIN)/python -m gdcat.model.generate
	$(BIN)/python -m gdcat.docgen

## The pages' own text: extract the messages from src/gdcat/ui (and the profiles' sentences
## from validate/profiles.py) into messages.pot and merge
## them into each language's catalogue (then translate the new entries in the .po files;
## tests/ui/test_messages.py fails while one is missing). Catalogues compile at first use.
LOCALE := src/gdcat/ui/locale
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output \
	  --project gdcat --copyright-holder "gdcat contributors" -o $(LOCALE)/messages.pot \
	  src/gdcat/ui src/gdcat/validate/profiles.py
	for lang in de fr nl; do \
	  if [ -f $(LOCALE)/$$lang/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete \
	      -i $(LOCALE)/messages.pot -d $(LOCALE) -l $$lang; \
	  else \
	    $(BIN)/pybabel init -i $(LOCALE)/messages.pot -d $(LOCALE) -l $$lang; \
	  fi; \
	done
	# no creation date: catalogues change only when their messages do (and merge cleanly)
	sed -i '/^"POT-Creation-Date: /d' $(LOCALE)/messages.pot $(LOCALE)/*/LC_MESSAGES/messages.po

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
