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
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import cast

from autograd import primitives as P
from autograd._dot_parts import op_text
from autograd.backprop import check_value, topological_order
from autograd.steps import _check_precision, _formula, node_names
from autograd.value import Value


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
    """

    index: int
    node: Value
    inputs: tuple[float, ...]
    op: str
    value: float
    names: dict = field(default_factory=dict, compare=False, repr=False)

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
            return f"{x + 0.0:.{precision}f}"  # + 0.0: an exact -0.0 reads 0.0000

        names = [self._name(p) for p in self.node.parents]
        numbers = [fmt(x) for x in self.inputs]
        symbolic = _in_words(self.node, names, None)
        numeric = _in_words(self.node, numbers, fmt)
        return f"{self._name(self.node)} = {symbolic} = {numeric} = {fmt(self.value)}"

    def explain(self, precision: int = 4) -> str:
        """The step for printing: ``step k: <formula>``.

        >>> from autograd import Value, affine, forward_steps
        >>> w = [Value(0.3, label="w11"), Value(0.5, label="w12")]
        >>> x = [Value(1.0, label="x1"), Value(0.0, label="x2")]
        >>> z = affine(w, x, Value(0.1, label="b1")); z.label = "z1"
        >>> print(next(forward_steps(z)).explain())
        step 1: z1 = w11·x1 + w12·x2 + b1 = 0.3000·1.0000 + 0.5000·0.0000 + 0.1000 = 0.4000
        """
        return f"step {self.index}: {self.formula(precision)}"


def forward_steps(root: Value) -> Iterator[ForwardStep]:
    """The forward pass that computes ``root``, one node per step, in topological order.

    The steps visit the nodes that have parents (leaves are given, not computed) in
    ``topological_order(root)``, the reverse of backward's order, so there are as many forward
    steps as ``backward_steps`` has. Nothing happens until the first ``next()``; then every
    value is computed from the leaves as they are (an error, such as ``log`` of a negative
    number after an update, is raised before any node changes) and each step writes its
    node's ``data``.

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
    return _steps(root)


def _steps(root: Value) -> Iterator[ForwardStep]:
    everything = topological_order(root)
    names = node_names(everything)
    order = [v for v in everything if v.parents]
    values: dict[Value, float] = {}
    for node in order:  # every value first: an error leaves the graph as it was
        data = [values.get(p, p.data) for p in node.parents]
        values[node] = _recompute(node, data)
    for index, node in enumerate(order, start=1):
        inputs = tuple(values.get(p, p.data) for p in node.parents)
        node.data = values[node]
        yield ForwardStep(index, node, inputs, op_text(node), node.data, names)


def _recompute(node: Value, data: list[float]) -> float:
    """The node's value from its parents' values, by the rule that made it."""
    prim, c = cast(P.Primitive, node._prim), node._arg  # a node with parents has a rule
    return prim.forward(*data) if c is None else prim.forward(*data, c)


def _in_words(node: Value, terms: list[str], fmt) -> str:
    """The operation applied to ``terms`` (names or numbers); fused sums term by term."""
    prim = node._prim
    if prim is P.SUM:
        return " + ".join(_wrap(t) for t in terms) if terms else "0"
    if prim in (P.AFFINE, P.AFFINE_CONST):
        if prim is P.AFFINE:
            n = len(terms) // 2
            ws, xs = terms[:n], terms[n:-1]
        else:
            ws = terms[:-1]
            consts = cast(tuple[float, ...], node._arg)  # AFFINE_CONST keeps its inputs as a tuple
            xs = [f"{c:g}" if fmt is None else fmt(c) for c in consts]
        products = [f"{_wrap(w)}·{_wrap(x)}" for w, x in zip(ws, xs)]
        return " + ".join([*products, _wrap(terms[-1])])
    return _formula(node, terms)


def _wrap(term: str) -> str:
    """A term inside a sum or a product: negative numbers and expressions in parentheses."""
    if term[:1] == "(" or not any(ch in term for ch in " +-*/"):
        return term
    return f"({term})"
