"""The playground's Python side: run a cell, show what it prints and what it displays.

Loaded once by playground.js into Pyodide. ``run_cell(code)`` runs code in one namespace
shared by all cells (as a notebook's kernel does); printed text goes to the page as it comes;
``display(obj)`` shows an object as Jupyter would (``_repr_html_``, ``_repr_mimebundle_``,
``_repr_svg_``, ``_repr_png_``, else its repr); a cell's last expression is displayed.
"""

import ast
import base64
import sys
import traceback

import js  # Pyodide's bridge to the page

_namespace = {"__name__": "__main__"}


class _Stream:
    def __init__(self, error):
        self.error = error

    def write(self, text):
        if text:
            js.playgroundText(text, self.error)
        return len(text)

    def flush(self):
        pass

    def isatty(self):
        return False


def _png(data):
    if isinstance(data, bytes):
        data = base64.b64encode(data).decode("ascii")
    return f'<img src="data:image/png;base64,{data}">'


def _from_bundle(obj):
    try:  # the SVG itself, inline on the page (draw_dot's Jupyter default is HTML + PNG)
        bundle = obj._repr_mimebundle_(include=["image/svg+xml", "text/html", "image/png"])
    except TypeError:
        bundle = obj._repr_mimebundle_()
    bundle = bundle or {}
    if isinstance(bundle, tuple):  # (data, metadata)
        bundle = bundle[0]
    for kind in ("image/svg+xml", "text/html"):
        if kind in bundle:
            return bundle[kind]
    return _png(bundle["image/png"]) if "image/png" in bundle else None


def _html(obj):
    """The HTML of an object's richest picture, or None (Jupyter's order of preference)."""
    found = obj._repr_html_() if hasattr(obj, "_repr_html_") else None
    if not found and hasattr(obj, "_repr_mimebundle_"):
        found = _from_bundle(obj)
    if not found and hasattr(obj, "_repr_svg_"):
        found = obj._repr_svg_()
    if not found and hasattr(obj, "_repr_png_"):
        found = _png(obj._repr_png_())
    return found or None


def display(*objects):
    """Show each object below the code, as Jupyter shows its outputs."""
    for obj in objects:
        shown = _html(obj)
        if shown is None:
            js.playgroundText(repr(obj) + "\n", False)
        else:
            js.playgroundHtml(shown)


_namespace["display"] = display


_unavailable = {}  # names whose import failed here -> the module that is missing
_OPTIONAL = (
    "it has stepgrad, graphviz, tqdm and Python's standard library (no numpy, "
    "matplotlib, torch or ipywidgets); run this in Jupyter for the rest"
)


def _explain(error):
    """A line that says why a module or name is missing here, or ''."""
    if isinstance(error, ModuleNotFoundError):
        return f"\n{error.name!r} is not available in the browser playground: {_OPTIONAL}.\n"
    if isinstance(error, NameError) and getattr(error, "name", None) in _unavailable:
        module = _unavailable[error.name]
        return (
            f"\n{error.name!r} comes from {module!r}, which is not available in the browser "
            f"playground: {_OPTIONAL}.\n"
        )
    return ""


def _magics(code):
    """IPython's %magics and !commands mean nothing here: they become comments."""
    lines = code.splitlines()
    return "\n".join(f"# {line}" if line.lstrip()[:1] in "%!" else line for line in lines)


def _skipped_import(statement, error):
    """An import of a module the browser lacks: note it, remember its names, go on."""
    for alias in statement.names:
        name = alias.asname or alias.name.split(".")[0]
        _unavailable[name] = error.name
    js.playgroundHtml(
        f'<p class="note">{error.name} is not available in the browser playground; the rest '
        "of this cell runs without it.</p>"
    )


def _run_statements(tree):
    """Each top-level statement in turn; an import of a missing module is skipped."""
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    for statement in tree.body:
        code = compile(ast.Module([statement], []), "<cell>", "exec")
        try:
            exec(code, _namespace)
        except ModuleNotFoundError as error:
            if not isinstance(statement, ast.Import | ast.ImportFrom):
                raise
            _skipped_import(statement, error)
    if last is not None:
        value = eval(compile(last, "<cell>", "eval"), _namespace)
        if value is not None:
            display(value)


def run_cell(code):
    """Run a cell; display its last expression's value, as Jupyter does."""
    sys.stdout, sys.stderr = _Stream(False), _Stream(True)
    try:
        _run_statements(ast.parse(_magics(code), "<cell>", "exec"))
    except BaseException as error:  # shown to the learner, as a kernel does
        lines = traceback.format_exception(type(error), error, error.__traceback__.tb_next)
        js.playgroundText("".join(lines) + _explain(error), True)
    finally:
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__


def _tqdm_without_threads():
    """tqdm's monitor is a thread; the browser has none (tqdm would warn at every bar)."""
    try:
        import tqdm
    except ImportError:
        return
    tqdm.tqdm.monitor_interval = 0


_tqdm_without_threads()
