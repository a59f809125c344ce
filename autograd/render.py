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

>>> from autograd.render import StepgradDigraph
>>> g = StepgradDigraph()
>>> g.edge("a", "b")
>>> g.format  # graphviz-pure writes svg and png, not graphviz's default pdf
'svg'
>>> g.pipe(encoding="utf-8").lstrip().startswith("<?xml")
True
"""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
import threading
from collections.abc import Iterator
from pathlib import Path

import graphviz
from graphviz.backend import dot_command, execute, rendering

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


def _command(engine, format, renderer, formatter, neato_no_op) -> list[str]:
    """graphviz's own command line (checked the same way), run by stepgrad's program."""
    cmd = dot_command.command(
        engine, format, renderer=renderer, formatter=formatter, neato_no_op=neato_no_op
    )
    return [os.fspath(current_renderer()), *(os.fspath(arg) for arg in cmd[1:])]


def _pipe_lines(
    engine: str,
    format: str,
    input_lines: Iterator[str],
    *,
    input_encoding: str,
    renderer: str | None = None,
    formatter: str | None = None,
    neato_no_op: bool | int | None = None,
    quiet: bool = False,
) -> bytes:
    """``graphviz.pipe_lines`` with stepgrad's program."""
    cmd = _command(engine, format, renderer, formatter, neato_no_op)
    encoded = (line.encode(input_encoding) for line in input_lines)
    proc = execute.run_check(cmd, input_lines=encoded, capture_output=True, quiet=quiet)
    return proc.stdout


def _pipe_lines_string(
    engine: str,
    format: str,
    input_lines: Iterator[str],
    *,
    encoding: str,
    renderer: str | None = None,
    formatter: str | None = None,
    neato_no_op: bool | int | None = None,
    quiet: bool = False,
) -> str:
    """``graphviz.pipe_lines_string`` with stepgrad's program."""
    cmd = _command(engine, format, renderer, formatter, neato_no_op)
    proc = execute.run_check(
        cmd, input_lines=input_lines, encoding=encoding, capture_output=True, quiet=quiet
    )
    return proc.stdout


def _render(
    engine: str,
    format: str | None = None,
    filepath: os.PathLike | str | None = None,
    renderer: str | None = None,
    formatter: str | None = None,
    neato_no_op: bool | int | None = None,
    quiet: bool = False,
    *,
    outfile: os.PathLike | str | None = None,
    raise_if_result_exists: bool = False,
    overwrite_filepath: bool = False,
) -> str:
    """``graphviz.render`` (same checks, same file names) with stepgrad's program."""
    if raise_if_result_exists and overwrite_filepath:
        raise ValueError("overwrite_filepath cannot be combined with raise_if_result_exists")
    source = Path(filepath) if filepath is not None else None
    out = Path(outfile) if outfile is not None else None
    if out is not None:
        format = rendering.get_format(out, format=format)
        source = source if source is not None else rendering.get_filepath(out)
        if not overwrite_filepath and out.name == source.name and out.resolve() == source.resolve():
            raise ValueError(
                f"outfile {out.name!r} must be different from input file {source.name!r} "
                "(pass overwrite_filepath=True to override)"
            )
        target = out.resolve() if out.parent != source.parent else Path(out.name)
        args = ["-o", os.fspath(target), source.name]
    elif source is None or format is None:
        missing = "filepath" if source is None else "format"
        raise graphviz.RequiredArgumentError(f"{missing}: (required if outfile is not given)")
    else:
        out = rendering.get_outfile(source, format=format, renderer=renderer, formatter=formatter)
        args = ["-O", source.name]
    cmd = _command(engine, format, renderer, formatter, neato_no_op)
    if raise_if_result_exists and out.exists():
        raise graphviz.FileExistsError(f"output file exists: {os.fspath(out)!r}")
    cwd = source.parent if source.parent.parts else None
    execute.run_check(cmd + args, cwd=cwd, quiet=quiet, capture_output=True)
    return os.fspath(out)


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
