"""The former name of ``scripts/benchmark.py`` (the scale harness), kept so that old commands
and imports (``synthetic_corpus``) keep working; use ``scripts/benchmark.py``."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location("benchmark",
                                               Path(__file__).with_name("benchmark.py"))
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)
synthetic_corpus = _module.synthetic_corpus

if __name__ == "__main__":
    sys.exit(_module.main(sys.argv[1:]))
