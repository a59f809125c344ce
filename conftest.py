"""Notebooks are tests: nbmake executes them when it is installed; without it they are skipped.

``--nbmake`` is not in the default options (pytest would stop at an unknown option when the
plugin is missing); it is switched on here instead. ``-p no:nbmake`` skips the notebooks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

NBMAKE_MISSING = (
    "nbmake is not installed, so notebooks are not executed "
    "(pip install -e '.[dev]', or pip install nbmake)"
)


def pytest_configure(config: pytest.Config) -> None:
    if config.pluginmanager.hasplugin("nbmake"):
        config.option.nbmake = True


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
