"""Run every notebook with papermill on other parameters, as a new user would, and check it.

Usage: python scripts/run_papermill_checks.py [--case india|other-topic] [--notebook 05 ...]
       [--out DIR] [--keep]                                    (or `make papermill-check`)

Two cases, each run on every notebook in notebooks/ (into a temporary folder; the stored
notebooks are never touched):

``india``
    the shipped corpus, with India in 2022 as the case (``CASE_COUNTRY="IN"``,
    ``CASE_START="2022-01-01"``, ``CASE_END="2022-12-31"``);
``other-topic``
    the synthetic corpus ``tests/fixtures/other_topic.csv`` (26 statements on a
    hypothetical social-media age limit), with New Zealand in the first half of 2024 as
    the case and ``TOPIC="social media age limits"``.

Checks, for every notebook of every case:

1. it runs to the end without an error (papermill raises on the first error);
2. no figure title or footnote, and no Markdown the notebook renders (its findings), says
   "VPN" when the corpus is not about VPNs (``other-topic``); no figure title or footnote of
   notebook 05 names Pakistan when the case is another country (``india``; its findings may
   name Pakistan where they compare countries);
3. no figure is drawn from a cell of fewer than 3 statements without saying so: when the
   ``table`` a figure builder returned holds estimates (a ``share`` or ``mean`` column) and
   a cell with ``0 < n < 3``, the figure's text must mention it ("n = 1", "n < 3",
   "fewer than", "too few", "few statements").

Figure texts are read inside the kernel by an IPython startup file placed in a temporary
``IPYTHONDIR``: it records the title, footnote and axes titles of every figure a cell
displays, and the smallest ``n`` of the cell's ``table``, into a JSON-lines log. The
notebooks themselves are not changed for the check.

Each notebook receives every parameter below; a notebook that lacks one in its tagged
``parameters`` cell gets a papermill warning, which is reported as a failure too (every
notebook must take every parameter, one per line).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
FIXTURE = ROOT / "tests" / "fixtures" / "other_topic.csv"

#: The parameters every notebook takes, one per line in its cell tagged "parameters".
PARAMETER_NAMES = ("CORPUS_PATH", "COUNTRY", "CASE_COUNTRY", "CASE_START", "CASE_END",
                   "PERIOD", "TITLE", "TOPIC", "SEED")

CASES: dict[str, dict] = {
    "india": {
        "parameters": {"CASE_COUNTRY": "IN", "CASE_START": "2022-01-01",
                       "CASE_END": "2022-12-31"},
        "forbidden": {"05": ["Pakistan"]},
        "markdown": False,  # findings compare the case with other countries, Pakistan too
    },
    "other-topic": {
        "parameters": {"CORPUS_PATH": str(FIXTURE), "CASE_COUNTRY": "NZ",
                       "CASE_START": "2024-01-01", "CASE_END": "2024-06-30",
                       "TOPIC": "social media age limits", "PERIOD": "year"},
        "forbidden": {"*": ["VPN"]},
        "markdown": True,
    },
}

#: Words by which a figure says that it shows a small cell.
SMALL_N_WORDS = re.compile(r"n\s*[=<≤]\s*[0-9]|fewer than|too few|few statements|small",
                           re.IGNORECASE)

STARTUP = r'''
# Written by scripts/run_papermill_checks.py: records what each cell's figures say.
import json as _json
import os as _os
import sys as _sys

_LOG = _os.environ["DISCOURSE_CHECK_LOG"]
_SEEN = []


def _figure_texts(fig):
    parts = [fig]
    for part in parts:  # the figure and its sub-figures, recursively
        parts.extend(getattr(part, "subfigs", []))
    texts = []
    for part in parts:
        for getter in ("get_suptitle", "get_supxlabel", "get_supylabel"):
            if hasattr(part, getter):
                texts.append(getattr(part, getter)())
        texts += [t.get_text() for t in getattr(part, "texts", [])]
        for ax in part.get_axes() if hasattr(part, "get_axes") else []:
            texts += [ax.get_title(loc=loc) for loc in ("left", "center", "right")]
    return list(dict.fromkeys(t for t in texts if t))  # a suptitle is also in fig.texts


def _record(fig):
    if all(f is not fig for f in _SEEN):
        _SEEN.append(fig)


def _plain(fig, p, cycle):
    _record(fig)
    p.text(repr(fig))


def _flush():
    ip = get_ipython()
    if "matplotlib.pyplot" in _sys.modules:
        plt = _sys.modules["matplotlib.pyplot"]
        for num in plt.get_fignums():
            _record(plt.figure(num))
    source = ip.user_ns.get("_ih", [""])[-1]
    table = ip.user_ns.get("table")
    min_n = None
    columns = set(getattr(table, "columns", []))
    # an estimate (a share, a mean) drawn from n statements; a table of counts has no such
    # column, and its n is the count drawn
    if _SEEN and "figure" in source and "n" in columns and columns & {"share", "mean"}:
        n = table["n"][table["n"] > 0]
        min_n = int(n.min()) if len(n) else None
    if _SEEN or min_n is not None:
        with open(_LOG, "a", encoding="utf-8") as out:
            out.write(_json.dumps({"source": source[:200], "min_n": min_n,
                                   "figures": [_figure_texts(f) for f in _SEEN]}) + "\n")
    _SEEN.clear()


def _register(*args):
    # before every cell: `%matplotlib inline` and `%config InlineBackend...` remove every
    # printer registered for Figure, so this one is put back each time
    from matplotlib.figure import Figure

    get_ipython().display_formatter.formatters["text/plain"].for_type(Figure, _plain)


def _install():
    ip = get_ipython()
    ip.events.register("pre_run_cell", _register)
    ip.events.register("post_execute", _flush)


_install()
'''


def _sandbox(folder: Path) -> dict[str, str]:
    """Environment for the kernels: Jupyter, IPython and matplotlib under ``folder``."""
    env = {name: str(folder / name.lower()) for name in (
        "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR",
        "MPLCONFIGDIR")}
    startup = Path(env["IPYTHONDIR"]) / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-discourse-check.py").write_text(STARTUP, encoding="utf-8")
    env["PYTHONHASHSEED"] = "0"
    env["TQDM_DISABLE"] = "1"
    src = str(ROOT / "src")  # this checkout's library first, installed or not
    env["PYTHONPATH"] = os.pathsep.join([src] + [p for p in os.environ.get(
        "PYTHONPATH", "").split(os.pathsep) if p and p != src])
    return env


class _Warnings(logging.Handler):
    """Collects papermill's warnings (an unknown parameter, for one)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _markdown_outputs(notebook) -> list[str]:
    texts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/markdown" in data:
                texts.append(str(data["text/markdown"]))
    return texts


def check_notebook(path: Path, case: str, out: Path) -> list[str]:
    """Run one notebook for one case; return the problems found (empty: it passed)."""
    import papermill

    spec = CASES[case]
    number = path.name[:2]
    log = out / f"{case}-{path.stem}.jsonl"
    log.unlink(missing_ok=True)
    env = _sandbox(Path(tempfile.mkdtemp(prefix="kernel-", dir=out)))
    env["DISCOURSE_CHECK_LOG"] = str(log)
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    handler = _Warnings()
    logger = logging.getLogger("papermill")
    logger.addHandler(handler)
    problems = []
    try:
        papermill.execute_notebook(
            str(path), str(out / f"{case}-{path.name}"), parameters=spec["parameters"],
            cwd=str(path.parent), kernel_name="python3", progress_bar=False,
            request_save_on_cell_execute=False, log_output=False)
    except Exception as err:  # papermill.PapermillExecutionError, or a missing kernel
        first = str(err).strip().splitlines()
        problems.append(f"error: {' / '.join(first[-3:]) if first else type(err).__name__}")
    finally:
        logger.removeHandler(handler)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    problems += [f"papermill: {m}" for m in handler.messages if "parameter" in m.lower()]
    forbidden = spec["forbidden"].get(number, []) + spec["forbidden"].get("*", [])
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()
               ] if log.exists() else []
    for record in records:
        texts = list(dict.fromkeys(t for fig in record["figures"] for t in fig))
        for word in forbidden:
            for text in texts:
                if word.lower() in text.lower():
                    problems.append(f"figure text says {word!r}: {text[:120]!r} "
                                    f"(cell: {record['source'][:60]!r})")
        if record["min_n"] is not None and record["min_n"] < 3:
            if not any(SMALL_N_WORDS.search(t) for t in texts):
                problems.append(f"a figure is drawn from a cell of n = {record['min_n']} "
                                f"without saying so (cell: {record['source'][:60]!r})")
    executed = out / f"{case}-{path.name}"
    if executed.exists() and forbidden and spec["markdown"]:
        import nbformat

        for text in _markdown_outputs(nbformat.read(executed, as_version=4)):
            for word in forbidden:
                if word.lower() in text.lower():
                    problems.append(f"rendered Markdown says {word!r}: {text[:120]!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", action="append", choices=sorted(CASES),
                        help="run only this case (repeatable; default: all)")
    parser.add_argument("--notebook", action="append",
                        help="run only notebooks whose name starts with this (e.g. 05)")
    parser.add_argument("--out", type=Path, help="keep the executed notebooks here")
    parser.add_argument("--notebooks-dir", type=Path, default=NOTEBOOKS,
                        help="where the notebooks are (default: notebooks/)")
    args = parser.parse_args(argv)
    try:
        import papermill  # noqa: F401
    except ImportError:
        print("papermill is not installed: pip install -e '.[notebooks]' (make install "
              "does it)", file=sys.stderr)
        return 1
    notebooks = sorted(args.notebooks_dir.glob("[0-9]*.ipynb"))
    if args.notebook:
        notebooks = [p for p in notebooks if any(p.name.startswith(n) for n in args.notebook)]
    cases = args.case or list(CASES)
    out = args.out or Path(tempfile.mkdtemp(prefix="papermill-check-"))
    out.mkdir(parents=True, exist_ok=True)
    failed = 0
    try:
        for case in cases:
            for path in notebooks:
                start = time.perf_counter()
                problems = check_notebook(path, case, out)
                seconds = time.perf_counter() - start
                status = "ok" if not problems else "FAILED"
                print(f"{case:12} {path.name:32} {status} ({seconds:.0f} s)", flush=True)
                for problem in problems:
                    print(f"    {problem}", flush=True)
                failed += bool(problems)
    finally:
        if args.out is None:
            shutil.rmtree(out, ignore_errors=True)
    total = len(cases) * len(notebooks)
    print(f"papermill check: {total - failed} of {total} notebook runs passed"
          + (f" (executed notebooks in {out})" if args.out else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
