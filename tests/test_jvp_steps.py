"""forward_steps with tangents: the forward-mode derivative flowing forward, step by step."""

from itertools import islice

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, affine, forward_steps, forward_tangents, topological_order
from tests.strategies import build, programs


@given(programs(), st.data())
def test_step_tangents_are_forward_tangents(recipe, data):
    xs, root = build(recipe)
    seeds = {x: data.draw(st.floats(-2.0, 2.0)) for x in xs if data.draw(st.booleans())}
    expected = forward_tangents(root, seeds)
    steps = list(forward_steps(root, tangents=seeds))
    for s in steps:
        assert s.tangent == expected[s.node]
        assert s.dual == (s.node.data, expected[s.node])
        for p, t in zip(s.node.parents, s.input_tangents):
            assert t is None or t == expected[p]


@given(programs(), st.data())
def test_after_the_leaves_change_the_tangents_use_the_new_values(recipe, data):
    xs, root = build(recipe)
    new = data.draw(st.lists(st.floats(-2.0, 2.0), min_size=len(xs), max_size=len(xs)))
    for x, value in zip(xs, new):
        x.data = value
    _, program = recipe
    twin_xs, twin = build((new, program))
    k = data.draw(st.integers(0, len(topological_order(root, include_leaves=False))))
    taken = list(islice(forward_steps(root, tangents={xs[0]: 1.0}), k))
    expected = forward_tangents(twin, {twin_xs[0]: 1.0})
    twins = topological_order(twin, include_leaves=False)
    assert [s.tangent for s in taken] == [expected[v] for v in twins[:k]]


def test_without_tangents_the_steps_have_none():
    x = Value(2.0)
    (step,) = forward_steps(x * 3.0)
    assert step.tangent is None and step.input_tangents == ()
    assert "\n" not in step.explain()
    with pytest.raises(ValueError, match=r"ForwardStep\.dual: no tangent"):
        _ = step.dual
    with pytest.raises(ValueError, match=r"ForwardStep\.tangent_formula: no tangent"):
        step.tangent_formula()


def test_explain_shows_the_tangent_under_the_value():
    x, y = Value(2.0, label="x"), Value(0.5, label="y")
    z = (x * y).tanh()
    z.label = "z"
    first, second = forward_steps(z, tangents={x: 1.0})
    assert first.explain(2) == (
        "step 1: n2 = x * y = 2.00 * 0.50 = 1.00\n        dn2 = 0.50·dx = 0.50·1.00 = 0.50"
    )
    assert second.tangent_formula(3) == "dz = 0.420·dn2 = 0.420·0.500 = 0.210"


def test_a_node_without_a_seeded_parent_reads_zero():
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    a = y.exp()
    a.label = "a"
    steps = list(forward_steps(a * x, tangents={x: 1.0}))
    assert steps[0].tangent == 0.0
    assert steps[0].tangent_formula() == "da = 0"


def test_affine_steps_show_one_term_per_parent_with_a_tangent():
    w = [Value(0.5, label="w1"), Value(-1.0, label="w2")]
    b = Value(0.1, label="b")
    z = affine(w, [2.0, 3.0], b)
    z.label = "z"
    (step,) = forward_steps(z, tangents={w[1]: 1.0, b: 0.0})
    assert step.tangent_formula(1) == "dz = 3.0·dw2 + 1.0·db = 3.0·1.0 + 1.0·0.0 = 3.0"


def test_bad_tangents_are_a_type_error_naming_forward_steps():
    x = Value(1.0)
    with pytest.raises(TypeError, match="forward_steps: tangents must be a mapping"):
        forward_steps(x * 2.0, tangents=[1.0])
    with pytest.raises(TypeError, match="forward_steps"):
        forward_steps(x * 2.0, tangents={x: "a"})
