"""Value: construction, operators in both directions, exact values, errors."""

import math

import pytest

from autograd import Value
from tests.examples import micrograd_readme_example


def test_leaf_defaults():
    v = Value(3)
    assert v.data == 3.0 and type(v.data) is float
    assert v.grad == 0.0 and type(v.grad) is float
    assert v.label == "" and v.op == "" and v.parents == ()


def test_label_and_repr():
    v = Value(1.5, label="w")
    assert v.label == "w"
    assert repr(v) == "Value(data=1.5, grad=0.0, label='w')"
    assert repr(Value(2.0)) == "Value(data=2.0, grad=0.0)"


def test_hashable_by_identity():
    a, b = Value(1.0), Value(1.0)
    assert len({a, b}) == 2
    assert a != b and a == a


def test_micrograd_readme_example():
    a, b, g = micrograd_readme_example()
    assert round(g.data, 4) == 24.7041
    g.backward()
    assert round(a.grad, 4) == 138.8338
    assert round(b.grad, 4) == 645.5773


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda x: x + 2, 5.0),
        (lambda x: 2 + x, 5.0),
        (lambda x: x - 2, 1.0),
        (lambda x: 2 - x, -1.0),
        (lambda x: x * 2, 6.0),
        (lambda x: 2 * x, 6.0),
        (lambda x: x / 2, 1.5),
        (lambda x: 6 / x, 2.0),
        (lambda x: x**2, 9.0),
        (lambda x: 2**x, 8.0),
        (lambda x: x**x, 27.0),
        (lambda x: -x, -3.0),
        (lambda x: abs(-x), 3.0),
        (lambda x: x.sqrt() ** 2, pytest.approx(3.0)),
        (lambda x: x.exp().log(), pytest.approx(3.0)),
        (lambda x: x.relu(), 3.0),
        (lambda x: (-x).relu(), 0.0),
        (lambda x: (-x).leaky_relu(0.1), pytest.approx(-0.3)),
        (lambda x: x.tanh(), math.tanh(3.0)),
        (lambda x: x.sigmoid(), 1 / (1 + math.exp(-3.0))),
        (lambda x: x.softplus(), math.log1p(math.exp(3.0))),
        (lambda x: x.sin(), math.sin(3.0)),
        (lambda x: x.cos(), math.cos(3.0)),
    ],
)
def test_forward_values(build, expected):
    assert build(Value(3.0)).data == expected


@pytest.mark.parametrize(
    ("build", "expected_grad"),
    [
        (lambda x: x + 2, 1.0),
        (lambda x: 2 - x, -1.0),
        (lambda x: x * 5, 5.0),
        (lambda x: x / 4, 0.25),
        (lambda x: 12 / x, -12 / 9),
        (lambda x: x**3, 27.0),
        (lambda x: 2**x, 8 * math.log(2)),
        (lambda x: x.exp(), math.exp(3.0)),
        (lambda x: x.log(), 1 / 3),
        (lambda x: x.sqrt(), 0.5 / math.sqrt(3.0)),
        (lambda x: abs(-x), 1.0),
    ],
)
def test_known_gradients(build, expected_grad):
    x = Value(3.0)
    build(x).backward()
    assert x.grad == pytest.approx(expected_grad, rel=1e-12)


def test_pow_with_values_on_both_sides_gives_both_gradients():
    x, y = Value(2.0), Value(3.0)
    z = x**y
    z.backward()
    assert z.data == 8.0
    assert x.grad == 12.0  # y * x**(y-1)
    assert y.grad == pytest.approx(8.0 * math.log(2.0))  # x**y * log(x)


def test_constants_are_not_graph_nodes():
    x = Value(2.0)
    y = 3 * x + 1
    assert y.parents[0].parents == (x,)
    assert y.op == "+" and y.parents[0].op == "*"


def test_kink_conventions():
    for build in (lambda x: x.relu(), lambda x: abs(x)):
        x = Value(0.0)
        build(x).backward()
        assert x.grad == 0.0
    x = Value(0.0)
    x.leaky_relu(0.2).backward()
    assert x.grad == 0.2


def test_sqrt_at_zero_has_infinite_slope():
    x = Value(0.0)
    y = x.sqrt()
    assert y.data == 0.0
    y.backward()
    assert x.grad == math.inf


def test_zero_power_zero():
    x = Value(0.0)
    y = x**0
    y.backward()
    assert (y.data, x.grad) == (1.0, 0.0)


# ---------------------------------------------------------------------------------------------
# errors: TypeError for non-numbers, ValueError naming the op and the value, graph untouched

BAD_OPERANDS = ["a", None, [1.0], 1j, {"x": 1}]


@pytest.mark.parametrize("bad", BAD_OPERANDS)
@pytest.mark.parametrize(
    ("symbol", "op"),
    [
        ("+", lambda x, o: x + o),
        ("+", lambda x, o: o + x),
        ("-", lambda x, o: x - o),
        ("-", lambda x, o: o - x),
        ("*", lambda x, o: x * o),
        ("*", lambda x, o: o * x),
        ("/", lambda x, o: x / o),
        ("/", lambda x, o: o / x),
        ("**", lambda x, o: x**o),
        ("**", lambda x, o: o**x),
    ],
)
def test_non_numbers_are_type_errors(bad, symbol, op):
    with pytest.raises(TypeError) as info:
        op(Value(2.0), bad)
    assert str(info.value).startswith(f"{symbol}: expected a Value or a real number, got")
    assert f"({type(bad).__name__})" in str(info.value)


@pytest.mark.parametrize("bad", ["1.0", None, [1.0], 2 + 0j])
def test_value_constructor_rejects_non_numbers(bad):
    with pytest.raises(TypeError, match=r"^Value\(\): data must be a real number \(got "):
        Value(bad)


def test_values_take_new_attributes_as_micrograds_do():
    """A course colours its nodes (``v.color = "red"``) and its drawing code reads them."""
    a, b = Value(2.0), Value(3.0)
    c = a * b
    c.color = "red"
    a.note = {"why": "an input"}
    assert (c.color, a.note) == ("red", {"why": "an input"})
    assert not hasattr(b, "color")  # on that node only
    c.backward()  # attributes change nothing in the engine
    assert (c.data, a.grad, b.grad, c.color) == (6.0, 3.0, 2.0, "red")


def test_a_value_as_data_is_a_type_error_saying_what_to_use():
    """``Value(v)`` would cut the graph (a new leaf) or nest a Value in a Value (micrograd)."""
    with pytest.raises(TypeError) as info:
        Value(Value(1.0))
    assert str(info.value) == (
        "Value(): data must be a real number (got a Value: use it as it is to stay in its "
        "graph, or Value(v.data) for a new leaf)"
    )


def test_label_must_be_str():
    with pytest.raises(TypeError, match="label must be a str"):
        Value(1.0, label=3)


@pytest.mark.parametrize(
    ("build", "pattern"),
    [
        (lambda: Value(-1.0).log(), r"log: expected a positive number, got -1\.0"),
        (lambda: Value(0.0).log(), r"log: expected a positive number, got 0\.0"),
        (lambda: Value(-4.0).sqrt(), r"sqrt: expected a non-negative number, got -4\.0"),
        (lambda: Value(-8.0) ** (1 / 3), r"\*\*: a negative base needs an integer exponent"),
        (lambda: Value(-8.0) ** Value(0.5), r"\*\*: a negative base needs an integer exponent"),
        (lambda: (-2.0) ** Value(0.5), r"\*\*: a negative base needs an integer exponent"),
        (lambda: Value(0.0) ** -1, r"\*\*: 0 cannot be raised to a negative power"),
        (lambda: Value(0.0) ** Value(-2.0), r"\*\*: 0 cannot be raised to a negative power"),
        (lambda: Value(1.0) / 0, r"/: division by zero \(1\.0 / 0\.0\)"),
        (lambda: Value(1.0) / Value(0.0), r"/: division by zero"),
        (lambda: 1.0 / Value(0.0), r"/: division by zero"),
    ],
)
def test_domain_errors_name_the_op_and_value(build, pattern):
    with pytest.raises(ValueError, match=pattern):
        build()


def test_negative_base_with_integer_exponent_is_fine():
    x = Value(-2.0)
    y = x**3
    y.backward()
    assert (y.data, x.grad) == (-8.0, 12.0)


def test_errors_leave_the_graph_untouched():
    x = Value(-1.0)
    y = x * 2
    before = (y.parents, x.grad, y.grad)
    with pytest.raises(ValueError):
        y.log()
    with pytest.raises(TypeError):
        y + "a"
    assert (y.parents, x.grad, y.grad) == before
    y.backward()
    assert x.grad == 2.0


def test_never_complex():
    for base, exponent in [(-8.0, 1 / 3), (-1.0, 0.5), (-2.5, 2.5)]:
        with pytest.raises(ValueError):
            Value(base) ** exponent


def test_exponent_gradient_of_negative_base_is_nan_not_complex():
    # d/dy x**y = x**y log(x) has no real value for x < 0; documented as nan (as in PyTorch)
    x, y = Value(-2.0), Value(2.0)
    z = x**y
    z.backward()
    assert z.data == 4.0 and x.grad == -4.0 and math.isnan(y.grad)
