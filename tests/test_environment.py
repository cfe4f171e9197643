"""environment.yml (conda, mamba, Binder) agrees with pyproject.toml and installs."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


def _pip_lines(env: dict) -> list[str]:
    sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(sections) == 1, "environment.yml needs exactly one pip: section"
    return [str(line) for line in sections[0]]


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = set(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        wanted |= set(extra)
    env = _environment()
    conda = {d for d in env["dependencies"] if isinstance(d, str)}
    conda -= {"pip"} | {d for d in conda if _name(d) == "python"}
    pip_only = {line for line in _pip_lines(env) if not line.startswith("-")}
    listed = {d.replace(" ", "") for d in conda | pip_only}
    assert listed == {d.replace(" ", "") for d in wanted}
    python = next(d for d in env["dependencies"] if isinstance(d, str) and _name(d) == "python")
    assert python.endswith(project["requires-python"])


def test_pip_section_is_accepted_by_pip_as_a_requirements_file(tmp_path):
    """conda hands the pip: lines to `pip install -r` in the file's folder; pip must accept them.

    pip parses the file itself (a dry run, offline, without dependencies): an option that
    pip refuses in a requirements file, such as ``--no-deps``, fails here as it fails conda.
    """
    requirements = tmp_path / "condaenv.requirements.txt"
    requirements.write_text("\n".join(_pip_lines(_environment())) + "\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", "--no-deps",
         "--no-build-isolation", "--disable-pip-version-check", "--quiet",
         "-r", str(requirements)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_pip_section_installs_the_package_itself():
    assert "-e ." in _pip_lines(_environment())
