"""micrograd's demo notebook, run on stepgrad with only the imports changed.

The code of ``test_micrograd_demo_reaches_97_percent`` below the marked line is copied from
micrograd's ``demo.ipynb`` (cells in order, plotting left out). Only the imports differ:
``Value`` comes from ``autograd``, the networks from ``nn``, and ``make_moons`` from
``nn.data`` through a scikit-learn-shaped adapter (scikit-learn is not a dependency).
"""

import numpy as np
import pytest

import nn.data


def sklearn_style_make_moons(n_samples=100, noise=None):
    """scikit-learn's signature and numpy results, seeded from numpy's global generator."""
    X, y = nn.data.make_moons(n_samples, noise=noise or 0.0, seed=int(np.random.randint(2**31)))
    return np.array(X), np.array(y)


@pytest.mark.slow
def test_micrograd_demo_reaches_97_percent(capsys):
    import random

    from autograd import Value  # was: from micrograd.engine import Value
    from nn import MLP  # was: from micrograd.nn import Neuron, Layer, MLP

    make_moons = sklearn_style_make_moons  # was: from sklearn.datasets import make_moons

    # ---- micrograd's demo.ipynb from here on, unchanged ----
    np.random.seed(1337)
    random.seed(1337)

    # make up a dataset
    X, y = make_moons(n_samples=100, noise=0.1)

    y = y * 2 - 1  # make y be -1 or 1

    # initialize a model
    model = MLP(2, [16, 16, 1])  # 2-layer neural network
    print(model)
    print("number of parameters", len(model.parameters()))

    # loss function
    def loss(batch_size=None):
        # inline DataLoader :)
        if batch_size is None:
            Xb, yb = X, y
        else:
            ri = np.random.permutation(X.shape[0])[:batch_size]
            Xb, yb = X[ri], y[ri]
        inputs = [list(map(Value, xrow)) for xrow in Xb]

        # forward the model to get scores
        scores = list(map(model, inputs))

        # svm "max-margin" loss
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(yb, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        # L2 regularization
        alpha = 1e-4
        reg_loss = alpha * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss

        # also get accuracy
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(yb, scores)]
        return total_loss, sum(accuracy) / len(accuracy)

    total_loss, acc = loss()
    print(total_loss, acc)

    # optimization
    for k in range(100):
        # forward
        total_loss, acc = loss()

        # backward
        model.zero_grad()
        total_loss.backward()

        # update (sgd)
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad

        if k % 1 == 0:
            print(f"step {k} loss {total_loss.data}, accuracy {acc * 100}%")
    # ---- end of micrograd's code ----

    total_loss, acc = loss()
    out = capsys.readouterr().out
    assert "number of parameters 337" in out
    assert out.count("\nstep ") == 100
    assert acc >= 0.97, f"final training accuracy {acc:.0%}"
