"""BackwardStepper: positions, the graph's state at each, pictures, and the ipywidgets panel."""

from __future__ import annotations

import html
import sys
from itertools import islice

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, backward_steps, topological_order
from autograd.render import current_renderer, use_renderer
from autograd.widgets import BackwardStepper
from tests.graphs import build, programs


def _grads(root):
    return [v.grad for v in topological_order(root)]


def _example():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    L = (c + a).tanh()
    L.label = "L"
    return a, b, c, L


@given(programs(), st.data())
def test_the_graph_at_position_k_is_the_graph_after_k_steps(recipe, data):
    _, root = build(recipe)
    _, twin = build(recipe)
    stepper = BackwardStepper(root, max_nodes=None)
    k = data.draw(st.integers(0, stepper.total))
    j = data.draw(st.integers(0, stepper.total))
    stepper.goto(j).goto(k)  # wherever it was before
    taken = list(islice(backward_steps(twin), k))
    assert _grads(root) == _grads(twin)
    assert stepper.position == k
    assert (stepper.step is None) == (k == 0)
    if k:
        assert stepper.step.index == k and stepper.step.added == taken[-1].added


@given(programs())
def test_the_last_position_is_backward_bit_for_bit(recipe):
    _, root = build(recipe)
    _, twin = build(recipe)
    stepper = BackwardStepper(root, max_nodes=None)
    stepper.goto(stepper.total)
    twin.backward()
    assert _grads(root) == _grads(twin)


def test_moving_back_restores_the_grads_the_graph_had():
    a, b, c, L = _example()
    a.grad, L.grad = 5.0, 9.0  # a leaf's earlier gradient, an intermediate's stale one
    stepper = BackwardStepper(L)
    stepper.goto(stepper.total)
    assert a.grad != 5.0 and L.grad == 1.0
    stepper.goto(0)
    assert (a.grad, b.grad, c.grad, L.grad) == (5.0, 0.0, 0.0, 9.0)
    stepper.goto(stepper.total)
    _, _, _, twin = _example()
    twin.backward()
    assert a.grad == 5.0 + twin.parents[0].parents[1].grad


def test_next_and_previous_stop_at_the_ends():
    *_, L = _example()
    stepper = BackwardStepper(L)
    assert stepper.total == 3 and len(stepper) == 4
    assert stepper.previous().position == 0
    for expected in (1, 2, 3, 3):
        assert stepper.next().position == expected
    assert repr(stepper) == "<BackwardStepper at step 3 of 3>"
    with pytest.raises(ValueError, match=r"position must be an int in 0\.\.3 \(got 4\)"):
        stepper.goto(4)
    with pytest.raises(ValueError, match="position must be an int"):
        stepper.goto(True)
    assert stepper.position == 3


def test_describe_says_what_the_step_did():
    _a, _b, c, L = _example()
    stepper = BackwardStepper(L, precision=2)
    assert stepper.describe().startswith("step 0 of 3: before backward")
    text = stepper.goto(3).describe()
    assert text.splitlines()[0] == f"step 3: c = a * b received grad {c.grad:.2f}"
    assert text.endswith("(3 of 3 steps done)")


def test_frames_are_the_pictures_of_every_position_and_leave_the_position_alone():
    a, _b, _c, L = _example()
    stepper = BackwardStepper(L, show_local=True)
    stepper.goto(2)
    before = _grads(L)
    frames = stepper.frames()
    assert stepper.position == 2 and _grads(L) == before
    assert len(frames) == 4 and "#ffd54f" not in frames[0].source
    for k, frame in enumerate(frames[1:], start=1):
        assert frame.source.count("#dcedc8") == k - 1  # the nodes already handled
        assert "adds" in frame.source and "local" in frame.source
    assert stepper[-1].source == frames[3].source
    assert "grad 0.0000" in frames[0].source and f"grad {a.grad:.4f}" in frames[2].source
    with pytest.raises(TypeError, match="index must be an int"):
        stepper["1"]


def test_the_stepper_renders_svg_without_a_system_dot():
    before = current_renderer()
    use_renderer(prefer_system=False)
    try:
        *_, L = _example()
        svg = html.unescape(BackwardStepper(L).next()._repr_svg_())
    finally:
        import graphviz.backend.dot_command as dot_command

        dot_command.DOT_BINARY = before
    assert "<svg" in svg and "grad 1.0000" in svg and "#ffd54f" in svg


def test_bad_arguments():
    with pytest.raises(TypeError, match="BackwardStepper: expected a Value"):
        BackwardStepper([Value(1.0)])
    with pytest.raises(ValueError, match="highlight is set by the stepper"):
        BackwardStepper(Value(1.0) * 2, highlight=None)
    with pytest.raises(ValueError, match="precision must be an int"):
        BackwardStepper(Value(1.0) * 2, precision=-2)


def test_the_widget_moves_the_stepper():
    pytest.importorskip("ipywidgets")
    _a, b, _c, L = _example()
    stepper = BackwardStepper(L)
    panel = stepper.widget()
    back, slider, forward = panel.children[0].children
    words, picture = panel.children[1:]
    assert slider.max == 3 and "before backward" in words.value and "<svg" in picture.value
    forward.click()
    forward.click()
    assert stepper.position == 2 and slider.value == 2 and "step 2:" in words.value
    slider.value = 3
    assert stepper.position == 3 and b.grad != 0.0
    forward.click()
    assert stepper.position == 3
    back.click()
    assert stepper.position == 2 and b.grad == 0.0


def test_without_ipywidgets_the_widget_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # makes `import ipywidgets` fail
    stepper = BackwardStepper(_example()[-1])
    with pytest.raises(ImportError, match=r"pip install 'stepgrad\[widgets\]'"):
        stepper.widget()
    assert "<svg" in stepper._repr_svg_()  # pictures still work
