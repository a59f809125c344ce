"""Fixed examples the tests share, each written once.

micrograd's README example, its demo loss and its recursive topological sort, and the
tutorial's 2-2-1 sigmoid network.
"""

from __future__ import annotations

import random

from autograd import Value
from nn import MLP


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


def micrograd_topological_order(root, parents_of=lambda v: v._prev) -> list:
    """micrograd's recursive depth-first topological sort (with a visited set), leaves first."""
    topo, visited = [], set()

    def build_topo(v):
        if v not in visited:
            visited.add(v)
            for child in parents_of(v):
                build_topo(child)
            topo.append(v)

    build_topo(root)
    return topo


def tutorial_network():
    """The tutorial's 2-2-1 sigmoid network, labelled, and its example (inputs, target)."""
    model = MLP(2, [2, 1], activation=["sigmoid", "sigmoid"], rng=random.Random(0))
    for j, neuron in enumerate(model.layers[0].neurons, start=1):
        neuron.w[0].label, neuron.w[1].label, neuron.b.label = f"w{j}1", f"w{j}2", f"b{j}"
    out = model.layers[1].neurons[0]
    out.w[0].label, out.w[1].label, out.b.label = "v1", "v2", "c"
    return model, [1.0, 0.0], 1.0
