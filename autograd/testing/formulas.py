"""Expressions drawn by ``autograd.testing``: a function of Values that prints as its formula.

An ``Expression`` is a list of nodes, each an ``Op`` applied to earlier inputs and nodes; it
runs on Values (the engine) and on floats (``reference``), and ``str()`` writes it as a
formula with ``autograd.notation``, shared sub-expressions inlined when short and named
(``where t3 = ...``) otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from autograd.notation import Term
from autograd.value import Value

__all__ = ["Expression"]

if TYPE_CHECKING:
    from autograd.testing.strategy_ops import Op


@dataclass(frozen=True)
class _Node:
    op: Op
    args: tuple[int, ...]  # indices into the list of inputs followed by nodes
    const: object = None
    name: str = ""


class Expression:
    """A function of Values drawn by ``expressions()`` (or ``nn.testing.mlps()``), as a formula.

    ``f(*values)`` builds its graph with the engine and returns the output Value;
    ``f.reference(*floats)`` computes the same function on plain floats (``gradcheck`` picks
    it up to check the forward value). ``str(f)`` and ``repr(f)`` are the formula; shared
    sub-expressions are inlined when short and named (``where t3 = ...``) otherwise.

    Attributes: ``input_names``; ``nodes``, each with ``op`` (an ``Op``), ``args`` (indices
    into the inputs followed by the nodes), ``const`` (the op's constant or None) and ``name``
    (shown in the formula as a named node when set); ``title``, printed before the formula.
    Nodes may be given as tuples ``(op, args[, const[, name]])``.

    >>> from autograd import Value
    >>> from autograd.testing import Expression, variant
    >>> mul, tanh = variant("*", "infix"), variant("tanh")
    >>> f = Expression(["x0", "x1"], [(mul, (0, 1)), (tanh, (2,))])
    >>> print(f)
    f(x0, x1) = tanh(x0 * x1)
    >>> f(Value(0.5), Value(2.0)).data == f.reference(0.5, 2.0)
    True
    """

    def __init__(self, input_names: Sequence[str], nodes: Sequence, title: str = "") -> None:
        self.input_names = tuple(input_names)
        self.nodes = tuple(n if isinstance(n, _Node) else _Node(*n) for n in nodes)
        self.title = title
        if not self.nodes:
            raise ValueError("Expression: needs at least one operation (got none)")

    @property
    def n_inputs(self) -> int:
        """How many inputs ``f`` takes."""
        return len(self.input_names)

    def __call__(self, *xs) -> Value:
        """The expression on Values (or anything with the operators it uses)."""
        if len(xs) != self.n_inputs:
            raise TypeError(f"{self.signature}: expected {self.n_inputs} inputs (got {len(xs)})")
        vals = [x if isinstance(x, Value) else Value(x) for x in xs]
        for node in self.nodes:
            vals.append(_apply(node, vals, node.op.apply))
        return vals[-1]

    def reference(self, *xs: float) -> float:
        """The same function on plain floats (computed without the engine)."""
        if len(xs) != self.n_inputs:
            raise TypeError(f"{self.signature}: expected {self.n_inputs} inputs (got {len(xs)})")
        vals = [float(x) for x in xs]
        for node in self.nodes:
            vals.append(_apply(node, vals, node.op.reference))
        return vals[-1]

    @property
    def signature(self) -> str:
        """``f(x0, x1, ...)``."""
        return f"f({', '.join(self.input_names)})"

    def uses(self) -> list[int]:
        """How many later nodes use each input and node (inputs first)."""
        counts = [0] * (self.n_inputs + len(self.nodes))
        for node in self.nodes:
            for i in node.args:
                counts[i] += 1
        return counts

    def shared_nodes(self) -> int:
        """How many operation nodes are used by more than one later node."""
        return sum(c > 1 for c in self.uses()[self.n_inputs :])

    def op_names(self) -> set[str]:
        """The names of the operations the expression uses."""
        return {node.op.name for node in self.nodes}

    def __str__(self) -> str:
        return _formula(self)

    __repr__ = __str__


def _apply(node: _Node, vals: list, fn: Callable):
    args = [vals[i] for i in node.args]
    return fn(*args) if node.op.constants == () else fn(*args, node.const)


def _render(node: _Node, texts: list[Term]) -> Term:
    return node.op.text([texts[i] for i in node.args], node.const)


def _formula(f: Expression, limit: int = 100) -> str:
    """The formula, inlined when short, otherwise with shared and named nodes bound."""
    uses = f.uses()
    n = f.n_inputs

    def build(bind: bool) -> tuple[str, list[str]]:
        texts = [Term(name) for name in f.input_names]
        bound: list[str] = []
        for k, node in enumerate(f.nodes):
            text = _render(node, texts)
            last = k == len(f.nodes) - 1
            if not last and (node.name or (bind and uses[n + k] > 1)):
                name = node.name or f"t{n + k}"
                bound.append(f"{name} = {text.text}")
                text = Term(name)
            texts.append(text)
        return texts[-1].text, bound

    body, bound = build(bind=False)
    if len(body) > limit:
        body, bound = build(bind=True)
    head = f"{f.title}: " if f.title else ""
    lines = [f"{head}{f.signature} = {body}"]
    if bound:
        lines.append("  where " + "\n        ".join(bound))
    return "\n".join(lines)


def _formula_lines(f: Expression) -> str:
    """The formula as lines to type in: each shared node named first (``t1 = -x0``).

    Unlike ``str(f)``, which writes a short shared sub-expression out at each use (two nodes
    when typed in), this builds the very graph of ``f``; named nodes are bound too.

    >>> from autograd.testing import variant
    >>> neg, add = variant("neg"), variant("+", "infix")
    >>> print(_formula_lines(Expression(["x0"], [(neg, (0,)), (add, (1, 1))])))
    t1 = -x0
    f(x0) = t1 + t1
    """
    uses = f.uses()
    n = f.n_inputs
    texts = [Term(name) for name in f.input_names]
    lines = []
    for k, node in enumerate(f.nodes):
        text = _render(node, texts)
        if k < len(f.nodes) - 1 and (node.name or uses[n + k] > 1):
            name = node.name or f"t{n + k}"
            lines.append(f"{name} = {text.text}")
            text = Term(name)
        texts.append(text)
    head = f"{f.title}: " if f.title else ""
    return "\n".join([*lines, f"{head}{f.signature} = {texts[-1].text}"])
