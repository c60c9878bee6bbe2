# Set-up and everyday commands.  `make run` and `make test` are the README's first two commands.
# Everything is installed into .venv from this project's own files; torch is pinned to the CPU build because an
# unpinned torch pulls a multi-GB CUDA build.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
HOST   ?= 127.0.0.1
PORT   ?= 7860

.PHONY: run test setup setup-test index eval bench clean

run: setup                       ## set up, build the index if missing, serve the chat on http://$(HOST):$(PORT)
	$(PY) app.py --host $(HOST) --port $(PORT)

test: setup-test                 ## the test suite (what .ci/run runs)
	$(PY) -m pytest

setup: $(VENV)/.installed

setup-test: $(VENV)/.installed-test

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e .
	$(PY) -m assistant model fetch
	touch $@

# The test extra brings pymilvus + milvus-lite (tests/test_milvus.py runs a real embedded Milvus).
# Browser tests drive Debian's chromium (with CJK fonts, or every character is a box); never a downloaded browser.
$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install --quiet -e '.[test]'
	test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk)
	touch $@

index: setup                     ## build or update index/ from corpus/
	$(PY) -m assistant index

eval: setup                      ## quality: the shipped seed set; CMRC when ../shared is beside the checkout
	$(PY) -m assistant eval tests/data/seed_questions.jsonl
	test -f ../shared/eval/cmrc2018_trial.json && $(PY) -m assistant eval ../shared/eval/cmrc2018_trial.json || echo 'CMRC trial set not found beside the checkout (../shared/eval); skipped'

bench: setup                     ## benchmarks (see README "Performance")
	$(PIP) install --quiet -e '.[bench]'
	$(PY) bench/run_all.py

clean:
	rm -rf index $(VENV)
