"""backward_steps: the one backward walk, one node at a time."""

from __future__ import annotations

from itertools import islice

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import (
    StaleGraphError,
    Step,
    Value,
    affine,
    backward_steps,
    draw_dot,
    topological_order,
)
from tests.strategies import build, programs


def _grads(values):
    return [v.grad for v in values]


@given(programs())
def test_exhausting_the_steps_gives_backward_bit_for_bit(recipe):
    _, root = build(recipe)
    _, twin = build(recipe)
    twin.backward()
    steps = list(backward_steps(root))
    assert _grads(topological_order(root)) == _grads(topological_order(twin))
    assert [s.index for s in steps] == list(range(1, len(steps) + 1))
    assert [s.node for s in steps] == topological_order(root, include_leaves=False)[::-1]


@given(programs(), st.data())
def test_stopping_after_k_steps_leaves_what_the_first_k_steps_added(recipe, data):
    xs, root = build(recipe)
    for x in xs:
        x.grad = 0.25  # leaves accumulate on top of what they hold
    total = len(topological_order(root, include_leaves=False))
    k = data.draw(st.integers(0, total))
    taken = list(islice(backward_steps(root), k))
    expected = {v: 0.25 if not v.parents else 0.0 for v in topological_order(root)}
    if k:
        expected[root] += 1.0
    for step in taken:  # the same additions in the same order: equal bit for bit
        assert step.grad == expected[step.node]
        for p, d in zip(step.node.parents, step.added):
            expected[p] += d
    assert {v: v.grad for v in expected} == expected


def test_a_step_records_the_local_derivatives_and_what_it_added():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    d = c.tanh()
    steps = backward_steps(d)
    first = next(steps)
    assert first == Step(1, d, 1.0, first.local, first.added)
    assert first.local[0] == pytest.approx(1.0 - d.data**2)
    assert c.grad == first.added[0] and a.grad == 0.0  # c got its gradient, a not yet
    second = next(steps)
    assert (second.index, second.node, second.grad) == (2, c, c.grad)
    assert second.local == (-3.0, 2.0)  # d(a*b)/da = b, d(a*b)/db = a
    assert second.added == (c.grad * -3.0, c.grad * 2.0)
    assert (a.grad, b.grad) == second.added
    assert next(steps, None) is None


def test_a_repeated_operand_gets_both_contributions():
    a = Value(3.0)
    (step,) = backward_steps(a * a)
    assert step.local == (3.0, 3.0) and a.grad == 6.0


def test_fused_nodes_step_in_one_go():
    w, x, b = [Value(2.0), Value(-1.0)], [Value(0.5), Value(4.0)], Value(0.1)
    (step,) = backward_steps(affine(w, x, b))
    assert step.local == (0.5, 4.0, 2.0, -1.0, 1.0)
    assert _grads(w + x + [b]) == list(step.added)


def test_a_leaf_root_only_gets_the_seed():
    x = Value(1.5)
    assert list(backward_steps(x)) == []
    assert x.grad == 1.0


def test_nothing_happens_before_the_first_step():
    x = Value(1.5)
    y = x * 2.0
    y.grad = 7.0
    steps = backward_steps(y)
    assert (x.grad, y.grad) == (0.0, 7.0)
    next(steps)
    assert (x.grad, y.grad) == (2.0, 1.0)  # the intermediate's stale grad is reset first


def test_stepping_twice_doubles_the_leaves_like_backward():
    x = Value(0.3)
    y = (x * x).sin()
    list(backward_steps(y))
    once = x.grad
    list(backward_steps(y))
    assert x.grad == 2 * once


def test_a_long_chain_steps_without_recursion():
    x = Value(1.0)
    y = x
    for _ in range(20_000):
        y = y * 1.0
    assert sum(1 for _ in backward_steps(y)) == 20_000
    assert x.grad == 1.0


def test_explain_reads_as_the_chain_rule():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    c = a**b
    c.label = "c"
    text = next(backward_steps(c)).explain(precision=2)
    assert text.splitlines() == [
        "step 1: c = a ** b received grad 1.00",
        "  to a: 1.00 × 12.00 (local) = 12.00",
        "  to b: 1.00 × 5.55 (local) = 5.55",
    ]
    x = Value(1.0)  # unlabelled nodes are named by their place in the graph, as in pictures
    assert "n1 = leaky_relu(n0, 0.1)" in next(backward_steps(x.leaky_relu(0.1))).explain()
    assert "n1 = 2 ** n0" in next(backward_steps(2**x)).explain()
    assert "n1 = n0 * 3" in next(backward_steps(x * 3)).explain()
    x.label = "x + y"
    assert "= (x + y) - 1 received" in next(backward_steps(x - 1)).explain()
    assert "= (x + y) ** 2 received" in next(backward_steps(x**2)).explain()


def test_backward_steps_wants_a_value():
    with pytest.raises(TypeError, match=r"backward_steps: expected a Value, got 3\.0"):
        backward_steps(3.0)


def test_unlabelled_nodes_get_the_names_their_boxes_show():
    a = Value(2.0)
    y = (a * Value(3.0, label="b")).tanh()
    text = "\n".join(step.explain(1) for step in backward_steps(y))
    assert "(2" not in text and "(6" not in text  # no value in brackets, read as a constant
    assert "step 1: n3 = tanh(n2)" in text and "n2 = n0 * b" in text
    source = draw_dot(y).source
    assert "{ n0 | data 2.0000" in source and "{ n3 | data" in source
    with pytest.raises(ValueError, match=r"Step\.explain: precision must be an int >= 0"):
        next(backward_steps(y)).explain(-1)


def test_step_is_a_record_not_a_tuple():
    x = Value(2.0)
    (step,) = backward_steps(x * x)
    assert not isinstance(step, tuple) and step.index == 1  # .index is the step's number
    with pytest.raises(AttributeError):
        step.index = 2


def _trained_away():
    """A forward pass, then an optimizer-like change of a weight: the graph is stale."""
    w, x = Value(0.5, label="w"), Value(2.0, label="x")
    h = (w * x).tanh()
    h.label = "h"
    loss = h * h
    w.data -= 0.1
    return w, x, h, loss


def test_a_stale_graph_is_refused_before_any_gradient_changes():
    w, x, h, loss = _trained_away()
    h.grad, w.grad = 7.0, 3.0
    steps = backward_steps(loss)
    with pytest.raises(StaleGraphError, match=r"stale.*node n2.*recompute the forward pass") as e:
        next(steps)
    assert isinstance(e.value, ValueError) and e.value.node is h.parents[0]
    assert (h.grad, w.grad, x.grad, loss.grad) == (7.0, 3.0, 0.0, 0.0)


def test_nan_and_failing_ops_are_checked_as_a_forward_pass_would():
    x = Value(float("nan"))
    assert list(backward_steps(x * 2.0))  # a NaN forward pass is not stale
    y = Value(2.0)
    z = y.log()
    y.data = -1.0  # log now fails: stale as well
    with pytest.raises(StaleGraphError, match="its operation gives an error"):
        list(backward_steps(z))


@given(programs())
def test_a_fresh_graph_is_never_stale(recipe):
    _, root = build(recipe)
    assert len(list(backward_steps(root))) == len(topological_order(root, include_leaves=False))


def test_backward_while_steps_are_paused_gives_two_full_passes():
    # issue 9: the paused walk used to read the grads backward() had left
    a, b = Value(3.0, label="a"), Value(-2.0, label="b")
    c = a * b
    d = c * c + a  # c used twice, a at two depths
    d.label = "d"
    once = Value(3.0), Value(-2.0)
    twin_c = once[0] * once[1]
    (twin_c * twin_c + once[0]).backward()
    steps = backward_steps(d)
    next(steps)
    d.backward()  # a full pass while the walk is paused
    rest = list(steps)
    assert [s.grad for s in rest] == [1.0, 2 * c.data]  # what arrived, unchanged by backward()
    assert (a.grad, b.grad) == (2 * once[0].grad, 2 * once[1].grad)
    assert c.grad == twin_c.grad and d.grad == 1.0  # inner grads: one pass, as backward leaves


def test_a_node_whose_forward_cannot_be_replayed_is_not_checked():
    from autograd.primitives import MUL_CONST, Primitive

    x = Value(2.0)
    y = x * 3.0
    y._prim = Primitive("custom", None, MUL_CONST.vjp)  # like a node made by hand, micrograd-style
    y.data = 99.0  # not what any forward would give: it cannot be checked, so it is trusted
    (step,) = backward_steps(y)
    assert step.added == (3.0,) and x.grad == 3.0


# -- issue 20: by node name, the reuse of a node, one notation ----------------------------------


def test_a_backward_stepper_finds_a_step_by_node_name():
    from autograd import BackwardStepper

    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    L = c + a
    L.label = "L"
    stepper = BackwardStepper(L)
    assert stepper.position_of("L") == 1 and stepper.position_of(c) == 2
    assert stepper.check("c", {"a": -3.0 * 1.0, "b": 2.0}).correct
    with pytest.raises(ValueError, match=r"a is a leaf: it passes nothing on; .*L \(step 1\)"):
        stepper.position_of("a")


def test_a_stepper_tells_a_node_that_forgot_one_of_its_uses():
    from autograd import BackwardStepper

    x = Value(0.5, label="x")
    d = x.tanh()
    d.label = "d"
    L = d * 3.0 + d * 2.0
    L.label = "L"
    stepper = BackwardStepper(L)
    local = 1 - d.data**2
    verdict = stepper.check("d", 3.0 * local)
    assert verdict.entries[0].hint == "d is used twice: add both contributions"


def test_a_backward_step_reads_a_fused_node_as_its_exercise_does():
    from autograd import affine

    w = [Value(0.3, label="v1"), Value(-0.2, label="v2")]
    h = [Value(0.6, label="h1"), Value(0.4, label="h2")]
    z = affine(w, h, Value(0.1, label="c"))
    z.label = "z"
    (step,) = backward_steps(z)
    assert step.explain().splitlines()[0] == "step 1: z = v1·h1 + v2·h2 + c received grad 1.0000"
