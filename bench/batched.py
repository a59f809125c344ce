"""W3's step on whole arrays: numpy with the chain rule by hand, and batched PyTorch.

Not graph engines of scalars: the peers a learner moves on to. The same network
(``MLP(2, [16, 16, 1])``: ReLU hidden layers, a linear last layer), the same starting weights
(``moons.initial_parameters``, in micrograd's order), the same data, hinge loss + L2 and the
same SGD schedule as the other W3 rows, in float64. Each ``*_step(X, y, values, alpha)``
returns ``run(k) -> loss``: one training step at step number ``k``.
"""

from __future__ import annotations

import itertools


def _layers(nin: int, nouts: list[int], values: list[float]):
    """Per layer: (weights [out][in], biases [out]) as nested lists, from micrograd's order."""
    it = iter(values)
    layers = []
    for fan_in, fan_out in itertools.pairwise([nin, *nouts]):
        ws, bs = [], []
        for _ in range(fan_out):
            ws.append([next(it) for _ in range(fan_in)])
            bs.append(next(it))
        layers.append((ws, bs))
    return layers


def numpy_step(X, y, nin: int, nouts: list[int], values: list[float], alpha: float):
    """W3's step in numpy: forward on the batch as matrix products, backward by hand."""
    import numpy as np

    Ws = [np.array(ws, dtype=np.float64) for ws, _ in _layers(nin, nouts, values)]
    bs = [np.array(b, dtype=np.float64) for _, b in _layers(nin, nouts, values)]
    Xa, ya = np.array(X, dtype=np.float64), np.array(y, dtype=np.float64)
    n, last = len(X), len(Ws) - 1

    def run(k: int) -> float:
        acts, pre = [Xa], []
        for i, (W, b) in enumerate(zip(Ws, bs)):
            z = acts[-1] @ W.T + b
            pre.append(z)
            acts.append(z if i == last else np.maximum(z, 0.0))
        margins = 1.0 - ya * acts[-1][:, 0]
        penalty = sum(float((W * W).sum() + (b * b).sum()) for W, b in zip(Ws, bs))
        loss = float(np.maximum(margins, 0.0).mean()) + alpha * penalty
        g = (-(ya * (margins > 0.0)) / n)[:, None]  # d loss / d score
        lr = 1.0 - 0.9 * k / 100
        for i in range(last, -1, -1):
            if i != last:
                g = g * (pre[i] > 0.0)
            gW, gb = g.T @ acts[i] + 2 * alpha * Ws[i], g.sum(axis=0) + 2 * alpha * bs[i]
            g = g @ Ws[i]
            Ws[i] -= lr * gW
            bs[i] -= lr * gb
        return loss

    return run


def torch_step(X, y, nin: int, nouts: list[int], values: list[float], alpha: float):
    """W3's step in PyTorch on float64 matrices (one thread), autograd doing the backward."""
    import torch

    torch.set_num_threads(1)
    f64 = torch.float64
    layers = _layers(nin, nouts, values)
    params = []
    for ws, b in layers:
        params.append(torch.tensor(ws, dtype=f64, requires_grad=True))
        params.append(torch.tensor(b, dtype=f64, requires_grad=True))
    Xt, yt = torch.tensor(X, dtype=f64), torch.tensor(y, dtype=f64)
    last = len(layers) - 1

    def run(k: int) -> float:
        h = Xt
        for i in range(len(layers)):
            h = h @ params[2 * i].T + params[2 * i + 1]
            if i != last:
                h = h.relu()
        data_loss = (1.0 - yt * h[:, 0]).relu().mean()
        loss = data_loss + alpha * sum((p * p).sum() for p in params)
        for p in params:
            p.grad = None
        loss.backward()
        lr = 1.0 - 0.9 * k / 100
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
        return loss.item()

    return run
