"""docs/build's pieces without building: verification of downloads, links, doctest fences."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
BUILD = ROOT / "docs" / "_site" / "build.py"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def build(tmp_path, monkeypatch):
    module = _load("stepgrad_site_build", BUILD)
    monkeypatch.setattr(module, "CACHE", tmp_path)
    return module


def test_docs_build_is_executable_and_named_in_the_readme():
    assert os.access(ROOT / "docs" / "build", os.X_OK)
    assert "docs/build" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "site/" in (ROOT / ".gitignore").read_text().splitlines()


def test_a_tarball_that_does_not_match_its_pinned_integrity_stops_the_build(build, monkeypatch):
    ran = []
    monkeypatch.setattr(build, "_run", lambda cmd, **kwargs: ran.append(cmd))
    (build.CACHE / "pyodide-314.0.8.tgz").write_bytes(b"not the registry's tarball")
    version, integrity, _ = build.NPM["pyodide"]
    with pytest.raises(RuntimeError, match=r"pyodide-314.0.8.tgz does not match its pinned"):
        build._npm("pyodide", version, integrity)
    assert ran and ran[0][:2] == ["npm", "pack"]  # a mismatched cache is fetched again


def test_a_cached_tarball_with_the_right_integrity_is_used_as_it_is(build, monkeypatch):
    monkeypatch.setattr(build, "_run", lambda cmd, **kwargs: pytest.fail(f"ran {cmd}"))
    tarball = build.CACHE / "hpcc-js-wasm-graphviz-1.0.0.tgz"
    tarball.write_bytes(b"some bytes")
    assert build._npm("@hpcc-js/wasm-graphviz", "1.0.0", build._sha512(tarball)) == tarball


def test_every_pinned_wheel_has_a_sha256():
    lines = (ROOT / "docs" / "playground-wheels.txt").read_text().splitlines()
    pins = [line for line in lines if line and not line.startswith("#")]
    assert pins and all("==" in p and "--hash=sha256:" in p for p in pins)


def test_repository_links_become_site_links(build):
    text = "[a](docs/engine.md) [b](notebooks/02_x.ipynb) [c](https://example.org/docs/x.md)"
    assert build._links(text, from_docs=False) == (
        "[a](engine.md) [b](notebooks/02_x.md) [c](https://example.org/docs/x.md)"
    )
    assert build._links("[n](../notebooks/03_y.ipynb)", from_docs=True) == "[n](notebooks/03_y.md)"


def test_doctest_examples_become_code_blocks_but_fenced_code_is_left_alone():
    pytest.importorskip("markdown", reason="the docs extra (pip install -e '.[docs]')")
    sys.path.insert(0, str(BUILD.parent))
    try:
        fences = _load("doctest_fences", BUILD.parent / "doctest_fences.py")
    finally:
        sys.path.remove(str(BUILD.parent))
    lines = ["Text.", "", ">>> [1.0, 2.0]", "[1.0, 2.0]", "", "```python", ">>> x", "```"]
    out = fences._Fences(None).run(lines)
    assert out == [
        "Text.",
        "",
        "",
        "```pycon",
        ">>> [1.0, 2.0]",
        "[1.0, 2.0]",
        "```",
        "",
        "```python",
        ">>> x",
        "```",
    ]
