"""How big the stepper pages get, and what they cost: MLP(2, [16, 16, 1]) on one example.

A benchmark, never a test: it prints, for micrograd's demo network on one make_moons example,
the size in MB of the BackwardStepper page (``save_html``), its notebook display
(``_repr_html_``) and the LearningStepper page, each with the CPU time it took (this process
and the renderer it runs) as a multiple of one ``draw_dot(loss).pipe("svg")`` of the same
graph. Issue 20's targets: the backward page and the notebook display at most 5 MB and 5x; the
LearningStepper page at most 15 MB within a minute.

    .venv/bin/python bench/page_size.py
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograd import draw_dot
from autograd.stepping import BackwardStepper
from nn import MLP, LearningStepper
from nn.data import make_moons


def cpu() -> float:
    """CPU seconds of this process and of the renderers it has run and waited for."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def timed(make):
    start, wall = cpu(), time.perf_counter()
    out = make()
    return out, cpu() - start, time.perf_counter() - wall


def main() -> None:
    X, y = make_moons(1, noise=0.1, seed=0)
    model = MLP(2, [16, 16, 1], rng=random.Random(0))
    loss = (model(X[0]) - y[0]) ** 2
    _, one, _ = timed(lambda: draw_dot(loss, max_nodes=None).pipe(format="svg"))
    print(f"one draw_dot(...).pipe('svg') of the graph: {one:.2f} s CPU")
    folder = Path(tempfile.mkdtemp())
    cases = {
        "BackwardStepper page": lambda: BackwardStepper(loss, max_nodes=None).save_html(
            folder / "backward.html"
        ),
        "BackwardStepper notebook display": lambda: BackwardStepper(
            loss, max_nodes=None
        )._repr_html_(),
        "LearningStepper page": lambda: LearningStepper(
            model, X[0], y[0], loss="mse", lr=0.1, max_nodes=None
        ).save_html(folder / "learning.html"),
    }
    for name, make in cases.items():
        out, seconds, wall = timed(make)
        size = len(out.encode()) if isinstance(out, str) else out.stat().st_size
        print(
            f"{name}: {size / 1e6:.2f} MB, {seconds:.1f} s CPU ({seconds / one:.1f}x one "
            f"draw_dot), {wall:.1f} s wall"
        )


if __name__ == "__main__":
    main()
