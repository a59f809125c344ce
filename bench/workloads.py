"""The three workloads, written once for every engine, and the worker that runs one job.

W3 also runs through ``nn.train`` itself (``w3train``: the engine's step, ``compile=None``)
and on whole arrays (``w3batched``: numpy, batched PyTorch).

A job is one workload on one engine, run ``repeat`` times in a fresh process (with ``"path"``,
that folder's ``autograd`` and ``nn`` are imported instead of the installed ones):
``python bench/workloads.py '{"workload": "w1", "engine": "micrograd", "n": 5000}'`` prints
one JSON line with the samples (seconds) and a check value that must agree across engines.
``run.py`` starts the jobs, interleaves the engines and prints the table.
"""

from __future__ import annotations

import gc
import json
import sys
import time
import traceback
import tracemalloc

from moons import initial_parameters, two_moons

W3_SIZES = [16, 16, 1]  # MLP(2, [16, 16, 1]), Karpathy's demo
ALPHA = 1e-4


# -- W1: a deep chain ---------------------------------------------------------------------------


def chain(x, n: int):
    """``y = (0.0001 + 1.0001 * y) ** 0.9999``, n times."""
    y = x
    for _ in range(n):
        y = (0.0001 + 1.0001 * y) ** 0.9999
    return y


def w1(engine, n: int, repeat: int) -> dict:
    forward, backward = [], []
    for _ in range(repeat):
        x = engine.leaf(0.5)
        gc.collect()  # start each sample without the previous sample's garbage
        t0 = time.perf_counter()
        y = chain(x, n)
        t1 = time.perf_counter()
        engine.backward(y)
        t2 = time.perf_counter()
        forward.append(t1 - t0)
        backward.append(t2 - t1)
        check = engine.grad_of(x)
        del y
    return {"forward": forward, "backward": backward, "check": check}


def w1_memory(engine, n: int) -> dict:
    """Bytes the graph of W1 holds after the forward pass, per node and per chain step."""
    gc.collect()
    x = engine.leaf(0.5)
    if engine.sees_memory:
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        y = chain(x, n)
        used = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        how = "tracemalloc"
    else:  # C++ allocations: tracemalloc sees none of them, the resident set does
        before = _rss()
        y = chain(x, n)
        used = _rss() - before
        how = "rss"
    nodes = engine.count_nodes(y)
    return {"bytes": used, "nodes": nodes, "steps": n, "how": how}


def w1_big(engine, n: int) -> dict:
    """One forward + backward of W1's chain, wall and CPU time, and the process's peak memory.

    The peak is the resident set's high-water mark (``ru_maxrss``) minus the resident set
    before the chain was built: the graph, the sort's stacks and the backward together.
    """
    import resource

    x = engine.leaf(0.5)
    gc.collect()
    before = _rss()
    c0, t0 = time.process_time(), time.perf_counter()
    y = chain(x, n)
    c1, t1 = time.process_time(), time.perf_counter()
    engine.backward(y)
    c2, t2 = time.process_time(), time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before  # kB on Linux
    return {
        "forward": [t1 - t0],
        "backward": [t2 - t1],
        "forward cpu": [c1 - c0],
        "backward cpu": [c2 - c1],
        "peak": peak,
        "nodes": 3 * n + 1,
        "check": engine.grad_of(x),
    }


def _rss() -> int:
    with open("/proc/self/statm") as f:
        import os

        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# -- W2: a wide sum -----------------------------------------------------------------------------


def w2(engine, n: int, repeat: int, variant: str) -> dict:
    import random

    rng = random.Random(0)
    forward, backward = [], []
    for _ in range(repeat):
        a = [engine.leaf(rng.uniform(-1.0, 1.0)) for _ in range(n)]
        b = [engine.leaf(rng.uniform(-1.0, 1.0)) for _ in range(n)]
        gc.collect()
        t0 = time.perf_counter()
        if variant == "add_all":
            y = engine.add_all([ai * bi for ai, bi in zip(a, b)])
        else:
            y = sum(ai * bi for ai, bi in zip(a, b))
        t1 = time.perf_counter()
        engine.backward(y)
        t2 = time.perf_counter()
        forward.append(t1 - t0)
        backward.append(t2 - t1)
        check = sum(engine.grad_of(ai) for ai in a)
        del y, a, b
    return {"forward": forward, "backward": backward, "check": check}


# -- W3: Karpathy's demo step ----------------------------------------------------------------


def demo_loss(model, Value, X, y):
    """The loss of micrograd's demo notebook: hinge loss + L2, over all points."""
    inputs = [list(map(Value, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum(p * p for p in model.parameters())
    return data_loss + reg_loss


def demo_step(model, engine, X, y, k: int):
    """One training step: forward over all points, zero_grad, backward, SGD update."""
    total_loss = demo_loss(model, engine.Value, X, y)
    model.zero_grad()
    engine.backward(total_loss)
    learning_rate = 1.0 - 0.9 * k / 100
    update = engine.update
    for p in model.parameters():
        update(p, learning_rate)
    return engine.data_of(total_loss)


def _demo_model(engine, sizes: list[int]):
    model = engine.mlp(2, sizes)
    params = model.parameters()
    values = initial_parameters(2, sizes)
    if len(params) != len(values):
        raise RuntimeError(f"{engine.name}: {len(params)} parameters, expected {len(values)}")
    for p, v in zip(params, values):
        if hasattr(p, "requires_grad"):  # torch
            with __import__("torch").no_grad():
                p.fill_(v)
        else:
            p.data = v
    return model


def _timed(run, repeat: int) -> tuple[list[float], list[float], list]:
    """``run(k)`` for k = 0..repeat: wall and CPU time of each but the first, and every loss."""
    steps, cpu, losses = [], [], []
    for k in range(repeat + 1):  # step 0 warms up and is not timed
        c0, t0 = time.process_time(), time.perf_counter()
        losses.append(run(k))
        t1, c1 = time.perf_counter(), time.process_time()
        if k:
            steps.append(t1 - t0)
            cpu.append(c1 - c0)
    return steps, cpu, losses


def w3(engine, repeat: int, width: int = W3_SIZES[0]) -> dict:
    """``repeat`` training steps after one untimed warm-up step; wall and CPU time of each.

    ``width``: the two hidden layers' size (16 in the demo; ``run.py --w3-width``).
    """
    X, y = two_moons(100)
    sizes = [width, width, 1]
    if engine is None:  # the floor: pure Python, no graph
        from floor import FloorMLP

        model = FloorMLP(2, sizes, initial_parameters(2, sizes))
        run = lambda k: model.step(X, y, 1.0 - 0.9 * k / 100, ALPHA)
    elif engine.name == "stepgrad-compiled":
        model = _demo_model(engine, sizes)
        run, compiled_in = _compiled_demo_step(model, X, y)
    else:
        model = _demo_model(engine, sizes)
        run = lambda k: demo_step(model, engine, X, y, k)
    steps, cpu, losses = _timed(run, repeat)
    result = {"wall": steps, "cpu": cpu, "check": losses[0], "losses": losses}
    if engine is not None and engine.name == "stepgrad-compiled":
        wall, cpu_time = compiled_in
        result["note"] = (
            f"{engine.note}; compiled in {wall * 1e3:.1f} ms (CPU {cpu_time * 1e3:.1f} ms)"
        )
        result["compiled_in"] = [wall, cpu_time]
    return result


def _compiled_demo_step(model, X, y):
    """W3's step with the loss compiled: hinge + L2 as nn.losses has them; returns the compile time.

    The demo's loss adds with the builtin ``sum`` and nn.losses with ``add_all``: the first
    losses agree to rounding (the table's check), not to the bit.
    """
    from nn._compiled_train import CompiledStep

    t0, c0 = time.perf_counter(), time.process_time()
    step = CompiledStep(model, "hinge", X, y, model.parameters(), ALPHA)
    compiled_in = (time.perf_counter() - t0, time.process_time() - c0)
    params = model.parameters()

    def run(k: int) -> float:
        value, _ = step(X, y)
        step.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in params:
            p.data -= learning_rate * p.grad
        return value

    return run, compiled_in


def w3_train(compile: bool | None, repeat: int) -> dict:
    """W3 through ``nn.train`` itself: ``repeat`` steps after one untimed first step.

    One call of ``train(..., epochs=repeat + 1)`` (full batch: one step per epoch); an SGD
    that notes the clock after each update cuts it in steps, so a step is everything
    ``train`` does between two updates (forward, checks, backward, update, the history). The
    first step, which includes compiling with ``compile=None`` or ``True``, is not timed.
    """
    from itertools import pairwise

    from nn import MLP, SGD, train

    X, y = two_moons(100)
    model = MLP(2, W3_SIZES)
    for p, v in zip(model.parameters(), initial_parameters(2, W3_SIZES)):
        p.data = v
    marks = []

    class TimedSGD(SGD):
        def step(self) -> None:
            super().step()
            marks.append((time.perf_counter(), time.process_time()))

    optimizer = TimedSGD(model.parameters(), lr=lambda k: 1.0 - 0.9 * k / 100)
    history = train(model, X, y, optimizer=optimizer, loss="hinge", epochs=repeat + 1, l2=ALPHA,
                    progress=False, compile=compile)  # fmt: skip
    path = "the compiled step" if history.compiled else "the engine's step"
    return {
        "wall": [b[0] - a[0] for a, b in pairwise(marks)],
        "cpu": [b[1] - a[1] for a, b in pairwise(marks)],
        "check": history.loss[0],
        "losses": history.loss,
        "note": f"nn.train(compile={compile}) on nn.MLP: ran {path}",
    }


def w3_batched(name: str, repeat: int) -> dict:
    """W3 on whole arrays (``batched.py``): numpy by hand, or PyTorch's batched autograd."""
    import batched

    X, y = two_moons(100)
    make = batched.numpy_step if name == "numpy" else batched.torch_step
    run = make(X, y, 2, W3_SIZES, initial_parameters(2, W3_SIZES), ALPHA)
    steps, cpu, losses = _timed(run, repeat)
    if name == "numpy":
        import numpy

        note = f"numpy {numpy.__version__}, float64 arrays, the chain rule by hand"
    else:
        import torch

        note = f"torch {torch.__version__}, float64 matrices, autograd, 1 thread"
    return {"wall": steps, "cpu": cpu, "check": losses[0], "losses": losses, "note": note}


def w3_memory(engine, steps: int) -> dict:
    """Traced memory after each training step, with the cyclic garbage collector switched off."""
    X, y = two_moons(100)
    model = _demo_model(engine, W3_SIZES)
    gc.collect()
    gc.disable()
    tracemalloc.start()
    after = []
    for k in range(steps):
        demo_step(model, engine, X, y, k)
        after.append(tracemalloc.get_traced_memory()[0])
    tracemalloc.stop()
    gc.enable()
    return {"after": after}


# -- the worker ---------------------------------------------------------------------------------


# W3 through nn.train, and on arrays: jobs that need no Engine from engines.py
WITHOUT_ENGINE = {
    "w3train": lambda job: w3_train(job["compile"], job["repeat"]),
    "w3batched": lambda job: w3_batched(job["engine"], job["repeat"]),
}


def run_job(job: dict) -> dict:
    from engines import ENGINES

    name, kind = job["engine"], job["workload"]
    if kind in WITHOUT_ENGINE:
        return WITHOUT_ENGINE[kind](job)
    engine = None if name == "floor" else ENGINES[name]()
    if kind == "w1":
        result = w1(engine, job["n"], job["repeat"])
    elif kind == "w1big":
        result = w1_big(engine, job["n"])
    elif kind == "w1mem":
        result = w1_memory(engine, job["n"])
    elif kind == "w2":
        result = w2(engine, job["n"], job["repeat"], job.get("variant", "sum"))
    elif kind == "w3":
        result = w3(engine, job["repeat"], job.get("width", W3_SIZES[0]))
    elif kind == "w3mem":
        result = w3_memory(engine, job["steps"])
    else:
        raise ValueError(f"unknown workload {kind!r}")
    if engine is not None and engine.note and "note" not in result:
        result["note"] = engine.note
    if "path" in job:  # say which files ran: the revision's, not the checkout's
        import autograd

        result["note"] = f"{result.get('note', '')}, from {autograd.__file__}".lstrip(", ")
    return result


def main() -> None:
    job = json.loads(sys.argv[1])
    if "path" in job:  # another revision's autograd/ and nn/ (run.py --baseline), first
        sys.path.insert(0, job["path"])
    try:
        result = run_job(job)
    except BaseException as e:  # reported, not hidden: the table says "failed: ..."
        result = {"error": type(e).__name__, "detail": traceback.format_exc(limit=3)[-500:]}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
