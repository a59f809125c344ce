"""Compiled code skips a rule whose incoming gradient is 0, and still gives backward()'s bits.

The generated backward writes such a rule under ``if d_v or run_all:``; ``run_all`` is True
when a value is inf or nan (or, in a loop body, a weight is, or a gradient starts at -0.0):
then every rule runs. Which lines ran is seen with ``sys.settrace``; the reference is always
the engine (``backward()`` on a fresh graph), compared bit for bit (signed zeros, nan).
"""

import math
import random
import struct
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, add_all, affine, compile
from autograd.compiling import loop_body
from nn import MLP, SGD, losses, train
from nn.data import make_moons, signed_labels


def bits(xs):
    return [b"nan" if x != x else struct.pack("<d", x) for x in xs]


def engine(fn, inputs, params=()):
    """fn on fresh leaves, then backward(): the value and the gradients, as compile gives them."""
    leaves = [Value(float(x)) for x in inputs]
    for p in params:
        p.grad = 0.0
    root = fn(*leaves)
    root.backward()
    return bits([root.data]), bits([v.grad for v in [*leaves, *params]])


def compiled(cf, inputs):
    value, grads = cf(*inputs)
    return bits([value]), bits(grads)


def lines_run(source: str, call) -> set[str]:
    """The stripped source lines of generated code that ran during ``call()``."""
    text = source.splitlines()
    ran = set()

    def tracer(frame, event, arg):
        if not frame.f_code.co_filename.startswith("<autograd.compile"):
            return None
        if event == "line":
            ran.add(text[frame.f_lineno - 1].strip())
        return tracer

    sys.settrace(tracer)
    try:
        call()
    finally:
        sys.settrace(None)
    return ran


def unit(x, w):
    """An inactive unit at x * w < 0: the product's node gets exactly 0."""
    return (x * w).relu()


# ---------------------------------------------------------------------------------------------
# which rules run


def test_an_inactive_unit_s_rule_does_not_run():
    cf = compile(unit, [1.0, 2.0])
    rule = "d_x += d_mul_1 * w"
    assert f"if d_mul_1 or {'run_all'}:" in cf.source
    assert rule in lines_run(cf.source, lambda: cf(1.0, 2.0))  # active: the rule runs
    assert rule not in lines_run(cf.source, lambda: cf(-1.0, 2.0))  # inactive: skipped
    assert compiled(cf, [-1.0, 2.0]) == engine(unit, [-1.0, 2.0])
    assert compiled(cf, [-1.0, 2.0])[1] == bits([0.0, 0.0])


@pytest.mark.parametrize("inputs", [[-1.0, math.inf], [1.0, -math.inf], [-1.0, math.nan]])
def test_a_non_finite_input_runs_every_rule(inputs):
    cf = compile(unit, [1.0, 2.0])  # x * w is -inf or nan: relu gives 0, then 0 * w is nan
    assert "d_x += d_mul_1 * w" in lines_run(cf.source, lambda: cf(*inputs))
    assert compiled(cf, inputs) == engine(unit, inputs)
    assert math.isnan(cf(*inputs).grads[0])


@pytest.mark.parametrize("special", [math.inf, -math.inf, math.nan])
def test_a_non_finite_weight_gives_the_engine_s_nan(special):
    w = Value(0.5, label="w")
    b = Value(-3.0, label="b")

    def neuron(x):
        return affine([w], [x], b).relu() * 2.0

    cf = compile(neuron, [1.0], params=[w, b])
    for value in (special, 0.5):
        w.data = value
        for x in (1.0, 0.0, -0.0):  # b + w * x < 0 (or nan): the affine node gets 0
            assert compiled(cf, [x]) == engine(neuron, [x], [w, b])


def test_a_non_finite_constant_is_never_skipped():
    def f(x):
        return (x * math.inf).relu()  # relu(-inf) = 0, and 0 * inf is nan

    cf = compile(f, [1.0])
    assert "if d_mul_1" not in cf.source  # decided at compile time: the constant is inf
    assert compiled(cf, [-1.0]) == engine(f, [-1.0])


def test_rules_that_only_pass_the_gradient_on_and_the_root_are_not_guarded():
    cf = compile(lambda x, y: (x + y + 1.0) * 3.0, [1.0, 2.0])
    assert "if d_" not in cf.source  # + passes g on; the root * 3.0 gets 1.0
    assert "run_all" not in cf.source


def test_a_division_is_never_skipped():
    cf = compile(lambda x, y: (x / y).relu(), [1.0, 2.0])
    assert "if d_" not in cf.source


# ---------------------------------------------------------------------------------------------
# the loop body: weights checked once per call, values once per example


def _body():
    w, b = Value(2.0, label="w"), Value(-1.0, label="b")
    return loop_body(lambda x: affine([w], [x], b).relu(), [1.0], params=[w, b]), w, b


def _engine_rows(rows, seed, weights, grads, params, fn):
    """What backward() gives when each row's loss (times seed) is added in the order given."""
    for p, value, g in zip(params, weights, grads):
        p.data, p.grad = value, g
    for row in rows:
        loss = fn(*[Value(x) for x in row])
        (loss * seed).backward()  # the loss node receives 0.0 + 1.0 * seed: seed
    return bits([p.grad for p in params])


def test_a_loop_body_skips_an_inactive_example():
    body, _w, _b = _body()
    rule = "d_w += d_affine_1 * x"
    assert rule in lines_run(body.source, lambda: body([(1.0,)], 0.5, [2.0, -1.0], [0.0, 0.0]))
    assert rule not in lines_run(body.source, lambda: body([(0.25,)], 0.5, [2.0, -1.0], [0, 0]))


@pytest.mark.parametrize(
    "rows, weights, grads",
    [
        ([(0.25,)], [2.0, -1.0], [-0.0, 1.0]),  # a gradient starting at -0.0: +0.0 reaches it
        ([(0.25,)], [2.0, -1.0], [-0.0, -0.0]),
        ([(0.25,), (-math.inf,)], [2.0, -1.0], [0.0, 0.0]),  # relu(-inf) is 0; 0 * -inf nan
        ([(math.nan,), (0.25,)], [2.0, -1.0], [0.0, 0.0]),  # an example that is nan
        ([(0.25,), (-3.0,)], [2.0, math.inf], [0.0, 0.0]),  # a weight that is inf
        ([(0.25,), (math.inf,)], [-0.0, -1.0], [0.0, -0.0]),
    ],
)
def test_a_loop_body_runs_every_rule_where_skipping_would_change_a_bit(rows, weights, grads):
    body, w, b = _body()
    _losses, _outputs, got = body(rows, 0.5, weights, grads)
    expected = _engine_rows(rows, 0.5, weights, grads, [w, b], lambda x: affine([w], [x], b).relu())
    assert bits(got) == expected


# ---------------------------------------------------------------------------------------------
# random graphs full of zeros, at new inputs that may be inf, nan or -0.0

SPECIAL = [0.0, -0.0, 1.0, -1.0, 1e308, -1e308, math.inf, -math.inf, math.nan]
_points = st.one_of(st.floats(-3.0, 3.0), st.sampled_from(SPECIAL))
_consts = st.sampled_from([0.0, -0.0, 2.0, -0.5, 1e300, math.inf, math.nan])

_UNARY = [
    Value.relu,
    Value.tanh,
    Value.sigmoid,
    Value.exp,
    Value.sin,
    abs,
    lambda v: (v - 1.0).relu(),  # inactive for most inputs near 0
]
_WITH_CONST = [lambda v, c: v * c, lambda v, c: c + v, lambda v, c: v.leaky_relu(c)]
_BINARY = [
    lambda a, b: a + b,
    lambda a, b: a * b,
    lambda a, b: a - b,
    lambda a, b: a / (b.tanh() + 2.0),  # not skippable; never a division by zero
]


@st.composite
def zero_heavy_functions(draw):
    """(fn, example inputs, other inputs): a fixed graph shape of relus, affines and the rest."""
    n = draw(st.integers(1, 3))
    steps = []
    for i in range(draw(st.integers(1, 12))):
        pool = n + i
        index = st.integers(0, pool - 1)
        kind = draw(st.sampled_from(["unary", "const", "binary", "affine", "sum"]))
        if kind == "unary":
            steps.append((kind, draw(st.sampled_from(_UNARY)), draw(index)))
        elif kind == "const":
            steps.append((kind, draw(st.sampled_from(_WITH_CONST)), draw(index), draw(_consts)))
        elif kind == "binary":
            steps.append((kind, draw(st.sampled_from(_BINARY)), draw(index), draw(index)))
        elif kind == "affine":
            k = draw(st.integers(1, 3))
            ws = draw(st.lists(index, min_size=k, max_size=k))
            xs = draw(st.lists(st.one_of(index, _consts), min_size=k, max_size=k))
            steps.append((kind, ws, xs, draw(index)))
        else:
            steps.append((kind, draw(st.lists(index, min_size=1, max_size=4))))
    ending = draw(st.sampled_from(["relu", "plain", "times 0"]))

    def fn(*xs):
        pool = list(xs)
        for step in steps:
            pool.append(_apply(step, pool))
        root = add_all(pool[n:])
        return root.relu() if ending == "relu" else root * 0.0 if ending == "times 0" else root

    example = draw(st.lists(st.floats(-2.0, 2.0), min_size=n, max_size=n))
    points = draw(st.lists(st.lists(_points, min_size=n, max_size=n), min_size=1, max_size=4))
    return fn, example, points


def _apply(step, pool):
    kind = step[0]
    if kind == "unary":
        return step[1](pool[step[2]])
    if kind == "const":
        return step[1](pool[step[2]], step[3])
    if kind == "binary":
        return step[1](pool[step[2]], pool[step[3]])
    if kind == "affine":
        _, ws, xs, b = step
        inputs = [pool[x] if type(x) is int else x for x in xs]
        return affine([pool[i] for i in ws], inputs, pool[b])
    return add_all([pool[i] for i in step[1]])


@given(zero_heavy_functions())
def test_random_graphs_with_relus_give_the_engine_s_bits(case):
    fn, example, points = case
    try:
        cf = compile(fn, example)
    except (ValueError, ArithmeticError):  # the example is outside a domain (e.g. inf * 0)
        return
    for point in [example, *points]:
        assert compiled(cf, point) == engine(fn, point)


# ---------------------------------------------------------------------------------------------
# training: many steps, and a weight that becomes inf or nan


def _train(compiled_step, *, epochs, tweak=None):
    X, y = make_moons(100, seed=0)
    model = MLP(2, [16, 16, 1], rng=random.Random(1))
    if tweak is not None:
        tweak(model)
    opt = SGD(model.parameters(), lr=0.1)
    history = train(
        model, X, signed_labels(y), optimizer=opt, loss="hinge", l2=1e-4, epochs=epochs,
        seed=3, progress=False, compile=compiled_step,
    )  # fmt: skip
    return history, bits([p.data for p in model.parameters()])


@pytest.mark.slow
def test_sixty_epochs_of_the_demo_are_the_engine_s_bit_for_bit():
    assert _train(True, epochs=60) == _train(False, epochs=60)


def _steps_both_ways(model, batches):
    """Each batch's loss and gradients: on the engine's graph, then with the compiled step."""
    from nn._compiled_train import CompiledStep
    from nn.train import _EngineStep

    params = model.parameters()
    on_graph = _EngineStep(model, losses.hinge, params, 1e-4)
    step = CompiledStep(model, "hinge", *batches[0], params, 1e-4)
    got, expected = [], []
    for X, labels in batches:
        for p in params:
            p.grad = 0.0
        value, _ = on_graph(X, labels)
        on_graph.backward()
        expected.append(bits([value, *[p.grad for p in params]]))
        value, _ = step(X, labels)
        got.append(bits([value, *step.grads]))
    return got, expected


@pytest.mark.parametrize("special", [math.inf, -math.inf, math.nan])
@pytest.mark.parametrize("where", [(0, 2, "b"), (0, 5, 1), (1, 3, 5), (1, 7, 0), (2, 0, "b")])
def test_a_weight_set_to_inf_or_nan_gives_the_engine_s_step(special, where):
    X, y = make_moons(30, seed=2)
    labels = signed_labels(y)
    model = MLP(2, [16, 16, 1], rng=random.Random(1))
    layer, unit, index = where
    neuron = model.layers[layer].neurons[unit]
    (neuron.b if index == "b" else neuron.w[index]).data = special
    # the whole batch, then each example alone (an inf that one example's relu hides)
    batches = [(X, labels)] + [([x], [t]) for x, t in zip(X, labels)]
    got, expected = _steps_both_ways(model, batches)
    assert got == expected


# ---------------------------------------------------------------------------------------------
# the size of the code: Python's compile() costs about the same per statement, so the guards
# add no statement that is not needed (compile time and memory grow with the lines)


def tanh_chain(n):
    def chain(x):
        for _ in range(n):
            x = (x * 0.5).tanh()
        return x

    return chain


def test_skipped_rules_leave_their_gradients_at_zero_without_an_else_branch():
    n = 50
    cf = compile(tanh_chain(n), [0.3])
    assert "else:" not in cf.source
    # per node: its forward line, the rule's comment, guard and line; 8 names a line in the
    # zeros and in the test for inf and nan (an else: branch was 2 more lines per node)
    assert len(cf.source.splitlines()) <= 2 * n * (4 + 2 / 8) + 16
    for x in (0.3, -2.0, 0.0, -0.0, 40.0, math.inf, math.nan):  # 40: tanh's gradient is 0
        assert compiled(cf, [x]) == engine(tanh_chain(n), [x])


def test_a_loop_body_zeroes_its_gradients_for_every_example():
    w = Value(0.5, label="w")
    body = loop_body(lambda x: (w * x).relu() * (w * x).tanh(), [1.0], params=[w])
    assert "else:" not in body.source
    rows = [(1.0,), (-1.0,), (2.0,), (0.0,), (-3.0,)]  # relu active, dead, active, ...
    for grads in ([0.0], [-0.0], [1.5]):
        _, _, got = body(rows, 0.25, [0.5], list(grads))
        w.grad = grads[0]
        for (x,) in rows:
            xv = Value(x)
            loss = (w * xv).relu() * (w * xv).tanh() * 0.25
            loss.backward()
        assert bits(got) == bits([w.grad])
