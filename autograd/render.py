"""Which program turns DOT text into pictures.

The ``graphviz`` package only writes DOT text; ``.pipe()``, ``.render()`` and Jupyter's inline
display run an executable. stepgrad uses a system ``dot`` when one is on PATH, and otherwise
the static renderer that the ``graphviz-pure`` wheel installs into this environment's scripts
folder (found from the interpreter, so it works in a kernel started without an activated venv).
"""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from pathlib import Path

import graphviz.backend.dot_command as _dot_command

_BUNDLED = "graphviz-pure" + (".exe" if os.name == "nt" else "")


def bundled_renderer() -> Path | None:
    """The ``graphviz-pure`` binary of this environment, or None when it is not installed."""
    folders = [sysconfig.get_path("scripts"), str(Path(sys.executable).parent)]
    for folder in folders:
        candidate = Path(folder) / _BUNDLED
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(_BUNDLED)
    return Path(found) if found else None


def use_renderer(*, prefer_system: bool = True) -> Path:
    """Point the ``graphviz`` package at a renderer and return the program chosen.

    With ``prefer_system=True`` (what importing ``autograd`` does) a system ``dot`` wins when
    present; ``prefer_system=False`` always picks the bundled one. Raises RuntimeError when
    neither exists (reinstall stepgrad: ``pip install graphviz-pure``).
    """
    system = shutil.which("dot") if prefer_system else None
    chosen = Path(system) if system else bundled_renderer()
    if chosen is None:
        raise RuntimeError(
            "no Graphviz renderer found: neither a system `dot` nor this environment's "
            "`graphviz-pure` (install it with: pip install graphviz-pure)"
        )
    # graphviz 0.20/0.21 read this module global at every call; the top-level
    # graphviz.DOT_BINARY is a copy and setting it has no effect.
    _dot_command.DOT_BINARY = chosen
    return chosen


def current_renderer() -> Path:
    """The program the ``graphviz`` package will run."""
    return Path(_dot_command.DOT_BINARY)
