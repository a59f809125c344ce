"""Every differentiable primitive against finite differences, over its valid domain.

Each entry: a name, a function of Values, and a hypothesis strategy for each input that keeps
it inside the op's domain and away from kinks and poles by a margin.
"""

import math

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from autograd import Value, add_all, affine, grad, gradcheck, gradgradcheck
from tests.strategies import away_from_zero, between

ANY = between(-5.0, 5.0)
POSITIVE = between(0.05, 20.0)
NONZERO = away_from_zero(-5.0, 5.0)

# (name, f, input strategies, smooth: also check second derivatives)
PRIMITIVES = [
    ("add", lambda x, y: x + y, [ANY, ANY], True),
    ("add const", lambda x: x + 2.5, [ANY], True),
    ("radd const", lambda x: 2.5 + x, [ANY], True),
    ("sub", lambda x, y: x - y, [ANY, ANY], True),
    ("rsub const", lambda x: 1.5 - x, [ANY], True),
    ("mul", lambda x, y: x * y, [ANY, ANY], True),
    ("mul const", lambda x: x * -3.0, [ANY], True),
    ("neg", lambda x: -x, [ANY], True),
    ("div", lambda x, y: x / y, [ANY, away_from_zero(-5, 5, 0.2)], True),
    ("rdiv const", lambda x: 2.0 / x, [away_from_zero(-5, 5, 0.2)], True),
    ("pow int const", lambda x: x**3, [ANY], True),
    ("pow negative int const", lambda x: x**-2, [away_from_zero(-5, 5, 0.2)], True),
    ("pow real const", lambda x: x**1.7, [POSITIVE], True),
    ("pow values", lambda x, y: x**y, [between(0.1, 5.0), between(-3.0, 3.0)], True),
    ("rpow const", lambda y: 2.5**y, [between(-10.0, 10.0)], True),
    ("exp", lambda x: x.exp(), [between(-20.0, 20.0)], True),
    ("log", lambda x: x.log(), [POSITIVE], True),
    ("sqrt", lambda x: x.sqrt(), [POSITIVE], True),
    ("tanh", lambda x: x.tanh(), [between(-10.0, 10.0)], True),
    ("sigmoid", lambda x: x.sigmoid(), [between(-30.0, 30.0)], True),
    ("softplus", lambda x: x.softplus(), [between(-30.0, 30.0)], True),
    ("sin", lambda x: x.sin(), [between(-10.0, 10.0)], True),
    ("cos", lambda x: x.cos(), [between(-10.0, 10.0)], True),
    ("relu", lambda x: x.relu(), [NONZERO], True),
    ("leaky_relu", lambda x: x.leaky_relu(0.1), [NONZERO], True),
    ("abs", lambda x: abs(x), [NONZERO], True),
    ("add_all", lambda x, y, z: add_all([x, y, z, x]), [ANY, ANY, ANY], True),
    ("affine values", lambda a, b, x, y, c: affine([a, b], [x, y], c), [ANY] * 5, True),
    ("affine consts", lambda a, b, c: affine([a, b], [0.5, -2.0], c), [ANY] * 3, True),
]
IDS = [p[0] for p in PRIMITIVES]


@pytest.mark.parametrize(("name", "f", "strategies", "smooth"), PRIMITIVES, ids=IDS)
@given(data=st.data())
def test_first_derivative_matches_finite_differences(name, f, strategies, smooth, data):
    point = [data.draw(s, label=f"x{i}") for i, s in enumerate(strategies)]
    assert gradcheck(f, point)


@pytest.mark.parametrize(("name", "f", "strategies", "smooth"), PRIMITIVES, ids=IDS)
@given(data=st.data())
def test_second_derivative_matches_finite_differences(name, f, strategies, smooth, data):
    point = [data.draw(s, label=f"x{i}") for i, s in enumerate(strategies)]
    assert gradgradcheck(f, point, atol=1e-4, rtol=1e-3)


@given(x=between(-3.0, 3.0), y=between(-3.0, 3.0))
def test_grad_with_and_without_graph_agree(x, y):
    f = lambda a, b: (a * b).tanh() * a.exp() + (a - b) ** 2
    xs = [Value(x), Value(y)]
    out = f(*xs)
    plain = grad(out, xs)
    graphed = grad(out, xs, create_graph=True)
    assert [g.data for g in graphed] == plain
    out.backward()
    assert [v.grad for v in xs] == plain


@given(xs=st.lists(between(-10.0, 10.0), min_size=1, max_size=20))
@example(xs=[1.3641565378014526, 5.495350182347085, 9.781084482812014, 1.7810844828120143])
def test_fused_nodes_equal_the_unfused_chain_bitwise(xs):
    ws = [Value(x / 3) for x in xs]
    vs = [Value(x) for x in xs]
    b = Value(0.25)
    fused = affine(ws, vs, b)
    chain = sum((w * v for w, v in zip(ws, vs)), b)
    assert fused.data == chain.data
    assert grad(fused, [*ws, *vs, b]) == grad(chain, [*ws, *vs, b])
    total = add_all(vs)
    left_to_right = 0.0  # not sum(): from Python 3.12 it compensates rounding (the example)
    for v in vs:
        left_to_right += v.data
    assert total.data == left_to_right


# ---------------------------------------------------------------------------------------------
# numerical stability at extreme inputs


@pytest.mark.parametrize("op", ["sigmoid", "tanh", "softplus"])
@pytest.mark.parametrize("x", [-1000.0, -745.0, 745.0, 1000.0, -1e300, 1e300])
def test_saturating_ops_are_finite_at_extremes(op, x):
    v = Value(x)
    y = getattr(v, op)()
    y.backward()
    assert math.isfinite(y.data) and math.isfinite(v.grad)
    w = Value(x)
    (d1,) = grad(getattr(w, op)(), [w], create_graph=True)
    (d2,) = grad(d1, [w])
    assert math.isfinite(d1.data) and math.isfinite(d2)


def test_saturating_values_at_extremes():
    assert Value(1000.0).sigmoid().data == 1.0
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).softplus().data == 1000.0
    assert Value(-1000.0).softplus().data == 0.0
    assert Value(-1000.0).tanh().data == -1.0
    x = Value(1000.0)
    x.softplus().backward()
    assert x.grad == 1.0


def test_bad_gradcheck_arguments():
    with pytest.raises(TypeError, match="f must return a Value"):
        gradcheck(lambda x: 1.0, [1.0])
    with pytest.raises(TypeError, match=r"inputs\[0\] must be a real number"):
        gradcheck(lambda x: x, ["a"])
    with pytest.raises(ValueError, match="eps must be positive"):
        gradcheck(lambda x: x, [1.0], eps=0)
    with pytest.raises(ValueError, match="atol must be a finite number >= 0"):
        gradcheck(lambda x: x, [1.0], atol=-1)
