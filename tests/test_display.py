"""Tables for people: stable HTML that wraps text between words, never inside one."""

from __future__ import annotations

import pandas as pd
import pytest

from discourse import display


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "date": pd.to_datetime(["2024-11-15", "2024-11-20"]),
        "group": ["state", "civil_society"],
        "share": [0.31234, 0.88],
        "text": ["The interior ministry asked the regulator to block <illegal> VPNs " * 3,
                 "Bolo Bhi called the block a rights violation."],
    })


def test_html_is_deterministic_and_has_no_random_ids():
    first = display.table(_frame())._repr_html_()
    assert first == display.table(_frame())._repr_html_()
    assert "id=" not in first and "uuid" not in first and "T_" not in first


def test_headers_never_wrap_and_text_wraps_only_between_words():
    html = display.table(_frame())._repr_html_()
    assert "<style" not in html  # JupyterLab drops <style> from untrusted notebooks
    assert html.count('<th style="text-align:left;vertical-align:bottom;white-space:nowrap">') == 4
    text = display.STYLES["text"]
    assert "word-break:normal" in text and "overflow-wrap:normal" in text
    assert "break-all" not in html and "anywhere" not in html
    assert f'<td class="text" style="{text}">The interior ministry' in html  # detected as text
    assert f'<td class="num" style="{display.STYLES["num"]}">0.312</td>' in html
    assert f'<td class="short" style="{display.STYLES["short"]}">2024-11-15</td>' in html


def test_cells_are_escaped():
    html = display.table(_frame())._repr_html_()
    assert "&lt;illegal&gt;" in html and "<illegal>" not in html


def test_text_repr_matches_the_rows():
    text = repr(display.table(_frame()[["group", "share"]], digits=2))
    assert text.splitlines() == ["        group share", "        state  0.31",
                                 "civil_society  0.88"]


def test_unknown_text_column_is_refused():
    with pytest.raises(KeyError, match="nope"):
        display.table(_frame(), text_columns=["nope"])
