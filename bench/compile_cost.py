"""What compiling costs: CPU time per node at W3's widths, memory per node of a large graph.

    .venv/bin/python bench/compile_cost.py                       # widths 16 32 64, 100k nodes
    .venv/bin/python bench/compile_cost.py --widths 64 --nodes 0 # W3 at width 64 only
    .venv/bin/python bench/compile_cost.py --against /tmp/old    # alternate with another checkout
    .venv/bin/python bench/compile_cost.py --widths '' --nodes 100000,300000  # memory only

Time: what ``nn.train`` compiles for W3 (``MLP(2, [w, w, 1])``, hinge + L2: one example's loss
as a loop body, ``CompiledStep``), in CPU time (``time.process_time``), the best of
``--rounds`` runs, and the part of it spent in Python's own ``compile()`` of the generated
source. "Per node" counts every node of one example's graph, leaves (the weights) included;
"per edge" counts operands (a weight's use), which is what the lines of the backward follow.

Memory: ``autograd.compile`` of a chain ``v = tanh(v * 0.5 + 0.1)`` of ``--nodes`` nodes (a
comma-separated list), peak of ``tracemalloc`` over the whole call (the trace, the source,
Python's compiler), what the compiled function keeps (its code objects and source) once the
graph is gone, the process's peak resident size (``ru_maxrss``, a fresh process per chain:
the interpreter and imports included) after one compile, and the best of 5 calls of the
compiled function. A graph of more than 10,000 nodes compiles in pieces of 400 nodes.

With ``--against DIR`` (a checkout of another revision, e.g. made by ``git worktree add``),
each measurement runs in a fresh process, alternating between this checkout and ``DIR``, so
that a busy machine disturbs both alike. No assertion: it prints numbers.
"""

from __future__ import annotations

import argparse
import builtins
import functools
import gc
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def _best(run, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        gc.collect()
        c0 = time.process_time()
        run()
        best = min(best, time.process_time() - c0)
    return best


def w3_cost(width: int, rounds: int) -> dict:
    """CPU time of compiling W3's loop body at ``width``, and of Python's ``compile()`` alone."""
    import random

    from autograd import topological_order
    from nn import MLP
    from nn._compiled_train import CompiledStep

    random.seed(0)
    model = MLP(2, [width, width, 1])
    X, y = [[0.5, -0.25], [0.1, 0.9]], [1.0, -1.0]
    params = model.parameters()
    built = []
    total = _best(lambda: built.append(CompiledStep(model, "hinge", X, y, params, 1e-4)), rounds)
    source = built[-1].bodies[0].source
    python = _best(lambda: builtins.compile(source, "<w3>", "exec"), rounds)
    loss = model([0.5, -0.25]) * -1.0 + 1.0  # the same graph as the hinge term, for counting
    nodes = topological_order(loss)
    edges = sum(len(v.parents) for v in nodes)
    return {"width": width, "nodes": len(nodes), "edges": edges, "total": total,
            "python": python, "lines": source.count("\n"), "chars": len(source)}  # fmt: skip


def chain_cost(n: int) -> dict:
    """Peak memory (tracemalloc) and CPU time of ``autograd.compile`` on an ``n``-node chain."""
    from autograd import compile

    def chain(x):
        for _ in range(n // 3):
            x = (x * 0.5 + 0.1).tanh()
        return x

    c0 = time.process_time()
    compiled = compile(chain, [0.3])
    cpu = time.process_time() - c0
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux
    lines = compiled.source.count("\n")
    run = _best(functools.partial(compiled, 0.3), 5)
    del compiled
    gc.collect()
    tracemalloc.start()
    compiled = compile(chain, [0.3])
    gc.collect()
    kept, peak = tracemalloc.get_traced_memory()  # kept: what the compiled function holds
    tracemalloc.stop()
    del compiled
    return {"nodes": 3 * (n // 3) + 1, "peak": peak, "kept": kept, "cpu": cpu, "lines": lines,
            "maxrss": maxrss, "run": run}  # fmt: skip


def _job(job: dict, path: Path) -> dict:
    """Run one measurement in a fresh process importing autograd and nn from ``path``."""
    code = f"import json, sys; sys.path[:0] = [{str(path)!r}, {str(HERE / 'bench')!r}]; "
    code += "import compile_cost as c; "
    if job["kind"] == "w3":
        code += f"print(json.dumps(c.w3_cost({job['width']}, {job['rounds']})))"
    else:
        code += f"print(json.dumps(c.chain_cost({job['nodes']})))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def _w3_row(label: str, r: dict) -> str:
    us = 1e6 * r["total"]
    return (
        f"  {label:8} width {r['width']:3}: {1e3 * r['total']:6.1f} ms "
        f"({r['nodes']} nodes, {r['edges']} edges: {us / r['nodes']:4.1f} us a node, "
        f"{us / r['edges']:4.1f} us an edge), Python's compile() {1e3 * r['python']:5.1f} ms "
        f"({100 * r['python'] / r['total']:.0f} %), {r['lines']} lines"
    )


def _chain_row(label: str, r: dict) -> str:
    n = r["nodes"]
    return (
        f"  {label:8} {n} nodes: peak {r['peak'] / 2**20:6.1f} MiB ({r['peak'] / n:5.0f} B a "
        f"node), kept {r['kept'] / 2**20:5.1f} MiB ({r['kept'] / n:4.0f} B a node), "
        f"maxrss {r['maxrss'] / 2**20:6.1f} MiB, {r['cpu']:.2f} s CPU ({1e6 * r['cpu'] / n:.0f} us "
        f"a node), {r['lines']} lines, a call {1e3 * r['run']:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--widths", default="16,32,64", help="W3's widths (default 16,32,64)")
    parser.add_argument("--nodes", default="100000", help="chain sizes (default 100000; 0: none)")
    parser.add_argument("--rounds", type=int, default=7, help="runs per time, best taken")
    parser.add_argument("--against", type=Path, help="another checkout, measured alternately")
    args = parser.parse_args()
    paths = [("this", HERE)] + ([("against", args.against.resolve())] if args.against else [])
    print(f"Python {sys.version.split()[0]}; CPU times, best of {args.rounds}")
    for width in [int(w) for w in args.widths.split(",") if w]:
        for label, path in paths:
            job = {"kind": "w3", "width": width, "rounds": args.rounds}
            print(_w3_row(label, _job(job, path)), flush=True)
    sizes = [int(n) for n in args.nodes.split(",") if int(n)]
    if sizes:
        print("autograd.compile of a tanh chain, tracemalloc peak over the call")
    for n in sizes:
        for label, path in paths:
            print(_chain_row(label, _job({"kind": "chain", "nodes": n}, path)), flush=True)


if __name__ == "__main__":
    main()
