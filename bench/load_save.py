"""How long ``nn.save``, ``nn.load`` and ``load_state_dict`` take as a model grows.

Prints one row per size: the parameter count and the CPU seconds of each operation
(the best of ``--rounds``). Loading should grow linearly with the number of parameters; a
quadratic check once made 23k parameters take over 15 seconds. Nothing is asserted.

    .venv/bin/python bench/load_save.py              # 1k to 100k parameters
    .venv/bin/python bench/load_save.py --sizes 16,64 --rounds 1
    .venv/bin/python bench/load_save.py --sizes 316   # 101k parameters
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from nn import MLP, load, save


def best_of(rounds: int, fn) -> float:
    """The shortest CPU time of ``rounds`` calls of ``fn`` (steadier than wall time here)."""
    times = []
    for _ in range(rounds):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="16,32,64,128,224",
        help="hidden widths of MLP(2, [w, w, 1]) (default: 16,32,64,128,224: 337 to 51k "
        "parameters); add 316 for 101k",
    )
    parser.add_argument("--rounds", type=int, default=3, help="best of this many runs")
    args = parser.parse_args()
    widths = [int(w) for w in args.sizes.split(",")]
    print(f"{'params':>8} {'save s':>8} {'load s':>8} {'load into s':>12} {'state_dict s':>13}")
    with tempfile.TemporaryDirectory() as folder:
        for w in widths:
            model = MLP(2, [w, w, 1], rng=random.Random(0))
            path = Path(folder) / f"mlp{w}.json"
            state = model.state_dict()
            t_save = best_of(args.rounds, lambda m=model, p=path: save(m, p))
            t_load = best_of(args.rounds, lambda p=path: load(p))
            t_into = best_of(args.rounds, lambda m=model, p=path: load(p, m))
            t_state = best_of(args.rounds, lambda m=model, s=state: m.load_state_dict(s))
            n = len(state)
            print(f"{n:>8} {t_save:>8.3f} {t_load:>8.3f} {t_into:>12.3f} {t_state:>13.3f}")


if __name__ == "__main__":
    main()
