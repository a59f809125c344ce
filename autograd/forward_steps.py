"""``forward_steps``: the forward pass one node at a time, each value explained in numbers.

The forward pass computes every node from its parents, in topological order: the order that
``backward()`` walks in reverse. Each step names the node, its parents' values, the operation
and the value it computes, and ``explain()`` writes the computation out (a neuron's ``affine``
node term by term: ``z1 = w11·x1 + w12·x2 + b1 = 0.3000·1.0000 + ... = 0.6900``).

Like ``backward_steps``, the iterator performs the pass: each step writes the value it computes
into ``node.data``. On a graph whose leaves have not changed since it was built this changes
nothing (the values are computed by the same rules, bit for bit); after the leaves changed (an
optimizer step), exhausting it brings every node up to date, as a fresh forward pass would,
so ``backward_steps`` accepts the graph again.

With ``tangents={x: 1.0}`` the pass is forward-mode differentiation too: each step also
computes its node's tangent (how fast it moves as ``x`` moves) from its parents' tangents, so
the derivative flows forward beside the value (``dn1 = 3.0·dx + 3.0·dx = 6.0``), and each step
holds the dual number ``value + tangent·ε`` (``step.dual``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import cast

from autograd import primitives as P
from autograd.backprop import check_value, topological_order
from autograd.backward_steps import _check_precision, _in_words, _wrap, node_names
from autograd.forward_mode import Dual, _seeds, node_tangent
from autograd.notation import fixed, op_text
from autograd.value import Value

__all__ = ["ForwardStep", "forward_steps"]


@dataclass(frozen=True, slots=True)
class ForwardStep:
    """One step of the forward pass: a node computed from its parents' values.

    A frozen record, like ``Step``. Nodes are called by their label; an unlabelled node by
    ``n`` and its place in the topological order (``n3``), the name ``draw_dot`` shows.

    Attributes:
        index: 1 for the first node computed, 2 for the next, ...
        node: the Value computed in this step.
        inputs: its parents' values, in operand order (the numbers the operation used).
        op: the operation as it reads in pictures (``"*"``, ``"sigmoid"``, ``"+ -1"``, ...).
        value: the value computed (what ``node.data`` holds after the step).
        tangent: with ``forward_steps(root, tangents=...)``, the node's tangent (0.0 when it
            depends on no seeded node); otherwise None.
        input_tangents: the parents' tangents, in operand order (None for a parent without
            one); ``()`` without tangents.
    """

    index: int
    node: Value
    inputs: tuple[float, ...]
    op: str
    value: float
    names: dict = field(default_factory=dict, compare=False, repr=False)
    tangent: float | None = None
    input_tangents: tuple[float | None, ...] = ()

    @property
    def dual(self) -> Dual:
        """The node as a dual number ``value + tangent·ε`` (needs tangents).

        >>> from autograd import Value, forward_steps
        >>> x = Value(3.0, label="x")
        >>> y = x * x
        >>> print(next(forward_steps(y, tangents={x: 1.0})).dual)
        9.0 + 6.0ε
        """
        if self.tangent is None:
            raise ValueError("ForwardStep.dual: no tangent (use forward_steps(root, tangents=...))")
        return Dual(self.value, self.tangent)

    def _name(self, v: Value) -> str:
        return v.label or self.names.get(v, "(unnamed)")

    def formula(self, precision: int = 4) -> str:
        """``z1 = w11·x1 + b1 = 0.3000·1.0000 + 0.1000 = 0.4000``: the step in one line.

        >>> from autograd import Value, forward_steps
        >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
        >>> c = (a * b).tanh(); c.label = "c"
        >>> [s.formula(2) for s in forward_steps(c)]
        ['n2 = a * b = 2.00 * (-3.00) = -6.00', 'c = tanh(n2) = tanh(-6.00) = -1.00']
        """
        _check_precision(precision, "ForwardStep.formula")

        def fmt(x: float) -> str:
            return fixed(x, precision)  # what rounds to 0 reads 0.0000, never -0.0000

        names = [self._name(p) for p in self.node.parents]
        numbers = [fmt(x) for x in self.inputs]
        symbolic = _in_words(self.node, names, None)
        numeric = _in_words(self.node, numbers, fmt)
        return f"{self._name(self.node)} = {symbolic} = {numeric} = {fmt(self.value)}"

    def tangent_formula(self, precision: int = 4) -> str:
        """``dc = (-3.00)·da + 2.00·db = (-3.00)·1.00 + 2.00·0.00 = -3.00``: the tangent's step.

        Each parent that carries a tangent adds its local derivative (a number: d node / d
        parent at this step's inputs) times its tangent ``d<parent>``; the sum is the node's
        tangent. A node that depends on no seeded node reads ``dn = 0``.

        >>> from autograd import Value, forward_steps
        >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
        >>> c = a * b; c.label = "c"
        >>> print(next(forward_steps(c, tangents={a: 1.0, b: 0.0})).tangent_formula(2))
        dc = (-3.00)·da + 2.00·db = (-3.00)·1.00 + 2.00·0.00 = -3.00
        """
        _check_precision(precision, "ForwardStep.tangent_formula")
        if self.tangent is None:
            raise ValueError(
                "ForwardStep.tangent_formula: no tangent (use forward_steps(root, tangents=...))"
            )

        def number(x: float) -> str:
            return fixed(x, precision)

        def fmt(x: float) -> str:
            return _wrap(number(x))

        name = f"d{self._name(self.node)}"
        terms = [
            (fmt(local), f"d{self._name(p)}", fmt(t))
            for p, t, local in zip(self.node.parents, self.input_tangents, self._locals())
            if t is not None
        ]
        if not terms:
            return f"{name} = 0"
        symbolic = " + ".join(f"{d}·{dp}" for d, dp, _ in terms)
        numeric = " + ".join(f"{d}·{t}" for d, _, t in terms)
        return f"{name} = {symbolic} = {numeric} = {number(self.tangent)}"

    def _locals(self) -> tuple:
        """d node / d parent for each parent, at this step's inputs: the vjp rule at g = 1."""
        prim, c = cast(P.Primitive, self.node._prim), self.node._arg
        if c is None:
            return prim.vjp(1.0, self.value, *self.inputs)
        return prim.vjp(1.0, self.value, *self.inputs, c)

    def explain(self, precision: int = 4) -> str:
        """The step for printing: ``step k: <formula>``.

        >>> from autograd import Value, affine, forward_steps
        >>> w = [Value(0.3, label="w11"), Value(0.5, label="w12")]
        >>> x = [Value(1.0, label="x1"), Value(0.0, label="x2")]
        >>> z = affine(w, x, Value(0.1, label="b1")); z.label = "z1"
        >>> print(next(forward_steps(z)).explain())
        step 1: z1 = w11·x1 + w12·x2 + b1 = 0.3000·1.0000 + 0.5000·0.0000 + 0.1000 = 0.4000

        With tangents, a second line shows the tangent flowing forward:

        >>> x = Value(3.0, label="x")
        >>> y = x * x; y.label = "y"
        >>> print(next(forward_steps(y, tangents={x: 1.0})).explain(1))
        step 1: y = x * x = 3.0 * 3.0 = 9.0
                dy = 3.0·dx + 3.0·dx = 3.0·1.0 + 3.0·1.0 = 6.0
        """
        line = f"step {self.index}: {self.formula(precision)}"
        if self.tangent is None:
            return line
        indent = " " * len(f"step {self.index}: ")
        return f"{line}\n{indent}{self.tangent_formula(precision)}"


def forward_steps(
    root: Value, *, tangents: Mapping[Value, float] | None = None
) -> Iterator[ForwardStep]:
    """The forward pass that computes ``root``, one node per step, in topological order.

    The steps visit the nodes that have parents (leaves are given, not computed) in
    ``topological_order(root)``, the reverse of backward's order, so there are as many forward
    steps as ``backward_steps`` has. Nothing happens until the first ``next()``; then every
    value is computed from the leaves as they are (an error, such as ``log`` of a negative
    number after an update, is raised before any node changes) and each step writes its
    node's ``data``.

    ``tangents`` (a mapping of Values, usually leaves, to numbers, as ``{x: 1.0}``) makes it
    forward-mode differentiation as well: each step then also carries its node's tangent,
    computed by the node's forward-mode rule, and ``explain()`` shows it (see
    ``autograd.forward_tangents``, which gives the same numbers).

    >>> from autograd import Value, forward_steps
    >>> x = Value(3.0, label="x")
    >>> y = x * x + 1; y.label = "y"
    >>> for step in forward_steps(y):
    ...     print(step.explain(1))
    step 1: n1 = x * x = 3.0 * 3.0 = 9.0
    step 2: y = n1 + 1 = 9.0 + 1 = 10.0
    >>> x.data = 2.0  # the leaf changed: the pass recomputes every node from it
    >>> [s.value for s in forward_steps(y)], y.data
    ([4.0, 5.0], 5.0)
    """
    check_value(root, "forward_steps")
    seeds = None if tangents is None else _seeds(tangents, False, "forward_steps", "tangents")
    return _steps(root, seeds)


def _steps(root: Value, seeds: dict[Value, float] | None) -> Iterator[ForwardStep]:
    everything = topological_order(root)
    names = node_names(everything)
    order = [v for v in everything if v.parents]
    values: dict[Value, float] = {}
    for node in order:  # every value first: an error leaves the graph as it was
        data = [values.get(p, p.data) for p in node.parents]
        values[node] = _recompute(node, data)
    known = {} if seeds is None else _tangents(order, values, seeds)
    for index, node in enumerate(order, start=1):
        inputs = tuple(values.get(p, p.data) for p in node.parents)
        node.data = values[node]
        step = ForwardStep(index, node, inputs, op_text(node), node.data, names)
        if seeds is not None:
            given = tuple(known.get(p) for p in node.parents)
            step = replace(step, tangent=known.get(node, 0.0), input_tangents=given)
        yield step


def _tangents(order: list[Value], values: dict[Value, float], seeds: dict) -> dict:
    """The tangents of the seeded nodes and of the nodes that depend on one (new values)."""
    known = dict(seeds)
    for node in order:
        t = tuple(known.get(p) for p in node.parents)
        if node in known or all(ti is None for ti in t):
            continue
        data = [values.get(p, p.data) for p in node.parents]
        known[node] = node_tangent(node, t, data, values[node])
    return known


def _recompute(node: Value, data: list[float]) -> float:
    """The node's value from its parents' values, by the rule that made it."""
    prim, c = cast(P.Primitive, node._prim), node._arg  # a node with parents has a rule
    return prim.forward(*data) if c is None else prim.forward(*data, c)
