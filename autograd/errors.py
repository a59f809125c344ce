"""Every exception of stepgrad's own, in one place. Bad input raises TypeError or ValueError.

Each subclasses the built-in exception it is a case of, so ``except ValueError`` (or
``AssertionError`` in a test) catches it too:

- ``DivisionByZeroError``: ``x / 0``, ``0 ** -1``; both a ``ValueError`` and a
  ``ZeroDivisionError``, so code written for micrograd (``except ZeroDivisionError``) works;
- ``GradcheckError``: ``gradcheck`` found a gradient that disagrees (an ``AssertionError``);
- ``StaleGraphError``: a graph changed after its forward pass (a ``ValueError``);
- ``CompileError``: a graph ``compile`` cannot replay exactly (a ``ValueError``);
- ``EngineCheckError``: ``check_engine`` found a disagreement (an ``AssertionError``);
- ``RendererNotFound``: no program to draw with (a ``graphviz.ExecutableNotFound``, so a
  ``RuntimeError``);
- ``RendererFormatError``: the renderer function cannot make that format (a ``ValueError``).

The modules that raise them re-export them: ``autograd.compiling.CompileError`` is this class.
"""

from __future__ import annotations

import sysconfig
from typing import Any

import graphviz

__all__ = [
    "CompileError",
    "DivisionByZeroError",
    "EngineCheckError",
    "GradcheckError",
    "RendererFormatError",
    "RendererNotFound",
    "StaleGraphError",
]


class GradcheckError(AssertionError):
    """An analytic gradient disagrees with finite differences (raised by ``gradcheck``).

    A subclass of ``AssertionError``, so a failed check reads as a failed test in pytest.
    ``mismatches`` holds one row per disagreeing entry (see ``autograd.checking.Mismatch``).
    """

    def __init__(self, message: str, mismatches: list | None = None) -> None:
        super().__init__(message)
        self.mismatches = list(mismatches or [])


class DivisionByZeroError(ValueError, ZeroDivisionError):
    """Division by zero, or 0 raised to a negative power (which divides by zero).

    Both a ``ValueError`` and a ``ZeroDivisionError``: catch whichever you are used to.

    >>> from autograd import Value, DivisionByZeroError
    >>> try:
    ...     Value(1.0) / 0
    ... except ZeroDivisionError as error:
    ...     print(error)
    /: division by zero (1.0 / 0.0)
    >>> issubclass(DivisionByZeroError, ValueError)
    True
    """


class StaleGraphError(ValueError):
    """A node's ``data`` is not what its operation computes from its parents' ``data`` now.

    Raised by ``backward_steps`` and the steppers when the graph was changed after its
    forward pass (usually an optimizer step): its gradients would mix two forward passes.
    ``node`` is the first node found whose data no longer fits. Recompute the forward pass.
    """

    def __init__(self, message: str, node: Any) -> None:
        super().__init__(message)
        self.node = node


class CompileError(ValueError):
    """A graph that ``compile`` cannot replay exactly; the message names the node."""


class EngineCheckError(AssertionError):
    """``check_engine`` found a disagreement; the message is the report (``.report``)."""

    def __init__(self, report: Any) -> None:
        super().__init__(report.text)
        self.report = report


class RendererNotFound(graphviz.ExecutableNotFound):
    """No program to make pictures with: neither a system ``dot`` nor ``graphviz-pure``.

    A ``graphviz.ExecutableNotFound`` (so a ``RuntimeError``), as when ``graphviz`` itself
    finds no ``dot``; its message says how to get a renderer.
    """

    def __init__(self, message: str | None = None) -> None:
        RuntimeError.__init__(
            self,
            message
            or "stepgrad found no Graphviz renderer to make a picture with: neither a system "
            "`dot` on PATH nor the `graphviz-pure` renderer in this environment "
            f"({sysconfig.get_path('scripts')}). Install the bundled renderer with "
            "`pip install graphviz-pure` (it comes with stepgrad; use the pip of this "
            "environment), or a system Graphviz (`apt-get install graphviz`, "
            "`brew install graphviz`, `conda install graphviz`). The graph itself needs "
            "none: its DOT text is in `.source`.",
        )


class RendererFormatError(ValueError):
    """The renderer function cannot make this format (the WebAssembly one makes no PNG)."""
