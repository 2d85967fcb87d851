# Two commands on a fresh machine with Python 3.11 and make:
#   make demo   set up .venv, install vises and the bundled plugins, score the example data, run a small round
#   make test   same set-up, then lint (ruff, import-linter, mypy --strict), the docs site and the whole test suite
#   make docs   build the documentation site into out/site (mkdocs --strict: a warning fails; offline)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.vises-installed
PLUGINS := $(wildcard plugins/*/pyproject.toml)
OUT    := out
DEMO_DATA := examples/data/wallonie_cisp.csv
DEMO_GRID := wallonie.cisp

.PHONY: demo test lint docs bench bytecode clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml $(PLUGINS)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,docs]' $(foreach p,$(PLUGINS),-e $(dir $(p)))
	touch $(STAMP)

# Bytecode for the sources (an editable install has none, and PYTHONDONTWRITEBYTECODE=1 would make
# every vises process compile ~100 modules again, ~0.3 s each time); up-to-date files are skipped.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q -j 0 src plugins tests > /dev/null

demo: bytecode
	@mkdir -p $(OUT)
	$(BIN)/vises score $(DEMO_DATA) --grid $(DEMO_GRID) --format table --period 2019
	$(BIN)/vises score $(DEMO_DATA) --grid $(DEMO_GRID) --format markdown -o $(OUT)/wallonie_cisp.md
	$(BIN)/vises score $(DEMO_DATA) --grid $(DEMO_GRID) --format html -o $(OUT)/wallonie_cisp.html
	$(BIN)/python examples/records/run.py --out $(OUT)/records --centre cisp_04
	$(BIN)/python examples/round_demo.py $(OUT)/round-demo
	@echo "Reports written to $(OUT)/wallonie_cisp.md and $(OUT)/wallonie_cisp.html; a yearly round in $(OUT)/round-demo"

test: lint docs bytecode
	$(BIN)/python -m pytest -q -n 2 tests plugins

# The house rules: formatting, lint, the layers contract, strict typing.
lint: $(STAMP)
	$(BIN)/ruff format --check -q src plugins tests examples benchmarks tools
	$(BIN)/ruff check -q src plugins tests examples benchmarks tools
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m mypy --strict src/vises

# The site: docs/*.md, the README as home page, the API and CLI references generated (tools/docs_hooks.py).
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict --quiet

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_score.py

clean:
	rm -rf $(VENV) $(OUT)
