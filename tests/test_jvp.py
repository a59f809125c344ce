"""Forward mode (``jvp``, ``forward_tangents``, ``duals``) against reverse mode and differences."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import (
    Dual,
    Value,
    add_all,
    affine,
    define_op,
    duals,
    forward_tangents,
    grad,
    jvp,
    no_grad,
)
from autograd import primitives as P
from autograd.checking import _numeric_gradient
from autograd.testing import OPS, expressions

OP_NAMES = sorted({op.name for op in OPS})
DIRECTIONS = st.integers(-200, 200).map(lambda k: k / 100)


def dot(v, g):
    total = 0.0
    for a, b in zip(v, g):  # left to right (the builtin sum compensates from 3.12 on)
        total += a * b
    return total


def cases(**kwargs):
    """An expression, its inputs and a direction of the same length."""
    return expressions(**kwargs).flatmap(
        lambda case: st.tuples(
            st.just(case[0]),
            st.just(case[1]),
            st.lists(DIRECTIONS, min_size=len(case[1]), max_size=len(case[1])),
        )
    )


def assert_same_derivative(forward, reverse, scale):
    """Forward and reverse mode round differently, within a few ulp of the terms' size."""
    assert math.isclose(forward, reverse, rel_tol=1e-9, abs_tol=1e-9 * scale), (forward, reverse)


# ----------------------------------------------------------------------------------------------
# properties: v . grad f, finite differences, every op


@pytest.mark.parametrize("name", OP_NAMES)
@given(data=st.data())
def test_jvp_agrees_with_grad_for_every_op(name, data):
    f, inputs, v = data.draw(cases(ops=[name, "+", "*"], max_nodes=6))
    xs = [Value(x) for x in inputs]
    out, d = jvp(f, xs, v)
    g = grad(out, xs)
    assert_same_derivative(d, dot(v, g), 1.0 + dot([abs(a) for a in v], [abs(b) for b in g]))


@given(cases())
def test_jvp_agrees_with_grad_on_random_expressions(case):
    f, inputs, v = case
    out, d = jvp(f, inputs, v)
    xs = [Value(x) for x in inputs]
    g = grad(f(*xs), xs)
    assert out.data == f(*xs).data
    assert_same_derivative(d, dot(v, g), 1.0 + dot([abs(a) for a in v], [abs(b) for b in g]))


@given(cases())
def test_jvp_agrees_with_finite_differences(case):
    # gradcheck's central differences, which the strategy guarantees accurate to a tenth of
    # atol + rtol * |n| per input: the directional derivative is within the sum of those
    f, inputs, v = case
    _, d = jvp(f, inputs, v)
    numeric = _numeric_gradient(f.reference, list(inputs), 1e-6)
    bound = dot([abs(a) for a in v], [1e-5 + 1e-3 * abs(n) for n in numeric])
    assert abs(d - dot(v, numeric)) <= bound, (d, dot(v, numeric), bound)


@pytest.mark.parametrize(
    "prim", [p for p in vars(P).values() if isinstance(p, P.Primitive)], ids=repr
)
def test_every_primitive_of_the_table_has_a_forward_mode_rule(prim):
    assert callable(prim.jvp)


@given(cases(max_nodes=8))
def test_jvp_of_one_input_direction_is_the_partial_derivative(case):
    f, inputs, _ = case
    xs = [Value(x) for x in inputs]
    g = grad(f(*xs), xs)
    for i in range(len(inputs)):
        e = [1.0 if j == i else 0.0 for j in range(len(inputs))]
        _, d = jvp(f, inputs, e)
        assert_same_derivative(d, g[i], 1.0 + sum(abs(x) for x in g))


# ----------------------------------------------------------------------------------------------
# composing with reverse mode: Hessian-vector products


def hessian(f, inputs):
    xs = [Value(x) for x in inputs]
    first = grad(f(*xs), xs, create_graph=True)
    return [grad(gi, xs) for gi in first]


@given(cases(max_nodes=8))
def test_jvp_of_grad_is_the_hessian_times_the_direction(case):
    f, inputs, v = case
    h = hessian(f, inputs)

    def gradient(*xs):
        return grad(f(*xs), xs, create_graph=True)

    _, hv = jvp(gradient, inputs, v)
    for row, got in zip(h, hv):
        scale = 1.0 + dot([abs(a) for a in v], [abs(b) for b in row])
        assert_same_derivative(got, dot(v, row), scale)


@given(cases(max_nodes=8))
def test_grad_of_jvp_is_the_hessian_times_the_direction(case):
    f, inputs, v = case
    h = hessian(f, inputs)
    xs = [Value(x) for x in inputs]
    _, d = jvp(f, xs, v, create_graph=True)
    assert isinstance(d, Value)
    hv = grad(d, xs)
    for i, got in enumerate(hv):
        column = [h[j][i] for j in range(len(xs))]  # H is symmetric: row i = column i
        scale = 1.0 + dot([abs(a) for a in v], [abs(b) for b in column])
        assert_same_derivative(got, dot(v, h[i]), scale)


def test_hessian_vector_product_by_hand():
    # f = x^2 y + sin(y): H = [[2y, 2x], [2x, -sin y]]
    def gradient(x, y):
        return grad(x * x * y + y.sin(), [x, y], create_graph=True)

    _, hv = jvp(gradient, [1.5, 0.5], [2.0, -1.0])
    assert hv == pytest.approx([2 * 0.5 * 2.0 + 2 * 1.5 * -1.0, 2 * 1.5 * 2.0 + math.sin(0.5)])


# ----------------------------------------------------------------------------------------------
# dual numbers, the walk over a built graph


def test_duals_print_value_and_tangent_of_each_node():
    x = Value(3.0, label="x")
    y = (x * x).tanh()
    shown = {v.op or v.label: str(d) for v, d in duals(y, {x: 1.0}).items()}
    assert shown["x"] == "3.0 + 1.0ε"
    assert shown["*"] == "9.0 + 6.0ε"
    assert Dual(1.0, -2.0).__str__() == "1.0 - 2.0ε"
    assert duals(y, {x: 1.0})[y].tangent == pytest.approx(6.0 * (1 - math.tanh(9.0) ** 2))


@pytest.mark.parametrize(
    ("tangent", "shown"),
    [(-0.0, "1.0 - 0.0ε"), (0.0, "1.0 + 0.0ε"), (-2.5, "1.0 - 2.5ε"), (math.nan, "1.0 + nanε")],
)
def test_a_dual_prints_the_sign_of_its_tangent(tangent, shown):
    assert str(Dual(1.0, tangent)) == shown


def test_forward_tangents_is_zero_on_nodes_that_do_not_depend_on_a_seed():
    x, y = Value(2.0), Value(5.0)
    a = y.exp()
    z = x * a
    t = forward_tangents(z, {x: 1.0})
    assert t[a] == 0.0 and t[y] == 0.0
    assert t[z] == a.data


def test_a_seeded_intermediate_node_is_treated_as_an_input():
    x = Value(2.0)
    h = x * x
    z = h * 3.0
    assert forward_tangents(z, {h: 1.0})[z] == 3.0  # dz/dh, as grad(z, [h]) gives
    assert grad(z, [h]) == [3.0]


def test_forward_tangents_of_several_roots_in_one_walk():
    x = Value(0.5)
    outs = [x.sin(), x.cos(), x * x]
    t = forward_tangents(outs, {x: 1.0})
    assert [t[o] for o in outs] == [math.cos(0.5), -math.sin(0.5), 1.0]


def test_jvp_of_several_outputs_is_one_column_of_the_jacobian():
    out, col = jvp(lambda x, y: [x * y, x + y, y.exp()], [2.0, 3.0], [0.0, 1.0])
    assert [o.data for o in out] == [6.0, 5.0, math.exp(3.0)]
    assert col == [2.0, 1.0, math.exp(3.0)]


def test_jvp_touches_no_grad_and_runs_no_backward():
    x = Value(2.0)
    x.grad = 7.0
    out, d = jvp(lambda a: a * a, [x], [1.0])
    assert (x.grad, out.grad, d) == (7.0, 0.0, 4.0)


def test_jvp_records_the_graph_also_under_no_grad():
    with no_grad():
        _, d = jvp(lambda a: a.exp(), [1.0], [2.0])
    assert d == 2.0 * math.e


def test_a_primal_passed_twice_gets_the_sum_of_its_tangents():
    x = Value(3.0)
    _, d = jvp(lambda a, b: a * b, [x, x], [1.0, 2.0])  # d(x*x) with dx = 1 + 2
    assert d == 18.0


def test_output_that_depends_on_no_primal_has_tangent_zero():
    c = Value(4.0)
    assert jvp(lambda x: c * 2.0, [1.0], [1.0])[1] == 0.0
    (d,) = jvp(lambda x: [c.exp()], [1.0], [1.0], create_graph=True)[1]
    assert isinstance(d, Value) and d.data == 0.0


@pytest.mark.slow
def test_deep_chain_needs_no_recursion():
    x = Value(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.0 + 0.0
    assert forward_tangents(y, {x: 2.0})[y] == 2.0


# ----------------------------------------------------------------------------------------------
# conventions shared with the vjp rules: kinks, nan, missing tangents


def test_kinks_follow_the_reverse_mode_conventions():
    assert jvp(lambda x: x.relu(), [0.0], [1.0])[1] == 0.0  # relu'(0) = 0
    assert jvp(abs, [0.0], [1.0])[1] == 0.0  # abs'(0) = 0
    assert jvp(lambda x: x.leaky_relu(0.1), [0.0], [1.0])[1] == 0.1


def test_nan_propagates_through_tangents():
    assert math.isnan(jvp(lambda x: x.relu(), [math.nan], [1.0])[1])
    assert math.isnan(jvp(lambda x: x * 2.0, [1.0], [math.nan])[1])


def test_a_parent_without_tangent_contributes_no_term():
    # d(x**y)/dx is inf at x = 0, y = 0.5; along y alone forward mode must not make 0 * inf
    x, y = Value(0.0), Value(0.5)
    z = x**y
    assert forward_tangents(z, {y: 1.0})[z] == grad(z, [y])[0] == 0.0


def test_fused_ops_have_their_forward_mode_rule():
    w = [Value(0.5), Value(-2.0)]
    x = [Value(3.0), Value(1.5)]
    b = Value(0.25)
    z = affine(w, x, b)
    t = forward_tangents(z, {w[0]: 1.0, x[1]: 2.0, b: 4.0})
    assert t[z] == 3.0 + 2.0 * -2.0 + 4.0
    zc = affine(w, [3.0, 1.5], b)
    assert forward_tangents(zc, {w[1]: 1.0})[zc] == 1.5
    s = add_all([w[0], x[0], w[0]])
    assert forward_tangents(s, {w[0]: 1.0})[s] == 2.0


def test_micrograd_style_nodes_get_their_tangent_from_their_backward():
    x = Value(0.5)
    out = Value(x.data**2, (x,), "square")

    def _backward():
        x.grad += 2 * x.data * out.grad

    out._backward = _backward
    y = out * 3.0
    assert jvp(lambda a: y, [x], [1.0])[1] == 3.0
    assert x.grad == 0.0


def test_define_op_forward_mode_comes_from_its_rules_or_its_own_jvp():
    hyp = define_op(
        "hyp", lambda x, y: math.hypot(x, y), lambda x, y, out: x / out, lambda x, y, out: y / out
    )
    _, d = jvp(hyp, [3.0, 4.0], [1.0, 2.0])
    assert d == pytest.approx(3 / 5 + 2 * 4 / 5)
    calls = []

    def own(t, out, x):
        calls.append(t)
        return t[0] * 2.0

    double = define_op("double_jvp", lambda x: 2 * x, lambda x, out: 2.0, jvp=own)
    assert jvp(double, [1.0], [3.0])[1] == 6.0 and calls == [(3.0,)]


def test_define_op_forward_mode_runs_on_values_for_hessian_vector_products():
    cube = define_op("cube_jvp", lambda x: x**3, lambda x, out: 3 * x**2)
    x = Value(2.0)
    _, d = jvp(cube, [x], [0.5], create_graph=True)  # 0.5 * 3x^2
    assert d.data == 6.0
    assert grad(d, [x]) == [0.5 * 6 * 2.0]


# ----------------------------------------------------------------------------------------------
# bad input


def test_bad_input_is_a_type_or_value_error_naming_jvp():
    with pytest.raises(TypeError, match="jvp: f must be a function"):
        jvp(3.0, [1.0], [1.0])
    with pytest.raises(TypeError, match="jvp: primals must be a list or tuple"):
        jvp(lambda x: x, 1.0, [1.0])
    with pytest.raises(TypeError, match="jvp: tangents must be a list or tuple"):
        jvp(lambda x: x, [1.0], 1.0)
    with pytest.raises(ValueError, match="one tangent per primal"):
        jvp(lambda x: x, [1.0], [1.0, 2.0])
    with pytest.raises(TypeError, match="jvp"):
        jvp(lambda x: x, ["a"], [1.0])
    with pytest.raises(TypeError, match="jvp"):
        jvp(lambda x: x, [1.0], ["a"])
    with pytest.raises(TypeError, match="jvp: f's output"):
        jvp(lambda x: 3.0, [1.0], [1.0])
    with pytest.raises(TypeError, match=r"jvp: f's output\[1\]"):
        jvp(lambda x: [x, 2.0], [1.0], [1.0])


def test_bad_seeds_are_a_type_error_naming_forward_tangents():
    x = Value(1.0)
    with pytest.raises(TypeError, match="forward_tangents: seeds must be a mapping"):
        forward_tangents(x, [x])
    with pytest.raises(TypeError, match="forward_tangents"):
        forward_tangents(x, {1.0: 1.0})
    with pytest.raises(TypeError, match="forward_tangents"):
        forward_tangents(x, {x: "a"})
    with pytest.raises(TypeError, match="forward_tangents"):
        forward_tangents(2.0, {x: 1.0})


def test_define_op_refuses_a_jvp_that_is_not_a_function():
    with pytest.raises(TypeError, match="define_op: jvp must be a function"):
        define_op("bad_jvp", lambda x: x, lambda x, out: 1.0, jvp=3)


SPECIAL = [0.0, -0.0, 1e-320, -1e-320, 0.5, -2.0, 3.0, 1e300, math.inf, -math.inf, math.nan]
UNARY = [
    lambda x: x.exp(),
    lambda x: x.log(),
    lambda x: x.sqrt(),
    lambda x: x.tanh(),
    lambda x: x.sigmoid(),
    lambda x: x.relu(),
    lambda x: x.leaky_relu(0.1),
    lambda x: x.softplus(),
    lambda x: x.sin(),
    lambda x: x.cos(),
    lambda x: abs(x),
    lambda x: -x,
    lambda x: x**2,
    lambda x: x**-1.5,
    lambda x: 2.0**x,
    lambda x: 3.0 / x,
    lambda x: x / 4.0,
    lambda x: add_all([x, x]),
    lambda x: affine([x], [2.0], x),
]
BINARY = [lambda x, y: x + y, lambda x, y: x * y, lambda x, y: x / y, lambda x, y: x**y]


def same_float(a, b):
    return a == b or (math.isnan(a) and math.isnan(b))


def forward_and_reverse(build, xs, i):
    """d out / d xs[i] by forward mode (tangent on xs[i] only) and by reverse mode."""
    try:
        out = build(*xs)
    except (ValueError, ZeroDivisionError):  # outside the op's domain: no node, nothing to check
        return None
    return forward_tangents(out, {xs[i]: 1.0})[out], grad(out, [xs[i]])[0]


@pytest.mark.parametrize("build", UNARY, ids=range(len(UNARY)))
@given(st.sampled_from(SPECIAL) | st.floats())
def test_unary_rules_agree_with_the_vjp_at_kinks_nan_and_inf(build, x):
    both = forward_and_reverse(build, [Value(x)], 0)
    if both is not None:
        assert same_float(*both), (x, both)


@pytest.mark.parametrize("build", BINARY, ids=["+", "*", "/", "**"])
@given(st.sampled_from(SPECIAL) | st.floats(), st.sampled_from(SPECIAL) | st.floats())
def test_binary_rules_agree_with_the_vjp_along_each_input(build, x, y):
    for i in (0, 1):
        both = forward_and_reverse(build, [Value(x), Value(y)], i)
        if both is not None:
            assert same_float(*both), (x, y, i, both)


def test_every_forward_mode_function_takes_tangents_and_seeds_is_deprecated():
    x = Value(3.0, label="x")
    z = x * x
    assert forward_tangents(z, tangents={x: 1.0})[z] == 6.0
    assert str(duals(z, tangents={x: 1.0})[z]) == "9.0 + 6.0ε"
    with pytest.warns(DeprecationWarning, match="seeds= is now called tangents="):
        assert forward_tangents(z, seeds={x: 1.0})[z] == 6.0
    with pytest.warns(DeprecationWarning, match="duals: seeds= is now called tangents="):
        assert duals(z, seeds={x: 1.0})[z].tangent == 6.0
    with pytest.raises(TypeError, match="give tangents only"):
        forward_tangents(z, {x: 1.0}, seeds={x: 1.0})
    with pytest.raises(TypeError, match="forward_tangents: missing tangents"):
        forward_tangents(z)
