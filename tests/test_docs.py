"""The code in README.md and docs/*.md runs as written: every ```python block, on its own.

Each block is run in a fresh namespace, in a temporary working folder, so it must carry its own
imports (a reader copies one block, not the page); a ``test_...`` function it defines (a
hypothesis property) is called too. A block right after the line
``<!-- slow -->`` (invisible on the page) is a slow test. A block that imports ``torch`` is skipped
where torch is missing (failed under ``STEPGRAD_REQUIRE_TORCH=1``, as the torch job sets it).
"""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_BLOCK = re.compile(r"^(<!-- slow -->\n)?```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def _blocks() -> list:
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in _BLOCK.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            name = f"{page.relative_to(ROOT)}:{line}"
            marks = [pytest.mark.slow] if match.group(1) else []
            found.append(pytest.param(match.group(2), id=name, marks=marks))
    return found


def test_the_pages_have_code_to_run():
    assert len(_blocks()) >= 10


@pytest.mark.parametrize("code", _blocks())
def test_the_block_runs_as_written(code, tmp_path, monkeypatch):
    needs_torch = re.search(r"^\s*(import torch|from torch)", code, re.MULTILINE)
    if needs_torch and importlib.util.find_spec("torch") is None:
        if os.environ.get("STEPGRAD_REQUIRE_TORCH") == "1":
            pytest.fail("torch is required here (STEPGRAD_REQUIRE_TORCH=1)")
        pytest.skip("needs torch (the torch extra)")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__docs__"}
    exec(compile(code, "<docs block>", "exec"), namespace)
    for name, test in namespace.items():  # a property test the block defines runs too
        if name.startswith("test_") and callable(test):
            test()
