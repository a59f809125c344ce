"""Profile stepgrad on one workload with cProfile: where does the time go?

.venv/bin/python bench/profile_w3.py            # W3, 20 demo steps
.venv/bin/python bench/profile_w3.py w1 500000  # W1, a chain of N steps
"""

from __future__ import annotations

import cProfile
import pstats
import sys

from engines import stepgrad
from moons import two_moons
from workloads import _demo_model, chain, demo_step


def main() -> None:
    engine = stepgrad()
    what = sys.argv[1] if len(sys.argv) > 1 else "w3"
    profiler = cProfile.Profile()
    if what == "w1":
        n = int(sys.argv[2]) if len(sys.argv) > 2 else 500_000
        x = engine.leaf(0.5)
        profiler.enable()
        y = chain(x, n)
        y.backward()
        profiler.disable()
    else:
        X, y = two_moons(100)
        model = _demo_model(engine)
        profiler.enable()
        for k in range(20):
            demo_step(model, engine, X, y, k)
        profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
