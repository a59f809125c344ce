"""``draw_dot``: a computation graph as a ``graphviz.Digraph``.

Each Value is a record node (label | data | grad); each operation is a small oval node; each
use of an operand is one edge (``a + a`` shows two). Options highlight a node or a backward
step, show each edge's local derivative, group the nodes made inside network modules into
clusters and draw fused ``sum``/``affine`` nodes as the chain of ``+`` and ``*`` they replace.
Node names come from the topological order (``v0``, ``v1``, ...), never from memory
addresses, so the same graph always gives the same DOT text.
"""

from __future__ import annotations

from typing import NamedTuple

import graphviz

from autograd import primitives as P
from autograd.backprop import contributions, topological_order
from autograd.render import use_renderer
from autograd.scopes import ScopeRecording
from autograd.steps import Step
from autograd.value import Value

_RANKDIRS = ("LR", "RL", "TB", "BT")
MAX_NODES = 500  # more Values than this make a picture that is slow to render and unreadable

# colours: the node being handled, the nodes whose gradient is final, the edges just used
_CURRENT = {"style": "filled", "fillcolor": "#ffd54f", "penwidth": "2"}
_DONE = {"style": "filled", "fillcolor": "#dcedc8"}
_RECEIVING = {"color": "#d32f2f", "penwidth": "2"}
_USED_EDGE = {"color": "#d32f2f", "fontcolor": "#d32f2f", "penwidth": "2"}


def draw_dot(
    root: Value,
    *,
    rankdir: str = "LR",
    precision: int = 4,
    show_grad: bool = True,
    show_local: bool = False,
    highlight: Value | Step | None = None,
    scopes: ScopeRecording | None = None,
    expand_fused: bool = False,
    max_nodes: int | None = MAX_NODES,
) -> graphviz.Digraph:
    """Draw the graph that computed ``root``.

    Args:
        root: the output Value; every node it depends on is drawn.
        rankdir: layout direction, ``"LR"`` (left to right, the default), ``"TB"``, ...
        precision: digits after the point for every number shown.
        show_grad: show each node's ``.grad`` (``False`` for a forward-only picture).
        show_local: label each edge with the local derivative d(node)/d(operand).
        highlight: a node to mark, or a ``Step`` from ``backward_steps``: its node is marked,
            the edges it just used are red and labelled with what they added, the nodes whose
            gradient is already final are green.
        scopes: a ``ScopeRecording`` from ``record_scopes()``: the nodes made inside each
            recorded call (a neuron, a layer) are drawn inside a labelled box.
        expand_fused: draw ``sum`` and ``affine`` nodes as the chain of ``+`` and ``*`` they
            stand for (micrograd's picture of a neuron), with the intermediate values.
        max_nodes: refuse graphs with more Values than this (ValueError); None for no limit.

    Returns a ``graphviz.Digraph``: it shows inline in Jupyter, and ``.pipe(format="svg")`` or
    ``.render(...)`` make pictures (a system ``dot`` or the bundled renderer is used).

    >>> from autograd import Value, draw_dot
    >>> a = Value(2.0, label="a")
    >>> b = a + a
    >>> dot = draw_dot(b)
    >>> dot.source.count("->")  # a -> +, a -> + (two uses), + -> b
    3
    >>> print(draw_dot(a * 3.0, show_grad=False, show_local=True, precision=1).source)
    digraph {
    ...
        v0 [label="{ a | data 2.0 }" shape=record]
        v1 [label="{ data 6.0 }" shape=record]
        v1_op [label="* 3" shape=oval]
        v0 -> v1_op [label="local 3.0"]
        v1_op -> v1
    }
    """
    _check_options(root, rankdir, precision, max_nodes, scopes)
    order = topological_order(root)
    if max_nodes is not None and len(order) > max_nodes:
        raise ValueError(
            f"draw_dot: the graph has {len(order)} Values, more than max_nodes={max_nodes}; "
            "a picture that big is slow to render and hard to read. Draw a smaller graph "
            "(one example, a smaller network), or pass max_nodes=None (or a larger number) "
            "to draw it anyway"
        )
    names = {v: f"v{i}" for i, v in enumerate(order)}
    if highlight is not None and not isinstance(highlight, Value | Step):
        raise TypeError(
            f"draw_dot: highlight must be a Value or a Step (got {type(highlight).__name__})"
        )
    step = highlight if isinstance(highlight, Step) else None
    current = step.node if step is not None else highlight
    if current is not None and current not in names:
        raise ValueError(
            f"draw_dot: highlight must be a node of the graph of root (got {current!r})"
        )
    done = _done_before(root, step)
    receiving = set(step.node.parents) if step is not None else set()
    owner = scopes.owners(names) if scopes is not None else {}

    dot = graphviz.Digraph(
        graph_attr={"rankdir": rankdir}, node_attr={"fontsize": "11"}, edge_attr={"fontsize": "10"}
    )
    boxes = _cluster_boxes(scopes, owner)
    edges: list[tuple[str, str, dict]] = []
    fmt = f"{{:.{precision}f}}".format
    for v in order:
        where = boxes.get(owner.get(v), dot)
        style = _CURRENT if v is current else _DONE if v in done else {}
        if v in receiving:
            style = {**style, **_RECEIVING}
        where.node(
            names[v], _record(v.label, v.data, v.grad, show_grad, fmt), shape="record", **style
        )
        if not v.parents:
            continue
        parts = _parts(v, names, expand_fused, show_local)
        for name, data in parts.records:  # intermediate values of an expanded fused node
            where.node(name, _record("", data, v.grad, show_grad, fmt), shape="record", **style)
        for name, text in parts.ops:
            where.node(name, _escape(text), shape="oval")
        for src, dst, j, local in parts.edges:
            attrs = {}
            labels = [f"local {fmt(local)}"] if show_local and local is not None else []
            if step is not None and v is current and j is not None:
                labels.append(f"adds {fmt(step.added[j])}")
                attrs.update(_USED_EDGE)
            if labels:
                attrs["label"] = "\n".join(labels)
            edges.append((src, dst, attrs))
    _attach_boxes(dot, boxes, scopes)
    for src, dst, attrs in edges:
        dot.edge(src, dst, **attrs)
    return dot


def op_text(v: Value) -> str:
    """How an operation reads in a picture: ``+``, ``* 2``, ``2 **``, ``tanh``, ..."""
    prim, c = v._prim, v._arg
    if prim is None:
        return ""
    if not isinstance(c, float):  # no constant, or a fused node's tuple of constants
        return prim.name
    return f"{c:g} {prim.name}" if prim.const_first else f"{prim.name} {c:g}"


# ----------------------------------------------------------------------------------------------
# the pieces of one operation: op nodes, intermediate values (expanded fused nodes), edges


class _Parts(NamedTuple):
    records: list[tuple[str, float]]  # (name, data) of intermediate values
    ops: list[tuple[str, str]]  # (name, text)
    edges: list[tuple[str, str, int | None, float | None]]  # (src, dst, parent index, local)


def _parts(v: Value, names: dict, expand: bool, show_local: bool) -> _Parts:
    name = names[v]
    if expand and v._prim is P.SUM and len(v.parents) > 1:
        return _expanded(name, [(names[p], p.data, i) for i, p in enumerate(v.parents)], [])
    if expand and v._prim in (P.AFFINE, P.AFFINE_CONST) and len(v.parents) > 1:
        ps = v.parents
        n = len(ps) // 2 if v._prim is P.AFFINE else len(ps) - 1
        bias = [(names[ps[-1]], ps[-1].data, len(ps) - 1)]
        if v._prim is P.AFFINE:
            factors = [
                ((names[ps[i]], ps[i].data, i), (names[ps[n + i]], ps[n + i].data, n + i))
                for i in range(n)
            ]
        else:
            factors = [((names[ps[i]], ps[i].data, i), v._arg[i]) for i in range(n)]
        return _expanded(name, bias, factors)
    local = contributions(v, 1.0) if show_local else [None] * len(v.parents)
    op = name + "_op"
    edges = [(names[p], op, i, d) for i, (p, d) in enumerate(zip(v.parents, local))]
    return _Parts([], [(op, op_text(v))], [*edges, (op, name, None, None)])


def _expanded(name: str, terms: list, factors: list) -> _Parts:
    """A chain of ``+`` over ``terms`` then the products ``factors``; the last sum is ``name``.

    A term is ``(node name, data, parent index)``; a factor pairs a weight term with an input
    term, or with a constant (a float).
    """
    parts = _Parts([], [], [])
    for k, (w, x) in enumerate(factors):  # products w * x become terms of the sum
        op, prod = f"{name}_mul{k}", f"{name}_prod{k}"
        if isinstance(x, tuple):
            parts.ops.append((op, "*"))
            parts.edges.extend([(w[0], op, w[2], x[1]), (x[0], op, x[2], w[1])])
            data = w[1] * x[1]
        else:
            parts.ops.append((op, f"* {x:g}"))
            parts.edges.append((w[0], op, w[2], x))
            data = w[1] * x
        parts.records.append((prod, data))
        parts.edges.append((op, prod, None, None))
        terms = [*terms, (prod, data, None)]
    acc_name, acc, j = terms[0]
    for k, (t_name, t_data, t_j) in enumerate(terms[1:], start=1):
        op = f"{name}_add{k}"
        out = name if k == len(terms) - 1 else f"{name}_sum{k}"
        parts.ops.append((op, "+"))
        parts.edges.extend([(acc_name, op, j, 1.0), (t_name, op, t_j, 1.0), (op, out, None, None)])
        acc += t_data
        if out != name:
            parts.records.append((out, acc))
        acc_name, j = out, None
    return parts


# ----------------------------------------------------------------------------------------------
# helpers


def _record(label: str, data: float, grad: float, show_grad: bool, fmt) -> str:
    fields = [_escape(label)] if label else []
    fields.append(f"data {fmt(data)}")
    if show_grad:
        fields.append(f"grad {fmt(grad)}")
    return "{ " + " | ".join(fields) + " }"


def _done_before(root: Value, step: Step | None) -> set[Value]:
    """The nodes backward handled before ``step``: their gradients are final."""
    if step is None:
        return set()
    walk = topological_order(root, include_leaves=False)[::-1]
    if not (0 < step.index <= len(walk) and walk[step.index - 1] is step.node):
        raise ValueError(
            f"draw_dot: highlight is step {step.index} of a backward pass that is not from "
            "root (draw a step with the root it was taken from)"
        )
    return set(walk[: step.index - 1])


def _cluster_boxes(scopes: ScopeRecording | None, owner: dict) -> dict[int, graphviz.Digraph]:
    """One subgraph per recorded call that owns a drawn node, and per call around those."""
    if scopes is None:
        return {}
    used = {a for index in set(owner.values()) for a in scopes.ancestors(index)}
    return {
        i: graphviz.Digraph(
            name=f"cluster_{i}",
            graph_attr={"label": scopes.scopes[i].name, "style": "rounded", "color": "#9e9e9e"},
        )
        for i in sorted(used)
    }


def _attach_boxes(dot: graphviz.Digraph, boxes: dict, scopes: ScopeRecording | None) -> None:
    """Put each box inside its enclosing call's box (inner calls first), the rest in ``dot``."""
    for i in sorted(boxes, key=lambda i: (-len(scopes.ancestors(i)), i)):  # innermost first
        parent = scopes.scopes[i].parent
        (boxes[parent] if parent is not None else dot).subgraph(boxes[i])


def _check_options(root, rankdir, precision, max_nodes, scopes) -> None:
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot: expected a Value, got {root!r} ({type(root).__name__})")
    if rankdir not in _RANKDIRS:
        raise ValueError(f"draw_dot: rankdir must be one of {_RANKDIRS} (got {rankdir!r})")
    if isinstance(precision, bool) or not isinstance(precision, int) or precision < 0:
        raise ValueError(f"draw_dot: precision must be an int >= 0 (got {precision!r})")
    if max_nodes is not None and (
        isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1
    ):
        raise ValueError(f"draw_dot: max_nodes must be an int >= 1 or None (got {max_nodes!r})")
    if scopes is not None and not isinstance(scopes, ScopeRecording):
        raise TypeError(
            f"draw_dot: scopes must come from record_scopes() (got {type(scopes).__name__})"
        )


def _escape(text: str) -> str:
    """Escape the characters that have a meaning inside a record label."""
    for ch in '\\{}|<>"':
        text = text.replace(ch, "\\" + ch)
    return text


use_renderer()
