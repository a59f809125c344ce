"""``nn.testing.mlps``: random networks that run the real ``nn`` code, with a formula."""

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from autograd import Value
from nn import MLP
from nn.testing import Network, mlps


@pytest.mark.slow
@given(mlps())
def test_a_network_runs_nn_and_agrees_with_its_formula(case):
    f, inputs = case
    assert isinstance(f, Network) and isinstance(f.model, MLP)
    assert len(inputs) == f.expression.n_inputs == f.nin + len(f.model.parameters())
    out = f(*[Value(x) for x in inputs])
    assert out.data == pytest.approx(f.reference(*inputs), rel=1e-12, abs=1e-12)
    vals = list(inputs)  # every pre-activation is a margin away from relu's kink
    for node in f.expression.nodes:
        for pos, i in enumerate(node.args):
            assert node.op.domain(pos).contains(vals[i], 0.1)
        args = [vals[i] for i in node.args]
        vals.append(node.op.reference(*args, *([node.const] if node.op.constants else [])))


def test_the_parameters_passed_in_are_the_models_parameters():
    f, inputs = find(mlps(min_inputs=2, max_hidden_layers=1), lambda c: len(c[0].model.layers) == 2)
    values = [Value(x) for x in inputs]
    f(*values)
    assert f.model.parameters() == values[f.nin :]


@settings(max_examples=10)
@given(st.data())
def test_a_network_prints_its_architecture_and_named_neurons(data):
    f, _ = data.draw(mlps(min_inputs=2, max_inputs=2, max_hidden_layers=1, activations=["tanh"]))
    text = str(f)
    assert text.startswith("MLP(2, [")
    assert "f(x0, x1, w1_0_0, w1_0_1, b1_0" in text


def test_both_neuron_forms_are_drawn():
    unfused, _ = find(mlps(), lambda c: not c[0].model.layers[0].neurons[0].fused)
    assert "unfused" in str(unfused)


def test_mlps_reject_bad_options_by_name():
    with pytest.raises(ValueError, match="mlps: activations must be among"):
        mlps(activations=["gelu"])
    with pytest.raises(ValueError, match=r"mlps: max_width must be an int >= 1 \(got 0\)"):
        mlps(max_width=0)
