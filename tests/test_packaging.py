"""The distribution's metadata says what is true: version, license, Pythons, floors, extras."""

import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

import autograd
import nn

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]


def _name(requirement: str) -> str:
    return re.match(r"[A-Za-z0-9][\w.-]*", requirement)[0].lower().replace("_", "-")


def test_one_version_everywhere():
    installed = metadata.version("stepgrad")
    assert autograd.__version__ == nn.__version__ == installed, (
        "autograd/__init__.py holds the version; reinstall (pip install -e .) after changing it"
    )


def test_license_file_matches_the_metadata():
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "the stepgrad authors" in text
    assert PROJECT["license"] == "MIT"
    assert metadata.metadata("stepgrad")["License-Expression"] == "MIT"


def test_classifiers_name_the_pythons_that_ci_runs():
    tested = {"3.11", "3.12", "3.13"}
    classified = {
        c.rsplit(" :: ", 1)[1]
        for c in PROJECT["classifiers"]
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    }
    assert classified == tested
    assert PROJECT["requires-python"] == ">=3.11"
    ci = (ROOT / ".ci" / "run").read_text()
    ci_pythons = re.search(r"for version in ([\d. ]+); do", ci)[1].split()
    assert set(ci_pythons) == tested


def test_every_direct_dependency_has_a_floor():
    """`.ci/lowest-versions` installs each floor; a requirement without one could not be checked."""
    requirements = PROJECT["dependencies"] + [
        r for extra in PROJECT["optional-dependencies"].values() for r in extra
    ]
    for requirement in requirements:
        assert re.search(r"(>=|==)\s*\d", requirement), requirement


def test_extras_for_users():
    extras = PROJECT["optional-dependencies"]
    assert [_name(r) for r in extras["testing"]] == ["hypothesis"]
    assert {"jupyterlab", "ipywidgets", "ipykernel"} <= {_name(r) for r in extras["notebooks"]}
    dev = {_name(r) for r in extras["dev"]}
    assert {"pytest", "hypothesis", "nbmake", "ruff", "mypy"} <= dev


def test_both_packages_ship_type_information():
    for package in (autograd, nn):
        assert (Path(package.__file__).parent / "py.typed").is_file()
    assert PYPROJECT["tool"]["mypy"]["packages"] == ["autograd", "nn"]


def test_pytest_options_need_no_plugin_and_keep_the_cache():
    addopts = PYPROJECT["tool"]["pytest"]["ini_options"]["addopts"].split()
    assert "--nbmake" not in addopts and "no:cacheprovider" not in addopts


def _pytest(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_without_nbmake_the_notebooks_are_skipped_with_the_reason():
    notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks
    done = _pytest("-p", "no:nbmake", "-rs", "-q", "notebooks")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{len(notebooks)} skipped" in done.stdout
    assert "nbmake is not installed" in done.stdout


@pytest.mark.slow
def test_with_nbmake_the_notebooks_are_collected():
    pytest.importorskip("nbmake")
    done = _pytest("--collect-only", "-q", "notebooks")
    assert done.returncode == 0, done.stdout + done.stderr
    for notebook in (ROOT / "notebooks").glob("*.ipynb"):
        assert f"notebooks/{notebook.name}" in done.stdout
