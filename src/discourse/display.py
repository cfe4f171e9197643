"""Tables for people: DataFrames shown in notebooks as stable HTML that never breaks a word."""

from __future__ import annotations

import html
from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = ["STYLES", "Table", "table"]

#: Inline styles of each kind of cell. Inline, because JupyterLab strips ``<style>`` elements
#: from the HTML of notebooks it does not trust, but keeps these properties. Headers, numbers
#: and short values stay on one line; text columns wrap only between words (never inside
#: one), up to a readable width.
STYLES: dict[str, str] = {
    "th": "text-align:left;vertical-align:bottom;white-space:nowrap",
    "num": "text-align:right;vertical-align:top;white-space:nowrap",
    "short": "text-align:left;vertical-align:top;white-space:nowrap",
    "text": ("text-align:left;vertical-align:top;white-space:normal;word-break:normal;"
             "word-wrap:normal;overflow-wrap:normal;min-width:20em;max-width:45em"),
}


def _format(value: object, digits: int) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, float | np.floating):
        return f"{float(value):.{digits}f}"
    if isinstance(value, list | tuple):
        return "; ".join(map(str, value))
    return str(value)


class Table:
    """A DataFrame shown as HTML in notebooks and as aligned text elsewhere.

    Built by :func:`table`. ``_repr_html_`` gives a deterministic ``<table>`` (no random
    ids, fixed classes, the :data:`STYLES` inline), so nbval compares it exactly;
    ``__repr__`` gives the same rows as ``DataFrame.to_string``.
    """

    def __init__(self, frame: pd.DataFrame, *, digits: int, text_columns: Iterable[str],
                 index: bool) -> None:
        self.frame = frame
        self.digits = digits
        self.text_columns = set(text_columns)
        self.index = index

    def _rows(self) -> pd.DataFrame:
        data = self.frame.reset_index() if self.index else self.frame
        return data

    def _repr_html_(self) -> str:
        data = self._rows()
        kinds = []
        for name in data.columns:
            column = data[name]
            if name in self.text_columns:
                kinds.append("text")
            elif pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(
                    column):
                kinds.append("num")
            else:
                kinds.append("short")
        head = "".join(f'<th style="{STYLES["th"]}">{html.escape(str(c))}</th>'
                       for c in data.columns)
        body = []
        for row in data.itertuples(index=False):
            cells = "".join(f'<td class="{kind}" style="{STYLES[kind]}">'
                            f"{html.escape(_format(v, self.digits))}</td>"
                            for v, kind in zip(row, kinds, strict=True))
            body.append(f"<tr>{cells}</tr>")
        return (f'<table class="discourse-table"><thead><tr>{head}</tr></thead>'
                f"<tbody>{''.join(body)}</tbody></table>")

    def __repr__(self) -> str:
        data = self._rows()
        shown = data.apply(lambda c: c.map(lambda v: _format(v, self.digits)))
        return shown.to_string(index=False)


def table(
    frame: pd.DataFrame,
    *,
    digits: int = 3,
    text_columns: Iterable[str] | None = None,
    index: bool = False,
) -> Table:
    """Wrap ``frame`` for display: HTML in a notebook, aligned text in a terminal.

    Parameters
    ----------
    frame : DataFrame
        The table to show (not changed).
    digits : int
        Decimals shown for floats.
    text_columns : iterable of str, optional
        Columns of running text (statement texts, actor names, messages): they wrap
        between words. Default: object or string columns whose longest value exceeds 40
        characters.
    index : bool
        Show the index as a first column.

    Examples
    --------
    >>> t = table(pd.DataFrame({"group": ["state"], "share": [0.31234]}))
    >>> print(repr(t))
    group share
    state 0.312
    >>> 'class="discourse-table"' in t._repr_html_()
    True
    """
    if text_columns is None:
        text_columns = [
            name for name in frame.columns
            if not pd.api.types.is_numeric_dtype(frame[name])
            and max((len(str(v)) for v in frame[name]), default=0) > 40
        ]
    missing = set(text_columns) - set(frame.columns)
    if missing:
        raise KeyError(f"text_columns not in the table: {', '.join(sorted(map(str, missing)))}")
    return Table(frame, digits=digits, text_columns=text_columns, index=index)
