"""Every random-input generator of the tests, in one place (hypothesis strategies).

- ``programs``/``build``: recipes for graphs with shared sub-expressions (stepping, drawing);
- ``graphs``: graphs with every kind of node, values kept bounded (the fast paths of backward);
- ``learning_steps``: a small MLP, one example, a loss and a rate (the learning stepper);
- ``between``/``away_from_zero``: floats in an interval (the primitives' tests).

The strategies users import (random expressions, networks) are ``autograd.testing`` and
``nn.testing``; these are the tests' own.
"""

from __future__ import annotations

import random

from hypothesis import strategies as st

from autograd import Value, add_all, affine
from nn import MLP
from nn.layers import ACTIVATIONS

_BINARY = [lambda x, y: x + y, lambda x, y: x * y, lambda x, y: x - y]
_UNARY = [
    lambda x: x.tanh(),
    lambda x: x.sigmoid(),
    lambda x: x.sin(),
    lambda x: x.relu(),
    lambda x: x * 0.5,
    lambda x: 2.0 + x,
]


@st.composite
def programs(draw, max_leaves: int = 4, max_ops: int = 12):
    """A recipe for a graph: leaf values and a list of (op, operand indices) instructions."""
    leaves = draw(st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=1, max_size=max_leaves))
    n_ops = draw(st.integers(1, max_ops))
    program = []
    for i in range(n_ops):
        pool = len(leaves) + i
        if draw(st.booleans()):
            program.append(
                (
                    "binary",
                    draw(st.integers(0, len(_BINARY) - 1)),
                    draw(st.integers(0, pool - 1)),
                    draw(st.integers(0, pool - 1)),
                )
            )
        else:
            program.append(
                (
                    "unary",
                    draw(st.integers(0, len(_UNARY) - 1)),
                    draw(st.integers(0, pool - 1)),
                    None,
                )
            )
    return leaves, program


def build(recipe) -> tuple[list[Value], Value]:
    """The leaves and the root (the last node) of a recipe; building twice gives twin graphs."""
    leaves, program = recipe
    xs = [Value(x, label=f"x{i}") for i, x in enumerate(leaves)]
    pool = list(xs)
    for kind, op, i, j in program:
        pool.append(_BINARY[op](pool[i], pool[j]) if kind == "binary" else _UNARY[op](pool[i]))
    return xs, pool[-1]


def between(lo, hi):
    """Finite floats in ``[lo, hi]``."""
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def away_from_zero(lo, hi, margin=1e-2):
    """Finite floats in ``[lo, hi]`` at least ``margin`` away from 0."""
    return between(lo, hi).filter(lambda x: abs(x) > margin)


# ---------------------------------------------------------------------------------------------
# graphs with every kind of node: unary, with a constant, binary (also x * x), n-ary

_NODE_UNARY = [Value.tanh, Value.sigmoid, Value.relu, Value.softplus, Value.sin, abs]
_NODE_WITH_CONST = [
    lambda v: v * 1.5,
    lambda v: 0.25 + v,
    lambda v: v**2,
    lambda v: 2.0**v,
    lambda v: v.leaky_relu(0.1),
    lambda v: v / 1.5,
    lambda v: 1.5 / (v.tanh() + 2.0),  # a divisor in [1, 3]
]
_NODE_BINARY = [
    lambda a, b: a + b,
    lambda a, b: a * b,
    lambda a, b: a - b,
    lambda a, b: a / (b.tanh() + 2.0),
]
_BOUND = 1000.0
_GRAPH_FLOATS = st.floats(-1.5, 1.5, allow_nan=False)


def _affine_node(draw, pick):
    n = draw(st.integers(0, 4))
    ws = [draw(pick) for _ in range(n)]
    xs = draw(st.lists(st.one_of(pick, _GRAPH_FLOATS), min_size=n, max_size=n))
    return affine(ws, xs, draw(pick))


def _same_node(draw, pick):  # one node as both operands: two contributions to one parent
    v = draw(pick)
    return v * v


_NODE_KINDS = {
    "unary": lambda draw, pick: draw(st.sampled_from(_NODE_UNARY))(draw(pick)),
    "const": lambda draw, pick: draw(st.sampled_from(_NODE_WITH_CONST))(draw(pick)),
    "binary": lambda draw, pick: draw(st.sampled_from(_NODE_BINARY))(draw(pick), draw(pick)),
    "same": _same_node,
    "sum": lambda draw, pick: add_all(draw(st.lists(pick, min_size=1, max_size=5))),
    "affine": _affine_node,
}


@st.composite
def graphs(draw):
    """(root, leaves): a random graph whose nodes share sub-expressions."""
    leaves = [Value(draw(_GRAPH_FLOATS)) for _ in range(draw(st.integers(1, 4)))]
    pool = list(leaves)
    for _ in range(draw(st.integers(1, 25))):
        kind = draw(st.sampled_from(list(_NODE_KINDS)))
        node = _NODE_KINDS[kind](draw, st.sampled_from(pool))
        # Keep every value below _BOUND so that no later op can overflow: repeated squaring
        # otherwise reaches 2.0 ** v with v near 1e300 after a few ops (about 1 run in 5 of the
        # ci profile failed that way). With |v| < _BOUND every op above stays finite:
        # 2 ** 1000 < 1.8e308, and products, squares and sums of such values too.
        pool.append(node if abs(node.data) < _BOUND else node.tanh())
    root = add_all(pool[len(leaves) :])  # every node built takes part
    return root, leaves


# ---------------------------------------------------------------------------------------------
# one learning step


def half_squared_error(outputs, targets):
    """A loss of your own: half the squared error of the first output."""
    return 0.5 * (outputs[0] - targets[0]) ** 2


@st.composite
def learning_steps(draw):
    """A small random MLP (seeded), one example, a loss that fits its outputs, a rate."""
    nin = draw(st.integers(1, 3))
    hidden = draw(st.lists(st.integers(1, 3), max_size=2))
    nout = draw(st.integers(1, 2))
    activation = draw(st.sampled_from(ACTIVATIONS))
    model = MLP(nin, [*hidden, nout], activation=activation, rng=random.Random(draw(st.integers())))
    if draw(st.booleans()):  # micrograd's chain of * and + instead of one affine node
        for layer in model.layers:
            for neuron in layer.neurons:
                neuron.fused = False
    x = draw(st.lists(st.floats(-2, 2), min_size=nin, max_size=nin))
    if nout > 1:
        loss, target = "cross_entropy", draw(st.integers(0, nout - 1))
    else:
        loss = draw(st.sampled_from(["mse", "bce", "hinge", half_squared_error]))
        target = {"bce": draw(st.sampled_from([0, 1])), "hinge": draw(st.sampled_from([-1, 1]))}
        target = target.get(loss, draw(st.floats(-2, 2))) if isinstance(loss, str) else 0.5
    lr = draw(st.sampled_from([0.0, 0.1, 0.5, 1.0, 3.0]))
    return model, x, target, loss, lr
