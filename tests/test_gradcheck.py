"""gradcheck and gradgradcheck catch wrong rules and say where, in a table."""

import dataclasses

import pytest

from autograd import GradcheckError, Value, gradcheck, gradgradcheck
from autograd import primitives as P


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


def test_gradcheck_reports_every_mismatching_input_in_a_table(wrong_tanh):
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x, y, z: (x * y).tanh() + z, [0.3, -0.8, 1.0])
    message = str(info.value)
    assert message.startswith("gradcheck: 2 of 3 derivatives")
    assert "eps=1e-06 atol=1e-05 rtol=0.001" in message
    header = message.splitlines()[2].split()
    assert header == ["index", "point", "analytic", "numeric", "|diff|", "allowed"]
    rows = info.value.mismatches
    assert [r.index for r in rows] == [(0,), (1,)]  # z's gradient is right, so not listed
    assert rows[0].point == (0.3, -0.8, 1.0)
    assert isinstance(info.value, AssertionError)


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
