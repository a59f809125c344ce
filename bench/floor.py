"""The floor: W3's training step written by hand in pure Python, with no graph at all.

Lists of floats for the weights, an explicit forward pass that keeps the activations, and an
explicit backward pass (the chain rule applied by hand). It computes what the graph engines
compute, in the same order of additions, so its loss matches theirs to rounding. No engine
that records a graph of Python objects can beat it by much: it is the floor.
"""

from __future__ import annotations

import itertools


class FloorMLP:
    """An MLP (ReLU hidden layers, linear last layer) as nested lists of floats."""

    def __init__(self, nin: int, nouts: list[int], values: list[float]) -> None:
        sizes = [nin, *nouts]
        it = iter(values)
        self.layers = []  # per layer: (weights [out][in], biases [out])
        for fan_in, fan_out in itertools.pairwise(sizes):
            ws, bs = [], []
            for _ in range(fan_out):
                ws.append([next(it) for _ in range(fan_in)])
                bs.append(next(it))
            self.layers.append((ws, bs))

    def parameters(self) -> list[float]:
        return [v for ws, bs in self.layers for w, b in zip(ws, bs) for v in (*w, b)]

    def step(self, X, y, learning_rate: float, alpha: float = 1e-4) -> float:
        """One step: forward over all points, hinge loss + L2, backward, SGD. Returns the loss."""
        layers = self.layers
        last = len(layers) - 1
        n = len(X)
        grads = [([[0.0] * len(w) for w in ws], [0.0] * len(bs)) for ws, bs in layers]
        data_loss = 0
        for x, yi in zip(X, y):
            acts = [x]  # the input of each layer
            for li, (ws, bs) in enumerate(layers):
                a = acts[-1]
                out = []
                for w, b in zip(ws, bs):
                    s = b
                    for wj, aj in zip(w, a):
                        s = s + wj * aj
                    out.append(s if li == last or s > 0.0 else 0.0)
                acts.append(out)
            score = acts[-1][0]
            margin = 1.0 + -yi * score
            data_loss = data_loss + (margin if margin > 0.0 else 0.0)
            # backward for this point: d(loss)/d(score) = -y/n where the hinge is active
            d_out = [(-yi * (1.0 / n)) if margin > 0.0 else 0.0]
            for li in range(last, -1, -1):
                ws, _ = layers[li]
                gw, gb = grads[li]
                a = acts[li]
                out = acts[li + 1]
                d_in = [0.0] * len(a)
                for k, (w, dk) in enumerate(zip(ws, d_out)):
                    if li != last and out[k] <= 0.0:  # relu'(0) = 0
                        continue
                    gb[k] += dk
                    gwk = gw[k]
                    for j, aj in enumerate(a):
                        gwk[j] += dk * aj
                        d_in[j] += dk * w[j]
                d_out = d_in
        reg = 0
        for ws, bs in layers:
            for w, b in zip(ws, bs):
                for v in (*w, b):
                    reg = reg + v * v
        loss = data_loss * (1.0 / n) + alpha * reg
        for (ws, bs), (gw, gb) in zip(layers, grads):  # d(alpha * sum p^2)/dp = 2 alpha p
            for k, (w, gwk) in enumerate(zip(ws, gw)):
                for j in range(len(w)):
                    w[j] -= learning_rate * (gwk[j] + alpha * 2.0 * w[j])
                bs[k] -= learning_rate * (gb[k] + alpha * 2.0 * bs[k])
        return loss
