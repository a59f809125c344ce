"""train and evaluate: the loop, the history, batches, losses, progress bar, bad input."""

import math
import random

import pytest

from autograd import is_grad_enabled
from nn import MLP, SGD, Adam, History, evaluate, train
from nn.data import make_blobs, make_moons, signed_labels


def _moons(n=30):
    X, y = make_moons(n, noise=0.1, seed=2)
    return X, signed_labels(y)


def test_history_has_one_entry_per_step():
    X, y = _moons()
    model = MLP(2, [8, 1], rng=random.Random(0))
    opt = SGD(model.parameters(), lr=lambda k: 0.5 / (k + 1))
    history = train(model, X, y, optimizer=opt, epochs=3, batch_size=8, progress=False)
    assert isinstance(history, History)
    assert len(history) == 12  # 4 batches (8, 8, 8, 6) per epoch
    assert history.epoch == [0] * 4 + [1] * 4 + [2] * 4
    assert history.lr == pytest.approx([0.5 / (k + 1) for k in range(12)])
    assert opt.steps == 12
    assert all(0.0 <= a <= 1.0 for a in history.accuracy)


def test_full_batch_training_is_micrograds_loop_and_learns():
    X, y = _moons(40)
    model = MLP(2, [16, 16, 1], rng=random.Random(1))
    opt = SGD(model.parameters(), lr=lambda k: 1.0 - 0.9 * k / 40)
    history = train(model, X, y, optimizer=opt, loss="hinge", epochs=40, l2=1e-4, progress=False)
    assert history.loss[-1] < history.loss[0]
    result = evaluate(model, X, y)
    assert result.accuracy >= 0.9
    assert history.accuracy[-1] >= 0.85


def test_loss_in_history_includes_the_l2_term():
    X, y = _moons(10)
    a = MLP(2, [4, 1], rng=random.Random(0))
    b = MLP(2, [4, 1], rng=random.Random(0))
    ha = train(a, X, y, optimizer=SGD(a.parameters(), lr=0.0), progress=False)
    hb = train(b, X, y, optimizer=SGD(b.parameters(), lr=0.0), l2=0.5, progress=False)
    penalty = 0.5 * sum(p.data**2 for p in b.parameters())
    assert hb.loss[0] == pytest.approx(ha.loss[0] + penalty)


def test_cross_entropy_on_blobs_with_adam():
    X, y = make_blobs(45, centers=[[-3, 0], [3, 0], [0, 4]], cluster_std=0.5, seed=0)
    model = MLP(2, [8, 3], rng=random.Random(0))
    opt = Adam(model.parameters(), lr=0.05)
    train(model, X, y, optimizer=opt, loss="cross_entropy", epochs=30, progress=False)
    assert evaluate(model, X, y, loss="cross_entropy").accuracy >= 0.95


def test_bce_and_mse_and_a_custom_loss():
    X, y01 = make_moons(20, seed=0)
    model = MLP(2, [4, 1], rng=random.Random(0))
    opt = SGD(model.parameters(), lr=0.1)
    h = train(model, X, y01, optimizer=opt, loss="bce", epochs=2, progress=False)
    assert all(0 <= a <= 1 for a in h.accuracy)
    h = train(model, X, y01, optimizer=opt, loss="mse", epochs=2, progress=False)
    assert all(math.isnan(a) for a in h.accuracy)
    assert math.isnan(evaluate(model, X, y01, loss="mse").accuracy)

    def l1(outputs, labels):
        return sum(abs(o - t) for o, t in zip(outputs, labels)) * (1 / len(labels))

    h = train(
        model,
        X,
        y01,
        optimizer=opt,
        loss=l1,
        predict=lambda o: int(o.data > 0.5),
        epochs=2,
        progress=False,
    )
    assert not math.isnan(h.accuracy[0])


def test_evaluate_records_no_graph_and_restores_grad_mode():
    X, y = _moons(10)
    model = MLP(2, [4, 1], rng=random.Random(0))
    result = evaluate(model, X, y)
    assert result.loss >= 0 and 0 <= result.accuracy <= 1
    assert is_grad_enabled()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_progress_bar_is_tqdm_on_stderr_when_asked(capsys):
    X, y = _moons(10)
    model = MLP(2, [4, 1], rng=random.Random(0))
    train(model, X, y, optimizer=SGD(model.parameters(), lr=0.1), epochs=3, progress=True)
    err = capsys.readouterr().err
    assert "training" in err and "3/3" in err and "loss=" in err
    train(model, X, y, optimizer=SGD(model.parameters(), lr=0.1), epochs=3)  # not a terminal
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"loss": "nll"}, ValueError, "loss must be one of"),
        ({"loss": 3}, TypeError, "loss must be a name or a function"),
        ({"epochs": -1}, ValueError, "epochs must be an int >= 0"),
        ({"batch_size": 0}, ValueError, "batch_size must be an int >= 1 or None"),
        ({"l2": -1.0}, ValueError, "l2 must be a number >= 0"),
        ({"optimizer": None}, TypeError, "optimizer must be an nn.SGD or nn.Adam"),
        ({"compile": "yes"}, TypeError, r"compile must be True, False or None \(got 'yes'\)"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    X, y = _moons(10)
    model = MLP(2, [4, 1], rng=random.Random(0))
    kwargs = {"optimizer": SGD(model.parameters(), lr=0.1), "progress": False, **kwargs}
    with pytest.raises(error, match=match):
        train(model, X, y, **kwargs)


def test_mismatched_or_empty_data():
    model = MLP(2, [4, 1], rng=random.Random(0))
    with pytest.raises(ValueError, match="X has 2 examples but y has 1 labels"):
        evaluate(model, [[0, 0], [1, 1]], [1])
    with pytest.raises(ValueError, match="the dataset is empty"):
        evaluate(model, [], [])


def _setup(n=10):
    X, y = _moons(n)
    model = MLP(2, [4, 1], rng=random.Random(0))
    return X, y, model


def test_train_inside_no_grad_is_refused_and_changes_nothing():
    from autograd import enable_grad, no_grad

    X, y, model = _setup()
    opt = SGD(model.parameters(), lr=0.1)
    before = model.state_dict()
    with no_grad(), pytest.raises(RuntimeError, match=r"grad mode is off \(called inside no_grad"):
        train(model, X, y, optimizer=opt, progress=False)
    assert model.state_dict() == before and opt.steps == 0
    with no_grad(), enable_grad():  # the documented way out
        assert len(train(model, X, y, optimizer=opt, progress=False)) == 1


def test_an_optimizer_over_another_models_parameters_is_refused():
    X, y, model = _setup()
    other = MLP(2, [4, 1], rng=random.Random(0))
    with pytest.raises(ValueError, match="the optimizer holds none of the model's parameters"):
        train(model, X, y, optimizer=SGD(other.parameters(), lr=0.1), progress=False)
    # holding some of them is fine-tuning: allowed
    last = model.layers[-1].parameters()
    train(model, X, y, optimizer=SGD(last, lr=0.1), progress=False)


def test_a_model_without_parameters_is_refused():
    from autograd import Value
    from nn import Module

    X, y, _ = _setup()

    class Fixed(Module):
        def __call__(self, x):
            return Value(1.0) * x[0]

    with pytest.raises(ValueError, match="the model has no parameters"):
        train(Fixed(), X, y, optimizer=SGD([Value(0.0)], lr=0.1), progress=False)


def test_a_plain_function_model_is_trained_with_its_own_values():
    from autograd import Value

    X, y, _ = _setup()
    w = [Value(0.1), Value(-0.2)]
    history = train(
        lambda x: w[0] * x[0] + w[1] * x[1],
        X,
        y,
        optimizer=SGD(w, lr=0.1),
        epochs=3,
        progress=False,
    )
    assert len(history) == 3 and w[0].data != 0.1


def test_a_loss_that_becomes_nan_stops_training_at_that_step():
    X, y, model = _setup()
    opt = SGD(model.parameters(), lr=0.1)

    def blows_up_at_step_2(outputs, labels):
        total = sum((o - t) ** 2 for o, t in zip(outputs, labels))
        return total * math.nan if opt.steps == 2 else total

    with pytest.raises(RuntimeError, match=r"the loss became nan at step 2 \(epoch 2\)") as info:
        train(model, X, y, optimizer=opt, loss=blows_up_at_step_2, epochs=5, progress=False)
    assert "Lower the learning rate" in str(info.value)
    assert len(info.value.history) == 2 and opt.steps == 2  # no update at the bad step
    assert all(math.isfinite(p.data) for p in model.parameters())


def test_a_learning_rate_that_diverges_is_reported_not_silently_trained_on():
    X, y, model = _setup(20)
    opt = SGD(model.parameters(), lr=1e200)
    with pytest.raises(RuntimeError, match=r"the loss became (nan|inf) at step \d+") as info:
        train(model, X, y, optimizer=opt, loss="hinge", epochs=50, progress=False)
    assert "it was 1e+200" in str(info.value)


def test_progress_bar_comes_from_tqdm_auto_with_tqdms_own_disable_rule(monkeypatch):
    import tqdm.auto

    seen = []

    class Recorder(tqdm.auto.tqdm):
        def __init__(self, *args, **kwargs):
            seen.append(kwargs.get("disable"))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(tqdm.auto, "tqdm", Recorder)
    X, y, model = _setup()
    for progress in (None, True, False):
        train(model, X, y, optimizer=SGD(model.parameters(), lr=0.1), progress=progress)
    assert seen == [None, False, True]


def test_an_infinite_gradient_stops_training_before_the_update():
    X, y, model = _setup()
    opt = SGD(model.parameters(), lr=0.1)
    w = model.parameters()[0]

    def sqrt_of_zero_at_step_1(outputs, labels):
        total = sum((o - t) ** 2 for o, t in zip(outputs, labels))
        if opt.steps == 1:  # d/dx sqrt(x) at 0 is inf; the loss itself stays finite
            return total + (w - w.data) ** 0.5
        return total

    match = r"the gradient of optimizer.params\[0\] became (inf|nan) at step 1 \(epoch 1\)"
    with pytest.raises(RuntimeError, match=match) as info:
        train(model, X, y, optimizer=opt, loss=sqrt_of_zero_at_step_1, epochs=3, progress=False)
    assert len(info.value.history) == 1 and opt.steps == 1  # no update at the bad step
    assert all(math.isfinite(p.data) for p in model.parameters())


# -- each step runs with the cyclic garbage collector paused, and gives back the caller's state


@pytest.mark.parametrize("compile", [False, True])
def test_a_step_runs_with_the_cyclic_collector_paused(compile):
    import gc

    X, y, model = _setup()
    seen = []

    class Recording(SGD):
        def step(self):  # inside the step: the collector must be paused
            seen.append(gc.isenabled())
            super().step()

    assert gc.isenabled()
    history = train(model, X, y, optimizer=Recording(model.parameters(), lr=0.01), epochs=2,
                    compile=compile, progress=False)  # fmt: skip
    assert history.compiled == compile
    assert seen == [False, False] and gc.isenabled()


def test_the_collector_comes_back_after_an_error_or_an_interrupt_inside_a_step():
    import gc

    X, y, model = _setup()
    for error in (ValueError("bad"), KeyboardInterrupt()):

        def loss(outputs, labels, error=error):
            raise error

        with pytest.raises(type(error)):
            train(model, X, y, optimizer=SGD(model.parameters(), lr=0.1), loss=loss,
                  progress=False)  # fmt: skip
        assert gc.isenabled()


def test_a_collector_the_caller_switched_off_stays_off():
    import gc

    X, y, model = _setup()
    gc.disable()
    try:
        train(model, X, y, optimizer=SGD(model.parameters(), lr=0.1), progress=False)
        assert not gc.isenabled()
        with pytest.raises(RuntimeError, match="became"):
            train(model, X, y, optimizer=SGD(model.parameters(), lr=1e300), loss="mse",
                  epochs=20, progress=False)  # fmt: skip
        assert not gc.isenabled()
    finally:
        gc.enable()
