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
- :func:`fit_themes`: a :class:`discourse.themes.ThemeModel` fitted by mini-batch NMF:
  document and term frequencies are summed across partitions to fix the vocabulary and the
  IDF, each partition is TF-IDF-weighted on its worker, and the matrices are streamed to
  the client in a fixed order for :meth:`sklearn.decomposition.MiniBatchNMF.partial_fit`.

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
from .themes import BATCH_SIZE as THEMES_BATCH_SIZE
from .themes import MAX_FEATURES, MINIBATCH_MAX_ITER

__all__ = [
    "BLOCKSIZE",
    "connect",
    "load_corpus",
    "validate_corpus",
    "label_texts",
    "term_counts",
    "fit_themes",
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
                max_chars: int | None, explain: bool = False) -> list[dict[str, Any]]:
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
    explain: bool = False,
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
    explain : bool, default False
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


# -- themes -------------------------------------------------------------------------------------


def _term_statistics(texts: list[str], counter: Any) -> pd.DataFrame:
    """Per term of these texts: the statements using it (``df``) and its count (``tf``)."""
    counter = _clone(counter)
    try:
        counts = counter.fit_transform(texts)
    except ValueError:  # no text, or no term in this partition
        return pd.DataFrame({"df": [], "tf": []}, dtype=np.int64)
    return pd.DataFrame({"df": np.diff(counts.tocsc().indptr).astype(np.int64),
                         "tf": np.asarray(counts.sum(axis=0)).ravel().astype(np.int64)},
                        index=counter.get_feature_names_out())


def _tfidf_part(texts: list[str], vectorizer: Any) -> Any:
    return vectorizer.transform(texts)


def _vocabulary(stats: pd.DataFrame, n_docs: int, min_df: int | float, max_df: int | float,
                max_features: int | None) -> tuple[np.ndarray, np.ndarray]:
    """The terms a :class:`~sklearn.feature_extraction.text.TfidfVectorizer` fitted on all
    statements keeps, and their document frequencies: the same rules and the same
    selection among terms of equal count (the same NumPy expression on the same arrays,
    terms in sorted order)."""
    terms = np.array(sorted(stats.index), dtype=object)
    stats = stats.loc[terms]
    dfs, tfs = stats["df"].to_numpy(), stats["tf"].to_numpy()
    high = max_df if isinstance(max_df, int) else max_df * n_docs
    low = min_df if isinstance(min_df, int) else min_df * n_docs
    mask = (dfs <= high) & (dfs >= low)
    if max_features is not None and mask.sum() > max_features:
        mask_inds = (-tfs[mask]).argsort()[:max_features]
        new_mask = np.zeros(len(dfs), dtype=bool)
        new_mask[np.where(mask)[0][mask_inds]] = True
        mask = new_mask
    if not mask.any():
        raise ValueError("no term is left after min_df and max_df; the corpus is too small "
                         "or too uniform for themes")
    return terms[mask], dfs[mask]


def _batches(parts: Any, batch_size: int) -> Any:
    """Rows of the partitions' matrices, in order, cut into batches of ``batch_size`` rows
    (the last one shorter): the same batches however the statements were partitioned."""
    import scipy.sparse as sp

    buffer: list[Any] = []
    held = 0
    for matrix in parts:
        start = 0
        while start < matrix.shape[0]:
            take = min(batch_size - held, matrix.shape[0] - start)
            buffer.append(matrix[start:start + take])
            held += take
            start += take
            if held == batch_size:
                yield buffer[0] if len(buffer) == 1 else sp.vstack(buffer, format="csr")
                buffer, held = [], 0
    if held:
        yield buffer[0] if len(buffer) == 1 else sp.vstack(buffer, format="csr")


def fit_themes(
    texts: Sequence[str] | pd.DataFrame,
    n_themes: int,
    *,
    actors: Sequence[str] | None = None,
    client: Any = None,
    random_state: int = 0,
    top_n: int = 10,
    max_features: int | None = MAX_FEATURES,
    batch_size: int = THEMES_BATCH_SIZE,
    max_iter: int = MINIBATCH_MAX_ITER,
    tol: float = 1e-4,
    npartitions: int | None = None,
    progress: bool | None = None,
) -> Any:
    """Fit a :class:`discourse.themes.ThemeModel` by mini-batch NMF, on a cluster.

    1. The stop list is built on the client from all texts and actors
       (:func:`discourse.features.make_vectorizer`).
    2. Each partition counts its terms; document frequencies and counts are summed across
       partitions, and the vocabulary is chosen by the vectorizer's own rules (``min_df``,
       ``max_df``, then the ``max_features`` most frequent terms): the vocabulary and the
       IDF ``ln((1 + n) / (1 + df)) + 1`` are those a vectorizer fitted on all
       statements would have.
    3. Each partition is TF-IDF-weighted on its worker with that fixed vectorizer.
    4. The client streams the matrices, partition by partition in order, cut into batches
       of ``batch_size`` rows in statement order (the same batches for any partitioning),
       into :meth:`sklearn.decomposition.MiniBatchNMF.partial_fit` (NNDSVDa start from the
       first batch, seeded by ``random_state``), for at most ``max_iter`` passes, stopping
       after a pass that changes ``H`` by less than ``tol`` (Frobenius norm of the change
       over that of ``H``).
    5. A last pass computes each statement's ``W`` (``transform``, batch by batch) and the
       co-occurrence counts of the top terms for the coherence.

    The result is a fitted :class:`~discourse.themes.ThemeModel` with every attribute of
    one fitted on this machine (``stability_`` NaN until
    :meth:`~discourse.themes.ThemeModel.score_stability` is called) and a working
    ``transform``. ``client=None`` runs the same algorithm here, with the same result.

    Parameters
    ----------
    texts : list of str or DataFrame
        The statements, or a corpus (its ``text`` and, if present, ``actor`` columns).
    n_themes : int
        Number of themes.
    actors : list of str, optional
        Actor names for the stop list (default: the corpus's ``actor`` column, if given).
    client : distributed.Client, optional
        The cluster. None: this machine.
    random_state, top_n
        As for :class:`~discourse.themes.ThemeModel`.
    max_features : int or None, default :data:`discourse.themes.MAX_FEATURES`
        Vocabulary cap; None: every term within ``min_df`` and ``max_df``.
    batch_size : int, default :data:`discourse.themes.BATCH_SIZE`
        Statements per mini-batch.
    max_iter : int, default :data:`discourse.themes.MINIBATCH_MAX_ITER`
        Passes over the statements.
    tol : float, default 1e-4
        Stop after a pass that moves ``H`` by less than this, relatively.
    npartitions : int, optional
        Partitions of the statements (default: two per worker; one without a client).
    progress : bool, optional
        A progress bar over the passes (default: from
        :data:`discourse.themes.PROGRESS_DOCUMENTS` statements, on a terminal).

    Returns
    -------
    ThemeModel

    Examples
    --------
    >>> texts = ["exports freelancers economy", "exports freelancers losses",
    ...          "economy losses freelancers", "blasphemy morality content",
    ...          "blasphemy content obscene", "morality obscene content"]
    >>> model = fit_themes(texts, 2, top_n=3, batch_size=2)  # no client: this machine
    >>> sorted(model.labels_)
    ['content / blasphemy / morality', 'freelancers / economy / losses']
    """
    from sklearn.decomposition import MiniBatchNMF
    from sklearn.feature_extraction.text import CountVectorizer
    from threadpoolctl import threadpool_limits

    from . import themes as _themes

    if isinstance(texts, pd.DataFrame):
        if actors is None and "actor" in texts:
            actors = texts["actor"].astype(str).tolist()
        texts = texts["text"]
    if isinstance(texts, str):
        raise TypeError("texts must be a list of statements, not a single string")
    texts = [str(t) for t in texts]
    batch_size = _themes._check_batch_size(batch_size)
    if batch_size is None:
        raise ValueError("batch_size must be a positive int: the cluster fits mini-batches")
    passes = int(max_iter)
    model = _themes.ThemeModel(n_themes=n_themes, top_n=top_n, random_state=random_state,
                               max_iter=passes, batch_size=batch_size,
                               max_features=max_features)
    base = model._vectorizer(texts, actors)
    params = base.get_params()
    counter = CountVectorizer(**{k: v for k, v in params.items()
                                 if k in CountVectorizer().get_params()})
    counter.set_params(min_df=1, max_df=1.0, max_features=None, dtype=np.int64)
    n_docs = len(texts)
    if client is None:
        size = -(-n_docs // max(1, npartitions or 1)) or 1
        chunks = [texts[i:i + size] for i in range(0, n_docs, size)]
        stats = [_term_statistics(chunk, counter) for chunk in chunks]
    else:
        import dask.bag as db

        parts = db.from_sequence(texts, npartitions=_partitions(client, n_docs,
                                                                npartitions)).to_delayed()
        [remote_counter] = client.scatter([counter], broadcast=True)
        stats = client.gather(client.compute(
            [_delayed(_term_statistics)(p, remote_counter) for p in parts]))
    total = pd.concat(stats).groupby(level=0).sum()
    terms, dfs = _vocabulary(total, n_docs, params["min_df"], params["max_df"], max_features)
    if not 1 <= n_themes <= min(n_docs, len(terms)):
        raise ValueError(f"n_themes={n_themes} must be between 1 and the number of "
                         f"statements ({n_docs}) and of terms ({len(terms)})")
    fixed = _clone(base, vocabulary={t: i for i, t in enumerate(terms)}, max_features=None)
    fixed.idf_ = np.log((n_docs + 1) / (dfs + 1.0)) + 1
    if client is None:
        matrices = [_tfidf_part(chunk, fixed) for chunk in chunks]

        def stream() -> Any:
            return iter(matrices)
    else:
        [remote_fixed] = client.scatter([fixed], broadcast=True)
        futures = client.compute([_delayed(_tfidf_part)(p, remote_fixed) for p in parts])

        def stream() -> Any:
            return (future.result() for future in futures)

    nmf = MiniBatchNMF(n_components=n_themes, init="nndsvda", random_state=random_state,
                       batch_size=batch_size, max_iter=passes)
    show = _themes._show_progress(progress, n_docs)
    with threadpool_limits(limits=1), np.errstate(invalid="ignore"):
        for _ in _themes._bar(range(passes), passes, "mini-batch NMF passes", show):
            before = nmf.components_.copy() if hasattr(nmf, "components_") else None
            for batch in _batches(stream(), batch_size):
                nmf.partial_fit(batch)
            if before is not None:
                change = np.linalg.norm(nmf.components_ - before)
                if change <= tol * np.linalg.norm(before):
                    break
        top = [_themes._top_indices(row, top_n) for row in nmf.components_]
        columns = _themes._top_columns(top)
        weights, df_top, co_top = [], np.zeros(len(columns)), np.zeros((len(columns),) * 2)
        for batch in _batches(stream(), batch_size):
            weights.append(nmf.transform(batch))
            df_part, co_part = _themes._presence_counts(batch, columns)
            df_top += df_part
            co_top += co_part
    model.vectorizer_ = fixed
    model.terms_ = fixed.get_feature_names_out()
    model.nmf_ = nmf

    def counts(wanted: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
        assert np.array_equal(wanted, columns)
        return n_docs, df_top, co_top

    model._set_themes(np.vstack(weights), counts=counts)
    model.theme_stability_ = np.full(n_themes, np.nan)
    model.stability_ = float("nan")
    model.stability_documents_ = 0
    return model
