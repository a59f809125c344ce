"""Two moons in pure Python, seeded: the data of Karpathy's micrograd demo.

The same recipe as scikit-learn's ``make_moons(n_samples, noise)``: two interleaved half
circles with Gaussian noise, shuffled; labels are -1 and +1 as in the demo (``y * 2 - 1``).
The bench makes its own data so that it depends on nothing but the engines it measures.
"""

from __future__ import annotations

import itertools
import math
import random


def two_moons(n: int = 100, *, noise: float = 0.1, seed: int = 1337):
    """``(X, y)``: n points ``[x0, x1]`` and their labels in {-1.0, +1.0}."""
    rng = random.Random(seed)
    n_outer = n // 2
    n_inner = n - n_outer
    points = []
    for i in range(n_outer):  # upper moon: label -1
        t = math.pi * i / (n_outer - 1)
        points.append(([math.cos(t), math.sin(t)], -1.0))
    for i in range(n_inner):  # lower moon, shifted: label +1
        t = math.pi * i / (n_inner - 1)
        points.append(([1.0 - math.cos(t), 0.5 - math.sin(t)], 1.0))
    rng.shuffle(points)
    X = [[x0 + rng.gauss(0.0, noise), x1 + rng.gauss(0.0, noise)] for (x0, x1), _ in points]
    y = [label for _, label in points]
    return X, y


def initial_parameters(nin: int, nouts: list[int], *, seed: int = 1337) -> list[float]:
    """Starting weights in micrograd's ``parameters()`` order: per neuron its weights, then 0.0."""
    rng = random.Random(seed)
    sizes = [nin, *nouts]
    values = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        for _ in range(fan_out):
            values += [rng.uniform(-1.0, 1.0) for _ in range(fan_in)]
            values.append(0.0)
    return values
