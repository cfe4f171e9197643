"""Tests for discourse.figures: every figure builds on the shipped corpus, files are stable."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from discourse import __version__, figures, load_corpus, schema, style  # noqa: E402
from discourse.paths import file_sha256, shipped_corpus_file  # noqa: E402


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory) -> Path:
    """A private copy of the shipped statements, so the corpus hash cannot change mid-test."""
    path = tmp_path_factory.mktemp("corpus") / "statements.csv"
    shutil.copyfile(shipped_corpus_file(), path)
    return path


@pytest.fixture(scope="module")
def corpus(corpus_file) -> pd.DataFrame:
    return load_corpus(corpus_file)


@pytest.fixture(scope="module")
def written(corpus, corpus_file, tmp_path_factory):
    """Two runs of write_figures into two folders; the first keeps what each figure built."""
    captured: dict[str, tuple[Figure, pd.DataFrame]] = {}
    originals = dict(figures.FIGURES)

    def keeping(fid):
        def build(corpus):
            captured[fid] = originals[fid].build(corpus)
            return captured[fid]
        return build

    first, second = tmp_path_factory.mktemp("run1"), tmp_path_factory.mktemp("run2")
    with pytest.MonkeyPatch.context() as patch:
        for fid, spec in originals.items():
            patch.setitem(figures.FIGURES, fid, spec._replace(build=keeping(fid)))
        manifest1 = figures.write_figures(corpus, first, corpus_path=corpus_file)
    manifest2 = figures.write_figures(corpus, second, corpus_path=corpus_file)
    return first, second, manifest1, manifest2, captured


@pytest.fixture(scope="module")
def built(written) -> dict[str, tuple[Figure, pd.DataFrame]]:
    """What each registered figure function returned in the first run."""
    return written[4]


# -- the registry ------------------------------------------------------------------------------


def test_registry_lists_the_seven_figures_in_order():
    assert list(figures.FIGURES) == [
        "statements_per_month", "stance_over_time", "frame_heatmap", "frames_over_time",
        "themes_over_time", "distinctive_terms", "country_comparison",
    ]
    for spec in figures.FIGURES.values():
        title, build = spec
        assert title.strip() and callable(build)


def test_every_figure_builds_with_a_table_and_readable_labels(built):
    for fid, (fig, table) in built.items():
        assert isinstance(fig, Figure), fid
        assert isinstance(table, pd.DataFrame) and len(table) > 0, fid
        assert fig._suptitle is not None and fig._suptitle.get_text() == \
            figures.FIGURES[fid].title, fid
        assert fig._supxlabel.get_text().startswith("Source: discourse corpus"), fid
        visible = [ax for ax in fig.get_axes() if ax.get_visible() and ax.axison]
        assert visible, fid
        labelled = [ax.get_ylabel() or ax.get_xlabel() or ax.get_title(loc="left")
                    for ax in visible]
        assert any(labelled) or fid == "frame_heatmap", fid  # the heatmap's ticks say it all
        for ax in visible:
            for label in ax.get_xticklabels() + ax.get_yticklabels():
                assert "_" not in label.get_text(), (fid, label.get_text())  # no raw codes


def test_tables_have_no_missing_values(built):
    for fid, (_, table) in built.items():
        assert not table.isna().any().any(), fid
        assert list(table.columns) == list(dict.fromkeys(table.columns)), fid


# -- what each table says ----------------------------------------------------------------------


def test_statements_per_month_adds_up(built, corpus):
    fig, table = built["statements_per_month"]
    start, end = (pd.Timestamp(d) for d in figures.FOCUS_WINDOW)
    focus = corpus[(corpus["country"] == figures.FOCUS_COUNTRY)
                   & corpus["date"].between(start, end)]
    assert int(table["n"].sum()) == len(focus)
    months = pd.period_range(start, end, freq="M").astype(str).tolist()
    for group, part in table.groupby("group"):
        assert part["period"].tolist() == months, group
        assert int(part["n"].sum()) == int((focus["group"] == group).sum())
    about_pakistan = int((corpus["country"] == "PK").sum())
    note = fig._supxlabel.get_text().replace("\n", " ")
    assert f"n = {len(focus)} of the {about_pakistan} statements" in note


def test_statements_per_month_bars_use_the_group_colours(built):
    fig, _ = built["statements_per_month"]
    bars = fig.axes[0].patches
    expected = {c.lower() for c in style.GROUP_COLORS.values()}
    assert {to_hex(p.get_facecolor()) for p in bars} == expected


def test_stance_shares_sum_to_one_per_group_and_period(built, corpus):
    _, table = built["stance_over_time"]
    sums = table.groupby(["group", "period"])["share"].sum()
    assert np.allclose(sums, 1.0)
    per_group = table.groupby(["group", "period"])["n"].first().groupby("group").sum()
    coded = corpus.dropna(subset=["stance"])["group"].astype(str).value_counts()
    assert per_group.to_dict() == coded.to_dict()
    assert set(table["stance"]) == set(schema.STANCES)
    assert (table["ci_low"] <= table["share"] + 1e-12).all()
    assert (table["share"] <= table["ci_high"] + 1e-12).all()


def test_frame_heatmap_counts_match_the_corpus(built, corpus):
    _, table = built["frame_heatmap"]
    assert np.allclose(table["count"] / table["n"], table["share"])
    pooled = table[table["group"] == "all"]
    assert (pooled["n"] == len(corpus)).all()
    used = {f: sum(f in fs for fs in corpus["frames"]) for f in schema.FRAMES}
    assert pooled.set_index("frame")["count"].to_dict() == used
    assert table["group"].unique().tolist() == [*schema.GROUPS, "all"]


def test_frames_over_time_covers_every_frame_group_and_period(built):
    _, table = built["frames_over_time"]
    assert set(table["frame"]) == set(schema.FRAMES)
    cells = table.groupby(["group", "period"]).size()
    assert (cells == len(schema.FRAMES)).all()
    assert table["period"].iloc[0] == "2011–23"


def test_theme_weights_are_shares_of_each_statement(built):
    _, table = built["themes_over_time"]
    assert table["theme"].nunique() == figures.N_THEMES
    sums = table.groupby(["group", "period"])["share"].sum()
    assert ((sums > 0.9) & (sums < 1.0 + 1e-9)).all()


def test_distinctive_terms_are_the_top_per_group(built):
    _, table = built["distinctive_terms"]
    assert table.groupby("group").size().max() <= figures.N_TERMS
    assert (table["z"] > 0).all()
    for _, part in table.groupby("group"):
        assert part["z"].is_monotonic_decreasing


def test_country_comparison_keeps_countries_with_enough_statements(built, corpus):
    _, table = built["country_comparison"]
    sizes = corpus["country"].astype(str).value_counts()
    countries = table["country"].unique().tolist()
    assert countries[0] == "PK"
    assert all(sizes[c] >= figures.MIN_COUNTRY_STATEMENTS for c in countries)
    assert "XX" not in countries and "EU" not in countries
    stance = table[table["measure"] == "stance"]
    assert np.allclose(stance.groupby("country")["share"].sum(), 1.0)
    assert stance.groupby("country")["n"].first().to_dict() == sizes[countries].to_dict()


# -- events ------------------------------------------------------------------------------------


def test_events_are_documented_by_corpus_rows(corpus):
    events = figures.load_events()
    assert len(events) >= 5
    rows = corpus.set_index("id")
    for event in events.itertuples():
        assert event.statement_id in rows.index, event.statement_id
        row = rows.loc[event.statement_id]
        assert event.source_url == row["source_url"], event.statement_id
        day = f"{event.date.day} {event.date:%B}"
        assert event.date == row["date"] or day in row["notes"] + row["text"], event.label
        assert event.label.strip() and event.note.strip()


# -- files and manifest ------------------------------------------------------------------------


def test_two_runs_write_identical_bytes(written):
    first, second, manifest1, manifest2, _ = written
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    assert len(names) == 3 * len(figures.FIGURES) + 1
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert manifest1 == manifest2


def test_manifest_describes_the_files(written, corpus, corpus_file):
    first, _, manifest, _, _ = written
    on_disk = json.loads((first / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk == manifest
    text = (first / "manifest.json").read_text(encoding="utf-8")
    assert text == json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert manifest["version"] == __version__
    assert manifest["corpus_sha256"] == file_sha256(corpus_file)
    assert manifest["corpus_rows"] == len(corpus)
    assert [f["id"] for f in manifest["figures"]] == list(figures.FIGURES)
    for entry in manifest["figures"]:
        assert entry["title"] == figures.FIGURES[entry["id"]].title
        assert [f["path"] for f in entry["files"]] == [f"{entry['id']}.{ext}"
                                                        for ext in ("png", "svg", "csv")]
        for file in entry["files"]:
            path = first / file["path"]
            assert file["sha256"] == file_sha256(path)
            assert file["bytes"] == path.stat().st_size


def test_png_and_svg_carry_no_timestamp(written):
    first = written[0]
    png = (first / "frame_heatmap.png").read_bytes()
    assert png.startswith(b"\x89PNG") and b"Software" not in png
    svg = (first / "frame_heatmap.svg").read_text(encoding="utf-8")
    assert "<dc:date>" not in svg
    assert "Source: discourse corpus" in svg  # text kept as text (svg.fonttype none)


def test_csvs_are_the_tables_rounded(written, built):
    first, _, manifest, _, _ = written
    for entry in manifest["figures"]:
        path = first / f"{entry['id']}.csv"
        raw = path.read_bytes()
        assert b"\r\n" not in raw
        table = pd.read_csv(path, keep_default_na=False)
        expected = built[entry["id"]][1]
        assert list(table.columns) == list(expected.columns)
        assert len(table) == entry["rows"] == len(expected)
        for name in table.columns:
            if pd.api.types.is_float_dtype(expected[name]):
                assert np.allclose(table[name], expected[name], atol=5e-7), name
                assert (table[name].round(6) == table[name]).all(), name


def test_write_figures_subset_and_unknown_id(corpus, tmp_path):
    manifest = figures.write_figures(corpus, tmp_path / "out", ids=["frame_heatmap"])
    assert [f["id"] for f in manifest["figures"]] == ["frame_heatmap"]
    assert manifest["corpus_sha256"] is None
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "frame_heatmap.csv", "frame_heatmap.png", "frame_heatmap.svg", "manifest.json"]
    with pytest.raises(ValueError, match="unknown figure"):
        figures.write_figures(corpus, tmp_path / "bad", ids=["nope"])


def test_figure_one_falls_back_to_all_statements_without_pakistan(corpus):
    other = corpus[corpus["country"] != "PK"].reset_index(drop=True)
    fig, table = figures.figure_statements_per_month(other)
    assert int(table["n"].sum()) == len(other)
    assert "all countries" in fig._suptitle.get_text()


def test_write_figures_skips_what_the_corpus_cannot_show(corpus, tmp_path):
    uncoded = corpus.assign(stance=corpus["stance"].where(corpus.index < 0),
                            frames=[[] for _ in range(len(corpus))])
    manifest = figures.write_figures(uncoded, tmp_path, ids=["statements_per_month",
                                                             "stance_over_time",
                                                             "frame_heatmap"])
    assert [f["id"] for f in manifest["figures"]] == ["statements_per_month"]
    assert [(s["id"], s["reason"]) for s in manifest["skipped"]] == [
        ("stance_over_time", "no statement is coded for stance"),
        ("frame_heatmap", "no statement is coded for frames"),
    ]
    assert not (tmp_path / "stance_over_time.png").exists()


def test_committed_figures_are_up_to_date(tmp_path):
    """figures/ (shown in the README) was rebuilt from the current corpus and code."""
    committed_dir = Path(__file__).resolve().parent.parent / "figures"
    if not (committed_dir / "manifest.json").is_file():
        pytest.skip("no committed figures/ (installed package)")
    committed = json.loads((committed_dir / "manifest.json").read_text())
    assert committed["corpus_sha256"] == file_sha256(shipped_corpus_file()), (
        "the corpus changed since figures/ was built: run `make figures` and commit")
    fresh = figures.write_figures(load_corpus(), tmp_path, corpus_path=shipped_corpus_file())
    for old, new in zip(committed["figures"], fresh["figures"], strict=True):
        old_csv = {f["path"]: f["sha256"] for f in old["files"] if f["path"].endswith(".csv")}
        new_csv = {f["path"]: f["sha256"] for f in new["files"] if f["path"].endswith(".csv")}
        assert old_csv == new_csv, f"{new['id']}: data changed; run `make figures` and commit"


def test_theme_figure_uses_the_number_of_themes_the_corpus_supports():
    """figures.N_THEMES is fixed for speed; it must be what choose_n_themes picks."""
    from discourse.themes import choose_n_themes

    corpus = load_corpus()
    choice = choose_n_themes(corpus["text"], corpus["actor"])
    assert int(choice.loc[choice["chosen"], "n_themes"].iloc[0]) == figures.N_THEMES
