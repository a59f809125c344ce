"""forward_steps: the forward pass one node at a time, in topological order, explained."""

from __future__ import annotations

from itertools import islice

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import (
    ForwardStep,
    Value,
    add_all,
    affine,
    backward_steps,
    forward_steps,
    topological_order,
)
from tests.strategies import build, programs


def _data(root):
    return [v.data for v in topological_order(root)]


@given(programs())
def test_on_a_fresh_graph_the_steps_are_its_nodes_and_change_nothing(recipe):
    _, root = build(recipe)
    before = _data(root)
    steps = list(forward_steps(root))
    assert _data(root) == before  # the same rules on the same numbers: bit for bit
    assert [s.node for s in steps] == topological_order(root, include_leaves=False)
    assert [s.value for s in steps] == [s.node.data for s in steps]
    assert [s.index for s in steps] == list(range(1, len(steps) + 1))
    assert [s.node for s in steps] == [s.node for s in backward_steps(root)][::-1]
    for s in steps:
        assert s.inputs == tuple(p.data for p in s.node.parents)


@given(programs(), st.data())
def test_after_the_leaves_change_the_pass_recomputes_what_a_new_graph_gives(recipe, data):
    xs, root = build(recipe)
    new = data.draw(st.lists(st.floats(-2.0, 2.0), min_size=len(xs), max_size=len(xs)))
    for x, value in zip(xs, new):
        x.data = value
    _, program = recipe
    _, twin = build((new, program))
    k = data.draw(st.integers(0, len(topological_order(root, include_leaves=False))))
    taken = list(islice(forward_steps(root), k))
    order = topological_order(root, include_leaves=False)
    twins = topological_order(twin, include_leaves=False)
    assert [s.value for s in taken] == [v.data for v in twins[:k]]  # the first k are written
    list(forward_steps(root))
    assert _data(root) == _data(twin)
    assert [v.data for v in order] == [v.data for v in twins]


def test_an_error_is_raised_before_any_node_changes():
    x = Value(2.0, label="x")
    y = (x * 3.0).exp()
    z = (y - 1.0).log()
    x.data = -1.0  # exp(-3) - 1 < 0: log has no value there, the pass cannot be done
    before = _data(z)
    with pytest.raises(ValueError, match="log"):
        next(forward_steps(z))
    assert _data(z) == before


def test_a_step_names_the_node_its_inputs_the_operation_and_the_value():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    d = (c + 1).sigmoid()
    d.label = "d"
    first, second, third = forward_steps(d)
    assert first == ForwardStep(1, c, (2.0, -3.0), "*", -6.0)
    assert (second.op, second.inputs, second.value) == ("+ 1", (-6.0,), -5.0)
    assert (third.op, third.inputs, third.value) == ("sigmoid", (-5.0,), d.data)
    assert first.explain(1) == "step 1: c = a * b = 2.0 * (-3.0) = -6.0"
    assert second.explain(1) == "step 2: n3 = c + 1 = (-6.0) + 1 = -5.0"  # unlabelled: n + place
    assert third.explain(3) == "step 3: d = sigmoid(n3) = sigmoid(-5.000) = 0.007"


def test_an_affine_node_is_explained_term_by_term():
    w = [Value(0.3, label="w11"), Value(-0.5, label="w12")]
    b = Value(0.25, label="b1")
    z = affine(w, [1.0, 2.0], b)  # constant inputs: shown as numbers
    z.label = "z1"
    (step,) = forward_steps(z)
    assert (
        step.explain(2)
        == "step 1: z1 = w11·1 + w12·2 + b1 = 0.30·1.00 + (-0.50)·2.00 + 0.25 = -0.45"
    )
    x = [Value(1.0, label="x1"), Value(2.0, label="x2")]
    (step,) = forward_steps(affine(w, x, b))
    assert step.formula(1).startswith("n5 = w11·x1 + w12·x2 + b1 = 0.3·1.0 + (-0.5)·2.0 + 0.2")


def test_a_sum_reads_as_a_sum_and_a_repeated_operand_shows_twice():
    a = Value(1.5, label="a")
    (step,) = forward_steps(add_all([a, a, Value(2.0, label="b")]))
    assert step.formula(1) == "n2 = a + a + b = 1.5 + 1.5 + 2.0 = 5.0"
    (step,) = forward_steps(a * a)
    assert step.inputs == (1.5, 1.5) and step.value == 2.25


def test_a_bad_precision_is_an_error():
    (step,) = forward_steps(Value(1.0) * 2.0)
    with pytest.raises(ValueError, match=r"ForwardStep\.formula: precision must be an int >= 0"):
        step.explain(-1)


def test_a_stale_graph_is_fresh_again_after_the_forward_steps():
    from autograd import StaleGraphError, backward_steps

    w = Value(0.5, label="w")
    loss = (w * 3.0).tanh()
    w.data -= 0.1  # an optimizer step: the graph no longer fits together
    with pytest.raises(StaleGraphError):
        next(backward_steps(loss))
    list(forward_steps(loss))
    assert len(list(backward_steps(loss))) == 2


def test_a_leaf_has_nothing_to_compute():
    assert list(forward_steps(Value(1.0))) == []


def test_the_root_must_be_a_value():
    with pytest.raises(TypeError, match=r"forward_steps: expected a Value, got 3.0 \(float\)"):
        forward_steps(3.0)


def test_an_exact_negative_zero_reads_as_zero():
    t = Value(0.0, label="t")
    (step,) = forward_steps(t * -1.0)
    assert step.value == 0.0 and str(step.value) == "-0.0"
    assert step.formula(2) == "n1 = t * -1 = 0.00 * -1 = 0.00"
