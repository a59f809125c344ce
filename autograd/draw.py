"""``draw_dot``: a computation graph as a ``graphviz.Digraph``.

Each Value is a record node (label | data | grad); each operation is a small oval node; each
use of an operand is one edge (``a + a`` shows two). Node names come from the topological
order, so the same graph always gives the same DOT text.
"""

from __future__ import annotations

import graphviz

from autograd.backprop import topological_order
from autograd.render import use_renderer
from autograd.value import Value

_RANKDIRS = ("LR", "RL", "TB", "BT")


def draw_dot(root: Value, *, rankdir: str = "LR", precision: int = 4) -> graphviz.Digraph:
    """Draw the graph that computed ``root``.

    Args:
        root: the output Value; every node it depends on is drawn.
        rankdir: layout direction, ``"LR"`` (left to right, the default), ``"TB"``, ...
        precision: digits after the point for data and grad.

    Returns a ``graphviz.Digraph``: it shows inline in Jupyter, and ``.pipe(format="svg")`` or
    ``.render(...)`` make pictures (a system ``dot`` or the bundled renderer is used).

    >>> from autograd import Value, draw_dot
    >>> a = Value(2.0, label="a")
    >>> b = a + a
    >>> dot = draw_dot(b)
    >>> dot.source.count("->")  # a -> +, a -> + (two uses), + -> b
    3
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot: expected a Value, got {root!r} ({type(root).__name__})")
    if rankdir not in _RANKDIRS:
        raise ValueError(f"draw_dot: rankdir must be one of {_RANKDIRS} (got {rankdir!r})")
    if isinstance(precision, bool) or not isinstance(precision, int) or precision < 0:
        raise ValueError(f"draw_dot: precision must be an int >= 0 (got {precision!r})")
    dot = graphviz.Digraph(graph_attr={"rankdir": rankdir}, node_attr={"fontsize": "11"})
    order = topological_order(root)
    names = {v: f"v{i}" for i, v in enumerate(order)}
    for v in order:
        name = names[v]
        fields = [_escape(v.label)] if v.label else []
        fields += [f"data {v.data:.{precision}f}", f"grad {v.grad:.{precision}f}"]
        dot.node(name, "{ " + " | ".join(fields) + " }", shape="record")
        if v.parents:
            dot.node(name + "_op", _escape(op_text(v)), shape="oval")
            for p in v.parents:
                dot.edge(names[p], name + "_op")
            dot.edge(name + "_op", name)
    return dot


def op_text(v: Value) -> str:
    """How an operation reads in a picture: ``+``, ``* 2``, ``2 **``, ``tanh``, ..."""
    prim, c = v._prim, v._arg
    if prim is None:
        return ""
    if not isinstance(c, float):  # no constant, or a fused node's tuple of constants
        return prim.name
    return f"{c:g} {prim.name}" if prim.const_first else f"{prim.name} {c:g}"


def _escape(text: str) -> str:
    """Escape the characters that have a meaning inside a record label."""
    for ch in '\\{}|<>"':
        text = text.replace(ch, "\\" + ch)
    return text


use_renderer()
