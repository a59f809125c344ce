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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeGuard

try:
    from hypothesis import assume, reject
    from hypothesis import strategies as st
except ImportError as error:  # pragma: no cover - exercised only without hypothesis
    raise ImportError(
        "autograd.testing needs hypothesis, a development dependency: pip install hypothesis"
    ) from error

from autograd._taylor import error_ratio
from autograd.fused import add_all, affine
from autograd.ops import defined_op
from autograd.primitives import Primitive
from autograd.value import Value

__all__ = [
    "OPS",
    "Domain",
    "Expression",
    "Op",
    "expressions",
    "finite_differences_are_accurate",
    "reals",
]


# ----------------------------------------------------------------------------------------------
# domains and operations


@dataclass(frozen=True)
class Domain:
    """Where an operand may go: at least ``lower`` (if given) and away from ``kinks``.

    Both with a margin: ``x`` is safe when ``x >= lower + margin`` and ``|x - k| >= margin``
    for every kink ``k``.

    >>> Domain(lower=0.0).contains(0.05, margin=0.1), Domain(kinks=(0.0,)).contains(-0.5, 0.1)
    (False, True)
    """

    lower: float | None = None
    kinks: tuple[float, ...] = ()

    def contains(self, x: float, margin: float) -> bool:
        """Whether ``x`` is inside the domain, a ``margin`` away from its edge and kinks."""
        if self.lower is not None and not x >= self.lower + margin:
            return False
        return all(abs(x - k) >= margin for k in self.kinks)

    def shift(self, x: float, margin: float) -> float:
        """A whole-number shift ``s`` that moves ``x + s`` inside the domain (0.0 if inside)."""
        if self.lower is not None and not x >= self.lower + margin:
            return float(math.ceil(self.lower + margin - x))
        for k in self.kinks:
            if abs(x - k) < margin:
                return math.copysign(float(max(1, math.ceil(2 * margin))), x - k)
        return 0.0


_ANYWHERE = Domain()


@dataclass(frozen=True)
class Op:
    """One operation that ``expressions()`` can draw: how to apply it to Values and to floats.

    Args:
        name: the name used in ``expressions(ops=[...])`` (variants may share a name).
        apply: builds the result from operand Values (and the constant, if the op has one).
        reference: the same function on plain floats, written independently of the engine.
        show: a format string for formulas, ``{0}``, ``{1}``... the operands, ``{c}`` the
            constant; ``None`` shows ``name(operands)``.
        arities: how many operands it may take (one is drawn).
        domains: one ``Domain`` per operand position (missing positions: any real).
        constants: numbers the constant is drawn from (empty: the op takes no constant).
        precedence: how tightly ``show`` binds (1 ``+ -``, 2 ``* /``, 3 unary ``-``, 4 ``**``,
            6 a function call) and ``operand_precedence`` the least each operand needs
            without parentheses.
        derivatives: for a one-operand op, ``derivatives(x[, c])`` returns ``f(x)`` and its
            first four derivatives at ``x``; ``expressions()`` uses them to reject points
            where finite differences would miss. Not needed when ``reference`` is plain
            arithmetic (``+ - * / **``, ``abs``, comparisons): it then runs on Taylor jets.
        accepts: where the op is defined, as a predicate on the operands (and the constant)
            together; ``expressions()`` keeps only operands at which it holds, also ``margin``
            either side of each operand (it takes the domain to be an interval in each
            operand: a hole between those points goes unseen).

    A new op of your own, tested inside random graphs with shared sub-expressions:

    >>> import math
    >>> from autograd.testing import Op
    >>> swish = Op("swish", lambda x: x * x.sigmoid(), lambda x: x / (1 + math.exp(-x)))
    >>> swish.reference(0.0)
    0.0

    (``expressions(ops=[swish, "+", "*", "tanh"])`` then draws it among the built-ins.)
    An op made with ``define_op`` needs no ``Op``: ``expressions`` takes it as it is
    (``Op.from_define_op`` shows what it becomes).
    """

    name: str
    apply: Callable[..., Value]
    reference: Callable[..., float]
    show: str | None = None
    arities: tuple[int, ...] = (1,)
    domains: tuple[Domain, ...] = ()
    constants: tuple = ()
    precedence: int = 6
    operand_precedence: tuple[int, ...] = (0,)
    derivatives: Callable[..., Sequence[float]] | None = None
    accepts: Callable[..., bool] | None = None

    @classmethod
    def from_define_op(cls, op: Callable[..., Value]) -> Op:
        """The ``Op`` for a function made by ``define_op``, read from its registered definition.

        ``apply`` is the function itself, its arity the number of rules, ``accepts`` its
        ``domain``, and ``reference`` its own forward on floats: the value check of
        ``gradcheck`` then compares the engine with the same function, so it guards the
        graph plumbing, not the forward formula; the derivative rules are still checked
        against finite differences of that forward. Use ``dataclasses.replace`` to add
        ``domains`` (kinks), ``derivatives`` or a ``show`` of your own.

        >>> from autograd import define_op
        >>> cube = define_op("cube", lambda x: x**3, lambda x, out: 3 * x**2)
        >>> op = Op.from_define_op(cube)
        >>> op.name, op.arities, op.reference(2.0), op.apply(2.0).data
        ('cube', (1,), 8.0, 8.0)
        """
        prim = getattr(op, "primitive", None)
        if not isinstance(prim, Primitive) or not callable(op):
            raise TypeError(
                f"Op.from_define_op: op must be a function made by define_op (got {op!r})"
            )
        arity = getattr(op, "arity", 1)
        return cls(
            prim.name, op, prim.forward, arities=(arity,), accepts=getattr(op, "domain", None)
        )

    def domain(self, position: int) -> Domain:
        """The domain of the operand at ``position``."""
        return self.domains[position] if position < len(self.domains) else _ANYWHERE


def _binary(name, apply, reference, prec, domains=()):
    left = {1: 1, 2: 2, 4: 5}[prec]
    return Op(
        name, apply, reference, f"{{0}} {name} {{1}}", (2,), domains, (), prec, (left, prec + 1)
    )


def _with_const(name, show, apply, reference, constants, prec, operand_prec, domains=()):
    return Op(name, apply, reference, show, (1,), domains, constants, prec, (operand_prec,))


def _fn(name, reference, derivatives, domains=()):
    return Op(
        name, lambda x: getattr(x, name)(), reference, domains=domains, derivatives=derivatives
    )


# f and its first four derivatives, for the finite-difference error estimate (autograd._taylor)
def _tanh_derivatives(x: float) -> list[float]:
    y = math.tanh(x)
    s = 1.0 - y * y
    return [y, s, -2.0 * y * s, s * (6.0 * y * y - 2.0), y * s * (16.0 - 24.0 * y * y)]


def _sigmoid_derivatives(x: float) -> list[float]:
    y = _sigmoid(x)
    q = y * (1.0 - y)
    return [y, q, q * (1.0 - 2.0 * y), q - 6.0 * q * q, q * (1.0 - 2.0 * y) * (1.0 - 12.0 * q)]


def _softplus_derivatives(x: float) -> list[float]:
    return [_softplus(x), *_sigmoid_derivatives(x)[:4]]


def _log_derivatives(x: float) -> list[float]:
    return [math.log(x), 1.0 / x, -1.0 / x**2, 2.0 / x**3, -6.0 / x**4]


def _sqrt_derivatives(x: float) -> list[float]:
    r = math.sqrt(x)
    return [r, 0.5 / r, -0.25 / (r * x), 0.375 / (r * x * x), -0.9375 / (r * x**3)]


def _sigmoid(x: float) -> float:
    return 0.5 * (1.0 + math.tanh(0.5 * x))  # 1 / (1 + e^-x), written without exp overflow


def _softplus(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _dot(b: float, ws, xs) -> float:
    for w, x in zip(ws, xs):
        b = b + w * x  # not +=, so tensors (a cross-check with torch) work too
    return b


def _affine_reference(*v: float) -> float:
    n = len(v) // 2
    return _dot(v[-1], v[:n], v[n : 2 * n])


def _affine_const_reference(*v) -> float:
    *ws, b, xs = v
    return _dot(b, ws, xs)


_POSITIVE = Domain(lower=0.0)
_NONZERO = Domain(kinks=(0.0,))
_SUMMANDS = (1.0, 2.0, -1.0, 0.5, -3.0)
_FACTORS = (2.0, -1.0, 0.5, 3.0, -1.5)

#: Every built-in operation, the variants of one operator sharing its name.
OPS: tuple[Op, ...] = (
    _binary("+", lambda x, y: x + y, lambda x, y: x + y, 1),
    _with_const("+", "{0} + {c}", lambda x, c: x + c, lambda x, c: x + c, _SUMMANDS, 1, 1),
    _with_const("+", "{c} + {0}", lambda x, c: c + x, lambda x, c: c + x, _SUMMANDS, 1, 2),
    _binary("-", lambda x, y: x - y, lambda x, y: x - y, 1),
    _with_const("-", "{0} - {c}", lambda x, c: x - c, lambda x, c: x - c, _SUMMANDS, 1, 1),
    _with_const("-", "{c} - {0}", lambda x, c: c - x, lambda x, c: c - x, _SUMMANDS, 1, 2),
    _binary("*", lambda x, y: x * y, lambda x, y: x * y, 2),
    _with_const("*", "{0} * {c}", lambda x, c: x * c, lambda x, c: x * c, _FACTORS, 2, 2),
    _with_const("*", "{c} * {0}", lambda x, c: c * x, lambda x, c: c * x, _FACTORS, 2, 3),
    _binary("/", lambda x, y: x / y, lambda x, y: x / y, 2, (_ANYWHERE, _NONZERO)),
    _with_const("/", "{0} / {c}", lambda x, c: x / c, lambda x, c: x / c, _FACTORS, 2, 2),
    _with_const(
        "/", "{c} / {0}", lambda x, c: c / x, lambda x, c: c / x, _FACTORS, 2, 3, (_NONZERO,)
    ),
    _binary("**", lambda x, y: x**y, lambda x, y: x**y, 4, (_POSITIVE,)),
    _with_const("**", "{0} ** {c}", lambda x, c: x**c, lambda x, c: x**c, (2.0, 3.0), 4, 5),
    _with_const(
        "**", "{0} ** {c}", lambda x, c: x**c, lambda x, c: x**c, (-1.0, -2.0), 4, 5, (_NONZERO,)
    ),
    _with_const(
        "**",
        "{0} ** {c}",
        lambda x, c: x**c,
        lambda x, c: x**c,
        (0.5, 1.5, -0.5),
        4,
        5,
        (_POSITIVE,),
    ),
    Op(
        "**",
        lambda x, c: c**x,
        lambda x, c: math.pow(c, x),
        "{c} ** {0}",
        constants=(2.0, 0.5, 3.0),
        precedence=4,
        operand_precedence=(4,),
        derivatives=lambda x, c: [math.pow(c, x) * math.log(c) ** k for k in range(5)],
    ),
    Op("neg", lambda x: -x, lambda x: -x, "-{0}", precedence=3, operand_precedence=(5,)),
    Op("abs", abs, abs, domains=(_NONZERO,)),
    _fn("exp", math.exp, lambda x: [math.exp(x)] * 5),
    _fn("log", math.log, _log_derivatives, (_POSITIVE,)),
    _fn("sqrt", math.sqrt, _sqrt_derivatives, (_POSITIVE,)),
    _fn("tanh", math.tanh, _tanh_derivatives),
    _fn("sigmoid", _sigmoid, _sigmoid_derivatives),
    _fn("relu", lambda x: max(x, 0.0), None, (_NONZERO,)),
    _with_const(
        "leaky_relu",
        "leaky_relu({0}, {c})",
        lambda x, c: x.leaky_relu(c),
        lambda x, c: x if x > 0.0 else c * x,
        (0.1, 0.01, 0.3),
        6,
        0,
        (_NONZERO,),
    ),
    _fn("softplus", _softplus, _softplus_derivatives),
    _fn("sin", math.sin, lambda x: [math.sin(x), math.cos(x), -math.sin(x), -math.cos(x)] * 2),
    _fn("cos", math.cos, lambda x: [math.cos(x), -math.sin(x), -math.cos(x), math.sin(x)] * 2),
    Op("add_all", lambda *xs: add_all(xs), lambda *xs: sum(xs), "add_all", (2, 3, 4)),
    Op(
        "affine",
        lambda *v: affine(v[: len(v) // 2], v[len(v) // 2 : -1], v[-1]),
        _affine_reference,
        "affine",
        (3, 5, 7),
    ),
    Op(
        "affine",
        lambda *v: affine(v[:-2], v[-1], v[-2]),
        _affine_const_reference,
        "affine_const",
        (2, 3, 4),
        constants=(2.0, -1.0, 0.5, 1.5),
    ),
)

_NAMES = tuple(dict.fromkeys(op.name for op in OPS))


def _made_by_define_op(item: object) -> TypeGuard[Callable[..., Value]]:
    return callable(item) and isinstance(getattr(item, "primitive", None), Primitive)


def _resolve(ops: object, where: str) -> tuple[Op, ...]:
    """The Op variants for names, Op objects and define_op functions (all built-ins: ``None``).

    A name is a built-in's (``OPS``) or one registered with ``define_op``.
    """
    if ops is None:
        return OPS
    items = [ops] if isinstance(ops, str | Op) or _made_by_define_op(ops) else ops
    if not isinstance(items, Iterable):
        raise TypeError(f"{where}: ops must be a list of operations (got {ops!r})")
    chosen: list[Op] = []
    for item in items:
        if isinstance(item, Op):
            chosen.append(item)
        elif isinstance(item, str) and item in _NAMES:
            chosen.extend(op for op in OPS if op.name == item)
        elif isinstance(item, str) and (defined := defined_op(item)) is not None:
            chosen.append(Op.from_define_op(defined))
        elif _made_by_define_op(item):
            chosen.append(Op.from_define_op(item))
        else:
            raise ValueError(
                f"{where}: ops must be names from {list(_NAMES)}, names given to define_op, "
                f"functions made by define_op or Op (got {item!r})"
            )
    if not chosen:
        raise ValueError(f"{where}: ops must name at least one operation (got {ops!r})")
    return tuple(chosen)


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
    points = [float(a) for a in avoid]
    lo = float(min_value)
    if op is not None:
        for variant in _resolve(op, "reals"):
            for d in variant.domains:
                if d.lower is not None:
                    lo = max(lo, d.lower + margin)
                points.extend(d.kinks)
    intervals = [(lo, float(max_value))]
    for k in sorted(set(points)):
        cut = []
        for a, b in intervals:
            if a <= k - margin:
                cut.append((a, min(b, k - margin)))
            if b >= k + margin:
                cut.append((max(a, k + margin), b))
        intervals = cut
    intervals = [(a, b) for a, b in intervals if a <= b]
    if not intervals:
        raise ValueError(
            f"reals: no float in [{min_value}, {max_value}] is {margin} away from {points}"
            + (f" and inside the domain of {op!r}" if op is not None else "")
        )
    floats = st.one_of([st.floats(a, b) for a, b in intervals])
    predicates = [v for v in _resolve(op, "reals") if v.accepts] if op is not None else []
    for variant in predicates:
        if variant.arities != (1,) or variant.constants:
            raise ValueError(
                f"reals: the domain of {variant.name!r} is a predicate on several operands; "
                "draw them together with expressions()"
            )
        floats = floats.filter(_inside(variant, margin))
    return floats


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


@dataclass(frozen=True)
class _Node:
    op: Op
    args: tuple[int, ...]  # indices into the list of inputs followed by nodes
    const: object = None
    name: str = ""


# an operand moved into its domain: ``x + c``, with c a whole number (not drawn)
_SHIFT = _with_const("+", "{0} + {c}", lambda x, c: x + c, lambda x, c: x + c, (1.0,), 1, 1)


class Expression:
    """A function of Values drawn by ``expressions()`` (or ``nn.testing.mlps()``), as a formula.

    ``f(*values)`` builds its graph with the engine and returns the output Value;
    ``f.reference(*floats)`` computes the same function on plain floats (``gradcheck`` picks
    it up to check the forward value). ``str(f)`` and ``repr(f)`` are the formula; shared
    sub-expressions are inlined when short and named (``where t3 = ...``) otherwise.

    Attributes: ``input_names``; ``nodes``, each with ``op`` (an ``Op``), ``args`` (indices
    into the inputs followed by the nodes), ``const`` (the op's constant or None) and ``name``
    (shown in the formula as a named node when set); ``title``, printed before the formula.
    Nodes may be given as tuples ``(op, args[, const[, name]])``.

    >>> from autograd import Value
    >>> from autograd.testing import OPS, Expression
    >>> op = {o.show or o.name: o for o in OPS}
    >>> mul, tanh = op["{0} * {1}"], op["tanh"]
    >>> f = Expression(["x0", "x1"], [(mul, (0, 1)), (tanh, (2,))])
    >>> print(f)
    f(x0, x1) = tanh(x0 * x1)
    >>> f(Value(0.5), Value(2.0)).data == f.reference(0.5, 2.0)
    True
    """

    def __init__(self, input_names: Sequence[str], nodes: Sequence, title: str = "") -> None:
        self.input_names = tuple(input_names)
        self.nodes = tuple(n if isinstance(n, _Node) else _Node(*n) for n in nodes)
        self.title = title
        if not self.nodes:
            raise ValueError("Expression: needs at least one operation (got none)")

    @property
    def n_inputs(self) -> int:
        """How many inputs ``f`` takes."""
        return len(self.input_names)

    def __call__(self, *xs) -> Value:
        if len(xs) != self.n_inputs:
            raise TypeError(f"{self.signature}: expected {self.n_inputs} inputs (got {len(xs)})")
        vals = [x if isinstance(x, Value) else Value(x) for x in xs]
        for node in self.nodes:
            vals.append(_apply(node, vals, node.op.apply))
        return vals[-1]

    def reference(self, *xs: float) -> float:
        """The same function on plain floats (computed without the engine)."""
        if len(xs) != self.n_inputs:
            raise TypeError(f"{self.signature}: expected {self.n_inputs} inputs (got {len(xs)})")
        vals = [float(x) for x in xs]
        for node in self.nodes:
            vals.append(_apply(node, vals, node.op.reference))
        return vals[-1]

    @property
    def signature(self) -> str:
        """``f(x0, x1, ...)``."""
        return f"f({', '.join(self.input_names)})"

    def uses(self) -> list[int]:
        """How many later nodes use each input and node (inputs first)."""
        counts = [0] * (self.n_inputs + len(self.nodes))
        for node in self.nodes:
            for i in node.args:
                counts[i] += 1
        return counts

    def shared_nodes(self) -> int:
        """How many operation nodes are used by more than one later node."""
        return sum(c > 1 for c in self.uses()[self.n_inputs :])

    def op_names(self) -> set[str]:
        """The names of the operations the expression uses."""
        return {node.op.name for node in self.nodes}

    def __str__(self) -> str:
        return _formula(self)

    __repr__ = __str__


def _apply(node: _Node, vals: list, fn: Callable):
    args = [vals[i] for i in node.args]
    return fn(*args) if node.op.constants == () else fn(*args, node.const)


def _constant(c) -> tuple[str, int]:
    if c is None:
        return "", 6
    if isinstance(c, tuple):
        return "[" + ", ".join(f"{x:g}" for x in c) + "]", 6
    return f"{c:g}", (6 if c >= 0 else 3)


def _render(node: _Node, texts: list[tuple[str, int]]) -> tuple[str, int]:
    op = node.op
    args = []
    for k, i in enumerate(node.args):
        text, prec = texts[i]
        need = op.operand_precedence[min(k, len(op.operand_precedence) - 1)]
        args.append(f"({text})" if prec < need else text)
    c, c_prec = _constant(node.const)
    if op.show == "{0} + {c}" and isinstance(node.const, int | float) and node.const < 0:
        return f"{args[0]} - {-node.const:g}", 1  # x + (-1) is x - 1, bit for bit
    if op.show == "affine":
        n = len(args) // 2
        return f"affine([{', '.join(args[:n])}], [{', '.join(args[n:-1])}], {args[-1]})", 6
    if op.show == "affine_const":
        return f"affine([{', '.join(args[:-1])}], {c}, {args[-1]})", 6
    if op.show is None or op.show == "add_all":
        inner = ", ".join(args)
        return f"{op.name}([{inner}])" if op.show else f"{op.name}({inner})", 6
    if c_prec < 6 and not op.show.startswith("{c}"):
        c = f"({c})"
    return op.show.format(*args, c=c), op.precedence


def _formula(f: Expression, limit: int = 100) -> str:
    """The formula, inlined when short, otherwise with shared and named nodes bound."""
    uses = f.uses()
    n = f.n_inputs

    def build(bind: bool) -> tuple[str, list[str]]:
        texts = [(name, 6) for name in f.input_names]
        bound: list[str] = []
        for k, node in enumerate(f.nodes):
            text = _render(node, texts)
            last = k == len(f.nodes) - 1
            if not last and (node.name or (bind and uses[n + k] > 1)):
                name = node.name or f"t{n + k}"
                bound.append(f"{name} = {text[0]}")
                text = (name, 6)
            texts.append(text)
        return texts[-1][0], bound

    body, bound = build(bind=False)
    if len(body) > limit:
        body, bound = build(bind=True)
    head = f"{f.title}: " if f.title else ""
    lines = [f"{head}{f.signature} = {body}"]
    if bound:
        lines.append("  where " + "\n        ".join(bound))
    return "\n".join(lines)


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
    are estimated on floats without the engine (``autograd._taylor``): truncation from the
    third derivatives, rounding from 4 units of roundoff per operation carried to the output.
    Always True for expressions with an op of your own that has no ``derivatives`` and whose
    ``reference`` is not plain arithmetic (nothing can be estimated); for an op made by
    ``define_op`` the reference is its forward, so ``lambda x: x**3`` is estimated and
    ``math.log1p`` is not (its ``domain`` still keeps operands ``margin`` inside).

    >>> from autograd.testing import OPS, Expression
    >>> div = next(op for op in OPS if op.show == "{c} / {0}")
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
    if op.constants and op.show == "affine_const":
        const = tuple(draw(st.sampled_from(op.constants)) for _ in range(arity - 1))
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
      each checked by both (``bench/strategy_soundness.py``; the README has the numbers).

    Draws that break one of these are rejected (rarely: 2 in 3,000). ``ops`` picks operations by
    name (``OPS`` lists them:
    ``+ - * / ** neg abs exp log sqrt tanh sigmoid relu leaky_relu softplus sin cos add_all
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


from autograd.engine_check import EngineCheckError, check_engine  # noqa: E402, F401 (re-exported)
