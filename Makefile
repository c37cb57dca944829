# newsbot: `make run` sets everything up and starts the bot; `make test` runs the whole suite.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: run index test test-fast bench lint train-ranker eval clean

$(BIN)/python:
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch first: 2.13.0 is the CPU wheel on this machine's disk; without it pip would pull a CUDA build.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/newsbot index corpus
	$(BIN)/newsbot serve

index: $(STAMP)
	$(BIN)/newsbot index corpus

test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

bench: $(STAMP)
	$(BIN)/python -m bench.run

eval: $(STAMP)
	$(BIN)/newsbot eval --docs ../shared/eval/squad-dev-a/docs.jsonl --questions ../shared/eval/squad-dev-a/questions.jsonl --folds 4

train-ranker: $(STAMP)
	$(BIN)/python -m index.evaluation.train --docs ../shared/eval/squad-dev-a/docs.jsonl --questions ../shared/eval/squad-dev-a/questions.jsonl

lint: $(STAMP)
	$(BIN)/ruff check bot index tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) data
