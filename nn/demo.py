"""The main job: ``python -m nn.demo`` (a minimal demo until the networks land).

One neuron, y = w * x + b, learns the line y = 2x - 1 from eight points by gradient descent.
Every step is the three steps of learning: forward pass, backward pass, update.
"""

from __future__ import annotations

import argparse
import random

from autograd import Value, no_grad


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nn.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200, help="gradient-descent steps")
    parser.add_argument("--seed", type=int, default=0, help="seed for the initial weights")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    w, b = Value(rng.uniform(-1, 1), label="w"), Value(0.0, label="b")
    xs = [i / 4 for i in range(-4, 4)]
    ys = [2.0 * x - 1.0 for x in xs]
    for step in range(args.steps):
        loss = sum(((w * x + b) - y) ** 2 for x, y in zip(xs, ys)) / len(xs)
        w.grad = b.grad = 0.0
        loss.backward()
        with no_grad():
            w.data -= 0.3 * w.grad
            b.data -= 0.3 * b.grad
        if step % 50 == 0 or step == args.steps - 1:
            print(f"step {step:4d}  loss {loss.data:.6f}  w {w.data:+.4f}  b {b.data:+.4f}")
    print(f"learned y = {w.data:.4f} x {b.data:+.4f} (target y = 2 x - 1)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
