"""``backward_steps``: backward one node at a time, so you can watch the chain rule work.

Each step takes the next node in reverse topological order, multiplies the gradient that has
arrived at it by its local derivatives and adds the results to its parents' ``.grad``. The
iterator is the very walk behind ``backward()`` (``autograd.backprop.walk_backward``), so
exhausting it leaves exactly the gradients ``backward()`` gives, bit for bit; stopping after
``k`` steps leaves the graph as backward leaves it after its first ``k`` nodes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from autograd._dot_parts import op_text
from autograd.backprop import check_value, contributions, walk_backward
from autograd.value import Value


class Step(NamedTuple):
    """One step of backward: which node, the gradient that arrived, what it passed on.

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

    def explain(self, precision: int = 4) -> str:
        """The chain rule of this step in one line per parent, for printing.

        >>> from autograd import Value, backward_steps
        >>> a, b = Value(2.0, label="a"), Value(3.0, label="b")
        >>> c = a * b; c.label = "c"
        >>> print(next(backward_steps(c)).explain(1))
        step 1: c = a * b received grad 1.0
          to a: 1.0 × 3.0 (local) = 3.0
          to b: 1.0 × 2.0 (local) = 2.0
        """
        p = precision
        names = [_name(x) for x in self.node.parents]
        lines = [f"step {self.index}: {_name(self.node)} = {_formula(self.node, names)}"]
        lines[0] += f" received grad {self.grad:.{p}f}"
        for name, local, added in zip(names, self.local, self.added):
            lines.append(f"  to {name}: {self.grad:.{p}f} × {local:.{p}f} (local) = {added:.{p}f}")
        return "\n".join(lines)


def backward_steps(root: Value) -> Iterator[Step]:
    """Run backward from ``root`` one node at a time, yielding a ``Step`` after each node.

    Nothing happens until the first ``next()``. Then, as in ``backward()``, the grads of the
    intermediate nodes are reset to 0.0, the seed 1.0 is added to ``root.grad`` and the first
    node passes its gradient on. Each later ``next()`` handles one more node. Leaves
    accumulate (``+=``) like in ``backward()``.

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


def _steps(root: Value) -> Iterator[Step]:
    for index, (node, g, added) in enumerate(walk_backward(root), start=1):
        yield Step(index, node, g, tuple(contributions(node, 1.0)), tuple(added))


def _name(v: Value) -> str:
    return v.label or f"({v.data:g})"


def _formula(v: Value, names: list[str]) -> str:
    """``a * b``, ``tanh(a)``, ``a ** 2``, ``sum(a, b, c)``: how a node was computed."""
    op = op_text(v)
    terms = [f"({n})" if any(ch in n for ch in " +-*/") and n[0] != "(" else n for n in names]
    if len(names) == 2 and op in ("+", "*", "/", "**"):
        return f"{terms[0]} {op} {terms[1]}"
    if len(names) == 1 and op.startswith("+ -"):  # x + (-c) reads x - c
        return f"{terms[0]} - {op[3:]}"
    if len(names) == 1 and op[:1] in ("+", "*", "/") and " " in op:  # x + c, x * c, x / c, x ** c
        return f"{terms[0]} {op}"
    if len(names) == 1 and op.endswith((" **", " /")):  # c ** x, c / x
        return f"{op} {terms[0]}"
    if " " in op:  # leaky_relu with its slope
        name, const = op.split(" ", 1)
        return f"{name}({', '.join(names)}, {const})"
    return f"{op}({', '.join(names)})"
