"""The operations ``autograd.testing`` draws: their domains, their notation, their references.

Each ``Op`` says how to apply one operation to Values and to plain floats, where its operands
may go, and its ``kind`` (how it is written, see ``autograd.notation``). ``OPS`` is derived
from the engine: the operators ``+ - * / **`` in the three ways code writes them
(``x + y``, ``x + 2``, ``2 + x``), the composites ``-x``, ``sqrt`` and ``leaky_relu``, every
primitive registered in ``autograd.primitives.REGISTRY`` and the fused ``add_all`` and
``affine``. What is written here per op is only what a test needs beyond the engine: an
independent reference on floats, the domain (kinks and poles) and, for the error estimate,
the first derivatives. A primitive registered without such a row is drawn with its own
forward as the reference, like an op made with ``define_op``.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeGuard

from autograd import primitives as P
from autograd.fused import add_all, affine
from autograd.notation import (
    CALL,
    CONSTANT_LEFT,
    CONSTANT_RIGHT,
    INFIX,
    KINDS,
    PREFIX,
    Term,
    formula,
)
from autograd.ops import defined_op
from autograd.primitives import Primitive
from autograd.value import Value

__all__ = ["OPS", "Domain", "Op", "variant"]


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
_POSITIVE = Domain(lower=0.0)
_NONZERO = Domain(kinks=(0.0,))


@dataclass(frozen=True)
class Op:
    """One operation that ``expressions()`` can draw: how to apply it to Values and to floats.

    Args:
        name: the name used in ``expressions(ops=[...])`` (variants may share a name).
        apply: builds the result from operand Values (and the constant, if the op has one).
        reference: the same function on plain floats, written independently of the engine.
        kind: how it is written (``autograd.notation``): ``"call"`` (``name(x, ...)``, the
            constant last, the default), ``"infix"`` (``x + y``), ``"constant right"``
            (``x + c``), ``"constant left"`` (``c + x``) or ``"prefix"`` (``-x``).
        arities: how many operands it may take (one is drawn).
        domains: one ``Domain`` per operand position (missing positions: any real).
        constants: numbers the constant is drawn from (empty: the op takes no constant).
        derivatives: for a one-operand op, ``derivatives(x[, c])`` returns ``f(x)`` and its
            first four derivatives at ``x``; ``expressions()`` uses them to reject points
            where finite differences would miss. Not needed when ``reference`` is plain
            arithmetic (``+ - * / **``, ``abs``, comparisons): it then runs on Taylor jets.
        accepts: where the op is defined, as a predicate on the operands (and the constant)
            together; ``expressions()`` keeps only operands at which it holds, also ``margin``
            either side of each operand (it takes the domain to be an interval in each
            operand: a hole between those points goes unseen).
        constant_count: for an op whose constant is a tuple (``affine`` with constant
            inputs), how many numbers it takes for a given number of operands.

    A new op of your own, tested inside random graphs with shared sub-expressions:

    >>> import math
    >>> from autograd.testing import Op
    >>> swish = Op("swish", lambda x: x * x.sigmoid(), lambda x: x / (1 + math.exp(-x)))
    >>> swish.reference(0.0), swish.text([Term("x")]).text
    (0.0, 'swish(x)')

    (``expressions(ops=[swish, "+", "*", "tanh"])`` then draws it among the built-ins.)
    An op made with ``define_op`` needs no ``Op``: ``expressions`` takes it as it is
    (``Op.from_define_op`` shows what it becomes).
    """

    name: str
    apply: Callable[..., Value]
    reference: Callable[..., float]
    kind: str = CALL
    arities: tuple[int, ...] = (1,)
    domains: tuple[Domain, ...] = ()
    constants: tuple = ()
    derivatives: Callable[..., Sequence[float]] | None = None
    accepts: Callable[..., bool] | None = None
    constant_count: Callable[[int], int] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Op: kind must be one of {list(KINDS)} (got {self.kind!r})")
        if self.kind != CALL and self.name not in _OPERATOR_NAMES[self.kind]:
            raise ValueError(
                f"Op: kind {self.kind!r} is for the operators {_OPERATOR_NAMES[self.kind]} "
                f"(got {self.name!r}); an op of your own is a call"
            )

    @classmethod
    def from_define_op(cls, op: Callable[..., Value]) -> Op:
        """The ``Op`` for a function made by ``define_op``, read from its registered definition.

        ``apply`` is the function itself, its arity the number of rules, ``accepts`` its
        ``domain``, and ``reference`` its own forward on floats: the value check of
        ``gradcheck`` then compares the engine with the same function, so it guards the
        graph plumbing, not the forward formula; the derivative rules are still checked
        against finite differences of that forward. Use ``dataclasses.replace`` to add
        ``domains`` (kinks) or ``derivatives`` of your own.

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

    def text(self, operands: Sequence[Term], const: object = None) -> Term:
        """The op applied to ``operands`` as Python code writes it (``autograd.notation``)."""
        return formula(self.name, self.kind, operands, const, as_code=True)


_OPERATOR_NAMES = {
    INFIX: ("+", "-", "*", "/", "**"),
    CONSTANT_RIGHT: ("+", "-", "*", "/", "**"),
    CONSTANT_LEFT: ("+", "-", "*", "/", "**"),
    PREFIX: ("neg",),
}


# f and its first four derivatives, for the finite-difference error estimate (testing.taylor)
def _tan_derivatives(x: float) -> list[float]:
    t = math.tan(x)
    d = 1.0 + t * t  # tan' = 1 + tan²; then tan'' = 2 tan tan', and so on
    return [t, d, 2.0 * t * d, (2.0 + 6.0 * t * t) * d, (16.0 * t + 24.0 * t**3) * d]


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


_SUMMANDS = (1.0, 2.0, -1.0, 0.5, -3.0)
_FACTORS = (2.0, -1.0, 0.5, 3.0, -1.5)


def _flipped(fn: Callable) -> Callable:
    return lambda x, c: fn(c, x)


def _operator(
    name: str, fn: Callable, *, constants: tuple, domains: dict[str, tuple[Domain, ...]]
) -> tuple[Op, ...]:
    """``x op y``, ``x op c`` and ``c op x``: the three ways code writes an operator."""
    return (
        Op(name, fn, fn, kind=INFIX, arities=(2,), domains=domains.get(INFIX, ())),
        Op(name, fn, fn, kind=CONSTANT_RIGHT, constants=constants),
        Op(
            name,
            _flipped(fn),
            _flipped(fn),
            kind=CONSTANT_LEFT,
            constants=constants,
            domains=domains.get(CONSTANT_LEFT, ()),
        ),
    )


_POWERS = (
    Op("**", operator.pow, operator.pow, kind=INFIX, arities=(2,), domains=(_POSITIVE,)),
    Op("**", operator.pow, operator.pow, kind=CONSTANT_RIGHT, constants=(2.0, 3.0)),
    Op(
        "**",
        operator.pow,
        operator.pow,
        kind=CONSTANT_RIGHT,
        constants=(-1.0, -2.0),
        domains=(_NONZERO,),
    ),
    Op(
        "**",
        operator.pow,
        operator.pow,
        kind=CONSTANT_RIGHT,
        constants=(0.5, 1.5, -0.5),
        domains=(_POSITIVE,),
    ),
    Op(
        "**",
        _flipped(operator.pow),
        lambda x, c: math.pow(c, x),
        kind=CONSTANT_LEFT,
        constants=(2.0, 0.5, 3.0),
        derivatives=lambda x, c: [math.pow(c, x) * math.log(c) ** k for k in range(5)],
    ),
)

# For each function of one operand: an independent reference, its domain and its first four
# derivatives. The names are the Value methods; a registered primitive missing here is drawn
# with its own forward as the reference (``_registered``).
_FUNCTIONS: dict[str, dict] = {
    "abs": dict(apply=abs, reference=abs, domains=(_NONZERO,)),  # abs(x), not a method
    "exp": dict(reference=math.exp, derivatives=lambda x: [math.exp(x)] * 5),
    "log": dict(reference=math.log, derivatives=_log_derivatives, domains=(_POSITIVE,)),
    "sqrt": dict(reference=math.sqrt, derivatives=_sqrt_derivatives, domains=(_POSITIVE,)),
    "tanh": dict(reference=math.tanh, derivatives=_tanh_derivatives),
    "sigmoid": dict(reference=_sigmoid, derivatives=_sigmoid_derivatives),
    "relu": dict(reference=lambda x: max(x, 0.0), domains=(_NONZERO,)),
    "leaky_relu": dict(
        reference=lambda x, c: x if x > 0.0 else c * x,
        constants=(0.1, 0.01, 0.3),
        domains=(_NONZERO,),
    ),
    "softplus": dict(reference=_softplus, derivatives=_softplus_derivatives),
    "sin": dict(
        reference=math.sin,
        derivatives=lambda x: [math.sin(x), math.cos(x), -math.sin(x), -math.cos(x)] * 2,
    ),
    "tan": dict(
        reference=math.tan,
        derivatives=_tan_derivatives,
        domains=(Domain(kinks=tuple((k + 0.5) * math.pi for k in range(-16, 16))),),  # poles
    ),
    "cos": dict(
        reference=math.cos,
        derivatives=lambda x: [math.cos(x), -math.sin(x), -math.cos(x), math.sin(x)] * 2,
    ),
}


def _method(name: str) -> Callable[..., Value]:
    return lambda x, *c: getattr(x, name)(*c)


def _registered() -> tuple[Op, ...]:
    """A row per one-operand function: those written above, then the registry's others.

    The others are the built-in one-operand primitives that are Value methods
    (``primitives.builtin_primitives()``); the reference of each is its own forward.
    """
    own = {p.name: p for p in P.builtin_primitives() if p.arity == 1 and not p.const}
    new = {n: {"reference": p.forward} for n, p in own.items() if hasattr(Value, n)}
    rows = {**_FUNCTIONS, **{n: row for n, row in new.items() if n not in _FUNCTIONS}}
    return tuple(Op(name, **({"apply": _method(name)} | row)) for name, row in rows.items())


#: Every built-in operation, the variants of one operator sharing its name.
OPS: tuple[Op, ...] = (
    *_operator("+", operator.add, constants=_SUMMANDS, domains={}),
    *_operator("-", operator.sub, constants=_SUMMANDS, domains={}),
    *_operator("*", operator.mul, constants=_FACTORS, domains={}),
    *_operator(
        "/",
        operator.truediv,
        constants=_FACTORS,
        domains={INFIX: (_ANYWHERE, _NONZERO), CONSTANT_LEFT: (_NONZERO,)},
    ),
    *_POWERS,
    Op("neg", operator.neg, operator.neg, kind=PREFIX),
    *_registered(),
    Op("add_all", lambda *xs: add_all(xs), lambda *xs: sum(xs), arities=(2, 3, 4)),
    Op(
        "affine",
        lambda *v: affine(v[: len(v) // 2], v[len(v) // 2 : -1], v[-1]),
        _affine_reference,
        arities=(3, 5, 7),
    ),
    Op(
        "affine",
        lambda *v: affine(v[:-2], v[-1], v[-2]),
        _affine_const_reference,
        arities=(2, 3, 4),
        constants=(2.0, -1.0, 0.5, 1.5),
        constant_count=lambda arity: arity - 1,  # one input per weight; the bias is last
    ),
)

_NAMES = tuple(dict.fromkeys(op.name for op in OPS))


def variant(name: str, kind: str | None = None, const: float | None = None) -> Op:
    """The built-in ``Op`` named ``name`` (of ``kind``, drawing ``const``, when given).

    >>> variant("**", "constant right", 0.5).domains, variant("/", "constant left").kind
    ((Domain(lower=0.0, kinks=()),), 'constant left')
    """
    for op in OPS:
        if op.name == name and kind in (None, op.kind) and (const is None or const in op.constants):
            return op
    raise ValueError(
        f"variant: no built-in op {name!r} of kind {kind!r} drawing {const!r} "
        f"(names: {list(_NAMES)})"
    )


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
