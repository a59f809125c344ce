"""The engines the bench compares, behind one small interface.

Each engine gives the workloads what they need: ``leaf(x)`` (a float that gets a gradient),
``add_all`` (or None), ``backward(y)``, ``grad_of(leaf)``, ``count_nodes(y)`` and
``mlp(nin, nouts)`` with micrograd's API. Every engine is imported only when asked for, inside
its own worker process, so the engines never share an interpreter.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class Engine:
    name: str
    Value: Callable[[float], Any]  # what the W3 code calls to wrap its inputs
    leaf: Callable[[float], Any]
    backward: Callable[[Any], None]
    grad_of: Callable[[Any], float]
    data_of: Callable[[Any], float]
    count_nodes: Callable[[Any], int] | None
    mlp: Callable[..., Any] | None
    add_all: Callable[[list], Any] | None = None
    note: str = ""
    sees_memory: bool = True  # False when the engine allocates outside tracemalloc's view
    update: Callable[[Any, float], None] | None = None  # SGD update of one parameter


def _count(root, parents_of) -> int:
    """Nodes reachable from root, without recursion."""
    seen = {id(root)}
    stack = [root]
    while stack:
        for p in parents_of(stack.pop()):
            if id(p) not in seen:
                seen.add(id(p))
                stack.append(p)
    return len(seen)


def _sgd(p, learning_rate: float) -> None:
    p.data -= learning_rate * p.grad


def stepgrad(*, fused: bool = True) -> Engine:
    """stepgrad; W3 on ``nn.MLP`` (fused ``affine`` neurons).

    With ``fused=False``: on micrograd's own ``nn.py`` running on stepgrad's Value.
    """
    from autograd import Value, add_all, topological_order

    if fused:
        from nn import MLP as mlp  # stepgrad's networks: each neuron one fused affine node

        note = "nn.MLP"
    else:
        mlp, note = _micrograd_nn_on(Value), "micrograd's nn.py on stepgrad's Value"
    return Engine(
        name="stepgrad" if fused else "stepgrad-unfused",
        Value=Value,
        leaf=Value,
        backward=lambda y: y.backward(),
        grad_of=lambda v: v.grad,
        data_of=lambda v: v.data,
        count_nodes=lambda y: len(topological_order(y)),
        mlp=mlp,
        add_all=add_all,
        note=note,
        update=_sgd,
    )


def _micrograd_nn_on(value_class):
    """micrograd's nn.py, verbatim, with its Value swapped for another engine's."""
    import micrograd.nn

    micrograd.nn.Value = value_class
    return micrograd.nn.MLP


def micrograd() -> Engine:
    from micrograd.engine import Value
    from micrograd.nn import MLP

    sys.setrecursionlimit(10_000_000)  # its topological sort recurses once per node in a chain
    return Engine(
        name="micrograd",
        Value=Value,
        leaf=Value,
        backward=lambda y: y.backward(),
        grad_of=lambda v: v.grad,
        data_of=lambda v: v.data,
        count_nodes=lambda y: _count(y, lambda v: v._prev),
        mlp=MLP,
        note="micrograd 0.1.0, recursion limit raised to 10,000,000",
        update=_sgd,
    )


def torch() -> Engine:
    import torch

    torch.set_num_threads(1)
    f64 = torch.float64

    def leaf(x):
        return torch.tensor(float(x), dtype=f64, requires_grad=True)

    def count(y):
        return _count(y.grad_fn, lambda f: [g for g, _ in f.next_functions if g is not None])

    def update(p, learning_rate):
        with torch.no_grad():
            p -= learning_rate * p.grad

    return Engine(
        name="torch",
        Value=lambda x: torch.tensor(float(x), dtype=f64),
        leaf=leaf,
        backward=lambda y: y.backward(),
        grad_of=lambda v: v.grad.item(),
        data_of=lambda v: v.detach().item(),
        count_nodes=count,
        mlp=_torch_mlp(leaf),
        note=f"torch {torch.__version__}, 0-dim float64 tensors, 1 thread",
        sees_memory=False,
        update=update,
    )


def _torch_mlp(leaf):
    """micrograd's MLP, with each weight a 0-dim tensor."""

    class Neuron:
        def __init__(self, nin, nonlin=True):
            self.w = [leaf(0.0) for _ in range(nin)]
            self.b = leaf(0.0)
            self.nonlin = nonlin

        def __call__(self, x):
            act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
            return act.relu() if self.nonlin else act

        def parameters(self):
            return [*self.w, self.b]

    class MLP:
        def __init__(self, nin, nouts):
            sz = [nin, *nouts]
            self.layers = [
                [Neuron(sz[i], nonlin=i != len(nouts) - 1) for _ in range(sz[i + 1])]
                for i in range(len(nouts))
            ]

        def __call__(self, x):
            for layer in self.layers:
                x = [n(x) for n in layer]
            return x[0] if len(x) == 1 else x

        def parameters(self):
            return [p for layer in self.layers for n in layer for p in n.parameters()]

        def zero_grad(self):
            for p in self.parameters():
                p.grad = None

    return MLP


def stepgrad_compiled() -> Engine:
    """stepgrad's ``nn.MLP`` trained the way ``nn.train(compile=True)`` does (W3 only)."""
    engine = stepgrad(fused=True)
    engine.name = "stepgrad-compiled"
    engine.note = "nn.MLP, one example's loss compiled as a loop body (nn.train(compile=True))"
    return engine


ENGINES = {
    "stepgrad": lambda: stepgrad(fused=True),
    "stepgrad-compiled": stepgrad_compiled,
    "stepgrad-unfused": lambda: stepgrad(fused=False),
    "micrograd": micrograd,
    "torch": torch,
}
