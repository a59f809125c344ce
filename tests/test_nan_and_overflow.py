"""NaN and overflow follow IEEE and PyTorch.

nan propagates, overflow gives ±inf, nothing raises in the middle of backward; ValueError
stays for real domain errors.
"""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import DivisionByZeroError, Value, add_all, affine, backward_steps, grad
from autograd import primitives as P

NAN, INF = math.nan, math.inf

# (name, f of one Value, the gradient at nan: NAN, or the constant local derivative)
AT_NAN = [
    ("exp", lambda x: x.exp(), NAN),
    ("log", lambda x: x.log(), NAN),
    ("sqrt", lambda x: x.sqrt(), NAN),
    ("tanh", lambda x: x.tanh(), NAN),
    ("sigmoid", lambda x: x.sigmoid(), NAN),
    ("softplus", lambda x: x.softplus(), NAN),
    ("relu", lambda x: x.relu(), NAN),
    ("leaky_relu", lambda x: x.leaky_relu(0.1), NAN),
    ("abs", lambda x: abs(x), NAN),
    ("sin", lambda x: x.sin(), NAN),
    ("cos", lambda x: x.cos(), NAN),
    ("pow const", lambda x: x**2, NAN),
    ("pow half", lambda x: x**0.5, NAN),
    ("pow -1", lambda x: x**-1, NAN),
    ("rpow const", lambda x: 2.5**x, NAN),
    ("div by", lambda x: 3.0 / x, NAN),
    ("pow base", lambda x: x ** Value(1.5), NAN),
    ("pow exponent", lambda x: Value(1.5) ** x, NAN),
    ("pow exponent, negative base", lambda x: Value(-2.0) ** x, NAN),
    ("pow exponent, zero base", lambda x: Value(0.0) ** x, NAN),
    ("mul value", lambda x: x * Value(NAN), NAN),
    # linear ops: the local derivative does not depend on x (PyTorch gives the same)
    ("add const", lambda x: x + 2.0, 1.0),
    ("radd const", lambda x: 2.0 + x, 1.0),
    ("sub const", lambda x: x - 2.0, 1.0),
    ("rsub const", lambda x: 2.0 - x, -1.0),
    ("mul const", lambda x: x * 3.0, 3.0),
    ("neg", lambda x: -x, -1.0),
    ("div const", lambda x: x / 4.0, 0.25),
    ("mul value at 2", lambda x: x * Value(2.0), 2.0),
    ("add_all", lambda x: add_all([x, Value(1.0)]), 1.0),
    ("affine weight", lambda x: affine([x], [3.0], Value(1.0)), 3.0),
]


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


@pytest.mark.parametrize(("name", "f", "slope"), AT_NAN, ids=[e[0] for e in AT_NAN])
def test_nan_propagates_through_value_and_gradient(name, f, slope):
    x = Value(NAN)
    y = f(x)
    assert math.isnan(y.data)
    y.backward()
    assert _same(x.grad, slope)
    (g,) = grad(f(x), [x])
    assert _same(g, slope)


@pytest.mark.parametrize(("name", "f", "slope"), AT_NAN, ids=[e[0] for e in AT_NAN])
def test_an_incoming_nan_gradient_reaches_the_inputs(name, f, slope):
    # nan * 0 is nan: a nan arriving from above is not hidden by a flat local derivative
    positive = ("log", "sqrt", "pow half", "pow base", "pow exponent, zero base")
    x = Value(2.0) if name in positive else Value(-1.0)  # relu, abs, leaky_relu: on the flat side
    y = f(x) * Value(NAN)
    y.backward()
    assert math.isnan(x.grad)


def test_relu_of_nan_is_nan_with_a_nan_slope():
    x = Value(NAN)
    y = x.relu()
    step = next(backward_steps(y))
    assert math.isnan(y.data) and math.isnan(step.local[0])


def test_nan_in_second_derivatives():
    for f in (lambda v: v.relu() * v, lambda v: abs(v) * v, lambda v: v.sqrt()):
        x = Value(NAN)
        (d1,) = grad(f(x), [x], create_graph=True)
        (d2,) = grad(d1, [x])
        assert math.isnan(d1.data) and math.isnan(d2)


def test_nan_exponent_of_a_negative_base_is_nan_not_a_domain_error():
    assert math.isnan((Value(-2.0) ** NAN).data)
    assert math.isnan(((-2.0) ** Value(NAN)).data)


# ---------------------------------------------------------------------------------------------
# overflow: ±inf in forward and backward, never an exception


def test_backward_through_a_huge_reciprocal_gives_inf_not_overflow_error():
    x, w = Value(1e-160), Value(2.0)
    y = w * 3.0 + 1 / x  # d/dx = -x**-2 = -1e320: beyond the largest float
    y.backward()
    assert (w.grad, x.grad) == (3.0, -INF)
    (gx,) = grad(y, [x])
    assert gx == -INF


def test_backward_overflow_as_a_graph_too():
    x = Value(1e-160)
    (dx,) = grad(1 / x, [x], create_graph=True)
    assert dx.data == -INF


def test_overflow_in_forward_is_inf():
    assert Value(1000.0).exp().data == INF
    assert (Value(10.0) ** 400).data == INF
    assert (Value(-10.0) ** 401).data == -INF
    assert (Value(-10.0) ** 400).data == INF
    assert (2.0 ** Value(2000.0)).data == INF
    assert (Value(10.0) ** Value(400.0)).data == INF
    x = Value(1e-320)
    assert (x * x**-1).data == INF  # x / x built micrograd's way; x / x itself is 1.0


def test_gradient_of_an_overflowed_exp_is_inf():
    x = Value(1000.0)
    x.exp().backward()
    assert x.grad == INF


def test_sin_and_cos_at_infinity_are_nan_not_a_math_domain_error():
    for f in (Value.sin, Value.cos):
        x = Value(INF)
        y = f(x)
        y.backward()
        assert math.isnan(y.data) and math.isnan(x.grad)
    x = Value(1000.0)
    y = x.exp().sin()  # sin(inf) in forward, cos(inf) in backward
    y.backward()
    assert math.isnan(y.data) and math.isnan(x.grad)


def test_saturating_ops_at_infinity():
    assert (Value(INF).sigmoid().data, Value(-INF).sigmoid().data) == (1.0, 0.0)
    assert (Value(INF).tanh().data, Value(-INF).softplus().data) == (1.0, 0.0)
    assert (Value(INF).softplus().data, Value(INF).relu().data) == (INF, INF)


def test_second_derivative_of_sqrt_at_zero_is_minus_inf():
    x = Value(0.0)
    (d1,) = grad(x.sqrt(), [x], create_graph=True)
    (d2,) = grad(d1, [x], create_graph=True)
    (d3,) = grad(d2, [x])
    assert (d1.data, d2.data, d3) == (INF, -INF, INF)  # as in PyTorch


def test_second_derivative_of_a_power_through_a_value_exponent_at_zero():
    x, y = Value(0.0), Value(0.5)
    (dx,) = grad(x**y, [x], create_graph=True)
    assert dx.data == INF
    assert grad(dx, [x]) == [-INF]


_EXTREME = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1e-320, -1e-320, 1e-160, 1e300, -1e300, NAN, INF, -INF]),
)
_OPS = [
    lambda a, b: a * b,
    lambda a, b: a + b,
    lambda a, b: a - b,
    lambda a, b: a.exp() * b,
    lambda a, b: a.tanh() + b.sigmoid(),
    lambda a, b: a.relu() * b.softplus(),
    lambda a, b: abs(a).leaky_relu() - b.sin(),
    lambda a, b: a.cos() * b**2,
    lambda a, b: a**3 + 2.0**b,
    lambda a, b: add_all([a, b, a]),
    lambda a, b: affine([a], [b], a),
]


@given(st.lists(_EXTREME, min_size=2, max_size=2), st.lists(st.integers(0, 10), max_size=6))
def test_backward_never_raises_on_extreme_values(leaves, ops):
    a, b = (Value(v) for v in leaves)
    pool = [a, b]
    for k in ops:
        pool.append(_OPS[k](pool[-1], pool[-2]))
    root = pool[-1]
    root.backward()  # no OverflowError, ValueError or ZeroDivisionError mid-walk
    assert all(isinstance(v.grad, float) for v in (a, b))
    assert all(map(_same, grad(root, [a, b]), [a.grad, b.grad]))


# ---------------------------------------------------------------------------------------------
# what still raises: real domain errors, numbers beyond floats, the truth value


def test_division_by_zero_is_a_value_error_and_a_zero_division_error():
    for build in (lambda: Value(1.0) / 0, lambda: 1.0 / Value(0.0), lambda: Value(0.0) ** -1):
        with pytest.raises(DivisionByZeroError) as info:
            build()
        assert isinstance(info.value, ValueError) and isinstance(info.value, ZeroDivisionError)
    with pytest.raises(ZeroDivisionError, match=r"/: division by zero \(2\.0 / 0\.0\)"):
        Value(2.0) / Value(0.0)


@pytest.mark.parametrize(
    "build",
    [lambda: Value(-1.0).log(), lambda: Value(-8.0) ** (1 / 3), lambda: Value(0.0) ** -1],
)
def test_domain_errors_still_raise(build):
    with pytest.raises(ValueError):
        build()


def test_a_number_too_large_for_a_float_is_a_value_error_naming_the_operation():
    with pytest.raises(ValueError, match=r"Value\(\): the number is too large for a float"):
        Value(10**400)
    with pytest.raises(ValueError, match=r"^\+: the number is too large for a float"):
        Value(1.0) + 10**400
    with pytest.raises(ValueError, match=r"\*\*: the number is too large for a float"):
        (-(10**400)) ** Value(2.0)


def test_truth_value_of_a_value_is_a_type_error():
    with pytest.raises(TypeError, match=r"truth value of a Value is ambiguous.*v\.data > 0"):
        bool(Value(0.0))
    with pytest.raises(TypeError):
        if Value(1.0):  # micrograd: always True, also for Value(0.0)
            pass
    assert Value(0.0) is not None and Value(0.0).data == 0.0


# -- every primitive of the registry, as it is (a new one is checked without a line here) ------

# the fused ops take any number of parents: sum of 3, affine of 2 weights, 2 inputs and a bias
_PARENTS_OF_FUSED = {"sum": 3, "affine": 5}


def _parents(prim) -> int:
    return prim.arity or (3 if prim.const else _PARENTS_OF_FUSED[prim.name])


def _operands(prim, i: int, special: float) -> list:
    xs = [0.5] * _parents(prim)
    xs[i] = special
    if prim.const:  # affine's inputs are its constant; the others a number
        xs.append((0.5, 0.5) if prim.arity is None else 2.0)
    return xs


@pytest.mark.parametrize("special", [NAN, INF, -INF], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize(
    "prim", P.builtin_primitives(), ids=lambda p: f"{p.name}{'c' if p.const else ''}"
)
def test_every_builtin_primitive_gives_nan_or_inf_and_never_a_raw_math_error(prim, special):
    """nan and ±inf in any operand give nan or ±inf, forward and backward.

    An error only for a real domain error, named by the op (``log`` of -inf), never Python's
    ``math domain error``.
    """
    for i in range(_parents(prim)):
        xs = _operands(prim, i, special)
        try:
            out = prim.forward(*xs)
        except ValueError as error:
            assert special != special or str(error).startswith(prim.name), (prim, i, error)
            continue
        assert isinstance(out, float), (prim, i, out)
        grads = prim.vjp(1.0, out, *xs)
        assert all(isinstance(d, float) for d in grads), (prim, i, grads)
