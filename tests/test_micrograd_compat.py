"""Every difference from micrograd 0.1.0 that docs/micrograd.md lists ("Deliberate differences").

Run on both engines: each test shows what micrograd does and what stepgrad does instead.

micrograd 0.1.0 is in the dev extra. If a claim there changes, the test here changes
with it.
"""

from __future__ import annotations

import random

import pytest
from micrograd import nn as mnn
from micrograd.engine import Value as M

import nn as snn
from autograd import DivisionByZeroError
from autograd import Value as S
from autograd.testing import check_engine

# ----------------------------------------------------------------------------------------------
# numbers and reprs


def test_data_is_a_float_and_grad_starts_at_float_zero():
    assert (M(2).data, M(2).grad) == (2, 0) and type(M(2).data) is int
    assert type(M(2).grad) is int
    assert (S(2).data, S(2).grad) == (2.0, 0.0)
    assert type(S(2).data) is float and type(S(2).grad) is float


def test_value_repr():
    assert repr(M(2)) == "Value(data=2, grad=0)"
    assert repr(S(2)) == "Value(data=2.0, grad=0.0)"
    assert repr(S(2, label="x")) == "Value(data=2.0, grad=0.0, label='x')"


def test_module_reprs():
    random.seed(0)
    assert repr(mnn.Neuron(3)) == "ReLUNeuron(3)"
    assert repr(mnn.Layer(3, 2)) == "Layer of [ReLUNeuron(3), ReLUNeuron(3)]"
    assert repr(mnn.MLP(2, [3, 1])) == (
        "MLP of [Layer of [ReLUNeuron(2), ReLUNeuron(2), ReLUNeuron(2)], "
        "Layer of [LinearNeuron(3)]]"
    )
    assert repr(snn.Neuron(3)) == "Neuron(3, activation='relu')"
    assert repr(snn.Layer(3, 2)) == "Layer(3, 2, activation='relu')"
    assert repr(snn.MLP(2, [3, 1])) == "MLP(2, [3, 1], activation='relu')"


def test_zero_grad_and_biases_are_float_zeros():
    random.seed(0)
    m, s = mnn.MLP(2, [3, 1]), snn.MLP(2, [3, 1])
    for model in (m, s):
        model.zero_grad()
    assert repr(m.parameters()[0].grad) == "0" and repr(m.layers[0].neurons[0].b.data) == "0"
    assert repr(s.parameters()[0].grad) == "0.0" and repr(s.layers[0].neurons[0].b.data) == "0.0"


# ----------------------------------------------------------------------------------------------
# graphs: constants, op names, parents


def _trace(root) -> set:
    nodes, stack = set(), [root]
    while stack:
        v = stack.pop()
        if v not in nodes:
            nodes.add(v)
            stack.extend(v._prev)
    return nodes


def test_a_number_is_a_constant_of_the_op_not_a_node():
    xm, xs = M(3.0), S(3.0)
    ym, ys = xm * 2, xs * 2
    assert len(ym._prev) == 2 and sorted(v.data for v in ym._prev) == [2, 3.0]  # a Value(2) leaf
    assert ys._prev == {xs} and ys.parents == (xs,)
    # x - y: micrograd adds a Value(-1) leaf for the negation; stepgrad keeps -1 in the op
    assert len(_trace(M(1.0) - M(2.0))) == 5
    assert len(_trace(S(1.0) - S(2.0))) == 4


def test_op_names_micrograds_spelling_in_op_underscore_stepgrads_in_op():
    def ops(V):
        x, y = V(2.0), V(3.0)
        exprs = (x + y, x * 2, x - y, -x, x / y, 2 / x, x**2, x**-1, x.relu())
        return [e._op for e in exprs]

    assert ops(M) == ["+", "*", "+", "*", "*", "*", "**2", "**-1", "ReLU"]
    assert ops(S) == ["+", "*", "+", "*", "/", "/", "**2", "**-1", "ReLU"]  # x / y: one node
    x = S(2.0)
    assert [(x**2).op, x.relu().op, (x + 1).op] == ["**", "relu", "+"]


def test_prev_is_a_set_and_parents_keep_every_use_in_order():
    am, a = M(3.0), S(3.0)
    assert (am + am)._prev == {am}
    assert (a + a)._prev == {a} and (a + a).parents == (a, a)


# ----------------------------------------------------------------------------------------------
# backward


def test_backward_twice_gives_leaves_exactly_twice_the_gradient():
    def twice(V):
        a = V(3.0)
        b = a * a
        c = b + b
        c.backward()
        first = a.grad
        c.backward()
        return first, a.grad

    assert twice(M) == (12.0, 36.0)  # micrograd: b.grad is stale (2, then 4) on the second call
    assert twice(S) == (12.0, 24.0)


def test_deep_graphs_need_no_recursion():
    def deep(V):
        x = V(1.0)
        y = x
        for _ in range(5000):
            y = y + 1.0
        y.backward()
        return x.grad

    with pytest.raises(RecursionError):
        deep(M)
    assert deep(S) == 1.0


# ----------------------------------------------------------------------------------------------
# bad input and domains


def test_non_numbers_are_a_type_error_naming_the_op():
    assert M("a").data == "a"  # micrograd stores anything
    with pytest.raises(TypeError):
        M(1.0) + "a"  # ... and fails later, inside float + str
    with pytest.raises(TypeError, match=r"^Value\(\): data must be a real number \(got "):
        S("a")
    with pytest.raises(TypeError, match=r"^\+: expected a Value or a real number, got 'a'"):
        S(1.0) + "a"


def test_a_negative_base_to_a_fractional_power_is_a_value_error_not_a_complex_number():
    assert isinstance((M(-2.0) ** 0.5).data, complex)
    with pytest.raises(ValueError, match=r"\*\*: a negative base needs an integer exponent"):
        S(-2.0) ** 0.5


def test_division_by_zero_is_a_value_error_and_a_zero_division_error():
    for divide in (lambda: M(1.0) / 0, lambda: M(0.0) ** -1):
        with pytest.raises(ZeroDivisionError):
            divide()
    divisions = (
        lambda: S(1.0) / 0,
        lambda: S(1.0) / S(0.0),
        lambda: 1 / S(0.0),
        lambda: S(0.0) ** -1,
    )
    for divide in divisions:
        with pytest.raises(DivisionByZeroError) as info:
            divide()
        assert isinstance(info.value, ValueError) and isinstance(info.value, ZeroDivisionError)


def test_a_value_has_no_truth_value():
    assert bool(M(0.0)) is True  # micrograd: every Value is true, even Value(0)
    with pytest.raises(TypeError, match=r"truth value of a Value is ambiguous.*v\.data > 0"):
        bool(S(0.0))
    with pytest.raises(TypeError):
        if S(1.0):
            pass


def test_an_overflowing_power_is_inf_not_an_overflow_error():
    with pytest.raises(OverflowError):
        M(10.0) ** 400
    assert (S(10.0) ** 400).data == float("inf")
    assert (M(1e200) * M(1e200)).data == (S(1e200) * S(1e200)).data == float("inf")  # the same


def test_division_is_one_node_that_rounds_once_like_pythons_float_division():
    qm = M(0.1) / M(10.0)  # micrograd: 0.1 * 10.0**-1, a '*' node over a '**-1' node
    assert qm._op == "*" and sorted(v._op for v in qm._prev) == ["", "**-1"]
    assert qm.data == (0.1 / M(10.0)).data == 0.010000000000000002  # rounded twice
    xs, ys = S(0.1), S(10.0)
    qs = xs / ys
    assert qs._op == "/" and qs.parents == (xs, ys)
    assert qs.data == (xs / 10).data == (0.1 / ys).data == 0.1 / 10.0 == 0.01
    tm, ts = M(1e-320), S(1e-320)
    with pytest.raises(OverflowError):  # 1e-320 ** -1 is beyond the largest float
        tm / tm
    assert (ts / ts).data == 1.0


def test_a_value_exponent_works():
    with pytest.raises(AssertionError, match="only supporting int/float powers"):
        M(2.0) ** M(3.0)
    x, y = S(2.0), S(3.0)
    z = x**y
    z.backward()
    assert (z.data, x.grad) == (8.0, 12.0) and y.grad == pytest.approx(8.0 * 0.6931471805599453)


# ----------------------------------------------------------------------------------------------
# networks


def test_a_neuron_checks_the_length_of_its_input():
    random.seed(0)
    assert isinstance(mnn.Neuron(3)([1.0, 2.0]), M)  # zip stops early: the third weight unused
    with pytest.raises(ValueError, match=r"Neuron: expected 3 inputs \(got 2\)"):
        snn.Neuron(3)([1.0, 2.0])


def test_a_layer_of_one_neuron_returns_a_list_so_a_hidden_layer_of_one_works():
    random.seed(0)
    assert isinstance(mnn.Layer(3, 1)([1.0, 2.0, 3.0]), M)
    with pytest.raises(TypeError, match="'Value' object is not iterable"):
        mnn.MLP(2, [1, 3])([1.0, 2.0])
    out = snn.Layer(3, 1)([1.0, 2.0, 3.0])
    assert isinstance(out, list) and len(out) == 1 and isinstance(out[0], S)
    assert len(snn.MLP(2, [1, 3])([1.0, 2.0])) == 3


def test_an_mlp_with_one_output_returns_one_value_in_both():
    random.seed(0)
    m = mnn.MLP(2, [3, 1])([1.0, 2.0])
    random.seed(0)
    s = snn.MLP(2, [3, 1])([1.0, 2.0])
    assert isinstance(m, M) and isinstance(s, S) and s.data == m.data


def test_a_neuron_is_one_affine_node_unless_fused_is_false():
    random.seed(0)
    m = mnn.Neuron(2, nonlin=False)([1.0, 2.0])
    random.seed(0)
    fused = snn.Neuron(2, nonlin=False)([1.0, 2.0])
    random.seed(0)
    chain = snn.Neuron(2, nonlin=False, fused=False)([1.0, 2.0])
    assert m._op == "+" and fused.op == "affine" and chain.op == "+"
    assert m.data == fused.data == chain.data


# ----------------------------------------------------------------------------------------------
# what stays the same


@pytest.mark.slow
def test_micrograds_value_passes_check_engine():
    assert check_engine(M, max_examples=50)
