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

- Twelve themes are stable across random starts (stability above 0.9) and the most
  coherent of the stable models (the largest number tried, so more may be supported).
  They separate laws that license, log or punish VPN use; measured censorship and VPN
  demand in protests; the rights argument; social-media blocks; mobile-internet
  shutdowns; age checks and VPN circumvention; anti-piracy blocking; the IT industry's
  costs; providers pulling servers; the courts; parliamentary committees; and app-store
  removals.
- Civil society's vocabulary is about *rights*, *expression* and *freedom*; industry's about
  *servers*, *providers*, *apps*, *sign-ups* and *percent* (VPN companies' figures); the
  state's about *services*, *regulatory*, *telecommunications* and *registered*.
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
# 3. Stance and frames: how good are the labellers?

**Question.** Can a model label the stance and frames of a statement it has never seen,
and how good is it, measured as a reviewer would accept: on actors it never saw in
training, beside baselines, with intervals?

`StanceClassifier` is a linear model on word and character n-gram TF-IDF with balanced
class weights and temperature-scaled probabilities. Frames have two labellers: a lexicon
written from the codebook (`FrameLexicon`) and a one-vs-rest classifier
(`FrameClassifier`). `discourse.evaluate` runs 5-fold cross-validation grouped by
organisation (the corpus's `org_id`; by actor for a corpus without one), so no organisation
is in both training and test folds, repeated 3 times with different shuffles; nothing is
scored on a statement the model was trained on. It returns the report and the out-of-fold
predictions it scored.
"""),
    parameters_cell(),
    code(SETUP),
    code("""
evaluation = evaluate.evaluate(corpus, random_state=SEED)
report = evaluation.report
print(f"{report['n']} statements from {report['n_actors']} actors "
      f"({report['stance']['n_orgs']} fold groups with a stance); CV: {report['cv']}")
""" + show("evaluate.stance_scores_table(report)")),
    md("""
## Per class

The classifier beside the majority-class baseline and a keyword baseline (cue lists written
from the codebook, `evaluate.STANCE_CUES`).
"""),
    code(show("evaluate.per_class_table(report)")),
    md("""
Confusion matrix of the classifier (rows: true stance; columns: predicted; mean over the
3 repeats).
"""),
    code(show("evaluate.confusion_table(report)", 1)),
    md("""
## Frames
"""),
    code(show("evaluate.frame_summary_table(report)") + "\n" +
         show("evaluate.frame_scores_table(report)")),
    md("""
## Errors worth reading

The statements the classifier got wrong with the most confidence, out of fold (first
repeat). Many are statements whose stance lies in an act (a licence, an order) rather than
in words, or borderline cases between *conditional* and the two poles.
"""),
    code("""
oof = evaluation.stance[evaluation.stance["model"] == "classifier"]
errors = oof[(oof["repeat"] == 0) & (oof["gold"] != oof["pred"])]
errors = errors.sort_values(["proba", "id"], ascending=[False, True]).head(8)
""" + show("errors[['id', 'gold', 'pred', 'proba']]")),
    md("""
## Labelling a new statement

We write a statement of our own (not a corpus row) and label it. `evidence` lists the
terms that pushed the stance prediction.
"""),
    code("""
from discourse.label import fit_labellers

labellers = fit_labellers(corpus, random_state=SEED)
new = ("An association of internet providers said VPNs are neutral tools; a blanket ban "
       "would hurt IT exports, banking and research, so the state should regulate misuse, "
       "not the technology.")
result = labellers.label([new])[0]
print("stance:", result["stance"], {k: round(v, 3) for k, v in result["stance_proba"].items()})
print("frames:", result["frames"])
print("evidence:", result["evidence"])"""),
    code(show("labellers.stance.explain(new, top=8)")),
    md("""
## What we found, and the caveats

- Under grouped cross-validation the stance classifier reaches a macro-F1 near 0.57,
  far above the majority baseline (about 0.16) and above the keyword baseline (about
  0.46), but **below the 0.75 we aimed for**. It is good at *opposes* and *supports*,
  weaker at *conditional* and poor at *neutral* (24 statements; recall near 0.11).
- What limits it: small minority classes; stance carried by acts in reported speech
  ("ordered", "licensed") more than by cue words; the conditional/supports border
  (registration schemes) is hard for coders too. More neutral and conditional examples,
  or a pretrained sentence encoder, are the likeliest gains.
- The frame lexicon scores a little above the classifier, but it was written with the
  corpus's key terms in view, so its score is optimistic. Label new statements as a first
  pass for a human coder, not as a replacement.
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
fig, table = figures.figure_statements_per_month(corpus, case_country=CASE_COUNTRY)
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

Net stance (share opposing restriction minus share supporting it) by country, split by
group so that a country's mix of speakers does not masquerade as its stance; 95 % intervals
and the number of statements beside each point (countries with at least 8 statements).
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
