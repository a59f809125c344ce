"""Forward-mode differentiation: tangents pushed from the inputs to the outputs, no backward pass.

Reverse mode (``backward()``, ``grad()``) starts at one output and walks back, giving the
derivative of that output with respect to every input. Forward mode starts at the inputs with
a direction ``v`` (one *tangent* per input) and walks forward in topological order: each node's
tangent is computed from its parents' tangents by the node's forward-mode rule (the ``jvp``
beside the ``vjp`` in ``autograd.primitives``), e.g. ``d(x*y) = y dx + x dy``. At the end each
output's tangent is the directional derivative ``v . grad(output)``, for every output at once.

Each node then holds a dual number ``value + tangent·ε`` (``Dual``), with ``ε² = 0``:
``(3 + 1ε)·(3 + 1ε) = 9 + 6ε`` says that x·x at x = 3 is 9 and grows 6 times as fast as x.

- ``jvp(f, primals, tangents)``: ``f``'s output(s) and their directional derivative(s).
- ``forward_tangents(root, tangents)``: the tangent of every node of a graph you already built,
  for ``draw_dot(root, tangents=...)`` and ``forward_steps(root, tangents=...)``.
- ``duals(root, tangents)``: the same, as ``Dual`` numbers to print.

A node whose parents carry no tangent (it does not depend on a seeded input) has none either:
its tangent is exactly 0 and no rule runs for it, as in PyTorch's and JAX's forward mode.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from typing import Any, NamedTuple

from autograd import primitives as P
from autograd.backprop import check_value, topological_order
from autograd.inputs import renamed_keyword
from autograd.mode import enable_grad
from autograd.value import Scalar, Value, _as_float

__all__ = ["Dual", "duals", "forward_tangents", "jvp", "node_tangent"]


class Dual(NamedTuple):
    """A dual number ``primal + tangent·ε`` (``ε² = 0``): a value and how fast it changes.

    >>> from autograd import Dual
    >>> d = Dual(9.0, 6.0)
    >>> print(d)
    9.0 + 6.0ε
    >>> d.primal, d.tangent
    (9.0, 6.0)
    """

    primal: float
    tangent: float

    def __str__(self) -> str:
        """``primal ± |tangent|ε``, the sign the tangent's own (``Dual(1.0, -0.0)``: ``- 0.0ε``)."""
        sign = "-" if math.copysign(1.0, self.tangent) < 0.0 else "+"
        return f"{self.primal} {sign} {abs(self.tangent)}ε"


def forward_tangents(
    root: Value | Sequence[Value],
    tangents: Mapping[Value, Scalar] | None = None,
    *,
    create_graph: bool = False,
    seeds: Mapping[Value, Scalar] | None = None,
) -> dict[Value, Any]:
    """The tangent of every node ``root`` depends on, given the ``tangents`` of some nodes.

    One forward walk in topological order: each node's tangent comes from its parents' by the
    node's forward-mode rule. ``tangents`` maps Values (usually leaves) to their tangents: a
    seeded node keeps its seed, as if it were an input (its own parents are not looked at).
    Nodes that depend on no seeded node get ``0.0``. ``root`` may be a list of Values: one walk
    serves them all.

    With ``create_graph=True`` the rules run on the Values themselves and the tangents are
    Values with graphs of their own (the given tangents may be Values too), so they can be
    differentiated again by ``grad``; otherwise they are floats. ``seeds=`` is the old name of
    ``tangents`` (the keyword every forward-mode function takes: ``jvp``, ``duals``,
    ``forward_steps``), still accepted with a ``DeprecationWarning``.

    >>> from autograd import Value, forward_tangents
    >>> x, y = Value(3.0, label="x"), Value(2.0, label="y")
    >>> z = x * y + x
    >>> t = forward_tangents(z, {x: 1.0})  # dz/dx: one forward walk with dx = 1, dy = 0
    >>> t[z], t[x], t[y]
    (3.0, 1.0, 0.0)
    """
    roots = _roots(root, "forward_tangents")
    given = _seeds(_renamed(tangents, seeds, "forward_tangents"), create_graph)
    nodes = _all_nodes(roots)
    known = _propagate(nodes, given, create_graph)
    return {v: _finished(known.get(v, 0.0), create_graph) for v in nodes}


def duals(
    root: Value | Sequence[Value],
    tangents: Mapping[Value, float] | None = None,
    *,
    seeds: Mapping[Value, float] | None = None,
) -> dict[Value, Dual]:
    """Every node of ``root``'s graph as a dual number ``data + tangent·ε`` (see ``Dual``).

    ``tangents`` as in ``forward_tangents`` (``seeds=``, its old name, is deprecated).

    >>> from autograd import Value, duals
    >>> x = Value(3.0, label="x")
    >>> y = x * x + 1; y.label = "y"
    >>> for v, d in duals(y, {x: 1.0}).items():
    ...     print(v.label or v.op, d)
    x 3.0 + 1.0ε
    * 9.0 + 6.0ε
    y 10.0 + 6.0ε
    """
    found = forward_tangents(root, _renamed(tangents, seeds, "duals"))
    return {v: Dual(v.data, t) for v, t in found.items()}


def _renamed(tangents, seeds, where: str):
    """``tangents``, or the same given by its old name ``seeds=`` (with a DeprecationWarning)."""
    given = renamed_keyword(tangents, seeds, where, ("tangents", "seeds"), stacklevel=4)
    if given is None:
        raise TypeError(f"{where}: missing tangents (a mapping of Values to their tangents)")
    return given


def jvp(
    f: Callable[..., Any], primals: Sequence, tangents: Sequence, *, create_graph: bool = False
) -> tuple[Any, Any]:
    """``f(*primals)`` and its directional derivative along ``tangents``, by forward mode.

    ``f`` is called once on the primals (real numbers become leaf Values) and builds its
    graph; then one forward walk pushes the tangents through it (``forward_tangents``). No
    backward pass runs and no ``.grad`` changes. The derivative equals
    ``sum(t_i * d f/d x_i)``, what ``grad`` gives dotted with the tangents.

    Args:
        f: a function of ``len(primals)`` Values returning a Value or a list/tuple of Values.
        primals: the point (Values or real numbers), a list or tuple.
        tangents: the direction, one real number per primal (Values with
            ``create_graph=True``).
        create_graph: make the derivative a Value with a graph, so ``grad`` can differentiate
            it again (reverse over forward).

    Returns ``(out, tangent)``: ``f``'s output as it returned it, and its tangent (a float, or
    a list of floats for a list of outputs; Values with ``create_graph=True``). ``f``'s graph
    is recorded also under ``no_grad``: forward mode walks it.

    Raises TypeError for a non-function ``f``, primals or tangents that are not lists or
    tuples of numbers, or an ``f`` that returns no Value; ValueError when they differ in
    length.

    >>> from autograd import jvp, grad
    >>> f = lambda x, y: x * y + x.sin()
    >>> out, d = jvp(f, [2.0, 3.0], [1.0, 0.0])  # along x: df/dx = y + cos(x)
    >>> round(out.data, 4), round(d, 4)
    (6.9093, 2.5839)

    Hessian-vector products, forward over reverse: the jvp of the gradient.

    >>> g = lambda x, y: grad(x * x * y, [x, y], create_graph=True)  # (2xy, x^2)
    >>> _, hv = jvp(g, [2.0, 3.0], [1.0, 0.0])  # H @ (1, 0) = (2y, 2x)
    >>> hv
    [6.0, 4.0]
    """
    if not callable(f):
        raise TypeError(f"jvp: f must be a function (got {type(f).__name__})")
    xs = [
        x if isinstance(x, Value) else Value(_as_float(x, "jvp"))
        for x in _listed(primals, "primals")
    ]
    ts = _listed(tangents, "tangents")
    if len(ts) != len(xs):
        raise ValueError(
            f"jvp: expected one tangent per primal ({len(xs)}), got {len(ts)} tangents"
        )
    seeds = _seeds_of(xs, ts, create_graph)
    with enable_grad():  # forward mode needs f's graph, also under no_grad
        out = f(*xs)
    roots = _roots(out, "jvp: f's output")
    known = _propagate(_all_nodes(roots), seeds, create_graph)
    derivative = [_finished(known.get(r, 0.0), create_graph) for r in roots]
    return out, derivative if isinstance(out, list | tuple) else derivative[0]


def node_tangent(node: Value, t: tuple, xs: Sequence, out) -> Any:
    """The tangent of ``node`` from its parents' tangents ``t`` (None: no tangent) by its rule.

    ``xs`` and ``out`` are the parents' values and the node's value: floats, or the Values
    themselves (then the tangent is a Value with a graph).
    """
    prim: P.Primitive = node._prim  # type: ignore[assignment]  # a node with parents has one
    c = node._arg
    rule = prim.jvp or _from_vjp(prim)
    return rule(t, out, *xs) if c is None else rule(t, out, *xs, c)


def _from_vjp(prim: P.Primitive):
    """The jvp of a rule that has none (a micrograd-style ``_backward``): its vjp at g = 1."""

    def rule(t, out, *xs_and_c):
        local = prim.vjp(1.0, out, *xs_and_c)
        return P._terms(t, *[P._scaled_by(d) for d in local])

    return rule


def _propagate(nodes: list[Value], seeds: dict[Value, Any], create_graph: bool) -> dict:
    """The tangents of the seeded nodes and of every node (in topological order) after them."""
    known = dict(seeds)
    with enable_grad() if create_graph else nullcontext():
        for node in nodes:
            if node in known or not node.parents:
                continue
            t = tuple(known.get(p) for p in node.parents)
            if all(ti is None for ti in t):
                continue  # depends on no seeded node: no tangent, no rule to run
            if create_graph:
                known[node] = node_tangent(node, t, node.parents, node)
            else:
                known[node] = node_tangent(node, t, [p._data for p in node.parents], node._data)
    return known


def _finished(t, create_graph: bool):
    """A tangent as returned: a Value with ``create_graph=True`` (like ``grad``), else a float."""
    return t if not create_graph or isinstance(t, Value) else Value(t)


def _all_nodes(roots: list[Value]) -> list[Value]:
    """The nodes of all roots' graphs, each after its parents (one topological order)."""
    if len(roots) == 1:
        return topological_order(roots[0])
    seen: dict[Value, None] = {}
    for r in roots:
        seen.update(dict.fromkeys(topological_order(r)))
    return list(seen)


def _roots(root, where: str) -> list[Value]:
    if isinstance(root, list | tuple):
        for i, r in enumerate(root):
            check_value(r, f"{where}[{i}]")
        return list(root)
    check_value(root, where)
    return [root]


def _listed(items, name: str) -> list:
    if not isinstance(items, list | tuple):
        raise TypeError(f"jvp: {name} must be a list or tuple (got {type(items).__name__})")
    return list(items)


def _tangent_value(t, create_graph: bool, where: str):
    if isinstance(t, Value):
        return t if create_graph else t.data
    return _as_float(t, where)


def _seeds(seeds, create_graph: bool, where: str = "forward_tangents", name: str = "seeds") -> dict:
    """The seeds checked (Values to numbers), tangents as floats unless ``create_graph``."""
    if not isinstance(seeds, Mapping):
        raise TypeError(
            f"{where}: {name} must be a mapping of Values to tangents (got {type(seeds).__name__})"
        )
    given = {}
    for v, t in seeds.items():
        check_value(v, f"{where}: a key of {name}")
        given[v] = _tangent_value(t, create_graph, where)
    return given


def _seeds_of(xs: list[Value], ts: list, create_graph: bool) -> dict[Value, Any]:
    """Each primal's tangent; a Value passed twice gets the sum (f sees it at both places)."""
    seeds: dict[Value, Any] = {}
    for x, t in zip(xs, ts):
        t = _tangent_value(t, create_graph, "jvp")
        seeds[x] = seeds[x] + t if x in seeds else t
    return seeds
