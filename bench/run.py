"""Run the benchmarks: stepgrad against its peers, interleaved, medians with min and max.

    .venv/bin/python bench/run.py            # everything (about 10 minutes on 2 cores)
    .venv/bin/python bench/run.py --quick    # a smoke run in well under a minute
    .venv/bin/python bench/run.py --only w3  # one workload (w1, w2, w3, mem, w1big)
    .venv/bin/python bench/run.py --only w3,w1big --baseline 4818a68  # against a revision

Every job runs in its own process with a timeout, so an engine that crashes (micrograd's
recursive topological sort) or takes too long is reported as failed, and the engines never
share an interpreter. For each case the engines take turns, round after round, so a change in
the machine's load hits them all alike. Peers that are not installed are skipped with a note.

``--baseline REV`` extracts that revision's ``autograd/`` and ``nn/`` with ``git archive`` into
a temporary folder and runs them as one more engine, ``stepgrad REV``, in the same turns: the
engine before and after a change, side by side in one run. W3 reports wall and CPU time
(``time.process_time`` in the worker: on a shared machine it counts only this process's work).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORKER = HERE / "workloads.py"


def available_engines() -> tuple[list[str], list[str]]:
    engines, notes = ["stepgrad", "stepgrad-unfused"], []
    for name, extra in (("micrograd", "bench"), ("torch", "torch")):
        if importlib.util.find_spec(name) is None:
            notes.append(f"{name}: not installed, skipped (pip install -e '.[{extra}]')")
        else:
            engines.append(name)
    return engines, notes


def run_job(job: dict, timeout: float) -> dict:
    try:
        proc = subprocess.run(
            [sys.executable, str(WORKER), json.dumps(job)],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=HERE,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s"}
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = proc.stderr.strip().splitlines()[-1:] or [""]
        return {"error": f"crashed (exit {proc.returncode}) {tail[0][:80]}"}
    return json.loads(lines[-1])


class Case:
    """One row group of the table: several engines doing the same work, sampled in turns."""

    def __init__(
        self,
        key: str,
        title: str,
        jobs: dict[str, dict],
        fields: list[str],
        reference: str = "stepgrad",
    ) -> None:
        """A table of one workload; ``key`` names it for the targets (``"w3"``, ``"w1 5000"``).

        ``reference`` is the engine the ratios divide by. The ratio is of the sum of the fields
        (forward + backward), or per field when the fields are one time measured two ways
        (W3's wall and CPU time).
        """
        self.key, self.title, self.jobs, self.fields = key, title, jobs, fields
        self.reference = reference
        self.per_field = fields == ["wall", "cpu"]
        self.samples = {name: {f: [] for f in fields} for name in jobs}
        self.errors: dict[str, str] = {}
        self.checks: dict[str, float] = {}
        self.notes: dict[str, str] = {}
        self.compile_times: list[tuple[float, float]] = []  # (wall, CPU) of each compilation

    def run_round(self, timeout: float) -> None:
        for name, job in self.jobs.items():
            if name in self.errors:
                continue
            result = run_job(job, timeout)
            if "error" in result:
                self.errors[name] = result["error"]
                continue
            for f in self.fields:
                self.samples[name][f] += result[f]
            self.checks[name] = result["check"]
            if "compiled_in" in result and name == "stepgrad-compiled":  # today's compile time
                self.compile_times.append(tuple(result["compiled_in"]))
            if "note" in result:
                self.notes[name] = result["note"]

    def report(self) -> list[str]:
        lines = [f"\n{self.title}"]
        head = f"  {'engine':<30}"
        for f in self.fields:
            head += f"{f + ' median':>16}{'min .. max':>22}"
        ratios = [f"{f} vs {self.reference[:5]}" for f in self.fields] if self.per_field else []
        lines.append(head + "".join(f"{r:>16}" for r in ratios or [f"vs {self.reference}"]))
        for name in self.jobs:
            row = f"  {name:<30}"
            if name in self.errors:
                lines.append(row + f"failed: {self.errors[name]}")
                continue
            for f in self.fields:
                xs = self.samples[name][f]
                row += f"{_ms(statistics.median(xs)):>16}{_ms(min(xs)) + ' .. ' + _ms(max(xs)):>22}"
            groups = [[f] for f in self.fields] if self.per_field else [self.fields]
            for fields in groups:
                base, total = self.median(self.reference, *fields), self.median(name, *fields)
                row += f"{_ratio(total / base) if base and total is not None else '-':>16}"
            lines.append(row)
        lines += self._agreement()
        return lines

    def compare(self, name: str, other: str) -> str:
        """One line: ``name``'s medians over ``other``'s, field by field."""
        parts = []
        for f in self.fields:
            a, b = self.median(name, f), self.median(other, f)
            if a is None or b is None:
                return f"  {name} vs {other}: not measured"
            parts.append(f"{f} {a / b:.2f}x")
        return f"  {name} vs {other}: " + ", ".join(parts)

    def median(self, name: str, *fields: str) -> float | None:
        """The sum of the medians of ``fields`` for one engine (None if it failed)."""
        if name in self.errors or not self.samples.get(name, {}).get(fields[0]):
            return None
        return sum(statistics.median(self.samples[name][f]) for f in fields)

    def _agreement(self) -> list[str]:
        if len(self.checks) < 2:
            return []
        values = list(self.checks.values())
        spread = max(values) - min(values)
        scale = max(abs(v) for v in values) or 1.0
        verdict = "agree" if spread <= 1e-9 * scale else "DISAGREE"
        return [
            f"  check value (a gradient or the first loss): engines {verdict}, "
            f"spread {spread:.3g} around {values[0]:.6g}"
        ]


def _ratio(r: float) -> str:
    """``4.21x``; below 0.1 two significant digits (numpy's step is a few hundredths)."""
    return f"{r:.2f}x" if r >= 0.1 else f"{r:.2g}x"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def memory_report(
    engines: list[str], sizes: list[int], steps: int, timeout: float, facts: dict
) -> list[str]:
    lines = ["\nW1 memory: what the graph holds after the forward pass (tracemalloc; torch: RSS)"]
    lines.append(f"  {'engine':<20}{'N':>10}{'nodes':>12}{'bytes/node':>12}{'bytes/step':>12}")
    for n in sizes:
        for name in engines:
            if name == "stepgrad-unfused":
                continue
            r = run_job({"workload": "w1mem", "engine": name, "n": n}, timeout)
            if "error" in r:
                lines.append(f"  {name:<20}{n:>10,}  failed: {r['error']}")
                continue
            tag = "" if r["how"] == "tracemalloc" else " (rss)"
            if name == "stepgrad":
                facts["bytes per node"] = r["bytes"] / r["nodes"]
            lines.append(
                f"  {name:<20}{n:>10,}{r['nodes']:>12,}{r['bytes'] / r['nodes']:>12.0f}"
                f"{r['bytes'] / n:>12.0f}{tag}"
            )
    lines.append(f"\nW3 memory over {steps} training steps, cyclic garbage collector disabled")
    lines.append(f"  {'engine':<20}{'after step 1':>16}{'after last step':>18}{'growth/step':>14}")
    for name in engines:
        if name == "torch":  # its graphs live in C++, out of tracemalloc's sight
            continue
        n = steps if name.startswith("stepgrad") else min(steps, 10)
        r = run_job({"workload": "w3mem", "engine": name, "steps": n}, timeout)
        if "error" in r:
            lines.append(f"  {name:<20}failed: {r['error']}")
            continue
        a = r["after"]
        growth = (a[-1] - a[0]) / (len(a) - 1)
        if name == "stepgrad":
            facts["growth per step"], facts["steps"] = growth, len(a)
        lines.append(
            f"  {name:<20}{a[0] / 1e6:>13.2f} MB{a[-1] / 1e6:>15.2f} MB{growth / 1e3:>11.1f} kB"
            f"   ({len(a)} steps)"
        )
    return lines


FLOOR = "floor (pure Python, no graph)"


def big_chain_report(jobs: dict[str, dict], n: int, timeout: float, facts: dict) -> list[str]:
    """W1 at a size where memory matters: one forward + backward per engine, and the peak."""
    lines = [f"\nW1 deep chain, N = {n:,} ({3 * n + 1:,} nodes): one forward + backward"]
    lines.append(
        f"  {'engine':<30}{'forward':>10}{'backward':>10}{'cpu fwd':>10}{'cpu bwd':>10}"
        f"{'peak memory':>14}{'bytes/node':>12}"
    )
    for name, job in jobs.items():
        r = run_job(job, timeout)
        if "error" in r:
            lines.append(f"  {name:<30}failed: {r['error']}")
            continue
        times = [r[k][0] for k in ("forward", "backward", "forward cpu", "backward cpu")]
        if name == "stepgrad":
            facts["w1 big"] = (times[0] + times[1], r["peak"], n)
        lines.append(
            f"  {name:<30}"
            + "".join(f"{_ms(t):>10}" for t in times)
            + f"{r['peak'] / 1e6:>11.0f} MB{r['peak'] / r['nodes']:>12.0f}"
        )
    lines.append("  peak: the worker's resident high-water mark (ru_maxrss) less its size before")
    return lines


def targets(facts: dict) -> list[str]:
    """The targets against what this run measured ("not run" when a part was skipped)."""
    w3, w3cpu = facts.get("w3", {}), facts.get("w3 cpu", {})
    ours, theirs = w3.get("stepgrad"), w3.get("micrograd")
    floor, ours_cpu, floor_cpu = w3.get(FLOOR), w3cpu.get("stepgrad"), w3cpu.get(FLOOR)
    big = facts.get("w1 big")
    compiled_cpu, compile_cpu = w3cpu.get("stepgrad-compiled"), facts.get("compile cpu")
    train_cpu = w3cpu.get(TRAIN_ENGINE)
    rows = [
        (
            "compiled W3 <= 0.4x the floor, CPU time",
            compiled_cpu and floor_cpu and compiled_cpu <= 0.4 * floor_cpu,
            compiled_cpu and floor_cpu and f"{compiled_cpu / floor_cpu:.2f}x",
        ),
        (
            "nn.train's engine step <= 3.5x the floor, CPU time",
            train_cpu and floor_cpu and train_cpu <= 3.5 * floor_cpu,
            train_cpu and floor_cpu and f"{train_cpu / floor_cpu:.2f}x",
        ),
        (
            "compiling W3's loss <= 100 ms, CPU time",
            compile_cpu is not None and compile_cpu <= 0.1,
            compile_cpu is not None and _ms(compile_cpu),
        ),
        (
            "W3 <= 5x the floor, CPU time",
            ours_cpu and floor_cpu and ours_cpu <= 5 * floor_cpu,
            ours_cpu and floor_cpu and f"{ours_cpu / floor_cpu:.2f}x",
        ),
        (
            "W3 <= 5x the floor, wall time",
            ours and floor and ours <= 5 * floor,
            ours and floor and f"{ours / floor:.2f}x",
        ),
        (
            f"W1 N={big[2] if big else 1_500_000:,} forward + backward works",
            big is not None,
            big and f"{_ms(big[0])}, peak {big[1] / 1e6:.0f} MB",
        ),
        (
            "W3 step <= 1/20 of micrograd's",
            ours and theirs and ours <= theirs / 20,
            ours and theirs and f"1/{theirs / ours:.0f}",
        ),
        ("W3 step <= 27 ms", ours and ours <= 0.027, ours and _ms(ours)),
        (
            "W1 N=500,000 forward + backward <= 5 s",
            facts.get("w1 500k", 99) <= 5,
            "w1 500k" in facts and _ms(facts["w1 500k"]),
        ),
        (
            "<= 150 bytes per node",
            facts.get("bytes per node", 999) <= 150,
            "bytes per node" in facts and f"{facts['bytes per node']:.0f} bytes",
        ),
        (
            f"memory flat over {facts.get('steps', 100)} steps, no gc.collect()",
            abs(facts.get("growth per step", 1e9)) < 1024,
            "growth per step" in facts and f"{facts['growth per step'] / 1e3:+.1f} kB per step",
        ),
    ]
    lines = ["\ntargets, medians of this run:"]
    for what, met, value in rows:
        verdict = "not run" if not value else ("met" if met else "NOT MET")
        lines.append(f"  {what:<46}{verdict:>8}   {value or ''}")
    return lines


def build_cases(args, engines: list[str], baseline: dict) -> list[tuple[Case, int]]:
    graph_engines = [e for e in engines if e != "stepgrad-unfused"]
    cases = []
    if "w1" in args.only:
        sizes = [300, 5_000] if args.quick else [300, 5_000, 50_000, 500_000]
        for n in sizes:
            repeat = 1 if n >= 50_000 else 5
            jobs = {
                e: {"workload": "w1", "engine": e, "n": n, "repeat": repeat} for e in graph_engines
            }
            title = f"W1 deep chain, N = {n:,}: y = (0.0001 + 1.0001 * y) ** 0.9999"
            cases.append((Case(f"w1 {n}", title, jobs, ["forward", "backward"]), args.rounds))
    if "w2" in args.only:
        n = 10_000 if args.quick else 100_000
        jobs = {"stepgrad": {"workload": "w2", "engine": "stepgrad", "n": n, "repeat": 1}}
        jobs["stepgrad add_all"] = {**jobs["stepgrad"], "variant": "add_all"}
        for e in graph_engines[1:]:
            jobs[e] = {"workload": "w2", "engine": e, "n": n, "repeat": 1}
        title = f"W2 wide sum of {n:,} products a_i * b_i, then backward"
        cases.append((Case(f"w2 {n}", title, jobs, ["forward", "backward"]), args.rounds))
    if "w3" in args.only:
        cases.append((w3_case(args, engines, baseline), args.rounds))
    return cases


TRAIN_ENGINE, TRAIN_AUTO = "nn.train, compile=False (engine)", "nn.train, compile=None (auto)"
BATCHED = {"torch": "torch batched", "numpy": "numpy (backward by hand)"}


def w3_case(args, engines: list[str], baseline: dict) -> Case:
    """W3's rows, in this order: the floor; nn.train's engine step, its default, the compiled step.

    Then the demo's own code on each graph engine (and ``--baseline``, engine and compiled),
    then arrays: batched PyTorch and numpy, each when installed. At a width other than the
    demo's 16 (``--w3-width``): only the floor, stepgrad's engine and its compiled step.
    """
    fast_steps = 3 if args.quick else 20
    slow_steps = 1 if args.quick else 3
    w = args.w3_width
    demo = w == 16
    floor = {"workload": "w3", "engine": "floor", "repeat": fast_steps, "width": w}
    compiled = {"workload": "w3", "engine": "stepgrad-compiled", "repeat": fast_steps, "width": w}
    jobs: dict[str, dict] = {FLOOR: floor}
    if "stepgrad" in engines and demo:  # nn.train's step as users run it; compile time in notes
        for name, compile in ((TRAIN_ENGINE, False), (TRAIN_AUTO, None)):
            jobs[name] = {"workload": "w3train", "engine": "stepgrad", "compile": compile,
                          "repeat": fast_steps}  # fmt: skip
    if "stepgrad" in engines:
        jobs["stepgrad-compiled"] = compiled
    for e in engines:
        if demo or e == "stepgrad":
            steps = fast_steps if e.startswith("stepgrad") else slow_steps
            jobs[e] = {"workload": "w3", "engine": e, "repeat": steps, "width": w}
    for name, path in baseline.items():
        jobs[name] = {"workload": "w3", "engine": "stepgrad", "repeat": fast_steps, "width": w}
        jobs[name]["path"] = path
        jobs[f"{name} compiled"] = {**compiled, "path": path}
    for module, name in BATCHED.items():
        if demo and importlib.util.find_spec(module) is not None:
            jobs[name] = {"workload": "w3batched", "engine": module, "repeat": fast_steps}
    title = f"W3 Karpathy's demo step: MLP(2, [{w}, {w}, 1]), 100 two-moons points, hinge + L2"
    return Case("w3", title, jobs, ["wall", "cpu"], reference=FLOOR)


def extract(rev: str, into: str) -> str:
    """``autograd/`` and ``nn/`` of revision ``rev`` of this repository, as files in ``into``."""
    repo = HERE.parent
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", rev, "autograd", "nn"], capture_output=True
    )
    if archive.returncode != 0:
        raise SystemExit(f"--baseline {rev}: git archive failed: {archive.stderr.decode()}")
    subprocess.run(["tar", "-x", "-C", into], input=archive.stdout, check=True)
    return into


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one round")
    parser.add_argument("--rounds", type=int, default=None, help="rounds per case (default 3)")
    parser.add_argument(
        "--only", default="w1,w2,w3,mem,w1big", help="comma-separated: w1,w2,w3,mem,w1big"
    )
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per job")
    parser.add_argument(
        "--w3-width", type=int, default=16, help="W3's hidden layers' size (default 16, the demo's)"
    )
    parser.add_argument(
        "--baseline", metavar="REV", help="also run this git revision's engine (e.g. 4818a68)"
    )
    args = parser.parse_args(argv)
    args.only = set(args.only.split(","))
    args.rounds = args.rounds or (1 if args.quick else 3)
    folder = tempfile.mkdtemp(prefix="stepgrad-baseline-")
    try:
        return run_all(args, argv, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_case(case: Case, rounds: int, timeout: float, facts: dict) -> None:
    """Run a case's rounds, print its table, keep what the targets need in ``facts``."""
    for _ in range(rounds):
        case.run_round(timeout)
    print("\n".join(case.report()))
    if case.key == "w3":
        facts["w3"] = {name: case.median(name, "wall") for name in case.jobs}
        facts["w3 cpu"] = {name: case.median(name, "cpu") for name in case.jobs}
        if case.compile_times:
            facts["compile cpu"] = statistics.median(cpu for _, cpu in case.compile_times)
        for other in case.jobs:
            if other.endswith(" compiled"):  # a --baseline revision's compiled step
                print(case.compare("stepgrad-compiled", other))
            elif other.startswith("stepgrad ") or other in ("micrograd", "torch"):
                print(case.compare("stepgrad", other))
    if case.key == "w1 500000" and case.median("stepgrad", "forward") is not None:
        facts["w1 500k"] = case.median("stepgrad", "forward", "backward")
    sys.stdout.flush()


def run_all(args, argv: list[str] | None, folder: str) -> int:
    engines, skipped = available_engines()
    baseline = (
        {f"stepgrad {args.baseline}": extract(args.baseline, folder)} if args.baseline else {}
    )
    notes: dict[str, str] = {}
    facts: dict = {}  # what the targets are checked against
    print(
        f"stepgrad bench: Python {platform.python_version()}, {platform.machine()}, "
        f"{_cpus()} cores, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )
    print("command: " + " ".join(["python", "bench/run.py", *(argv or sys.argv[1:])]))
    for note in skipped:
        print("  " + note)
    started = time.perf_counter()
    for case, rounds in build_cases(args, engines, baseline):
        run_case(case, rounds, args.timeout, facts)
        notes.update(
            {
                k: v
                for k, v in case.notes.items()
                if k in engines
                or k in baseline
                or k.endswith("compiled")
                or k in (TRAIN_ENGINE, TRAIN_AUTO, *BATCHED.values())
            }
        )
    if "w1big" in args.only:
        n = 50_000 if args.quick else 1_500_000
        jobs = {"stepgrad": {"workload": "w1big", "engine": "stepgrad", "n": n}}
        for name, path in baseline.items():
            jobs[name] = {**jobs["stepgrad"], "path": path}
        print("\n".join(big_chain_report(jobs, n, args.timeout, facts)))
        sys.stdout.flush()
    if "mem" in args.only:
        sizes = [300, 5_000] if args.quick else [5_000, 50_000]
        steps = 5 if args.quick else 100
        print("\n".join(memory_report(engines, sizes, steps, args.timeout, facts)))
    print("\n".join(targets(facts)))
    if args.quick:
        print("  (a quick run: few samples and small sizes; judge the targets on a full run)")
    print("\nengines:")
    for name, note in notes.items():
        print(f"  {name}: {note}")
    print(f"\ntotal bench time {time.perf_counter() - started:.0f} s")
    return 0


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    raise SystemExit(main())
