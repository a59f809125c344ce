"""backward() skips the rule of a node whose incoming gradient is 0 only where no bit changes.

The reference is ``walk_backward``, which runs every rule. Gradients are compared bit for bit,
signed zeros included (``-0.0 + 0.0`` is ``+0.0``) and nan for nan (``0 * inf``, ``0 * nan``).
Also here: the leaner forward (a layer calling its neurons' bodies, the fused sums) gives the
same nodes as before.
"""

import math
import operator
import random
import struct
from collections import deque

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, add_all, affine, backprop, primitives, record_scopes, topological_order
from autograd.fused import affine_rows
from nn import MLP, Layer, Neuron
from tests.reference_backward import walk_backward

SPECIAL = [0.0, -0.0, 1.0, -1.0, 2.5, -3.0, math.inf, -math.inf, math.nan]
# finite values mostly, so that skipping is allowed in most graphs; specials now and then
_floats = st.one_of(
    st.floats(-3.0, 3.0, allow_nan=False), st.sampled_from([0.0, -0.0]), st.sampled_from(SPECIAL)
)
_consts = st.sampled_from([0.0, -0.0, 2.0, -0.5, math.inf, math.nan])


def _custom_square(x: Value) -> Value:
    out = Value(x.data * x.data, (x,), "square")

    def _backward():
        x.grad += 2.0 * x.data * out.grad

    out._backward = _backward
    return out


_UNARY = [Value.relu, Value.tanh, Value.sigmoid, Value.sin, abs, lambda v: -v]
_WITH_CONST = [
    lambda v, c: v * c,
    lambda v, c: c + v,
    lambda v, c: v.leaky_relu(c),
    lambda v, c: v / 2.0,
    lambda v, c: v**2,
    lambda v, c: (v.tanh() * 0.5).exp(),
]
_BINARY = [
    lambda a, b: a + b,
    lambda a, b: a * b,
    lambda a, b: a - b,
    lambda a, b: a / (b.tanh() + 2.0),  # never a division by zero (nan / nan at worst)
]


def _draw_node(draw, pool: list[Value]) -> Value:
    pick = st.sampled_from(pool)
    kind = draw(st.sampled_from(["unary", "const", "binary", "same", "sum", "affine", "own"]))
    if kind == "unary":
        return draw(st.sampled_from(_UNARY))(draw(pick))
    if kind == "const":
        return draw(st.sampled_from(_WITH_CONST))(draw(pick), draw(_consts))
    if kind == "binary":
        return draw(st.sampled_from(_BINARY))(draw(pick), draw(pick))
    if kind == "same":
        v = draw(pick)
        return v * v
    if kind == "sum":
        return add_all(draw(st.lists(pick, min_size=1, max_size=4)))
    if kind == "affine":
        n = draw(st.integers(0, 3))
        ws = [draw(pick) for _ in range(n)]
        xs = draw(st.lists(st.one_of(pick, _floats), min_size=n, max_size=n))
        return affine(ws, xs, draw(pick))
    return _custom_square(draw(pick))  # made micrograd's way: skipping is off for the graph


@st.composite
def zero_heavy_graphs(draw):
    """(root, leaves): graphs where many nodes get exactly 0, with signed zeros and specials."""
    leaves = [Value(draw(_floats)) for _ in range(draw(st.integers(1, 4)))]
    pool = list(leaves)
    for _ in range(draw(st.integers(1, 20))):
        pool.append(_draw_node(draw, pool))
    root = add_all(pool[len(leaves) :])
    ending = draw(st.sampled_from(["plain", "relu", "times 0", "times -0"]))
    if ending == "relu":  # a negative sum sends 0 to every node
        root = root.relu()
    elif ending != "plain":
        root = root * (0.0 if ending == "times 0" else -0.0)
    # after the forward pass: a leaf's grad or a node's data may be set from outside
    for v in leaves:
        v.grad = draw(st.sampled_from([0.0, 0.0, -0.0, 1.0, math.nan]))
    if draw(st.booleans()):
        draw(st.sampled_from(pool)).data = draw(st.sampled_from(SPECIAL))
    return root, leaves


def _bits(x: float):
    return "nan" if x != x else struct.pack("<d", x)


def _grads_both_ways(root):
    """Every node's grad after backward(), then after the walk that runs every rule."""
    nodes = topological_order(root)
    leaves = [v for v in nodes if not v.parents]
    preset = [v.grad for v in leaves]
    root.backward()
    skipped = [_bits(v.grad) for v in nodes]
    for v, g in zip(leaves, preset):
        v.grad = g
    for v in nodes:
        if v.parents:
            v.grad = 12.5  # stale values: both walks must reset them
    deque(walk_backward(root), maxlen=0)
    full = [_bits(v.grad) for v in nodes]
    return skipped, full


@given(zero_heavy_graphs())
def test_backward_equals_the_walk_that_runs_every_rule_bit_for_bit(graph):
    skipped, full = _grads_both_ways(graph[0])
    assert skipped == full


def test_a_trained_relu_network_gets_the_same_bits_both_ways():
    rng = random.Random(0)
    model = MLP(2, [8, 8, 1], rng=rng)
    X = [[rng.uniform(-2, 2), rng.uniform(-2, 2)] for _ in range(30)]
    y = [1.0 if a * b > 0 else -1.0 for a, b in X]
    for _k in range(5):
        scores = [model(list(map(Value, x))) for x in X]
        losses = [(1 + -yi * s).relu() for yi, s in zip(y, scores)]
        loss = add_all(losses) * (1.0 / len(losses)) + 1e-4 * add_all(
            [p * p for p in model.parameters()]
        )
        model.zero_grad()
        skipped, full = _grads_both_ways(loss)
        assert skipped == full
        zeros = sum(1 for v in topological_order(loss) if v.parents and v.grad == 0.0)
        assert zeros > 0  # the case the skipping is for
        for p in model.parameters():
            p.data -= 0.5 * p.grad


# ---------------------------------------------------------------------------------------------
# when a rule is skipped and when it must run: counted calls, one case each


@pytest.fixture
def rules_run(monkeypatch):
    """How many nodes backward() ran the rule of."""
    calls = []
    original = backprop._add_contributions

    def counted(node, g):
        calls.append(node)
        return original(node, g)

    monkeypatch.setattr(backprop, "_add_contributions", counted)
    return calls


def _inactive_unit():
    """relu(x * w) with x * w < 0: the product's node gets exactly 0."""
    x, w = Value(-1.0), Value(2.0)
    return x, w, (x * w).relu()


def test_a_node_that_gets_zero_is_skipped(rules_run):
    x, w, y = _inactive_unit()
    y.backward()
    assert len(rules_run) == 1  # relu only
    assert _bits(x.grad) == _bits(w.grad) == _bits(0.0)


def test_a_leaf_holding_minus_zero_runs_every_rule(rules_run):
    x, _w, y = _inactive_unit()
    x.grad = -0.0
    y.backward()
    assert len(rules_run) == 2
    assert _bits(x.grad) == _bits(0.0)  # -0.0 + 0.0 is +0.0: skipping would have kept -0.0


@pytest.mark.parametrize("special", [math.inf, -math.inf, math.nan])
def test_a_non_finite_data_runs_every_rule(rules_run, special):
    x, w, y = _inactive_unit()
    w.data = special  # after the forward pass: 0 * w is nan
    y.backward()
    assert len(rules_run) == 2
    assert math.isnan(x.grad)


def test_a_non_finite_constant_runs_its_rule(rules_run):
    x = Value(-1.0)
    y = x * math.inf  # -inf
    y.data = -1.0  # finite data everywhere now, but the rule multiplies by inf
    z = y.relu()
    z.backward()
    assert len(rules_run) == 2
    assert math.isnan(x.grad)  # 0 * inf, as the walk that runs every rule gives


def test_constant_inputs_found_finite_do_not_stand_for_others(rules_run):
    """Nodes sharing a layer's finite inputs are skipped; a node with an inf input is not."""
    w_inf, b = Value(0.5), Value(0.0)
    with_inf = affine([w_inf], [math.inf], b)
    with_inf.data = 1.0  # finite data everywhere now, but the rule multiplies by inf
    shared = affine_rows([[Value(0.5)], [Value(-0.5)]], [1.0], [Value(0.0), Value(0.0)])
    root = add_all([with_inf, *shared]) * 0.0  # every inner node gets exactly 0
    root.backward()
    assert rules_run == [root, with_inf]
    assert math.isnan(w_inf.grad)  # 0 * inf, as the walk that runs every rule gives


def test_a_division_is_never_skipped(rules_run):
    x, y = Value(-1.0), Value(2.0)
    (x / y).relu().backward()
    assert len(rules_run) == 2


def test_nodes_made_micrograd_s_way_turn_skipping_off(rules_run):
    _x, w, y = _inactive_unit()
    z = y + _custom_square(w)
    z.backward()
    assert len(rules_run) == 4  # +, square, relu and * (which gets 0)
    assert w.grad == 4.0


# ---------------------------------------------------------------------------------------------
# the leaner forward: same nodes


@given(
    st.lists(
        st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([0.0, -0.0]),
        max_size=12,
    ),
    st.floats(allow_nan=True, allow_infinity=True),
)
def test_fused_sums_add_left_to_right_on_every_python(terms, start):
    expected = start
    for t in terms:
        expected = expected + t
    assert _bits(primitives._sum_in_order(terms, start)) == _bits(expected)
    assert _bits(primitives._add_left_to_right(terms, start)) == _bits(expected)


def _shape(v: Value):
    """The node's bits and op, its parents: the same objects if leaves, else the same shape."""
    return (_bits(v.data), v.op, tuple(_shape(p) if p.parents else id(p) for p in v.parents))


def test_a_layer_gives_the_same_nodes_with_and_without_recording_scopes():
    layer = Layer(3, 4, activation="tanh", rng=random.Random(1))
    x = [Value(0.5), Value(-1.0), Value(2.0)]
    plain = layer(x)
    with record_scopes() as scopes:
        recorded = layer(x)
    assert [_shape(v) for v in plain] == [_shape(v) for v in recorded]
    assert [v.op for v in plain] == ["tanh"] * 4
    assert [s.name for s in scopes.scopes] == ["Layer"] + ["Neuron"] * 4


def test_a_layer_calls_a_neuron_subclass_through_its_own_call():
    class Doubled(Neuron):
        def __call__(self, x):
            return super().__call__(x) * 2.0

    layer = Layer(2, 2, rng=random.Random(2))
    layer.neurons[1] = Doubled(2, rng=random.Random(3))
    out = layer([1.0, -0.5])
    assert out[0].op == "relu" and out[1].op == "*"


def test_a_layer_still_checks_the_number_of_inputs():
    layer = Layer(3, 2, rng=random.Random(0))
    with pytest.raises(ValueError, match=r"Neuron: expected 3 inputs \(got 2\)"):
        layer([1.0, 2.0])


_data = st.floats(-4.0, 4.0) | st.sampled_from([0.0, -0.0, math.inf, math.nan])


class _Named(Value):
    """A subclass of Value: welcome everywhere, and it takes the slower paths."""


@given(
    st.integers(0, 4),
    st.integers(0, 3),
    st.data(),
)
def test_affine_rows_gives_the_nodes_affine_gives(nin, nrows, data):
    def values(n):
        return [data.draw(st.sampled_from([Value, _Named]))(data.draw(_data)) for _ in range(n)]

    xs = data.draw(st.one_of(st.just(values(nin)), st.lists(_data, min_size=nin, max_size=nin)))
    rows = [values(data.draw(st.sampled_from([nin, nin, nin + 1]))) for _ in range(nrows)]
    biases = values(nrows)
    expected = []
    for w, b in zip(rows, biases):
        try:
            expected.append(affine(w, xs, b))
        except ValueError:
            with pytest.raises(ValueError, match="as many inputs as weights"):
                affine_rows(rows, xs, biases)
            return
    got = affine_rows(rows, xs, biases)
    for a, b in zip(got, expected):
        assert (_bits(a.data), a._prim, len(a.parents)) == (_bits(b.data), b._prim, len(b.parents))
        assert len(a.parents) == len(b.parents) and all(map(operator.is_, a.parents, b.parents))
        assert list(map(_bits, _const(a)[0] if _const(a) else ())) == list(
            map(_bits, _const(b)[0] if _const(b) else ())
        )
        assert _bits(a.data) == _bits(a._prim.forward(*[p.data for p in a.parents], *_const(a)))


def _const(node):
    return () if node._arg is None else (node._arg,)


@given(st.lists(_data, min_size=0, max_size=9).map(lambda v: v[: len(v) // 2 * 2]), _data)
def test_affine_equals_its_rule_table_forward(values, bias):
    n = len(values) // 2
    ws, xs, b = [Value(v) for v in values[:n]], [Value(v) for v in values[n:]], Value(bias)
    node = affine(ws, xs, b)
    assert _bits(node.data) == _bits(primitives.AFFINE.forward(*values, bias))


@pytest.mark.parametrize(
    "change",
    [
        lambda layer: setattr(layer.neurons[1], "fused", False),
        lambda layer: setattr(layer.neurons[0], "activation", "tanh"),
        lambda layer: layer.neurons[2].w.append(Value(0.5)),  # now a wrong number of inputs
        lambda layer: layer.neurons[1].w.__setitem__(0, _Named(0.25)),
    ],
)
def test_a_layer_with_an_odd_neuron_gives_what_each_neuron_gives(change):
    layer = Layer(2, 3, rng=random.Random(4))
    change(layer)
    x = [Value(0.5), Value(-1.5)]
    try:
        expected = [_shape(n(x)) for n in layer.neurons]
    except ValueError as e:
        with pytest.raises(ValueError, match=str(e).replace("(", r"\(").replace(")", r"\)")):
            layer(x)
        return
    assert [_shape(v) for v in layer(x)] == expected


def test_data_that_is_not_a_float_turns_skipping_off_and_resets_every_grad(rules_run):
    from decimal import Decimal

    x, w, y = _inactive_unit()
    h = y * 3.0
    h.grad = y.grad = 7.0  # stale: backward resets them
    with pytest.raises(TypeError, match=r"^\.data must be a real number"):
        y.data = Decimal(0)  # .data takes real numbers only (as floats), not a Decimal
    y._data = Decimal(0)  # the private slot can still hold one: float + Decimal is a TypeError
    h.backward()
    assert len(rules_run) == 3  # every rule ran
    assert (h.grad, y.grad, x.grad, w.grad) == (1.0, 3.0, 0.0, 0.0)


def test_a_layer_of_other_modules_or_none_calls_each_of_them():
    layer = Layer(2, 1, rng=random.Random(5))
    layer.neurons = []
    assert layer([1.0, 2.0]) == []
    layer.neurons = [lambda x: x[0] * 2.0, Neuron(2, rng=random.Random(6))]  # no .activation
    out = layer([Value(1.5), Value(-1.0)])
    assert out[0].data == 3.0 and out[1].op == "relu"


# ---------------------------------------------------------------------------------------------
# Primitive.zero_skip: which rules may be skipped at g = 0


_ALL = [  # (primitive, number of float operands, has a constant)
    *[(p, 2, False) for p in (primitives.ADD, primitives.MUL, primitives.DIV, primitives.POW)],
    *[(p, 1, False) for p in (primitives.EXP, primitives.LOG, primitives.TANH)],
    *[(p, 1, False) for p in (primitives.SIGMOID, primitives.SOFTPLUS, primitives.RELU)],
    *[(p, 1, False) for p in (primitives.ABS, primitives.SIN, primitives.COS)],
    *[(p, 1, True) for p in (primitives.ADD_CONST, primitives.MUL_CONST, primitives.DIV_CONST)],
    *[(p, 1, True) for p in (primitives.RDIV_CONST, primitives.POW_CONST)],
    *[(p, 1, True) for p in (primitives.RPOW_CONST, primitives.LEAKY_RELU)],
    (primitives.SUM, 3, False),
    (primitives.AFFINE, 5, False),  # w1, w2, x1, x2, b
]
_finite = st.floats(-1e6, 1e6) | st.sampled_from([0.0, -0.0, 1e-320])


@pytest.mark.parametrize(("prim", "n", "has_const"), _ALL, ids=[f"{p.name}" for p, *_ in _ALL])
@given(data=st.data())
def test_a_zero_skip_rule_gives_signed_zeros_at_gradient_zero(prim, n, has_const, data):
    xs = data.draw(st.lists(_finite, min_size=n, max_size=n))
    args = [*xs, data.draw(_finite)] if has_const else xs
    try:
        out = prim.forward(*args)
    except (ValueError, ArithmeticError):
        return
    if not math.isfinite(out):
        return  # a non-finite value anywhere turns skipping off
    g = data.draw(st.sampled_from([0.0, -0.0]))
    added = prim.vjp(g, out, *args)
    if prim.zero_skip:
        assert all(d == 0.0 for d in added)


@pytest.mark.parametrize(
    ("prim", "args"),
    [(primitives.POW_CONST, (0.0, 0.5)), (primitives.POW, (0.0, 0.5))],  # sqrt'(0) is inf
)
def test_a_rule_with_an_infinite_derivative_at_a_finite_point_is_not_zero_skip(prim, args):
    out = prim.forward(*args)
    assert math.isfinite(out) and not prim.zero_skip
    assert any(d != d for d in prim.vjp(0.0, out, *args))  # 0 * inf: skipping would lose it
