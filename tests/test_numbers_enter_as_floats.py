"""Numbers of any ``numbers.Real`` type become floats where they enter a Value.

``Value(x)`` and ``v.data = x`` convert numpy scalars, ``Fraction``, ints and float subclasses
to ``float``, so every op and every gradient is what the same float gives: a type never
changes a result (before, ``v.data = np.float64(3.0)`` made ``v ** 2`` nan). Bools and
strings are refused with a TypeError, as everywhere else in the API.
"""

import math
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from autograd import Value
from autograd.testing import OPS


class MyFloat(float):
    """A float subclass of a user's own (not numpy): its arithmetic returns MyFloat."""

    def __mul__(self, other):
        return MyFloat(float(self) * other)

    def __pow__(self, other):
        return MyFloat(float(self) ** other)


def _kinds():
    """Ways to write 3.0 that are not exactly a float, with and without numpy."""
    kinds = [MyFloat(3.0), Fraction(3), 3]
    try:
        import numpy as np
    except ImportError:  # numpy is optional: the other kinds still run
        return kinds
    return [*kinds, np.float64(3.0), np.float32(3.0), np.int64(3)]


@pytest.mark.parametrize("number", _kinds(), ids=lambda x: type(x).__name__)
@pytest.mark.parametrize("how", ["data", "Value()"])
def test_every_real_number_is_stored_as_a_float(number, how):
    v = Value(number) if how == "Value()" else Value(1.0)
    if how == "data":
        v.data = number
    assert type(v.data) is float and v.data == 3.0


OPS_ON_THREE = {
    "v ** 2": lambda v: v**2,
    "v.sqrt()": lambda v: v.sqrt(),
    "2 ** v": lambda v: 2**v,
    "c ** v": lambda v: Value(2.0) ** v,
    "v ** v": lambda v: v**v,
    "v / 0.5": lambda v: v / 0.5,
    "1 / v": lambda v: 1 / v,
    "v.log()": lambda v: v.log(),
}


def _value_and_slope(op, number):
    v = Value(1.0)
    v.data = number  # what an optimizer or a user's numpy code does
    out = op(v)
    out.backward()
    return out.data, v.grad


@pytest.mark.parametrize("name", OPS_ON_THREE)
@pytest.mark.parametrize("number", _kinds(), ids=lambda x: type(x).__name__)
def test_assigned_data_of_any_real_type_gives_what_the_float_gives(name, number):
    op = OPS_ON_THREE[name]
    value, slope = _value_and_slope(op, number)
    assert (value, slope) == _value_and_slope(op, 3.0)  # exactly the float's result
    assert not math.isnan(value) and not math.isnan(slope)


@pytest.mark.parametrize("bad", [True, False, "1.5", None, [1.0], 2 + 0j])
def test_assigning_data_that_is_not_a_real_number_is_a_type_error(bad):
    v = Value(1.0)
    with pytest.raises(TypeError, match=r"^\.data must be a real number \(got "):
        v.data = bad
    assert v.data == 1.0  # unchanged


@pytest.mark.parametrize("bad", [True, False])
def test_a_bool_is_not_a_number_for_value(bad):
    with pytest.raises(TypeError, match=r"^Value\(\): data must be a real number \(got "):
        Value(bad)


def test_data_too_large_for_a_float_is_a_value_error_and_changes_nothing():
    v = Value(1.0)
    with pytest.raises(ValueError, match=r"^\.data: the number is too large for a float"):
        v.data = 10**400
    assert v.data == 1.0


def _same(a: float, b: float) -> bool:
    """Bit for bit: equal with the same sign of zero, or both nan."""
    return (a != a and b != b) or (a == b and math.copysign(1.0, a) == math.copysign(1.0, b))


def _numpy_float64_or_myfloat(x: float):
    try:
        import numpy as np
    except ImportError:
        return MyFloat(x)
    return np.float64(x)


@st.composite
def _op_and_operands(draw):
    op = draw(st.sampled_from(OPS))
    arity = draw(st.sampled_from(op.arities))
    xs = [draw(st.floats(-3.0, 3.0)) for _ in range(arity)]
    for i, x in enumerate(xs):
        assume(i >= len(op.domains) or op.domains[i].contains(x, 0.05))
    consts: tuple = ()
    if op.constants:
        count = op.constant_count(arity) if op.constant_count else 1
        drawn = tuple(draw(st.sampled_from(op.constants)) for _ in range(count))
        consts = (drawn,) if op.constant_count else drawn
    assume(op.accepts is None or op.accepts(*xs, *consts))
    return op, xs, consts


@given(_op_and_operands(), st.sampled_from(["numpy", "subclass", "Fraction"]))
def test_every_op_gives_the_same_bits_for_any_real_type(case, kind):
    op, xs, consts = case
    plain = [Value(x) for x in xs]
    other = [Value(0.0) for _ in xs]
    for v, x in zip(other, xs):
        if kind == "numpy":
            v.data = _numpy_float64_or_myfloat(x)
        elif kind == "subclass":
            v.data = MyFloat(x)
        else:
            v.data = Fraction(x)  # exact: converts back to the same float
    results = []
    for leaves in (plain, other):
        out = op.apply(*leaves, *consts)
        out.backward()
        results.append([out.data, *[v.grad for v in leaves]])
    assert all(map(_same, *results)), (op.name, xs, consts, results)
