# The two commands of the README: `make run` (install + start the app) and `make test` (install + all tests).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: install install-dev browser-deps run test test-fast lint bench index eval clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; install Python 3.11 or run make PYTHON=python3"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .

install-dev: $(BIN)/python
	$(BIN)/pip install -q -e '.[dev,st]'

# Debian's Chromium (Playwright's own browser download does not work here) and a CJK font for screenshots.
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi wenquanyi; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null; \
		else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null; fi; \
	fi

run: install
	$(BIN)/python app.py

index: install
	$(BIN)/reportqa index

test: install-dev browser-deps
	$(BIN)/python -m pytest -q

test-fast: install-dev
	$(BIN)/python -m pytest -q -m "not browser and not slow"

lint: install-dev
	$(BIN)/ruff check reportqa retrieval ui tests app.py
	$(BIN)/ruff format --check reportqa retrieval ui app.py
	$(BIN)/mypy

eval: install
	$(BIN)/reportqa eval

# Benchmarks and the 10-minute soak (20 sessions against the running app); results go to docs/.
bench: install-dev
	$(BIN)/python benchmarks/soak.py --write docs/soak.md
	$(BIN)/python benchmarks/indexing.py --corpus evalsets/provincial/corpus
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/reader.py

clean:
	rm -rf .reportqa .pytest_cache
