"""The project's promises about packaging, the data package and provenance."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from _changelog import read_changes

from discourse import load_corpus
from discourse.paths import shipped_corpus_dir
from discourse.schema import table_schema

ROOT = Path(__file__).resolve().parent.parent
# The research register sits beside the repository (../shared/register); a worktree elsewhere
# can point to it with DISCOURSE_REGISTER.
REGISTER = Path(os.environ.get("DISCOURSE_REGISTER", ROOT.parent / "shared" / "register"))
CHANGES = ROOT / "corpus" / "CHANGES.md"


def _words(text: str) -> list[str]:
    """Lower-case words without punctuation: a comma must not hide a copied run."""
    return re.findall(r"[a-z0-9]+", text.lower())


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_constraints_pin_every_dependency():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[name.lower().replace("_", "-")] = version
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {_name(d) for d in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        names |= {_name(d) for d in extra}
    assert names <= set(pins), names - set(pins)
    assert all(re.fullmatch(r"[0-9][0-9A-Za-z.+!-]*", v) for v in pins.values())


def test_datapackage_schema_is_the_library_schema():
    package = json.loads((shipped_corpus_dir() / "datapackage.json").read_text())
    (resource,) = package["resources"]
    assert resource["path"] == "statements.csv"
    assert resource["schema"] == table_schema()


def test_frictionless_validates_the_data_package():
    frictionless = Path(sys.executable).with_name("frictionless")
    result = subprocess.run([str(frictionless), "validate", "--json",
                             str(shipped_corpus_dir() / "datapackage.json")],
                            capture_output=True, text=True)
    report = json.loads(result.stdout)
    assert result.returncode == 0 and report["valid"], result.stdout[:2000]


#: The project's own research records (rows added after the register), same form.
RESEARCH = ROOT / "corpus" / "research"


def _research_files() -> list[Path]:
    return sorted(p for p in RESEARCH.glob("*.jsonl") if p.name != "second_check.jsonl")


def _register() -> dict[str, dict]:
    register = {}
    for path in sorted(REGISTER.glob("*.jsonl")) + _research_files():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                entry = json.loads(line)
                register[entry["id"]] = entry
    return register


def _as_logged(value) -> str:
    """A register or row value as CHANGES.md writes it: lists joined by ';'."""
    return ";".join(value) if isinstance(value, list) else str(value)


@pytest.mark.skipif(not REGISTER.is_dir(), reason="the research register (../shared) is absent")
def test_every_row_traces_to_its_register_entry():
    register = _register()
    changes = {(c["id"], c["field"]): c for c in read_changes(CHANGES)}
    corpus = load_corpus()
    used = set()
    for row in corpus.itertuples():
        entry = register.get(row.id)
        assert entry is not None, f"{row.id} is not in the register"
        assert row.source_url == entry["source_url"], row.id
        # facts and codes carry over unchanged, or the change is logged in CHANGES.md
        for name in ("actor", "group", "actor_type", "country", "language", "publisher",
                     "stance", "date_source", "frames", "key_terms"):
            have, want = _as_logged(getattr(row, name)), _as_logged(entry[name])
            if have == want:
                assert (row.id, name) not in changes, f"{row.id} {name}: logged but unchanged"
                continue
            change = changes.get((row.id, name))
            assert change is not None, f"{row.id} {name}: {want!r} -> {have!r} is not in " \
                "CHANGES.md"
            assert (change["old"], change["new"]) == (want, have), (row.id, name, change)
            used.add((row.id, name))
        assert row.date.strftime("%Y-%m-%d" if len(entry["date"]) == 10 else "%Y-%m") == \
            entry["date"], row.id
        # our paraphrase works in the actor's own key terms, and copies no claim
        for term in entry["key_terms"]:
            assert term.lower() in row.text.lower(), (row.id, term)
        text = " " + " ".join(_words(row.text)) + " "
        for claim in entry["claims"]:
            words = _words(claim)
            runs = {" ".join(words[i:i + 8]) for i in range(len(words) - 7)}
            copied = [run for run in runs if f" {run} " in text]
            assert not copied, (row.id, copied)
    assert set(changes) - used == set(), "CHANGES.md logs changes to ids not in the corpus"
    left_out = sorted(set(register) - set(corpus["id"]))
    assert left_out == [], f"register entries not in the corpus: {left_out}"


def test_change_log_is_read_strictly(tmp_path):
    path = tmp_path / "CHANGES.md"
    header = ("## Code changes\n\n| id | field | old | new | rule | reason |\n"
              "|---|---|---|---|---|---|\n")
    path.write_text(header + "| a | stance | `neutral` | `conditional` | S4 | why |\n")
    assert read_changes(path) == [{"id": "a", "field": "stance", "old": "neutral",
                                   "new": "conditional", "rule": "S4", "reason": "why"}]
    for bad, message in [("| a | stance | x | y | S4 |\n", "cells"),
                         ("| a | text | x | y | S4 | why |\n", "unknown field"),
                         ("| a | stance | x | y |  | why |\n", "rule and a reason"),
                         ("| a | stance | x | y | S4 | why |\n" * 2, "second change")]:
        path.write_text(header + bad)
        with pytest.raises(ValueError, match=message):
            read_changes(path)
    path.write_text("# no table\n")
    with pytest.raises(ValueError, match="no '## Code changes' section"):
        read_changes(path)


def test_non_editable_install_ships_the_corpus(tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--no-build-isolation", "--disable-pip-version-check", "--target",
                    str(target), str(ROOT)], check=True, capture_output=True)
    code = ("import discourse, discourse.paths as p; "
            "print(discourse.__file__); print(p.shipped_corpus_dir()); "
            "print(len(discourse.load_corpus()))")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, env=env,
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[0].startswith(str(target))
    assert out[1] == str(target / "discourse" / "_corpus")
    assert int(out[2]) == len(load_corpus())


def test_top_level_namespace_loads_modules_and_names_lazily():
    import discourse

    for name in discourse.__all__:
        assert getattr(discourse, name) is not None, name
    assert discourse.themes.ThemeModel is discourse.ThemeModel
    assert callable(discourse.evaluate.evaluate)  # the module, not shadowed by the function
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        discourse.nope  # noqa: B018


def test_readme_states_the_corpus_size_the_data_has():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"{len(load_corpus())} real statements" in readme
