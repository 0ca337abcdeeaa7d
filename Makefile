# Two commands from a fresh clone: `make run` (set up and start the bot) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run test bench chat

run: $(VENV)/.installed
	$(PY) -m bot serve

chat: $(VENV)/.installed
	$(PY) -m bot chat

test: $(VENV)/.installed
	$(PY) -m pytest -q -rs

bench: $(VENV)/.installed
	$(PY) bench/engine_speed.py

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@
