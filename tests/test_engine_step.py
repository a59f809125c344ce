"""nn.train's engine step is the plain loop, bit for bit, whatever its fast paths do.

The step builds a batch's graph layer by layer (``nn.layers.outputs_of_batch``, with
``affine_rows_batch``), makes a network's first layer from float inputs in one pass, and sorts
with a shortcut for nodes whose parents are all placed. Each must give the nodes, the order
and the numbers of the plain loop: every example through ``model(x)``, micrograd's recursive
topological sort, every rule of the table run.
"""

import math
import random
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, add_all, no_grad, topological_order
from autograd.backprop import contributions
from autograd.fused import affine_rows, affine_rows_batch
from autograd.value import relu_all
from nn import MLP, SGD, Adam, losses, train
from nn.layers import ACTIVATIONS, Layer, Neuron, outputs_of_batch
from tests.examples import micrograd_topological_order


def _bits(x: float) -> bytes:
    return struct.pack("<d", x)


def _described(roots: list) -> list[tuple]:
    """Each node reachable from ``roots`` (micrograd's order), as the plain facts it holds.

    A leaf made before is itself (the same weight or input in both graphs), a new one its
    data; an inner node is its op, its primitive, its data's bits, its constant and its
    parents' positions in this list.
    """
    order: list = []
    for root in roots:
        if isinstance(root, Value):
            order += [v for v in micrograd_topological_order(root, lambda v: v.parents)]
    index: dict = {}
    out = []
    for v in order:
        if v in index:
            continue
        index[v] = len(index)
        if not v.parents:  # a weight or an input, or a new leaf (made under no_grad)
            out.append(("leaf", id(v)) if v in _KNOWN else ("new leaf", _bits(v.data)))
            continue
        arg = v._arg
        const = tuple(map(_bits, arg)) if isinstance(arg, tuple) else arg
        parents = tuple(index[p] for p in v.parents)
        out.append((v.op, v._prim, _bits(v.data), const, parents))
    return out


class _Known:
    """The Values that existed before the graphs compared were built (weights, inputs)."""

    def __init__(self) -> None:
        self.ids: set = set()

    def __contains__(self, v) -> bool:
        return id(v) in self.ids


_KNOWN = _Known()


def _flat(outputs: list) -> list:
    return [v for out in outputs for v in (out if isinstance(out, list | tuple) else [out])]


_FEATURES = st.floats(-2, 2) | st.integers(-2, 2) | st.sampled_from([0.0, -0.0])


@st.composite
def _models_and_batches(draw):
    """A random MLP (sometimes changed by hand) and a batch of rows for it."""
    nin = draw(st.integers(1, 3))
    sizes = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    activation = draw(
        st.sampled_from(ACTIVATIONS[:3])
        | st.lists(st.sampled_from(ACTIVATIONS), min_size=len(sizes), max_size=len(sizes))
    )
    model = MLP(nin, sizes, activation=activation, rng=random.Random(draw(st.integers(0, 99))))
    for p in model.parameters():  # biases too (they start at 0.0): any order of sums shows
        p.data = draw(st.floats(-2, 2))
    change = draw(st.sampled_from(["none", "none", "unfused", "activation", "subclass"]))
    neuron = model.layers[-1].neurons[0]
    if change == "unfused":
        neuron.fused = False
    elif change == "activation":
        neuron.activation = "tanh"
    elif change == "subclass":

        class Doubled(Neuron):
            def __call__(self, x):
                return super().__call__(x) * 2.0

        doubled = Doubled(len(neuron.w), activation=neuron.activation, rng=random.Random(0))
        model.layers[-1].neurons[0] = doubled
    kind = draw(st.sampled_from(["floats", "values", "mixed"]))
    rows = []
    for _ in range(draw(st.integers(1, 4))):
        row = draw(st.lists(_FEATURES, min_size=nin, max_size=nin))
        if kind == "floats":
            row = [float(v) for v in row]
        elif kind == "values":
            row = [Value(float(v)) for v in row]
        rows.append(tuple(row) if draw(st.booleans()) else row)
    return model, rows


def _neuron_by_neuron(model: MLP, x):
    """``model(x)`` through each neuron's own call: ``affine``, none of a layer's fast paths."""
    for layer in model.layers:
        x = [n(x) for n in layer.neurons]
    return x[0] if len(x) == 1 else x


@given(_models_and_batches())
def test_a_batch_gives_the_nodes_of_calling_the_model_per_example(case):
    model, rows = case
    _KNOWN.ids = {id(v) for v in [*model.parameters(), *_flat(rows)] if isinstance(v, Value)}
    got = outputs_of_batch(model, rows)
    for expected in ([model(x) for x in rows], [_neuron_by_neuron(model, x) for x in rows]):
        assert [isinstance(o, list) for o in got] == [isinstance(o, list) for o in expected]
        assert _described(_flat(got)) == _described(_flat(expected))


def test_a_batch_of_rows_of_other_lengths_gets_each_example_error():
    model = MLP(2, [3, 1], rng=random.Random(0))
    with pytest.raises(ValueError, match=r"Neuron: expected 2 inputs \(got 3\)"):
        outputs_of_batch(model, [[1.0, 2.0], [1.0, 2.0, 3.0]])


def test_a_model_of_your_own_is_called_example_by_example():
    calls = []

    def model(x):
        calls.append(x)
        return Value(sum(x))

    outputs = outputs_of_batch(model, [[1.0, 2.0], [3.0]])
    assert calls == [[1.0, 2.0], [3.0]] and [o.data for o in outputs] == [3.0, 3.0]


@pytest.mark.parametrize("cls", [MLP, Layer])
def test_a_call_replaced_on_the_class_is_called_per_example(monkeypatch, cls):
    model = MLP(2, [3, 1], rng=random.Random(0))
    calls = []
    own = cls.__call__

    def logged(self, x):
        calls.append(type(self).__name__)
        return own(self, x)

    monkeypatch.setattr(cls, "__call__", logged)
    outputs_of_batch(model, [[1.0, 2.0], [3.0, 4.0]])
    assert calls == [cls.__name__] * (2 if cls is MLP else 4)


_DATA = st.floats(-4.0, 4.0) | st.sampled_from([0.0, -0.0, math.inf, math.nan])


@given(st.integers(0, 3), st.integers(0, 3), st.data())
def test_affine_rows_batch_is_affine_rows_for_each_inputs(nin, nrows, data):
    rows = [[Value(data.draw(_DATA)) for _ in range(nin)] for _ in range(nrows)]
    biases = [Value(data.draw(_DATA)) for _ in range(nrows)]
    inputs = st.one_of(
        st.lists(_DATA, min_size=nin, max_size=nin),  # a first layer: floats, constants
        st.lists(_DATA.map(Value), min_size=nin, max_size=nin),
        st.lists(_DATA | st.integers(-2, 2), min_size=nin, max_size=nin),
    )
    batch = data.draw(st.lists(inputs, max_size=3))
    recording = data.draw(st.booleans())
    _KNOWN.ids = {id(v) for v in [*_flat(rows), *biases, *_flat(batch)] if isinstance(v, Value)}
    with no_grad() if not recording else _nothing():
        got = affine_rows_batch(rows, batch, biases)
        expected = [affine_rows(rows, x, biases) for x in batch]
    assert [_described(g) for g in got] == [_described(e) for e in expected]
    if not recording:
        assert all(not v.parents for v in _flat(got))


class _Subclass(Value):
    def relu(self):  # its own relu: relu_all must call it
        return Value(42.0)


@given(st.lists(st.tuples(_DATA, st.booleans())), st.booleans())
def test_relu_all_gives_the_nodes_of_relu(items, recording):
    values = [_Subclass(x) if sub else Value(x) for x, sub in items]
    _KNOWN.ids = {id(v) for v in values}
    with no_grad() if not recording else _nothing():
        got = relu_all(values)
        expected = [v.relu() for v in values]
    assert _described(got) == _described(expected)
    assert [type(v) for v in got] == [Value] * len(values)


@pytest.mark.parametrize("item", [0.5, "x", None])
def test_relu_all_of_something_not_a_value_is_a_type_error_naming_it(item):
    # It was AttributeError: 'float' object has no attribute 'relu'.
    with pytest.raises(
        TypeError, match=r"relu_all: values must be Values \(got \w+ .* at index 1\)"
    ):
        relu_all([Value(1.0), item])


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def test_topological_order_of_a_network_is_micrograd_order():
    """The sort's shortcut (every parent already placed) keeps the depth-first order."""
    model = MLP(3, [5, 4, 1], rng=random.Random(1))
    rng = random.Random(2)
    X = [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(6)]
    y = [rng.choice([-1, 1]) for _ in X]
    loss = losses.hinge([model(x) for x in X], y) + losses.l2_penalty(model.parameters())
    assert topological_order(loss) == micrograd_topological_order(loss, lambda v: v.parents)


def _shapes():
    """Graphs for each case of the sort's shortcuts, with their leaves."""
    x, w = Value(0.5, label="x"), Value(-2.0, label="w")
    y = x * w
    chain = x
    for _ in range(5):
        chain = (chain * 1.5).tanh()
    affine_once = affine_rows([[w, x]], [1.0, 2.0], [x])[0]
    return [
        add_all([y, y.relu()]),  # a unary node whose parent is placed already
        add_all([y.relu(), y]),  # ... and one whose parent is new, with placed parents
        y.relu().relu().relu(),  # a chain over a node with placed parents
        x.relu().exp() + x,  # a unary node over a leaf
        add_all([chain, chain.relu(), x.relu()]),  # a chain, then nodes over it
        affine_once.relu() * affine_once,  # a node with many parents, all placed
        add_all([affine_once, x * x, (x * x).relu()]),
    ]


@pytest.mark.parametrize("root", _shapes(), ids=range(len(_shapes())))
def test_the_sort_keeps_micrograd_order_in_every_shortcut(root):
    reference = micrograd_topological_order(root, lambda v: v.parents)
    assert topological_order(root) == reference
    assert topological_order(root, include_leaves=False) == [v for v in reference if v.parents]


# ---------------------------------------------------------------------------------------------
# training: the engine's step against the plain loop, written here


def _reference_backward(root: Value) -> None:
    """backward() as micrograd does it: its recursive order, every rule of the table run."""
    order = micrograd_topological_order(root, lambda v: v.parents)
    for v in order:
        if v.parents:
            v.grad = 0.0
    root.grad += 1.0
    for node in reversed(order):
        if node.parents:
            for p, d in zip(node.parents, contributions(node, node.grad)):
                p.grad += d


def _reference_train(model, X, y, optimizer, loss, epochs, batch_size, l2, seed):
    """nn.train's loop, written plainly: each example neuron by neuron, the reference backward."""
    loss_fn = losses._BY_NAME[loss].mean
    params = model.parameters()
    rng = random.Random(seed)
    order = list(range(len(X)))
    size = len(X) if batch_size is None else batch_size
    history = []
    for _ in range(epochs):
        if batch_size is not None:
            rng.shuffle(order)
        for start in range(0, len(X), size):
            idx = order[start : start + size]
            total = loss_fn([_neuron_by_neuron(model, X[i]) for i in idx], [y[i] for i in idx])
            if l2:
                total = total + losses.l2_penalty(params, l2)
            optimizer.zero_grad()
            _reference_backward(total)
            optimizer.step()
            history.append(total.data)
    return history


_OPTIMIZERS = {
    "sgd": lambda params: SGD(params, lr=0.1),
    "momentum": lambda params: SGD(params, lr=0.05, momentum=0.9, weight_decay=1e-3),
    "adam": lambda params: Adam(params, lr=0.02),
}


@settings(max_examples=30, deadline=None)
@given(
    st.integers(1, 3),
    st.lists(st.integers(1, 5), min_size=1, max_size=2),
    st.sampled_from(["relu", "tanh", "sigmoid"]),
    st.sampled_from(["hinge", "mse", "bce"]),
    st.sampled_from(["sgd", "momentum", "adam"]),
    st.sampled_from([None, 1, 3]),
    st.sampled_from([0.0, 1e-3]),
    st.integers(0, 1000),
)
def test_engine_training_is_the_plain_loop_bit_for_bit(
    nin, hidden, activation, loss, optimizer, batch_size, l2, seed
):
    rng = random.Random(seed)
    X = [[rng.uniform(-2, 2) for _ in range(nin)] for _ in range(5)]
    labels = {"hinge": [-1, 1], "bce": [0, 1], "mse": [-0.5, 0.25, 1.5]}[loss]
    y = [rng.choice(labels) for _ in X]
    runs = []
    for engine in (train, _reference_train):
        model = MLP(nin, [*hidden, 1], activation=activation, rng=random.Random(seed))
        params = model.parameters()
        opt = _OPTIMIZERS[optimizer](params)
        if engine is train:
            history = train(model, X, y, optimizer=opt, loss=loss, epochs=3,
                            batch_size=batch_size, l2=l2, seed=seed, progress=False,
                            compile=False)  # fmt: skip
            losses_seen = history.loss
        else:
            losses_seen = _reference_train(model, X, y, opt, loss, 3, batch_size, l2, seed)
        runs.append((list(map(_bits, losses_seen)), [_bits(p.data) for p in params]))
    assert runs[0] == runs[1]
