"""How often do the random-gradient strategies fail on a correct engine? A measurement.

Draws examples from ``autograd.testing.expressions()`` or ``nn.testing.mlps()`` the way
``tests/test_gradient_properties.py`` does (``@given``, generation only, no database), runs
``gradcheck`` or ``gradgradcheck`` with their default tolerances on each, and records every
failure with its formula and inputs. Each failure is then classified against exact derivatives
computed with mpmath at 40 digits (``pip install mpmath``):

- ``engine``: the engine's analytic derivative disagrees with the exact one (a real bug);
- ``truncation``: finite differences at ``eps`` in exact arithmetic already miss (large higher
  derivatives; a kink or pole crossed within ``eps`` shows up here too);
- ``rounding``: the float finite difference misses although the exact one does not
  (cancellation: rounding errors of f divided by ``2 eps``);
- ``value`` / ``other``: the forward-value check failed, or an exception.

It measures, never asserts. Runs in chunks of ``--chunk`` examples, each a separate hypothesis
run seeded by ``--seed`` plus the chunk number, and appends one JSON line per chunk (counts,
seconds) and per failure to ``--out``. Example:

    nice python bench/strategy_soundness.py --strategy expressions --check gradgradcheck \
        --examples 20000 --seed 1 --out /tmp/gg.jsonl
    python bench/strategy_soundness.py --summary /tmp/gg.jsonl
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed

import autograd.testing.strategies as strategies
import nn.testing
from autograd import GradcheckError, grad, gradcheck, gradgradcheck
from autograd.checking import _central, _numeric_gradient, _values
from autograd.notation import CONSTANT_LEFT
from autograd.testing import expressions
from autograd.testing.strategies import _distance_to_edge
from autograd.testing.taylor import Jet, _node_jet, error_ratio
from nn.testing import mlps

EPS, ATOL, RTOL = 1e-6, 1e-5, 1e-3  # gradcheck's defaults, as the tests use them
_GUARD = strategies.finite_differences_are_accurate
STRATEGIES = {"expressions": expressions, "mlps": mlps}
CHECKS = {"gradcheck": gradcheck, "gradgradcheck": gradgradcheck}


# ----------------------------------------------------------------------------------------------
# exact arithmetic (mpmath), op by op


def _each_example(strategy, body, *, max_examples: int, seed: int | None = None) -> int:
    """Run ``body(example)`` on up to ``max_examples`` examples drawn from ``strategy``.

    Generation only (no shrinking, no example database): derandomized (the same examples on
    every run) unless a ``seed`` is given. Returns how many examples ran; an exception from
    ``body`` ends the run and propagates.
    """
    count = [0]

    @settings(
        max_examples=max_examples,
        database=None,
        derandomize=seed is None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(example):
        count[0] += 1
        body(example)

    (run if seed is None else hypothesis_seed(seed)(run))()
    return count[0]


def _mp_table(mp):
    """Each op by name, on mpmath numbers (an operator's constant comes where the kind puts it)."""
    sig = lambda x: 1 / (1 + mp.exp(-x))
    return {
        "+": lambda x, y: x + y,
        "-": lambda x, y: x - y,
        "*": lambda x, y: x * y,
        "/": lambda x, y: x / y,
        "**": mp.power,
        "neg": lambda x: -x,
        "abs": abs,
        "exp": mp.exp,
        "log": mp.log,
        "sqrt": mp.sqrt,
        "tanh": mp.tanh,
        "sigmoid": sig,
        "relu": lambda x: x if x > 0 else 0 * x,
        "leaky_relu": lambda x, c: x if x > 0 else c * x,
        "softplus": lambda x: mp.log(1 + mp.exp(x)),
        "sin": mp.sin,
        "cos": mp.cos,
        "add_all": lambda *xs: sum(xs[1:], xs[0]),
        "affine": lambda *v: sum(
            (w * x for w, x in zip(v[: len(v) // 2], v[len(v) // 2 : -1])), v[-1]
        ),
    }


def _mp_function(f, mp):
    """The expression as a function of mpmath numbers (``f`` an Expression or a Network)."""
    expression = getattr(f, "expression", f)
    table = _mp_table(mp)

    def run(*xs):
        vals = list(xs)
        for node in expression.nodes:
            args = [vals[i] for i in node.args]
            if node.op.constant_count is not None:  # affine with constant inputs
                ws, b = args[:-1], args[-1]
                vals.append(sum((mp.mpf(c) * w for c, w in zip(node.const, ws)), b))
                continue
            fn = table[node.op.name]
            const = [] if node.const is None else [mp.mpf(node.const)]
            if node.op.kind == CONSTANT_LEFT:
                args, const = const, args
            vals.append(fn(*args, *const))
        return vals[-1]

    return run


def classify(f, inputs, check: str, error: Exception) -> dict:
    """Compare every disagreeing entry with exact derivatives; name the cause."""
    import mpmath

    mp = mpmath.mp
    mp.dps = 40
    F = _mp_function(f, mp)
    x = [mp.mpf(v) for v in inputs]
    rows = error.mismatches
    entries = []
    for r in rows:
        if r.kind != "gradient":
            entries.append({"kind": r.kind, "index": list(r.index), "cause": r.kind})
            continue
        if check == "gradcheck":
            (i,) = r.index
            order = [0] * len(x)
            order[i] = 1
            exact = mp.diff(F, x, tuple(order))
            hi, lo = list(x), list(x)
            hi[i] += mp.mpf(EPS)
            lo[i] -= mp.mpf(EPS)
            fd_exact = (F(*hi) - F(*lo)) / (2 * mp.mpf(EPS))
        else:
            i, j = r.index
            order = [0] * len(x)
            order[i] += 1
            order[j] += 1
            exact = mp.diff(F, x, tuple(order))

            def d_i(*v, i=i):
                o = [0] * len(v)
                o[i] = 1
                return mp.diff(F, list(v), tuple(o))

            hi, lo = list(x), list(x)
            hi[j] += mp.mpf(EPS)
            lo[j] -= mp.mpf(EPS)
            fd_exact = (d_i(*hi) - d_i(*lo)) / (2 * mp.mpf(EPS))
        exact, fd_exact = float(exact), float(fd_exact)
        tol = ATOL + RTOL * abs(exact)
        if not abs(r.analytic - exact) <= 1e-9 * (1 + abs(exact)):
            cause = "engine"
        elif abs(fd_exact - exact) > 0.5 * tol:
            cause = "truncation"
        else:
            cause = "rounding"
        entries.append(
            {
                "index": list(r.index),
                "analytic": r.analytic,
                "numeric": r.numeric,
                "exact": exact,
                "fd_exact_arithmetic": fd_exact,
                "allowed": ATOL + RTOL * abs(r.numeric),
                "cause": cause,
            }
        )
    causes = sorted({e["cause"] for e in entries}) or ["other"]
    return {"cause": "engine" if "engine" in causes else "+".join(causes), "entries": entries}


# ----------------------------------------------------------------------------------------------
# margins: how much of the tolerance the finite differences actually use, against the estimate

THRESHOLDS = (0.01, 0.03, 0.1, 0.3, 1.0)


def margins(f, inputs) -> tuple[float, float, float]:
    """Actual finite-difference error / tolerance (gradcheck, gradgradcheck), and the estimate.

    The numeric derivatives are computed by the engine exactly as the checks do; the exact
    ones come from Taylor jets on floats (no division by eps, so accurate to rounding).
    """
    expression = getattr(f, "expression", f)
    n = len(inputs)
    first, hessian = [0.0] * n, [[0.0] * n for _ in range(n)]
    for j in range(n):
        vals = [Jet.variable(x, i, n, order=1, along=i == j) for i, x in enumerate(inputs)]
        for node in expression.nodes:
            vals.append(_node_jet(node, [vals[i] for i in node.args]))
        first[j] = vals[-1].coefficient(1)
        for i in range(n):
            hessian[i][j] = vals[-1].coefficient(1, i)
    numeric = _numeric_gradient(lambda *v: f(*_values(v)).data, list(inputs), EPS)

    def gradient(*v):
        vs = _values(v)
        return grad(f(*vs), vs)

    columns = [_central(gradient, list(inputs), j, EPS) for j in range(n)]
    tol = lambda a: ATOL + RTOL * abs(a)
    gc = max(abs(numeric[j] - first[j]) / tol(first[j]) for j in range(n))
    ggc = max(
        abs(float(columns[j][i]) - hessian[i][j]) / tol(hessian[i][j])
        for i in range(n)
        for j in range(n)
    )
    estimate = error_ratio(expression, inputs, domain=_distance_to_edge)
    return gc, ggc, estimate


def run_margins(name, strategy, examples: int, chunk_seed: int, out) -> dict:
    """One hypothesis run measuring margins.

    Examples where the estimate is not a bound are written to ``out``.
    """
    counts = {"gradcheck": [0] * len(THRESHOLDS), "gradgradcheck": [0] * len(THRESHOLDS)}
    worst = {"gradcheck": 0.0, "gradgradcheck": 0.0, "actual_over_estimate": 0.0}

    def prop(case):
        f, inputs = case
        gc, ggc, estimate = margins(f, inputs)
        for check, r in (("gradcheck", gc), ("gradgradcheck", ggc)):
            worst[check] = max(worst[check], r)
            for k, t in enumerate(THRESHOLDS):
                counts[check][k] += r > t
        # errors below a thousandth of the tolerance do not matter (nor do their estimates)
        actual = max(gc, ggc) if max(gc, ggc) > 1e-3 else 0.0
        over = actual / estimate if estimate > 0 else (math.inf if actual else 0.0)
        worst["actual_over_estimate"] = max(worst["actual_over_estimate"], over)
        if over > 1.0 or max(gc, ggc) > 1.0:
            record = {"margin": True, "strategy": name, "seed": chunk_seed, "formula": str(f)}
            record.update(inputs=inputs, gradcheck=gc, gradgradcheck=ggc, estimate=estimate)
            out.write(json.dumps(record) + "\n")
            out.flush()

    start = time.process_time()
    n = _each_example(strategy, prop, max_examples=examples, seed=chunk_seed)
    return {
        "margins": True,
        "examples": n,
        "thresholds": THRESHOLDS,
        "above": counts,
        "worst": worst,
        "cpu_s": time.process_time() - start,
    }


# ----------------------------------------------------------------------------------------------


def run_chunk(name, strategy, check, examples: int, chunk_seed: int, out) -> dict:
    """One hypothesis run of ``examples`` examples; failures are written to ``out``.

    ``check="both"`` runs gradcheck and gradgradcheck on every example (one draw, two checks).
    """
    count = [0, 0]  # examples, failures
    checks = list(CHECKS) if check == "both" else [check]

    def prop(case):
        f, inputs = case
        for name in checks:
            check_one(f, inputs, name)

    def check_one(f, inputs, check):
        try:
            CHECKS[check](f, inputs)
            return
        except GradcheckError as error:
            info = classify(f, inputs, check, error)
            message = str(error)
        except Exception as error:  # the engine raised: recorded, the run goes on
            info = {"cause": f"exception {type(error).__name__}", "entries": []}
            message = repr(error)
        count[1] += 1
        record = {"failure": True, "strategy": name, "check": check, "seed": chunk_seed}
        record["guarded"] = strategies.finite_differences_are_accurate is _GUARD
        record["formula"] = str(f)
        expression = getattr(f, "expression", f)
        try:  # the guard's own estimate (worst error / tolerance; it accepts <= FD_BUDGET)
            ratio = error_ratio(expression, inputs, domain=_distance_to_edge)
        except Exception as error:
            ratio = repr(error)
        record.update(inputs=inputs, message=message, estimated_ratio=ratio, **info)
        out.write(json.dumps(record) + "\n")
        out.flush()

    start = time.process_time()
    count[0] = _each_example(strategy, prop, max_examples=examples, seed=chunk_seed)
    return {"examples": count[0], "failures": count[1], "cpu_s": time.process_time() - start}


def summary(paths: list[str]) -> None:
    """Examples and failures per strategy, check and guard, with the causes of the failures."""
    runs: dict[tuple, list] = {}  # (strategy, check, guarded): [examples, cpu_s, {cause: n}]
    margin_records: list[dict] = []
    for path in paths:
        for line in Path(path).read_text().splitlines():
            rec = json.loads(line)
            strategy, guarded = rec.get("strategy", "?"), rec.get("guarded", False)
            if rec.get("margins") or rec.get("margin"):
                margin_records.append(rec)
                continue
            if rec.get("failure"):
                causes = runs.setdefault((strategy, rec["check"], guarded), [0, 0.0, {}])[2]
                causes[rec["cause"]] = causes.get(rec["cause"], 0) + 1
                continue
            checks = list(CHECKS) if rec["check"] == "both" else [rec["check"]]
            for check in checks:
                run = runs.setdefault((strategy, check, guarded), [0, 0.0, {}])
                run[0] += rec["examples"]
                run[1] += rec["cpu_s"] / len(checks)
    for (strategy, check, guarded), (n, cpu, causes) in sorted(runs.items()):
        fails = sum(causes.values())
        rate = f"1 in {n / fails:,.0f}" if fails else "none"
        print(
            f"{strategy:12} {check:14} {'guarded' if guarded else 'unguarded':9} "
            f"{n:8,} examples  {fails:4} failures ({rate})  "
            f"{1e3 * cpu / max(n, 1):.2f} ms/example  causes {causes}"
        )
    _margin_summary(margin_records)


def _margin_summary(records: list[dict]) -> None:
    groups: dict[tuple, list] = {}
    for rec in records:
        if rec.get("margins"):
            key = (rec["strategy"], rec.get("guarded", False))
            groups.setdefault(key, []).append(rec)
    for (strategy, guarded), recs in sorted(groups.items()):
        n = sum(r["examples"] for r in recs)
        print(f"{strategy} {'guarded' if guarded else 'unguarded'}: margins over {n:,} examples")
        for check in ("gradcheck", "gradgradcheck"):
            above = [sum(r["above"][check][k] for r in recs) for k in range(len(THRESHOLDS))]
            worst = max(r["worst"][check] for r in recs)
            shares = ", ".join(f"> {t:g}: {a}" for t, a in zip(THRESHOLDS, above))
            print(f"  {check:14} |error| / tolerance {shares}; largest {worst:.3g}")
        over = max(r["worst"]["actual_over_estimate"] for r in recs)
        print(f"  largest actual error / estimated error (errors above 1e-3 tolerance): {over:.3g}")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--strategy", choices=STRATEGIES, default="expressions")
    p.add_argument("--check", choices=[*CHECKS, "both"], default="both")
    p.add_argument("--examples", type=int, default=10_000)
    p.add_argument("--chunk", type=int, default=1_000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="-")
    p.add_argument("--summary", nargs="*", help="summarize these JSON-lines files and stop")
    p.add_argument(
        "--unguarded",
        action="store_true",
        help="switch the finite-difference guard off (the strategies as they were before it)",
    )
    p.add_argument(
        "--margins",
        action="store_true",
        help="measure how much of the tolerance finite differences use, against the estimate",
    )
    args = p.parse_args(argv)
    if args.unguarded:
        strategies.finite_differences_are_accurate = lambda f, point: True
        nn.testing.finite_differences_are_accurate = lambda f, point: True
    if args.summary is not None:
        summary(args.summary)
        return
    out = sys.stdout if args.out == "-" else open(args.out, "a")  # noqa: SIM115
    kwargs = (
        {"max_hidden_layers": 1, "max_width": 2, "max_outputs": 1}
        if (args.strategy == "mlps" and args.check == "gradgradcheck")
        else {}
    )  # as the tests do
    strategy = STRATEGIES[args.strategy](**kwargs)
    done, k = 0, 0
    while done < args.examples:
        n = min(args.chunk, args.examples - done)
        chunk_seed = args.seed * 1_000_003 + k
        if args.margins:
            result = run_margins(args.strategy, strategy, n, chunk_seed, out)
        else:
            result = run_chunk(args.strategy, strategy, args.check, n, chunk_seed, out)
        result.update(strategy=args.strategy, check=args.check, seed=chunk_seed)
        result.update(guarded=not args.unguarded)
        out.write(json.dumps(result) + "\n")
        out.flush()
        done += result["examples"]
        k += 1


if __name__ == "__main__":
    main()
