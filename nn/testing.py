"""A hypothesis strategy for property-testing the gradients of networks: ``mlps()``.

It draws small ``nn.MLP`` networks with their weights, biases and input features, as a pair
``(f, inputs)`` ready for ``gradcheck``: ``f`` runs the real ``nn`` code, and carries the same
network written as an ``autograd.testing.Expression`` (its formula is what ``f`` prints, its
float version the ``reference`` that ``gradcheck`` checks the forward value against).

hypothesis is a development dependency (``pip install hypothesis``); ``import nn`` does not
import this module.

>>> from hypothesis import given
>>> from autograd import gradcheck
>>> from nn.testing import mlps
>>> @given(mlps(max_hidden_layers=1))
... def test_network_gradients(case):
...     f, inputs = case
...     assert gradcheck(f, inputs)
>>> test_network_gradients()
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence

try:
    from hypothesis import assume
    from hypothesis import strategies as st
except ImportError as error:  # pragma: no cover - exercised only without hypothesis
    raise ImportError(
        "nn.testing needs hypothesis, a development dependency: pip install hypothesis"
    ) from error

from autograd import Value, add_all
from autograd.testing import Expression, finite_differences_are_accurate, variant
from nn.layers import ACTIVATIONS, MLP

__all__ = ["Network", "mlps"]

_AFFINE = variant("affine")  # the one whose inputs are Values (the other takes numbers)
_SQUARE = variant("**", "constant right", 2.0)
_ADD_ALL = variant("add_all")


class Network:
    """An ``nn.MLP`` as a function of its features, weights and biases, for ``gradcheck``.

    ``f(*values)`` puts the weight and bias Values into the model (in ``parameters()`` order)
    and returns its output for the feature Values: the single output, or the sum of the
    squared outputs when there are several. ``f.reference`` computes the same on floats
    without ``nn``; ``str(f)`` is the network's formula.
    """

    def __init__(self, model: MLP, expression: Expression, nin: int) -> None:
        self.model = model
        self.expression = expression
        self.nin = nin

    def __call__(self, *values: Value) -> Value:
        """The network's output for the inputs, then the parameters, in ``values``."""
        features, params = list(values[: self.nin]), values[self.nin :]
        k = 0
        for layer in self.model.layers:
            for neuron in layer.neurons:
                neuron.w = list(params[k : k + len(neuron.w)])
                neuron.b = params[k + len(neuron.w)]
                k += len(neuron.w) + 1
        out = self.model(features)
        return add_all([o**2.0 for o in out]) if isinstance(out, list) else out

    def reference(self, *xs: float) -> float:
        """The same network on plain floats (computed without ``nn``)."""
        return self.expression.reference(*xs)

    def __str__(self) -> str:
        return str(self.expression)

    __repr__ = __str__


@st.composite
def _mlps(draw, min_inputs, max_inputs, max_layers, max_width, max_outputs, activations, margin):
    nin = draw(st.integers(min_inputs, max_inputs))
    widths = draw(st.lists(st.integers(1, max_width), min_size=0, max_size=max_layers))
    widths.append(draw(st.integers(1, max_outputs)))
    acts = [draw(st.sampled_from(activations)) for _ in widths[:-1]] + ["linear"]
    fused = draw(st.sampled_from([True, False]))  # one affine node per neuron, or a chain
    numbers = st.integers(-200, 200).map(lambda k: k / 100)  # readable, in [-2, 2]
    names = [f"x{i}" for i in range(nin)]
    point = [draw(numbers) for _ in range(nin)]
    params = _parameters(draw, numbers, [nin, *widths], names, point)
    n = len(names)
    vals = list(point)
    nodes: list[tuple] = []
    layer = list(range(nin))
    neurons = iter(params)
    for depth, (width, act) in enumerate(zip(widths, acts), start=1):
        op = None if act == "linear" else variant(act)
        layer = [
            _neuron(next(neurons), layer, op, f"h{depth}_{j}", (vals, point, nodes), margin)
            for j in range(width)
        ]
    if len(layer) > 1:
        squares = []
        for i in layer:
            nodes.append((_SQUARE, (i,), 2.0))
            squares.append(n + len(nodes) - 1)
        nodes.append((_ADD_ALL, tuple(squares)))
    model = MLP(nin, widths, activation=acts, rng=random.Random(0))  # weights come as inputs
    for layer_ in model.layers:
        for neuron in layer_.neurons:
            neuron.fused = fused
    title = repr(model) + ("" if fused else " unfused")
    title += ", output = sum of squares" if len(layer) > 1 else ""
    expression = Expression(names, nodes, title=title)
    assume(finite_differences_are_accurate(expression, point))
    return Network(model, expression, nin), point


def _parameters(draw, numbers, sizes: list[int], names: list[str], point: list) -> list:
    """Draw every weight and bias (appended to ``names`` and ``point``), layer by layer.

    Returns per neuron the indices of its weights and its bias among the inputs.
    """
    params = []
    for depth, (fan_in, width) in enumerate(itertools.pairwise(sizes), start=1):
        for j in range(width):
            ws = []
            for i in range(fan_in):
                names.append(f"w{depth}_{j}_{i}")
                point.append(draw(numbers))
                ws.append(len(names) - 1)
            names.append(f"b{depth}_{j}")
            point.append(draw(numbers))
            params.append((ws, len(names) - 1))
    return params


def _neuron(param, layer: list[int], op, name: str, state, margin: float) -> int:
    """Add one neuron's nodes (affine, then its activation ``op`` if any); its output index.

    ``state`` is (the value of every input and node, the drawn point, the nodes so far); a
    bias moves by a whole number when the pre-activation is within ``margin`` of a kink.
    """
    vals, point, nodes = state
    ws, b = param
    args = (*ws, *layer, b)
    v = _AFFINE.reference(*[vals[i] for i in args])
    if op is not None and not op.domain(0).contains(v, margin):
        vals[b] = point[b] = vals[b] + op.domain(0).shift(v, margin)  # move the bias
        v = _AFFINE.reference(*[vals[i] for i in args])
    nodes.append((_AFFINE, args, None, "" if op else name))
    vals.append(v)
    if op is not None:
        nodes.append((op, (len(vals) - 1,), None, name))
        vals.append(op.reference(v))
    return len(vals) - 1


def mlps(
    *,
    min_inputs: int = 1,
    max_inputs: int = 3,
    max_hidden_layers: int = 2,
    max_width: int = 3,
    max_outputs: int = 2,
    activations: Sequence[str] = ("relu", "tanh", "sigmoid", "linear"),
    margin: float = 0.1,
) -> st.SearchStrategy[tuple[Network, list[float]]]:
    """Small random ``nn.MLP`` networks with their features, weights and biases.

    Draws ``(f, inputs)``: ``f`` a ``Network`` with ``min_inputs`` to ``max_inputs``
    features, up to ``max_hidden_layers`` hidden layers of up to ``max_width`` neurons (one
    activation per hidden layer, from ``activations``; the last layer linear, with up to
    ``max_outputs`` neurons), fused or not. ``f`` takes the features ``x*``, then every weight
    ``w<layer>_<neuron>_<input>`` and bias ``b<layer>_<neuron>``, so ``gradcheck(f, inputs)``
    checks the gradients of parameters and features alike. Weights and features are in
    [-2, 2]; a bias moves by a whole number when its neuron's pre-activation is within
    ``margin`` of relu's kink. Draws where finite differences cannot be trusted are rejected
    (``autograd.testing.finite_differences_are_accurate``), so a correct engine passes
    ``gradcheck`` and ``gradgradcheck`` at their default tolerances on every example.

    >>> from hypothesis import find
    >>> f, inputs = find(mlps(), lambda case: True)
    >>> print(f)
    MLP(1, [1], activation=['linear']): f(x0, w1_0_0, b1_0) = affine([w1_0_0], [x0], b1_0)
    """
    bounds = (
        ("min_inputs", min_inputs, 1),
        ("max_inputs", max_inputs, min_inputs),
        ("max_hidden_layers", max_hidden_layers, 0),
        ("max_width", max_width, 1),
        ("max_outputs", max_outputs, 1),
    )
    for name, v, lo in bounds:
        if isinstance(v, bool) or not isinstance(v, int) or v < lo:
            raise ValueError(f"mlps: {name} must be an int >= {lo} (got {v!r})")
    acts = tuple(activations)
    if not acts or any(a not in ACTIVATIONS for a in acts):
        raise ValueError(f"mlps: activations must be among {list(ACTIVATIONS)} (got {acts!r})")
    if not 0 < margin <= 1:
        raise ValueError(f"mlps: margin must be in (0, 1] (got {margin!r})")
    return _mlps(min_inputs, max_inputs, max_hidden_layers, max_width, max_outputs, acts, margin)
