"""define_op: one definition gives an op that backward, grad (higher order), gradcheck,
draw_dot and the steppers understand."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import (
    Value,
    backward_steps,
    define_op,
    draw_dot,
    grad,
    gradcheck,
    gradgradcheck,
)
from autograd import primitives as P

# log(1 + x^2): smooth everywhere, its rule needs no helper beyond arithmetic
log1p_sq = define_op("log1p_sq", lambda x: math.log1p(x * x), lambda x, out: 2 * x / (1 + x * x))
# a binary op: x * y^2 (rules get both inputs, then out)
mul_sq = define_op(
    "mul_sq", lambda x, y: x * y * y, lambda x, y, out: y * y, lambda x, y, out: 2 * x * y
)
# with a domain
inv_sqrt = define_op(
    "inv_sqrt",
    lambda x: x**-0.5,
    lambda x, out: -0.5 * x**-1.5,
    domain=lambda x: x > 0,
    expects="a positive number",
)

REALS = st.floats(-3.0, 3.0, allow_nan=False)


@given(REALS)
def test_a_defined_op_passes_gradcheck_and_gradgradcheck(x):
    assert gradcheck(log1p_sq, [x])
    assert gradgradcheck(log1p_sq, [x], atol=1e-4, rtol=1e-3)


@given(REALS, REALS)
def test_a_binary_defined_op_to_second_order(x, y):
    assert gradcheck(mul_sq, [x, y])
    assert gradgradcheck(mul_sq, [x, y], atol=1e-4, rtol=1e-3)


def test_third_derivative_through_a_defined_op():
    x = Value(0.5)
    (d1,) = grad(inv_sqrt(x), [x], create_graph=True)
    (d2,) = grad(d1, [x], create_graph=True)
    (d3,) = grad(d2, [x])
    assert (d1.data, d2.data, d3) == pytest.approx(
        (-0.5 * 0.5**-1.5, 0.75 * 0.5**-2.5, -1.875 * 0.5**-3.5)
    )


def test_drawing_and_stepping_know_the_op_by_name():
    x = Value(1.5, label="x")
    y = mul_sq(x, Value(2.0, label="y"))
    y.label = "out"
    step = next(backward_steps(y))
    assert step.local == (4.0, 6.0)
    assert step.explain(1).startswith("step 1: out = mul_sq(x, y) received grad 1.0")
    assert "label=mul_sq" in draw_dot(y, show_local=True).source


def test_the_op_is_registered():
    assert P.REGISTRY["log1p_sq"] is log1p_sq.primitive
    assert {"exp", "tanh", "sin", "cos", "abs", "softplus", "log", "relu", "sigmoid"} <= set(
        P.REGISTRY
    )


def test_domain_errors_name_the_op_and_what_it_expects():
    with pytest.raises(ValueError, match=r"inv_sqrt: expected a positive number, got -1\.0"):
        inv_sqrt(Value(-1.0))
    y = inv_sqrt(Value(math.nan))  # nan passes the check and propagates
    assert math.isnan(y.data)


def test_numbers_become_leaves_and_methods_work():
    class MyValue(Value):
        __slots__ = ()
        log1p_sq = log1p_sq

    x = MyValue(1.0)
    y = x.log1p_sq()
    y.backward()
    assert (y.data, x.grad) == (math.log(2.0), 1.0)
    assert mul_sq(2.0, Value(3.0)).data == 18.0


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "pattern"),
    [
        (("", abs, abs), {}, TypeError, r"name must be a non-empty str"),
        (("f", 3, abs), {}, TypeError, r"forward must be a function \(got int\)"),
        (("f", abs), {}, TypeError, r"'f' needs one derivative rule per input"),
        (("f", abs, 1.0), {}, TypeError, r"rules\[0\] must be a function \(got float\)"),
        (("f", abs, abs), {"domain": 1}, TypeError, r"domain must be a function"),
        (("tanh", math.tanh, abs), {}, ValueError, r"'tanh' is one of stepgrad's own ops"),
    ],
)
def test_bad_definitions(args, kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        define_op(*args, **kwargs)


def test_wrong_number_of_inputs():
    with pytest.raises(TypeError, match=r"mul_sq: expected 2 inputs, got 1"):
        mul_sq(Value(1.0))
    with pytest.raises(TypeError, match=r"log1p_sq: expected a Value or a real number"):
        log1p_sq("a")


def test_stepgrads_own_ops_are_defined_the_same_way():
    # the table's tanh is a define()d primitive: its vjp is g * rule(x, out)
    assert P.TANH is P.REGISTRY["tanh"]
    x = Value(0.3)
    y = x.tanh()
    y.backward()
    assert x.grad == 1.0 - y.data * y.data
