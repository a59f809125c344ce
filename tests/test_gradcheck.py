"""gradcheck and gradgradcheck: they catch wrong rules and report them in one table.

They also check what else can go wrong: the forward value against a reference, no_grad,
determinism.
"""

import dataclasses
import math
import random

import pytest

from autograd import GradcheckError, Value, gradcheck, gradgradcheck, is_grad_enabled
from autograd import primitives as P
from autograd.testing import expressions


@pytest.fixture
def wrong_tanh(monkeypatch):
    # d tanh/dx should be 1 - tanh^2; this rule forgets the square
    monkeypatch.setattr(
        P, "TANH", dataclasses.replace(P.TANH, vjp=lambda g, out, x: (g * (1 - out),))
    )


@pytest.fixture
def graph_cutting_tanh(monkeypatch):
    # right first derivative, but computed on floats: with create_graph it is a constant
    def vjp(g, out, x):
        t = out if type(out) is float else out.data
        return (g * (1.0 - t * t),)

    monkeypatch.setattr(P, "TANH", dataclasses.replace(P.TANH, vjp=vjp))


def test_gradcheck_passes_a_correct_engine():
    assert gradcheck(lambda x, y: (x * y).tanh() * y, [0.3, -0.8]) is True


def test_gradcheck_can_return_false(wrong_tanh):
    assert gradcheck(lambda x: x.tanh(), [0.5], raise_exception=False) is False


def test_gradgradcheck_catches_a_rule_that_cuts_the_graph(graph_cutting_tanh):
    assert gradcheck(lambda x: x.tanh(), [0.5])  # first derivatives are right
    with pytest.raises(GradcheckError, match=r"gradgradcheck: 1 of 1 derivatives"):
        gradgradcheck(lambda x: x.tanh(), [0.5])


def test_gradgradcheck_table_indexes_pairs(graph_cutting_tanh):
    with pytest.raises(GradcheckError) as info:
        gradgradcheck(lambda x, y: x.tanh() * y, [0.5, 2.0])
    assert [r.index for r in info.value.mismatches] == [(0, 0)]


def test_tolerances_are_keyword_only():
    with pytest.raises(TypeError):
        gradcheck(lambda x: x, [1.0], 1e-6)  # type: ignore[misc]


def test_accepts_values_as_inputs():
    assert gradcheck(lambda x: x * x, [Value(3.0)])


def _swap_product_rule(monkeypatch):
    broken = P.Primitive("*", P.MUL.forward, lambda g, out, x, y: (g * x, g * y))
    monkeypatch.setattr(P, "MUL", broken)


def test_every_mismatching_input_is_listed_in_one_table(monkeypatch):
    _swap_product_rule(monkeypatch)
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda x, y, z: x * y + z.tanh(), [2.0, 3.0, 0.5])
    message = str(caught.value)
    lines = message.splitlines()
    assert lines[0] == (
        "gradcheck: 2 of 3 derivatives (d f / d x[i]) disagree with finite differences"
    )
    assert lines[1].startswith("tolerances: eps=1e-06 atol=1e-05 rtol=0.001")
    assert lines[2].split() == ["index", "point", "analytic", "numeric", "|diff|", "allowed"]
    assert [line.split()[0] for line in lines[3:]] == ["0", "1"]
    assert [m.index for m in caught.value.mismatches] == [(0,), (1,)]  # z's gradient is right
    assert caught.value.mismatches[0].point == (2.0, 3.0, 0.5)
    assert {m.kind for m in caught.value.mismatches} == {"gradient"}
    assert isinstance(caught.value, AssertionError)
    assert gradcheck(lambda x, y: x * y, [2.0, 3.0], raise_exception=False) is False


def test_the_forward_value_is_checked_against_a_reference_on_floats():
    f = lambda x, y: (x * y).tanh()
    assert gradcheck(f, [0.5, 2.0], reference=lambda x, y: math.tanh(x * y))
    with pytest.raises(GradcheckError) as caught:
        gradcheck(f, [0.5, 2.0], reference=lambda x, y: math.tanh(x + y))
    message = str(caught.value)
    assert message.startswith("gradcheck: the value of f disagrees with reference on plain floats")
    assert "value" in message and "reference" in message and "allowed" in message
    (row,) = caught.value.mismatches
    assert (row.kind, row.analytic, row.numeric) == ("value", math.tanh(1.0), math.tanh(2.5))
    assert not gradgradcheck(f, [0.5, 2.0], reference=lambda x, y: 0.0, raise_exception=False)


def test_a_function_carrying_its_reference_is_checked_without_passing_it():
    class Doubled:
        def __call__(self, x):
            return x * 2.0

        def reference(self, x):
            return x * 3.0  # wrong on purpose

    with pytest.raises(GradcheckError, match="disagrees with reference"):
        gradcheck(Doubled(), [1.0])
    assert gradcheck(Doubled(), [1.0], reference=lambda x: 2 * x)  # an explicit one wins


def test_a_reference_that_is_no_function_or_returns_no_number_is_a_type_error():
    with pytest.raises(TypeError, match=r"gradcheck: reference must be a function of floats"):
        gradcheck(lambda x: x, [1.0], reference=3.0)
    with pytest.raises(TypeError, match=r"gradgradcheck: reference must return a real number"):
        gradgradcheck(lambda x: x, [1.0], reference=lambda x: "1")


def test_a_value_that_changes_under_no_grad_is_reported():
    def f(x):
        return x * (2.0 if is_grad_enabled() else 2.5)

    with pytest.raises(GradcheckError, match=r"the value of f changes under no_grad\(\)") as caught:
        gradcheck(f, [1.0])
    assert [m.kind for m in caught.value.mismatches if m.kind != "gradient"] == ["no_grad"]


def test_nondeterministic_backward_is_reported_bit_for_bit(monkeypatch):
    noise = random.Random(0)
    mul = P.MUL
    noisy = P.Primitive(
        "*", mul.forward, lambda g, out, x, y: (g * y * (1.0 + noise.random() * 1e-15), g * x)
    )
    monkeypatch.setattr(P, "MUL", noisy)
    f = lambda x, y: (x * y).tanh() * x
    with pytest.raises(GradcheckError, match="backward is not deterministic") as caught:
        gradcheck(f, [0.5, 2.0])
    kinds = {m.kind for m in caught.value.mismatches}
    assert kinds == {"determinism"}  # 1e-15 is far inside the tolerances
    with pytest.raises(GradcheckError, match="backward is not deterministic") as caught:
        gradgradcheck(f, [0.5, 2.0])
    assert {m.index for m in caught.value.mismatches} <= {(0, 0), (0, 1), (1, 0), (1, 1)}


def test_gradgradcheck_lists_every_mismatching_pair(monkeypatch):
    _swap_product_rule(monkeypatch)
    with pytest.raises(GradcheckError) as caught:
        gradgradcheck(lambda x, y: x * y * y, [1.5, 2.0])
    assert str(caught.value).startswith("gradgradcheck: ")
    assert len([m for m in caught.value.mismatches if m.kind == "gradient"]) >= 2


def test_expressions_carry_a_reference_that_gradcheck_uses(monkeypatch):
    from hypothesis import find

    f, inputs = find(expressions(ops=["tanh"]), lambda case: True)
    assert gradcheck(f, inputs)
    broken = P.Primitive("tanh", lambda x: math.tanh(x) + 1e-3, P.TANH.vjp)
    monkeypatch.setattr(P, "TANH", broken)  # a wrong forward: only the reference can see it
    with pytest.raises(GradcheckError, match="disagrees with reference"):
        gradcheck(f, inputs)
    assert Value(0.0).tanh().data == 1e-3
