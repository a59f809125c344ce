"""``check_engine``: test a Value class of your own against stepgrad and finite differences.

Written your own micrograd? ``check_engine(MyValue)`` finds out which operations the class
has (``+ - * / **`` with Values or numbers on either side, ``-x``, ``abs``, ``exp log sqrt
tanh sigmoid relu leaky_relu softplus sin cos``), then builds random expression graphs from
those, with shared sub-expressions (a node used by several later ones, where accumulation
bugs hide), runs ``backward()`` on your class and on stepgrad's ``Value``, and compares the
values and every input's gradient. The first disagreement is shrunk by hypothesis to the
smallest formula that still fails, and the report says which input's gradient is wrong,
expected (stepgrad, and finite differences of the formula on plain floats) against got, and
which classic bug it looks like:

- a ``_backward`` that assigns (``=``) instead of accumulating (``+=``): right for every op
  alone, wrong as soon as a node is used twice (``x0 + x0``);
- a wrong local derivative: wrong for that op alone (``tanh(x0)``);
- a missing ``__radd__`` / ``__rmul__``: ``v + 2`` works but ``2 + v`` raises TypeError
  (``sum()`` of Values needs ``__radd__``);
- a topological sort that visits a node used twice twice (gradient counted twice).

In a test file it is a one-liner; a failure raises ``EngineCheckError``, an
``AssertionError`` whose message is the report::

    def test_my_engine():
        check_engine(MyValue)

Runs are derandomized (the same formulas every time) unless ``derandomize=False``.

>>> from autograd import Value
>>> from autograd.testing import check_engine
>>> report = check_engine(Value, max_examples=20)
>>> bool(report)
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

try:
    from hypothesis import HealthCheck, Phase, assume, find, settings
    from hypothesis.errors import NoSuchExample
except ImportError as error:  # pragma: no cover - exercised only without hypothesis
    raise ImportError(
        "autograd.testing.engine_check needs hypothesis, a development dependency: "
        "pip install hypothesis"
    ) from error

from autograd.mode import enable_grad
from autograd.notation import CONSTANT_LEFT, CONSTANT_RIGHT, INFIX, Term
from autograd.testing.formulas import Expression
from autograd.testing.strategies import OPS, expressions
from autograd.value import Value

__all__ = ["EngineCheckError", "EngineReport", "check_engine"]

# stepgrad-only operations (fused nodes) that a learner's class is not expected to have
_STEPGRAD_ONLY = ("add_all", "affine")
_ATOL = 1e-6
_RTOL = 1e-6
_EPS = 1e-6
_PROBE_OPERANDS = (1.5, 0.75)  # inside every built-in op's domain, away from every kink
_PROBE_POINTS = (_PROBE_OPERANDS, (-0.6, -1.2))  # both sides of relu's and abs's kink
_COMPOSITES = {"+": 0, "*": 0, "-": 2, "/": 2, "neg": 2}
_REFLECTED_HINT = {  # c + x and c * x: the reflected methods a learner's class may lack
    "+": "__radd__ (micrograd: def __radd__(self, other): return self + other); "
    "sum() of Values starts from the number 0 and needs it",
    "*": "__rmul__ (micrograd: def __rmul__(self, other): return self * other); 2 * x needs it",
}


class EngineCheckError(AssertionError):
    """``check_engine`` found a disagreement; the message is the report (``.report``)."""

    def __init__(self, report: EngineReport) -> None:
        super().__init__(report.text)
        self.report = report


@dataclass(frozen=True)
class EngineReport:
    """What ``check_engine`` did and found; true when every formula agreed.

    ``ops`` are the operation forms tested (``"x + y"``, ``"c * x"``, ``"tanh(x)"``...),
    ``missing`` the ones the class does not have (not tested), ``examples`` how many random
    formulas were run (shrinking included), ``formula`` the smallest failing formula (or
    ``None``) and ``text`` the whole report (also ``str(report)``).
    """

    passed: bool
    ops: tuple[str, ...]
    missing: tuple[str, ...]
    examples: int
    formula: str | None
    text: str

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class _Failure:
    kind: str  # "error", "value" or "gradient"
    node: int | None  # for errors in the forward pass: the node that raised
    message: str
    rows: tuple[tuple[str, float, float, float], ...] = ()  # input, expected, numeric, got


def check_engine(
    cls: type,
    *,
    max_examples: int = 200,
    max_inputs: int = 3,
    max_nodes: int = 8,
    derandomize: bool = True,
    raise_exception: bool = True,
) -> EngineReport:
    """Test a micrograd-style Value class on random expression graphs against stepgrad.

    Args:
        cls: your Value class: ``cls(2.0)`` makes a leaf with ``.data`` and ``.grad``;
            operations on it return instances of it; ``out.backward()`` fills ``.grad``.
        max_examples: how many random formulas to try before calling it a pass.
        max_inputs: how many inputs each formula has at most.
        max_nodes: how many operations each formula has at most.
        derandomize: the same formulas on every run (set False for fresh ones).
        raise_exception: raise ``EngineCheckError`` on a failure (default), or return the
            report with ``passed=False``.

    Returns an ``EngineReport`` (true when everything agreed). Only operations the class has
    are used; ``v + 2`` working while ``2 + v`` raises TypeError counts as a failure (a missing
    ``__radd__``), as does the same for ``*``.

    Raises:
        TypeError: ``cls`` is not a class whose instances have ``data``, ``grad`` and
            ``backward()``.
        ValueError: the class has none of the operations, or an argument is out of range.
        EngineCheckError: a formula disagrees (``raise_exception=True``).
    """
    _check_class(cls)
    for name, v, lo in (("max_examples", max_examples, 1), ("max_inputs", max_inputs, 1)):
        _check_int(name, v, lo)
    _check_int("max_nodes", max_nodes, 1)

    ops, missing = _detect(cls, [op for op in OPS if op.name not in _STEPGRAD_ONLY])
    if not any(_is(op, "+", CONSTANT_RIGHT) for op in ops):  # shifts into a domain need x + c
        dropped = [op for op in ops if op.domains]
        ops = [op for op in ops if not op.domains]
        missing += [f"{_form(op)} (needs x + c to stay in its domain)" for op in dropped]
    if not ops:
        raise ValueError(
            f"check_engine: {cls.__name__} has none of the operations to test "
            f"(tried {', '.join(missing)})"
        )
    cases = expressions(ops=ops, max_inputs=max_inputs, max_nodes=max_nodes, max_magnitude=100.0)
    count = [0]

    def fails(case) -> bool:
        count[0] += 1
        f, point = case
        expected = _stepgrad(f, point)
        assume(expected is not None)
        return _compare(cls, f, point, expected) is not None

    config = settings(
        max_examples=max_examples,
        derandomize=derandomize,
        database=None,
        deadline=None,
        phases=(Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
    )
    forms = tuple(dict.fromkeys(_form(op) for op in ops))
    name = f"check_engine({cls.__name__})"
    tested = f"ops tested: {', '.join(forms)}" + (
        f"\nnot found (not tested): {', '.join(missing)}" if missing else ""
    )
    probes = _probes(ops)
    # tiny formulas first (each op alone, then with a Value used twice): the smallest
    # failing formula is then found directly; random graphs catch the rest
    case = next(((f, p) for f, p in probes if _probe(cls, f, p) is not None), None)
    how = "a probe of each op alone and with a Value used twice"
    if case is None:
        try:
            case = find(cases, fails, settings=config)
        except NoSuchExample:
            text = (
                f"{name}: {len(probes)} probes (each op alone and with a Value used twice) "
                f"and {count[0]} random formulas agree with stepgrad\n{tested}"
            )
            return EngineReport(True, forms, tuple(missing), count[0], None, text)
        how = "random formulas, shrunk by hypothesis"
    f, point = case
    # case is a failing case, so the comparison finds a failure
    failure = cast(_Failure, _compare(cls, f, point, _stepgrad(f, point)))
    text = "\n".join(
        [
            f"{name}: {failure.message}",
            f"smallest failing formula (found by {how}):",
            *("  " + line for line in str(f).splitlines()),
            "  at " + _at(f, point),
            *_table(failure),
            *("hint: " + h for h in _hints(cls, f, point, failure, ops)),
            tested,
        ]
    )
    report = EngineReport(False, forms, tuple(missing), count[0], str(f), text)
    if raise_exception:
        raise EngineCheckError(report)
    return report


# ----------------------------------------------------------------------------------------------
# which operations the class has


def _check_class(cls) -> None:
    if not isinstance(cls, type):
        raise TypeError(f"check_engine: expected a Value class (got {cls!r})")
    try:
        leaf = cls(1.5)
    except Exception as error:
        raise TypeError(
            f"check_engine: {cls.__name__}(1.5) must make a leaf (it raised {error!r})"
        ) from error
    lacking = [a for a in ("data", "grad", "backward") if not hasattr(leaf, a)]
    if lacking:
        raise TypeError(
            f"check_engine: {cls.__name__} instances must have data, grad and backward() "
            f"(missing: {', '.join(lacking)})"
        )


def _check_int(name: str, v, lo: int) -> None:
    if isinstance(v, bool) or not isinstance(v, int) or v < lo:
        raise ValueError(f"check_engine: {name} must be an int >= {lo} (got {v!r})")


def _form(op) -> str:
    """How an op variant reads: ``x + y``, ``c - x``, ``tanh(x)``, ``leaky_relu(x, c)``."""
    operands = [Term("x"), Term("y")][: op.arities[0]]
    return op.text(operands, "c" if op.constants else None).text


def _is(op, name: str, kind: str) -> bool:
    return op.name == name and op.kind == kind


def _reflected(op) -> bool:
    """Whether ``op`` is ``c + x`` or ``c * x`` (a reflected method: ``__radd__``, ...)."""
    return op.kind == CONSTANT_LEFT and op.name in _REFLECTED_HINT


def _runs(cls, op) -> Exception | None:
    """None when ``op`` runs on ``cls`` and gives a Value, else the error (why not)."""
    args = [cls(v) for v in _PROBE_OPERANDS[: op.arities[0]]]
    try:
        out = op.apply(*args, op.constants[0]) if op.constants else op.apply(*args)
    except Exception as error:  # a learner's class may raise anything for an op it lacks
        return error
    if hasattr(out, "data") and hasattr(out, "backward"):  # a Value, of cls or a base
        return None
    return TypeError(f"{_form(op)} gave {out!r}, not a Value")


def _detect(cls, ops) -> tuple[list, list[str]]:
    """The op variants that run on ``cls``, and the forms of the ones that do not."""
    errors = {op: _runs(cls, op) for op in ops}
    runs = {op: error is None for op, error in errors.items()}
    forward = {op.name: ok for op, ok in runs.items() if _is(op, op.name, CONSTANT_RIGHT)}
    chosen, missing = [], []
    for op, ok in runs.items():
        # ``2 + v`` failing while ``v + 2`` works is a bug to report, not a missing op
        if ok or (_reflected(op) and forward.get(op.name)):
            chosen.append(op)
        elif _form(op) not in missing:
            missing.append(_form(op))
    if not chosen:  # then every op raised: each error is an Exception
        first = next(iter(errors.items()))
        raise ValueError(
            f"check_engine: {cls.__name__} has none of the operations to test (tried "
            f"{', '.join(missing)}; {_form(first[0])} raised "
            f"{_describe(cast(Exception, first[1]))})"
        )
    return chosen, [m for m in missing if m not in {_form(op) for op in chosen}]


# ----------------------------------------------------------------------------------------------
# running one formula


def _stepgrad(f, point) -> tuple[float, list[float]] | None:
    """stepgrad's value and gradients, or None where stepgrad itself cannot evaluate ``f``."""
    xs = [Value(x) for x in point]
    try:
        with enable_grad():
            out = f(*xs)
            out.backward()
    except (ValueError, OverflowError, ZeroDivisionError):
        return None
    return out.data, [x.grad for x in xs]


def _evaluate(cls, f, point):
    """Forward on ``cls``: (leaves, output) or raises with the index of the failing node."""
    leaves = [cls(x) for x in point]
    vals = list(leaves)
    for k, node in enumerate(f.nodes):
        args = [vals[i] for i in node.args]
        try:
            vals.append(
                node.op.apply(*args, node.const) if node.op.constants else node.op.apply(*args)
            )
        except Exception as error:
            raise _NodeError(k, error) from error
    return leaves, vals[-1]


class _NodeError(Exception):
    def __init__(self, node: int, error: Exception) -> None:
        super().__init__(node, error)
        self.node, self.error = node, error


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= _ATOL + _RTOL * abs(b) or (math.isnan(a) and math.isnan(b))


def _compare(cls, f, point, expected) -> _Failure | None:
    """None when ``cls`` agrees with stepgrad on ``f`` at ``point``, else what went wrong."""
    value, grads = expected
    try:
        leaves, out = _evaluate(cls, f, point)
    except _NodeError as e:
        form = _form(f.nodes[e.node].op)
        return _Failure("error", e.node, f"{form} raised {_describe(e.error)}")
    try:
        out.backward()
    except Exception as error:
        return _Failure("error", None, f"backward() raised {_describe(error)}")
    try:
        got_value = float(out.data)
        got = [float(x.grad) for x in leaves]
    except (TypeError, ValueError) as error:
        return _Failure("error", None, f"data or grad is not a number ({error})")
    numeric = _numeric(f.reference, point)
    rows = tuple(
        (n, e, num, g)
        for n, e, num, g in zip(f.input_names, grads, numeric, got)
        if not _close(g, e)
    )
    if not _close(got_value, value):
        row = ("value", value, f.reference(*point), got_value)
        return _Failure("value", None, "the forward value disagrees", (row, *rows))
    if rows:
        which = ", ".join(r[0] for r in rows)
        what = (
            f"the gradient of {which} disagrees"
            if len(rows) == 1
            else (f"the gradients of {which} disagree")
        )
        return _Failure("gradient", None, what, rows)
    return None


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"


def _numeric(reference, point) -> list[float]:
    """Central finite differences of the formula on plain floats (no engine involved)."""
    out = []
    for i in range(len(point)):
        up, down = list(point), list(point)
        up[i] += _EPS
        down[i] -= _EPS
        out.append((reference(*up) - reference(*down)) / (2 * _EPS))
    return out


def _table(failure: _Failure) -> list[str]:
    if not failure.rows:
        return []
    lines = [f"  {'':6}  {'expected (stepgrad)':>20}  {'finite differences':>20}  {'got':>20}"]
    for name, e, num, g in failure.rows:
        label = name if name == "value" else f"d/d{name}"
        lines.append(f"  {label:6}  {e:>20.10g}  {num:>20.10g}  {g:>20.10g}")
    return lines


# ----------------------------------------------------------------------------------------------
# hints: small probes that tell the classic bugs apart


def _hints(cls, f, point, failure: _Failure, ops) -> list[str]:
    if failure.kind == "error":
        return _error_hints(f, failure)
    out = _evaluate(cls, f, point)[1]
    out.backward()
    if out.grad != 1:
        return [
            f"after backward() the output's own grad is {out.grad!r}: backward() must seed it "
            "with 1 (self.grad = 1.0) before walking the graph"
        ]
    values = _node_values(f, point)
    hint = _wrong_alone(cls, f, values, ops) or _wrong_when_shared(cls, f, values, ops)
    if hint:
        return [hint]
    return [
        "every op is right on its own and with a Value used twice, so look at backward(): "
        "it must call each node's _backward exactly once (a visited set in the topological "
        "sort), after every node that uses it (reverse topological order), starting from "
        "root.grad = 1"
    ]


def _error_hints(f, failure: _Failure) -> list[str]:
    op = None if failure.node is None else f.nodes[failure.node].op
    if op is not None and _reflected(op):
        form = _form(op).replace("c", "2")
        return [f"{form} fails while the other order works: define {_REFLECTED_HINT[op.name]}"]
    if "unhashable" in failure.message:
        return [
            "backward() keeps Values in a set, which needs them hashable: a class that "
            "defines __eq__ loses its __hash__. Compare .data instead of defining __eq__ "
            "(or add __hash__ = object.__hash__)"
        ]
    return []


def _wrong_alone(cls, f, values: list[float], ops) -> str:
    """The first op of ``f`` wrong on its own, on fresh leaves at the operands it had."""
    for node in f.nodes:
        alone = Expression(
            [f"a{i}" for i in range(len(node.args))], [(node.op, _ids(node), node.const)]
        )
        at = [values[i] for i in node.args]
        bad = _probe(cls, alone, at)
        if bad is not None:
            what = "forward value" if bad.kind == "value" else "derivative rule"
            others = [
                _form(p.nodes[0].op)
                for p, q in _probes(ops)
                if len(p.nodes) == 1 and _probe(cls, p, q) is not None
            ]
            others = [o for o in dict.fromkeys(others) if o != _form(node.op)]
            also = f"; also wrong on their own: {', '.join(others)}" if others else ""
            return (
                f"the {what} of {_form(node.op)} is wrong on its own: {alone} at "
                f"{_at(alone, at)} ({_first_row(bad)}){also}"
            )
    return ""


def _wrong_when_shared(cls, f, values: list[float], ops) -> str:
    """The first op of ``f`` that is wrong when one Value is used twice."""
    add = next((op for op in ops if _is(op, "+", INFIX)), None)
    for node in _distinct(f.nodes):
        n = len(node.args)
        probes = []
        if n == 2:  # op(a, a): one node, the same Value on both sides
            probes.append((Expression(["a0"], [(node.op, (0, 0), node.const)]), 1))
        if add is not None:  # op(a) + op(a): two nodes write into the same leaf
            one = (node.op, _ids(node), node.const)
            twice = Expression([f"a{i}" for i in range(n)], [one, one, (add, (n, n + 1))])
            probes.append((twice, n))
        for probe, k in probes:
            at = [values[i] for i in node.args][:k]
            bad = _probe(cls, probe, at)
            if bad is not None:
                return (
                    f"{_form(node.op)} is right on its own but wrong when a Value is used "
                    f"twice: {probe} at {_at(probe, at)} ({_first_row(bad)}). Its _backward (or "
                    "that of an op it is built from) assigns (x.grad = ...) instead of "
                    "accumulating (x.grad += ...), so only the last contribution survives"
                )
    return ""


def _at(f, point) -> str:
    return ", ".join(f"{n} = {x!r}" for n, x in zip(f.input_names, point))


def _first_row(failure: _Failure) -> str:
    if not failure.rows:
        return failure.message
    name, e, _, g = failure.rows[0]
    label = name if name == "value" else f"d/d{name}"
    return f"{label}: expected {e:.10g}, got {g:.10g}"


def _probes(ops) -> list[tuple]:
    """Tiny formulas, each op alone first, then each op with a Value used twice."""
    add = next((op for op in ops if _is(op, "+", INFIX)), None)
    alone, shared = [], []
    # micrograd's primitives before the composites built from them (- is + and *, / is *
    # and **), so a broken primitive shows up as itself
    for op in sorted(ops, key=lambda op: _COMPOSITES.get(op.name, 1)):
        n = op.arities[0]
        names = [f"x{i}" for i in range(n)]
        one = (op, tuple(range(n)), op.constants[0] if op.constants else None)
        for point in _PROBE_POINTS:
            if not all(op.domain(i).contains(point[i], 0.1) for i in range(n)):
                continue
            alone.append((Expression(names, [one]), list(point[:n])))
            if n == 2 and op.domain(1).contains(point[0], 0.1):  # op(x0, x0)
                shared.append((Expression(["x0"], [(one[0], (0, 0), one[2])]), [point[0]]))
            if add is not None:  # op(x) + x0; op(x) + op(x); t = op(x), (t + x0) + t
                for nodes in (
                    [one, (add, (n, 0))],
                    [one, one, (add, (n, n + 1))],
                    [one, (add, (n, 0)), (add, (n + 1, n))],
                ):
                    shared.append((Expression(names, nodes), list(point[:n])))
    return alone + shared


def _ids(node) -> tuple[int, ...]:
    return tuple(range(len(node.args)))


def _distinct(nodes) -> list:
    seen, out = set(), []
    for node in nodes:
        key = (id(node.op), node.const)
        if key not in seen:
            seen.add(key)
            out.append(node)
    return out


def _node_values(f, point: Sequence[float]) -> list[float]:
    vals = [float(x) for x in point]
    for node in f.nodes:
        args = [vals[i] for i in node.args]
        vals.append(
            node.op.reference(*args, node.const) if node.op.constants else node.op.reference(*args)
        )
    return vals


def _probe(cls, f, point) -> _Failure | None:
    expected = _stepgrad(f, point)
    return None if expected is None else _compare(cls, f, point, expected)
