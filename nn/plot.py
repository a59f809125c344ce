"""Pictures of a trained model: its decision boundary and its training curves.

Both functions return a ``matplotlib.figure.Figure`` built without ``pyplot``, so they work
headless (no display, no GUI backend), never open windows and never need closing; save one
with ``fig.savefig("picture.png")``. As the last expression of a Jupyter cell it shows as a
picture, also in a fresh kernel without ``%matplotlib inline`` (it has a ``_repr_png_``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from autograd import Value, no_grad
from nn.train import History

__all__ = ["plot_decision_boundary", "plot_history"]


def plot_decision_boundary(
    model: Callable,
    X: Sequence[Sequence[float]],
    y: Sequence[int],
    *,
    resolution: int = 80,
    margin: float = 0.5,
    title: str = "decision boundary",
):
    """The model's score over the plane, its zero line, and the points coloured by label.

    ``model`` maps a point ``[x1, x2]`` to one score (a Value or a number); the region where the
    score is positive is one class, the rest the other. ``resolution`` is the number of grid
    points along each axis (the model runs ``resolution²`` times, without recording a graph).

    >>> import random
    >>> from nn import MLP
    >>> model = MLP(2, [4, 1], rng=random.Random(0))
    >>> fig = plot_decision_boundary(model, [[0.0, 0.0], [1.0, 1.0]], [0, 1], resolution=10)
    >>> type(fig).__name__
    'Figure'
    """
    from nn._figure import Figure

    points = [list(map(float, p)) for p in X]
    labels = list(y)
    if not points or len(points) != len(labels) or any(len(p) != 2 for p in points):
        raise ValueError(
            "plot_decision_boundary: X must be a non-empty list of [x1, x2] points with one "
            f"label each (got {len(points)} points and {len(labels)} labels)"
        )
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"plot_decision_boundary: resolution must be an int >= 2 ({resolution!r})")
    xs = _axis([p[0] for p in points], margin, resolution)
    ys = _axis([p[1] for p in points], margin, resolution)
    with no_grad():
        scores = [[_score(model([a, b])) for a in xs] for b in ys]
    bound = max(1e-12, max(abs(s) for row in scores for s in row if math.isfinite(s)))
    fig = Figure(figsize=(6, 5), layout="constrained")
    ax = fig.add_subplot()
    filled = ax.contourf(xs, ys, scores, levels=21, cmap="RdBu", vmin=-bound, vmax=bound)
    ax.contour(xs, ys, scores, levels=[0.0], colors="black", linewidths=1.5)
    fig.colorbar(filled, ax=ax, label="score")
    classes = sorted(set(labels))
    colours = ["tab:red", "tab:blue", "tab:green", "tab:orange", "tab:purple"]
    for i, c in enumerate(classes):
        mine = [p for p, label in zip(points, labels) if label == c]
        ax.scatter(
            [p[0] for p in mine],
            [p[1] for p in mine],
            s=22,
            color=colours[i % len(colours)],
            edgecolors="black",
            linewidths=0.5,
            label=f"label {c}",
        )
    ax.set(title=title, xlabel="x1", ylabel="x2")
    ax.legend(loc="upper right", fontsize="small")
    return fig


def plot_history(history: History, *, title: str = "training"):
    """Loss and accuracy per step, side by side.

    >>> from nn.train import History
    >>> fig = plot_history(History(loss=[1.0, 0.5], accuracy=[0.5, 0.75], lr=[0.1, 0.1],
    ...                            epoch=[0, 1]))
    >>> len(fig.axes)
    2
    """
    from nn._figure import Figure

    if not isinstance(history, History):
        raise TypeError(f"plot_history: expected an nn.History (got {history!r})")
    steps = list(range(len(history.loss)))
    fig = Figure(figsize=(10, 4), layout="constrained")
    loss_ax, acc_ax = fig.subplots(1, 2)
    loss_ax.plot(steps, history.loss, color="tab:red")
    loss_ax.set(title="loss", xlabel="step", ylabel="loss")
    if history.loss and min(history.loss) > 0:
        loss_ax.set_yscale("log")
    acc_ax.plot(steps, [100 * a for a in history.accuracy], color="tab:blue")
    acc_ax.set(title="accuracy", xlabel="step", ylabel="accuracy (%)", ylim=(0, 101))
    for ax in (loss_ax, acc_ax):
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    return fig


def _axis(values: list[float], margin: float, n: int) -> list[float]:
    low, high = min(values) - margin, max(values) + margin
    return [low + (high - low) * i / (n - 1) for i in range(n)]


def _score(out) -> float:
    if isinstance(out, list):
        if len(out) != 1:
            raise ValueError(
                f"plot_decision_boundary: the model must return one score (got {len(out)})"
            )
        out = out[0]
    return out.data if isinstance(out, Value) else float(out)
