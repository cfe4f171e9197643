"""Tests for discourse.figures: every figure builds on the shipped corpus, files are stable."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from discourse import __version__, figures, schema, style  # noqa: E402
from discourse.paths import file_sha256, shipped_corpus_file  # noqa: E402
from discourse.timeline import period_labels  # noqa: E402


@pytest.fixture(scope="module")
def corpus(figure_set) -> pd.DataFrame:
    return figure_set.corpus


@pytest.fixture(scope="module")
def built(figure_set) -> dict[str, tuple[Figure, pd.DataFrame]]:
    """What each registered figure function returned (built once per session)."""
    return figure_set.built.figures


# -- the figures -------------------------------------------------------------------------------


def test_every_registered_figure_is_built(figure_set):
    assert list(figure_set.built.figures) == list(figures.FIGURES)
    assert figure_set.built.skipped == []


def test_every_figure_builds_with_a_table_and_readable_labels(built):
    for fid, (fig, table) in built.items():
        assert isinstance(fig, Figure), fid
        assert isinstance(table, pd.DataFrame) and len(table) > 0, fid
        assert fig.get_suptitle() == figures.FIGURES[fid].title, fid
        assert fig.get_supxlabel().startswith("Source: discourse corpus"), fid
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
    note = fig.get_supxlabel().replace("\n", " ")
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


def test_frames_over_time_covers_every_frame_group_and_period(built, corpus):
    _, table = built["frames_over_time"]
    assert set(table["frame"]) == set(schema.FRAMES)
    cells = table.groupby(["group", "period"]).size()
    assert (cells == len(schema.FRAMES)).all()
    eras = period_labels(corpus["date"], figures.ERA_STARTS)
    assert set(table["period"]) == set(eras["period"])
    first = str(corpus["date"].dt.year.min())
    assert table.sort_values("period_start")["period"].iloc[0].startswith(first)


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
    assert countries[0] == sizes.drop(["XX", "EU"], errors="ignore").idxmax()
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


def test_a_second_run_writes_identical_bytes(figure_set, tmp_path):
    """The figures most at risk (NMF and bootstrap; dates) built and written again."""
    again = ["statements_per_month", "themes_over_time"]
    manifest = figures.write_figures(figure_set.corpus, tmp_path, ids=again)
    for entry in manifest["figures"]:
        for file in entry["files"]:
            first = (figure_set.folder / file["path"]).read_bytes()
            assert (tmp_path / file["path"]).read_bytes() == first, file["path"]
    ours = [e for e in figure_set.manifest["figures"] if e["id"] in again]
    assert manifest["figures"] == ours


def test_manifest_describes_the_files(figure_set):
    folder, manifest = figure_set.folder, figure_set.manifest
    on_disk = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk == manifest
    text = (folder / "manifest.json").read_text(encoding="utf-8")
    assert text == json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert manifest["version"] == __version__
    assert manifest["corpus_sha256"] == file_sha256(figure_set.corpus_file)
    assert manifest["corpus_rows"] == len(figure_set.corpus)
    assert [f["id"] for f in manifest["figures"]] == list(figures.FIGURES)
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(["manifest.json"] + [f["path"] for e in manifest["figures"]
                                                for f in e["files"]])
    for entry in manifest["figures"]:
        assert entry["title"] == figures.FIGURES[entry["id"]].title
        assert [f["path"] for f in entry["files"]] == [f"{entry['id']}.{ext}"
                                                        for ext in ("png", "svg", "csv")]
        for file in entry["files"]:
            path = folder / file["path"]
            assert file["sha256"] == file_sha256(path)
            assert file["bytes"] == path.stat().st_size


def test_png_and_svg_carry_no_timestamp(figure_set):
    first = figure_set.folder
    png = (first / "frame_heatmap.png").read_bytes()
    assert png.startswith(b"\x89PNG") and b"Software" not in png
    svg = (first / "frame_heatmap.svg").read_text(encoding="utf-8")
    assert "<dc:date>" not in svg
    assert "Source: discourse corpus" in svg  # text kept as text (svg.fonttype none)


def test_csvs_are_the_tables_rounded(figure_set, built):
    first, manifest = figure_set.folder, figure_set.manifest
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
    assert "all countries" in fig.get_suptitle()


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


def test_committed_figures_are_up_to_date(figure_set):
    """figures/ (shown in the README) was rebuilt from the current corpus and code."""
    committed_dir = Path(__file__).resolve().parent.parent / "figures"
    if not (committed_dir / "manifest.json").is_file():
        pytest.skip("no committed figures/ (installed package)")
    committed = json.loads((committed_dir / "manifest.json").read_text())
    assert committed["corpus_sha256"] == file_sha256(shipped_corpus_file()), (
        "the corpus changed since figures/ was built: run `make figures` and commit")
    fresh = figure_set.manifest
    assert fresh["corpus_sha256"] == committed["corpus_sha256"]
    for old, new in zip(committed["figures"], fresh["figures"], strict=True):
        old_csv = {f["path"]: f["sha256"] for f in old["files"] if f["path"].endswith(".csv")}
        new_csv = {f["path"]: f["sha256"] for f in new["files"] if f["path"].endswith(".csv")}
        assert old_csv == new_csv, f"{new['id']}: data changed; run `make figures` and commit"


def test_theme_figure_uses_the_number_of_themes_the_corpus_supports(corpus):
    """figures.N_THEMES is fixed for speed; it must be what choose_n_themes picks."""
    from discourse.themes import choose_n_themes

    choice = choose_n_themes(corpus["text"], corpus["actor"])
    assert int(choice.loc[choice["chosen"], "n_themes"].iloc[0]) == figures.N_THEMES


# -- writing safely ----------------------------------------------------------------------------


class InterruptedFigure(Figure):
    """A figure whose SVG is never written: Ctrl-C arrives while it is saved."""

    def savefig(self, fname, **kwargs):
        if str(fname).endswith(".svg"):
            raise KeyboardInterrupt
        return super().savefig(fname, **kwargs)


def _true_to_its_files(folder: Path) -> bool:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return all(file_sha256(folder / f["path"]) == f["sha256"]
               for entry in manifest["figures"] for f in entry["files"])


def test_an_interrupted_save_leaves_the_previous_set_whole(figure_set, tmp_path):
    out = tmp_path / "figs"
    shutil.copytree(figure_set.folder, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    heatmap = figure_set.built.figures["frame_heatmap"]
    fig = InterruptedFigure()
    fig.subplots().plot([0, 1], [0, 1])
    built = figures.BuiltFigures({"frame_heatmap": heatmap,
                                  "stance_over_time": (fig, heatmap[1])}, [])
    with pytest.raises(KeyboardInterrupt):
        figures.save_figures(built, figure_set.corpus, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert _true_to_its_files(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figs"]  # no half-written folder


def test_save_replaces_links_and_keeps_other_files(figure_set, tmp_path):
    outside = tmp_path / "outside.csv"
    outside.write_text("not yours\n", encoding="utf-8")
    out = tmp_path / "figs"
    out.mkdir()
    (out / "frame_heatmap.csv").symlink_to(outside)
    (out / "notes.txt").symlink_to(outside)
    (out / "stance_over_time.png").write_bytes(b"an old, skipped figure")
    built = figures.BuiltFigures({"frame_heatmap": figure_set.built.figures["frame_heatmap"]},
                                 [])
    manifest = figures.save_figures(built, figure_set.corpus, out)
    assert outside.read_text(encoding="utf-8") == "not yours\n"  # not written through
    written = out / "frame_heatmap.csv"
    assert not written.is_symlink()
    assert written.read_bytes() == (figure_set.folder / "frame_heatmap.csv").read_bytes()
    assert (out / "notes.txt").is_symlink() and (out / "notes.txt").resolve() == outside
    assert (out / "stance_over_time.png").read_bytes() == b"an old, skipped figure"
    assert [e["id"] for e in manifest["figures"]] == ["frame_heatmap"]
    assert _true_to_its_files(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figs", "outside.csv"]


def test_an_unusable_folder_is_refused_before_anything_is_written(corpus, tmp_path):
    a_file = tmp_path / "a_file"
    a_file.write_text("x", encoding="utf-8")
    with pytest.raises(NotADirectoryError, match="not a folder"):
        figures.write_figures(corpus, a_file, ids=["frame_heatmap"])
    with pytest.raises(NotADirectoryError, match="below a file"):
        figures.write_figures(corpus, a_file / "figs", ids=["frame_heatmap"])
    assert a_file.read_text(encoding="utf-8") == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_a_read_only_folder_is_refused(corpus, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        with pytest.raises(PermissionError, match="read-only"):
            figures.write_figures(corpus, locked / "figs", ids=["frame_heatmap"])
    finally:
        locked.chmod(0o755)
