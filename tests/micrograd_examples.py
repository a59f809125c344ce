"""micrograd's own examples, written once for the tests that compare with them."""

from __future__ import annotations

from autograd import Value


def micrograd_readme_example() -> tuple[Value, Value, Value]:
    """micrograd's README example: its leaves ``a``, ``b`` and its output ``g`` (24.7041)."""
    a, b = Value(-4.0), Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    return a, b, g


def demo_loss(model, points, labels, value=Value, alpha=1e-4):
    """The loss of micrograd's demo step: mean hinge loss over the points plus L2 on the weights.

    ``value`` makes the inputs (stepgrad's ``Value`` or micrograd's); the sums run left to
    right from the number 0, as micrograd's ``sum()`` does.
    """
    scores = [model([value(v) for v in p]) for p in points]
    losses = [(1 + -y * s).relu() for y, s in zip(labels, scores)]
    return sum(losses) * (1.0 / len(losses)) + alpha * sum(p * p for p in model.parameters())
