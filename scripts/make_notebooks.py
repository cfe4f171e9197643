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
from IPython.display import Markdown

import discourse
from discourse import contrast, display, evaluate, figures, findings, themes, timeline

corpus = discourse.load_corpus(CORPUS_PATH)
if COUNTRY is not None:
    corpus = corpus[corpus["country"] == COUNTRY].reset_index(drop=True)
PERIODS = figures.resolve_case(corpus, period=PERIOD).period  # what the over-time views use
print(f"{len(corpus)} statements, {corpus['date'].min():%Y-%m-%d} to {corpus['date'].max():%Y-%m-%d}")"""

PARAMETERS = """\
# Parameters (papermill convention: this cell is tagged "parameters"; one parameter a line,
# e.g. papermill 05_case_pakistan_2024.ipynb out.ipynb -p CASE_COUNTRY IN -p CASE_START 2022-01-01).
CORPUS_PATH = None  # None: the shipped corpus; or a .csv/.jsonl file or folder of your own
COUNTRY = None  # None: every country; or an ISO code such as "PK" to keep only that country
CASE_COUNTRY = "PK"  # the country of the case study (an ISO code)
CASE_START = "2024-11-01"  # first day of the case window
CASE_END = "2024-12-31"  # last day of the case window
PERIOD = None  # None: periods from the data (sparse early years pooled); or "year", "quarter", "month"
TITLE = None  # None: figure titles made from the corpus and case; or a title of your own
TOPIC = None  # None: the shipped corpus's topic (regulating VPNs); or your corpus's policy
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


def table(expr: str, digits: int = 3, text_columns: list[str] | None = None) -> str:
    """A cell line that shows a table as HTML (no mid-word wrap; stable under nbval)."""
    text = "" if text_columns is None else f", text_columns={text_columns!r}"
    return f"display.table({expr}, digits={digits}{text})"


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
import pandas as pd

summary = discourse.summarize_corpus(corpus)
keys = ("groups", "stances", "frames", "years", "countries")  # countries: EU EU-level, XX global
coverage = pd.DataFrame({"field": keys, "values": [len(summary[k]) for k in keys],
                         "statements per value": ["; ".join(f"{code}: {n}" for code, n in summary[k].items())
                                                  for k in keys]})
display.table(coverage, text_columns=["statements per value"])"""),
    md("""
## Who speaks, and with which position

Stance by group, and actor type by group, as counts (statements). What they show is stated,
with its evidence, in the findings at the end.
"""),
    code(table("timeline.cross_counts(corpus, 'group', 'stance')")),
    code(table("timeline.cross_counts(corpus, 'actor_type', 'group')")),
    md("""
## One row

Every row carries its source, its codes and our paraphrase. Here is the first statement of
the case window (`CASE_COUNTRY` from `CASE_START` to `CASE_END`; the corpus's first
statement if the window is empty).
"""),
    code("""
import textwrap

case = timeline.window(corpus, CASE_START, CASE_END, country=CASE_COUNTRY)
row = (case if len(case) else corpus.sort_values(["date", "id"], kind="stable")).iloc[0]
print(f"{'id':>11}: {row['id']}")
print(f"{'date':>11}: {row['date']:%Y-%m-%d} ({row['date_precision']} precision)")
for field in ("actor", "group", "actor_type", "stance", "frames", "key_terms", "publisher",
              "source_url"):
    if field in row:
        print(f"{field:>11}: {row[field]}")
print()
print(textwrap.fill(str(row["text"]), width=88))"""),
    md("""
## How each group frames the question

The share of each group's statements that use each frame (a statement can use several).
"""),
    code("""
fig, table = figures.figure_frame_heatmap(corpus, topic=TOPIC, title=TITLE)
fig"""),
    md("""
## Validation: what a researcher sees when a file is wrong

`load_corpus` checks every row and reports every problem at once, with the file, line,
field, what is wrong and what is allowed. `notebooks/data/bad_statements.csv` is a small
file with typical mistakes; `strict=False` keeps the valid rows and lists the rejected ones.
"""),
    code("""
problems = discourse.validate_corpus("data/bad_statements.csv")
display.table(pd.DataFrame([vars(p) for p in problems]), text_columns=["message"])"""),
    code("""
result = discourse.load_corpus("data/bad_statements.csv", strict=False)
print(f"read {result.n_records} rows: {len(result.corpus)} loaded, {len(result.rejected)} rejected")
display.table(result.rejected[["line", "id"]])"""),
    md("""
## How reliable the codes are

A second coder coded two samples blind (stratified by group and stance): 161 of the
statements taken from the research register, and 132 of those added in 2026-12. Each coder's
file, and the adjudication of every disagreement, are in `corpus/coding/`. Nominal
Krippendorff's alpha with a 95 % bootstrap interval (1,000 resamples over statements),
Cohen's kappa and the share coded alike; `n_a` and `n_b` count the statements each coder
gave a frame. The codebook's thresholds are 0.80 (firm) and 0.67 (tentative).
"""),
    code("""
from IPython.display import display as show

from discourse import agreement, paths

coding = paths.shipped_corpus_dir() / "coding"
rounds = {"register sample": "", "2026-12 sample": "_2026-12_new_rows"}
if CORPUS_PATH is None:
    for name, suffix in rounds.items():
        codes_a = agreement.read_codes(coding / f"coder_a{suffix}.csv")
        codes_b = agreement.read_codes(coding / f"coder_b{suffix}.csv")
        reliability = agreement.agreement_table(codes_a, codes_b, random_state=SEED)
        print(f"{name}: {len(codes_a)} statements coded by both")
        show(display.table(reliability.drop(columns=["kind", "n_boot_valid"])))
else:
    print("The intercoder files belong to the shipped corpus; this corpus has none.")"""),
    md("""
## Our paraphrases and the actors' own words

`discourse collect` rebuilds a copy of the corpus with the text of each source page (it
needs a network connection and stays on your machine: the texts belong to their
publishers). Given such a copy, the cell below compares, statement by statement, the length
and the vocabulary of our paraphrase and of the source text.
"""),
    code("""
from pathlib import Path
import warnings

from discourse.collect import compare_texts

SOURCE_CORPUS = None  # e.g. "../collected/statements.csv", after `discourse collect --out ../collected`
if SOURCE_CORPUS and Path(SOURCE_CORPUS).is_file():
    with warnings.catch_warnings(action="ignore", category=discourse.CorpusWarning):
        collected = discourse.load_corpus(SOURCE_CORPUS)
    comparison = compare_texts(corpus, collected)
    print(f"{len(comparison)} of {len(corpus)} statements have a source text")
    display.table(comparison.groupby("group")[["words_paraphrase", "words_source", "length_ratio",
                  "jaccard", "paraphrase_in_source"]].median().reset_index())
else:
    print("No collected corpus given: run `discourse collect` and set SOURCE_CORPUS.")"""),
    md("""
## What we found, and the caveats

Computed from the corpus by `discourse.findings`: each claim carries its estimate, its
number of statements and its 95 % interval; a difference is stated only when a test
supports it at the 5 % level with at least 10 statements in every cell behind it.
"""),
    code("""
found = [
    findings.most_divided_group(corpus),
    *findings.share_levels(corpus, column="stance", value="opposes_restriction", by="group"),
    findings.largest_share(corpus, column="country"),
    findings.busiest_period(corpus, period="month"),
]
Markdown(findings.render_markdown(found))"""),
    md("""
**Caveats.** A single country or month that holds a large share of the statements (above)
makes pooled figures lean towards it. For the shipped corpus: sources are mostly
English-language online news and releases; the texts are our paraphrases, so lexical
analyses describe our wording as much as the actors' (which is why the actors' key terms are
kept verbatim); each statement was coded by one coder and checked once, and the agreement of
a blind second coder on two samples is shown above.
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
""" + table("choice", 4, ["reason"])),
    code("""
k = int(choice.loc[choice["chosen"], "n_themes"].iloc[0])
model = themes.ThemeModel(n_themes=k, random_state=SEED).fit(corpus["text"], actors=corpus["actor"])
model.score_stability(corpus["text"])  # 5 refits from random starts: only when asked
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
fig, table = figures.figure_themes_over_time(corpus, n_themes=k, period=PERIODS, title=TITLE)
fig"""),
    md("""
## Distinctive vocabulary

Each group against the rest. `z` is the log-odds ratio over its standard error; `p_adj` is
Benjamini-Hochberg adjusted over all terms; the raw counts are beside them.
"""),
    code("""
terms = contrast.distinctive_terms(corpus, by="group")
""" + table("contrast.top_terms(terms, n=8)[['group', 'term', 'z', 'p_adj', 'count_group', 'count_rest']]")),
    code("""
fig, table = figures.figure_distinctive_terms(corpus)
fig"""),
    md("""
Pairwise: civil society against the state only.
"""),
    code("pairwise = contrast.compare_groups(corpus, 'civil_society', 'state')\n"
         + table("contrast.top_terms(pairwise, n=8)"
                 "[['group', 'term', 'z', 'p_adj', 'count_group', 'count_rest']]")),
    md("""
## What we found, and the caveats

Computed by `discourse.findings` from the tables above: a term is called distinctive only if
it passes the Benjamini-Hochberg correction (adjusted p < 0.05); terms that name a kind of
speaker are flagged.
"""),
    code("""
found = [findings.theme_choice(choice),
         *findings.distinctive_vocabulary_findings(terms, shown=8),
         *findings.distinctive_vocabulary_findings(pairwise, shown=8, against="state")[1:]]
Markdown(findings.render_markdown(found))"""),
    md("""
**Caveats.** The prior is strong (as strong as the corpus itself) and the corpus is small,
so few differences survive the false-discovery correction: read the other z-scores as a
ranking. Themes partly follow venues (courts, committees) as well as arguments. Texts are
paraphrases, so reporting verbs and names were removed by the stop lists
(`discourse.features`), but the paraphrases' wording still shapes the vocabulary.
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
evaluation = evaluate.evaluate(corpus, n_splits=5, n_repeats=1, random_state=SEED)  # one repeat keeps the notebook fast; `discourse evaluate` runs three
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

from discourse import plots

transfer = evaluate.transfer_table(report)
fig, axes = plt.subplots(1, 2, figsize=(9, 3.2), sharey=True)
for ax, (task, part) in zip(axes, transfer.groupby("task", sort=False)):
    plots.plot_scores_with_intervals(
        part, title=f"{task} ({'macro' if task == 'stance' else 'micro'}-F1)", ax=ax)
axes[0].legend(title="test set")
fig.tight_layout()"""),
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
ax = plots.plot_coverage_curve(curve, ax=ax)"""),
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
result = labellers.label([new], explain=True)[0]
print("stance:", result["stance"], "confidence:", result["confidence"],
      "needs_review:", result["needs_review"])
print("frames:", result["frames"])
print("evidence:", result["evidence"])"""),
    code(show("labellers.stance.explain(new, top=8)")),
    md("""
## The measures in brief

Read off the report above (the numbers are computed here, not typed).
"""),
    code("""
stance, frames = report["stance"], report["frames"]
lexicon = stance["baselines"]["lexicon"]["macro_f1"]
print(f"Stance, organisation-grouped CV: macro-F1 {stance['macro_f1']:.2f} "
      f"[{stance['macro_f1_ci'][0]:.2f}, {stance['macro_f1_ci'][1]:.2f}] against "
      f"{stance['baselines']['majority']['macro_f1']:.2f} for the majority class and "
      f"{lexicon:.2f} for the keyword baseline.")
ext = stance.get("external")
if ext is not None:
    print(f"On other genres: {ext['macro_f1']:.2f} [{ext['macro_f1_ci'][0]:.2f}, "
          f"{ext['macro_f1_ci'][1]:.2f}], a gap of {stance['gap']['macro_f1']:+.2f}; "
          f"neutral F1 {ext['per_class']['neutral']['f1']:.2f}, conditional "
          f"{ext['per_class']['conditional']['f1']:.2f}.")
coverage = {c["coverage"]: c["accuracy"] for c in stance["coverage"]}
everything = curve[(curve["test_set"] == "cv") & (curve["coverage"] == 1.0)]["accuracy"].iloc[0]
print(f"Confidence in CV: accuracy {coverage[0.5]:.2f} on the most confident half and "
      f"{coverage[0.9]:.2f} at 90 % coverage, against {everything:.2f} on all predictions.")
print(f"Frames: micro-F1 {frames['micro_f1']:.2f} in CV"
      + (f" and {frames['external']['micro_f1']:.2f} on other genres" if ext else "") + "; "
      f"{frames['per_statement']['predicted']:.1f} frames predicted per statement for "
      f"{frames['per_statement']['coded']:.1f} coded.")
missed = evaluate.targets_table(report)
missed = missed[~missed["met"]]
print("Targets missed:", "; ".join(f"{r.target} by {r.short_by:.3f}"
                                     for r in missed.itertuples()) or "none")"""),
    md("""
## What we found, and the caveats

Computed by `discourse.findings` from the report: the classifier is called better than a
baseline only when its 95 % interval lies wholly above the baseline's, in cross-validation
and on the other-genre texts of the held-out statements.
"""),
    code("""
found = [findings.model_vs_baseline(report, baseline="lexicon"),
         findings.model_vs_baseline(report, baseline="majority")]
if "external" in report["stance"]:
    found += [findings.model_vs_baseline(report["stance"]["external"], baseline="lexicon"),
              findings.model_vs_baseline(report["stance"]["external"], baseline="majority")]
Markdown(findings.render_markdown(found))"""),
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

**Question.** Did the groups' positions and arguments change between the years before
the case year (the year of `CASE_START`), the case year itself and the years after it? With
the shipped parameters: the earlier debates (up to 2023), the Pakistani crisis of 2024 and
the age-verification debates of 2025 and 2026.

Shares are of the statements of a group in a period; intervals are 95 % Wilson score
intervals, which stay honest in cells of a few statements. The tables start at the case
year (the year of `CASE_START`).
"""),
    parameters_cell(),
    code(SETUP),
    code("""
import pandas as pd

case_year = pd.Timestamp(CASE_START).year
stance = timeline.category_shares(corpus, "stance", by="group", period=PERIODS)
recent = stance[stance["period"] >= str(case_year)]
""" + table("recent[['group', 'period', 'stance', 'n', 'count', 'share', 'ci_low', 'ci_high']]")),
    code("""
fig, table = figures.figure_stance_over_time(corpus, period=PERIODS, topic=TOPIC, title=TITLE)
fig"""),
    md("""
## Frames
"""),
    code("""
frames = timeline.category_shares(corpus, "frames", by="group", period=PERIODS)
top = frames[frames["period"] >= str(case_year)].sort_values(
    ["group", "period", "share", "frames"], ascending=[True, True, False, True])
""" + table("top.groupby(['group', 'period']).head(3)[['group', 'period', 'frames', 'n', 'share', 'ci_low', 'ci_high']]")),
    code("""
fig, table = figures.figure_frames_over_time(corpus, period=PERIODS)
fig"""),
    md("""
## What we found, and the caveats

Computed by `discourse.findings.change_over_time` for three eras: before the case year, the
case year, and after it. **Change of views, not of countries:** the mix of countries changes
between eras (each finding shows the largest country's share), so every comparison holds it
fixed: it keeps only the countries with statements of the group in both eras, tests the
change within them (Cochran-Mantel-Haenszel test, countries as strata) and shows
country-standardised shares. A change is stated only if that test supports it at the 5 %
level with at least 10 statements in each era; otherwise the finding says why not.
"""),
    code("""
first, last = int(corpus["date"].dt.year.min()), int(corpus["date"].dt.year.max())
eras = [(a, b) for a, b in [(first, case_year - 1), (case_year, case_year), (case_year + 1, last)]
        if a <= b]
found = []
for code in ("opposes_restriction", "supports_restriction"):
    found += findings.changes_by_group(corpus, column="stance", value=code, periods=eras)
Markdown(findings.render_markdown(found))"""),
    md("""
**Caveats.** Eras hold few statements for some groups, so intervals are wide; a change that
cannot be concluded is not evidence of no change. Holding countries fixed sets aside the
statements of countries present in only one era. Each finding is its own test at the 5 %
level, with no correction for the number of comparisons shown: with several comparisons, one
supported change may be chance.
"""),
    code(VERSIONS),
]

NB05 = [
    md("""
# 5. The case, day by day

**Question.** How did the debate in one country unfold over a few weeks, and how does it
compare with other countries? The case is set by the parameters `CASE_COUNTRY`,
`CASE_START` and `CASE_END`; the shipped ones study Pakistan in November and December
2024, from the interior ministry's request to block "illegal VPNs" to the registration
deadline.
"""),
    parameters_cell(),
    code(SETUP),
    code("""
from discourse.style import country_label

case = timeline.window(corpus, CASE_START, CASE_END, country=CASE_COUNTRY)
Markdown(f"**Case:** {country_label(CASE_COUNTRY)}, {CASE_START} to {CASE_END}: "
         f"{len(case)} statements.")"""),
    md("""
## The timeline

Statements about the case country per month, with the events documented by the corpus.
"""),
    code("""
fig, table = figures.figure_statements_per_month(
    corpus, case_country=CASE_COUNTRY, window=(CASE_START, CASE_END), topic=TOPIC, title=TITLE)
fig"""),
    code("""
events = figures.load_events()  # the events documented by statements of the case country
events = events[events["statement_id"].isin(corpus.loc[corpus["country"] == CASE_COUNTRY, "id"])]
(display.table(events[["date", "label", "statement_id"]], text_columns=["label"]) if len(events)
 else Markdown(f"No documented events for {CASE_COUNTRY} (discourse/data/events.csv)."))"""),
    md("""
## Day by day

Every statement about the case country in the case window, in date order (month-only
dates sort first in their month).
"""),
    code(table("case[['date', 'date_precision', 'group', 'stance', 'actor']]",
               text_columns=["actor"])),
    code(table("timeline.cross_counts(case, 'group', 'stance')")),
    md("""
The state's voices in the case window, by type of actor:
"""),
    code(table("timeline.cross_counts(case[case['group'] == 'state'], 'actor_type', 'stance')")),
    md("""
## Against other countries

Net stance (share opposing restriction minus share supporting it) by country, split by
group so that a country's mix of speakers does not masquerade as its stance; 95 % intervals
and the number of statements beside each point (countries with at least 8 statements).
"""),
    code("""
fig, table = figures.figure_country_comparison(corpus, topic=TOPIC)
fig"""),
    md("""
The state's own statements, by country (countries with at least 5 state statements):
"""),
    code(table("timeline.cross_counts(corpus[corpus['group'] == 'state'], 'country', 'stance', "
               "min_total=5)")),
    md("""
## What we found, and the caveats

Computed by `discourse.findings` for the case (`CASE_COUNTRY`, `CASE_START` to `CASE_END`):
levels with their intervals, and the case's state against other countries' states.
"""),
    code("""
import numpy as np

state = corpus[corpus["group"] == "state"]
place = np.where(state["country"].astype(str) == CASE_COUNTRY, CASE_COUNTRY, "other countries")
counts = state["country"].astype(str).value_counts()
found = [
    findings.busiest_period(corpus, period="month", country=CASE_COUNTRY),
    *findings.share_levels(case, column="stance", value="opposes_restriction", by="group"),
    findings.compare_shares(state.assign(place=place), column="stance",
                            value="supports_restriction", by="place", a=CASE_COUNTRY,
                            b="other countries"),
    *findings.share_levels(state, column="stance", value="supports_restriction", by="country",
                           order=sorted(c for c in counts.index if counts[c] >= 10)),
]
Markdown(findings.render_markdown(found))"""),
    md("""
**Caveats.** A corpus that over-represents one country or its outlets makes comparisons
with other countries lean on few statements. Statements dated only to the month count as
the first of their month, and some carry the report's date, so day-by-day order is
approximate.
"""),
    code(VERSIONS),
]


def main(out: Path = OUT) -> None:
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
        nbformat.write(nb, out / name)
        print(f"wrote {out / name}")


if __name__ == "__main__":
    import sys

    # python scripts/make_notebooks.py [FOLDER]: write elsewhere (to try cells out)
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
