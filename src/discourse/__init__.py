"""discourse: a research kit for studying how civil society, industry and the state talk
about regulating VPNs.

The corpus functions are imported at once; the analysis modules (``agreement``, ``themes``,
``contrast``, ``stance``, ``frames``, ``evaluate``, ``label``, ``timeline``, ``findings``,
``display``, ``plots``, ``figures``, ``style``, ``features``, ``schema``, ``paths``) and
their main names load on first use, so ``import discourse`` stays fast.

Examples
--------
>>> import discourse
>>> corpus = discourse.load_corpus()
>>> model = discourse.ThemeModel(n_themes=4).fit(corpus["text"])
>>> len(model.labels_)
4
"""

from __future__ import annotations

import importlib
from typing import Any

from .corpus import (
    CorpusError,
    CorpusWarning,
    LoadResult,
    Problem,
    Validation,
    load_corpus,
    summarize_corpus,
    validate_corpus,
)

__version__ = "0.1.0"

_SUBMODULES = ("agreement", "contrast", "corpus", "display", "evaluate", "features", "figures",
               "findings", "frames", "label", "paths", "plots", "schema", "stance", "style",
               "themes", "timeline")
#: Names loaded from their module on first use (``discourse.ThemeModel`` and so on).
_LAZY = {
    "ThemeModel": "themes",
    "choose_n_themes": "themes",
    "StanceClassifier": "stance",
    "FrameClassifier": "frames",
    "FrameLexicon": "frames",
    "distinctive_terms": "contrast",
    "compare_groups": "contrast",
    "top_terms": "contrast",
    "category_shares": "timeline",
    "prevalence": "timeline",
    "label_texts": "label",
    "write_figures": "figures",
}

__all__ = [
    "CorpusError",
    "CorpusWarning",
    "LoadResult",
    "Validation",
    "Problem",
    "load_corpus",
    "summarize_corpus",
    "validate_corpus",
    "__version__",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'discourse' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_SUBMODULES) | set(_LAZY))
