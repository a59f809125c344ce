"""micrograd's internals as views on Value: ``_prev``, ``_op``, ``_backward()``.

Also nodes made micrograd's way (``Value(t, (x,), 'tanh')`` then ``out._backward = fn``) and
subclasses of Value.
"""

import gc
import math

import pytest
from hypothesis import given

from autograd import (
    Value,
    add_all,
    affine,
    backward_steps,
    draw_dot,
    grad,
    gradcheck,
    no_grad,
    topological_order,
)
from tests.examples import micrograd_readme_example, micrograd_topological_order
from tests.strategies import build, programs


def lecture_backward(root):
    """Karpathy's lecture, verbatim in spirit: a recursive topo sort over _prev, then _backward."""
    topo = micrograd_topological_order(root)
    root.grad = 1.0
    for node in reversed(topo):
        node._backward()


def lecture_neuron():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    return [x1, x2, w1, w2, b], n.tanh()


# ---------------------------------------------------------------------------------------------
# _prev, _op


def test_prev_is_the_set_of_parents():
    a, b = Value(1.0), Value(2.0)
    assert (a * b)._prev == {a, b}
    assert (a + a)._prev == {a}
    assert a._prev == set()


@pytest.mark.parametrize(
    ("build_op", "spelling"),
    [
        (lambda a, b: a + b, "+"),
        (lambda a, b: a + 1, "+"),
        (lambda a, b: 1 + a, "+"),
        (lambda a, b: a - b, "+"),
        (lambda a, b: a * b, "*"),
        (lambda a, b: 2 * a, "*"),
        (lambda a, b: -a, "*"),
        (lambda a, b: a / b, "/"),
        (lambda a, b: a / 2, "/"),
        (lambda a, b: 2 / a, "/"),
        (lambda a, b: a**2, "**2"),
        (lambda a, b: a**-1, "**-1"),
        (lambda a, b: a**0.5, "**0.5"),
        (lambda a, b: a.relu(), "ReLU"),
        (lambda a, b: a.tanh(), "tanh"),
        (lambda a, b: a.exp(), "exp"),
        (lambda a, b: a.sigmoid(), "sigmoid"),
        (lambda a, b: a**b, "**"),
        (lambda a, b: add_all([a, b]), "sum"),
        (lambda a, b: a, ""),
    ],
)
def test_op_in_micrograds_spelling(build_op, spelling):
    assert build_op(Value(2.0), Value(3.0))._op == spelling


def test_division_is_one_node_where_micrograd_builds_two():
    a, b = Value(2.0), Value(4.0)
    q = a / b  # micrograd: a * b**-1, a '*' node over a '**-1' node
    assert q._op == "/" and q.parents == (a, b) and q._prev == {a, b}


# ---------------------------------------------------------------------------------------------
# _backward()


def test_backward_by_hand_as_in_the_lecture():
    _, o = lecture_neuron()
    n = o.parents[0]
    o.grad = 1.0
    o._backward()
    assert n.grad == 1.0 - o.data**2
    n._backward()  # + passes the gradient on unchanged
    assert [p.grad for p in n.parents] == [n.grad, n.grad]


def test_backward_of_a_leaf_does_nothing():
    a = Value(3.0)
    a.grad = 2.0
    a._backward()
    assert a.grad == 2.0


def test_the_lecture_loop_gives_exactly_what_backward_gives():
    leaves, o = lecture_neuron()
    lecture_backward(o)
    by_hand = [v.grad for v in leaves]
    twins, o2 = lecture_neuron()
    o2.backward()
    assert by_hand == [v.grad for v in twins]
    assert by_hand[2] == pytest.approx(1.0, abs=1e-12)  # the lecture's w1.grad


def test_the_lecture_loop_on_micrograds_readme_example():
    a, b, g = micrograd_readme_example()
    lecture_backward(g)
    assert (f"{a.grad:.4f}", f"{b.grad:.4f}") == ("138.8338", "645.5773")
    a2, b2, g2 = micrograd_readme_example()
    g2.backward()
    # a is used five times: the set order of _prev may sum its five terms in another order
    assert (a.grad, b.grad) == (
        pytest.approx(a2.grad, rel=1e-14),
        pytest.approx(b2.grad, rel=1e-14),
    )


@given(programs())
def test_the_lecture_loop_agrees_with_backward_on_random_graphs(recipe):
    xs, root = build(recipe)
    lecture_backward(root)
    twins, root2 = build(recipe)
    root2.backward()
    for v, w in zip(xs, twins):
        assert v.grad == pytest.approx(w.grad, rel=1e-12, abs=1e-12)


# ---------------------------------------------------------------------------------------------
# the constructor and nodes made micrograd's way


def micrograd_tanh(self):
    t = math.tanh(self.data)
    out = Value(t, (self,), "tanh")

    def _backward():
        self.grad += (1 - t * t) * out.grad

    out._backward = _backward
    return out


def micrograd_mul(self, other):
    out = Value(self.data * other.data, (self, other), "*")

    def _backward():
        self.grad += other.data * out.grad
        other.grad += self.data * out.grad

    out._backward = _backward
    return out


def test_constructor_takes_micrographs_signature():
    a, b = Value(1.0), Value(2.0)
    c = Value(3.0, (a, b), "+", "c")
    assert (c.parents, c.op, c._op, c.label) == ((a, b), "+", "+", "c")
    assert Value(1.0, label="x").label == "x"
    assert Value(1.0, (), "", "y").label == "y" and Value(1.0, []).parents == ()


def test_a_node_without_backward_passes_nothing_on_like_micrograd():
    a, b = Value(1.0), Value(2.0)
    c = Value(3.0, (a, b), "+")
    (c * 2).backward()
    assert (a.grad, b.grad, c.grad) == (0.0, 0.0, 2.0)


@pytest.mark.parametrize(
    ("args", "error", "pattern"),
    [
        (("a",), TypeError, r"_children must be a tuple of Values \(got str\); pass a label by"),
        (((1.0,),), TypeError, r"_children\[0\] must be a Value \(got float\)"),
        (((), 3), TypeError, r"_op must be a str"),
        (((), "tanh"), ValueError, r"_op 'tanh' needs _children"),
    ],
)
def test_constructor_errors(args, error, pattern):
    with pytest.raises(error, match=pattern):
        Value(1.0, *args)


def test_a_micrograd_style_op_gives_the_builtin_gradients():
    x, w = Value(0.3), Value(-1.2)
    y = micrograd_tanh(micrograd_mul(x, w)) * x
    y.backward()
    x2, w2 = Value(0.3), Value(-1.2)
    ((x2 * w2).tanh() * x2).backward()
    assert (x.grad, w.grad) == (x2.grad, w2.grad)
    assert grad(y, [x, w]) == [x.grad, w.grad]
    assert y.parents[0].op == "tanh" and y.parents[0].parents[0].op == "*"


def test_steps_of_a_micrograd_style_op_add_what_backward_adds():
    x = Value(0.7, label="x")
    y = micrograd_tanh(x * 2)
    steps = list(backward_steps(y))
    assert x.grad == 2 * (1 - y.data**2)
    first = steps[0]
    assert first.local == (1 - y.data * y.data,) and first.added == first.local
    assert "tanh" in first.explain()
    x2 = Value(0.7)
    micrograd_tanh(x2 * 2).backward()
    assert x.grad == x2.grad


def test_a_micrograd_style_op_using_its_parent_twice():
    x = Value(3.0)
    out = Value(x.data * x.data, (x, x), "square")

    def _backward():
        x.grad += x.data * out.grad
        x.grad += x.data * out.grad

    out._backward = _backward
    step = next(backward_steps(out))
    assert step.added == (6.0, 0.0) and x.grad == 6.0
    x.grad = 0.0
    out.backward()
    assert x.grad == 6.0


def test_draw_dot_shows_a_micrograd_style_op():
    x = Value(0.5, label="x")
    y = micrograd_tanh(x)
    source = draw_dot(y, show_local=True).source
    assert "label=tanh" in source and f"local {1 - y.data**2:.4f}" in source


def test_gradcheck_accepts_micrograd_style_ops():
    assert gradcheck(lambda a, b: micrograd_tanh(micrograd_mul(a, b)), [0.4, -0.9])


def test_second_derivatives_refuse_a_micrograd_style_op_clearly():
    x = Value(0.5)
    y = micrograd_tanh(x)
    with pytest.raises(TypeError, match=r"grad\(create_graph=True\): Value\(data=0\.46.*'tanh'.*"):
        grad(y * x, [x], create_graph=True)
    assert x.grad == 0.0 and y.grad == 0.0


def test_backward_functions_leave_no_grad_changed_when_asked_for_local_derivatives():
    x = Value(0.5)
    y = micrograd_tanh(x)
    x.grad, y.grad = 7.0, 3.0
    draw_dot(y, show_local=True)
    assert (x.grad, y.grad) == (7.0, 3.0)


def test_assigning_backward_to_a_builtin_node_makes_it_a_node_of_your_own():
    x = Value(2.0)
    y = x * 3.0

    def _backward():
        x.grad += 100.0 * y.grad

    y._backward = _backward
    y.backward()
    assert (y.op, x.grad) == ("*", 100.0)
    with pytest.raises(TypeError, match=r"_backward: expected a function, got int"):
        y._backward = 3


def test_assigning_backward_to_a_node_without_parents_is_an_error_not_dropped():
    """micrograd would call it; here backward() never visits a leaf's rule, so say so."""
    x = Value(2.0)
    out = Value(x.data**2)  # the children forgotten: backward() cannot reach x through out

    def _backward():
        x.grad += 2 * x.data * out.grad

    with pytest.raises(ValueError) as info:
        out._backward = _backward
    assert str(info.value).startswith(
        "_backward: Value(data=4.0, grad=0.0) has no parents, so backward() would never call "
        "this function; make the node with its inputs, as in Value(t, (x,), 'tanh')"
    )
    assert out._backward() is None and x.grad == 0.0  # still a leaf: nothing changed


def test_a_micrograd_style_op_under_no_grad_is_a_leaf():
    x = Value(1.0)
    with no_grad():
        y = micrograd_tanh(x)
    assert y.parents == () and y.op == ""
    y.backward()
    assert x.grad == 0.0


def test_builtin_nodes_hold_no_reference_cycles():
    gc.collect()
    gc.disable()
    try:
        x = Value(0.5)
        y = (x * 2).tanh().relu()
        y._backward()  # a view, not stored
        assert topological_order(y)[-1]._prev
        before = gc.collect()
        del y
        assert gc.collect() == 0 and before == 0
    finally:
        gc.enable()


# ---------------------------------------------------------------------------------------------
# subclasses


class MyValue(Value):
    """A learner's subclass, as in notebooks that extend micrograd's Value."""

    __slots__ = ()

    def double(self):
        return self * 2


OPERATORS = [
    ("+", lambda a, b: a + b, (1.0, 1.0)),
    ("-", lambda a, b: a - b, (1.0, -1.0)),
    ("*", lambda a, b: a * b, (3.0, 2.0)),
    ("/", lambda a, b: a / b, (1 / 3, -2 / 9)),
    ("**", lambda a, b: a**b, (3.0 * 2.0**2.0, 2.0**3.0 * math.log(2.0))),
]


@pytest.mark.parametrize(("name", "op", "expected"), OPERATORS, ids=[o[0] for o in OPERATORS])
@pytest.mark.parametrize(
    ("left", "right"), [(MyValue, MyValue), (Value, MyValue), (MyValue, Value)]
)
def test_subclasses_work_in_every_operator(name, op, expected, left, right):
    a, b = left(2.0), right(3.0)
    y = op(a, b)
    assert type(y) is Value  # results are plain Values (documented)
    y.backward()
    assert (a.grad, b.grad) == pytest.approx(expected)


def test_subclasses_with_numbers_and_functions():
    a = MyValue(2.0)
    y = add_all([a, 1 - a, 3 / a, 2**a, a.double().tanh()]) + affine([a], [MyValue(1.0)], a)
    y.backward()
    expected = 1 - 1 - 3 / 4 + 4 * math.log(2) + 2 * (1 - math.tanh(4.0) ** 2) + 1 + 1
    assert a.grad == pytest.approx(expected)


def test_reflected_operators_of_a_subclass_that_overrides_them():
    class Loud(Value):
        __slots__ = ()

        def __radd__(self, other):
            return super().__radd__(other)

        def __rsub__(self, other):
            return super().__rsub__(other)

        def __rmul__(self, other):
            return super().__rmul__(other)

        def __rtruediv__(self, other):
            return super().__rtruediv__(other)

        def __rpow__(self, other):
            return super().__rpow__(other)

    a, b = Value(2.0), Loud(4.0)
    assert [(a + b).data, (a - b).data, (a * b).data, (a / b).data, (a**b).data] == [
        6.0,
        -2.0,
        8.0,
        0.5,
        16.0,
    ]


def test_micrograd_era_except_zero_division_error_still_works():
    try:
        Value(1.0) / Value(0.0)
    except ZeroDivisionError as error:
        assert "division by zero" in str(error)
    else:  # pragma: no cover
        pytest.fail("no error")


def test_an_error_in_a_backward_function_leaves_every_grad_as_it_was():
    x, w = Value(0.5), Value(2.0)
    out = Value(x.data * 3, (x,), "triple")

    def _backward():
        x.grad += 3 * out.grad
        raise RuntimeError("bug in my rule")

    out._backward = _backward
    y = (out * w + x).tanh()
    x.grad, w.grad = 10.0, 20.0
    before = [v.grad for v in topological_order(y)]
    with pytest.raises(RuntimeError, match="bug in my rule"):
        y.backward()
    assert [v.grad for v in topological_order(y)] == before
    assert (x.grad, w.grad) == (10.0, 20.0)


def test_the_guard_costs_nothing_once_micrograd_style_nodes_are_gone():
    from autograd.value import _CustomRule

    gc.collect()
    alive = _CustomRule.alive
    y = micrograd_tanh(Value(0.5))
    assert _CustomRule.alive == alive + 1
    del y
    gc.collect()  # the node and its rule form a cycle, like micrograd's closures
    assert _CustomRule.alive == alive


def test_assigning_backward_under_no_grad_to_a_node_built_before():
    x = Value(2.0)
    y = x * 3.0
    with no_grad():
        y._backward = lambda: None  # the node has parents: it becomes one of your own
    y.backward()
    assert (y.op, x.grad) == ("*", 0.0)
