"""nn.train(compile=True): the same History and the same weights as compile=False, bit for bit."""

import random

import pytest

from nn import MLP, SGD, Adam, train
from nn.data import make_moons, signed_labels


def run(compiled, loss, labels, X, *, sizes=(8, 8, 1), optimizer=SGD, **kwargs):
    model = MLP(2, list(sizes), rng=random.Random(1))
    opt = optimizer(model.parameters(), lr=0.05)
    history = train(
        model, X, labels, optimizer=opt, loss=loss, seed=3, progress=False, compile=compiled,
        **kwargs,
    )  # fmt: skip
    return history, model.state_dict()


X, y = make_moons(100, seed=0)
LABELS = {"hinge": signed_labels(y), "bce": y, "mse": [0.3 * v - 0.1 for v in y]}


@pytest.mark.parametrize("loss", ["hinge", "bce", "mse"])
@pytest.mark.parametrize("batch_size", [None, 7, 64])
@pytest.mark.parametrize("l2", [0.0, 1e-3])
def test_compiled_training_is_the_engine_bit_for_bit(loss, batch_size, l2):
    kwargs = {"epochs": 2, "batch_size": batch_size, "l2": l2}
    assert run(True, loss, LABELS[loss], X, **kwargs) == run(False, loss, LABELS[loss], X, **kwargs)


def test_a_batch_of_1000_with_adam():
    Xb, yb = make_moons(1000, seed=1)
    labels = signed_labels(yb)
    kwargs = {"epochs": 1, "l2": 1e-4, "sizes": (4, 1), "optimizer": Adam}
    assert run(True, "hinge", labels, Xb, **kwargs) == run(False, "hinge", labels, Xb, **kwargs)


def test_a_neuron_with_4000_inputs_trains_compiled():
    rng = random.Random(2)
    n = 4_000
    Xw = [[rng.uniform(-1, 1) for _ in range(n)] for _ in range(6)]
    labels = [rng.choice([-1.0, 1.0]) for _ in Xw]

    def fit(compiled):
        model = MLP(n, [1], rng=random.Random(1))
        opt = SGD(model.parameters(), lr=0.01)
        history = train(
            model, Xw, labels, optimizer=opt, loss="hinge", seed=3, progress=False,
            epochs=2, batch_size=3, compile=compiled,
        )  # fmt: skip
        return history, model.state_dict()

    assert fit(True) == fit(False)


def test_labels_are_inputs_not_constants():
    # bce labels in (0, 1]: every value runs through one compiled body, with the label as input
    labels = [round(0.1 + 0.9 * random.Random(i).random(), 3) for i in range(len(X))]
    assert run(True, "bce", labels, X, epochs=2) == run(False, "bce", labels, X, epochs=2)


def test_unsupported_losses_are_refused():
    model = MLP(2, [4, 1], rng=random.Random(0))
    opt = SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=r"compile=True supports the losses"):
        train(model, X, y, optimizer=opt, loss="cross_entropy", compile=True, progress=False)
    with pytest.raises(ValueError, match=r"compile=True supports the losses"):
        train(model, X, y, optimizer=opt, loss=lambda o, t: o[0], compile=True, progress=False)


def test_bad_labels_get_the_loss_own_error():
    model = MLP(2, [4, 1], rng=random.Random(0))
    opt = SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=r"hinge: labels must be -1 or \+1"):
        train(model, X, y, optimizer=opt, loss="hinge", compile=True, progress=False)


def test_a_model_with_several_outputs_is_refused():
    model = MLP(2, [4, 2], rng=random.Random(0))
    opt = SGD(model.parameters(), lr=0.1)
    with pytest.raises(TypeError, match=r"one output Value"):
        train(model, X, signed_labels(y), optimizer=opt, compile=True, progress=False)


def test_divergence_stops_at_the_same_step():
    def diverge(compiled):
        model = MLP(2, [8, 1], rng=random.Random(0))
        opt = SGD(model.parameters(), lr=1e6)
        with pytest.raises(RuntimeError, match=r"became") as error:
            train(model, X, LABELS["mse"], optimizer=opt, loss="mse", epochs=50,
                  compile=compiled, progress=False)  # fmt: skip
        return str(error.value), error.value.history, model.state_dict()

    assert diverge(True) == diverge(False)


def test_the_body_takes_the_example_and_its_label_as_inputs():
    from nn._compiled_train import CompiledStep

    model = MLP(2, [4, 1], rng=random.Random(0))
    step = CompiledStep(model, "hinge", X, LABELS["hinge"], model.parameters(), 0.0)
    (body,) = step.bodies
    assert "    for x1, x2, label, in examples:" in body.source
    assert "label * -1.0" in body.source  # -y, computed from the input at every example
