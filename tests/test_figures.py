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
        assert fig.get_suptitle(), fid
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
    case = figures.resolve_case(corpus)
    assert case.country == "PK"  # the country with most statements
    start, end = case.window
    focus = corpus[(corpus["country"] == case.country) & corpus["date"].between(start, end)]
    assert int(table["n"].sum()) == len(focus)
    months = pd.period_range(start, end, freq="M").astype(str).tolist()
    for group, part in table.groupby("group"):
        assert part["period"].tolist() == months, group
        assert int(part["n"].sum()) == int((focus["group"] == group).sum())
    about_pakistan = int((corpus["country"] == "PK").sum())
    note = fig.get_supxlabel().replace("\n", " ")
    assert f"{len(focus)} of the {about_pakistan} statements about Pakistan" in note
    labels = [t for t in fig.axes[0].texts if t.get_gid() == "n_label"]
    totals = table.groupby("period")["n"].sum()
    assert sorted(int(t.get_text()) for t in labels) == sorted(totals[totals > 0].tolist())


def test_statements_per_month_bars_use_the_group_colours(built):
    fig, _ = built["statements_per_month"]
    bars = fig.axes[0].patches
    expected = {c.lower() for c in style.GROUP_COLORS.values()}
    assert {to_hex(p.get_facecolor()) for p in bars} == expected


def test_net_stance_is_opposing_minus_supporting_per_group_and_period(built, corpus):
    _, table = built["stance_over_time"]
    coded = corpus.dropna(subset=["stance"])
    per_group = table.groupby("group")["n"].sum()
    assert per_group.to_dict() == coded["group"].astype(str).value_counts().to_dict()
    eras = period_labels(coded["date"], figures.default_periods(corpus))
    for row in table.itertuples():
        cell = coded[(coded["group"].astype(str) == row.group).to_numpy()
                     & (eras["period"] == row.period).to_numpy()]
        opposes = int((cell["stance"] == "opposes_restriction").sum())
        supports = int((cell["stance"] == "supports_restriction").sum())
        assert (row.n, row.opposes, row.supports) == (len(cell), opposes, supports)
        assert row.net == pytest.approx((opposes - supports) / len(cell))
        assert row.ci_low <= row.net + 1e-12 and row.net <= row.ci_high + 1e-12


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
    eras = period_labels(corpus["date"], figures.default_periods(corpus))
    assert set(table["period"]) == set(eras["period"])
    first = str(corpus["date"].dt.year.min())
    assert table.sort_values("period_start")["period"].iloc[0].startswith(first)


def test_theme_weights_are_shares_of_each_statement(built):
    _, table = built["themes_over_time"]
    assert table["theme"].nunique() == figures.N_THEMES
    assert table["label"].nunique() == figures.N_THEMES
    sums = table.groupby(["group", "period"])["share"].sum()
    # each share is rounded to 6 decimals (the figure draws what its table holds)
    assert ((sums > 0.9) & (sums <= 1.0 + figures.N_THEMES * 5e-7 + 1e-12)).all()


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
    coded = corpus.dropna(subset=["stance"])
    coded_sizes = coded["country"].astype(str).value_counts()
    assert table.groupby("country")["n"].sum().to_dict() == coded_sizes[countries].to_dict()
    for row in table.itertuples():  # one row per country and group: composition kept apart
        cell = coded[(coded["country"] == row.country) & (coded["group"] == row.group)]
        assert row.n == len(cell)
        assert row.ci_low <= row.net + 1e-12 and row.net <= row.ci_high + 1e-12
    assert table.groupby("country")["group"].nunique().max() == 3


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
        fig = figure_set.built.figures[entry["id"]][0]
        assert entry["title"] == fig.get_suptitle().split("\n")[0]
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


def test_figure_one_follows_the_largest_country_without_pakistan(corpus):
    other = corpus[corpus["country"] != "PK"].reset_index(drop=True)
    assert figures.resolve_case(other).country == "RU"
    fig, table = figures.figure_statements_per_month(other)
    assert fig.get_suptitle().startswith("Russia: ")
    assert "Pakistan" not in fig.get_suptitle() + fig.get_supxlabel()


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


# -- figures that show their evidence ----------------------------------------------------------


def _axes_with_estimates(fig: Figure) -> list:
    return [ax for ax in fig.get_axes()
            if any(line.get_gid() in ("estimate", "small_n") for line in ax.lines)]


@pytest.mark.parametrize("fid, value", [("stance_over_time", "net"),
                                        ("frames_over_time", "share"),
                                        ("themes_over_time", "share"),
                                        ("country_comparison", "net")])
def test_every_point_carries_its_n_and_small_cells_are_hollow(built, fid, value):
    fig, table = built[fid]
    axes = _axes_with_estimates(fig)
    assert axes, fid
    labels = [int(t.get_text()) for ax in axes for t in ax.texts if t.get_gid() == "n_label"]
    hollow = [line for ax in axes for line in ax.lines if line.get_gid() == "small_n"]
    filled = [line for ax in axes for line in ax.lines if line.get_gid() == "estimate"]
    drawn = table[table[value].notna()]
    assert sorted(labels) == sorted(drawn["n"].astype(int).tolist())
    assert len(hollow) == int((drawn["n"] < figures.SMALL_N).sum()) > 0
    assert len(filled) == int((drawn["n"] >= figures.SMALL_N).sum())
    for line in hollow:
        assert line.get_markerfacecolor() == "white"


def _pooled_corpus() -> pd.DataFrame:
    """Statements of three groups: a few in 2015 and 2019, many in 2024 and 2025, so that
    the default periods pool 2015–23 into one era before two years of their own."""
    rows = []
    for year, per_group in ((2015, 1), (2019, 2), (2024, 12), (2025, 11)):
        for group, stance in (("civil_society", "opposes_restriction"),
                              ("industry", "conditional"), ("state", "supports_restriction")):
            for i in range(per_group):
                rows.append({"id": f"{group}-{year}-{i}", "group": group, "stance": stance,
                             "date": pd.Timestamp(year, 1 + i % 12, 15),
                             "text": f"Statement {i} of {group}.", "frames": []})
    return pd.DataFrame(rows)


def _check_pooled_segments(fig, table) -> None:
    """Each pooled period is a horizontal segment across most of its slot, and no line
    joining the years reaches into a pooled slot."""
    (ax,) = _axes_with_estimates(fig)
    slots = [t.get_text().split("\n")[0] for t in ax.get_xticklabels()]
    pooled = sorted(set(table.loc[table["pooled"], "period"]))
    assert pooled and all("–" in p for p in pooled)
    segments = [c for c in ax.collections if c.get_gid() == "pooled"]
    assert len(segments) == int(table["pooled"].sum())
    pooled_slots = {slots.index(p) for p in pooled}
    for segment in segments:
        (start, y0), (end, y1) = segment.get_segments()[0]
        slot = round((start + end) / 2)
        assert slot in pooled_slots
        assert y0 == y1 and start < slot - 0.3 and end > slot + 0.3
    joins = [line for line in ax.lines if line.get_gid() == "join"]
    assert joins  # the years are joined ...
    for line in joins:  # ... but no line reaches into a pooled slot
        assert not {round(x) for x in line.get_xdata()} & pooled_slots
    for p in pooled:
        assert "(pooled)" in ax.get_xticklabels()[slots.index(p)].get_text()


def test_the_pooled_era_is_a_segment_never_joined_to_the_years(built, corpus):
    toy = _pooled_corpus()
    assert figures.default_periods(toy) == (2024, 2025)
    fig, table = figures.figure_stance_over_time(toy)
    assert sorted(table.loc[table["pooled"], "period"].unique()) == ["2015–23"]
    assert int(table["pooled"].sum()) == 3  # one segment per group
    _check_pooled_segments(fig, table)
    fig, table = built["stance_over_time"]  # the shipped corpus, if its periods pool years
    periods = figures.default_periods(corpus)
    years = corpus["date"].dt.year
    if isinstance(periods, tuple) and years.min() < min(periods):
        _check_pooled_segments(fig, table)
    else:
        assert not table["pooled"].any()


def test_distinctive_terms_leave_out_speakers_and_nested_pairs_and_mark_significance(built):
    from discourse.contrast import speaker_words

    fig, table = built["distinctive_terms"]
    words = speaker_words()
    assert not [t for t in table["term"] if set(t.split()) & words]
    for _, part in table.groupby("group"):
        terms = part["term"].tolist()
        for a in terms:
            assert not [b for b in terms if a != b and set(a.split()) <= set(b.split())]
    filled = [p for ax in fig.axes for p in ax.patches if p.get_gid() == "significant"]
    hollow = [p for ax in fig.axes for p in ax.patches if p.get_gid() == "not_significant"]
    assert len(filled) == int((table["p_adj"] < 0.05).sum())
    assert len(hollow) == int((table["p_adj"] >= 0.05).sum())
    assert all(p.get_facecolor()[:3] == (1.0, 1.0, 1.0) for p in hollow)
    assert all(p.get_facecolor()[:3] != (1.0, 1.0, 1.0) for p in filled)


def _check_default_periods(corpus: pd.DataFrame, min_statements: int) -> None:
    """The rule of default_periods: the latest years holding ``min_statements`` or more
    each are periods of their own, up to the first (going back) that holds fewer; the
    years before it are pooled."""
    sizes = corpus["date"].dt.year.value_counts()
    first, last = int(sizes.index.min()), int(sizes.index.max())
    periods = figures.default_periods(corpus, min_statements=min_statements)
    big = [y for y in range(first, last + 1) if sizes.get(y, 0) >= min_statements]
    if periods == "all":
        assert sizes.get(last, 0) < min_statements
    elif periods == "year":
        assert big == list(range(first, last + 1))
    else:
        own = list(periods)
        assert own == list(range(own[0], last + 1))  # consecutive, up to the last year
        assert all(sizes.get(y, 0) >= min_statements for y in own)
        assert own[0] > first and sizes.get(own[0] - 1, 0) < min_statements


def test_the_default_periods_are_resolved_from_the_data(corpus):
    for threshold in (1, 10, figures.ERA_MIN_STATEMENTS, 60, 100, 10_000):
        _check_default_periods(corpus, threshold)
    assert figures.default_periods(corpus) == \
        figures.default_periods(corpus, figures.ERA_MIN_STATEMENTS)
    assert figures.default_periods(corpus, min_statements=10_000) == "all"
    toy = _pooled_corpus()
    assert figures.default_periods(toy) == (2024, 2025)
    assert figures.default_periods(toy, min_statements=34) == "all"  # 2025 has 33
    assert figures.default_periods(toy, min_statements=1) == (2024, 2025)  # 2023 has none
    assert figures.default_periods(toy[toy["date"].dt.year >= 2024]) == "year"
    # the periods follow the data: move 2025's statements to 2026 and 2026 is a period
    later = toy.assign(date=toy["date"].where(toy["date"].dt.year != 2025,
                                              toy["date"] + pd.DateOffset(years=1)))
    assert figures.default_periods(later) == (2026,)


def test_case_parameters_change_the_data(corpus):
    _, pakistan = figures.figure_statements_per_month(corpus)
    fig, india = figures.figure_statements_per_month(corpus, case_country="IN")
    case = figures.resolve_case(corpus, case_country="IN")
    start, end = case.window
    about = corpus[(corpus["country"] == "IN") & corpus["date"].between(start, end)]
    assert int(india["n"].sum()) == len(about) != int(pakistan["n"].sum())
    assert fig.get_suptitle().startswith("India: ")
    assert "Pakistan" not in fig.get_suptitle() + fig.get_supxlabel()
    _, window = figures.figure_statements_per_month(corpus, window=("2024-11-01",
                                                                    "2024-12-31"))
    assert window["period"].unique().tolist() == ["2024-11", "2024-12"]
    _, yearly = figures.figure_stance_over_time(corpus, period="year")
    assert not yearly["pooled"].any()
    assert set(yearly["period"]) == {str(y) for y in corpus["date"].dt.year.unique()}
    fig, _ = figures.figure_stance_over_time(corpus, topic="encryption", title=None)
    assert "restricting encryption" in fig.get_suptitle()
    with pytest.raises(figures.FigureDataError, match="ZZ"):
        figures.figure_statements_per_month(corpus, case_country="ZZ")


def test_build_figures_passes_parameters_and_refuses_unknown_ones(corpus):
    built = figures.build_figures(corpus, ids=["statements_per_month", "frame_heatmap"],
                                  case_country="GB", corpus_name="my corpus")
    fig, _ = built.figures["statements_per_month"]
    assert fig.get_suptitle().startswith("United Kingdom: ")
    assert "my corpus" in built.figures["frame_heatmap"][0].get_supxlabel()
    with pytest.raises(TypeError, match="unknown figure parameter"):
        figures.build_figures(corpus, ids=["frame_heatmap"], country="GB")


def test_a_theme_without_a_curated_label_falls_back_with_a_warning(corpus):
    from discourse.themes import ThemeLabelWarning, load_theme_labels

    shipped = load_theme_labels()
    dropped = shipped["label"].iloc[-1]
    labels = shipped.iloc[:-1]  # the shipped labels, one row removed
    with pytest.warns(ThemeLabelWarning, match=r"^1 of \d+ themes") as caught:
        fig, table = figures.figure_themes_over_time(corpus, theme_labels=labels)
    assert len(caught) == 1
    names = table.drop_duplicates("theme").set_index("theme")
    n_themes = len(names)
    fallback = names[names["label"] == names["top_terms"]]
    assert len(fallback) == 1 and dropped not in set(names["label"])
    assert f"labels: {fallback.index[0]} (" in str(caught[0].message)
    assert set(names["label"]) - {fallback["label"].iloc[0]} == set(labels["label"])
    assert (f"{n_themes - 1} of {n_themes} named by curated labels"
            in fig.get_supxlabel().replace("\n", " "))


def test_a_figure_drawn_from_too_few_statements_says_so(corpus):
    two = corpus.dropna(subset=["stance"]).iloc[:2]
    fig, table = figures.figure_stance_over_time(two)
    assert int(table["n"].sum()) == 2
    assert "Caution: drawn from only 2 statements" in fig.get_suptitle()
    fig, _ = figures.figure_stance_over_time(corpus)
    assert "Caution" not in fig.get_suptitle()


def test_a_group_without_distinctive_terms_is_named(corpus):
    from discourse.contrast import groups_without_terms, top_terms

    mute = corpus[corpus["group"] == "industry"].iloc[:3].assign(text="Qwertyuiop.")
    few = pd.concat([corpus[corpus["group"] != "industry"], mute], ignore_index=True)
    fig, table = figures.figure_distinctive_terms(few)
    empty = table.attrs["groups_without_terms"]
    assert empty and "industry" in empty
    assert "No distinctive term: Industry" in fig.get_supxlabel().replace("\n", " ")
    assert any(t.get_gid() == "no_terms" for ax in fig.axes for t in ax.texts)
    table = pd.DataFrame({"group": ["a", "b"], "term": ["x", "y"], "z": [2.0, -1.0],
                          "p_adj": [0.01, 0.5]})
    assert groups_without_terms(top_terms(table)) == ["b"]


SOCIAL_MEDIA = [
    # (group, country, year, stance, frames, text)
    ("state", "AU", 2023, "supports_restriction", "child_safety;legality_governance",
     "The minister said the social media ban for children under sixteen protects young "
     "people from harmful feeds and will be enforced by the platforms."),
    ("state", "AU", 2023, "supports_restriction", "child_safety",
     "The eSafety office argued that platforms must check the age of every account holder "
     "to protect children from harmful content."),
    ("state", "AU", 2024, "supports_restriction", "child_safety;legality_governance",
     "The government said the ban would be enforced with fines on platforms that fail to "
     "check the age of young users."),
    ("state", "AU", 2024, "conditional", "technical",
     "Officials said age assurance technology would be tested before the ban is enforced "
     "on platforms."),
    ("state", "NZ", 2024, "supports_restriction", "child_safety",
     "A minister proposed a similar ban on social media for children, citing harmful "
     "feeds and the protection of young people."),
    ("state", "NZ", 2025, "neutral", "legality_governance",
     "The select committee opened an inquiry into online harm and the age limits of social "
     "media platforms."),
    ("state", "AU", 2025, "supports_restriction", "child_safety",
     "The regulator said platforms had removed many accounts of children and that the ban "
     "protects young people."),
    ("civil_society", "AU", 2023, "opposes_restriction", "rights",
     "A digital rights group said the ban takes away the rights of young people to speak "
     "and to find support online."),
    ("civil_society", "AU", 2024, "opposes_restriction", "rights;technical",
     "Privacy advocates warned that age checks collect identity documents and put the "
     "privacy of every user at risk."),
    ("civil_society", "NZ", 2024, "opposes_restriction", "rights",
     "Youth advocates argued that a ban silences young people and cuts them off from "
     "support and friends."),
    ("civil_society", "AU", 2025, "conditional", "child_safety;rights",
     "A children's charity said safety by design would protect young people better than "
     "a blanket ban."),
    ("civil_society", "NZ", 2025, "opposes_restriction", "rights",
     "A rights group said the ban is a blunt tool that harms the privacy and rights of "
     "young people."),
    ("civil_society", "AU", 2024, "opposes_restriction", "rights;technical",
     "Researchers warned that age checks are inaccurate and that privacy risks outweigh "
     "any benefit of the ban."),
    ("industry", "AU", 2023, "opposes_restriction", "economy;technical",
     "A platform company said age checks are costly and that the ban was rushed without "
     "consultation with industry."),
    ("industry", "AU", 2024, "conditional", "technical;economy",
     "A technology company proposed age checks at the app store level instead of on each "
     "platform, to lower costs."),
    ("industry", "NZ", 2024, "opposes_restriction", "economy",
     "An industry body warned the ban would cost small creators revenue and push young "
     "users to less safe platforms."),
    ("industry", "AU", 2025, "opposes_restriction", "technical;rights",
     "A platform said age checks would force every user to hand over identity documents "
     "and harm privacy."),
    ("industry", "NZ", 2025, "conditional", "economy;technical",
     "A company said it would comply with the ban but asked for clear rules on age checks "
     "and costs."),
    ("industry", "NZ", 2025, "opposes_restriction", "economy",
     "Advertisers warned that the ban would cut revenue and cost jobs across the digital "
     "economy."),
    ("industry", "AU", 2025, "opposes_restriction", "technical;economy",
     "A platform company said the age checks were costly and inaccurate and that the ban "
     "cost revenue."),
]


@pytest.fixture(scope="module")
def social_media_corpus(tmp_path_factory):
    from discourse import load_corpus

    rows = [[f"sm-{i:02d}", f"{year}-{(i % 12) + 1:02d}-15", f"Actor {i}", group, text,
             stance, frames, country]
            for i, (group, country, year, stance, frames, text) in enumerate(SOCIAL_MEDIA)]
    from conftest import HEADER, csv_text

    path = tmp_path_factory.mktemp("social") / "statements.csv"
    path.write_text(csv_text(rows, header=HEADER + ["stance", "frames", "country"]),
                    encoding="utf-8")
    return load_corpus(path)


def test_a_corpus_about_another_policy_gets_every_figure_without_vpn_words(
        social_media_corpus, tmp_path):
    corpus = social_media_corpus
    assert len(corpus) == 20 and not corpus["text"].str.contains("VPN").any()
    manifest = figures.write_figures(corpus, tmp_path, theme_labels=False,
                                     corpus_name="Social-media ban corpus",
                                     topic="social-media use", min_statements=8)
    assert manifest["skipped"] == []
    assert [f["id"] for f in manifest["figures"]] == list(figures.FIGURES)
    built = figures.build_figures(corpus, theme_labels=False, min_statements=8)
    for fid, (fig, _) in built.figures.items():
        words = fig.get_suptitle() + " " + fig.get_supxlabel()
        assert "VPN" not in words and "discourse corpus" not in words, fid
    assert "Australia: " in built.figures["statements_per_month"][0].get_suptitle()
    for entry in manifest["figures"]:
        assert "VPN" not in entry["title"], entry["id"]
        svg = (tmp_path / f"{entry['id']}.svg").read_text(encoding="utf-8")
        assert "VPN" not in svg and "Social-media ban corpus" in svg, entry["id"]
    assert "restricting social-media use" in manifest["figures"][1]["title"]
    _, themes = built.figures["themes_over_time"]
    n_themes = themes["theme"].nunique()
    assert 2 <= n_themes <= len(corpus) // 3


def test_figure_bytes_do_not_depend_on_the_blas_kernel(figure_set, tmp_path):
    """The themes figure (NMF, the one BLAS-sensitive step) under another OpenBLAS kernel."""
    import subprocess
    import sys

    script = ("import sys; from discourse import load_corpus; "
              "from discourse.figures import write_figures; "
              "write_figures(load_corpus(sys.argv[1]), sys.argv[2], "
              "ids=['themes_over_time', 'distinctive_terms'])")
    env = {**os.environ, "OPENBLAS_CORETYPE": "Haswell"}
    subprocess.run([sys.executable, "-c", script, str(figure_set.corpus_file),
                    str(tmp_path / "haswell")], check=True, env=env, timeout=600)
    for fid in ("themes_over_time", "distinctive_terms"):
        for ext in ("png", "svg", "csv"):
            name = f"{fid}.{ext}"
            assert file_sha256(tmp_path / "haswell" / name) == \
                file_sha256(figure_set.folder / name), name


def test_the_cli_passes_the_case_and_names_the_period(social_media_corpus, tmp_path, capsys):
    from discourse.cli import main

    path = tmp_path / "statements.csv"
    social_media_corpus.assign(frames=social_media_corpus["frames"].map(";".join)).to_csv(
        path, index=False, date_format="%Y-%m-%d")
    out = tmp_path / "figs"
    code = main(["figures", "--corpus", str(path), "--out", str(out), "--case-country",
                 "NZ", "--period", "year", "--topic", "social-media use", "--corpus-name",
                 "Ban corpus", "--window", "2024-01-01", "2025-12-31"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["params"]["case_country"] == "NZ"
    assert manifest["params"]["period"] == "year"
    titles = {f["id"]: f["title"] for f in manifest["figures"]}
    assert titles["statements_per_month"].startswith("New Zealand: ")
    assert "Jan 2024 – Dec 2025" in titles["statements_per_month"]
    stance = pd.read_csv(out / "stance_over_time.csv")
    assert sorted(stance["period"].astype(str).unique()) == ["2023", "2024", "2025"]
    assert "Ban corpus" in (out / "frame_heatmap.svg").read_text(encoding="utf-8")
    with pytest.raises(SystemExit):
        main(["figures", "--period", "weekly"])


def test_the_cli_warns_when_a_theme_has_no_curated_label(tmp_path, capsys):
    from discourse.cli import main

    labels = tmp_path / "labels.csv"
    labels.write_text("theme_key,label,note\nno / such / theme,Nothing,\n", encoding="utf-8")
    assert main(["themes", "--n-themes", "4", "--theme-labels", str(labels)]) == 0
    captured = capsys.readouterr()
    assert "warning: 4 of 4 themes match no curated label" in captured.err
    assert main(["themes", "--n-themes", "4", "--theme-labels", str(tmp_path / "x.csv")]) == 1
    assert "--theme-labels: no file" in capsys.readouterr().err


# -- reuse and progress ----------------------------------------------------------------------


def test_themes_figure_given_the_fitted_model_fits_none_and_draws_the_same(
        corpus, built, monkeypatch):
    from discourse.themes import ThemeModel

    model = figures.fit_theme_model(corpus)

    def no_fit(self, *args, **kwargs):
        raise AssertionError("the figure fitted a theme model although it was given one")

    monkeypatch.setattr(ThemeModel, "fit", no_fit)
    _, table = figures.figure_themes_over_time(corpus, model=model)
    pd.testing.assert_frame_equal(table, built["themes_over_time"][1])
    again = figures.build_figures(corpus, ids=["themes_over_time"], theme_model=model)
    assert again.skipped == []
    pd.testing.assert_frame_equal(again.figures["themes_over_time"][1],
                                  built["themes_over_time"][1])


def test_themes_figure_refuses_a_model_of_another_corpus(corpus):
    from discourse.themes import ThemeModel

    small = figures.fit_theme_model(corpus.iloc[:120], 3)
    with pytest.raises(ValueError, match="fitted to 120 statements"):
        figures.figure_themes_over_time(corpus, model=small)
    whole = figures.fit_theme_model(corpus, 3)
    with pytest.raises(ValueError, match="n_themes=4 but the model has 3"):
        figures.figure_themes_over_time(corpus, 4, model=whole)
    with pytest.raises(ValueError, match="unfitted"):
        figures.figure_themes_over_time(corpus, model=ThemeModel(n_themes=3))
    # build_figures skips the figure with the reason rather than failing the whole set
    result = figures.build_figures(corpus, ids=["themes_over_time"], theme_model=small)
    assert result.skipped[0]["id"] == "themes_over_time"
    assert "fitted to 120 statements" in result.skipped[0]["reason"]


def test_progress_bar_over_the_figures_only_when_asked_or_on_a_terminal(corpus, capsys):
    pytest.importorskip("tqdm")
    figures.build_figures(corpus, ids=["frame_heatmap"])  # pytest's stderr: no terminal
    assert capsys.readouterr().err == ""
    figures.build_figures(corpus, ids=["frame_heatmap"], progress=True)
    assert "figures" in capsys.readouterr().err
    os.environ["TQDM_DISABLE"] = "1"
    try:
        figures.build_figures(corpus, ids=["frame_heatmap"], progress=True)
    finally:
        del os.environ["TQDM_DISABLE"]
    assert capsys.readouterr().err == ""


def test_the_figures_cli_takes_the_read_options(tmp_path, capsys):
    from discourse.cli import main

    code = main(["figures", "--corpus", str(shipped_corpus_file()), "--max-bytes", "100",
                 "--out", str(tmp_path / "figs")])
    assert code != 0
    assert "size limit of 100 bytes" in capsys.readouterr().err
    assert not (tmp_path / "figs").exists()
