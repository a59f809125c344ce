"""stepgrad's neural networks, built from ``autograd.Value``.

Modules (``Neuron``, ``Layer``, ``MLP``) behave like micrograd's; losses live in
``nn.losses``, datasets in ``nn.data``, pictures in ``nn.plot``. ``train`` and ``evaluate`` run
the learning loop; ``save`` and ``load`` keep a model in a JSON file; ``to_torch`` and
``from_torch`` move an MLP to PyTorch and back (with the optional ``torch`` extra).

>>> import random
>>> from nn import MLP, SGD, train, evaluate
>>> from nn.data import make_moons, signed_labels
>>> X, y = make_moons(40, noise=0.1, seed=0)
>>> y = signed_labels(y)
>>> model = MLP(2, [8, 8, 1], rng=random.Random(0))
>>> history = train(model, X, y, optimizer=SGD(model.parameters(), lr=0.2), loss="hinge",
...                 epochs=30, l2=1e-4, progress=False)
>>> evaluate(model, X, y).accuracy > 0.8
True
"""

from __future__ import annotations

import typing

import autograd

if not getattr(autograd, "__stepgrad__", False):
    # HIPS autograd (PyPI 'autograd') overwrote or removed stepgrad's autograd package; the
    # message cannot come from autograd._guard, which may be gone too.
    raise ImportError(
        "stepgrad's `nn` needs stepgrad's `autograd`, but the `autograd` package found at "
        f"{getattr(autograd, '__path__', ['?'])[0]} is a different one: the PyPI package "
        "'autograd' (HIPS autograd) overwrote or removed it. Use a separate virtual "
        "environment, or run `pip uninstall autograd stepgrad` and then reinstall stepgrad."
    )

__version__ = autograd.__version__  # one distribution, one version

from nn import data, losses, plot
from nn.layers import MLP, Layer, Neuron
from nn.module import Module
from nn.optim import SGD, Adam, Optimizer, linear_decay
from nn.saving import load, save
from nn.stepper import LearningStepper
from nn.train import Evaluation, History, evaluate, train


def to_torch(model: MLP, *, dtype: typing.Any = None, in_order: bool = True) -> typing.Any:
    """``model`` as a ``torch.nn.Module`` with the same weights (float64 unless ``dtype``).

    Needs PyTorch (``pip install 'stepgrad[torch]'``), imported here, on the first call, so
    ``import nn`` never imports it; without it this raises ``ImportError`` naming the extra.
    Documented, with examples, in ``nn.torch_bridge.to_torch``.
    """
    from nn import torch_bridge

    if dtype is None:
        dtype = torch_bridge.torch.float64
    return torch_bridge.to_torch(model, dtype=dtype, in_order=in_order)


def from_torch(module: typing.Any) -> MLP:
    """The ``nn.MLP`` with the architecture and weights of a PyTorch network.

    Needs PyTorch, like ``to_torch``. Documented, with examples, in
    ``nn.torch_bridge.from_torch``.
    """
    from nn import torch_bridge

    return torch_bridge.from_torch(module)


__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "Evaluation",
    "History",
    "Layer",
    "LearningStepper",
    "Module",
    "Neuron",
    "Optimizer",
    "data",
    "evaluate",
    "from_torch",
    "linear_decay",
    "load",
    "losses",
    "plot",
    "save",
    "to_torch",
    "train",
]
