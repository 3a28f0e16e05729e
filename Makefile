# The Flowers course kit. `make demo` and `make test` are the two commands the README promises;
# both set the machine up first when needed.
VENV   := .venv
PYTHON := $(VENV)/bin/python
# nbgrader calls `alembic` and Jupyter kernels by name: the venv's bin must come first on PATH.
export PATH := $(abspath $(VENV))/bin:$(PATH)
export TF_CPP_MIN_LOG_LEVEL := 3
# The course photos: FLOWERS_DIR when set, else ../shared/data/tf_flowers when it sits beside this clone.
FLOWERS_DIR ?= $(abspath $(wildcard ../shared/data/tf_flowers))
ifneq ($(FLOWERS_DIR),)
export FLOWERS_DIR
endif
# TF_ENABLE_ONEDNN_OPTS stays at its default (on): oneDNN trains twice as fast on these CPUs (measured).

.PHONY: setup demo test test-fast generate grade benchmark solutions student-wheel pictures clean help

help:          ## list the tasks
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(VENV)/.installed: requirements.txt pyproject.toml scripts/setup.sh
	bash scripts/setup.sh

setup: $(VENV)/.installed  ## create .venv from the pinned requirements and install bubblewrap

demo: setup    ## regenerate release/ solutions/ assignments/, then grade the answer key and the blank release
	$(PYTHON) -m autograder generate
	$(PYTHON) -m autograder demo

test: setup    ## the whole test suite (slow tests included), on 2 workers (TensorFlow trains on about one core)
	$(PYTHON) -m pytest -n 2 --dist worksteal --durations=15

test-fast: setup  ## the suite without the slow tests
	$(PYTHON) -m pytest -n 2 -m "not slow"

generate: setup  ## regenerate release/ solutions/ assignments/ and autograder/answers/ from source/ (ONLY=ch05 for one chapter)
	$(PYTHON) -m autograder generate $(ONLY)

grade: setup   ## grade a submission: make grade SUBMISSION=path [RESULTS=results.json]
	$(PYTHON) -m autograder grade $(SUBMISSION) $(if $(RESULTS),--results $(RESULTS))

benchmark: setup  ## grading speed and memory (docs/performance.md): the whole course, the nbgrader way, training, 1 vs 2 jobs
	$(PYTHON) benchmarks/run.py $(ARGS)

solutions: setup  ## run each answer key in a fresh kernel; notebooks + HTML with figures in build/solutions (OUT=dir, ONLY=ch04)
	$(PYTHON) -m autograder publish-solutions $(or $(OUT),build/solutions) $(ONLY)

pictures: setup  ## the README's pictures (docs/images/) from a real grading run of a generated class; needs Chromium
	$(PYTHON) scripts/readme_pictures.py

student-wheel: setup  ## build the student side's wheel (no answers, no hidden checks) into dist/
	$(PYTHON) -m pip wheel -q --no-deps --no-build-isolation --disable-pip-version-check ./student -w dist

clean:         ## remove the environment and caches (not the generated folders)
	rm -rf $(VENV) .pytest_cache gradebook.db
