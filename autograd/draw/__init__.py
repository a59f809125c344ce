"""Seeing the graph: ``draw_dot``, the program that renders it, and the page of a stepper.

- ``draw_dot(root)`` (``autograd.draw.dot``): a computation graph as a ``graphviz.Digraph``;
  the pieces it is made of are ``nodes`` (records, operations, edges), ``highlight`` (the
  colours of a step), ``clusters`` (boxes of recorded calls) and ``parts`` (what one operation
  draws, fused ones expanded);
- ``StepgradDigraph`` and ``use_renderer`` (``autograd.draw.render``): which program turns DOT
  text into pictures (a system ``dot``, else the bundled ``graphviz-pure``), and
  ``set_renderer`` (a Python function instead: Graphviz in WebAssembly under Pyodide);
- ``entries`` (what each node and edge of a picture shows, kept as data beside its DOT line),
  ``pinning`` (one layout for every frame of a stepper), ``sheet`` (what each position of a
  stepper changes in its one picture) and ``page`` (a stepper's HTML page).

>>> from autograd import Value
>>> from autograd.draw import draw_dot
>>> draw_dot(Value(2.0, label="x") * 3).format
'svg'
"""

from autograd.draw.dot import draw_dot
from autograd.draw.render import (
    RendererNotFound,
    StepgradDigraph,
    bundled_renderer,
    current_renderer,
    set_renderer,
    use_renderer,
)

__all__ = [
    "RendererNotFound",
    "StepgradDigraph",
    "bundled_renderer",
    "current_renderer",
    "draw_dot",
    "set_renderer",
    "use_renderer",
]
