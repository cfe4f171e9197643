"""One look for every figure: rcParams, fixed colour-blind-safe colours and readable labels."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import matplotlib as mpl

from . import schema

__all__ = [
    "SINGLE_COLUMN",
    "DOUBLE_COLUMN",
    "RC_PARAMS",
    "GROUP_COLORS",
    "STANCE_COLORS",
    "FRAME_COLORS",
    "NEUTRAL_GREY",
    "SMALL_N",
    "MIN_FIGURE_N",
    "GROUP_LABELS",
    "STANCE_LABELS",
    "FRAME_LABELS",
    "FRAME_SHORT_LABELS",
    "figure_style",
    "display_name",
    "country_label",
]

#: Figure widths in inches: one column and the full text width of a two-column journal page.
SINGLE_COLUMN = 3.5
DOUBLE_COLUMN = 7.0

#: The rcParams every figure is drawn and saved with (see :func:`figure_style`).
#:
#: ``svg.fonttype = "none"`` keeps text as text in SVG files: they stay editable, are smaller,
#: and their bytes depend only on font metrics, not on glyph outlines of the installed font
#: version. ``svg.hashsalt`` fixes the ids of clip paths, so two runs write the same bytes.
RC_PARAMS: dict[str, object] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.title_fontsize": 8,
    "legend.frameon": False,
    "figure.titlesize": 10,
    "figure.titleweight": "bold",
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.linewidth": 0.6,
    "axes.edgecolor": "#333333",
    "axes.labelcolor": "#222222",
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#E5E5E5",
    "grid.linewidth": 0.5,
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "xtick.major.size": 3,
    "ytick.major.size": 3,
    "lines.linewidth": 1.4,
    "lines.markersize": 3.5,
    "patch.linewidth": 0.0,
    "svg.fonttype": "none",
    "svg.hashsalt": "discourse",
    "pdf.fonttype": 42,
    "image.cmap": "Blues",
}

#: Okabe & Ito (2008) colours, one per group, used in every figure.
GROUP_COLORS: dict[str, str] = {
    "civil_society": "#009E73",  # bluish green
    "industry": "#E69F00",  # orange
    "state": "#0072B2",  # blue
}

NEUTRAL_GREY = "#999999"

#: A point, bar or cell drawn from fewer statements than this is drawn hollow (white
#: fill, coloured edge) in every figure: read it as a hint, not an estimate. Ten statements
#: give a 95 % Wilson interval some 0.5 wide around a share of one half.
SMALL_N = 10

#: A figure drawn from fewer statements than this says so under its title.
MIN_FIGURE_N = 3

#: A diverging ColorBrewer RdBu set (colour-blind safe), red for restriction, blue against,
#: grey for neutral statements.
STANCE_COLORS: dict[str, str] = {
    "supports_restriction": "#B2182B",
    "conditional": "#EF8A62",
    "opposes_restriction": "#2166AC",
    "neutral": NEUTRAL_GREY,
}

#: Paul Tol's "muted" qualitative scheme (colour-blind safe), one colour per frame.
FRAME_COLORS: dict[str, str] = {
    "security": "#332288",
    "morality_religion": "#AA4499",
    "economy": "#117733",
    "rights": "#CC6677",
    "legality_governance": "#88CCEE",
    "technical": "#44AA99",
    "child_safety": "#999933",
    "politics": "#882255",
}

GROUP_LABELS: dict[str, str] = {
    "civil_society": "Civil society",
    "industry": "Industry",
    "state": "State",
    "all": "All statements",
}

STANCE_LABELS: dict[str, str] = {
    "supports_restriction": "Supports restriction",
    "conditional": "Conditional",
    "opposes_restriction": "Opposes restriction",
    "neutral": "Neutral",
}

FRAME_LABELS: dict[str, str] = {
    "security": "Security",
    "morality_religion": "Morality / religion",
    "economy": "Economy",
    "rights": "Rights",
    "legality_governance": "Legality / governance",
    "technical": "Technical",
    "child_safety": "Child safety",
    "politics": "Politics",
}

#: One-word frame labels, for narrow columns.
FRAME_SHORT_LABELS: dict[str, str] = {
    **FRAME_LABELS,
    "morality_religion": "Morality",
    "legality_governance": "Legality",
    "child_safety": "Child safety",
}


@contextmanager
def figure_style(extra: Mapping[str, object] | None = None) -> Iterator[None]:
    """Apply :data:`RC_PARAMS` (plus ``extra``) inside a ``with`` block.

    Draw *and save* inside the block: the SVG settings are read when a file is written.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> with figure_style():
    ...     mpl.rcParams["svg.hashsalt"]
    'discourse'
    """
    params = dict(RC_PARAMS)
    if extra:
        params.update(extra)
    with mpl.rc_context(params):
        yield


def display_name(code: str) -> str:
    """Return the human-readable label of a group, stance, frame or country code.

    Unknown codes come back with underscores replaced and the first letter capitalised.

    Examples
    --------
    >>> display_name("morality_religion"), display_name("opposes_restriction")
    ('Morality / religion', 'Opposes restriction')
    >>> display_name("PK"), display_name("some_new_code")
    ('Pakistan', 'Some new code')
    """
    code = str(code)
    for table in (GROUP_LABELS, STANCE_LABELS, FRAME_LABELS):
        if code in table:
            return table[code]
    if code in schema.countries():
        return country_label(code)
    text = code.replace("_", " ")
    return text[:1].upper() + text[1:]


_SHORT_COUNTRY_NAMES = {
    "GB": "United Kingdom",
    "US": "United States",
    "RU": "Russia",
    "IR": "Iran",
    "XX": "Global",
    "EU": "European Union",
}


def country_label(code: str) -> str:
    """Return a short English country name for an ISO code (``"RU"`` -> ``"Russia"``).

    Examples
    --------
    >>> country_label("GB")
    'United Kingdom'
    """
    if code in _SHORT_COUNTRY_NAMES:
        return _SHORT_COUNTRY_NAMES[code]
    name = schema.countries().get(code, code)
    return name.split(",")[0].split(" (")[0]
