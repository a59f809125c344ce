"""Hypothesis strategies for property-testing gradients: domain-aware floats, random expressions.

Two strategies, each made to feed ``gradcheck`` (``nn.testing.mlps`` adds networks):

- ``reals(op=...)``: floats inside an operation's domain, a margin away from its kinks and poles.
- ``expressions()``: random expression graphs over every primitive, with shared sub-expressions,
  paired with inputs at which every operation is a margin away from its kinks and poles and
  finite differences are accurate (``finite_differences_are_accurate``), so a correct engine
  passes ``gradcheck`` and ``gradgradcheck`` on every example.

An expression ``f`` is callable on Values, carries the same function on plain floats as
``f.reference`` (which ``gradcheck`` uses to check the forward value), and prints as a formula,
so a failing example reads ``f(x0, x1) = tanh(x0 * x1) + (x0 * x1) ** 2``. Property-testing a
composite function of your own takes five lines:

>>> from hypothesis import given
>>> from autograd import gradcheck
>>> from autograd.testing import reals
>>> @given(reals(), reals(op="log"))
... def test_my_function(x, y):
...     assert gradcheck(lambda a, b: (a * b.log()).tanh() + a / b, [x, y])
>>> test_my_function()

hypothesis is a development dependency (``pip install hypothesis``); ``import autograd`` does
not import this module.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Sequence

try:
    from hypothesis import assume, reject
    from hypothesis import strategies as st
except ImportError as error:  # pragma: no cover - exercised only without hypothesis
    raise ImportError(
        "autograd.testing needs hypothesis, a development dependency: pip install hypothesis"
    ) from error

from autograd.notation import CONSTANT_RIGHT
from autograd.testing.formulas import Expression, _apply, _Node
from autograd.testing.strategy_ops import OPS, Domain, Op, _resolve, variant
from autograd.testing.taylor import error_ratio
from autograd.value import Value

__all__ = [
    "OPS",
    "Domain",
    "Expression",
    "Op",
    "expressions",
    "finite_differences_are_accurate",
    "reals",
    "variant",
]


# ----------------------------------------------------------------------------------------------
# reals


def reals(
    op: str | Op | Callable[..., Value] | None = None,
    *,
    min_value: float = -3.0,
    max_value: float = 3.0,
    avoid: Iterable[float] = (),
    margin: float = 0.1,
) -> st.SearchStrategy[float]:
    """Finite floats in ``[min_value, max_value]``, a ``margin`` away from kinks and poles.

    ``op`` (a name such as ``"log"``, ``"relu"``, ``"/"``, an ``Op`` or an op made by
    ``define_op``) restricts the floats to what every operand of every variant of that op
    accepts: ``reals(op="log")`` is at least ``margin``, ``reals(op="relu")`` keeps ``margin``
    away from 0; a one-operand op's ``domain`` predicate must hold at ``x`` and ``margin``
    either side. ``avoid`` adds points of your own to keep ``margin`` away from.

    >>> from hypothesis import given
    >>> @given(reals(op="log"), reals(avoid=(1.0,), margin=0.25))
    ... def test(x, y):
    ...     assert 0.1 <= x <= 3.0 and abs(y - 1.0) >= 0.25
    >>> test()
    """
    for name, v in (("min_value", min_value), ("max_value", max_value), ("margin", margin)):
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise TypeError(f"reals: {name} must be a finite number (got {v!r})")
    if margin < 0:
        raise ValueError(f"reals: margin must be >= 0 (got {margin!r})")
    chosen = _resolve(op, "reals") if op is not None else ()
    points = [float(a) for a in avoid]
    lo = float(min_value)
    for each in chosen:
        for d in each.domains:
            if d.lower is not None:
                lo = max(lo, d.lower + margin)
            points.extend(d.kinks)
    intervals = _intervals_away_from(lo, float(max_value), points, margin)
    if not intervals:
        raise ValueError(
            f"reals: no float in [{min_value}, {max_value}] is {margin} away from {points}"
            + (f" and inside the domain of {op!r}" if op is not None else "")
        )
    floats = st.one_of([st.floats(a, b) for a, b in intervals])
    for each in (v for v in chosen if v.accepts):
        if each.arities != (1,) or each.constants:
            raise ValueError(
                f"reals: the domain of {each.name!r} is a predicate on several operands; "
                "draw them together with expressions()"
            )
        floats = floats.filter(_inside(each, margin))
    return floats


def _intervals_away_from(lo: float, hi: float, points: list[float], margin: float) -> list:
    """``[lo, hi]`` without the open ``margin``-neighbourhood of each point, as intervals."""
    intervals = [(lo, hi)]
    for k in sorted(set(points)):
        cut = []
        for a, b in intervals:
            if a <= k - margin:
                cut.append((a, min(b, k - margin)))
            if b >= k + margin:
                cut.append((max(a, k + margin), b))
        intervals = cut
    return [(a, b) for a, b in intervals if a <= b]


def _inside(op: Op, margin: float) -> Callable[[float], bool]:
    return lambda x: _accepted(op, [x], None, margin)


def _accepted(op: Op, operands: Sequence[float], const: object, margin: float) -> bool:
    """Whether ``op.accepts`` holds at ``operands`` and at each one moved ``margin`` either way.

    A predicate that raises an arithmetic error or ValueError there counts as not holding.
    """
    if op.accepts is None:
        return True
    extra = () if op.constants == () else (const,)
    points = [list(operands)]
    for i in range(len(operands)):
        for step in (-margin, margin):
            moved = list(operands)
            moved[i] += step
            points.append(moved)
    try:
        return all(op.accepts(*p, *extra) for p in points)
    except (ArithmeticError, ValueError):
        return False


# ----------------------------------------------------------------------------------------------
# expressions


# an operand moved into its domain: ``x + c``, with c a whole number (not drawn)
_SHIFT = Op("+", operator.add, operator.add, kind=CONSTANT_RIGHT, constants=(1.0,))


def _in_range(v: float, max_magnitude: float) -> bool:
    return math.isfinite(v) and abs(v) <= max_magnitude


def _distance_to_edge(node: _Node, position: int, x: float) -> float | None:
    """How far operand ``x`` is from its domain's edge and kinks (None: it has neither)."""
    domain = node.op.domain(position)
    edges = [abs(x - k) for k in domain.kinks]
    if domain.lower is not None:
        edges.append(x - domain.lower)
    return min(edges) if edges else None


#: the share of gradcheck's tolerance that finite differences may use up, estimated
FD_BUDGET = 0.1


def finite_differences_are_accurate(f: Expression, point: Sequence[float]) -> bool:
    """Whether finite differences at ``point`` are accurate enough for ``gradcheck`` of ``f``.

    True when, for every input (and pair of inputs), the estimated error of the central
    differences at ``eps=1e-6`` is at most ``FD_BUDGET`` of the tolerance
    ``atol + rtol * |exact derivative|`` (``atol=1e-5, rtol=1e-3``), and every operand with a
    kink or pole is at least 1000 finite-difference steps of itself away from it. The errors
    are estimated on floats without the engine (``autograd.testing.taylor``): truncation from the
    third derivatives, rounding from 4 units of roundoff per operation carried to the output.
    Always True for expressions with an op of your own that has no ``derivatives`` and whose
    ``reference`` is not plain arithmetic (nothing can be estimated); for an op made by
    ``define_op`` the reference is its forward, so ``lambda x: x**3`` is estimated and
    ``math.log1p`` is not (its ``domain`` still keeps operands ``margin`` inside).

    >>> from autograd.testing import Expression, variant
    >>> div = variant("/", "constant left")
    >>> f = Expression(["x0"], [(div, (0,), 2.0)])   # 2 / x0
    >>> finite_differences_are_accurate(f, [0.5]), finite_differences_are_accurate(f, [1e-4])
    (True, False)
    """
    try:
        ratio = error_ratio(f, list(point), domain=_distance_to_edge)
    except TypeError:  # an op of your own that does not run on jets
        return True
    except (ValueError, ZeroDivisionError, OverflowError):
        return False
    return ratio <= FD_BUDGET


# inputs with two decimals in [-3, 3]: readable, and without the tiny and repeated floats that
# make many derivatives vanish or coincide (a swapped rule for x * y hides at x = y)
_DECIMALS = st.integers(-300, 300).map(lambda k: k / 100)


@st.composite
def _expressions(
    draw, ops, min_inputs, max_inputs, min_nodes, max_nodes, input_values, margin, max_magnitude
):
    n = draw(st.integers(min_inputs, max_inputs))
    point = draw(st.lists(input_values, min_size=n, max_size=n, unique=True))
    nodes: list[_Node] = []
    vals = list(point)  # the value of every input and node, in order (floats, no engine)
    for k in range(draw(st.integers(min_nodes, max_nodes))):
        for _ in range(_ATTEMPTS):  # redrawn only when an op's ``accepts`` refuses
            op, args, const = _draw_node(draw, ops, n, len(vals) - 1, k)
            shifted = [
                vals[j] + op.domain(pos).shift(vals[j], margin) for pos, j in enumerate(args)
            ]
            if _accepted(op, shifted, const, margin):
                break
        else:
            reject()  # no op of those drawn is defined at these operands
        for pos, j in enumerate(args):  # move operands into their domains by shifts
            s = op.domain(pos).shift(vals[j], margin)
            if s:
                v = vals[j] + s
                assume(op.domain(pos).contains(v, margin) and _in_range(v, max_magnitude))
                nodes.append(_Node(_SHIFT, (j,), s))
                vals.append(v)
                args[pos] = len(vals) - 1
        node = _Node(op, tuple(args), const)
        try:
            v = _apply(node, vals, op.reference)
        except (OverflowError, ValueError, ZeroDivisionError):
            v = math.inf
        assume(_in_range(v, max_magnitude))
        nodes.append(node)
        vals.append(v)
    f = Expression([f"x{i}" for i in range(n)], nodes)
    assume(finite_differences_are_accurate(f, point))
    return f, point


_ATTEMPTS = 5  # tries at a node whose operands the op's ``accepts`` takes, before a reject


def _draw_node(draw, ops, n: int, newest: int, k: int) -> tuple[Op, list[int], object]:
    op = draw(st.sampled_from(draw(st.sampled_from(ops))))  # a name, then a variant
    arity = draw(st.sampled_from(op.arities))
    # the first operand is the newest node, so every node counts; the others may be any
    # input or earlier node, which makes shared sub-expressions
    args = [newest if k else draw(st.integers(0, n - 1))]
    args += [draw(st.integers(0, newest)) for _ in range(arity - 1)]
    const = None
    if op.constants and op.constant_count is not None:
        count = op.constant_count(arity)
        const = tuple(draw(st.sampled_from(op.constants)) for _ in range(count))
    elif op.constants:
        const = draw(st.sampled_from(op.constants))
    return op, args, const


def expressions(
    *,
    ops: Iterable[str | Op | Callable[..., Value]] | None = None,
    min_inputs: int = 1,
    max_inputs: int = 3,
    min_nodes: int = 1,
    max_nodes: int = 12,
    input_values: st.SearchStrategy[float] | None = None,
    margin: float = 0.1,
    max_magnitude: float = 1e3,
) -> st.SearchStrategy[tuple[Expression, list[float]]]:
    """Random expression graphs over the primitives, paired with inputs safe for ``gradcheck``.

    Draws ``(f, inputs)``: ``f`` an ``Expression`` of ``min_nodes`` to ``max_nodes``
    operations on ``min_inputs`` to ``max_inputs`` inputs, in which any node may be used by
    several later ones (shared sub-expressions: where gradient accumulation bugs hide), and
    ``inputs`` a list of distinct floats (``input_values``, by default numbers with two
    decimals in [-3, 3]).

    What holds at ``inputs`` (the guarantees, for a correct engine):

    - every operand is at least ``margin`` inside its domain and away from kinks (relu,
      leaky_relu and abs at 0, log and sqrt and a fractional power's base above 0, a divisor
      or a negative power's base away from 0): an operand that is too close gets a
      whole-number shift, shown in the formula (``log(x0 - x1 + 3)``);
    - every intermediate value is finite and within ``max_magnitude``;
    - ``gradcheck`` and ``gradgradcheck`` at their defaults (``eps=1e-6, atol=1e-5,
      rtol=1e-3``) can trust their finite differences: ``finite_differences_are_accurate``
      holds, that is for every entry they compare, the estimated truncation and rounding
      error of the central difference is at most a tenth of the tolerance, and every
      operand with a kink or pole is at least 1000 steps of ``eps`` (times how fast it moves
      with the inputs) away from it. Measured: no false failure in 200,000 examples,
      each checked by both (``bench/strategy_soundness.py``; numbers in docs/property-testing.md).

    Draws that break one of these are rejected (rarely: 2 in 3,000). ``ops`` picks operations by
    name (``OPS`` lists them:
    ``+ - * / ** neg abs exp log sqrt tanh sigmoid relu leaky_relu softplus sin cos tan add_all
    affine``), as ``Op`` objects of your own, or as ops made by ``define_op`` (the function
    or the name it was given): one definition is all a new op needs, with ``Op.from_define_op``
    (its forward is the reference, its ``domain`` kept ``margin`` inside; an operand where
    it fails is redrawn, 5 times at most, then the draw is rejected). Examples shrink to few
    nodes and inputs.

    >>> from hypothesis import given
    >>> from autograd import gradcheck
    >>> @given(expressions(ops=["*", "tanh", "relu"], max_nodes=4))
    ... def test(case):
    ...     f, inputs = case
    ...     assert gradcheck(f, inputs)
    >>> test()
    """
    chosen = _resolve(ops, "expressions")
    for name, v in (("min_inputs", min_inputs), ("min_nodes", min_nodes)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"expressions: {name} must be an int >= 1 (got {v!r})")
    for name, lo, hi in (("inputs", min_inputs, max_inputs), ("nodes", min_nodes, max_nodes)):
        if isinstance(hi, bool) or not isinstance(hi, int) or hi < lo:
            raise ValueError(f"expressions: max_{name} must be an int >= min_{name} (got {hi!r})")
    if not 0 < margin <= 1:
        raise ValueError(f"expressions: margin must be in (0, 1] (got {margin!r})")
    if not max_magnitude >= 10:
        raise ValueError(f"expressions: max_magnitude must be >= 10 (got {max_magnitude!r})")
    values = _DECIMALS if input_values is None else input_values
    groups: dict[str, list[Op]] = {}
    for op in chosen:
        groups.setdefault(op.name, []).append(op)
    return _expressions(
        list(groups.values()),
        min_inputs,
        max_inputs,
        min_nodes,
        max_nodes,
        values,
        margin,
        max_magnitude,
    )
