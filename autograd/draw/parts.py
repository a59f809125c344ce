"""The pieces ``draw_dot`` draws for one operation: op nodes, intermediate values, edges.

A node made by an operation is drawn as an oval for the operation with one edge per operand.
With ``expand_fused`` a fused ``sum`` or ``affine`` node is drawn as the chain of binary ``+``
and ``*`` it replaces, with the intermediate values micrograd would have made.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, cast

from autograd import primitives as P
from autograd.backprop import contributions
from autograd.notation import op_text as op_text  # re-exported: draw imports it from here
from autograd.value import Value

__all__ = ["Parts", "expanded", "parts_of"]

# a term of a sum: (node name, data, parent index or None for a product made on the way)
_Term = tuple[str, float, int | None]


class Parts(NamedTuple):
    """What to draw for one operation (names are DOT node names)."""

    records: list[tuple[str, float]]  # (name, data) of intermediate values
    ops: list[tuple[str, str]]  # (name, text)
    edges: list[tuple[str, str, int | None, float | None]]  # (src, dst, parent index, local)


def parts_of(v: Value, names: dict, expand: bool, show_local: bool) -> Parts:
    """What the operation of ``v`` draws: its op nodes and its edges, fused ones expanded."""
    name = names[v]
    if expand and v._prim is P.SUM and len(v.parents) > 1:
        return expanded(name, [(names[p], p.data, i) for i, p in enumerate(v.parents)], [])
    if expand and v._prim in (P.AFFINE, P.AFFINE_CONST) and len(v.parents) > 1:
        ps = v.parents
        n = len(ps) // 2 if v._prim is P.AFFINE else len(ps) - 1
        bias = [(names[ps[-1]], ps[-1].data, len(ps) - 1)]
        factors: list[tuple[_Term, _Term | float]]
        if v._prim is P.AFFINE:
            factors = [
                ((names[ps[i]], ps[i].data, i), (names[ps[n + i]], ps[n + i].data, n + i))
                for i in range(n)
            ]
        else:
            consts = cast(tuple[float, ...], v._arg)  # AFFINE_CONST keeps its inputs as a tuple
            factors = [((names[ps[i]], ps[i].data, i), consts[i]) for i in range(n)]
        return expanded(name, bias, factors)
    local = contributions(v, 1.0) if show_local else [None] * len(v.parents)
    op = name + "_op"
    edges = [(names[p], op, i, d) for i, (p, d) in enumerate(zip(v.parents, local))]
    return Parts([], [(op, op_text(v))], [*edges, (op, name, None, None)])


def expanded(
    name: str, terms: Sequence[_Term], factors: list[tuple[_Term, _Term | float]]
) -> Parts:
    """A chain of ``+`` over ``terms`` then the products ``factors``; the last sum is ``name``.

    A term is ``(node name, data, parent index)``; a factor pairs a weight term with an input
    term, or with a constant (a float).
    """
    parts = Parts([], [], [])
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
