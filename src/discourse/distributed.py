"""The same loading, labelling and term counts on a Dask cluster; ``client=None`` is this machine.

Every function here takes a ``client`` (a :class:`distributed.Client`, or None) and returns
exactly what the single-machine path returns, so the engine is a parameter, not a second copy
of an analysis:

- :func:`load_corpus` / :func:`validate_corpus`: each CSV file is cut into blocks of whole
  lines (:func:`dask.bytes.read_bytes`, ``blocksize``); the workers parse their blocks with
  the csv module and check them with the column checks of :mod:`discourse.corpus`. If every
  block is valid, the client joins the columns into the typed table. If any block has a
  problem, the line-by-line reader of :func:`discourse.corpus.load_corpus` reads the sources
  on the client, so that every problem carries its file, line and field.
- :func:`label_texts`: the labellers (:func:`discourse.label.fit_labellers`) are fitted once
  on the client, scattered to every worker, and each partition of texts (a Dask bag,
  ``map_partitions``) is labelled by :meth:`discourse.label.Labellers.label`.
- :func:`term_counts`: term counts per group with the kit's count vectorizer
  (:func:`discourse.features.make_count_vectorizer`): document frequencies are summed
  across partitions to fix one vocabulary (``min_df``), then each partition counts with
  that vocabulary and the counts are summed.

Dask is optional (``pip install "discourse[dask]"``); it is imported only when a client is
given. The workers must see the corpus files at the same paths (a shared file system, or
one machine), and run the same versions of discourse and scikit-learn as the client.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from os import PathLike
from typing import Any

import numpy as np
import pandas as pd

from . import corpus as _corpus
from . import schema
from .features import MIN_DF, NGRAM_RANGE, make_count_vectorizer

__all__ = [
    "BLOCKSIZE",
    "connect",
    "load_corpus",
    "validate_corpus",
    "label_texts",
    "term_counts",
]

#: Bytes of a CSV file read and checked by one task.
BLOCKSIZE = 64_000_000


def connect(address: str | None) -> Any:
    """Return a :class:`distributed.Client` connected to the scheduler at ``address``.

    None returns None (this machine). The address is what ``dask scheduler`` prints, such
    as ``tcp://10.0.0.5:8786``.

    Raises
    ------
    ValueError
        If Dask is not installed, or no scheduler answers at ``address``.
    """
    if address is None:
        return None
    try:
        from distributed import Client
    except ImportError:
        raise ValueError("a Dask scheduler needs Dask: pip install 'discourse[dask]'") from None
    try:
        return Client(address, timeout="10s")
    except (OSError, TimeoutError) as err:
        raise ValueError(f"no Dask scheduler answers at {address} ({err}); start one with "
                         "'dask scheduler' and workers with 'dask worker ADDRESS'") from None


# -- loading ------------------------------------------------------------------------------------


def _read_on_cluster(client: Any, sources: Sequence[Any], today: dt.date,
                     encoding: str | None, max_bytes: int, blocksize: int):
    """Read CSV sources block by block on the cluster; None if anything needs the slow reader."""
    from dask import delayed
    from dask.bytes import read_bytes

    listed = _corpus._csv_files(sources, encoding, max_bytes)
    if listed is None:
        return None
    files, problems = listed
    try:
        codec = _corpus._csv_codec(encoding)
        if any(path.stat().st_size > max_bytes for path in files):
            return None
        headers = [_corpus._csv_header(path, codec) for path in files]
    except (_corpus._Invalid, OSError):
        return None
    tasks = []
    for path, header in zip(files, headers, strict=True):
        _, blocks = read_bytes(str(path), delimiter=b"\n", blocksize=blocksize, sample=False)
        tasks.append([delayed(_corpus._check_block)(block, header, number == 0, today, codec)
                      for number, block in enumerate(blocks[0])])
    results = client.gather(client.compute(tasks))
    tables = []
    for path, header, blocks in zip(files, headers, results, strict=True):
        if any(block is None for block in blocks):
            return None
        columns = {name: [v for block, _ in blocks for v in block.get(name, ())]
                   for name in header}
        count = sum(n for _, n in blocks)
        if count == 0:
            return None  # a header and no statement: a problem the slow reader states
        tables.append((columns, count, _corpus._header_warnings(path, header)))
    return _corpus._merge_columns(tables, problems)


def load_corpus(
    path: str | PathLike[str] | Sequence[str | PathLike[str]] | None = None,
    *,
    client: Any = None,
    strict: bool = True,
    today: dt.date | None = None,
    encoding: str | None = None,
    max_bytes: int = schema.MAX_FILE_BYTES,
    blocksize: int = BLOCKSIZE,
) -> pd.DataFrame | _corpus.LoadResult:
    """Load a corpus as :func:`discourse.corpus.load_corpus` does, checking it on a cluster.

    Parameters
    ----------
    path, strict, today, encoding, max_bytes
        As in :func:`discourse.corpus.load_corpus`.
    client : distributed.Client, optional
        The cluster. None: :func:`discourse.corpus.load_corpus` on this machine.
    blocksize : int, default :data:`BLOCKSIZE`
        Bytes of a file read and checked by one task (cut at a line end).

    Returns
    -------
    DataFrame or LoadResult
        The same table (or result) as :func:`discourse.corpus.load_corpus`, on the client.

    Examples
    --------
    >>> corpus = load_corpus()  # no client: this machine
    >>> corpus["group"].cat.categories.tolist()
    ['civil_society', 'industry', 'state']
    """
    options = {"today": today, "encoding": encoding, "max_bytes": max_bytes}
    if client is None:
        return _corpus.load_corpus(path, strict=strict, **options)
    sources = _corpus._sources(path)
    with _corpus._bulk():
        found = _read_on_cluster(client, sources, today or dt.date.today(), encoding,
                                 max_bytes, blocksize)
    if found is None:  # a problem somewhere: the line-by-line reader says where
        return _corpus.load_corpus(path, strict=strict, **options)
    raw, n, problems = found
    with _corpus._bulk():
        return _corpus._finish(sources, raw, n, [], problems, strict)


def validate_corpus(
    *paths: str | PathLike[str],
    client: Any = None,
    today: dt.date | None = None,
    encoding: str | None = None,
    max_bytes: int = schema.MAX_FILE_BYTES,
    blocksize: int = BLOCKSIZE,
) -> list[_corpus.Problem]:
    """Return every problem, as :func:`discourse.corpus.validate_corpus`, checked on a cluster.

    Examples
    --------
    >>> validate_corpus()  # no client: this machine
    []
    """
    sources = list(paths) or None
    result = load_corpus(sources, client=client, strict=False, today=today,
                         encoding=encoding, max_bytes=max_bytes, blocksize=blocksize)
    return result.problems


# -- labels -------------------------------------------------------------------------------------


def _label_part(items: list[tuple[str, str]], bundle: Any,
                max_chars: int | None, explain: bool = True) -> list[dict[str, Any]]:
    texts = [text for text, _ in items]
    names = [name for _, name in items]
    return bundle.label(texts, names, max_chars, explain=explain) if items else []


def _partitions(client: Any, n: int, npartitions: int | None) -> int:
    workers = len(client.scheduler_info().get("workers", {})) or 1
    return max(1, min(npartitions or 2 * workers, n))


def label_texts(
    texts: Sequence[str],
    labellers: Any = None,
    *,
    client: Any = None,
    sources: Sequence[str] | None = None,
    max_chars: int | None = None,
    npartitions: int | None = None,
    explain: bool = True,
) -> list[dict[str, Any]]:
    """Label statements as :meth:`discourse.label.Labellers.label`, on a cluster.

    Parameters
    ----------
    texts : list of str
        The statements.
    labellers : discourse.label.Labellers, optional
        Fitted labellers (default: :func:`discourse.label.fit_labellers` on the shipped
        corpus), fitted once on the client and sent once to every worker.
    client : distributed.Client, optional
        The cluster. None: label on this machine.
    sources : list of str, optional
        A name for each text; default ``"text-1"``, ``"text-2"``, ... (numbered over all
        texts, not per partition).
    max_chars : int, optional
        Longest text accepted, in characters (default: no limit; a corpus file's statements
        were already checked by the loader).
    npartitions : int, optional
        Partitions of the texts (a :class:`dask.bag.Bag`; default: two per worker).
    explain : bool, default True
        Give the ``evidence`` of each stance (as :func:`discourse.label.label_texts`); each
        partition is labelled in batches, its evidence computed from the batch matrix.

    Returns
    -------
    list of dict
        One dict per text, in order, exactly as :meth:`~discourse.label.Labellers.label`.

    Examples
    --------
    >>> from discourse.label import fit_labellers
    >>> bundle = fit_labellers()
    >>> label_texts(["The regulator ordered ISPs to block VPNs."], bundle)[0]["source"]
    'text-1'
    """
    if isinstance(texts, str):
        raise TypeError("texts must be a list of statements, not a single string")
    texts = list(texts)
    names = [f"text-{i}" for i in range(1, len(texts) + 1)] if sources is None else \
        list(sources)
    if len(names) != len(texts):
        raise ValueError(f"sources has {len(names)} names for {len(texts)} texts")
    if labellers is None:
        from .label import fit_labellers

        labellers = fit_labellers()
    if client is None or not texts:
        return labellers.label(texts, names, max_chars, explain=explain)
    import dask.bag as db

    items = db.from_sequence(list(zip(texts, names, strict=True)),
                             npartitions=_partitions(client, len(texts), npartitions))
    [bundle] = client.scatter([labellers], broadcast=True)
    labelled = items.map_partitions(_label_part, bundle, max_chars, explain)
    return list(client.compute(labelled).result())


# -- term counts --------------------------------------------------------------------------------


def _document_frequencies(items: list[tuple[str, str]], vectorizer: Any) -> pd.Series:
    vectorizer = _clone(vectorizer, min_df=1, max_df=1.0)
    try:
        counts = vectorizer.fit_transform([text for text, _ in items])
    except ValueError:  # no term in this partition
        return pd.Series(dtype=np.int64)
    df = np.asarray((counts > 0).sum(axis=0)).ravel()
    return pd.Series(df, index=vectorizer.get_feature_names_out(), dtype=np.int64)


def _group_counts(items: list[tuple[str, str]], vectorizer: Any, groups: list[str]
                  ) -> np.ndarray:
    out = np.zeros((len(groups), len(vectorizer.vocabulary)), dtype=np.int64)
    if not items:
        return out
    counts = vectorizer.transform([text for text, _ in items])
    labels = np.array([label for _, label in items], dtype=object)
    for row, name in enumerate(groups):
        mask = labels == name
        if mask.any():
            out[row] = np.asarray(counts[mask].sum(axis=0)).ravel()
    return out


def _clone(vectorizer: Any, **params: Any) -> Any:
    from sklearn.base import clone

    return clone(vectorizer).set_params(**params)


def term_counts(
    corpus: pd.DataFrame,
    by: str = "group",
    *,
    client: Any = None,
    min_df: int | float = MIN_DF,
    ngram: tuple[int, int] = NGRAM_RANGE,
    npartitions: int | None = None,
) -> pd.DataFrame:
    """Count every term in the statements of each value of ``by``, on a cluster.

    Terms, tokens, stop words and n-grams are those of
    :func:`discourse.features.make_count_vectorizer` (stop words built from all texts and
    actors); a term is kept if at least ``min_df`` statements (a share, if a float) use it,
    as in :func:`discourse.contrast.distinctive_terms`, whose ``count_group`` column these
    counts are. Rows with no ``by`` value are left out.

    Parameters
    ----------
    corpus : DataFrame
        A loaded corpus (``text``, ``actor``, and ``by``).
    by : str, default "group"
        The grouping column.
    client : distributed.Client, optional
        The cluster. None: count on this machine.
    min_df : int or float, default 2
        Least number (or share) of statements using a term.
    ngram : (int, int), default (1, 2)
        n-gram range.
    npartitions : int, optional
        Partitions of the statements (a :class:`dask.bag.Bag`; default: two per worker).

    Returns
    -------
    DataFrame
        Columns ``by`` value (named ``by``), ``term``, ``count``: one row per group and
        term with a non-zero count, groups in category order (else sorted), then terms in
        alphabetical order.

    Examples
    --------
    >>> toy = pd.DataFrame({"group": ["state", "state", "industry"], "actor": ["A", "B", "C"],
    ...                     "text": ["block the app", "block it", "app exports"]})
    >>> term_counts(toy, min_df=2, ngram=(1, 1))
          group   term  count
    0  industry    app      1
    1     state    app      1
    2     state  block      2
    """
    if by not in corpus:
        raise KeyError(f"the corpus has no column {by!r}")
    data = corpus.loc[corpus[by].notna(), ["text", "actor", by]].reset_index(drop=True)
    column = corpus[by]
    present = set(data[by].astype(str))
    if isinstance(column.dtype, pd.CategoricalDtype):
        groups = [str(c) for c in column.cat.categories if str(c) in present]
    else:
        groups = sorted(present)
    texts = data["text"].astype(str)
    frame = pd.DataFrame({"text": texts, "by": data[by].astype(str)})
    base = make_count_vectorizer(texts.tolist(), data["actor"].astype(str).tolist(),
                                 min_df=min_df, ngram_range=tuple(ngram))
    if client is None:
        vectorizer = _clone(base)
        counts = vectorizer.fit_transform(texts.tolist())
        terms = vectorizer.get_feature_names_out()
        matrix = np.zeros((len(groups), counts.shape[1]), dtype=np.int64)
        labels = frame["by"].to_numpy()
        for row, name in enumerate(groups):
            matrix[row] = np.asarray(counts[labels == name].sum(axis=0)).ravel()
    else:
        import dask.bag as db

        items = db.from_sequence(list(zip(frame["text"], frame["by"], strict=True)),
                                 npartitions=_partitions(client, len(frame), npartitions))
        parts = items.to_delayed()
        [model] = client.scatter([base], broadcast=True)
        frequencies = client.gather(client.compute(
            [_delayed(_document_frequencies)(p, model) for p in parts]))
        df = pd.concat(frequencies).groupby(level=0).sum()
        least = min_df if isinstance(min_df, int) else min_df * len(frame)
        terms = np.array(sorted(df.index[df.to_numpy() >= least]), dtype=object)
        if not len(terms):
            raise ValueError(f"no term occurs in at least {min_df} statements")
        fixed = _clone(base, vocabulary={t: i for i, t in enumerate(terms)})
        [fixed_model] = client.scatter([fixed], broadcast=True)
        partial = client.gather(client.compute(
            [_delayed(_group_counts)(p, fixed_model, groups) for p in parts]))
        matrix = np.sum(partial, axis=0, dtype=np.int64)
    rows, cols = np.nonzero(matrix)
    return pd.DataFrame({by: [groups[r] for r in rows], "term": np.asarray(terms)[cols],
                         "count": matrix[rows, cols]})


def _delayed(fn: Any) -> Any:
    from dask import delayed

    return delayed(fn)
