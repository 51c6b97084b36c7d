# Quick start: `make run` and `make test` each set everything up themselves, idempotently.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.solieu-installed
DB     ?= $(or $(SOLIEU_DB),sqlite:///data/solieu.db)
NATIVE := pipeline/native/pdfchars.so

export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: run test setup sysdeps sysdeps-test lint typecheck bench lock clean

run: sysdeps $(STAMP) $(NATIVE)
	@mkdir -p data
	@$(BIN)/solieu ingest corpus/ --db $(DB) --summary

test: sysdeps-test $(STAMP) $(NATIVE)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -q

setup: sysdeps $(STAMP) $(NATIVE)

sysdeps:
	@bash scripts/ensure_sysdeps.sh run

sysdeps-test:
	@bash scripts/ensure_sysdeps.sh test

# Re-install only when the dependency declarations change.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip
	@$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

# The PDF reader's per-character loop in C, loaded with ctypes (no Python headers, no libc, no pdfium to link:
# pdfium's functions are passed in). Without a compiler pipeline/read.py runs the same loop in Python, slower.
$(NATIVE): pipeline/native/pdfchars.c
	@$(CC) -O2 -shared -fPIC -nostdlib -o $@ $< || echo "no C compiler: PDFs are read by the slower Python loop"

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/bench_pipeline.py
	$(BIN)/python bench/bench_extract.py
	$(BIN)/python bench/bench_ocr.py

# Refresh the pins after changing dependencies in pyproject.toml.
lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e ' > constraints.txt

clean:
	rm -rf $(VENV) data .cache .prefect
