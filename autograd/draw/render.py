"""Which program turns DOT text into pictures, and the graph class that runs it.

The ``graphviz`` package only writes DOT text; ``.pipe()``, ``.render()`` and Jupyter's inline
display run an executable. The graphs stepgrad returns (``StepgradDigraph``, a
``graphviz.Digraph``) run a system ``dot`` when one is on PATH, and otherwise the static
renderer that the ``graphviz-pure`` wheel installs into this environment's scripts folder
(found from the interpreter, so it works in a kernel started without an activated venv).

The choice is made at the first picture, not at import: ``import autograd`` works without any
renderer, and only making a picture needs one. stepgrad never changes the ``graphviz``
package's own settings (``graphviz.backend.dot_command.DOT_BINARY``): a plain
``graphviz.Digraph`` of yours keeps running your system ``dot``.

>>> from autograd.draw.render import StepgradDigraph
>>> g = StepgradDigraph()
>>> g.edge("a", "b")
>>> g.format  # graphviz-pure writes svg and png, not graphviz's default pdf
'svg'
>>> g.pipe(encoding="utf-8").lstrip().startswith("<?xml")
True
"""

from __future__ import annotations

import inspect
import os
import shutil
import sys
import sysconfig
import threading
from collections.abc import Callable
from pathlib import Path
from types import FunctionType, SimpleNamespace

import graphviz
from graphviz.backend import dot_command, piping, rendering

__all__ = [
    "RendererNotFound",
    "StepgradDigraph",
    "bundled_renderer",
    "current_renderer",
    "use_renderer",
]

_BUNDLED = "graphviz-pure" + (".exe" if os.name == "nt" else "")

_lock = threading.Lock()
_chosen: Path | None = None  # None until the first picture (or a use_renderer() call)


class RendererNotFound(graphviz.ExecutableNotFound):
    """No program to make pictures with: neither a system ``dot`` nor ``graphviz-pure``.

    A ``graphviz.ExecutableNotFound`` (so a ``RuntimeError``), as when ``graphviz`` itself
    finds no ``dot``; its message says how to get a renderer.
    """

    def __init__(self) -> None:
        RuntimeError.__init__(
            self,
            "stepgrad found no Graphviz renderer to make a picture with: neither a system "
            "`dot` on PATH nor the `graphviz-pure` renderer in this environment "
            f"({sysconfig.get_path('scripts')}). Install the bundled renderer with "
            "`pip install graphviz-pure` (it comes with stepgrad; use the pip of this "
            "environment), or a system Graphviz (`apt-get install graphviz`, "
            "`brew install graphviz`, `conda install graphviz`). The graph itself needs "
            "none: its DOT text is in `.source`.",
        )


def bundled_renderer() -> Path | None:
    """The ``graphviz-pure`` binary of this environment, or None when it is not installed."""
    folders = [sysconfig.get_path("scripts"), str(Path(sys.executable).parent)]
    for folder in folders:
        candidate = Path(folder) / _BUNDLED
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(_BUNDLED)
    return Path(found) if found else None


def _find(prefer_system: bool) -> Path:
    system = shutil.which("dot") if prefer_system else None
    chosen = Path(system) if system else bundled_renderer()
    if chosen is None:
        raise RendererNotFound()
    return chosen


def use_renderer(*, prefer_system: bool = True) -> Path:
    """Choose again which program stepgrad's graphs run, and return it.

    With ``prefer_system=True`` (the choice made by itself at the first picture) a system
    ``dot`` wins when present; ``prefer_system=False`` picks the bundled ``graphviz-pure``.
    Only stepgrad's graphs are affected. Raises ``RendererNotFound`` when there is none.
    """
    global _chosen
    chosen = _find(prefer_system)
    with _lock:
        _chosen = chosen
    return chosen


def current_renderer() -> Path:
    """The program stepgrad's graphs run (chosen now if no picture was made yet).

    Raises ``RendererNotFound`` when there is none.
    """
    global _chosen
    with _lock:
        if _chosen is None:
            _chosen = _find(prefer_system=True)
        return _chosen


def _command(engine: str, format_: str, **options) -> list:
    """graphviz's own command line (checked the same way) with stepgrad's program first."""
    cmd = dot_command.command(engine, format_, **options)
    return [current_renderer(), *cmd[1:]]


def _with_stepgrad_renderer(function: Callable) -> Callable:
    """graphviz's own ``function``, running ``current_renderer()`` where it would run ``dot``.

    graphviz 0.20 and 0.21 build every command line with ``dot_command.command``, which puts
    the module global ``DOT_BINARY`` first. This copy of ``function`` finds a ``dot_command``
    whose ``command`` puts stepgrad's program there instead; everything else (argument checks,
    file names, running the command, errors) is graphviz's own code, and graphviz's modules
    stay as they are, so a plain ``graphviz.Digraph`` keeps running its own ``dot``.
    """
    plain = inspect.unwrap(function)  # without graphviz's positional-argument warning wrapper
    scope = {**plain.__globals__, "dot_command": SimpleNamespace(command=_command)}
    copy = FunctionType(plain.__code__, scope, plain.__name__, plain.__defaults__)
    copy.__kwdefaults__ = plain.__kwdefaults__
    return copy


# graphviz.pipe_lines, graphviz.pipe_lines_string and graphviz.render, with stepgrad's program
_pipe_lines = _with_stepgrad_renderer(piping.pipe_lines)
_pipe_lines_string = _with_stepgrad_renderer(piping.pipe_lines_string)
_render = _with_stepgrad_renderer(rendering.render)


class StepgradDigraph(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose pictures stepgrad's renderer makes; svg by default.

    ``.pipe()``, ``.render()``, ``.view()`` and Jupyter's display run ``current_renderer()``
    directly (a system ``dot``, else the bundled ``graphviz-pure``), leaving the ``graphviz``
    package's settings alone. The default format is ``svg`` (graphviz-pure cannot write
    graphviz's default ``pdf``); ``png`` works too.
    """

    _format = "svg"

    # graphviz 0.20 and 0.21 make every picture through these three hooks (properties of
    # graphviz.backend.mixins that return the backend functions, "to simplify mocking").
    @property
    def _pipe_lines(self):
        return _pipe_lines

    @property
    def _pipe_lines_string(self):
        return _pipe_lines_string

    @property
    def _render(self):
        return _render
