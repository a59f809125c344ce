"""Bugs that ``autograd.testing``'s random expressions found, pinned by exact checks."""

from autograd import Value, grad, gradgradcheck


def test_second_derivative_of_x_to_the_y_at_y_zero_keeps_its_dependence_on_y():
    # found as f(x0) = (x0 + 1) ** x0 at x0 = 0: d/dx x**y returned the constant 0.0 at
    # y = 0, so differentiating it again in y gave 0 instead of 1/x
    x, y = Value(2.0), Value(0.0)
    dx, _ = grad(x**y, [x, y], create_graph=True)
    assert dx.data == 0.0
    assert grad(dx, [x, y]) == [0.0, 0.5]  # d/dy (y x**(y-1)) = x**(y-1) (1 + y log x) = 1/x
    assert gradgradcheck(lambda t: (t + 1.0) ** t, [0.0])


def test_x_to_a_zero_power_still_has_derivative_zero_at_x_zero():
    for x in (Value(0.0), Value(3.0)):
        y = x**0.0
        y.backward()
        assert (y.data, x.grad) == (1.0, 0.0)
    x, y = Value(0.0), Value(0.0)
    assert grad(x**y, [x, y]) == [0.0, 0.0]
