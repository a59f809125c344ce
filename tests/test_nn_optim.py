"""SGD and Adam against updates computed by hand; schedules; no graph recorded; bad input."""

import math

import pytest

from autograd import Value
from nn import SGD, Adam, linear_decay


def _run(opt, p, grads):
    seen = []
    for g in grads:
        p.grad = g
        opt.step()
        seen.append(p.data)
    return seen


def test_plain_sgd_is_micrograds_update():
    p = Value(0.7)
    assert _run(SGD([p], lr=0.3), p, [2.0, -1.0]) == [0.7 - 0.3 * 2.0, 0.7 - 0.3 * 2.0 + 0.3]


def test_sgd_with_momentum_and_weight_decay_by_hand():
    p = Value(1.0)
    opt = SGD([p], lr=0.1, momentum=0.9, weight_decay=0.01)
    # step 1: g = 0.5 + 0.01 * 1.0 = 0.51; v = 0.51; p = 1.0 - 0.051 = 0.949
    # step 2: g = -0.2 + 0.01 * 0.949 = -0.19051; v = 0.9 * 0.51 - 0.19051 = 0.26849
    #         p = 0.949 - 0.026849 = 0.922151
    assert _run(opt, p, [0.5, -0.2]) == pytest.approx([0.949, 0.922151], abs=1e-15)
    assert opt.velocity == pytest.approx([0.26849], abs=1e-15)


def test_adam_by_hand():
    p = Value(1.0)
    # eps must be > 0 (eps=0 divides by zero); 1e-300 vanishes next to sqrt(v_hat), so the
    # hand computation below needs no eps
    opt = Adam([p], lr=0.01, betas=(0.5, 0.75), eps=1e-300)
    # step 1: m = 0.5 * 2 = 1; v = 0.25 * 4 = 1; m^ = 1 / 0.5 = 2; v^ = 1 / 0.25 = 4
    #         p = 1 - 0.01 * 2 / 2 = 0.99
    # step 2: m = 0.5 + 0.5 * -1 = 0; so p does not move
    # step 3: m = 0.5 * 4 = 2; v = 0.75 * (0.75 + 0.25) + 0.25 * 16 = 4.75
    #         m^ = 2 / 0.875; v^ = 4.75 / (1 - 0.421875)
    m_hat, v_hat = 2 / 0.875, 4.75 / (1 - 0.75**3)
    expected3 = 0.99 - 0.01 * m_hat / math.sqrt(v_hat)
    assert _run(opt, p, [2.0, -1.0, 4.0]) == pytest.approx([0.99, 0.99, expected3], abs=1e-15)
    assert opt.steps == 3


def test_adam_first_step_moves_by_about_lr_against_the_gradient():
    ps = [Value(0.0), Value(0.0)]
    opt = Adam(ps, lr=0.05)
    ps[0].grad, ps[1].grad = 1e-3, -250.0
    opt.step()
    assert [p.data for p in ps] == pytest.approx([-0.05, 0.05], rel=1e-4)


def test_schedule_callable_receives_the_step_number():
    p = Value(0.0)
    opt = SGD([p], lr=lambda k: 0.1 * (k + 1))
    assert _run(opt, p, [1.0, 1.0, 1.0]) == pytest.approx([-0.1, -0.3, -0.6])
    assert opt.lr == pytest.approx(0.4)


def test_linear_decay_is_micrograds_schedule_float_for_float():
    rate = linear_decay(1.0, 0.1, 100)
    assert [rate(k) for k in range(100)] == [1.0 - 0.9 * k / 100 for k in range(100)]
    assert rate(100) == rate(1000) == 0.1


def test_updates_record_no_graph_and_zero_grad_clears():
    p = Value(1.0)
    with pytest.raises(ValueError, match="schedule"):  # a rate must be a number, not a Value
        SGD([p], lr=lambda k: Value(0.5)).step()
    opt = SGD([p], lr=0.5, momentum=0.5)
    p.grad = 1.0
    opt.step()
    assert p.parents == () and type(p.data) is float
    opt.zero_grad()
    assert p.grad == 0.0


@pytest.mark.parametrize(
    ("build", "error", "match"),
    [
        (lambda p: SGD([], lr=0.1), ValueError, "params is empty"),
        (lambda p: SGD(p, lr=0.1), TypeError, "params must be a list of Values"),
        (lambda p: SGD([p, 1.0], lr=0.1), TypeError, r"params\[1\] must be a Value"),
        (lambda p: SGD([p, p], lr=0.1), ValueError, "appears twice"),
        (lambda p: SGD([p], lr=-0.1), ValueError, "learning rate must be a finite number"),
        (lambda p: SGD([p], lr=math.inf), ValueError, "learning rate"),
        (lambda p: SGD([p], lr="0.1"), ValueError, "learning rate"),
        (lambda p: SGD([p], lr=0.1, momentum=1.0), ValueError, "momentum"),
        (lambda p: SGD([p], lr=0.1, weight_decay=-1), ValueError, "weight_decay"),
        (lambda p: Adam([p], betas=(0.9,)), ValueError, "betas must be a pair"),
        (lambda p: Adam([p], betas=(0.9, 1.0)), ValueError, r"betas\[1\]"),
        (lambda p: Adam([p], eps=-1e-8), ValueError, "eps"),
        (lambda p: Adam([p], eps=0.0), ValueError, r"Adam: eps must be a finite number > 0"),
        (lambda p: Adam([p], eps=math.nan), ValueError, "eps"),
        (lambda p: Adam([p], eps=math.inf), ValueError, "eps"),
        (lambda p: Adam([p], eps=True), ValueError, "eps"),
        (lambda p: Adam([p], betas=(math.nan, 0.9)), ValueError, r"betas\[0\]"),
        (lambda p: SGD([p], lr=0.1, momentum=math.nan), ValueError, "momentum"),
        (lambda p: SGD([p], lr=0.1, weight_decay=math.inf), ValueError, "weight_decay"),
        (lambda p: SGD([p], lr=math.nan), ValueError, "learning rate"),
        (lambda p: linear_decay(1.0, 0.1, 0), ValueError, "steps must be an int >= 1"),
        (lambda p: linear_decay(-1.0, 0.1, 10), ValueError, "start"),
    ],
)
def test_bad_arguments_are_clear_errors(build, error, match):
    with pytest.raises(error, match=match):
        build(Value(1.0))


def test_a_bad_schedule_value_changes_nothing():
    p = Value(1.0)
    opt = SGD([p], lr=lambda k: math.nan)
    p.grad = 1.0
    with pytest.raises(ValueError, match="schedule"):
        opt.step()
    assert p.data == 1.0 and opt.steps == 0


def test_adam_with_zero_gradients_from_the_start_stays_put():
    # with eps=0 this was 0/0: a ZeroDivisionError at the first step of an unused parameter
    p = Value(0.5)
    opt = Adam([p], lr=0.1, eps=1e-12)
    _run(opt, p, [0.0, 0.0, 0.0])
    assert p.data == 0.5
