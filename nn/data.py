"""Small 2-D datasets in pure Python, seeded, for training and drawing networks.

Each ``make_*`` returns ``(X, y)``: ``X`` a list of ``[x1, x2]`` points (lists of floats) and
``y`` a list of int class labels ``0, 1, ...``. The same ``seed`` always gives the same data;
``seed=None`` draws fresh randomness. ``make_moons``, ``make_circles`` and ``make_blobs`` follow
scikit-learn's recipes (not its random streams). ``signed_labels`` turns ``0/1`` into the
``-1/+1`` that the hinge loss wants; ``train_test_split`` holds out part of a dataset.

>>> X, y = make_moons(6, noise=0.0, seed=0)
>>> len(X), sorted(y)
(6, [0, 0, 0, 1, 1, 1])
>>> signed_labels([0, 1, 1])
[-1, 1, 1]
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Sequence

__all__ = [
    "make_blobs",
    "make_circles",
    "make_moons",
    "make_spirals",
    "make_xor",
    "signed_labels",
    "train_test_split",
]

Dataset = tuple[list[list[float]], list[int]]


def make_moons(n_samples: int = 100, *, noise: float = 0.1, seed: int | None = None) -> Dataset:
    """Two interleaving half circles: the dataset of micrograd's demo.

    The upper moon (label 0) is ``(cos t, sin t)``, the lower one (label 1) is
    ``(1 - cos t, 0.5 - sin t)`` for ``t`` in ``[0, pi]``; Gaussian noise of standard deviation
    ``noise`` is added to every coordinate, and the points are shuffled.

    >>> X, y = make_moons(100, noise=0.1, seed=1)
    >>> len(X), len(X[0]), y.count(0), y.count(1)
    (100, 2, 50, 50)
    """
    n = _check_count(n_samples, "make_moons")
    rng = _rng(seed, "make_moons")
    n_out = n // 2
    n_in = n - n_out
    X = [[math.cos(t), math.sin(t)] for t in _linspace(0.0, math.pi, n_out)]
    X += [[1.0 - math.cos(t), 0.5 - math.sin(t)] for t in _linspace(0.0, math.pi, n_in)]
    y = [0] * n_out + [1] * n_in
    return _finish(X, y, _check_noise(noise, "make_moons"), rng)


def make_circles(
    n_samples: int = 100, *, noise: float = 0.05, factor: float = 0.5, seed: int | None = None
) -> Dataset:
    """A small circle (label 1, radius ``factor``) inside a unit circle (label 0).

    >>> X, y = make_circles(8, noise=0.0, factor=0.5, seed=0)
    >>> sorted(round(math.hypot(*p), 6) for p in X)
    [0.5, 0.5, 0.5, 0.5, 1.0, 1.0, 1.0, 1.0]
    """
    n = _check_count(n_samples, "make_circles")
    rng = _rng(seed, "make_circles")
    if isinstance(factor, bool) or not isinstance(factor, numbers.Real) or not 0 < factor < 1:
        raise ValueError(f"make_circles: factor must be a number in (0, 1) (got {factor!r})")
    n_out = n // 2
    n_in = n - n_out
    outer = [2 * math.pi * i / n_out for i in range(n_out)]
    inner = [2 * math.pi * i / n_in for i in range(n_in)]
    X = [[math.cos(t), math.sin(t)] for t in outer]
    X += [[factor * math.cos(t), factor * math.sin(t)] for t in inner]
    y = [0] * n_out + [1] * n_in
    return _finish(X, y, _check_noise(noise, "make_circles"), rng)


def make_blobs(
    n_samples: int = 100,
    *,
    centers: int | Sequence[Sequence[float]] = 3,
    cluster_std: float = 1.0,
    center_box: tuple[float, float] = (-10.0, 10.0),
    seed: int | None = None,
) -> Dataset:
    """Gaussian blobs around ``centers``, one class per center.

    ``centers`` is a number of centers (drawn uniformly in ``center_box``) or a list of
    ``[x1, x2]`` centers. Samples are split evenly; the first centers get the remainder.

    >>> X, y = make_blobs(7, centers=[[0, 0], [5, 5]], cluster_std=0.1, seed=0)
    >>> y.count(0), y.count(1)
    (4, 3)
    """
    n = _check_count(n_samples, "make_blobs")
    rng = _rng(seed, "make_blobs")
    std = _check_noise(cluster_std, "make_blobs", "cluster_std")
    if isinstance(centers, int) and not isinstance(centers, bool):
        if centers < 1:
            raise ValueError(f"make_blobs: centers must be >= 1 (got {centers!r})")
        low, high = _check_box(center_box)
        points = [[rng.uniform(low, high), rng.uniform(low, high)] for _ in range(centers)]
    else:
        points = _check_centers(centers)
    k = len(points)
    X, y = [], []
    for c, (cx, cy) in enumerate(points):
        count = n // k + (1 if c < n % k else 0)
        X += [[float(cx), float(cy)] for _ in range(count)]
        y += [c] * count
    return _finish(X, y, std, rng)


def make_xor(n_samples: int = 100, *, noise: float = 0.0, seed: int | None = None) -> Dataset:
    """Points uniform in the square ``[-1, 1]²``, label 1 where exactly one coordinate is > 0.

    No line separates the classes: the classic problem a single neuron cannot learn. ``noise``
    moves the points after labelling (so some land on the other side).

    >>> X, y = make_xor(50, seed=0)
    >>> all((a > 0) != (b > 0) for (a, b), c in zip(X, y) if c == 1)
    True
    """
    n = _check_count(n_samples, "make_xor")
    rng = _rng(seed, "make_xor")
    X = [[rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)] for _ in range(n)]
    y = [int((a > 0) != (b > 0)) for a, b in X]
    return _finish(X, y, _check_noise(noise, "make_xor"), rng)


def make_spirals(
    n_samples: int = 100,
    *,
    n_classes: int = 2,
    turns: float = 1.0,
    noise: float = 0.2,
    seed: int | None = None,
) -> Dataset:
    """``n_classes`` interleaved spiral arms from the origin outwards (CS231n's dataset).

    Arm ``c`` has points at radius ``r`` in ``[0, 1]`` and angle ``2π (turns·r + c/n_classes)``
    plus Gaussian noise of standard deviation ``noise`` radians.

    >>> X, y = make_spirals(9, n_classes=3, seed=0)
    >>> y.count(0), y.count(1), y.count(2)
    (3, 3, 3)
    """
    n = _check_count(n_samples, "make_spirals")
    rng = _rng(seed, "make_spirals")
    if isinstance(n_classes, bool) or not isinstance(n_classes, int) or n_classes < 1:
        raise ValueError(f"make_spirals: n_classes must be an int >= 1 (got {n_classes!r})")
    if isinstance(turns, bool) or not isinstance(turns, numbers.Real) or not turns > 0:
        raise ValueError(f"make_spirals: turns must be a number > 0 (got {turns!r})")
    noise = _check_noise(noise, "make_spirals")
    X, y = [], []
    for c in range(n_classes):
        count = n // n_classes + (1 if c < n % n_classes else 0)
        for r in _linspace(0.0, 1.0, count):
            t = 2 * math.pi * (turns * r + c / n_classes) + rng.gauss(0.0, noise)
            X.append([r * math.cos(t), r * math.sin(t)])
            y.append(c)
    return _finish(X, y, 0.0, rng)


def signed_labels(y: Sequence[int]) -> list[int]:
    """Labels ``0/1`` as ``-1/+1`` (what ``hinge`` expects): ``2 * y - 1``.

    >>> signed_labels([1, 0, 0])
    [1, -1, -1]
    """
    out = []
    for i, label in enumerate(y):
        if isinstance(label, bool) or label not in (0, 1):
            raise ValueError(f"signed_labels: labels must be 0 or 1 (got {label!r} at index {i})")
        out.append(2 * int(label) - 1)
    return out


def train_test_split(
    X: Sequence, y: Sequence, *, test_size: float | int = 0.25, seed: int | None = None
) -> tuple[list, list, list, list]:
    """Shuffle and split into ``X_train, X_test, y_train, y_test`` (scikit-learn's order).

    ``test_size`` is a fraction in ``(0, 1)`` (rounded up to whole examples) or a count.

    >>> X, y = make_moons(10, seed=0)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, seed=0)
    >>> len(X_train), len(X_test), len(y_train), len(y_test)
    (7, 3, 7, 3)
    """
    X, y = list(X), list(y)
    if len(X) != len(y):
        raise ValueError(f"train_test_split: X has {len(X)} examples but y has {len(y)}")
    n = len(X)
    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real):
        raise TypeError(f"train_test_split: test_size must be a number (got {test_size!r})")
    if isinstance(test_size, numbers.Integral):
        n_test = int(test_size)
    elif 0 < test_size < 1:
        n_test = math.ceil(test_size * n)
    else:
        raise ValueError(
            f"train_test_split: a fractional test_size must be in (0, 1) (got {test_size!r})"
        )
    if not 0 < n_test < n:
        raise ValueError(
            f"train_test_split: test_size leaves {n_test} of {n} examples for testing; "
            "both parts must be non-empty"
        )
    order = list(range(n))
    _rng(seed, "train_test_split").shuffle(order)
    test, train = order[:n_test], order[n_test:]
    return [X[i] for i in train], [X[i] for i in test], [y[i] for i in train], [y[i] for i in test]


# ----------------------------------------------------------------------------------------------


def _linspace(start: float, stop: float, n: int) -> list[float]:
    """``n`` evenly spaced numbers from start to stop, both included (numpy's linspace).

    >>> _linspace(0.0, 1.0, 3), _linspace(0.0, 1.0, 1), _linspace(0.0, 1.0, 0)
    ([0.0, 0.5, 1.0], [0.0], [])
    """
    if n <= 0:
        return []
    if n == 1:
        return [start]
    step = (stop - start) / (n - 1)
    return [start + i * step for i in range(n - 1)] + [stop]


def _finish(X: list, y: list, noise: float, rng: random.Random) -> Dataset:
    """Shuffle the examples and add Gaussian noise to every coordinate."""
    order = list(range(len(X)))
    rng.shuffle(order)
    X = [[v + rng.gauss(0.0, noise) if noise else v for v in X[i]] for i in order]
    return X, [y[i] for i in order]


def _rng(seed, where: str) -> random.Random:
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise TypeError(f"{where}: seed must be an int or None (got {seed!r})")
    return random.Random(seed)


def _check_count(n, where: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{where}: n_samples must be an int >= 1 (got {n!r})")
    return n


def _check_noise(noise, where: str, what: str = "noise") -> float:
    # typeshed's numbers ABCs declare no comparison with an int; Python compares them fine
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real) or not 0 <= noise < math.inf:  # type: ignore[operator]
        raise ValueError(f"{where}: {what} must be a finite number >= 0 (got {noise!r})")
    return float(noise)


def _check_box(box) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in box)
    except (TypeError, ValueError):
        raise ValueError(
            f"make_blobs: center_box must be a pair (low, high) (got {box!r})"
        ) from None
    if not low < high:
        raise ValueError(f"make_blobs: center_box must have low < high (got {box!r})")
    return low, high


def _check_centers(centers) -> list[list[float]]:
    try:
        points = [[float(a), float(b)] for a, b in centers]
    except (TypeError, ValueError):
        raise ValueError(
            f"make_blobs: centers must be a count or a list of [x1, x2] points (got {centers!r})"
        ) from None
    if not points:
        raise ValueError("make_blobs: centers is empty")
    return points
