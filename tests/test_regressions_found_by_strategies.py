"""Bugs that ``autograd.testing``'s random expressions found (and its own), pinned exactly."""

import pytest

from autograd import GradcheckError, Value, grad, gradcheck, gradgradcheck
from autograd.testing import Expression, finite_differences_are_accurate, variant


def test_second_derivative_of_x_to_the_y_at_y_zero_keeps_its_dependence_on_y():
    # found as f(x0) = (x0 + 1) ** x0 at x0 = 0: d/dx x**y returned the constant 0.0 at
    # y = 0, so differentiating it again in y gave 0 instead of 1/x
    x, y = Value(2.0), Value(0.0)
    dx, _ = grad(x**y, [x, y], create_graph=True)
    assert dx.data == 0.0
    assert grad(dx, [x, y]) == [0.0, 0.5]  # d/dy (y x**(y-1)) = x**(y-1) (1 + y log x) = 1/x
    x, y = Value(1.0), Value(0.0)  # at x = 1 (it was also pinned in test_backward.py)
    (dx,) = grad(x**y, [x], create_graph=True)
    assert grad(dx, [y]) == [1.0]
    assert gradgradcheck(lambda t: (t + 1.0) ** t, [0.0])


def test_x_to_a_zero_power_still_has_derivative_zero_at_x_zero():
    for x in (Value(0.0), Value(3.0)):
        y = x**0.0
        y.backward()
        assert (y.data, x.grad) == (1.0, 0.0)
    x, y = Value(0.0), Value(0.0)
    assert grad(x**y, [x, y]) == [0.0, 0.0]


# ----------------------------------------------------------------------------------------------
# the strategies' own bug: false failures on a correct engine (issue 9, item 12). Both formulas
# have the shape expressions() draws (each node takes the newest one), at the input 0.0 that
# shrinking prefers; finite differences miss, the engine does not. The guard now rejects them.


def _chain(*steps):
    """An Expression on x0 from (name, kind, const, args) steps."""
    nodes = []
    for name, kind, const, args in steps:
        nodes.append((variant(name, kind, const), args, const))
    return Expression(["x0"], nodes)


TIMES_243 = [("*", "constant right", 3.0, (k,)) for k in range(5)]  # x0 * 3 * 3 * 3 * 3 * 3


def test_a_steep_cube_at_zero_fooled_gradcheck_by_truncation():
    f = _chain(*TIMES_243, ("**", "constant right", 3.0, (5,)))
    assert str(f) == "f(x0) = (x0 * 3 * 3 * 3 * 3 * 3) ** 3"
    x = Value(0.0)
    f(x).backward()
    assert x.grad == 0.0  # exact: d/dx (243 x)^3 = 3 * 243^3 x^2 = 0 at 0
    # the central difference is (243 eps)^3 / eps = 243^3 eps^2 = 1.43e-5 > atol = 1e-5
    with pytest.raises(GradcheckError, match=r"0\s+\(0\)\s+0\s+1\.434"):
        gradcheck(f, [0.0])
    assert not finite_differences_are_accurate(f, [0.0])
    assert finite_differences_are_accurate(f, [0.5])


def test_a_steep_fourth_power_at_zero_fooled_gradgradcheck_by_truncation():
    f = _chain(*TIMES_243[:4], ("**", "constant right", 2.0, (4,)), ("*", "infix", None, (5, 5)))
    assert str(f) == "f(x0) = (x0 * 3 * 3 * 3 * 3) ** 2 * (x0 * 3 * 3 * 3 * 3) ** 2"
    x = Value(0.0)
    (dx,) = grad(f(x), [x], create_graph=True)
    assert grad(dx, [x]) == [0.0]  # exact: 12 * 81^4 x^2 = 0 at 0
    assert gradcheck(f, [0.0])
    # the difference of first derivatives: 4 * 81^4 eps^2 = 1.7e-4, far above atol = 1e-5
    with pytest.raises(GradcheckError, match=r"0,0\s+\(0\)\s+0\s+0\.000172"):
        gradgradcheck(f, [0.0])
    assert not finite_differences_are_accurate(f, [0.0])
