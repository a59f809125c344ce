"""Notebooks are tests: nbmake executes them when it is installed; without it they are skipped.

``--nbmake`` is not in the default options (pytest would stop at an unknown option when the
plugin is missing); it is switched on here instead. ``-p no:nbmake`` skips the notebooks.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

NBMAKE_MISSING = (
    "nbmake is not installed, so notebooks are not executed "
    "(pip install -e '.[dev]', or pip install nbmake)"
)


def pytest_configure(config: pytest.Config) -> None:
    if config.pluginmanager.hasplugin("nbmake"):
        config.option.nbmake = True


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Notebooks are slow tests: ``pytest -m "not slow"`` leaves them out."""
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.slow)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix != ".ipynb" or parent.config.pluginmanager.hasplugin("nbmake"):
        return None
    if ".ipynb_checkpoints" in file_path.parts:
        return None
    return SkippedNotebook.from_parent(parent, path=file_path)


class SkippedNotebook(pytest.File):
    """A notebook that cannot run here: one skipped test that says why."""

    def collect(self):
        yield NotRun.from_parent(self, name=self.path.name)


class NotRun(pytest.Item):
    def runtest(self) -> None:
        pytest.skip(NBMAKE_MISSING)

    def reportinfo(self):
        return self.path, None, f"notebook {self.path.name}"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Without torch, nn/torch_bridge.py (which imports it) is not collected for its doctests.

    tests/test_torch_bridge.py then skips with the reason; under STEPGRAD_REQUIRE_TORCH=1 the
    module is collected anyway, so a missing torch fails the run.
    """
    if collection_path.name != "torch_bridge.py" or collection_path.parent.name != "nn":
        return None
    if os.environ.get("STEPGRAD_REQUIRE_TORCH") == "1":
        return None
    return True if importlib.util.find_spec("torch") is None else None
