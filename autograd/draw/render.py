"""Which program turns DOT text into pictures, and the graph class that runs it.

The ``graphviz`` package only writes DOT text; ``.pipe()``, ``.render()`` and Jupyter's inline
display run an executable. The graphs stepgrad returns (``StepgradDigraph``, a
``graphviz.Digraph``) run a system ``dot`` when one is on PATH, and otherwise the static
renderer that the ``graphviz-pure`` wheel installs into this environment's scripts folder
(found from the interpreter, so it works in a kernel started without an activated venv).

Where no program can run (Pyodide in a browser: ``sys.platform == "emscripten"``, no
subprocesses), a *renderer function* does the work instead: ``set_renderer(function)`` plugs
one in (DOT text in, the picture out, e.g. Graphviz compiled to WebAssembly), and under
Pyodide stepgrad picks ``browser_renderer`` by itself, which calls the page's JavaScript
function ``stepgradRenderDot``. Every picture stepgrad makes goes through ``run_renderer``,
so a renderer function serves ``draw_dot``, the steppers and ``.render()`` alike.

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

import base64
import contextlib
import os
import shutil
import subprocess
import sys
import sysconfig
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import graphviz

from autograd.draw.page import image, natural
from autograd.errors import RendererFormatError, RendererNotFound

__all__ = [
    "RendererFormatError",
    "RendererNotFound",
    "StepgradDigraph",
    "browser_renderer",
    "bundled_renderer",
    "current_renderer",
    "current_renderer_function",
    "mimebundle",
    "run_renderer",
    "set_renderer",
    "use_renderer",
]

_BUNDLED = "graphviz-pure" + (".exe" if os.name == "nt" else "")

_lock = threading.Lock()
_chosen: Path | None = None  # None until the first picture (or a use_renderer() call)
# a renderer function and the formats it makes (None: any), or None for the program
_function: tuple[Callable[..., str | bytes], frozenset[str] | None] | None = None


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


def set_renderer(
    function: Callable[..., str | bytes] | None, *, formats: Iterable[str] | None = None
) -> None:
    """Make stepgrad's pictures with ``function`` instead of a program (None: back to one).

    ``function(source, format=, engine=, neato_no_op=)`` gets the DOT text, the output format
    (``"svg"``, ``"json"``, ``"png"``...), the layout engine (``"dot"``, ``"neato"``) and
    neato's no-layout flag (None, or 2 for ``-n2``), and returns the picture as text or bytes.
    No subprocess runs: this is how a platform without programs (Pyodide in the browser) plugs
    in Graphviz compiled to WebAssembly. ``formats`` names the formats it makes (None: all);
    asking for another raises ``RendererFormatError``, and Jupyter's display then shows the
    SVG alone. Only stepgrad's graphs are affected.

    >>> def renderer(source, *, format, engine, neato_no_op):
    ...     return f"<svg><!-- {engine} {format} {len(source)} --></svg>"
    >>> set_renderer(renderer, formats=["svg"])
    >>> run_renderer("digraph { a -> b }")
    b'<svg><!-- dot svg 18 --></svg>'
    >>> set_renderer(None)  # the program again (a system dot, else graphviz-pure)
    """
    global _function
    if function is not None and not callable(function):
        raise TypeError(
            f"set_renderer: function must be callable or None (got {type(function).__name__})"
        )
    if isinstance(formats, str):
        raise TypeError(f"set_renderer: formats must be a list of formats (got {formats!r})")
    chosen = None if formats is None else frozenset(formats)
    with _lock:
        _function = None if function is None else (function, chosen)


def current_renderer_function() -> Callable[..., str | bytes] | None:
    """The renderer function in use: ``set_renderer``'s, else under Pyodide ``browser_renderer``.

    None where stepgrad runs a program (``current_renderer()``) instead.
    """
    chosen = _function_and_formats()
    return None if chosen is None else chosen[0]


def _function_and_formats():
    with _lock:
        if _function is not None:
            return _function
    if sys.platform == "emscripten":  # Pyodide: no subprocesses; the page renders
        return browser_renderer, _BROWSER_FORMATS
    return None


_BROWSER_FORMATS = frozenset({"svg", "json", "dot", "xdot", "plain", "plain-ext", "canon"})


def browser_renderer(source: str, *, format: str, engine: str, neato_no_op=None) -> str:
    """The renderer under Pyodide: the page's JavaScript ``stepgradRenderDot`` draws the graph.

    The page defines ``globalThis.stepgradRenderDot(source, format, engine, nop)`` (the
    playground does, with ``@hpcc-js/wasm-graphviz``); it returns the picture as text. SVG and
    Graphviz's text formats only: there is no PNG (Jupyter's display shows the SVG alone).
    """
    try:
        import js  # type: ignore[import-not-found]  # Pyodide's bridge to JavaScript

        draw = js.stepgradRenderDot
    except (ImportError, AttributeError):
        raise RendererNotFound(
            "this page defines no `stepgradRenderDot(source, format, engine, nop)` JavaScript "
            "function to draw with (stepgrad's playground does); or call "
            "autograd.draw.render.set_renderer(function)"
        ) from None
    return str(draw(source, format, engine, int(neato_no_op or 0)))


def _check(engine: str, format: str) -> None:
    """Refuse an engine or format that graphviz does not know, as graphviz does."""
    if engine not in graphviz.ENGINES:
        raise ValueError(
            f"render: engine must be one of {sorted(graphviz.ENGINES)} (got {engine!r})"
        )
    if format.split(":")[0] not in graphviz.FORMATS:
        raise ValueError(
            f"render: format must be a graphviz format such as 'svg' or 'png', one of "
            f"graphviz.FORMATS (got {format!r})"
        )


def _command(engine: str, format: str, neato_no_op) -> list[str]:
    """The command line that draws DOT text from stdin in ``format``."""
    cmd = [str(current_renderer()), f"-K{engine}", f"-T{format}"]
    if neato_no_op:  # True or 1: -n, 2: -n2 (neato draws the positions it is given)
        cmd.append(f"-n{int(neato_no_op)}")
    return cmd


def run_renderer(source: str, *, format: str = "svg", engine: str = "dot", neato_no_op=None):
    """DOT text in, the picture's bytes out: the renderer function's, else a subprocess's.

    With a renderer function (``set_renderer``, or ``browser_renderer`` under Pyodide) no
    program runs; a format it does not make raises ``RendererFormatError``. Otherwise
    ``current_renderer()`` runs on the DOT text. Raises ``RendererNotFound`` without a
    renderer and ``graphviz.CalledProcessError`` (a ``subprocess.CalledProcessError``, with the
    renderer's message) when the program fails.

    >>> run_renderer("digraph { a -> b }")[:5]
    b'<?xml'
    """
    _check(engine, format)
    chosen = _function_and_formats()
    if chosen is not None:
        return _call(chosen, source, format, engine, neato_no_op)
    cmd = _command(engine, format, neato_no_op)
    done = subprocess.run(cmd, input=source.encode("utf-8"), capture_output=True, check=False)
    if done.returncode != 0:
        raise graphviz.CalledProcessError(
            done.returncode, cmd, output=done.stdout, stderr=done.stderr.decode(errors="replace")
        )
    return done.stdout


def _call(chosen, source: str, format: str, engine: str, neato_no_op) -> bytes:
    function, formats = chosen
    if formats is not None and format.split(":")[0] not in formats:
        raise RendererFormatError(
            f"render: format must be one the renderer function makes, one of {sorted(formats)} "
            f"(got {format!r})"
        )
    picture = function(source, format=format, engine=engine, neato_no_op=neato_no_op)
    if isinstance(picture, str):
        return picture.encode("utf-8")
    if isinstance(picture, bytes | bytearray):
        return bytes(picture)
    raise TypeError(
        f"render: the renderer function must return str or bytes (got {type(picture).__name__})"
    )


def _format(graph: graphviz.Digraph, format, renderer, formatter) -> str:
    parts = [format or graph.format, renderer or graph.renderer, formatter or graph.formatter]
    return ":".join(part for part in parts[: 1 + bool(parts[1]) + bool(parts[2])] if part)


def _run(graph, format, renderer, formatter, neato_no_op, engine) -> bytes:
    return run_renderer(
        graph.source,
        format=_format(graph, format, renderer, formatter),
        engine=engine or graph.engine,
        neato_no_op=neato_no_op,
    )


class StepgradDigraph(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose pictures stepgrad's renderer makes; svg by default.

    ``.pipe()``, ``.render()``, ``.view()`` and Jupyter's display run ``current_renderer()``
    (a system ``dot``, else the bundled ``graphviz-pure``) on the graph's ``.source``,
    leaving the ``graphviz`` package's settings alone. The default format is ``svg``
    (graphviz-pure cannot write graphviz's default ``pdf``); ``png`` works too. In Jupyter it
    shows as SVG with a PNG beside it, so a stored notebook opened untrusted shows it too.
    """

    _format = "svg"

    def pipe(
        self,
        format=None,
        renderer=None,
        formatter=None,
        neato_no_op=None,
        quiet: bool = False,
        *,
        engine=None,
        encoding=None,
    ):
        """The picture as bytes (as text with ``encoding=``), as ``graphviz.Digraph.pipe``."""
        data = _run(self, format, renderer, formatter, neato_no_op, engine)
        return data.decode(encoding) if encoding is not None else data

    def render(
        self,
        filename=None,
        directory=None,
        view: bool = False,
        cleanup: bool = False,
        format=None,
        renderer=None,
        formatter=None,
        neato_no_op=None,
        quiet: bool = False,
        quiet_view: bool = False,
        *,
        outfile=None,
        engine=None,
    ) -> str:
        """Save the DOT text and the picture beside it; return the picture's path.

        As ``graphviz.Digraph.render``: ``render("g")`` writes ``g`` (the DOT text) and
        ``g.svg``; ``outfile="out/p.png"`` names the picture (its suffix gives the format).
        """
        if outfile is not None:
            outfile = os.fspath(outfile)
            format = format or Path(outfile).suffix.lstrip(".") or None
            if filename is None:
                filename = str(Path(outfile).with_suffix(".gv"))
        source = self.save(filename, directory=directory)
        target = outfile or f"{source}.{format or self.format}"
        if Path(target).resolve() == Path(source).resolve():
            raise ValueError(
                f"render: outfile must be different from the DOT file (got {target!r})"
            )
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        Path(target).write_bytes(_run(self, format, renderer, formatter, neato_no_op, engine))
        if cleanup:
            os.remove(source)
        if view:
            graphviz.view(target, quiet=quiet_view)
        return target

    def _repr_mimebundle_(self, include=None, exclude=None, **_):
        return mimebundle(self, include, exclude)


def mimebundle(graph: graphviz.Digraph, include=None, exclude=None) -> dict[str, str]:
    """``{"text/html": svg in an img, "image/png": base64 png}`` of a graph, for Jupyter.

    The HTML is the SVG in one ``<img>`` (``autograd.draw.page.image``), at its own size
    (text at 100 % readable) and shrunk, never stretched, to the output's width: JupyterLab,
    VS Code, nbconvert and GitHub show it first, trusted or not (JupyterLab's own
    ``image/svg+xml`` image keeps the picture's size: a wide graph was cut off). The PNG is
    for where HTML is not shown (nbconvert to LaTeX/PDF). ``include=["image/svg+xml"]`` asks
    for the SVG itself (its own size too), left out by default: the HTML carries it.
    A renderer function that makes no PNG (``set_renderer(..., formats=["svg"])``, the
    browser's) gives the HTML alone.
    """
    default = ("text/html", "image/png")
    wanted = set(include or default) - set(exclude or ())
    bundle = {}
    if wanted & {"text/html", "image/svg+xml"}:  # its own size, shrunk to a narrower output
        svg = natural(graph.pipe(format="svg", encoding="utf-8"))
        if "text/html" in wanted:
            bundle["text/html"] = image(svg)
        if "image/svg+xml" in wanted:
            bundle["image/svg+xml"] = svg
    if "image/png" in wanted:  # at 72 dpi (1 px per point): a fallback, kept small
        small = graph.copy()
        small.graph_attr.setdefault("dpi", "72")
        # a renderer function that makes SVG only (the browser's): the SVG alone
        with contextlib.suppress(RendererFormatError):
            bundle["image/png"] = base64.b64encode(small.pipe(format="png")).decode("ascii")
    return bundle
