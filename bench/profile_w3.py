"""Where does stepgrad's time go? Phases of W3's step, then cProfile's top functions.

    .venv/bin/python bench/profile_w3.py            # W3: phases, then cProfile of 20 steps
    .venv/bin/python bench/profile_w3.py w1 500000  # W1: cProfile of a chain of N steps

The phases are timed in CPU time (``time.process_time``), which a busy machine disturbs less
than wall time; the median of 20 steps is shown.
"""

from __future__ import annotations

import cProfile
import pstats
import statistics
import sys
import time

from engines import stepgrad
from moons import two_moons
from workloads import _demo_model, chain, demo_loss, demo_step

from autograd import topological_order


def phases(steps: int = 20) -> None:
    """W3's step cut in phases: forward, the sort alone, backward (with its sort), the rest."""
    engine = stepgrad()
    X, y = two_moons(100)
    model = _demo_model(engine)
    names = ["forward (loss over 100 points)", "topological sort alone", "backward (sort + walk)"]
    names += ["zero_grad + SGD update", "freeing the graph"]
    times = {name: [] for name in names}
    clock = time.process_time
    for k in range(steps):
        t0 = clock()
        loss = demo_loss(model, engine.Value, X, y)
        t1 = clock()
        topological_order(loss, include_leaves=False)
        t2 = clock()
        model.zero_grad()
        t3 = clock()
        loss.backward()
        t4 = clock()
        for p in model.parameters():
            p.data -= (1.0 - 0.9 * k / 100) * p.grad
        t5 = clock()
        del loss
        t6 = clock()
        for name, dt in zip(names, [t1 - t0, t2 - t1, t4 - t3, t3 - t2 + t5 - t4, t6 - t5]):
            times[name].append(dt)
    loss = demo_loss(model, engine.Value, X, y)
    inner = topological_order(loss, include_leaves=False)
    model.zero_grad()
    loss.backward()
    zeros = [v for v in inner if v.grad == 0.0]
    edges, zero_edges = (sum(len(v.parents) for v in nodes) for nodes in (inner, zeros))
    print(
        f"W3 step on stepgrad ({engine.note}), {len(topological_order(loss)):,} nodes, "
        f"{edges:,} edges; CPU ms, median of {steps}:"
    )
    for name, ts in times.items():
        print(f"  {name:<32}{statistics.median(ts) * 1000:8.2f}")
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
        X, y = two_moons(100)
        model = _demo_model(engine)
        profiler.enable()
        for k in range(20):
            demo_step(model, engine, X, y, k)
        profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
