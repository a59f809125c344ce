"""``nn.train``'s compiled step (``compile=True``, or ``None`` where exact): a loop body per loss.

Each named loss is the mean of one term per example, so the batch's gradient is the sum over
examples of each term's gradient times ``1 / n``. The term is traced once, with the example's
inputs and label as inputs of the compiled body (not constants), and run for every example
of each batch (``autograd.compiling.loop_body``). The examples run last to first and the L2
penalty's gradients come first, which is the order in which ``backward()`` adds into each
parameter's ``.grad`` on the batch's graph: the gradients, the losses, and so the whole
training run, are bit for bit those of ``compile=False``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from functools import reduce

from autograd import Value, no_grad
from autograd.compiling import LoopBody, loop_body
from nn import losses


class CompiledStep:
    """Forward and backward of one batch with compiled bodies; touches no ``.grad``."""

    def __init__(self, model, loss: str, X: list, y: list, params: list[Value], l2: float):
        if not compiles(loss):
            raise ValueError(
                f"train: compile=True supports the losses {_compiled()} (got {loss!r}); "
                "cross_entropy shifts its logits by max(z.data), a number taken from the data "
                "that a trace would bake in, and a loss function of your own may do the same"
            )
        nin = _row_length(X)
        with no_grad():  # the loss's own checks of the labels, before anything is traced
            losses._BY_NAME[loss].mean([0.0] * len(y), y)
        terms, self.variant = losses._BY_NAME[loss].terms, losses._BY_NAME[loss].variant
        self.params = params
        self.bodies = [_body(model, term, nin, params) for term in terms]
        self.penalty = _penalty(params, l2) if l2 else None
        self.grads: list[float] = []

    def __call__(self, xb: list, yb: list) -> tuple[float, list]:
        """The batch's loss and each example's output; ``backward()`` then writes the grads."""
        weights = [p.data for p in self.params]
        grads = [0.0] * len(weights)
        pen = 0.0
        if self.penalty is not None:  # backward() visits the penalty's nodes first
            pen, grads = self.penalty()
        seed = 1.0 * (1.0 / len(xb))  # what reaches each example's term: 1.0 times the mean's 1/n
        rows = [(*x, t) for x, t in zip(xb, yb)]
        terms = [0.0] * len(rows)
        outputs = [0.0] * len(rows)
        for start, stop, k in _runs([self.variant(t) for t in yb]):  # last example first
            chunk = rows[start:stop][::-1]
            ls, outs, grads = self.bodies[k](chunk, seed, weights, grads)
            terms[start:stop], outputs[start:stop] = ls[::-1], [o[0] for o in outs][::-1]
        total = reduce(operator.add, terms, 0.0) * (1.0 / len(rows))
        self.grads = grads
        return (total + pen if self.penalty is not None else total), outputs

    def backward(self) -> None:
        """Each parameter's ``.grad`` becomes its gradient from the last batch."""
        for p, g in zip(self.params, self.grads):
            p.grad = g


def compiles(loss) -> bool:
    """Whether ``loss`` names a loss with per-example terms in ``nn.losses``' table."""
    return isinstance(loss, str) and loss in _compiled()


def _compiled() -> tuple[str, ...]:
    return tuple(name for name, entry in losses._BY_NAME.items() if entry.terms)


def _runs(variants: list[int]) -> list[tuple[int, int, int]]:
    """Maximal runs of equal variants, as (start, stop, variant), the last run first."""
    runs, start = [], 0
    for i in range(1, len(variants) + 1):
        if i == len(variants) or variants[i] != variants[start]:
            runs.append((start, i, variants[start]))
            start = i
    return runs[::-1]


def _row_length(X: list) -> int:
    n = len(X[0])
    for i, x in enumerate(X):
        if len(x) != n:
            raise ValueError(f"train: X[{i}] has {len(x)} features, X[0] has {n}")
    return n


def _body(model, term: Callable, nin: int, params: list[Value]) -> LoopBody:
    def example(*xy: Value):
        out = model(list(xy[:-1]))
        if not isinstance(out, Value):
            raise TypeError(
                "train: compile=True needs a model with one output Value "
                f"(got {type(out).__name__})"
            )
        return term(out, xy[-1]), out

    names = [f"x{i + 1}" for i in range(nin)] + ["label"]
    return loop_body(example, [0.5] * nin + [1.0], params=params, names=names)


def _penalty(params: list[Value], l2: float) -> Callable[[], tuple[float, list[float]]]:
    """``l2_penalty(params, l2)``: its value and each parameter's gradient, as backward() has them.

    The graph is ``add_all([p * p ...]) * alpha``: the sum node receives ``1.0 * alpha``,
    passes it to each ``p * p``, whose rule gives ``g * p`` twice, added to a ``.grad`` that
    starts at 0.0. Written out rather than compiled: the straight-line code of a penalty over
    thousands of parameters would take longer to compile than the training step it saves.
    """
    alpha = float(l2)

    def penalty() -> tuple[float, list[float]]:
        ws = [p.data for p in params]
        value = reduce(operator.add, [w * w for w in ws], 0.0) * alpha
        g = 1.0 * alpha
        return value, [0.0 + g * w + g * w for w in ws]

    return penalty
