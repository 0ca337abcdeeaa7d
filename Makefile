# Two commands from a fresh clone: `make run` (set up and start the bot) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run test bench bench-load chat check eval

run: $(VENV)/.installed
	$(PY) -m handlers serve

chat: $(VENV)/.installed
	$(PY) -m bot chat

test: $(VENV)/.installed
	$(PY) -m bot content check
	$(PY) -m pytest -q -rs -n auto

check: $(VENV)/.installed
	$(PY) -m bot content check

eval: $(VENV)/.installed
	$(PY) bench/eval.py

bench: $(VENV)/.installed
	$(PY) bench/engine_speed.py

bench-load: $(VENV)/.installed
	$(PY) bench/load.py

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@
