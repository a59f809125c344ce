"""autograd.compile: the generated code gives backward()'s value and gradients, bit for bit."""

import gc
import linecache
import math
import random
import struct
import traceback
import unicodedata
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, add_all, compile, define_op, grad, no_grad
from autograd.compiling import CompileError, loop_body
from autograd.primitives import CODE_NAMES
from autograd.testing import expressions
from nn import MLP
from nn.testing import mlps


def bits(xs):
    return [b"nan" if x != x else struct.pack("<d", x) for x in xs]


def engine(fn, inputs):
    """fn on fresh leaves, then backward(): the reference."""
    leaves = [Value(float(x)) for x in inputs]
    root = fn(*leaves)
    root.backward()
    return [root.data], [v.grad for v in leaves]


def assert_same(compiled, fn, inputs):
    value, grads = compiled(*inputs)
    ref_value, ref_grads = engine(fn, inputs)
    assert bits([value]) == bits(ref_value)
    assert bits(grads) == bits(ref_grads)


@given(expressions(max_nodes=10))
def test_random_expressions_bit_for_bit(case):
    f, inputs = case
    assert_same(compile(f, inputs), f, inputs)


@given(expressions(max_nodes=8), st.lists(st.floats(-3, 3), min_size=3, max_size=3))
def test_random_expressions_at_new_inputs(case, moved):
    f, inputs = case
    cf = compile(f, inputs)
    point = [x + d for x, d in zip(inputs, moved)]
    try:
        expected = engine(f, point)
    except (ValueError, ZeroDivisionError) as error:  # out of a domain: the same error
        with pytest.raises(type(error), match=None) as raised:
            cf(*point)
        if not str(error).startswith("sqrt:"):  # Value.sqrt checks before its ** 0.5 node
            assert str(raised.value) == str(error)
        return
    value, grads = cf(*point)
    assert bits([value]) == bits(expected[0]) and bits(grads) == bits(expected[1])


@pytest.mark.slow
@given(mlps())
def test_random_mlps_bit_for_bit(case):
    f, inputs = case
    assert_same(compile(f, inputs), f, inputs)


SPECIAL = st.sampled_from([0.0, -0.0, 1.0, -1.0, 1e-320, 1e308, math.inf, -math.inf, math.nan])


def mixed(x, y):
    a = (x * y).relu() + abs(x) * y.sigmoid() - (x - y).tanh()
    return a + y.softplus() * x.leaky_relu(0.1) + x.sin() * y.cos() + (x * 0.5).exp()


@given(SPECIAL, SPECIAL)
def test_nan_inf_and_signed_zeros_follow_the_engine(x, y):
    cf = compile(mixed, [0.3, -0.7])
    assert_same(cf, mixed, [x, y])


def test_a_shared_node_and_a_repeated_operand_accumulate_like_backward():
    def f(a, b):
        c = a * a
        d = c + a
        return d * c + b * b * b

    assert_same(compile(f, [1.5, -2.0]), f, [0.7, 3.0])


def test_domain_errors_are_raised_by_the_compiled_function():
    log = compile(lambda x: x.log(), [2.0])
    with pytest.raises(ValueError, match=r"log: expected a positive number, got -1.0"):
        log(-1.0)
    div = compile(lambda x, y: x / y, [1.0, 2.0])
    with pytest.raises(ZeroDivisionError, match=r"/: division by zero"):
        div(1.0, 0.0)
    root = compile(lambda x: x**0.5, [4.0])
    with pytest.raises(ValueError, match=r"negative base"):
        root(-4.0)


def test_the_source_reads_as_the_chain_rule_with_labels():
    w = Value(0.5, label="w")
    b = Value(0.1, label="b")

    def loss(x):
        z = w * x + b
        z.label = "z"
        h = z.tanh()
        h.label = "h"
        return h

    cf = compile(loss, [2.0], params=[w, b])
    src = cf.source
    assert src.startswith("def loss(x, w, b):")
    assert "z = mul_1 + b" in src and "h = tanh(z)" in src
    assert "# h = tanh(z)" in src and "d_z = d_h * (1.0 - h * h)" in src
    assert cf.names == ["x", "w", "b"]
    assert cf.check(-1.0)


def test_labels_become_distinct_valid_names():
    def f(x, y):
        a = x * y
        a.label = "y - t"
        b = a + x
        b.label = "class"
        c = b * a
        c.label = "d_x"
        return c

    cf = compile(f, [1.0, 2.0])
    namespace: dict = {}
    exec(cf.source, dict(namespace))  # valid Python
    assert "y_t = x * y" in cf.source and "class_2" not in cf.source.split("\n")[0]
    assert_same(cf, f, [0.5, -3.0])


# labels that Python reads as one name (identifiers are NFKC-normalised) stay distinct variables
LOOKALIKES = ["ℒ", "L", "𝑥", "x", "xᵢ", "xi", "ﬁ", "fi", "Ⅸ", "IX", "𝐭𝐚𝐧𝐡", "𝐞𝐱𝐩"]


def engine_with(params, fn):
    for p in params:
        p.grad = 0.0
    root = fn()
    root.backward()
    return [root.data], [p.grad for p in params]


def test_labels_python_reads_as_one_name_stay_distinct():
    params = [Value(1.0 + i / 7, label=label) for i, label in enumerate(LOOKALIKES)]

    def f():
        out = params[0] * 2.0
        for i, p in enumerate(params[1:]):
            out = out * p + float(i)
        return out.tanh() + (out * 1e-3).exp()  # the helpers tanh and exp: not shadowed

    cf = compile(f, [], params=params)
    value, grads = cf()
    ref_value, ref_grads = engine_with(params, f)
    assert bits([value]) == bits(ref_value) and bits(grads) == bits(ref_grads)
    assert len(set(unicodedata.normalize("NFKC", n) for n in cf.names)) == len(params)


LABEL_TEXT = st.sampled_from(LOOKALIKES) | st.text(max_size=3)


@given(st.lists(LABEL_TEXT, min_size=2, max_size=6), st.data())
def test_any_unicode_labels_give_the_engine_bits(labels, data):
    params = [Value(0.5 + i, label=label) for i, label in enumerate(labels)]
    inner = data.draw(st.lists(LABEL_TEXT, min_size=len(labels), max_size=len(labels)))

    def f(x):
        out = x
        for p, label in zip(params, inner):
            out = out * p + p
            out.label = label
        return out

    cf = compile(f, [0.25], params=params)
    value, grads = cf(0.75)
    leaf = Value(0.75)
    ref_value, ref_grads = engine_with(params, lambda: f(leaf))
    assert bits([value]) == bits(ref_value)
    assert bits(grads) == bits([leaf.grad, *ref_grads])


@pytest.mark.parametrize("helper", sorted(CODE_NAMES))
def test_a_function_named_like_a_helper_compiles(helper):
    def f(x):
        return (x * 0.5).sigmoid() + abs(x).exp() * x.tanh() + (x * x).log() + x**2.5

    f.__name__ = helper
    cf = compile(f, [0.7])
    assert_same(cf, f, [1.3])


@pytest.mark.parametrize("method", [Value.tanh, Value.exp, Value.sigmoid, Value.log, Value.sin])
def test_compiling_a_value_method(method):
    cf = compile(method, [0.3])
    assert_same(cf, method, [0.9])


def test_parameters_are_read_at_each_call():
    w = Value(2.0)
    cf = compile(lambda x: w * x, [3.0], params=[w])
    assert cf(3.0) == (6.0, [2.0, 3.0])
    w.data = 5.0
    assert cf(3.0) == (15.0, [5.0, 3.0])
    assert w.grad == 0.0  # no .grad is touched


def test_second_derivatives_compile():
    def dy(x):
        (d,) = grad(x**3 + x.sin() * x, [x], create_graph=True)
        return d

    cf = compile(dy, [0.7])
    assert_same(cf, dy, [-1.3])


def test_define_op_calls_its_forward_and_vjp_by_name():
    cube = define_op("cube", lambda x: x**3, lambda x, out: 3 * x**2)
    safe_log = define_op(
        "safe_log", math.log, lambda x, out: 1 / x, domain=lambda x: x > 0, expects="x > 0"
    )

    def f(x):
        return cube(x).tanh() + safe_log(x)

    cf = compile(f, [0.5])
    assert "cube_forward(x)" in cf.source and "cube_vjp(" in cf.source
    assert_same(cf, f, [1.7])
    with pytest.raises(ValueError, match=r"safe_log: expected x > 0"):
        cf(-1.0)


def test_a_leaf_that_is_not_an_input_is_refused_by_name():
    w = Value(0.5, label="w")
    with pytest.raises(CompileError, match=r"node 'w' \(a leaf, data 0.5\).*not one of the inputs"):
        compile(lambda x: w * x, [1.0])


def test_a_value_made_under_no_grad_is_refused_by_name():
    def f(x):
        with no_grad():
            scale = x * 2.0
        scale.label = "scale"
        return scale * x

    with pytest.raises(CompileError, match=r"node 'scale'.*no_grad"):
        compile(f, [1.0])


def test_a_micrograd_style_node_is_refused_by_name():
    def f(x):
        out = Value(x.data**2, (x,), "square", label="sq")
        out._backward = lambda: None
        return out * x

    with pytest.raises(CompileError, match=r"node 'sq' \(op 'square'.*micrograd's way"):
        compile(f, [1.0])


def test_a_node_whose_data_was_changed_is_refused_by_name():
    def f(x):
        y = x.tanh()
        y.label = "t"
        y.data = 0.0
        return y * x

    with pytest.raises(CompileError, match=r"node 't' \(op 'tanh'.*assigned after"):
        compile(f, [1.0])


def test_check_catches_a_python_if_on_data():
    def f(x):
        return x * x if x.data > 0 else -x

    cf = compile(f, [1.0])  # traced at x > 0: x * x
    assert cf(2.0).value == 4.0  # the trace's branch; the engine's too
    with pytest.raises(CompileError, match=r"depends on the data"):
        cf.check(-2.0)
    with pytest.raises(CompileError, match=r"depends on the data"):
        compile(f, [0.1], check=True)


def test_check_skips_points_outside_a_domain():
    for example in [0.2, 1e-3, 5.0]:
        compile(lambda x: x.sqrt(), [example], check=True)
        compile(lambda x: x.log() * (1.0 / x), [example], check=True)
    compile(lambda x, y: (x - y).sqrt() / y, [0.3, 0.1], check=True)


def branch(x):
    return x if x.data > 0 else -x


@settings(max_examples=300)
@given(st.floats(-1e6, 1e6))
def test_check_catches_a_branch_on_the_sign_at_any_example(example):
    with pytest.raises(CompileError, match=r"depends on the data"):
        compile(branch, [example], check=True)


def test_check_points_spread_over_signs_and_magnitudes_and_differ_per_function():
    def seen_by(name, example):
        seen = []

        def f(x, y):
            seen.append((x.data, y.data))
            return x * y

        f.__name__ = name
        compile(f, example, check=True)
        return seen[1:]  # after the trace

    points = seen_by("f", [0.2, 3.0])
    xs = [p[0] for p in points]
    assert len(points) >= 8
    assert min(xs) < 0 < max(xs) and max(map(abs, xs)) / min(map(abs, xs)) > 1e3
    assert seen_by("g", [0.2, 3.0]) != points and seen_by("f", [0.25, 3.0]) != points
    assert seen_by("f", [0.2, 3.0]) == points  # reproducible


def test_check_always_compares_every_call_with_the_engine():
    cf = compile(branch, [1.0], check="always")
    assert cf(2.0) == (2.0, [1.0])
    with pytest.raises(CompileError, match=r"at inputs \[-2.0\].*depends on the data"):
        cf(-2.0)
    log = compile(lambda x: x.log(), [1.0], check="always")
    with pytest.raises(ValueError, match=r"log: expected a positive number"):
        log(-1.0)  # the op's own error, as without checking
    with pytest.raises(ValueError, match=r"compile: check must be True, False or 'always'"):
        compile(branch, [1.0], check="sometimes")
    with pytest.raises(ValueError, match=r"check must be True, False or 'always' \(got 1\)"):
        compile(branch, [1.0], check=1)  # type: ignore[arg-type]


def test_bad_arguments():
    with pytest.raises(TypeError, match=r"fn must be a function"):
        compile(3, [1.0])
    with pytest.raises(TypeError, match=r"example_inputs\[0\] is a Value"):
        compile(lambda x: x, [Value(1.0)])
    with pytest.raises(TypeError, match=r"must return a Value"):
        compile(lambda x: 3.0, [1.0])
    with pytest.raises(TypeError, match=r"parameters\[0\] must be a Value"):
        compile(lambda x: x, [1.0], params=[2.0])
    cf = compile(lambda x: x * 2, [1.0])
    with pytest.raises(TypeError, match=r"expected 1 inputs, got 2"):
        cf(1.0, 2.0)


def test_wide_sums_compile_in_pieces_with_the_same_bits():
    rng = random.Random(5)
    n = 3_500
    example = [rng.choice([-1, 1]) * 10 ** rng.uniform(-8, 8) for _ in range(n)]

    def total(*xs):
        return add_all(xs) * 1.0

    cf = compile(total, example)
    assert_same(cf, total, example[::-1])
    code = [line for line in cf.source.splitlines() if not line.lstrip().startswith("#")]
    assert max(line.count(" + ") for line in code) < 1_000  # written in pieces


def test_a_wide_neuron_compiles_with_the_same_bits():
    rng = random.Random(6)
    n = 4_000
    neuron = MLP(n, [1], rng=rng)
    x = [rng.uniform(-1, 1) for _ in range(n)]
    cf = compile(lambda: neuron(x), [], params=neuron.parameters())
    neuron.zero_grad()
    out = neuron(x)
    out.backward()
    assert bits([cf().value]) == bits([out.data])
    assert bits(cf().grads) == bits([p.grad for p in neuron.parameters()])


def test_generated_sources_leave_linecache_with_their_functions():
    def f(x):
        return x.log()

    made = [compile(f, [float(i + 1)]) for i in range(20)]
    made.append(loop_body(lambda x: f(x) * 2.0, [1.0], params=[]))  # type: ignore[arg-type]
    files = {c._run.__code__.co_filename for c in made}
    assert len(files) == len(made) and files <= set(linecache.cache)
    try:
        made[0](-1.0)
    except ValueError:
        shown = traceback.format_exc()
    assert "= log(x)" in shown  # tracebacks show the generated line while it lives
    del made, shown
    gc.collect()
    assert not files & set(linecache.cache)


def test_compiled_inputs_must_be_real_numbers():
    cf = compile(lambda x, y: x * y, [1.0, 2.0])
    for bad in ["1.5", True, None, Value(1.0)]:
        with pytest.raises(
            TypeError, match=r"compiled <lambda>: inputs\[1\] must be a real number"
        ):
            cf(1.0, bad)
    assert cf(np.float32(0.5), Fraction(3, 2)) == cf(0.5, 1.5)
    assert bits(cf(np.float32(0.1), 3).grads) == bits([3.0, float(np.float32(0.1))])
    assert compile(lambda x: x * 2, [np.float32(0.5)])(1) == (2.0, [2.0])
    assert compile(lambda x: x * 2, [Fraction(1, 3)]).names == ["x"]


def test_returning_an_input_gives_gradient_one():
    cf = compile(lambda x, y: y, [1.0, 2.0])
    assert cf(3.0, 4.0) == (4.0, [0.0, 1.0])


def test_loop_body_adds_examples_in_the_order_given():
    model = MLP(2, [3, 1], rng=random.Random(0))
    params = model.parameters()
    body = loop_body(lambda a, b: model([a, b]) * 1.0, [0.5, 0.5], params=params)
    rows = [(0.1, 0.2), (-0.3, 0.9), (1.0, -1.0)]
    _, _, grads = body(rows[::-1], 1.0, [p.data for p in params], [0.0] * len(params))
    total = None
    for x in rows:
        term = model(list(x)) * 1.0
        total = term if total is None else total + term
    model.zero_grad()
    total.backward()
    assert bits(grads) == bits([p.grad for p in params])


def test_labels_cannot_break_the_generated_code():
    cube = define_op("cube3", lambda x: x**3, lambda x, out: 3 * x**2)

    def f(x):
        a = cube(x)
        a.label = "cube3_forward"
        b = a * x
        b.label = "line\nbreak = 1; import os"
        c = b + math.nan
        c.label = "nan_0"
        return c * a

    cf = compile(f, [0.5])
    for line in cf.source.splitlines():  # the label only ever appears inside a comment
        assert "import os" not in line or "#" in line.split("import os")[0]
    assert_same(cf, f, [1.5])
    assert math.isnan(cf(1.5).value)


def test_params_is_the_keyword_and_parameters_its_deprecated_old_name():
    w = Value(2.0, label="w")
    assert compile(lambda x: w * x, [3.0], params=[w])(3.0).grads == [2.0, 3.0]
    with pytest.warns(DeprecationWarning, match="compile: parameters= is now called params="):
        assert compile(lambda x: w * x, [3.0], parameters=[w])(3.0).grads == [2.0, 3.0]
    with pytest.warns(DeprecationWarning, match="loop_body: parameters= is now called params="):
        loop_body(lambda x: w * x, [3.0], parameters=[w])
    with pytest.raises(TypeError, match="compile: give params only"):
        compile(lambda x: w * x, [3.0], params=[w], parameters=[w])
