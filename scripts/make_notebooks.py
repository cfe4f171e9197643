# ruff: noqa: E501  (cell sources are kept as they read in the notebooks)
"""Write the notebooks' cells (narrative and library calls) into notebooks/*.ipynb.

Usage: python scripts/make_notebooks.py && python scripts/run_notebooks.py

The notebooks are the product; this script is only how their cells were first laid out,
kept so that a change to many notebooks at once (a new setup cell, say) is one edit. Cells
edited in JupyterLab are fine too: re-run `make notebooks` and commit the executed result.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "notebooks"

SETUP = """\
%matplotlib inline
%config InlineBackend.figure_formats = ["png"]
import discourse
from discourse import contrast, evaluate, figures, themes, timeline

corpus = discourse.load_corpus(CORPUS_PATH)
if COUNTRY is not None:
    corpus = corpus[corpus["country"] == COUNTRY].reset_index(drop=True)
print(f"{len(corpus)} statements, {corpus['date'].min():%Y-%m-%d} to {corpus['date'].max():%Y-%m-%d}")"""

PARAMETERS = """\
# Parameters (papermill convention: this cell is tagged "parameters").
CORPUS_PATH = None  # None: the shipped corpus; or a .csv/.jsonl file or folder of your own
PERIOD = "year"  # "month", "quarter" or "year"
COUNTRY = None  # None: every country; or an ISO code such as "PK"
SEED = 0  # seed of every random step"""

VERSIONS = """\
# NBVAL_IGNORE_OUTPUT: versions differ between machines; they are recorded, not checked.
import platform

import matplotlib
import pandas
import sklearn

print(f"python {platform.python_version()}, discourse {discourse.__version__}, "
      f"pandas {pandas.__version__}, scikit-learn {sklearn.__version__}, "
      f"matplotlib {matplotlib.__version__}")"""


def show(expr: str, digits: int = 3) -> str:
    """A cell line that prints a table rounded and without its index (stable under nbval)."""
    return f"print(({expr}).round({digits}).to_string(index=False))"


def notebook(cells: list) -> nbformat.NotebookNode:
    nb = new_notebook(cells=cells)
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    return nb


def parameters_cell(extra: str = "") -> nbformat.NotebookNode:
    cell = new_code_cell(PARAMETERS + extra)
    cell.metadata["tags"] = ["parameters"]
    return cell


def md(text: str) -> nbformat.NotebookNode:
    return new_markdown_cell(text.strip())


def code(text: str) -> nbformat.NotebookNode:
    return new_code_cell(text.strip())


NB01 = [
    md("""
# 1. The corpus: what is in it, how it was built and coded, and where its gaps are

**Question.** Before reading any pattern off the corpus we must know what it holds: who
speaks, from where, when, with which position, and what it leaves out.

The corpus holds real public statements on regulating VPN use, each traced to a public
source (`source_url`) and to the project's research register. The texts are our
paraphrases in reported speech; the actors' own key terms appear verbatim. Its datasheet is
`corpus/README.md`, its codebook `corpus/CODEBOOK.md`.
"""),
    parameters_cell(),
    code(SETUP),
    md("""
## Coverage

`summarize_corpus` counts the rows by group, actor type, country, stance, frame and year.
"""),
    code("""
summary = discourse.summarize_corpus(corpus)
for key in ("groups", "stances", "frames", "years"):
    print(key, summary[key])
print("countries:", len(summary["countries"]), "codes (EU: EU-level, XX: global);", summary["countries"])"""),
    md("""
## Who speaks, and with which position

Stance by group, as counts. State actors are the largest group; most civil-society
statements oppose restriction, most state statements support it, and industry splits.
"""),
    code(show("timeline.cross_counts(corpus, 'group', 'stance')")),
    code(show("timeline.cross_counts(corpus, 'actor_type', 'group')")),
    md("""
## One row

Every row carries its source, its codes and our paraphrase. Here is the statement of
Pakistan's association of internet service providers of 18 November 2024.
"""),
    code("""
row = corpus.set_index("id").loc["pk-20241118-wispap"]
print(f"{'date':>11}: {row['date']:%Y-%m-%d} ({row['date_precision']} precision)")
for field in ("actor", "group", "actor_type", "stance", "frames", "key_terms", "publisher",
              "source_url"):
    print(f"{field:>11}: {row[field]}")
print()
print(row["text"])"""),
    md("""
## How each group frames the question

The share of each group's statements that use each frame (a statement can use several).
"""),
    code("""
fig, table = figures.figure_frame_heatmap(corpus)
fig"""),
    md("""
## Validation: what a researcher sees when a file is wrong

`load_corpus` checks every row and reports every problem at once, with the file, line,
field, what is wrong and what is allowed. `notebooks/data/bad_statements.csv` is a small
file with typical mistakes; `strict=False` keeps the valid rows and lists the rejected ones.
"""),
    code("""
for problem in discourse.validate_corpus("data/bad_statements.csv"):
    print(problem)"""),
    code("""
result = discourse.load_corpus("data/bad_statements.csv", strict=False)
print(f"read {result.n_records} rows: {len(result.corpus)} loaded, {len(result.rejected)} rejected")
print(result.rejected[["line", "id"]].to_string(index=False))"""),
    md("""
## What we found, and the caveats

- The corpus meets its coverage targets: at least 50 statements per group, more than 12
  jurisdictions, every year from 2016 to 2026.
- Positions line up with groups, but not perfectly: industry is the most divided group,
  and some state actors (courts, a law ministry) opposed restriction.
- **Caveats.** Pakistan is about 40 % of the rows and November 2024 alone about an eighth,
  so pooled figures lean towards that case. Sources are mostly English-language online news
  and releases. The texts are paraphrases: lexical analyses describe our wording as much as
  the actors', which is why the actors' key terms are kept verbatim. Coding is by a single
  coder with one audit pass; intercoder reliability has not been measured (see the
  codebook).
"""),
    code(VERSIONS),
]

NB02 = [
    md("""
# 2. Themes and distinctive vocabulary: what does each side talk about?

**Question.** Which themes run through the statements, how many can the corpus support,
and which words set civil society, industry and the state apart?

Themes come from non-negative matrix factorisation (NMF) of the TF-IDF matrix
(`discourse.themes.ThemeModel`); distinctive words from the weighted log-odds ratio with an
informative Dirichlet prior (Monroe, Colaresi & Quinn 2008), with Benjamini-Hochberg
adjusted p-values (`discourse.contrast`).
"""),
    parameters_cell(),
    code(SETUP),
    md("""
## How many themes?

For each number of themes *k* we fit the model and measure **stability** (mean cosine
similarity of each theme to its best match in models fitted from 5 other random starts)
and **coherence** (mean NPMI of pairs of top terms). The rule: among the models with
stability at least 0.9, take the most coherent.
"""),
    code("""
choice = themes.choose_n_themes(corpus["text"], corpus["actor"], random_state=SEED)
""" + show("choice")),
    code("""
k = int(choice.loc[choice["chosen"], "n_themes"].iloc[0])
model = themes.ThemeModel(n_themes=k, random_state=SEED).fit(corpus["text"], actors=corpus["actor"])
print(f"{k} themes: stability {model.stability_:.3f}, coherence {model.coherence_:.3f}")
""" + show("model.theme_table()[['theme', 'label', 'n_documents', 'share']]")),
    code("""
for row in model.theme_table().itertuples():
    print(f"[{row.theme}] {row.top_terms}")"""),
    md("""
## Themes over time

Mean theme weight of the statements of each group and period, with bootstrap 95 %
intervals (statements resampled, seeded).
"""),
    code("""
fig, table = figures.figure_themes_over_time(corpus, n_themes=k)
fig"""),
    md("""
## Distinctive vocabulary

Each group against the rest. `z` is the log-odds ratio over its standard error; `p_adj` is
Benjamini-Hochberg adjusted over all terms; the raw counts are beside them.
"""),
    code("""
terms = contrast.distinctive_terms(corpus, by="group")
""" + show("contrast.top_terms(terms, n=8)[['group', 'term', 'z', 'p_adj', 'count_group', 'count_rest']]")),
    code("""
fig, table = figures.figure_distinctive_terms(corpus)
fig"""),
    md("""
Pairwise: civil society against the state only.
"""),
    code(show("contrast.top_terms(contrast.compare_groups(corpus, 'civil_society', 'state'), n=8)"
              "[['group', 'term', 'z', 'p_adj', 'count_group', 'count_rest']]")),
    md("""
## What we found, and the caveats

- Nine themes are stable across random starts (stability above 0.9) and the most coherent
  of the stable models. They separate the rights argument, the courts, parliamentary
  committees, child safety and age verification, regulators and providers, the religious
  council's ruling, the software and ISP associations, and app-store removals.
- Civil society's vocabulary is about *rights*, *privacy* and *expression*; industry's about
  its *associations*, *companies*, *servers* and *apps*; the state's about *ministries*,
  *committees*, *regulators* and *services*.
- **Caveats.** Few differences survive the false-discovery correction: the prior is strong
  (as strong as the corpus itself) and the corpus is small, so read z-scores as a ranking.
  Themes partly follow venues (courts, committees) as well as arguments. Texts are our
  paraphrases, so reporting verbs and names were removed by the stop lists
  (`discourse.features`), but our wording still shapes the vocabulary.
"""),
    code(VERSIONS),
]

NB03 = [
    md("""
# 3. Stance and frames: how good are the labellers, and do they transfer?

**Question.** Can a model label the stance and frames of a statement it has never seen,
and how good is it, measured as a reviewer would accept: on organisations it never saw in
training, on text written in other genres than the corpus's paraphrases, beside
baselines, with intervals? And how far can its own confidence be trusted?

`StanceClassifier` is a linear model on word and character n-gram TF-IDF with balanced
class weights and temperature-scaled probabilities. Frames have two labellers: a lexicon
written from the codebook (`FrameLexicon`) and a one-vs-rest classifier
(`FrameClassifier`) over TF-IDF and the lexicon's match counts, with one threshold per
frame chosen inside the training folds. `discourse.evaluate` runs 5-fold
cross-validation grouped by organisation (the corpus's `org_id`), so no organisation is in
both training and test folds, repeated 3 times with different shuffles. In each fold the
model trained on the other organisations also labels the **other-genre texts** of the
held-out statements (`corpus/external/other_genres.csv`: press releases, notices,
rulings, interviews, posts written for testing, never trained on). It returns the report
and the predictions it scored.
"""),
    parameters_cell(),
    code(SETUP),
    code("""
evaluation = evaluate.evaluate(corpus, random_state=SEED)
report = evaluation.report
print(f"{report['n']} statements from {report['n_actors']} actors "
      f"({report['stance']['n_orgs']} fold groups with a stance); CV: {report['cv']}; "
      f"features: {report['features']}")
""" + show("evaluate.stance_scores_table(report)")),
    md("""
## The transfer gap

Each labeller's score in organisation-grouped CV (`cv`) and on the other-genre texts of
the same held-out statements (`external`), with 95 % bootstrap intervals over statements
and the baselines scored on the same texts. Stance is scored by macro-F1, frames by
micro-F1.
"""),
    code(show("evaluate.transfer_table(report)") + """
if "gap" in report["stance"]:  # a corpus of your own may have no other-genre texts
    print("gap, other genres minus CV: stance macro-F1", report["stance"]["gap"]["macro_f1"],
          "| frames micro-F1", report["frames"]["gap"]["micro_f1"])"""),
    code("""
import matplotlib.pyplot as plt

transfer = evaluate.transfer_table(report)
fig, axes = plt.subplots(1, 2, figsize=(9, 3.2), sharey=True)
for ax, (task, part) in zip(axes, transfer.groupby("task", sort=False)):
    for offset, (test_set, rows) in zip((-0.18, 0.18), part.groupby("test_set", sort=False)):
        x = range(len(rows))
        ax.errorbar([i + offset for i in x], rows["score"],
                    yerr=[rows["score"] - rows["ci_low"], rows["ci_high"] - rows["score"]],
                    fmt="o", capsize=3, label=test_set)
        ax.set_xticks(list(x), rows["model"])
    ax.set_title(f"{task} ({'macro' if task == 'stance' else 'micro'}-F1)")
    ax.set_ylim(0, 1)
axes[0].legend(title="test set")
fig.tight_layout();"""),
    md("""
## Per class

The classifier beside the majority-class baseline and a keyword baseline (cue lists written
from the codebook, `evaluate.STANCE_CUES`), in CV; then on the other-genre texts.
"""),
    code(show("evaluate.per_class_table(report)") + """
if "external" in report["stance"]:
    """ + show("evaluate.per_class_table(report['stance']['external'])")),
    md("""
Confusion matrix of the classifier (rows: true stance; columns: predicted; mean over the
3 repeats).
"""),
    code(show("evaluate.confusion_table(report)", 1)),
    md("""
## Confidence: the coverage curve

If a user labels only the predictions the classifier is most sure of and reviews the rest
by hand, how accurate are the kept ones? The curve sorts the predictions by their
calibrated probability and gives the accuracy of the most confident share (coverage), in
CV and on the other genres. The classifier's own review threshold is chosen inside each
training fold (the lowest confidence at which out-of-fold predictions reach 80 %
accuracy); `label` marks predictions below it `needs_review`.
"""),
    code("""
curve = evaluate.coverage_table(evaluation)
""" + show("curve.pivot(index='coverage', columns='test_set', values='accuracy').reset_index()") + """
print("review threshold (median over folds):", report["stance"]["review"]["threshold_median"])
for name, block in (("cv", report["stance"]), ("external", report["stance"].get("external"))):
    if block is None:
        continue
    review = block["review"]
    print(f"{name}: {review['reviewed']:.0%} flagged for review; accuracy of the rest "
          f"{review['accuracy_kept']:.3f}, of the flagged {review['accuracy_reviewed']:.3f}")"""),
    code("""
fig, ax = plt.subplots(figsize=(5, 3.2))
for test_set, rows in curve.groupby("test_set", sort=False):
    ax.plot(rows["coverage"], rows["accuracy"], marker="o", label=test_set)
ax.set_xlabel("coverage (share of predictions kept, most confident first)")
ax.set_ylabel("accuracy of the kept predictions")
ax.set_ylim(0, 1)
ax.legend(title="test set");"""),
    md("""
## Frames

Micro- and macro-F1 with the number of frames predicted per statement beside the number
coded, then precision and recall per frame for the classifier and the lexicon, and the
per-frame thresholds the classifier chose in the training folds (mean over folds).
"""),
    code(show("evaluate.frame_summary_table(report)") + "\n" +
         show("evaluate.frame_scores_table(report)") + """
print("frames per statement (CV):", report["frames"]["per_statement"],
      "| lexicon:", report["frames"]["baselines"]["lexicon"]["per_statement"])
print("thresholds:", report["frames"]["thresholds"])"""),
    code("""
per_statement = evaluate.frames_per_statement(evaluation)
mine = per_statement[(per_statement["model"] == "classifier") & (per_statement["test_set"] == "cv")]
""" + show("mine[mine['coded'] != mine['predicted']].head(8)")),
    md("""
## Targets

The targets set for the labellers, with the evaluated values (benchmarks, not tests).
"""),
    code(show("evaluate.targets_table(report)")),
    md("""
## Errors worth reading

The statements the classifier got wrong with the most confidence, out of fold (first
repeat). Many are statements whose stance lies in an act (a licence, an order) rather than
in words, or borderline cases between *conditional* and the two poles.
"""),
    code("""
oof = evaluation.stance[(evaluation.stance["model"] == "classifier")
                        & (evaluation.stance["test_set"] == "cv")]
errors = oof[(oof["repeat"] == 0) & (oof["gold"] != oof["pred"])]
errors = errors.sort_values(["proba", "id"], ascending=[False, True]).head(8)
""" + show("errors[['id', 'gold', 'pred', 'proba', 'review']]")),
    md("""
## Labelling a new statement

We write a statement of our own (not a corpus row) and label it. `confidence` is the
calibrated probability of the stance, `needs_review` says whether it falls below the
review threshold, and `evidence` lists the terms that pushed the stance prediction.
"""),
    code("""
from discourse.label import fit_labellers

labellers = fit_labellers(corpus, random_state=SEED)
new = ("An association of internet providers said VPNs are neutral tools; a blanket ban "
       "would hurt IT exports, banking and research, so the state should regulate misuse, "
       "not the technology.")
result = labellers.label([new])[0]
print("stance:", result["stance"], "confidence:", result["confidence"],
      "needs_review:", result["needs_review"])
print("frames:", result["frames"])
print("evidence:", result["evidence"])"""),
    code(show("labellers.stance.explain(new, top=8)")),
    md("""
## What we found, and the caveats
"""),
    code("""
stance, frames = report["stance"], report["frames"]
lexicon = stance["baselines"]["lexicon"]["macro_f1"]
print(f"- Stance, organisation-grouped CV: macro-F1 {stance['macro_f1']:.2f} "
      f"[{stance['macro_f1_ci'][0]:.2f}, {stance['macro_f1_ci'][1]:.2f}] against "
      f"{stance['baselines']['majority']['macro_f1']:.2f} for the majority class and "
      f"{lexicon:.2f} for the keyword baseline.")
ext = stance.get("external")
if ext is not None:
    print(f"- On other genres: {ext['macro_f1']:.2f} [{ext['macro_f1_ci'][0]:.2f}, "
          f"{ext['macro_f1_ci'][1]:.2f}], a gap of {stance['gap']['macro_f1']:+.2f}; "
          f"neutral F1 {ext['per_class']['neutral']['f1']:.2f}, conditional "
          f"{ext['per_class']['conditional']['f1']:.2f}.")
coverage = {c["coverage"]: c["accuracy"] for c in stance["coverage"]}
everything = curve[(curve["test_set"] == "cv") & (curve["coverage"] == 1.0)]["accuracy"].iloc[0]
print(f"- Confidence in CV: accuracy {coverage[0.5]:.2f} on the most confident half and "
      f"{coverage[0.9]:.2f} at 90 % coverage, against {everything:.2f} on all predictions.")
print(f"- Frames: micro-F1 {frames['micro_f1']:.2f} in CV"
      + (f" and {frames['external']['micro_f1']:.2f} on other genres" if ext else "") + "; "
      f"{frames['per_statement']['predicted']:.1f} frames predicted per statement for "
      f"{frames['per_statement']['coded']:.1f} coded.")
missed = evaluate.targets_table(report)
missed = missed[~missed["met"]]
print("- Targets missed:", "; ".join(f"{r.target} by {r.short_by:.2f}"
                                       for r in missed.itertuples()) or "none")"""),
    md("""
**Caveats.** The other-genre texts were written for testing from each statement's research
record (not the actors' own words), so they measure transfer across genres of writing,
not to every real document. The frame lexicon was written with the corpus in view, so the
frame scores (the classifier uses its matches) are somewhat optimistic on the corpus; the
other-genre texts, which its authors did not see, are the fairer test. Bootstrap intervals
resample statements, not organisations, so they are somewhat too narrow. The corpus
over-represents Pakistan and English-language outlets.
"""),
    code(VERSIONS),
]

NB04 = [
    md("""
# 4. Framing over time: how did each group's stance and frames move?

**Question.** Did the groups' positions and arguments change between the early debates
(2011 to 2023), the Pakistani crisis of 2024 and the age-verification debates of 2025 and
2026?

Shares are of the statements of a group in a period; intervals are 95 % Wilson score
intervals, which stay honest in cells of a few statements.
"""),
    parameters_cell(),
    code(SETUP),
    code("""
stance = timeline.category_shares(corpus, "stance", by="group", period=PERIOD)
recent = stance[stance["period"] >= "2024"]
""" + show("recent[['group', 'period', 'stance', 'n', 'count', 'share', 'ci_low', 'ci_high']]")),
    code("""
fig, table = figures.figure_stance_over_time(corpus)
fig"""),
    md("""
## Frames
"""),
    code("""
frames = timeline.category_shares(corpus, "frames", by="group", period=PERIOD)
top = frames[frames["period"] >= "2024"].sort_values(["group", "period", "share", "frames"],
                                                      ascending=[True, True, False, True])
""" + show("top.groupby(['group', 'period']).head(3)[['group', 'period', 'frames', 'n', 'share', 'ci_low', 'ci_high']]")),
    code("""
fig, table = figures.figure_frames_over_time(corpus)
fig"""),
    md("""
## What we found, and the caveats

- Civil society opposed restriction throughout; the state supported it most in the early
  period and again in 2025 and 2026, when age-verification laws drew VPNs in; in 2024 the
  state's statements were split, because courts, senators and a law ministry questioned
  the Pakistani block. Industry moved from mostly opposing restriction to *conditional*
  acceptance of registration in 2024 (half its statements), and back to opposition in 2025
  and 2026, on few statements.
- Child safety is almost absent before 2025 (3 statements), then frames about a third of
  the state's statements in 2025 and half in 2026, with the UK, Australian and US
  age-verification debates.
- **Caveats.** Periods hold few statements (as few as 7 per group), so intervals are wide:
  read the movements of industry in particular as indications. Periods before 2024 are
  pooled in the figures. The mix of countries changes over time, so a change in a group's
  share can reflect a change of country as much as a change of mind.
"""),
    code(VERSIONS),
]

NB05 = [
    md("""
# 5. The case: Pakistan, November 2024, day by day

**Question.** How did the Pakistani debate unfold in November 2024, from the interior
ministry's request to block "illegal VPNs" to the registration deadline, and how does it
compare with other countries?
"""),
    parameters_cell('\nCASE_COUNTRY = "PK"\nCASE_START, CASE_END = "2024-11-01", "2024-12-31"'),
    code(SETUP),
    md("""
## The timeline

Statements about Pakistan per month, with the events documented by the corpus.
"""),
    code("""
fig, table = figures.figure_statements_per_month(corpus)
fig"""),
    code("""
events = figures.load_events()
print(events[["date", "label", "statement_id"]].assign(
    date=events["date"].dt.strftime("%Y-%m-%d")).to_string(index=False))"""),
    md("""
## Day by day

Every statement about Pakistan in November and December 2024, in date order (month-only
dates sort first in their month).
"""),
    code("""
case = timeline.window(corpus, CASE_START, CASE_END, country=CASE_COUNTRY)
print(case[["date", "date_precision", "group", "stance", "actor"]].assign(
    date=case["date"].dt.strftime("%Y-%m-%d"), actor=case["actor"].str.slice(0, 60)
).to_string(index=False))"""),
    code(show("timeline.cross_counts(case, 'group', 'stance')")),
    md("""
## Against other countries

Stance shares and the frames used, by country (countries with at least 8 statements).
"""),
    code("""
fig, table = figures.figure_country_comparison(corpus)
fig"""),
    md("""
The state's own statements, by country (countries with at least 5 state statements):
"""),
    code(show("timeline.cross_counts(corpus[corpus['group'] == 'state'], 'country', 'stance', "
              "min_total=5)")),
    md("""
## What we found, and the caveats

- November 2024 is the densest month of the whole corpus (38 statements). Within days of
  the interior ministry's request and the religious council's ruling, the software-house
  and ISP associations asked for registration rather than a ban, while senators, party
  leaders, activists and editorials opposed the block outright. The council's chairman
  softened his ruling five days later, and the registration deadline of 30 November passed
  without a block.
- The Pakistani state spoke with several voices: senators, a law ministry opinion and a
  member of the religious council opposed the block that the interior ministry and the
  regulator pursued. In Russia, China and India the state's statements in the corpus
  almost all support restriction. The UK debate, by contrast, is framed by child safety.
- **Caveats.** The corpus over-represents Pakistan (40 % of rows) and English-language
  Pakistani outlets; several statements are dated only to the month or by the report's
  date, so day-by-day order is approximate.
"""),
    code(VERSIONS),
]


def main() -> None:
    books = {
        "01_corpus.ipynb": NB01,
        "02_themes.ipynb": NB02,
        "03_stance_and_frames.ipynb": NB03,
        "04_framing_over_time.ipynb": NB04,
        "05_case_pakistan_2024.ipynb": NB05,
    }
    for name, cells in books.items():
        nb = notebook(cells)
        for number, cell in enumerate(nb.cells, start=1):
            cell.id = f"cell-{number:02d}"  # stable ids: a rebuild changes no line it need not
        nbformat.write(nb, OUT / name)
        print(f"wrote notebooks/{name}")


if __name__ == "__main__":
    main()
