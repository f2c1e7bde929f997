# The two commands of a fresh machine: `make demo` and `make test`.
# Both create .venv and install what they need on first use: the demo only
# cairngraph and its runtime extras; the tests also the test tools and
# LangGraph, the reference the compatibility suite and benchmarks compare with.
PYTHON ?= python3
VENV := .venv
RUNTIME := $(VENV)/.runtime-installed
DEV := $(VENV)/.dev-installed

.PHONY: demo test bench lint

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip

$(RUNTIME): pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet -e '.[all]'
	touch $(RUNTIME)

$(DEV): pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $(DEV) $(RUNTIME)

demo: $(RUNTIME)
	$(VENV)/bin/python -m examples.jokes $(ARGS)

test: $(DEV)
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider

bench: $(DEV)
	$(VENV)/bin/python -m benchmarks $(ARGS)

lint: $(DEV)
	$(VENV)/bin/ruff check src tests benchmarks examples
	$(VENV)/bin/ruff format --check src tests benchmarks examples
	$(VENV)/bin/mypy
