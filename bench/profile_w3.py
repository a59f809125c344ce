"""Where does stepgrad's time go? Phases of W3's step in nn.train, then cProfile's top functions.

    .venv/bin/python bench/profile_w3.py            # W3: phases, then cProfile of 20 steps
    .venv/bin/python bench/profile_w3.py w1 500000  # W1: cProfile of a chain of N steps

The phases are those of ``nn.train(..., compile=False)``'s engine step (its forward over the
batch, the hinge loss, the L2 penalty, ``zero_grad``, ``backward()``, the SGD update, freeing
the graph), each timed in CPU time (``time.process_time``, which a busy machine disturbs less
than wall time) with the cyclic collector paused, as ``train`` pauses it; the median of 20
steps is shown. cProfile then runs ``train`` itself for 20 steps.
"""

from __future__ import annotations

import cProfile
import gc
import pstats
import statistics
import sys
import time
from itertools import pairwise

from engines import stepgrad
from moons import initial_parameters, two_moons
from workloads import ALPHA, W3_SIZES, chain

from autograd import topological_order
from nn import MLP, SGD, losses, train

try:
    from nn.layers import outputs_of_batch
except ImportError:  # an older revision: train called the model example by example

    def outputs_of_batch(model, xb):  # type: ignore[misc]
        return [model(x) for x in xb]


PHASES = [
    "forward (100 points, the network)",
    "hinge loss",
    "L2 penalty",
    "zero_grad",
    "topological sort alone",
    "backward (sort + walk)",
    "SGD update",
    "freeing the graph",
]


def _model_and_data() -> tuple[MLP, list, list]:
    X, y = two_moons(100)
    model = MLP(2, W3_SIZES)
    for p, v in zip(model.parameters(), initial_parameters(2, W3_SIZES)):
        p.data = v
    return model, [list(x) for x in X], list(y)


def _one_step(model: MLP, X: list, y: list, optimizer: SGD) -> tuple[list[float], object]:
    """nn.train's engine step, cut in PHASES; returns their CPU times and the loss node."""
    clock = time.process_time
    t = [clock()]
    outputs = outputs_of_batch(model, X)  # what train's engine step calls
    t.append(clock())
    data_loss = losses.hinge(outputs, y)
    t.append(clock())
    total = data_loss + losses.l2_penalty(optimizer.params, ALPHA)
    t.append(clock())
    optimizer.zero_grad()
    t.append(clock())
    topological_order(total, include_leaves=False)
    t.append(clock())
    total.backward()
    t.append(clock())
    optimizer.step()
    t.append(clock())
    return [b - a for a, b in pairwise(t)], total


def phases(steps: int = 20) -> None:
    """W3's step in nn.train, phase by phase, as its engine step runs it."""
    model, X, y = _model_and_data()
    optimizer = SGD(model.parameters(), lr=lambda k: 1.0 - 0.9 * k / 100)
    times: dict[str, list[float]] = {name: [] for name in PHASES}
    gc.disable()
    try:
        for _ in range(steps + 1):  # the first step warms up
            dts, total = _one_step(model, X, y, optimizer)
            t0 = time.process_time()
            del total
            dts.append(time.process_time() - t0)
            for name, dt in zip(PHASES, dts):
                times[name].append(dt)
    finally:
        gc.enable()
    _report(model, X, y, times, steps)


def _report(model: MLP, X: list, y: list, times: dict, steps: int) -> None:
    total = losses.hinge(outputs_of_batch(model, X), y)
    total = total + losses.l2_penalty(model.parameters(), ALPHA)
    inner = topological_order(total, include_leaves=False)
    model.zero_grad()
    total.backward()
    zeros = [v for v in inner if v.grad == 0.0]
    edges, zero_edges = (sum(len(v.parents) for v in nodes) for nodes in (inner, zeros))
    print(
        f"W3 step of nn.train(compile=False), {len(topological_order(total)):,} nodes, "
        f"{edges:,} edges; CPU ms, median of {steps} (collector paused):"
    )
    step = 0.0
    for name, ts in times.items():
        median = statistics.median(ts[1:]) * 1000
        step += 0.0 if name == "topological sort alone" else median
        print(f"  {name:<36}{median:8.2f}")
    print(f"  {'a step (without the sort alone)':<36}{step:8.2f}")
    print(
        f"after step {steps}: {len(zeros):,} of {len(inner):,} inner nodes ({zero_edges:,} of "
        f"{edges:,} edges) get a gradient of exactly 0, so backward() can skip their rules"
    )


def main() -> None:
    what = sys.argv[1] if len(sys.argv) > 1 else "w3"
    engine = stepgrad()
    profiler = cProfile.Profile()
    if what == "w1":
        n = int(sys.argv[2]) if len(sys.argv) > 2 else 500_000
        x = engine.leaf(0.5)
        profiler.enable()
        y = chain(x, n)
        y.backward()
        profiler.disable()
    else:
        phases()
        model, X, y = _model_and_data()
        optimizer = SGD(model.parameters(), lr=lambda k: 1.0 - 0.9 * k / 100)
        profiler.enable()
        train(model, X, y, optimizer=optimizer, loss="hinge", epochs=20, l2=ALPHA,
              progress=False, compile=False)  # fmt: skip
        profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
