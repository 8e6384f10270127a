# The two commands a newcomer runs (see README.md): `make brief` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: brief test lab lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test,notebook]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

brief: $(STAMP)
	$(BIN)/estimative brief models/korea_2017 -o out
	@echo "The brief is in out/: brief.md, brief.html (open it in a browser) and brief.pdf"

test: $(STAMP)
	$(BIN)/python -m pytest -q

# JupyterLab starts in notebooks/ (the notebooks' paths are relative to it), on the venv's kernel.
# It refuses to run as root without --allow-root; containers often run as root.
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/engine.py --quick

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis
