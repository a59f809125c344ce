"""``backward_steps``: backward one node at a time, so you can watch the chain rule work.

Each step takes the next node in reverse topological order, multiplies the gradient that has
arrived at it by its local derivatives and adds the results to its parents' ``.grad``. The
additions are the ones ``backward()`` makes, in the same order, so exhausting the iterator
leaves exactly the gradients ``backward()`` gives, bit for bit; stopping after ``k`` steps
leaves the graph as backward leaves it after its first ``k`` nodes.

The iterator keeps its own running total for every node it has not handled yet, so a
``backward()`` (or a second iterator) run while it is paused cannot make it pass on a wrong
gradient: both walks add their full share to the leaves, as two ``backward()`` calls would.

A graph whose numbers no longer fit together (a weight changed by an optimizer after the
forward pass) has no meaningful backward pass: ``backward_steps`` checks every node against
its operation before it changes any gradient and raises ``StaleGraphError``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

from autograd import primitives as P
from autograd.backprop import check_value, contributions, topological_order
from autograd.errors import StaleGraphError
from autograd.notation import fixed, node_formula, op_text
from autograd.value import Value

__all__ = ["StaleGraphError", "Step", "backward_steps", "check_fresh", "node_names"]


@dataclass(frozen=True, slots=True)
class Step:
    """One step of backward: which node, the gradient that arrived, what it passed on.

    A frozen record (not a tuple): ``step.index``, ``step.node``, ... read its fields.

    Attributes:
        index: 1 for the first step (the root), 2 for the next, ...: after this step,
            ``index`` steps are done.
        node: the Value whose gradient was passed on to its parents in this step.
        grad: the gradient that had arrived at ``node``, d(root)/d(node) (``1.0`` at the root).
        local: the local derivative d(node)/d(parent) towards each parent, in operand order.
        added: what this step added to each parent's ``.grad``: ``grad * local`` (these are the
            exact numbers backward added; ``grad * local`` may differ in the last bit).
    """

    index: int
    node: Value
    grad: float
    local: tuple[float, ...]
    added: tuple[float, ...]
    names: dict = field(default_factory=dict, compare=False, repr=False)

    def explain(self, precision: int = 4) -> str:
        """The chain rule of this step in one line per parent, for printing.

        Nodes are called by their label; an unlabelled node by ``n`` and its place in the
        topological order of the graph (``n3``), the name ``draw_dot`` shows in its box.

        >>> from autograd import Value, backward_steps
        >>> a, b = Value(2.0, label="a"), Value(3.0, label="b")
        >>> c = a * b; c.label = "c"
        >>> print(next(backward_steps(c)).explain(1))
        step 1: c = a * b received grad 1.0
          to a: 1.0 × 3.0 (local) = 3.0
          to b: 1.0 × 2.0 (local) = 2.0
        """
        _check_precision(precision, "Step.explain")
        names = [self._name(x) for x in self.node.parents]
        lines = [
            f"step {self.index}: {self._name(self.node)} = {_in_words(self.node, names, None)}"
        ]
        g = fixed(self.grad, precision)
        lines[0] += f" received grad {g}"
        for name, local, added in zip(names, self.local, self.added):
            local_, added_ = fixed(local, precision), fixed(added, precision)
            lines.append(f"  to {name}: {g} × {local_} (local) = {added_}")
        return "\n".join(lines)

    def _name(self, v: Value) -> str:
        return v.label or self.names.get(v, "(unnamed)")


def node_names(order: list[Value]) -> dict[Value, str]:
    """How each node of a topological order is called: its label, or ``n`` + its place."""
    return {v: v.label or f"n{i}" for i, v in enumerate(order)}


def backward_steps(root: Value) -> Iterator[Step]:
    """Run backward from ``root`` one node at a time, yielding a ``Step`` after each node.

    Nothing happens until the first ``next()``. Then every node is checked against its
    operation (``StaleGraphError`` if one no longer fits, with no gradient changed), the
    grads of the intermediate nodes are reset to 0.0 as in ``backward()``, the seed 1.0 is
    added to ``root.grad`` and the first node passes its gradient on. Each later ``next()``
    handles one more node. Leaves accumulate (``+=``) like in ``backward()``. If a rule of
    your own raises (a ``define_op`` rule), every ``.grad`` is put back as it was before the
    first step and the error propagates.

    >>> from autograd import Value, backward_steps
    >>> x = Value(3.0, label="x")
    >>> y = x * x + x; y.label = "y"
    >>> steps = backward_steps(y)
    >>> first = next(steps)  # y = (x*x) + x passes its 1.0 to both operands
    >>> first.node is y, first.grad, first.added, x.grad
    (True, 1.0, (1.0, 1.0), 1.0)
    >>> rest = list(steps)  # x*x passes 1.0 * x to x, twice
    >>> len(rest), x.grad
    (1, 7.0)
    """
    check_value(root, "backward_steps")
    return _steps(root)


def check_fresh(root: Value, where: str, order: list[Value] | None = None) -> None:
    """Raise ``StaleGraphError`` unless every node's data is what its op gives from its parents.

    NaN equals NaN here (a NaN forward pass is not stale). A node whose operation now fails
    (``log`` of a parent that became negative) is stale too. A node whose operation has no
    forward function that can be called again (a custom node) is not checked.
    """
    order = topological_order(root) if order is None else order
    names = None
    for v in order:
        forward = getattr(v._prim, "forward", None)
        if not callable(forward) or not v.parents:
            continue
        xs = [p.data for p in v.parents]
        try:
            now = forward(*xs) if v._arg is None else forward(*xs, v._arg)
        except (ArithmeticError, ValueError):
            now = None
        except TypeError:  # not a forward we can replay: nothing to compare with
            continue
        if now == v.data or (now is not None and math.isnan(now) and math.isnan(v.data)):
            continue
        names = names or node_names(order)
        got = "an error" if now is None else f"{now!r}"
        raise StaleGraphError(
            f"{where}: the graph is stale: node {names[v]} = {op_text(v) or v.op}(...) holds "
            f"{v.data!r}, but its operation gives {got} from its parents' data now (a parent "
            "changed after the forward pass, e.g. an optimizer step); recompute the forward "
            "pass and step through the new graph",
            v,
        )


def _steps(root: Value) -> Iterator[Step]:
    order = topological_order(root)
    check_fresh(root, "backward_steps", order)
    names = node_names(order)
    inner = [v for v in order if v.parents]
    saved = [v.grad for v in order]  # put back if a rule of your own raises
    # running totals of the inner nodes: what a backward without skipping holds in their .grad
    total = dict.fromkeys(inner, 0.0)
    for v in inner:
        v.grad = 0.0
    if root.parents:
        total[root] += 1.0
        root.grad = total[root]
    else:
        root.grad += 1.0
    for index, node in enumerate(reversed(inner), start=1):
        g = total.pop(node)
        node.grad = g
        try:
            added, local = tuple(contributions(node, g)), tuple(contributions(node, 1.0))
        except BaseException:  # a rule of your own raised: every grad as it was before
            for v, before in zip(order, saved):
                v.grad = before
            raise
        for p, d in zip(node.parents, added):
            if p in total:
                total[p] += d
                p.grad = total[p]
            else:  # a leaf accumulates onto whatever it holds
                p.grad += d
        yield Step(index, node, g, local, added, names)


def _check_precision(precision, where: str) -> None:
    if isinstance(precision, bool) or not isinstance(precision, int) or precision < 0:
        raise ValueError(f"{where}: precision must be an int >= 0 (got {precision!r})")


_formula = node_formula  # the name forward_steps imports


def _in_words(node: Value, terms: list[str], fmt) -> str:
    """The operation applied to ``terms`` (names or numbers); fused sums term by term.

    One notation for the step texts and the exercises: ``z = w1·x1 + w2·x2 + b``, not
    ``affine(w1, w2, x1, x2, b)``. ``fmt`` formats an ``affine`` node's constant inputs
    (None: as ``2``, ``0.5``).
    """
    prim = node._prim
    if prim is P.SUM:
        return " + ".join(_wrap(t) for t in terms) if terms else "0"
    if prim is not None and prim.split is not None:  # affine: weights, inputs, bias
        ws, xs, _ = prim.split(terms, node._arg)
        if prim.const:  # the inputs are numbers, kept as the node's constant
            xs = [f"{c:g}" if fmt is None else fmt(c) for c in xs]
        products = [f"{_wrap(w)}·{_wrap(x)}" for w, x in zip(ws, xs)]
        return " + ".join([*products, _wrap(terms[-1])])
    return _formula(node, terms)


def _wrap(term: str) -> str:
    """A term inside a sum or a product: negative numbers and expressions in parentheses."""
    if term[:1] in ("(", "[") or not any(ch in term for ch in " +-*/"):  # [Layer 1, Neuron 2]
        return term
    return f"({term})"
