"""Loss functions: one Value that says how wrong a batch of predictions is.

Each takes the model's outputs for a batch (Values, or Python numbers) and the true labels,
and returns the mean loss over the batch as a Value, ready for ``backward()``:

- ``mse``: mean squared error, for regression;
- ``hinge``: micrograd's max-margin loss, labels ``-1`` / ``+1``;
- ``binary_cross_entropy``: on logits (scores before a sigmoid), labels in ``[0, 1]``;
- ``softmax_cross_entropy``: on a list of logits per example, labels are class indices;
- ``l2_penalty``: ``alpha * sum(p * p)`` over parameters (weight decay as a loss term).

The cross-entropies never compute ``exp`` of a large number: they are written with
``softplus`` and log-sum-exp, so logits of ``±1000`` give exact, finite losses and gradients.
Mismatched lengths, empty batches and labels outside the expected set raise ``ValueError``.

The losses ``nn.train`` knows by name (``"hinge"``, ``"bce"``, ``"cross_entropy"``, ``"mse"``)
are one table at the end of this module, ``_BY_NAME``: each entry holds the mean loss, how an
output becomes a predicted label, and the per-example terms the compiled step traces. ``train``,
``evaluate``, ``LearningStepper`` and the compiled step all read it: a new named loss is one
entry.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from autograd import Value, add_all
from autograd.inputs import real_number

__all__ = [
    "binary_cross_entropy",
    "hinge",
    "l2_penalty",
    "log_softmax",
    "logsumexp",
    "mse",
    "softmax_cross_entropy",
]


def mse(predictions: Sequence, targets: Sequence) -> Value:
    """Mean squared error: ``mean((p - t) ** 2)``.

    >>> from autograd import Value
    >>> p = [Value(1.0), Value(3.0)]
    >>> loss = mse(p, [0.0, 1.0])
    >>> loss.data
    2.5
    >>> loss.backward(); [v.grad for v in p]
    [1.0, 2.0]
    """
    preds = _values(predictions, "mse", "predictions")
    ts = _check_batch(preds, targets, "mse", "targets")
    for i, t in enumerate(ts):
        _real(t, "mse", f"targets[{i}]")
    return _mean([_squared_error(p, t) for p, t in zip(preds, ts)])


def hinge(scores: Sequence, labels: Sequence) -> Value:
    """micrograd's max-margin loss: ``mean(relu(1 - y * score))`` with labels ``y = ±1``.

    A correct score beyond the margin (``y * score >= 1``) costs nothing; the floats are the
    same as micrograd's demo computes them.

    >>> from autograd import Value
    >>> s = [Value(2.0), Value(0.5), Value(-0.5)]
    >>> loss = hinge(s, [1, 1, 1])
    >>> loss.data  # (0 + 0.5 + 1.5) / 3
    0.6666666666666666
    """
    ss = _values(scores, "hinge", "scores")
    ys = _check_batch(ss, labels, "hinge", "labels")
    for i, y in enumerate(ys):
        if isinstance(y, bool) or not isinstance(y, numbers.Real) or y not in (-1, 1):
            raise ValueError(f"hinge: labels must be -1 or +1 (got {y!r} at index {i})")
    return _mean([_hinge_term(s, y) for y, s in zip(ys, ss)])


def binary_cross_entropy(logits: Sequence, labels: Sequence) -> Value:
    """Binary cross-entropy on logits: ``mean(softplus(z) - y * z)``, labels in ``[0, 1]``.

    This is ``-[y log sigmoid(z) + (1 - y) log(1 - sigmoid(z))]`` written so that no logit
    overflows; its gradient is ``sigmoid(z) - y`` (divided by the batch size).

    >>> from autograd import Value
    >>> z = [Value(1000.0), Value(-1000.0)]
    >>> loss = binary_cross_entropy(z, [1, 1])
    >>> loss.data  # (0 + 1000) / 2: finite, where log(sigmoid(-1000)) would be -inf
    500.0
    >>> loss.backward(); [v.grad for v in z]
    [0.0, -0.5]
    """
    zs = _values(logits, "binary_cross_entropy", "logits")
    ys = _check_batch(zs, labels, "binary_cross_entropy", "labels")
    for i, y in enumerate(ys):
        # typeshed's numbers ABCs declare no comparison with a float; Python compares them fine
        if isinstance(y, bool) or not isinstance(y, numbers.Real) or not 0.0 <= y <= 1.0:  # type: ignore[operator]
            raise ValueError(
                f"binary_cross_entropy: labels must be numbers in [0, 1] (got {y!r} at index {i})"
            )
    return _mean([_bce_term(z, y) if y else _bce_term_at_zero(z, y) for z, y in zip(zs, ys)])


def logsumexp(logits: Sequence) -> Value:
    """``log(sum(exp(z)))`` computed stably: ``m + log(sum(exp(z - m)))`` with ``m = max z``.

    ``m`` is a constant (a float): the shift cancels in the gradient, which is ``softmax(z)``.

    >>> from autograd import Value
    >>> logsumexp([Value(1000.0), Value(1000.0)]).data  # 1000 + log 2, no overflow
    1000.6931471805599
    """
    zs = _values(logits, "logsumexp", "logits")
    if not zs:
        raise ValueError("logsumexp: expected at least one logit (got none)")
    m = max(z.data for z in zs)
    return add_all([(z - m).exp() for z in zs]).log() + m


def log_softmax(logits: Sequence) -> list[Value]:
    """``z - logsumexp(z)``: the log-probabilities of a softmax, one Value per logit.

    >>> from autograd import Value
    >>> lp = log_softmax([Value(0.0), Value(0.0)])
    >>> [round(v.data, 6) for v in lp]
    [-0.693147, -0.693147]
    """
    zs = _values(logits, "log_softmax", "logits")
    lse = logsumexp(zs)
    return [z - lse for z in zs]


def softmax_cross_entropy(logits: Sequence[Sequence], labels: Sequence[int]) -> Value:
    """Mean cross-entropy of a softmax over each example's logits; labels are class indices.

    ``logits[i]`` is the list of scores an example gets for each class, ``labels[i]`` the index
    of its true class. Per example the loss is ``logsumexp(z) - z[label]``.

    >>> from autograd import Value
    >>> z = [Value(2.0), Value(-1000.0), Value(2.0)]
    >>> loss = softmax_cross_entropy([z], [0])
    >>> round(loss.data, 6)  # log 2: class 0 and class 2 share the probability
    0.693147
    >>> loss.backward(); [round(v.grad, 6) for v in z]
    [-0.5, 0.0, 0.5]
    """
    batch = _as_list(logits, "softmax_cross_entropy", "logits")
    rows = [_values(row, "softmax_cross_entropy", f"logits[{i}]") for i, row in enumerate(batch)]
    ys = _check_batch(rows, labels, "softmax_cross_entropy", "labels")
    losses = []
    for i, (row, y) in enumerate(zip(rows, ys)):
        # typeshed's numbers ABCs declare no comparison with an int; Python compares them fine
        if isinstance(y, bool) or not isinstance(y, numbers.Integral) or not 0 <= y < len(row):  # type: ignore[operator]
            raise ValueError(
                f"softmax_cross_entropy: labels[{i}] must be a class index in "
                f"0..{len(row) - 1} (got {y!r})"
            )
        losses.append(logsumexp(row) - row[y])
    return _mean(losses)


def l2_penalty(parameters: Sequence[Value], alpha: float = 1e-4) -> Value:
    """``alpha * sum(p * p)``: micrograd's L2 regularization, added to a loss.

    >>> from autograd import Value
    >>> ps = [Value(3.0), Value(-4.0)]
    >>> l2_penalty(ps, alpha=0.5).data
    12.5
    """
    ps = list(parameters)
    for i, p in enumerate(ps):
        if not isinstance(p, Value):
            raise TypeError(f"l2_penalty: parameters[{i}] must be a Value (got {p!r})")
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not alpha >= 0:
        raise ValueError(f"l2_penalty: alpha must be a number >= 0 (got {alpha!r})")
    return add_all([p * p for p in ps]) * alpha


# ----------------------------------------------------------------------------------------------


def _values(xs, where: str, what: str) -> list[Value]:
    """A batch as a list of Values (numbers become constant Values; subclasses of Value stay)."""
    xs = _as_list(xs, where, what)
    out = []
    for i, x in enumerate(xs):
        if type(x) is Value or isinstance(x, Value):  # the common case first, then subclasses
            out.append(x)
        else:
            out.append(Value(_real(x, where, f"{what}[{i}]")))
    return out


def _real(x, where: str, what: str) -> float:
    return real_number(x, f"{where}: {what}")


def _check_batch(preds: list, labels, where: str, what: str) -> list:
    labels = _as_list(labels, where, what)
    if len(labels) != len(preds):
        raise ValueError(
            f"{where}: expected as many {what} as predictions ({len(preds)}), got {len(labels)}"
        )
    if not preds:
        raise ValueError(f"{where}: the batch is empty")
    return labels


def _as_list(xs, where: str, what: str) -> list:
    """Any iterable (a list, a tuple, a numpy array) as a list; a Value or str is an error."""
    if not isinstance(xs, Value | str | bytes):
        try:
            return list(xs)
        except TypeError:
            pass
    raise TypeError(f"{where}: {what} must be a list (got {xs!r})")


# One example's term of each mean loss, written once: the losses above average them, and
# nn.train(..., compile=True) traces them with the label as an input of the compiled code.


def _squared_error(p, t):
    return (p - t) ** 2


def _hinge_term(score, y):
    return (1 + -y * score).relu()


def _bce_term(z, y):
    return z.softplus() - y * z


def _bce_term_at_zero(z, y):
    return z.softplus()  # y == 0: no y * z node (its gradient with respect to z is 0)


def _mean(losses: list[Value]) -> Value:
    if len(losses) == 1:  # the mean of one: itself, with no sum of one and no * 1 in the graph
        return losses[0]
    return add_all(losses) * (1.0 / len(losses))


# ----------------------------------------------------------------------------------------------
# The losses nn.train, nn.evaluate, nn.LearningStepper and the compiled step know by name: one
# entry each, read by all of them. A new named loss is one more entry here.


def _data(x) -> float:
    return x.data if isinstance(x, Value) else float(x)


def _sign(score) -> int:
    return 1 if _data(score) > 0 else -1


def _positive(score) -> int:
    return 1 if _data(score) > 0 else 0


def _argmax(outputs) -> int:
    scores = [o.data if isinstance(o, Value) else o for o in outputs]
    return max(range(len(scores)), key=scores.__getitem__)


def _only_term(label) -> int:
    return 0


def _bce_variant(label) -> int:
    return 1 if label == 0 else 0  # a label of 0 has no y * z node (see _bce_term_at_zero)


class _Named(NamedTuple):
    """A named loss: the batch's loss, how an output becomes a label, its per-example terms.

    ``terms`` are what the mean averages, one function ``term(output, label)`` per variant of
    label (``variant(label)`` picks it); the compiled step traces them with the label as an
    input. Empty ``terms``: the loss cannot be compiled (the compiled step refuses it).
    """

    mean: Callable[[Sequence, Sequence], Value]
    predict: Callable[[Any], Any] | None  # None: regression, no accuracy
    terms: tuple[Callable, ...] = ()
    variant: Callable[[Any], int] = _only_term


_BY_NAME: dict[str, _Named] = {
    "hinge": _Named(hinge, _sign, (_hinge_term,)),
    "bce": _Named(binary_cross_entropy, _positive, (_bce_term, _bce_term_at_zero), _bce_variant),
    # its logits are shifted by max(z.data), a number taken from the data: not compiled
    "cross_entropy": _Named(softmax_cross_entropy, _argmax),
    "mse": _Named(mse, None, (_squared_error,)),
}
