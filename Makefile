PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench bench-lifecycle bench-reads bench-instructions format clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/gonggu serve --host 127.0.0.1 --port 8000

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python -m tests.load.run_load --orders 2000

bench-lifecycle: $(STAMP)
	$(BIN)/python -m tests.load.bench_lifecycle $(BENCH_ARGS)

bench-reads: $(STAMP)
	$(BIN)/python -m tests.load.bench_reads $(BENCH_ARGS)

bench-instructions: $(STAMP)
	$(BIN)/python -m tests.load.instructions $(BENCH_ARGS)

clean:
	rm -rf $(VENV) gonggu.db .pytest_cache .mypy_cache .ruff_cache
