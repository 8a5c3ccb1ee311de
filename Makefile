# Promsearch: `make run` sets up, indexes the seeds if needed and serves the UI;
# `make test` runs the whole test suite. Both create or reuse the local venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
BENCH_STAMP := $(VENV)/.bench-stamp
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test index bench bench-cluster load eval relevance install clean

run: $(STAMP)
	$(BIN)/search-index --if-missing
	$(BIN)/search-web --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

index: $(STAMP)
	$(BIN)/search-index $(ARGS)

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

clean:
	rm -rf $(VENV) var build *.egg-info

bench: $(BENCH_STAMP)   ## indexing and query speed vs SQLite FTS5 and tantivy (ARGS="--n 10000" for a quick run)
	$(BIN)/python bench/bench.py $(ARGS)

# tantivy, the bench's third engine, is the optional "bench" extra: never
# installed to index or search, and the bench goes on without it
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,bench]" || echo "tantivy could not be installed: the bench compares with FTS5 alone"
	touch $(BENCH_STAMP)

bench-cluster: $(STAMP)   ## the Sphinx cluster backend vs the embedded index, Dask vs the pool (ARGS="--n 1000")
	$(BIN)/python bench/cluster_bench.py $(ARGS)

load: $(STAMP)    ## search-web under concurrent clients while an indexer adds documents
	$(BIN)/python bench/load.py $(ARGS)

eval: $(STAMP)    ## person/location extraction against the gold sets in ../shared/eval
	$(BIN)/python bench/eval_entities.py $(ARGS)

relevance: $(STAMP)   ## nDCG@10, P@10, recall@100 of each ranking on the judged set (ARGS="--index DIR")
	$(BIN)/python bench/relevance/evaluate.py $(ARGS)
