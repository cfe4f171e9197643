"""Agreement between two coders: Krippendorff's alpha, Cohen's kappa and their confusion."""

from __future__ import annotations

import csv
from os import PathLike
from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score

from .corpus import Problem
from .schema import FRAMES, STANCES

__all__ = [
    "CodesError",
    "read_codes",
    "agreement_table",
    "confusion_table",
    "disagreements",
]

#: Columns of a coder's file; ``frames`` holds frame codes joined by ";" (may be empty).
CODE_COLUMNS: tuple[str, ...] = ("id", "stance", "frames")


class CodesError(ValueError):
    """Raised for a coder's file (or a pair of files) that cannot be compared.

    ``problems`` holds every problem found, each located by file, line and field.
    """

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(str(p) for p in problems[:50])
        more = f"\n... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s) in the codes:\n{lines}{more}")


def _split_frames(value: str) -> list[str]:
    return sorted({part.strip() for part in value.split(";") if part.strip()})


def read_codes(path: str | PathLike[str]) -> pd.DataFrame:
    """Read one coder's codes from a CSV file with columns ``id``, ``stance``, ``frames``.

    ``frames`` holds frame codes joined by ``;`` (empty for a statement with no frame).
    Other columns (``notes``, ``coder``) are kept. Every problem is reported at once,
    with its file, line and field.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    DataFrame
        ``id``, ``stance``, ``frames`` (a sorted list per row), and any other columns, in
        the file's order.

    Raises
    ------
    CodesError
        If the file is missing, empty, lacks a column, repeats an id or holds an unknown
        code.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "a.csv")
    >>> _ = open(path, "w").write("id,stance,frames\\ns1,neutral,rights;economy\\n")
    >>> read_codes(path).loc[0, "frames"]
    ['economy', 'rights']
    """
    name = str(path)
    source = Path(path)
    if not source.is_file():
        raise CodesError([Problem(name, 0, "-", "no such file")])
    problems: list[Problem] = []
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    try:
        with open(source, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [c for c in CODE_COLUMNS if c not in header]
            if missing:
                raise CodesError([Problem(name, 1, ", ".join(missing),
                                          "missing column(s); a coder's file needs the "
                                          "columns id, stance, frames")])
            for row in reader:
                rows.append({k: (v or "") for k, v in row.items() if k is not None})
                lines.append(reader.line_num)
    except UnicodeDecodeError as err:
        raise CodesError([Problem(name, 0, "-", f"not UTF-8 text ({err.reason})")]) from None
    if not rows:
        raise CodesError([Problem(name, 1, "-", "no codes: the file has a header but no rows")])
    seen: dict[str, int] = {}
    for row, line in zip(rows, lines, strict=True):
        ident = row["id"].strip()
        if not ident:
            problems.append(Problem(name, line, "id", "empty id"))
        elif ident in seen:
            problems.append(Problem(name, line, "id", f"duplicate id {ident!r} (first on "
                                                      f"line {seen[ident]})"))
        else:
            seen[ident] = line
        stance = row["stance"].strip()
        if stance not in STANCES:
            problems.append(Problem(name, line, "stance", f"unknown stance {stance!r}; "
                                    f"allowed: {', '.join(STANCES)}"))
        for frame in _split_frames(row["frames"]):
            if frame not in FRAMES:
                problems.append(Problem(name, line, "frames", f"unknown frame {frame!r}; "
                                        f"allowed: {', '.join(FRAMES)}"))
    if problems:
        raise CodesError(problems)
    table = pd.DataFrame(rows)
    table["id"] = table["id"].str.strip()
    table["stance"] = table["stance"].str.strip()
    table["frames"] = [_split_frames(v) for v in table["frames"]]
    table.attrs["path"] = name
    table.attrs["lines"] = dict(zip(table["id"], lines, strict=True))
    return table


def _paired(codes_a: pd.DataFrame, codes_b: pd.DataFrame) -> pd.DataFrame:
    """Join two coders' tables on ``id``; every id must be coded by both."""
    only_a = sorted(set(codes_a["id"]) - set(codes_b["id"]))
    only_b = sorted(set(codes_b["id"]) - set(codes_a["id"]))
    problems = []
    for ids, table, other in ((only_a, codes_a, codes_b), (only_b, codes_b, codes_a)):
        path = table.attrs.get("path", "codes")
        other_path = other.attrs.get("path", "the other codes")
        lines = table.attrs.get("lines", {})
        for ident in ids:
            problems.append(Problem(path, lines.get(ident, 0), "id",
                                    f"{ident!r} is not coded in {other_path}"))
    if problems:
        raise CodesError(problems)
    if codes_a.empty:
        raise CodesError([Problem(codes_a.attrs.get("path", "codes"), 0, "-", "no codes")])
    return codes_a[["id", "stance", "frames"]].merge(
        codes_b[["id", "stance", "frames"]], on="id", suffixes=("_a", "_b"), validate="1:1"
    ).sort_values("id", ignore_index=True)


def _variables(pairs: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each coded variable as a 2 x n array of integer values (coder a, coder b)."""
    index = {code: i for i, code in enumerate(STANCES)}
    out = {"stance": np.array([pairs["stance_a"].map(index), pairs["stance_b"].map(index)],
                              dtype=float)}
    for frame in FRAMES:
        out[frame] = np.array([[frame in f for f in pairs["frames_a"]],
                               [frame in f for f in pairs["frames_b"]]], dtype=float)
    return out


def _alpha(data: np.ndarray) -> float:
    """Nominal Krippendorff's alpha; NaN when the coders used one value only."""
    if np.unique(data).size < 2:
        return float("nan")
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def agreement_table(
    codes_a: pd.DataFrame,
    codes_b: pd.DataFrame,
    *,
    n_boot: int = 1000,
    ci: float = 0.95,
    random_state: int = 0,
) -> pd.DataFrame:
    """Agreement of two coders on stance and on each frame, with bootstrap intervals.

    Stance is one nominal variable with four values; each frame is a nominal (present /
    absent) variable. For each variable the table gives Krippendorff's alpha (nominal,
    ``krippendorff.alpha``), Cohen's kappa (``sklearn.metrics.cohen_kappa_score``), the
    share of statements on which the coders agree, and a percentile bootstrap interval of
    alpha from ``n_boot`` resamples of statements (the same resamples for every variable,
    seeded by ``random_state``). Alpha is undefined (NaN) when both coders used one value
    only (a frame neither coder ever gave); resamples where that happens are left out of
    the interval, and ``n_boot_valid`` says how many were used.

    Parameters
    ----------
    codes_a, codes_b : DataFrame
        Tables from :func:`read_codes`; both must code the same ids.
    n_boot : int, default 1000
    ci : float, default 0.95
    random_state : int, default 0

    Returns
    -------
    DataFrame
        One row per variable (``stance``, then the frames in codebook order): ``variable``,
        ``kind`` (``stance`` or ``frame``), ``n`` (statements), ``n_a`` and ``n_b`` (for a
        frame, statements each coder gave it), ``agreement``, ``alpha``, ``alpha_low``,
        ``alpha_high``, ``n_boot_valid``, ``kappa``.

    Examples
    --------
    >>> a = pd.DataFrame({"id": ["1", "2", "3", "4"],
    ...                   "stance": ["neutral", "neutral", "conditional", "conditional"],
    ...                   "frames": [["rights"], [], ["rights"], []]})
    >>> b = a.assign(stance=["neutral", "conditional", "conditional", "conditional"])
    >>> table = agreement_table(a, b, n_boot=200)
    >>> round(float(table.loc[0, "alpha"]), 3)  # 1 - 7 * 2 / 30
    0.533
    >>> float(table.set_index("variable").loc["rights", "alpha"])
    1.0
    """
    pairs = _paired(codes_a, codes_b)
    variables = _variables(pairs)
    n = len(pairs)
    rng = np.random.default_rng(random_state)
    resamples = rng.integers(0, n, size=(n_boot, n))
    tail = (1 - ci) / 2
    rows = []
    for name, data in variables.items():
        boots = np.array([_alpha(data[:, idx]) for idx in resamples])
        valid = boots[~np.isnan(boots)]
        low, high = (np.quantile(valid, [tail, 1 - tail]) if valid.size else (np.nan, np.nan))
        a, b = data[0].astype(int), data[1].astype(int)
        kappa = (float(cohen_kappa_score(a, b)) if np.unique(data).size > 1 else float("nan"))
        is_frame = name != "stance"
        rows.append({
            "variable": name,
            "kind": "frame" if is_frame else "stance",
            "n": n,
            "n_a": int(a.sum()) if is_frame else pd.NA,
            "n_b": int(b.sum()) if is_frame else pd.NA,
            "agreement": float(np.mean(a == b)),
            "alpha": _alpha(data),
            "alpha_low": float(low),
            "alpha_high": float(high),
            "n_boot_valid": int(valid.size),
            "kappa": kappa,
        })
    table = pd.DataFrame(rows)
    table["n_a"] = table["n_a"].astype("Int64")
    table["n_b"] = table["n_b"].astype("Int64")
    return table


def confusion_table(codes_a: pd.DataFrame, codes_b: pd.DataFrame) -> pd.DataFrame:
    """Coder-by-coder counts of stance codes, as a tidy long table.

    Parameters
    ----------
    codes_a, codes_b : DataFrame
        Tables from :func:`read_codes`; both must code the same ids.

    Returns
    -------
    DataFrame
        ``coder_a``, ``coder_b``, ``n``: one row for every pair of stance codes (zeros
        included), in codebook order.

    Examples
    --------
    >>> a = pd.DataFrame({"id": ["1", "2"], "stance": ["neutral", "neutral"],
    ...                   "frames": [[], []]})
    >>> b = a.assign(stance=["neutral", "conditional"])
    >>> table = confusion_table(a, b)
    >>> table[table["n"] > 0].to_string(index=False)
    'coder_a     coder_b  n\\nneutral conditional  1\\nneutral     neutral  1'
    """
    pairs = _paired(codes_a, codes_b)
    counts = pairs.groupby(["stance_a", "stance_b"]).size()
    rows = [{"coder_a": a, "coder_b": b, "n": int(counts.get((a, b), 0))}
            for a in STANCES for b in STANCES]
    return pd.DataFrame(rows)


def disagreements(codes_a: pd.DataFrame, codes_b: pd.DataFrame) -> pd.DataFrame:
    """Every code on which the two coders differ, one row per statement and field.

    Parameters
    ----------
    codes_a, codes_b : DataFrame
        Tables from :func:`read_codes`; both must code the same ids.

    Returns
    -------
    DataFrame
        ``id``, ``field`` (``stance`` or a frame code), ``coder_a``, ``coder_b``; for a frame
        the values say ``present`` or ``absent``. Sorted by id, then field.

    Examples
    --------
    >>> a = pd.DataFrame({"id": ["1"], "stance": ["neutral"], "frames": [["rights"]]})
    >>> b = a.assign(frames=[["economy", "rights"]])
    >>> disagreements(a, b).to_dict("records")
    [{'id': '1', 'field': 'economy', 'coder_a': 'absent', 'coder_b': 'present'}]
    """
    pairs = _paired(codes_a, codes_b)
    rows = []
    for row in pairs.itertuples(index=False):
        if row.stance_a != row.stance_b:
            rows.append({"id": row.id, "field": "stance", "coder_a": row.stance_a,
                         "coder_b": row.stance_b})
        for frame in FRAMES:
            in_a, in_b = frame in row.frames_a, frame in row.frames_b
            if in_a != in_b:
                rows.append({"id": row.id, "field": frame,
                             "coder_a": "present" if in_a else "absent",
                             "coder_b": "present" if in_b else "absent"})
    return pd.DataFrame(rows, columns=["id", "field", "coder_a", "coder_b"])
