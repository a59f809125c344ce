"""``check_engine``: test a Value class of your own against stepgrad and finite differences.

Written your own micrograd? ``check_engine(MyValue)`` finds out which operations the class
has (``+ - * / **`` with Values or numbers on either side, ``-x``, ``abs``, ``exp log sqrt
tanh sigmoid relu leaky_relu softplus sin cos tan``), then builds random expression graphs from
those, with shared sub-expressions (a node used by several later ones, where accumulation
bugs hide), runs ``backward()`` on your class and on stepgrad's ``Value``, and compares the
values and every input's gradient. The first disagreement is shrunk by hypothesis to the
smallest formula that still fails (a shared sub-expression on a line of its own,
``t1 = -x0`` then ``f(x0) = t1 + t1``, so typing it in builds the same graph), and the report
says which input's gradient is wrong, expected (stepgrad, and finite differences of the
formula on plain floats) against got, and which classic bug it looks like:

- a ``_backward`` that assigns (``=``) instead of accumulating (``+=``): right for every op
  alone, wrong as soon as a node is used twice (``x0 + x0``);
- a wrong local derivative: wrong for that op alone (``tanh(x0)``);
- a rule that forgets ``* out.grad``: right when backward() starts at the op (the incoming
  gradient is then 1), wrong in ``tanh(x0) * 2``;
- a topological sort that visits a node used twice twice (gradient counted twice);
- a ``backward()`` that never returns (reported after ``timeout`` seconds), a method that
  raises (a ``sigmoid`` without ``import math``), an engine whose answers change from run to
  run ("not deterministic").

A missing ``__radd__`` / ``__rmul__`` (``v + 2`` works but ``2 + v`` raises TypeError;
``sum()`` of Values needs ``__radd__``) is listed as missing, with how to add it, and the
rest is still checked. ``grad is None`` for an input the output does not use (PyTorch's
convention) counts as 0. An engine computing in float32 passes with ``rtol=1e-4, atol=1e-4``.

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

import inspect
import math
import numbers
import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

try:
    from hypothesis import HealthCheck, Phase, assume, find, settings
    from hypothesis.errors import Flaky, NoSuchExample
except ImportError as error:  # pragma: no cover - exercised only without hypothesis
    raise ImportError(
        "autograd.testing.engine_check needs hypothesis, a development dependency: "
        "pip install hypothesis"
    ) from error

from autograd.errors import EngineCheckError
from autograd.mode import enable_grad
from autograd.notation import CALL, CONSTANT_LEFT, CONSTANT_RIGHT, INFIX, Term
from autograd.testing.formulas import Expression, _formula_lines
from autograd.testing.strategies import expressions
from autograd.testing.strategy_ops import OPS
from autograd.value import Value

__all__ = ["EngineCheckError", "EngineReport", "check_engine"]

# stepgrad-only operations (fused nodes) that a learner's class is not expected to have
_STEPGRAD_ONLY = ("add_all", "affine")
_ATOL = 1e-6
_RTOL = 1e-6
_EPS = 1e-6
_TIMEOUT = 5.0  # seconds for one formula's forward and backward on the learner's class
_SCALE = 2.0  # op(x) * 2: the op's incoming gradient is 2, not 1
_T = TypeVar("_T")
_PROBE_OPERANDS = (1.5, 0.75)  # inside every built-in op's domain, away from every kink
_PROBE_POINTS = (_PROBE_OPERANDS, (-0.6, -1.2))  # both sides of relu's and abs's kink
_COMPOSITES = {"+": 0, "*": 0, "-": 2, "/": 2, "neg": 2}
_REFLECTED_HINT = {  # c + x and c * x: the reflected methods a learner's class may lack
    "+": "__radd__ (micrograd: def __radd__(self, other): return self + other); "
    "sum() of Values starts from the number 0 and needs it",
    "*": "__rmul__ (micrograd: def __rmul__(self, other): return self * other); 2 * x needs it",
}


@dataclass(frozen=True)
class EngineReport:
    """What ``check_engine`` did and found; true when every formula agreed.

    ``ops`` are the operation forms tested (``"x + y"``, ``"c * x"``, ``"tanh(x)"``...),
    ``missing`` the ones the class does not have (not tested), ``examples`` how many random
    formulas were run (shrinking included), ``formula`` the smallest failing formula (or
    ``None``; shared sub-expressions on lines of their own, ``t1 = -x0``, so that typing it
    in builds the same graph) and ``text`` the whole report (also ``str(report)``).
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
    kind: str  # "error", "timeout", "value" or "gradient"
    node: int | None  # for errors in the forward pass: the node that raised
    message: str
    rows: tuple[tuple[str, float, float, float], ...] = ()  # input, expected, numeric, got
    seed: float | None = None  # the output's own grad after backward()


@dataclass(frozen=True)
class _Engine:
    """The learner's class and how to judge it: tolerances and the time limit per formula."""

    cls: type
    rtol: float = _RTOL
    atol: float = _ATOL
    timeout: float = _TIMEOUT


def check_engine(
    cls: type,
    *,
    max_examples: int = 200,
    max_inputs: int = 3,
    max_nodes: int = 8,
    derandomize: bool = True,
    raise_exception: bool = True,
    rtol: float = _RTOL,
    atol: float = _ATOL,
    timeout: float = _TIMEOUT,
) -> EngineReport:
    """Test a micrograd-style Value class on random expression graphs against stepgrad.

    Args:
        cls: your Value class: ``cls(2.0)`` makes a leaf with ``.data`` and ``.grad``;
            operations on it return instances of it; ``out.backward()`` fills ``.grad``
            (``None`` for an input the output does not depend on counts as 0, as in PyTorch).
        max_examples: how many random formulas to try before calling it a pass.
        max_inputs: how many inputs each formula has at most.
        max_nodes: how many operations each formula has at most.
        derandomize: the same formulas on every run (set False for fresh ones).
        raise_exception: raise ``EngineCheckError`` on a failure (default), or return the
            report with ``passed=False``.
        rtol: a value or gradient ``got`` agrees with stepgrad's ``expected`` when
            ``|got - expected| <= atol + rtol * |expected|`` (default ``1e-6``; an engine
            computing in float32 needs about ``rtol=1e-4, atol=1e-4``).
        atol: the absolute part of that tolerance (default ``1e-6``).
        timeout: seconds one formula's forward pass and ``backward()`` may take on your
            class; past it the formula fails as "did not finish" (an endless loop). On the
            main thread of a Unix process the learner's code is interrupted with a timer
            signal; elsewhere it runs in a daemon thread that is left behind, still running,
            when it never returns.

    Returns an ``EngineReport`` (true when everything agreed). Only operations the class has
    are used: an op is missing when the class lacks the method (or the operator raises
    TypeError, AttributeError, AssertionError or NotImplementedError, as for an unsupported
    operand); a method that exists but raises (a ``sigmoid`` without ``import math``) is a
    failure. A missing ``__radd__`` / ``__rmul__`` (``v + 2`` works, ``2 + v`` raises) is
    reported as missing, with how to add it, and the other operations are still checked.
    An engine giving different answers on the same formula fails as "not deterministic".

    Raises:
        TypeError: ``cls`` is not a class whose instances have ``data``, ``grad`` and
            ``backward()``, or a tolerance or the timeout is not a number.
        ValueError: the class has none of the operations, or an argument is out of range.
        EngineCheckError: a formula disagrees (``raise_exception=True``).
    """
    _check_class(cls)
    for name, v, lo in (("max_examples", max_examples, 1), ("max_inputs", max_inputs, 1)):
        _check_int(name, v, lo)
    _check_int("max_nodes", max_nodes, 1)
    engine = _Engine(
        cls,
        _number_arg("rtol", rtol),
        _number_arg("atol", atol),
        _number_arg("timeout", timeout, positive=True),
    )
    ops, missing, notes = _usable(engine)
    name = f"check_engine({cls.__name__})"
    forms = tuple(dict.fromkeys(_form(op) for op in ops))
    tested = "\n".join(
        [
            f"ops tested: {', '.join(forms)}",
            *([f"not found (not tested): {', '.join(missing)}"] if missing else []),
            *("note: " + n for n in notes),
        ]
    )
    probes = _probes(ops)
    # tiny formulas first (each op alone, with a Value used twice, with an incoming gradient
    # other than 1): the smallest failing formula is then found directly; random graphs
    # catch the rest
    case = next(((f, p) for f, p in probes if _probe(engine, f, p) is not None), None)
    how = "a probe of each op alone, with a Value used twice and with an incoming gradient"
    count = [0]
    if case is None:
        try:
            case = _search(engine, ops, max_examples, max_inputs, max_nodes, derandomize, count)
        except Flaky:  # hypothesis replayed a failing formula and it passed
            text = f"{name}: {_NOT_DETERMINISTIC} (a formula failed, then passed)\n{tested}"
            report = EngineReport(False, forms, tuple(missing), count[0], None, text)
            return _fail(report, raise_exception)
        if case is None:
            text = (
                f"{name}: {len(probes)} probes (each op alone, with a Value used twice and "
                f"with an incoming gradient other than 1) and {count[0]} random formulas "
                f"agree with stepgrad\n{tested}"
            )
            return EngineReport(True, forms, tuple(missing), count[0], None, text)
        how = "random formulas, shrunk by hypothesis"
    f, point = case
    lines = _failure_lines(engine, f, point, ops, how)
    text = "\n".join([f"{name}: {lines[0]}", *lines[1:], tested])
    report = EngineReport(False, forms, tuple(missing), count[0], _formula(f), text)
    return _fail(report, raise_exception)


_NOT_DETERMINISTIC = (
    "your engine is not deterministic: the same formula at the same inputs gave different "
    "answers on different runs (state kept between runs? a class-level counter or cache, "
    "random numbers, grads not starting at 0 on fresh Values?)"
)


def _fail(report: EngineReport, raise_exception: bool) -> EngineReport:
    if raise_exception:
        raise EngineCheckError(report)
    return report


def _usable(engine: _Engine) -> tuple[list, list[str], list[str]]:
    """The op variants to test, the forms of the missing ones, and notes on missing ones."""
    ops, missing, notes = _detect(engine, [op for op in OPS if op.name not in _STEPGRAD_ONLY])
    if not any(_is(op, "+", CONSTANT_RIGHT) for op in ops):  # shifts into a domain need x + c
        dropped = [op for op in ops if op.domains]
        ops = [op for op in ops if not op.domains]
        missing += [f"{_form(op)} (needs x + c to stay in its domain)" for op in dropped]
    if not ops:
        raise ValueError(
            f"check_engine: {engine.cls.__name__} has none of the operations to test "
            f"(tried {', '.join(missing)})"
        )
    return ops, missing, notes


def _search(engine, ops, max_examples, max_inputs, max_nodes, derandomize, count) -> tuple | None:
    """A failing random formula, shrunk by hypothesis, or None when every formula agreed."""
    cases = expressions(ops=ops, max_inputs=max_inputs, max_nodes=max_nodes, max_magnitude=100.0)

    def fails(case) -> bool:
        count[0] += 1
        f, point = case
        expected = _stepgrad(f, point)
        assume(expected is not None)
        return _compare(engine, f, point, expected) is not None

    config = settings(
        max_examples=max_examples,
        derandomize=derandomize,
        database=None,
        deadline=None,
        phases=(Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
    )
    try:
        return find(cases, fails, settings=config)
    except NoSuchExample:
        return None


def _failure_lines(engine: _Engine, f, point, ops, how: str) -> list[str]:
    """The report of a failing formula: what failed, the formula, the table and hints.

    The formula is run again twice: an engine that then agrees is reported as not
    deterministic (one that disagrees differently is not: a ``set`` of parents, iterated in
    an order that depends on memory addresses, may change its numbers run to run).
    """
    first, second = (_compare(engine, f, point, _stepgrad(f, point)) for _ in range(2))
    formula = [
        f"smallest failing formula (found by {how}):",
        *("  " + line for line in _formula(f).splitlines()),
        "  at " + _at(f, point),
    ]
    if first is None or second is None:
        runs = [_outcome(r) for r in (first, second)]
        return [_NOT_DETERMINISTIC, *formula, f"  run again: {runs[0]}; and again: {runs[1]}"]
    return [
        first.message,
        *formula,
        *_table(first),
        *("hint: " + h for h in _hints(engine, f, point, first, ops)),
    ]


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


def _number_arg(name: str, v, *, positive: bool = False) -> float:
    """``v`` as a float: a finite real number >= 0 (> 0 when ``positive``)."""
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise TypeError(f"check_engine: {name} must be a number (got {v!r})")
    x = float(v)
    if not (math.isfinite(x) and (x > 0 if positive else x >= 0)):
        what = "a finite number > 0" if positive else "a finite number >= 0"
        raise ValueError(f"check_engine: {name} must be {what} (got {v!r})")
    return x


def _form(op) -> str:
    """How an op variant reads: ``x + y``, ``c - x``, ``tanh(x)``, ``leaky_relu(x, c)``."""
    operands = [Term("x"), Term("y")][: op.arities[0]]
    return op.text(operands, "c" if op.constants else None).text


def _is(op, name: str, kind: str) -> bool:
    return op.name == name and op.kind == kind


def _reflected(op) -> bool:
    """Whether ``op`` is ``c + x`` or ``c * x`` (a reflected method: ``__radd__``, ...)."""
    return op.kind == CONSTANT_LEFT and op.name in _REFLECTED_HINT


# what an operator raises for an operand it does not support: Python's TypeError, micrograd's
# ``assert isinstance(other, (int, float))``, ``other.data`` on a number
_UNSUPPORTED = (TypeError, AttributeError, AssertionError, NotImplementedError)


def _is_method(op) -> bool:
    return op.kind == CALL and op.name != "abs"  # abs(x) is the operator __abs__


def _has_method(leaf, op) -> bool:
    """Whether ``leaf`` has ``op``'s method, taking the op's constant if it has one."""
    method = getattr(leaf, op.name, None)
    if not callable(method):
        return False
    try:
        inspect.signature(method).bind(*op.constants[:1])
    except TypeError:
        return False
    except ValueError:  # no signature to read (a builtin): assume it fits
        return True
    return True


def _runs(engine: _Engine, op) -> tuple[bool, Exception | None]:
    """Whether ``cls`` has ``op``, and the error it raised on the probe operands (or None).

    A method that exists (a ``sigmoid`` that fails without ``import math``) is found even
    when it raises; an operator is missing when it raises one of ``_UNSUPPORTED``.
    """
    args = [engine.cls(v) for v in _PROBE_OPERANDS[: op.arities[0]]]
    if _is_method(op) and not _has_method(args[0], op):
        return False, AttributeError(f"{engine.cls.__name__} has no method {op.name}")
    try:
        out = _limited(lambda: op.apply(*args, *op.constants[:1]), engine.timeout)
    except Exception as error:  # a learner's class may raise anything for an op it lacks
        return _is_method(op) or not isinstance(error, _UNSUPPORTED), error
    if hasattr(out, "data") and hasattr(out, "backward"):  # a Value, of cls or a base
        return True, None
    return False, TypeError(f"{_form(op)} gave {out!r}, not a Value")


def _detect(engine: _Engine, ops) -> tuple[list, list[str], list[str]]:
    """The op variants ``cls`` has, the forms of the others, and notes on missing ones."""
    found = {op: _runs(engine, op) for op in ops}
    forward = {op.name for op, (ok, _) in found.items() if ok and _is(op, op.name, CONSTANT_RIGHT)}
    chosen = [op for op, (ok, _) in found.items() if ok]
    if not chosen:  # then every op raised: each error is an Exception
        first = next(iter(found.items()))
        tried = ", ".join(dict.fromkeys(_form(op) for op in ops))
        raise ValueError(
            f"check_engine: {engine.cls.__name__} has none of the operations to test (tried "
            f"{tried}; {_form(first[0])} raised {_describe(cast(Exception, first[1][1]))})"
        )
    have = {_form(op) for op in chosen}
    missing = [m for m in dict.fromkeys(_form(op) for op in ops) if m not in have]
    notes = []
    for op, (ok, error) in found.items():
        # ``2 + v`` failing while ``v + 2`` works: a missing __radd__, worth a word
        if not ok and _reflected(op) and op.name in forward and _form(op) in missing:
            form = _form(op).replace("c", "2")
            notes.append(
                f"{form} raised {type(error).__name__} while the other order works: define "
                f"{_REFLECTED_HINT[op.name]}"
            )
    return chosen, missing, list(dict.fromkeys(notes))


# ----------------------------------------------------------------------------------------------
# running the learner's code under a time limit


class _TimedOut(Exception):
    """The learner's code did not finish within the time limit."""


class _Alarm(BaseException):
    """The timer went off (a BaseException, so a learner's ``except Exception`` lets it by)."""


def _raise_alarm(signum, frame) -> None:
    raise _Alarm


def _can_use_alarm() -> bool:
    """Whether SIGALRM can interrupt the learner's code: Unix, main thread, no timer running."""
    return (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN, None)
    )


def _limited(fn: Callable[[], _T], timeout: float) -> _T:
    """``fn()``, or ``_TimedOut`` when it takes longer than ``timeout`` seconds.

    On the main thread of a Unix process a timer signal interrupts ``fn`` (repeating every
    0.1 s, should the learner's code catch the first); elsewhere ``fn`` runs in a daemon
    thread, which is left running if it never returns (Python cannot stop a thread).
    """
    if not _can_use_alarm():
        return _in_thread(fn, timeout)
    previous = signal.signal(signal.SIGALRM, _raise_alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, timeout, 0.1)
        try:
            return fn()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0.0)
    except _Alarm:
        raise _TimedOut from None
    finally:
        signal.signal(signal.SIGALRM, previous)


def _in_thread(fn: Callable[[], _T], timeout: float) -> _T:
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = fn()
        except BaseException as error:  # handed to the caller's thread below
            result["error"] = error

    thread = threading.Thread(target=run, name="check_engine", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise _TimedOut
    if "error" in result:
        raise result["error"]
    return result["value"]


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


class _BackwardError(Exception):
    def __init__(self, error: Exception) -> None:
        super().__init__(error)
        self.error = error


def _grad(g) -> float:
    """A gradient as a float; ``None`` (PyTorch's "no gradient reached it") is 0."""
    return 0.0 if g is None else float(g)


def _run(cls, f, point, stage: list[str]) -> tuple[float, list[float], float]:
    """The learner's value, input gradients and output grad for ``f`` at ``point``."""
    leaves, out = _evaluate(cls, f, point)
    stage[0] = "backward()"
    try:
        out.backward()
    except Exception as error:
        raise _BackwardError(error) from error
    stage[0] = "reading data and grad"
    return float(out.data), [_grad(x.grad) for x in leaves], _grad(out.grad)


def _close(engine: _Engine, a: float, b: float) -> bool:
    return abs(a - b) <= engine.atol + engine.rtol * abs(b) or (math.isnan(a) and math.isnan(b))


def _compare(engine: _Engine, f, point, expected) -> _Failure | None:
    """None when ``cls`` agrees with stepgrad on ``f`` at ``point``, else what went wrong."""
    value, grads = expected
    stage = ["the forward pass"]
    try:
        got_value, got, seed = _limited(lambda: _run(engine.cls, f, point, stage), engine.timeout)
    except _NodeError as e:
        form = _form(f.nodes[e.node].op)
        return _Failure("error", e.node, f"{form} raised {_describe(e.error)}")
    except _BackwardError as e:
        return _Failure("error", None, f"backward() raised {_describe(e.error)}")
    except _TimedOut:
        return _Failure("timeout", None, f"{stage[0]} did not finish in {engine.timeout:g} s")
    except (TypeError, ValueError) as error:
        return _Failure("error", None, f"data or grad is not a number ({error})")
    numeric = _numeric(f.reference, point)
    rows = tuple(
        (n, e, num, g)
        for n, e, num, g in zip(f.input_names, grads, numeric, got)
        if not _close(engine, g, e)
    )
    if not _close(engine, got_value, value):
        row = ("value", value, f.reference(*point), got_value)
        return _Failure("value", None, "the forward value disagrees", (row, *rows), seed)
    if rows:
        which = ", ".join(r[0] for r in rows)
        what = (
            f"the gradient of {which} disagrees"
            if len(rows) == 1
            else (f"the gradients of {which} disagree")
        )
        return _Failure("gradient", None, what, rows, seed)
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


def _hints(engine: _Engine, f, point, failure: _Failure, ops) -> list[str]:
    if failure.kind == "error":
        return _error_hints(failure)
    if failure.kind == "timeout":
        return [
            "an endless loop: a topological sort that keeps revisiting nodes, a while loop "
            "whose condition never changes, or a graph with a cycle (a node among its own "
            f"parents); raise timeout= (now {engine.timeout:g} s) if your engine is just slow"
        ]
    if _only_rounding(failure):
        return [
            "every difference is tiny (at most 1e-4 of the value): rounding, as in an engine "
            "computing in float32? check_engine(..., rtol=1e-4, atol=1e-4) allows for it"
        ]
    if failure.seed != 1:
        return [
            f"after backward() the output's own grad is {failure.seed!r}: backward() must seed "
            "it with 1 (self.grad = 1.0) before walking the graph"
        ]
    values = _node_values(f, point)
    hint = (
        _wrong_alone(engine, f, values, ops)
        or _wrong_when_shared(engine, f, values, ops)
        or _wrong_when_scaled(engine, f, values, ops)
    )
    if hint:
        return [hint]
    return [
        "every op is right on its own and with a Value used twice, so look at backward(): "
        "it must call each node's _backward exactly once (a visited set in the topological "
        "sort), after every node that uses it (reverse topological order), starting from "
        "root.grad = 1"
    ]


def _only_rounding(failure: _Failure) -> bool:
    """Whether every wrong number is within float32's rounding (1e-4 of itself, or 1e-4)."""
    return all(abs(g - e) <= 1e-4 * (1 + abs(e)) for _, e, _, g in failure.rows)


def _error_hints(failure: _Failure) -> list[str]:
    if "unhashable" in failure.message:
        return [
            "backward() keeps Values in a set, which needs them hashable: a class that "
            "defines __eq__ loses its __hash__. Compare .data instead of defining __eq__ "
            "(or add __hash__ = object.__hash__)"
        ]
    if "NameError" in failure.message:
        return ["a name the method uses is not defined: a missing import (import math)?"]
    return []


def _wrong_alone(engine: _Engine, f, values: list[float], ops) -> str:
    """The first op of ``f`` wrong on its own, on fresh leaves at the operands it had."""
    for node in f.nodes:
        alone = Expression(
            [f"a{i}" for i in range(len(node.args))], [(node.op, _ids(node), node.const)]
        )
        at = [values[i] for i in node.args]
        bad = _probe(engine, alone, at)
        if bad is not None:
            what = "forward value" if bad.kind == "value" else "derivative rule"
            others = [
                _form(p.nodes[0].op)
                for p, q in _probes(ops)
                if len(p.nodes) == 1 and _probe(engine, p, q) is not None
            ]
            others = [o for o in dict.fromkeys(others) if o != _form(node.op)]
            also = f"; also wrong on their own: {', '.join(others)}" if others else ""
            return (
                f"the {what} of {_form(node.op)} is wrong on its own: {_inline(alone)} at "
                f"{_at(alone, at)} ({_first_row(bad)}){also}"
            )
    return ""


def _wrong_when_shared(engine: _Engine, f, values: list[float], ops) -> str:
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
            bad = _probe(engine, probe, at)
            if bad is not None:
                return (
                    f"{_form(node.op)} is right on its own but wrong when a Value is used "
                    f"twice: {_inline(probe)} at {_at(probe, at)} ({_first_row(bad)}). Its "
                    "_backward (or that of an op it is built from) assigns (x.grad = ...) "
                    "instead of accumulating (x.grad += ...), so only the last contribution "
                    "survives"
                )
    return ""


def _wrong_when_scaled(engine: _Engine, f, values: list[float], ops) -> str:
    """The first op of ``f`` that is wrong when the gradient arriving at it is not 1."""
    for node in _distinct(f.nodes):
        n = len(node.args)
        one = (node.op, _ids(node), node.const)
        probe = _scaled(ops, [f"a{i}" for i in range(n)], one)
        at = [values[i] for i in node.args]
        bad = None if probe is None else _probe(engine, probe, at)
        if probe is not None and bad is not None:
            return (
                f"{_form(node.op)} is right when backward() starts at it, but wrong when the "
                f"incoming gradient (out.grad) is not 1: {_inline(probe)} at "
                f"{_at(probe, at)} ({_first_row(bad)}). Its _backward must multiply its local "
                "derivative by the incoming gradient: x.grad += local * out.grad (backward() "
                "seeds the output with 1, where a forgotten * out.grad does not show)"
            )
    return ""


def _scaled(ops, names: list[str], one: tuple):
    """``one`` followed by ``* 2`` (or ``t * t``): its incoming gradient is not 1."""
    n = len(names)
    times_c = next((op for op in ops if _is(op, "*", CONSTANT_RIGHT)), None)
    if times_c is not None:
        return Expression(names, [one, (times_c, (n,), _SCALE)])
    times = next((op for op in ops if _is(op, "*", INFIX)), None)
    return None if times is None else Expression(names, [one, (times, (n, n))])


def _formula(f) -> str:
    """The formula with each shared sub-expression named on a line of its own, first.

    Typing it in builds the same graph: ``t1 = -x0`` then ``f(x0) = t1 + t1``, not
    ``-x0 + -x0``, which builds two nodes and hides what a shared node reveals.
    """
    return _formula_lines(f)


def _inline(f) -> str:
    """The formula on one line (for a hint): ``t1 = -a0; f(a0) = t1 + t1``."""
    return "; ".join(_formula(f).splitlines())


def _at(f, point) -> str:
    return ", ".join(f"{n} = {x!r}" for n, x in zip(f.input_names, point))


def _first_row(failure: _Failure) -> str:
    if not failure.rows:
        return failure.message
    name, e, _, g = failure.rows[0]
    label = name if name == "value" else f"d/d{name}"
    return f"{label}: expected {e:.10g}, got {g:.10g}"


def _outcome(failure: _Failure | None) -> str:
    if failure is None:
        return "agreed with stepgrad"
    return f"{failure.message} ({_first_row(failure)})" if failure.rows else failure.message


def _probes(ops) -> list[tuple]:
    """Tiny formulas: each op alone, each op with a Value used twice, each op times 2."""
    add = next((op for op in ops if _is(op, "+", INFIX)), None)
    alone, shared, scaled = [], [], []
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
            times = _scaled(ops, names, one)  # an incoming gradient other than 1
            if times is not None:
                scaled.append((times, list(point[:n])))
    return alone + scaled + shared


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


def _probe(engine: _Engine, f, point) -> _Failure | None:
    expected = _stepgrad(f, point)
    return None if expected is None else _compare(engine, f, point, expected)
