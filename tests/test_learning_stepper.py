"""nn.LearningStepper: forward, backward and update of one learning step, position by position."""

from __future__ import annotations

import copy
import html
import json
import random
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, topological_order
from nn import MLP, SGD, LearningStepper, Neuron
from nn.train import LOSSES
from tests.examples import tutorial_network
from tests.strategies import half_squared_error, learning_steps


def _sgd_step(model, x, target, loss, lr):
    """One step by hand on a copy: zero_grad, forward, loss, backward, SGD(lr).step()."""
    twin = copy.deepcopy(model)
    loss_fn = LOSSES[loss][0] if isinstance(loss, str) else loss
    twin.zero_grad()
    loss_fn([twin(x)], [target]).backward()
    SGD(twin.parameters(), lr=lr).step()
    return twin


def _state(model):
    return [(p.data, p.grad) for p in model.parameters()]


@given(learning_steps(), st.data())
def test_the_end_is_one_sgd_step_and_the_start_the_original_bit_for_bit(case, data):
    model, x, target, loss, lr = case
    for p in model.parameters():
        p.grad = 0.125  # stale gradients: the step starts from zero_grad(), and keeps these
    before = _state(model)
    expected = _sgd_step(model, x, target, loss, lr)
    stepper = LearningStepper(model, x, target, loss=loss, lr=lr)
    wander = data.draw(st.lists(st.integers(0, stepper.total), max_size=4))
    for k in wander:
        stepper.goto(k)
    assert stepper.goto(stepper.total).state_dict() == expected.state_dict()
    assert stepper.goto(0).state_dict() == model.state_dict()
    assert _state(model) == before  # the model never moved
    assert [u.grad for u in stepper.updates] == [p.grad for p in expected.parameters()]
    stepper.commit()
    assert _state(model) == _state(expected)


@pytest.mark.slow
@given(learning_steps(), st.data())
def test_a_position_looks_the_same_however_it_was_reached(case, data):
    model, x, target, loss, lr = case
    stepper = LearningStepper(model, x, target, loss=loss, lr=lr, max_nodes=None)
    fresh = LearningStepper(model, x, target, loss=loss, lr=lr, max_nodes=None)
    k = data.draw(st.integers(0, stepper.total))
    for j in data.draw(st.lists(st.integers(0, stepper.total), max_size=3)):
        stepper.goto(j)
    stepper.goto(k)
    fresh.goto(k)
    assert stepper.draw().source == fresh.draw().source
    assert stepper.describe() == fresh.describe()
    assert stepper.state_dict() == fresh.state_dict()


@given(learning_steps())
def test_positions_are_forward_then_backward_then_one_per_parameter(case):
    model, x, target, loss, lr = case
    stepper = LearningStepper(model, x, target, loss=loss, lr=lr)
    f, b, u = stepper.forward_total, stepper.backward_total, stepper.update_total
    assert f == b == len(topological_order(stepper.root, include_leaves=False))
    assert u == len(model.parameters()) and stepper.total == f + b + u == len(stepper) - 1
    phases = [stepper.phase_of(k) for k in range(len(stepper))]
    assert phases == [
        ("start", 0),
        *[("forward", i) for i in range(1, f + 1)],
        *[("backward", i) for i in range(1, b + 1)],
        *[("update", i) for i in range(1, u + 1)],
    ]
    assert [s.node for s in stepper.forward_steps] == [
        s.node for s in reversed(stepper.backward_steps)
    ]


_network = tutorial_network


def test_every_position_names_its_phase_in_words_and_in_the_picture():
    model, x, t = _network()
    stepper = LearningStepper(model, x, t, loss=half_squared_error, lr=0.5)
    titles = {
        "start": "start",
        "forward": "1. forward pass",
        "backward": "2. error propagation (backward)",
        "update": "3. update (gradient descent)",
    }
    for k in range(len(stepper)):
        stepper.goto(k)
        first = stepper.describe().splitlines()[0]
        assert first.startswith(titles[stepper.phase]) and f"(position {k} of " in first
        assert f'label="{first}"' in stepper.draw().source


def test_the_forward_pictures_show_only_what_is_computed_so_far():
    model, x, t = _network()
    stepper = LearningStepper(model, x, t, loss=half_squared_error, lr=0.5)
    start = stepper.draw().source
    assert "{ x1 | { data 1.0000 | grad ? } }" in start and "{ w11 | { data " in start
    assert start.count("data ?") == stepper.forward_total
    assert "{ z1 | { data ? | grad ? } }" in start and "{ y | { data ? | grad ? } }" in start
    z1 = stepper.goto(1).draw().source
    assert z1.count("data ?") == stepper.forward_total - 1
    assert f"{{ z1 | {{ data {stepper.forward_steps[0].value:.4f} | grad ? }} }}" in z1
    assert "fillcolor" in next(line for line in z1.splitlines() if "{ z1 |" in line)
    describe = stepper.describe()
    assert "z1 = w11·x1 + w12·x2 + b1 = " in describe


def test_the_update_pictures_show_each_parameter_before_and_after():
    model, x, t = _network()
    stepper = LearningStepper(model, x, t, loss=half_squared_error, lr=0.5)
    first = stepper.forward_total + stepper.backward_total + 1
    u = stepper.updates[0]
    assert (u.name, u.old, u.lr, u.new) == ("w11", model.layers[0].neurons[0].w[0].data, 0.5, u.new)
    source = stepper.goto(first).draw().source
    line = next(s for s in source.splitlines() if "{ w11 " in s)
    assert f"w11  {u.old:.4f} -\\> {u.new:.4f} | {{ data {u.new:.4f} | grad {u.grad:.4f} }}" in line
    assert "fillcolor" in line  # the parameter being updated is highlighted
    assert "{ w12  " in source and " -\\> ? | { data " in source  # not updated yet
    assert stepper.describe().splitlines()[1] == (
        f"update 1: w11 <- w11 - lr·grad = {u.old:.4f} - 0.5 × "
        + (f"{u.grad:.4f}" if u.grad >= 0 else f"({u.grad:.4f})")
        + f" = {u.new:.4f}"
    )


def test_the_backward_pictures_are_the_backward_steppers():
    from autograd.draw import draw_dot

    model, x, t = _network()
    stepper = LearningStepper(model, x, t, loss=half_squared_error, lr=0.5)
    k = stepper.forward_total + 3
    stepper.goto(k)
    step = stepper.backward_steps[2]
    source = stepper.draw().source
    plain = draw_dot(stepper.root, highlight=step, legend=False, compact=True).source
    assert source.startswith(plain.rsplit("}", 1)[0])  # the same picture, with a title
    assert step.explain() in stepper.describe()


def test_the_model_is_untouched_until_commit_and_commit_happens_once():
    model, x, t = _network()
    before = _state(model)
    stepper = LearningStepper(model, x, t, loss="mse", lr=0.5)
    for k in range(len(stepper)):
        stepper.goto(k).draw()
    assert _state(model) == before
    stepper.commit()
    assert _state(model) == _state(_sgd_step(_network()[0], x, t, "mse", 0.5))
    with pytest.raises(ValueError, match=r"LearningStepper\.commit: the model's parameters are no"):
        stepper.commit()


def test_check_works_on_every_phase_and_refuses_position_zero():
    model, x, t = _network()
    stepper = LearningStepper(model, x, t, loss=half_squared_error, lr=0.5)
    f, b = stepper.forward_total, stepper.backward_total
    z1 = stepper.forward_steps[0].value
    assert stepper.check(1, {"z1": round(z1, 4)}).correct
    assert "you left out" not in str(stepper.check(1, z1 + 1))
    step = stepper.backward_steps[0]
    assert stepper.check(f + 1, list(step.added)).correct
    u = stepper.updates[-1]
    assert stepper.check(f + b + stepper.update_total, u.new).correct
    wrong = stepper.check(f + b + stepper.update_total, u.old + u.lr * u.grad)
    assert "you moved with the gradient" in str(wrong)
    assert stepper.position == 0  # checking reveals nothing and moves nothing
    with pytest.raises(ValueError, match="LearningStepper"):
        stepper.check(0, 1.0)
    with pytest.raises(ValueError, match=r"in 1\.\."):
        stepper.check(stepper.total + 1, 1.0)


def test_a_backward_hint_uses_the_forward_values_wherever_the_stepper_is():
    model, x, t = _network()
    stepper = LearningStepper(model, x, t, loss=half_squared_error, lr=0.5)
    k = stepper.forward_total + 4  # y = sigmoid(z3) receives its gradient
    hint = str(stepper.goto(0).check(k, 0.0))  # at position 0 the graph shows no values
    assert "nan" not in hint and "σ(1 - σ) = " in hint
    assert hint == str(stepper.goto(stepper.total).check(k, 0.0))


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"model": 3}, TypeError, "LearningStepper: model must be an nn module"),
        ({"x": "ab"}, TypeError, r"LearningStepper: x must be a list of numbers"),
        ({"x": [1.0, None]}, TypeError, r"LearningStepper: x\[1\] must be a real number"),
        ({"loss": "l1"}, ValueError, "LearningStepper: loss must be one of"),
        ({"loss": 3}, TypeError, "LearningStepper: loss must be a name or a function"),
        ({"loss": lambda o, t: 1.0}, TypeError, "LearningStepper: the loss must return a Value"),
        ({"lr": -0.1}, ValueError, "LearningStepper: the learning rate must be a finite"),
        ({"highlight": Value(1.0)}, ValueError, "highlight is set by the stepper"),
        ({"rankdir": "XY"}, ValueError, "draw_dot: rankdir must be one of"),
        ({"l2": -1.0}, ValueError, r"LearningStepper: l2 must be a number >= 0 \(got -1.0\)"),
    ],
)
def test_bad_arguments_are_errors_that_name_the_stepper(kwargs, error, message):
    model, x, t = _network()
    args = {"model": model, "x": x, "target": t, "loss": "mse", "lr": 0.1, **kwargs}
    with pytest.raises(error, match=message):
        LearningStepper(args.pop("model"), args.pop("x"), args.pop("target"), **args)


def test_a_single_neuron_and_micrograds_chain_work():
    neuron = Neuron(2, activation="tanh", rng=random.Random(1))
    stepper = LearningStepper(neuron, [0.5, -1.0], 1.0, loss="mse", lr=0.1)
    assert stepper.names == ["w11", "w12", "b1"]
    assert (
        stepper.goto(stepper.total).state_dict()
        == _sgd_step(neuron, [0.5, -1.0], 1.0, "mse", 0.1).state_dict()
    )
    assert (
        repr(stepper)
        == f"<LearningStepper at position {stepper.total} of {stepper.total} (update)>"
    )


def test_the_page_and_the_widget_come_from_the_stepper_base():
    model, x, t = _network()
    stepper = LearningStepper(model, x, t, loss=half_squared_error, lr=0.5)
    frames = stepper.frames()
    assert len(frames) == len(stepper) and stepper.position == 0
    boxes = {re.search(r'viewBox="([^"]*)"', stepper.svg(k)).group(1) for k in (0, 5, 14, 25)}
    assert len(boxes) == 1  # one layout for the three phases
    page = stepper._repr_html_()
    data = re.search(r'<script type="application/json" class="sg-data">(.*?)</script>', page, re.S)
    assert json.loads(data.group(1))["texts"] == stepper.texts()
    assert html.escape(stepper.texts()[0]) in page  # the static fallback
    assert "gradient final" in page
    pytest.importorskip("ipywidgets")
    panel = stepper.widget()
    _, slider, _ = panel.children[0].children
    slider.value = stepper.total
    assert "3. update" in panel.children[1].value and stepper.position == stepper.total
    assert model.state_dict() != stepper.state_dict()  # the widget does not move the model


def test_l2_is_added_as_nn_train_adds_it():
    from nn import train

    model, x, t = _network()
    expected = copy.deepcopy(model)
    history = train(
        expected, [x], [t], optimizer=SGD(expected.parameters(), lr=0.5), loss="mse", l2=0.1
    )
    stepper = LearningStepper(model, x, t, loss="mse", lr=0.5, l2=0.1)
    assert stepper.loss == history.loss[0]
    assert stepper.goto(stepper.total).state_dict() == expected.state_dict()


def test_a_loss_that_uses_the_models_own_parameters_is_refused():
    from nn.losses import l2_penalty, mse

    model, x, t = _network()
    before = _state(model)

    def leaky(outputs, targets):
        return mse(outputs, targets) + l2_penalty(model.parameters(), 0.1)

    with pytest.raises(ValueError, match="the loss uses the model's own parameters"):
        LearningStepper(model, x, t, loss=leaky, lr=0.5)
    assert _state(model) == before


# -- issue 20: what a learner reads -------------------------------------------------------------


def test_unlabelled_parameters_are_named_like_the_inputs_one_based():
    model = MLP(2, [2, 1], activation="sigmoid", rng=random.Random(0))
    stepper = LearningStepper(model, [1.0, 0.0], 1.0, loss="mse", lr=0.5)
    names = ["w11", "w12", "b1", "w21", "w22", "b2", "w31", "w32", "b3"]
    assert stepper.names == names
    first = stepper.goto(1).describe().splitlines()[1]
    assert first.startswith("step 1: z1 = w11·x1 + w12·x2 + b1 = ")
    text = "\n".join(stepper.texts())
    assert not re.search(r"\bn\d+\b", text), text  # every node has a role name
    assert "l0." not in text


def test_a_one_output_mse_has_no_identity_steps():
    model = MLP(2, [2, 1], activation="sigmoid", rng=random.Random(0))
    stepper = LearningStepper(model, [0.35, 0.9], 0.5, loss="mse", lr=0.5)
    formulas = [s.formula() for s in stepper.forward_steps]
    assert formulas[-2].startswith("e = y - 0.5 = ")
    assert formulas[-1].startswith("loss = e ** 2 = ")
    assert not any(" * 1 " in f or "sum(" in f for f in formulas)
    assert stepper.loss == (stepper.forward_steps[-3].value - 0.5) ** 2


def test_the_step_text_and_the_exercise_title_read_alike():
    model, x, t = tutorial_network()
    stepper = LearningStepper(model, x, t, loss=half_squared_error, lr=0.5)
    k = stepper.position_of("z3", "backward")
    text = stepper.goto(k).describe()
    title = stepper.check(k, {}).title
    assert "z3 = v1·h1 + v2·h2 + c received grad" in text
    assert "z3 = v1·h1 + v2·h2 + c receives" in title
    assert "affine(" not in "\n".join(stepper.texts())


def test_positions_are_found_by_node_name():
    model, x, t = tutorial_network()
    stepper = LearningStepper(model, x, t, loss=half_squared_error, lr=0.5)
    f, b = stepper.forward_total, stepper.backward_total
    assert stepper.position_of("z1", "forward") == 1
    assert stepper.position_of("z3", "backward") == f + 5
    assert stepper.position_of("v1") == f + b + 7  # a parameter: only an update
    assert stepper.position_of(model.layers[1].neurons[0].w[0]) == f + b + 7
    assert stepper.check("z1", 0.0, phase="forward").title.startswith("position 1,")
    z1 = stepper.forward_steps[0].value
    assert stepper.check("z1", z1, phase="forward").correct
    with pytest.raises(ValueError, match=r"z3 has a step in forward \(position 5\) and in"):
        stepper.position_of("z3")
    with pytest.raises(ValueError, match=r"position_of: no node is called 'q'"):
        stepper.position_of("q")
    with pytest.raises(ValueError, match=r"phase must be one of"):
        stepper.position_of("z3", "sideways")
    assert stepper.check(f + 5, [0.0] * 5).title == stepper.check("z3", {}, phase="backward").title
