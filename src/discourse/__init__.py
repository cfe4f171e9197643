"""discourse: a research kit for studying how civil society, industry and the state talk
about regulating VPNs."""

from .corpus import (
    CorpusError,
    CorpusWarning,
    LoadResult,
    Problem,
    load_corpus,
    summarize_corpus,
    validate_corpus,
)

__version__ = "0.1.0"

__all__ = [
    "CorpusError",
    "CorpusWarning",
    "LoadResult",
    "Problem",
    "load_corpus",
    "summarize_corpus",
    "validate_corpus",
    "__version__",
]
