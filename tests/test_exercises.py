"""Predict first: answers checked against a step, with feedback that says what went wrong."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, affine, backward_steps, forward_steps
from autograd.stepping.exercises import (
    ATOL,
    RTOL,
    Exercise,
    Verdict,
    backward_exercise,
    forward_exercise,
    operand_names,
    update_exercise,
)
from tests.strategies import build, programs


def _tanh_step():
    x = Value(0.5, label="x")
    y = x.tanh()
    y.label = "y"
    z = y * 3.0
    z.label = "z"
    steps = list(backward_steps(z))
    return steps[1]  # y = tanh(x) receives 3.0 and passes 3 (1 - tanh²) to x


def _product_step():
    a, b = Value(2.0, label="a"), Value(-0.5, label="b")
    c = a * b
    c.label = "c"
    d = c * 4.0
    return list(backward_steps(d))[1]  # c receives 4: a gets 4 b = -2, b gets 4 a = 8


# -- right, wrong and partly wrong --------------------------------------------------------------


def test_right_answers_pass_as_a_dict_a_list_or_one_number():
    step = _product_step()
    ex = backward_exercise(step)
    assert ex.names == ["a", "b"]
    for answers in ({"a": -2.0, "b": 8.0}, [-2.0, 8.0], (-2.0, 8.0)):
        verdict = ex.check(answers)
        assert verdict and verdict.correct and verdict.wrong == []
        assert [e.correct for e in verdict.entries] == [True, True]
    tanh = backward_exercise(_tanh_step())
    assert tanh.check(3.0 * (1 - math.tanh(0.5) ** 2)).correct


def test_wrong_answers_fail_with_a_reason_for_each():
    verdict = backward_exercise(_product_step()).check({"a": 8.0, "b": -8.0})
    assert not verdict and verdict.wrong == ["a", "b"]
    a, b = verdict.entries
    assert (a.given, a.expected, a.correct) == (8.0, -2.0, False)
    assert "that is what b receives" in a.hint and "the other factor, b = -0.5000" in a.hint
    assert b.hint == "the sign is wrong"


def test_partly_wrong_answers_name_only_the_wrong_entries():
    verdict = backward_exercise(_product_step()).check({"a": -2.0, "b": 4.0})
    assert not verdict.correct and verdict.wrong == ["b"]
    assert verdict.entries[0].correct and verdict.entries[0].hint == ""
    text = str(verdict)
    assert text.splitlines()[0].endswith("1 of 2 right")
    assert "  a: -2.0000 is right" in text and "  b: 4.0000 is wrong: " in text
    assert "-2.0000" not in text.split("b: 4.0000")[1]  # the hint names no answer
    assert "8.0" not in text


def test_an_entry_left_out_counts_as_wrong():
    verdict = backward_exercise(_product_step()).check({"b": 8.0})
    assert verdict.wrong == ["a"] and verdict.entries[0].given is None
    assert "a: no answer given" in verdict.feedback()


# -- what the feedback recognises ---------------------------------------------------------------


def test_backward_feedback_names_the_usual_mistakes():
    step = _tanh_step()  # the gradient 3.0 arrives at y = tanh(x)
    ex = backward_exercise(step)
    local = step.local[0]
    forgot = ex.check(3.0).entries[0].hint
    assert (
        forgot
        == f"you forgot the local derivative 1 - tanh² = 1 - {step.node.data:.4f}² = {local:.4f}"
    )
    alone = ex.check(local).entries[0].hint
    assert alone.startswith("that is the local derivative alone: multiply it by the gradient")
    assert ex.check(-3.0 * local).entries[0].hint == "the sign is wrong"
    other = ex.check(1.0).entries[0].hint
    assert other.startswith("x receives the gradient that arrived at y (3.0000) times 1 - tanh²")


def test_affine_locals_are_named_input_weight_and_bias():
    w = [Value(0.3, label="v1"), Value(-0.2, label="v2")]
    h = [Value(0.6, label="h1"), Value(0.4, label="h2")]
    z = affine(w, h, Value(0.1, label="c"))
    z.label = "z"
    _, step = backward_steps(z * 2.0)  # z receives 2.0
    verdict = backward_exercise(step).check([2.0, 2.0, 2.0, 2.0, 2.0])
    hints = {e.name: e.hint for e in verdict.entries}
    assert hints["v1"] == "you forgot the local derivative the input it multiplies, h1 = 0.6000"
    assert hints["h2"] == "you forgot the local derivative the weight it multiplies, v2 = -0.2000"
    assert verdict.entries[-1].correct  # the bias's local derivative is 1


def test_forward_feedback_names_the_usual_mistakes():
    w = [Value(0.5, label="w1"), Value(-1.0, label="w2")]
    z = affine(w, [2.0, 0.5], Value(0.25, label="b"))
    z.label = "z"
    h = z.sigmoid()
    h.label = "h"
    first, second = forward_steps(h)
    ex_z, ex_h = forward_exercise(first), forward_exercise(second)
    assert ex_z.names == ["z"] and ex_z.expected == {"z": 0.75}
    assert ex_z.check(0.5).entries[0].hint == "you left out the bias b = 0.2500"
    assert ex_z.check(1.25).entries[0].hint == "you left out the term w2·0.5"
    assert ex_z.check(-0.75).entries[0].hint == "the sign is wrong"
    assert ex_h.check(0.75).entries[0].hint == "that is its input z; the node applies sigmoid"
    assert ex_h.check(1 - h.data).entries[0].hint.startswith("that is σ(-z)")
    assert ex_h.check(h.data).correct
    assert ex_h.check(0.9).entries[0].hint == "h = sigmoid(z), with the values its inputs hold now"


def test_update_feedback_names_the_usual_mistakes():
    old, grad, lr = 0.6888, -0.0108, 0.5
    ex = update_exercise(3, "w11", old, grad, lr, old - lr * grad)
    assert ex.check(0.6942).correct  # worked by hand to 4 decimals
    assert not ex.check(0.70).correct  # 0.7 is close to 0.6942, but the move is 0.0054
    assert ex.check(old + lr * grad).entries[0].hint.startswith("you moved with the gradient")
    assert ex.check(old - grad).entries[0].hint == "you forgot the learning rate lr = 0.5"
    assert ex.check(-lr * grad).entries[0].hint.startswith("that is the change")
    assert ex.check(old).entries[0].hint == "that is the old value"


# -- tolerance ----------------------------------------------------------------------------------


def _off(expected: float, scale: float) -> float:
    """A number twice the tolerance away (1 away when everything in the step is 0)."""
    tolerance = ATOL + RTOL * scale
    return expected + 2 * tolerance if tolerance else expected + 1.0


@given(programs())
def test_every_step_of_any_graph_accepts_its_answers_to_three_significant_digits(recipe):
    _, root = build(recipe)
    for step in backward_steps(root):
        ex = backward_exercise(step)
        assert ex.check([float(f"{a:.3g}") for a in step.added]).correct
        off = [_off(a, ex.scale[n]) for a, n in zip(step.added, ex.names)]
        verdict = ex.check(off)
        assert verdict.wrong == ex.names
        assert all(e.hint for e in verdict.entries)


@given(programs())
def test_every_forward_step_accepts_its_value_rounded_and_explains_a_wrong_one(recipe):
    _, root = build(recipe)
    for step in forward_steps(root):
        ex = forward_exercise(step)
        assert ex.names == [step._name(step.node)]
        assert ex.check(float(f"{step.value:.3g}")).correct
        verdict = ex.check(_off(step.value, ex.scale[ex.names[0]]))
        assert not verdict.correct and verdict.entries[0].hint


@given(st.floats(-10, 10), st.floats(-10, 10), st.floats(0.01, 2.0))
def test_an_update_is_right_within_a_hundredth_of_its_move(old, grad, lr):
    new = old - lr * grad
    ex = update_exercise(1, "w", old, grad, lr, new)
    scale = ex.scale["w"]  # the move, or a hundredth of the weight when the move is smaller
    assert scale == max(abs(new - old), 1e-2 * max(abs(old), abs(new)))
    assert ex.check(new + 0.9 * (ATOL + RTOL * scale)).correct
    if scale:
        assert not ex.check(new + 1.1 * (ATOL + RTOL * scale)).correct


def test_the_tolerance_can_be_set():
    ex = backward_exercise(_product_step())
    assert not ex.check([-2.1, 8.0]).correct
    assert ex.check([-2.1, 8.0], rtol=0.1).correct
    assert ex.check([-2.0005, 8.0], rtol=0.0, atol=1e-3).correct


# -- bad input is an error, not a wrong answer --------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "error", "message"),
    [
        ({"a": 1.0, "c": 2.0}, ValueError, r"check: unknown names \['c'\]; this step asks for"),
        ([1.0], ValueError, r"check: expected 2 answers for \['a', 'b'\] \(got 1\)"),
        (1.0, ValueError, r"asks for 2 numbers \['a', 'b'\] \(got one number\)"),
        ("1.0", TypeError, r"check: answers must be a dict of names to numbers, a list or a"),
        ({"a": "1"}, TypeError, r"check: answers\['a'\] must be a real number \(got '1'\)"),
        ([True, 1.0], TypeError, r"check: answers\[0\] must be a real number \(got True\)"),
        ([float("nan"), 1.0], ValueError, r"check: answers\[0\] is nan"),
    ],
)
def test_malformed_answers_are_errors(answers, error, message):
    with pytest.raises(error, match=message):
        backward_exercise(_product_step()).check(answers)


@pytest.mark.parametrize("bad", [-1e-3, float("inf"), "0.1", True])
def test_a_bad_tolerance_is_an_error(bad):
    with pytest.raises(ValueError, match="check: rtol must be a finite number >= 0"):
        backward_exercise(_product_step()).check([-2.0, 8.0], rtol=bad)


# -- names and the verdict's faces --------------------------------------------------------------


def test_repeated_and_unlabelled_operands_get_distinct_names():
    a = Value(3.0, label="a")
    (step,) = backward_steps(a * a)
    ex = backward_exercise(step)
    assert ex.names == ["a (operand 1)", "a (operand 2)"]
    assert ex.check([3.0, 3.0]).correct
    assert operand_names([Value(1.0), Value(2.0)]) == ["operand 1", "operand 2"]


def test_a_verdict_reads_as_text_html_and_repr():
    right = backward_exercise(_product_step()).check([-2.0, 8.0])
    wrong = backward_exercise(_product_step()).check([-2.0, 0.0])
    assert isinstance(right, Verdict)
    assert repr(right).endswith(": right>") and repr(wrong).endswith(": wrong: b>")
    assert "#2e7d32" in right._repr_html_() and "#c62828" in wrong._repr_html_()
    odd = Exercise("is a < b?", {"x": 1.0}, lambda *_: "no").check(1.0)
    assert "is a &lt; b?" in odd._repr_html_()


def test_an_exercise_of_your_own():
    ex = Exercise("double 3", {"result": 6.0}, lambda name, given, close: "multiply by 2")
    assert ex.check(6.0).correct
    assert str(ex.check(5.0)) == "double 3: 0 of 1 right\n  result: 5.0000 is wrong: multiply by 2"


# -- in Jupyter and through a stepper -----------------------------------------------------------


def _stepper():
    from autograd.stepping.backward_stepper import BackwardStepper

    x = Value(0.5, label="x")
    w = Value(-1.5, label="w")
    y = (w * x).tanh()
    y.label = "y"
    return BackwardStepper(y), x, w, y


def test_a_backward_stepper_checks_step_k_without_moving():
    stepper, x, w, _ = _stepper()
    stepper.goto(1)
    verdict = stepper.check(2, [0.0, 0.0])  # step 2: w * x passes its gradient to w and x
    assert stepper.position == 1 and verdict.wrong == ["w", "x"]
    step = stepper.goto(2).step
    stepper.goto(0)
    assert stepper.check(2, {"w": step.added[0], "x": step.added[1]}).correct
    assert stepper.position == 0 and x.grad == w.grad == 0.0  # the graph is left alone
    with pytest.raises(ValueError, match=r"BackwardStepper\.check: k must be .* in 1\.\.2"):
        stepper.check(0, [])


def test_the_predict_widget_checks_then_reveals():
    pytest.importorskip("ipywidgets")
    from autograd.stepping.exercises import predict_widget

    stepper, *_ = _stepper()
    panel = predict_widget(stepper)
    words, question, boxes, buttons, feedback, _legend, picture = panel.children
    back, check, reveal = buttons.children
    parts = dict(words=words, question=question, boxes=boxes, feedback=feedback, picture=picture)
    parts |= dict(back=back, check=check, reveal=reveal)
    assert "Predict first" in parts["question"].value and "<svg" in parts["picture"].value
    (box,) = parts["boxes"].children  # step 1: what tanh passes to its operand
    assert box.description == "n2"
    assert box.value == ""  # empty, not 0: nothing is answered until something is typed
    parts["check"].click()
    assert "no answer given" in parts["feedback"].value
    box.value = "one"
    parts["check"].click()
    assert "n2: type a number (got &#x27;one&#x27;)" in parts["feedback"].value
    box.value = "1.0"
    parts["check"].click()
    assert "you forgot the local derivative 1 - tanh²" in parts["feedback"].value
    assert stepper.position == 0  # checking reveals nothing
    box.value = str(stepper.goto(1).step.added[0])
    stepper.goto(0)
    parts["check"].click()
    assert "1 of 1 right" in parts["feedback"].value and "#2e7d32" in parts["feedback"].value
    parts["reveal"].click()
    assert stepper.position == 1 and parts["feedback"].value == ""
    assert [b.description for b in parts["boxes"].children] == ["w", "x"]
    parts["reveal"].click()
    assert stepper.position == 2 and "nothing left to predict" in parts["question"].value
    assert parts["check"].disabled and parts["reveal"].disabled
    parts["back"].click()
    assert stepper.position == 1 and not parts["reveal"].disabled


def test_ipython_shows_a_verdict_as_its_feedback():
    pretty = pytest.importorskip("IPython.lib.pretty")
    verdict = backward_exercise(_product_step()).check([-2.0, 0.0])
    assert pretty.pretty(verdict) == verdict.feedback()


# -- issue 20: the lecture's key bug, hints, tolerances that scale ------------------------------


def _twice():
    x = Value(3.0, label="x")
    y = x + x
    y.label = "y"
    (step,) = backward_steps(y)
    return step


def test_a_node_used_twice_is_answered_by_its_total():
    ex = backward_exercise(_twice())
    assert ex.names == ["x (operand 1)", "x (operand 2)"]
    verdict = ex.check({"x": 2.0})  # x's total: both uses added up
    assert verdict.correct and [e.name for e in verdict.entries] == ["x"]
    assert ex.check(2.0).correct  # one number: the only node's total
    assert ex.check([1.0, 1.0]).correct  # per use still works
    with pytest.raises(ValueError, match=r"check: give x either as its total .* not both"):
        ex.check({"x": 2.0, "x (operand 1)": 1.0})


def test_forgetting_to_add_up_a_reused_node_is_diagnosed():
    verdict = backward_exercise(_twice()).check({"x": 1.0})
    assert verdict.entries[0].hint == "x is used twice: add both contributions"


def test_a_gradient_that_forgot_a_use_further_up_is_diagnosed():
    # d is used twice: its step must pass on the sum of both contributions it received
    x = Value(0.5, label="x")
    d = x.tanh()
    d.label = "d"
    L = d * 3.0 + d * 2.0  # d is used twice: its gradient is 3 + 2 = 5
    L.label = "L"
    steps = list(backward_steps(L))
    step = steps[-1]  # d = tanh(x) passes 5 (1 - tanh²) to x
    assert step.node is d
    ex = backward_exercise(step, arrivals=[3.0, 2.0])
    local = step.local[0]
    assert ex.check(5.0 * local).correct
    assert ex.check(3.0 * local).entries[0].hint == "d is used twice: add both contributions"


def test_a_hint_never_states_the_answer():
    x = Value(0.5, label="x")
    y = x.tanh()
    y.label = "y"
    (step,) = backward_steps(y)  # the seed 1: the local derivative is the answer
    ex = backward_exercise(step)
    answer = f"{step.added[0]:.4f}"
    for wrong in (1.0, 0.3, -5.0, 2.0):
        hint = ex.check(wrong).entries[0].hint
        assert hint and answer not in hint, hint
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    (step,) = backward_steps(a * b)
    for wrong in ([0.3, 0.3], [1.0, 1.0]):
        for e in backward_exercise(step).check(wrong).entries:
            assert "-3.0000" not in e.hint and "2.0000" not in e.hint, e.hint


def test_tolerances_scale_with_the_numbers():
    x = Value(0.5, label="x")
    y = x.tanh()
    y.label = "y"
    z = y * 3e-4
    (_, step) = backward_steps(z)  # 3e-4 arrives at y; x receives 3e-4 · 0.79 = 2.4e-4
    verdict = backward_exercise(step).check(3e-4)  # forgot the local derivative
    assert not verdict.correct and "forgot the local derivative" in verdict.entries[0].hint
    assert backward_exercise(step).check(float(f"{step.added[0]:.3g}")).correct
    zero, two = Value(0.0, label="zero"), Value(2.0, label="two")
    w = zero * two
    w.label = "w"
    _, step = backward_steps(w * 3e-4)  # zero receives 6e-4, two receives 0.0
    assert backward_exercise(step).check([6e-4, 0.0]).correct
    assert not backward_exercise(step).check([6e-4, 1e-5]).correct


def test_an_update_with_a_tiny_gradient_tells_a_forgotten_learning_rate():
    old, grad, lr = 0.3, 3e-4, 0.5
    ex = update_exercise(1, "w", old, grad, lr, old - lr * grad)
    assert ex.check(old - grad).entries[0].hint == "you forgot the learning rate lr = 0.5"
