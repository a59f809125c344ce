"""The pieces ``draw_dot`` draws for one operation: op nodes, intermediate values, edges.

A node made by an operation is drawn as an oval for the operation with one edge per operand.
With ``expand_fused`` a fused ``sum`` or ``affine`` node is drawn as the chain of binary ``+``
and ``*`` it replaces, with the intermediate values micrograd would have made.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

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
    affine_split = v._prim.split if v._prim is not None else None
    if expand and affine_split is not None and len(v.parents) > 1:
        ps = v.parents

        def term(i: int) -> _Term:
            return (names[ps[i]], ps[i].data, i)

        # positions of the weights, of the inputs (or the inputs themselves: numbers) and bias
        ws, xs, b = affine_split(range(len(ps)), v._arg)
        numbers = isinstance(v._arg, tuple)  # affine of numbers: its inputs are the constant
        factors: list[tuple[_Term, _Term | float]] = [
            (term(w), x if numbers else term(x)) for w, x in zip(ws, xs)
        ]
        return expanded(name, [term(b)], factors)
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
