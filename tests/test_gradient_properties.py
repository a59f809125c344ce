"""The engine's gradients on random expression graphs and networks (``autograd.testing``).

Run under the ``ci`` profile these draw 300 expression graphs per test; under the default
profile 50.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import gradcheck, gradgradcheck
from autograd.testing import OPS, expressions
from nn.testing import mlps

NAMES = list(dict.fromkeys(op.name for op in OPS))


@given(expressions())
def test_gradients_of_random_expression_graphs_match_finite_differences(case):
    f, inputs = case
    assert gradcheck(f, inputs)


@given(expressions())
def test_second_derivatives_of_random_expression_graphs_match_finite_differences(case):
    f, inputs = case
    assert gradgradcheck(f, inputs)


@pytest.mark.slow
@given(mlps())
def test_gradients_of_random_networks_match_finite_differences(case):
    f, inputs = case
    assert gradcheck(f, inputs)


@settings(max_examples=20)
@given(mlps(max_hidden_layers=1, max_width=2, max_outputs=1))
def test_second_derivatives_of_small_random_networks_match_finite_differences(case):
    f, inputs = case
    assert gradgradcheck(f, inputs)


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=30)
@given(data=st.data())
def test_every_operation_alone_and_chained_with_itself(name, data):
    f, inputs = data.draw(expressions(ops=[name], max_nodes=3), label="case")
    assert gradcheck(f, inputs)
    assert gradgradcheck(f, inputs)
