"""Losses: exact values, gradients against finite differences, extreme logits, bad input."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, gradcheck
from nn import losses
from tests.strategies import between

logit = between(-8, 8)


def _batch(n):
    return st.lists(logit, min_size=n, max_size=n)


@given(_batch(3), st.lists(st.floats(-2, 2), min_size=3, max_size=3))
def test_mse_gradients(p, t):
    assert gradcheck(lambda *v: losses.mse(list(v), t), p)


@given(_batch(3), st.lists(st.sampled_from([-1, 1]), min_size=3, max_size=3))
def test_hinge_gradients(s, y):
    # keep away from the kink at y * s = 1, where the loss has no derivative
    s = [v if abs(1 - yi * v) > 1e-3 else v + 0.01 for v, yi in zip(s, y)]
    assert gradcheck(lambda *v: losses.hinge(list(v), y), s)


@given(_batch(3), st.lists(st.sampled_from([0, 1, 0.25]), min_size=3, max_size=3))
def test_binary_cross_entropy_gradients(z, y):
    assert gradcheck(lambda *v: losses.binary_cross_entropy(list(v), y), z)


@given(_batch(3), st.integers(0, 2))
def test_softmax_cross_entropy_gradients(z, label):
    assert gradcheck(lambda *v: losses.softmax_cross_entropy([list(v)], [label]), z)


@given(_batch(4))
def test_l2_penalty_gradients(ps):
    assert gradcheck(lambda *v: losses.l2_penalty(list(v), alpha=0.3), ps)


def test_binary_cross_entropy_matches_the_textbook_formula():
    z, y = 0.7, 1
    expected = -math.log(1 / (1 + math.exp(-z)))
    assert losses.binary_cross_entropy([Value(z)], [y]).data == pytest.approx(expected)
    expected0 = -math.log(1 - 1 / (1 + math.exp(-z)))
    assert losses.binary_cross_entropy([Value(z)], [0]).data == pytest.approx(expected0)


def test_softmax_cross_entropy_matches_the_textbook_formula():
    z = [1.0, 2.0, 0.5]
    expected = -math.log(math.exp(z[1]) / sum(math.exp(v) for v in z))
    assert losses.softmax_cross_entropy([z], [1]).data == pytest.approx(expected)
    lp = losses.log_softmax([Value(v) for v in z])
    assert sum(math.exp(v.data) for v in lp) == pytest.approx(1.0)


@pytest.mark.parametrize("z", [1000.0, -1000.0, 1e300, -1e300])
@pytest.mark.parametrize("y", [0, 1])
def test_binary_cross_entropy_is_finite_and_exact_at_extreme_logits(z, y):
    v = Value(z)
    loss = losses.binary_cross_entropy([v], [y])
    right = (z > 0) == (y == 1)
    assert loss.data == (0.0 if right else abs(z))
    loss.backward()
    sigmoid = 1.0 if z > 0 else 0.0
    assert v.grad == sigmoid - y


@pytest.mark.parametrize("big", [1000.0, 1e300])
def test_softmax_cross_entropy_is_finite_and_exact_at_extreme_logits(big):
    z = [Value(big), Value(-big), Value(0.0)]
    assert losses.softmax_cross_entropy([z], [0]).data == 0.0
    loss = losses.softmax_cross_entropy([z], [1])
    assert loss.data == 2 * big
    loss.backward()
    assert [v.grad for v in z] == [1.0, -1.0, 0.0]
    assert losses.logsumexp([Value(big), Value(big)]).data == pytest.approx(big + math.log(2))


def test_hinge_is_micrograds_formula_float_for_float():
    scores = [Value(0.3), Value(-1.7), Value(2.5), Value(-0.2)]
    labels = [1, -1, -1, 1]
    micrograd = sum((1 + -y * s).relu() for y, s in zip(labels, scores)) * (1.0 / 4)
    assert losses.hinge(scores, labels).data == micrograd.data
    assert losses.hinge(scores, labels).data == (0.7 + 0.0 + 3.5 + 1.2) / 4


def test_losses_are_means_over_the_batch():
    assert losses.mse([Value(2.0), Value(0.0)], [0.0, 0.0]).data == 2.0
    assert losses.hinge([1.0, 1.0], [1.0, -1.0]).data == 1.0  # numbers work as scores


def test_l2_penalty_equals_micrograds_sum():
    ps = [Value(0.1 * i - 0.3) for i in range(7)]
    assert losses.l2_penalty(ps, 1e-4).data == (1e-4 * sum(p * p for p in ps)).data


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: losses.mse([Value(1.0)], [1.0, 2.0]), ValueError, r"expected as many targets"),
        (lambda: losses.mse([], []), ValueError, "the batch is empty"),
        (lambda: losses.mse(Value(1.0), [1.0]), TypeError, "predictions must be a list"),
        (lambda: losses.mse([Value(1.0)], ["a"]), TypeError, r"targets\[0\] must be a real"),
        (lambda: losses.mse([Value(1.0)], [math.nan]), ValueError, "nan"),
        (lambda: losses.hinge([Value(1.0)], [0]), ValueError, "labels must be -1 or \\+1"),
        (lambda: losses.hinge([Value(1.0)], [True]), ValueError, "labels must be -1 or \\+1"),
        (lambda: losses.hinge([Value(1.0)] * 2, [1]), ValueError, "expected as many labels"),
        (lambda: losses.binary_cross_entropy([0.0], [2]), ValueError, r"in \[0, 1\]"),
        (lambda: losses.binary_cross_entropy([0.0], [-1]), ValueError, r"in \[0, 1\]"),
        (lambda: losses.softmax_cross_entropy([[0.0, 1.0]], [2]), ValueError, "0..1"),
        (lambda: losses.softmax_cross_entropy([[0.0, 1.0]], [0.0]), ValueError, "class index"),
        (lambda: losses.softmax_cross_entropy([[0.0]], [0, 0]), ValueError, "as many labels"),
        (lambda: losses.logsumexp([]), ValueError, "at least one logit"),
        (lambda: losses.l2_penalty([1.0]), TypeError, "must be a Value"),
        (lambda: losses.l2_penalty([Value(1.0)], alpha=-1), ValueError, "alpha must be"),
    ],
)
def test_bad_input_is_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


class MyValue(Value):
    """A learner's subclass of Value (micrograd notebooks extend Value this way)."""

    __slots__ = ()


@pytest.mark.parametrize(
    ("loss", "labels"),
    [
        (losses.mse, [0.5, -1.0]),
        (losses.hinge, [1, -1]),
        (losses.binary_cross_entropy, [1, 0]),
        (lambda zs, ys: losses.softmax_cross_entropy([zs], ys), [1]),
    ],
)
def test_predictions_of_a_subclass_of_value_get_their_gradients(loss, labels):
    plain = [Value(0.3), Value(-0.2)]
    mine = [MyValue(0.3), MyValue(-0.2)]
    expected = loss(plain, labels)
    got = loss(mine, labels)  # was a TypeError: "predictions[0] must be a real number"
    expected.backward()
    got.backward()
    assert got.data == expected.data
    assert [v.grad for v in mine] == [v.grad for v in plain] != [0.0, 0.0]


def test_logsumexp_and_log_softmax_take_subclasses_of_value():
    zs = [MyValue(1.0), MyValue(2.0)]
    assert losses.logsumexp(zs).data == losses.logsumexp([1.0, 2.0]).data
    assert [v.data for v in losses.log_softmax(zs)] == [
        v.data for v in losses.log_softmax([1.0, 2.0])
    ]
