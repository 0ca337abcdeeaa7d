# Two commands from a fresh clone: `make run` (set up and start the bot) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# One test worker more than there are cores: many tests spend their time waiting on real processes
# (gunicorn workers killed, Redis paused, a browser), and the extra worker fills that time.
TEST_WORKERS ?= $(shell $(PYTHON) -c "import os; print((os.cpu_count() or 1) + 1)")

.PHONY: run test lint bench bench-load chat check eval

run: $(VENV)/.installed
	$(PY) -m handlers serve

chat: $(VENV)/.installed
	$(PY) -m bot chat

# The content check, the linters (ruff, mypy, import-linter: settings in pyproject.toml), then every test on
# every core. The checks come first because they take seconds and the tests take minutes.
test: $(VENV)/.installed-dev
	$(PY) -m bot content check
	$(MAKE) --no-print-directory lint
	$(PY) -m pytest -rs -n $(TEST_WORKERS) --dist worksteal --durations=10

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check bot handlers tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

check: $(VENV)/.installed
	$(PY) -m bot content check

eval: $(VENV)/.installed
	$(PY) bench/eval.py

bench: $(VENV)/.installed
	$(PY) bench/engine_speed.py

bench-load: $(VENV)/.installed
	$(PY) bench/load.py

# The venv is made once; a changed requirements file only installs into it (re-running `venv` on an
# existing one could repoint it at another python3).
$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

# Tests and checks also need requirements-dev.txt (which includes requirements.txt).
$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@
