"""Neuron, Layer, MLP and Module: micrograd compatibility, names, state dicts, errors."""

import math
import random
import types

import micrograd.nn as mg
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value
from nn import MLP, Layer, Module, Neuron
from tests.examples import demo_loss
from tests.strategies import between

finite = between(-3, 3)


def test_micrograd_mlp_has_337_parameters_in_micrograds_order():
    random.seed(1337)
    theirs = mg.MLP(2, [16, 16, 1])
    after_theirs = random.getstate()
    random.seed(1337)
    ours = MLP(2, [16, 16, 1])
    assert random.getstate() == after_theirs  # the same calls to the global random, in order
    assert len(ours.parameters()) == 337
    assert [p.data for p in ours.parameters()] == [float(p.data) for p in theirs.parameters()]


def test_initialisation_is_uniform_weights_then_zero_bias_per_neuron():
    random.seed(5)
    expected = []
    for nin, nout in [(3, 4), (4, 1)]:
        for _ in range(nout):
            expected += [random.uniform(-1, 1) for _ in range(nin)] + [0.0]
    random.seed(5)
    assert [p.data for p in MLP(3, [4, 1]).parameters()] == expected


def test_rng_gives_reproducible_weights_and_leaves_global_random_alone():
    random.seed(0)
    state = random.getstate()
    a = MLP(2, [5, 3], rng=random.Random(42))
    b = MLP(2, [5, 3], rng=random.Random(42))
    assert random.getstate() == state
    assert a.state_dict() == b.state_dict()
    assert a.state_dict() != MLP(2, [5, 3], rng=random.Random(43)).state_dict()


@given(st.lists(st.tuples(finite, finite), min_size=1, max_size=5))
def test_forward_equals_micrograd_exactly(points):
    random.seed(7)
    theirs = mg.MLP(2, [4, 3, 1])
    random.seed(7)
    ours = MLP(2, [4, 3, 1])
    for p in points:
        assert ours(list(p)).data == theirs([mg.Value(v) for v in p]).data


def test_one_training_step_matches_micrograd():
    points = [[0.5, -0.2], [-1.0, 0.7], [1.5, 0.1], [0.0, 1.0]]
    labels = [1, -1, 1, -1]

    def step(model, value):
        total = demo_loss(model, points, labels, value)
        model.zero_grad()
        total.backward()
        return total.data, [p.grad for p in model.parameters()]

    random.seed(3)
    theirs = step(mg.MLP(2, [6, 6, 1]), mg.Value)
    random.seed(3)
    ours = step(MLP(2, [6, 6, 1]), Value)
    assert ours[0] == theirs[0]
    assert ours[1] == pytest.approx(theirs[1], rel=1e-12, abs=1e-15)


def test_last_layer_is_linear_and_single_output_is_one_value():
    model = MLP(2, [3, 2], rng=random.Random(0))
    assert [layer.activation for layer in model.layers] == ["relu", "linear"]
    out = model([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 2
    single = MLP(2, [3, 1], rng=random.Random(0))([1.0, 2.0])
    assert isinstance(single, Value)


def test_hidden_layer_of_one_neuron_works():
    model = MLP(2, [1, 4, 1], rng=random.Random(0))
    out = model([0.3, -0.8])
    assert isinstance(out, Value)
    out.backward()
    assert len(model.parameters()) == 3 + 4 * 2 + 5


def test_layer_always_returns_a_list():
    out = Layer(2, 1, rng=random.Random(0))([1.0, 1.0])
    assert isinstance(out, list) and len(out) == 1


def test_micrograd_signatures():
    assert Neuron(3, False).activation == "linear"
    assert Neuron(3, nonlin=True).nonlin is True
    layer = Layer(3, 2, nonlin=False)
    assert all(n.activation == "linear" for n in layer.neurons)
    assert str(Neuron(2, False)) == "Neuron(2, activation='linear')"


@pytest.mark.parametrize(
    ("activation", "fn"),
    [
        ("relu", lambda z: max(z, 0.0)),
        ("tanh", math.tanh),
        ("sigmoid", lambda z: 1 / (1 + math.exp(-z))),
        ("linear", lambda z: z),
    ],
)
def test_activations(activation, fn):
    n = Neuron(2, activation=activation, rng=random.Random(1))
    n.b.data = 0.25
    z = n.w[0].data * 0.5 + n.w[1].data * -1.5 + 0.25
    assert n([0.5, -1.5]).data == pytest.approx(fn(z), rel=1e-15)


def test_activation_per_layer_includes_the_last():
    model = MLP(2, [3, 1], activation=["tanh", "sigmoid"], rng=random.Random(0))
    assert [layer.activation for layer in model.layers] == ["tanh", "sigmoid"]
    assert 0.0 < model([1.0, 1.0]).data < 1.0
    assert MLP(2, [3, 3, 1], activation="tanh").layers[-1].activation == "linear"


@given(
    st.lists(finite, min_size=3, max_size=3),
    st.lists(finite, min_size=3, max_size=3),
    st.booleans(),
)
def test_fused_and_unfused_neurons_give_identical_data_and_gradients(w, x, value_inputs):
    results = []
    for fused in (True, False):
        n = Neuron(3, activation="tanh", rng=random.Random(0), fused=fused)
        for wi, v in zip(n.w, w):
            wi.data = v
        n.b.data = 0.5
        xs = [Value(v) for v in x] if value_inputs else list(x)
        out = n(xs)
        out.backward()
        grads = [p.grad for p in n.parameters()]
        if value_inputs:
            grads += [xi.grad for xi in xs]
        results.append((out.data, grads))
    assert results[0] == results[1]


def test_unfused_neuron_builds_micrograds_chain():
    n = Neuron(2, fused=False, rng=random.Random(0))
    out = n([1.0, 2.0])
    assert out.op == "relu"
    assert out.parents[0].op == "+"
    fused = Neuron(2, rng=random.Random(0))([1.0, 2.0])
    assert fused.parents[0].op == "affine"


def test_inputs_may_be_floats_values_or_mixed():
    n = Neuron(2, activation="linear", rng=random.Random(0))
    x = Value(2.0)
    a = n([2.0, 3.0]).data
    out = n([x, 3.0])
    assert out.data == a
    out.backward()
    assert x.grad == n.w[0].data
    assert n(v for v in [2.0, 3.0]).data == a  # any iterable, like micrograd's zip


def test_named_parameters_and_state_dict():
    model = MLP(2, [2, 1], rng=random.Random(0))
    names = [name for name, _ in model.named_parameters()]
    assert names == [
        "layers.0.neurons.0.w.0",
        "layers.0.neurons.0.w.1",
        "layers.0.neurons.0.b",
        "layers.0.neurons.1.w.0",
        "layers.0.neurons.1.w.1",
        "layers.0.neurons.1.b",
        "layers.1.neurons.0.w.0",
        "layers.1.neurons.0.w.1",
        "layers.1.neurons.0.b",
    ]
    assert [p for _, p in model.named_parameters()] == model.parameters()
    state = model.state_dict()
    other = MLP(2, [2, 1], rng=random.Random(1))
    other.load_state_dict(state)
    assert other.state_dict() == state


def test_zero_grad():
    model = MLP(2, [3, 1], rng=random.Random(0))
    model([1.0, 1.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 and type(p.grad) is float for p in model.parameters())


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (lambda s: s.pop("layers.1.neurons.0.b"), ValueError, "missing 'layers.1.neurons.0.b'"),
        (lambda s: s.update(extra=1.0), ValueError, "unexpected 'extra'"),
        (lambda s: s.update({"layers.0.neurons.0.b": "1"}), TypeError, "must be a real number"),
        (lambda s: s.update({"layers.0.neurons.0.b": True}), TypeError, "must be a real number"),
        (lambda s: s.update({"layers.1.neurons.0.b": math.nan}), ValueError, "must be finite"),
        (lambda s: s.update({"layers.1.neurons.0.b": 10**400}), ValueError, "must be finite"),
    ],
)
def test_load_state_dict_validates_everything_before_changing_anything(change, error, match):
    model = MLP(2, [2, 1], rng=random.Random(0))
    before = model.state_dict()
    state = {name: 0.5 for name in before}
    change(state)
    with pytest.raises(error, match=match):
        model.load_state_dict(state)
    assert model.state_dict() == before


def test_load_state_dict_rejects_a_non_mapping():
    with pytest.raises(TypeError, match="mapping"):
        Neuron(2).load_state_dict([1.0, 2.0, 3.0])


def test_micrograd_style_subclass_overriding_only_parameters():
    class Pair(Module):
        def __init__(self):
            self.a, self.b = Value(1.0), Value(2.0)

        def parameters(self):
            return [self.a, self.b]

    pair = Pair()
    assert pair.named_parameters() == [("0", pair.a), ("1", pair.b)]
    assert pair.state_dict() == {"0": 1.0, "1": 2.0}
    pair.zero_grad()
    assert Module().parameters() == [] and Module().named_parameters() == []
    assert repr(Module()) == "Module()  # 0 parameters"


@pytest.mark.parametrize(
    ("build", "error", "match"),
    [
        (lambda: Neuron(0), ValueError, "Neuron: nin must be an int >= 1"),
        (lambda: Neuron(2.0), ValueError, "nin must be an int"),
        (lambda: Neuron(2, activation="gelu"), ValueError, "activation must be one of"),
        (lambda: Neuron(2, False, activation="tanh"), ValueError, "nonlin=False"),
        (lambda: Neuron(2, nonlin="yes"), TypeError, "nonlin must be True or False"),
        (lambda: Neuron(2, rng=42), TypeError, "rng must be a random.Random"),
        (lambda: Neuron(2, fused=1), TypeError, "fused must be True or False"),
        (lambda: Layer(2, 0), ValueError, "Layer: nout must be an int >= 1"),
        (lambda: MLP(2, []), TypeError, "nouts must be a non-empty list"),
        (lambda: MLP(2, 16), TypeError, "nouts must be a non-empty list"),
        (lambda: MLP(2, [16, -1]), ValueError, "every layer size"),
        (lambda: MLP(2, [4, 1], activation=["relu"]), ValueError, "list of 2 names"),
        (lambda: MLP(2, [4, 1], activation="softmax"), ValueError, "activation must be one of"),
    ],
)
def test_bad_construction_is_a_clear_error(build, error, match):
    random.seed(0)
    state = random.getstate()
    with pytest.raises(error, match=match):
        build()
    assert random.getstate() == state  # no random number was drawn before the error


def test_wrong_number_of_inputs_is_a_value_error():
    with pytest.raises(ValueError, match=r"Neuron: expected 2 inputs \(got 3\)"):
        MLP(2, [3, 1])([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="affine"):
        Neuron(2)([1.0, "x"])


def test_repr():
    assert repr(MLP(2, [16, 16, 1])) == "MLP(2, [16, 16, 1], activation='relu')"
    assert repr(Layer(3, 4, activation="tanh")) == "Layer(3, 4, activation='tanh')"
    assert "['tanh', 'linear']" in repr(MLP(1, [2, 1], activation=["tanh", "linear"]))


def test_nn_exports_exactly_its_public_names():
    import nn

    classes_and_functions = {
        name
        for name, obj in vars(nn).items()
        if not name.startswith("_") and (isinstance(obj, type) or callable(obj))
    }
    assert classes_and_functions <= set(nn.__all__)
    assert all(hasattr(nn, name) for name in nn.__all__)
    modules = {name for name in nn.__all__ if isinstance(getattr(nn, name), types.ModuleType)}
    assert modules == {"data", "losses", "plot"}  # the submodules a user reaches as nn.<name>
    assert sorted(nn.__all__) == sorted(classes_and_functions | modules)


class _CountedName(str):
    """A parameter name that counts how often it is hashed (each set or dict lookup)."""

    hashes = 0

    def __hash__(self):
        _CountedName.hashes += 1
        return super().__hash__()


class _Wide(Module):
    def __init__(self, n):
        self.values = [Value(0.0) for _ in range(n)]
        self.listings = 0

    def named_parameters(self):
        self.listings += 1
        return [(_CountedName(f"p{i}"), v) for i, v in enumerate(self.values)]


@pytest.mark.parametrize("n", [10, 400])
def test_load_state_dict_does_work_linear_in_the_number_of_parameters(n):
    # A set of all names rebuilt for each name made loading quadratic (23k parameters took
    # over 15 s); counting the work done instead of timing it: a few hashes per name.
    module = _Wide(n)
    state = {f"p{i}": float(i) for i in range(n)}
    _CountedName.hashes = 0
    module.load_state_dict(state)
    assert [v.data for v in module.values] == list(map(float, range(n)))
    assert module.listings == 1
    assert _CountedName.hashes <= 4 * n


@pytest.mark.parametrize("name", ["rleu", "ReLU", "", None, 1])
def test_an_unknown_activation_set_later_is_a_value_error(name):
    neuron = Neuron(2, rng=random.Random(0))
    with pytest.raises(ValueError, match=r"Neuron: activation must be one of \(.*'relu'.*\(got "):
        neuron.activation = name
    assert neuron.activation == "relu" and neuron([1.0, 1.0]).op == "relu"


@pytest.mark.parametrize("fast", [True, False])
def test_an_activation_set_later_is_the_one_applied(fast):
    layer = Layer(2, 3, rng=random.Random(0), fused=fast)  # fused: the layer's fast path
    for n in layer.neurons:
        n.activation = "sigmoid"
    x = [0.5, -2.0]
    want = [
        1 / (1 + math.exp(-(n.b.data + n.w[0].data * 0.5 - n.w[1].data * 2))) for n in layer.neurons
    ]
    assert [v.op for v in layer(x)] == ["sigmoid"] * 3
    assert [v.data for v in layer(x)] == pytest.approx(want, rel=1e-15)
    assert layer.activation == "sigmoid" and repr(layer) == "Layer(2, 3, activation='sigmoid')"
    layer.neurons[1].activation = "tanh"  # unlike neurons: each applies its own
    assert [v.op for v in layer(x)] == ["sigmoid", "tanh", "sigmoid"]
    assert "neurons=[" in repr(layer)
    with pytest.raises(ValueError, match=r"neurons\.1 has activation 'tanh'"):
        _ = layer.activation


def test_architecture_and_repr_follow_changes():
    model = MLP(2, [3, 1], rng=random.Random(0))
    for n in model.layers[0].neurons:
        n.activation = "tanh"
    assert repr(model) == "MLP(2, [3, 1], activation='tanh')"
    model.layers.append(Layer(1, 2, activation="sigmoid", rng=random.Random(1)))
    assert model.architecture() == {
        "type": "MLP",
        "nin": 2,
        "nouts": [3, 1, 2],
        "activation": ["tanh", "linear", "sigmoid"],
    }


def test_a_micrograd_style_module_calling_super_parameters_works():
    """micrograd's ``Module.parameters`` returns []: subclasses may add to it."""

    class Scale(Module):
        def __init__(self):
            self.w = Value(2.0)

        def parameters(self):
            return super().parameters() + [self.w]  # noqa: RUF005 (as users write it)

    class Twice(Scale):
        def __init__(self):
            super().__init__()
            self.v = Value(3.0)

        def parameters(self):
            return super().parameters() + [self.v]  # noqa: RUF005 (as users write it)

    m = Twice()
    assert m.parameters() == [m.w, m.v]
    assert m.named_parameters() == [("0", m.w), ("1", m.v)]
    assert m.state_dict() == {"0": 2.0, "1": 3.0}
    m.load_state_dict({"0": 0.5, "1": 0.25})
    assert (m.w.data, m.v.data) == (0.5, 0.25)
    assert Module().parameters() == [] and Module().named_parameters() == []
