"""Fixed examples the tests share, each written once.

micrograd's README example, its demo loss and its recursive topological sort, the
tutorial's 2-2-1 sigmoid network, and networks changed by hand after construction.
"""

from __future__ import annotations

import random

from autograd import Value
from nn import MLP, Layer, Neuron


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


def _set_activation(neurons, activation):
    for n in neurons:
        n.activation = activation


def _add_input(neurons, weight=0.25):
    for n in neurons:
        n.w.append(Value(weight))


class DoublingNeuron(Neuron):
    """A Neuron whose own forward doubles its output: not something ``Neuron`` can describe."""

    def __call__(self, x):
        return super().__call__(x) * 2.0


# (what was changed, the change) for a relu MLP(2, [3, 3, 1]) built with random.Random(0);
# the changed network is still an MLP of Neurons, one activation and one width per layer
DESCRIBABLE_CHANGES = [
    ("a hidden layer made linear", lambda m: _set_activation(m.layers[1].neurons, "linear")),
    ("the last layer made relu", lambda m: _set_activation(m.layers[2].neurons, "relu")),
    (
        "a layer appended",
        lambda m: m.layers.append(Layer(1, 2, activation="relu", rng=random.Random(1))),
    ),
    (
        "a neuron replaced",
        lambda m: m.layers[1].neurons.__setitem__(1, Neuron(3, rng=random.Random(2))),
    ),
    ("one more input", lambda m: _add_input(m.layers[0].neurons)),
    (
        "a wider hidden layer",
        lambda m: (
            m.layers[1].neurons.append(Neuron(3, rng=random.Random(3))),
            _add_input(m.layers[2].neurons, -0.5),
        ),
    ),
    (
        "a layer replaced",
        lambda m: m.layers.__setitem__(2, Layer(3, 2, activation="linear", rng=random.Random(4))),
    ),
]

# (what was changed, the change, what the error names): networks no MLP architecture describes
UNDESCRIBABLE_CHANGES = [
    (
        "one neuron's activation",
        lambda m: setattr(m.layers[1].neurons[2], "activation", "linear"),
        r"layers\.1\.neurons\.2 has activation 'linear'.* 'relu'",
    ),
    (
        "one neuron's inputs",
        lambda m: _add_input(m.layers[0].neurons[1:2]),
        r"layers\.0\.neurons\.1 has 3 inputs.* 2",
    ),
    (
        "a layer that does not chain",
        lambda m: m.layers.append(Layer(2, 1, rng=random.Random(1))),
        r"layers\.3 takes 2 inputs.* layers\.2 gives 1",
    ),
    (
        "a neuron with its own forward",
        lambda m: m.layers[0].neurons.__setitem__(0, DoublingNeuron(2, rng=random.Random(1))),
        r"layers\.0\.neurons\.0 is .*DoublingNeuron",
    ),
    ("an empty layer", lambda m: m.layers[1].neurons.clear(), r"layers\.1 has no neurons"),
    ("no layers", lambda m: m.layers.clear(), "has no layers"),
]


def changed_mlp(change) -> MLP:
    """A relu ``MLP(2, [3, 3, 1])`` (``random.Random(0)``) after ``change(model)``."""
    model = MLP(2, [3, 3, 1], rng=random.Random(0))
    change(model)
    return model
