"""Division is a primitive of its own: Python's float ``/`` in forward, exact derivatives.

``x / y``, ``x / c`` and ``c / x`` must give ``x.data / y.data`` bit for bit (micrograd's
``x * y**-1`` rounds twice and overflows at y = 1e-320). The derivatives are checked against
exact rational references (``fractions.Fraction``): d/dx = g / y is rounded once, so it is the
correctly rounded float itself; d/dy = -g * x / y**2 is within 4 ulp (three roundings of at
most half an ulp each, plus the reference's own) and finite wherever the true value is.
"""

import math
import struct
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from autograd import (
    DivisionByZeroError,
    Value,
    backward_steps,
    define_op,
    draw_dot,
    grad,
    gradgradcheck,
)
from autograd import primitives as P
from autograd.testing import reals

INF, NAN = math.inf, math.nan
FINITE = st.floats(allow_nan=False, allow_infinity=False)  # subnormals and 1e308 included
NONZERO = FINITE.filter(lambda v: v != 0.0)
ANY_FLOAT = st.floats()  # nan and ±inf too


def bits(v: float) -> bytes:
    return struct.pack("<d", v)


def rounded(q: Fraction) -> float:
    """The float nearest to the exact ``q`` (±inf beyond the largest float), rounded once."""
    try:
        return float(q)
    except OverflowError:
        return INF if q > 0 else -INF


def ulps_apart(a: float, b: float) -> int:
    """How many floats lie between a and b (0 when equal; ±0 count as equal)."""

    def key(v: float) -> int:
        n = struct.unpack("<q", struct.pack("<d", v))[0]
        return n if n >= 0 else -(n & 0x7FFFFFFFFFFFFFFF)

    return abs(key(a) - key(b))


def divided(x: float, y: float, g: float = 1.0) -> list[float]:
    """d/dx and d/dy of (x / y) * g: the gradient g arrives at the quotient (grad() keeps -0.0)."""
    a, b = Value(x), Value(y)
    return grad((a / b) * g, [a, b])


# ---------------------------------------------------------------------------------------------
# forward: exactly Python's float division


@pytest.mark.parametrize("tiny", [1e-320, 5e-324, 2.2250738585072014e-308, 1e-310])
def test_x_over_x_is_one_also_for_subnormal_x(tiny):
    x = Value(tiny)
    assert (x / x).data == 1.0  # x * x**-1 overflows: tiny ** -1 is beyond the largest float
    assert (Value(-tiny) / x).data == -1.0


@given(ANY_FLOAT, NONZERO | st.sampled_from([INF, -INF, NAN]))
@example(1e-320, 1e-320)
@example(0.1, 10.0)  # 0.01, where 0.1 * (1 / 10) is 0.010000000000000002
@example(1e308, 1e-10)  # overflow: inf, no exception
def test_every_form_of_division_equals_pythons_float_division_bit_for_bit(x, y):
    expected = bits(x / y)
    assert bits((Value(x) / Value(y)).data) == expected
    assert bits((Value(x) / y).data) == expected
    assert bits((x / Value(y)).data) == expected


def test_division_rounds_once_where_the_reciprocal_would_round_twice():
    assert 0.1 * 10.0**-1 == 0.010000000000000002  # micrograd's x * y**-1 rounds twice
    assert (Value(0.1) / Value(10.0)).data == 0.01
    assert (Value(0.1) / 10).data == 0.01
    assert (5 / Value(3.0)).data == 5 / 3 != 5 * 3.0**-1


def test_division_is_one_node_with_the_operands_in_order():
    a, b = Value(6.0), Value(3.0)
    for q, parents, const in [(a / b, (a, b), None), (a / 3, (a,), 3.0), (3 / a, (a,), 3.0)]:
        assert q.op == "/" and q.parents == parents and q._arg == const


@pytest.mark.parametrize(
    "build",
    [
        lambda: Value(1.0) / Value(0.0),
        lambda: Value(1.0) / Value(-0.0),
        lambda: Value(1.0) / 0,
        lambda: 1.0 / Value(0.0),
        lambda: Value(NAN) / 0,  # Python raises here too: nan / 0.0
    ],
)
def test_division_by_zero_raises_and_builds_nothing(build):
    with pytest.raises(DivisionByZeroError, match=r"^/: division by zero \("):
        build()


def test_the_message_shows_the_operands_in_the_order_written():
    with pytest.raises(ZeroDivisionError, match=r"\(3\.0 / 0\.0\)"):
        3 / Value(0.0)
    with pytest.raises(ValueError, match=r"\(2\.5 / 0\.0\)"):
        Value(2.5) / 0.0


# ---------------------------------------------------------------------------------------------
# first derivatives against exact references


@given(FINITE, NONZERO, NONZERO)
@example(1e-200, 1e-200, 1.0)  # PyTorch's -g * x / (y * y): y * y underflows, -inf
@example(5e-324, 1e-10, 1.0)  # x / y is subnormal, -x / y**2 is not
@example(1.0, 1e200, 1e300)  # g * out underflows to a subnormal, the result is normal
@example(1e300, 1e100, 1e300)  # g * out overflows, the result is 1e300
@example(1.0, 1e-160, 1.0)  # -1e320: beyond the largest float, -inf
def test_derivatives_of_x_over_y_against_fractions(x, y, g):
    dx, dy = divided(x, y, g)
    exact_dx = Fraction(g) / Fraction(y)
    exact_dy = -Fraction(g) * Fraction(x) / Fraction(y) ** 2
    assert bits(dx) == bits(rounded(exact_dx))  # g / y: rounded once
    expected = rounded(exact_dy)
    if math.isinf(expected):
        assert dy == expected
    else:
        assert math.isfinite(dy) and ulps_apart(dy, expected) <= 4, (dy, expected)


@given(NONZERO, FINITE, NONZERO)
def test_derivatives_with_a_constant_against_fractions(c, x, g):
    v = Value(x)
    (grad_over_c,) = grad((v / c) * g, [v])  # d(x/c)/dx = 1/c: g / c, rounded once
    assert bits(grad_over_c) == bits(rounded(Fraction(g) / Fraction(c)))
    if x == 0.0:
        return
    (grad_c_over,) = grad((c / v) * g, [v])  # d(c/x)/dx = -c / x**2
    expected = rounded(-Fraction(g) * Fraction(c) / Fraction(x) ** 2)
    if math.isinf(expected):
        assert grad_c_over == expected
    else:
        assert math.isfinite(grad_c_over) and ulps_apart(grad_c_over, expected) <= 4


def test_x_over_x_at_a_subnormal_has_the_derivatives_ieee_gives():
    a = b = Value(1e-320)
    q = a / b
    q.backward()  # a is both operands: d(x/x)/dx = 1/x - x/x**2 = inf - inf
    assert q.data == 1.0 and math.isnan(a.grad)
    a, b = Value(1e-320), Value(1e-320)
    q = a / b
    q.backward()
    assert q.data == 1.0
    assert (a.grad, b.grad) == (INF, -INF)  # ±1e320: beyond the largest float, as in PyTorch


def test_derivatives_stay_finite_where_pytorchs_formula_overflows():
    x = y = 1e-200
    assert P.ieee_div(-1.0 * x, y * y) == -INF  # PyTorch's grad_other: y * y underflows to 0
    assert divided(x, y) == [1e200, -1e200]


@pytest.mark.parametrize(
    ("x", "y", "g", "expected_dx", "expected_dy"),
    [
        (NAN, 2.0, 1.0, 0.5, NAN),
        (1.0, NAN, 1.0, NAN, NAN),
        (INF, 2.0, 1.0, 0.5, -INF),
        (1.0, INF, 1.0, 0.0, -0.0),
        (INF, INF, 1.0, 0.0, NAN),
        (0.0, 2.0, 1.0, 0.5, -0.0),
        (0.0, 2.0, INF, INF, NAN),  # inf * 0, as in PyTorch
        (1.0, 2.0, NAN, NAN, NAN),
    ],
)
def test_nan_and_inf_follow_ieee(x, y, g, expected_dx, expected_dy):
    dx, dy = divided(x, y, g)
    assert bits(dx) == bits(expected_dx) or (dx != dx and expected_dx != expected_dx)
    assert bits(dy) == bits(expected_dy) or (dy != dy and expected_dy != expected_dy)


def test_a_divisor_set_to_zero_after_the_node_was_built_gives_inf_not_an_error():
    a, b = Value(1.0), Value(2.0)
    q = a / b
    b.data = 0.0  # an optimizer may assign .data; backward must not raise midway
    q.backward()
    assert (a.grad, b.grad) == (INF, -INF)
    assert (P.ieee_div(1.0, -0.0), P.ieee_div(-2.0, 0.0)) == (-INF, -INF)
    assert math.isnan(P.ieee_div(0.0, 0.0)) and math.isnan(P.ieee_div(NAN, 0.0))


# ---------------------------------------------------------------------------------------------
# second derivatives: the rules run on Values too


@given(reals(), reals(op="/"))
def test_second_derivatives_of_x_over_y(x, y):
    assert gradgradcheck(lambda a, b: a / b, [x, y])


@given(reals(op="/"), st.sampled_from([2.0, -0.5, 3.0]))
def test_second_derivatives_with_a_constant(x, c):
    assert gradgradcheck(lambda a: a / c, [x])
    assert gradgradcheck(lambda a: c / a, [x])


@given(st.floats(-3, 3).filter(lambda v: v == 0.0 or abs(v) > 1e-300), reals(op="/"))
def test_the_graph_of_the_derivative_has_the_same_value_as_backward(x, y):
    # the same bits where every step is a normal float; below that, backward() is the exact one
    a, b = Value(x), Value(y)
    q = a / b
    with_graph = [d.data for d in grad(q, [a, b], create_graph=True)]
    assert [bits(d) for d in with_graph] == [bits(d) for d in grad(q, [a, b])]


def test_second_derivatives_of_x_over_y_by_hand():
    a, b = Value(3.0), Value(2.0)
    da, db = grad(a / b, [a, b], create_graph=True)  # 1/y and -x/y**2
    assert grad(da, [a, b]) == [0.0, -0.25]  # d(1/y)/dy = -1/y**2
    assert grad(db, [a, b]) == [-0.25, 0.75]  # d(-x/y**2)/dy = 2x/y**3


# ---------------------------------------------------------------------------------------------
# the tools read '/'


def test_draw_dot_shows_division_with_its_constant_on_the_right_side():
    a, b = Value(6.0, label="a"), Value(3.0, label="b")
    for q, text in [(a / b, '"/"'), (a / 2, '"/ 2"'), (2 / a, '"2 /"')]:
        assert f"label={text} shape=oval" in draw_dot(q).source


def test_steps_explain_division():
    a, b = Value(6.0, label="a"), Value(3.0, label="b")
    for q, formula in [(a / b, "q = a / b"), (a / 4, "q = a / 4"), (4 / a, "q = 4 / a")]:
        q.label = "q"
        assert next(backward_steps(q)).explain().startswith(f"step 1: {formula} received")


def test_define_op_cannot_replace_division():
    with pytest.raises(ValueError, match="'/' is one of stepgrad's own ops"):
        define_op("/", lambda x, y: x * y, lambda x, y, out: y, lambda x, y, out: x)
