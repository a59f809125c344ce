"""The rule table: every primitive's forward value and its local derivatives, side by side.

A primitive has a ``forward`` that maps the parents' floats (and, for the ``*_CONST`` variants,
one Python-number constant ``c``) to the output float, and a ``vjp`` that returns one
contribution per parent: the incoming gradient ``g`` times the local derivative.

Each ``vjp`` is written once and serves two callers:

- ``backward()`` and ``grad()`` call it with floats (fast, no graph is built);
- ``grad(..., create_graph=True)`` calls it with the Values themselves, so the contributions
  are Values with graphs of their own and can be differentiated again.

So the rules use only arithmetic operators and the helpers below, which work on both floats
and Values. Domain checks live in ``forward``: it raises before any node exists, so an error
never leaves a half-built graph.
"""

from __future__ import annotations

import inspect
import math
import operator
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any, cast

from autograd.errors import DivisionByZeroError

__all__ = [
    "ABS",
    "ADD",
    "ADD_CONST",
    "AFFINE",
    "AFFINE_CONST",
    "CODE_NAMES",
    "COS",
    "DIV",
    "DIV_CONST",
    "EXP",
    "LEAKY_RELU",
    "LOG",
    "MUL",
    "MUL_CONST",
    "POW",
    "POW_CONST",
    "RDIV_CONST",
    "REGISTRY",
    "RELU",
    "RPOW_CONST",
    "SIGMOID",
    "SIN",
    "SOFTPLUS",
    "SUM",
    "TAN",
    "TANH",
    "Code",
    "Primitive",
    "builtin_primitives",
    "cosine",
    "define",
    "divide",
    "ieee_div",
    "ieee_pow",
    "is_builtin",
    "power",
    "sigmoid",
    "sine",
    "softplus",
    "tangent",
]

_INF = math.inf
_NAN = math.nan
_TINY = 2.2250738585072014e-308  # the smallest normal float; below it precision is lost


REGISTRY: dict[str, Primitive] = {}  # every primitive made by define(), by name
# stepgrad's ops built from primitives: define_op may not take their names either
_COMPOSITES = frozenset({"-", "neg", "sqrt", "add_all"})


@dataclass(frozen=True, slots=True)
class Primitive:
    """One differentiable operation: a name, a forward function and a vector-Jacobian product.

    ``const_first`` says how a constant is shown when drawing (``2 ** x`` versus ``x ** 2``).
    ``jvp`` is the forward-mode rule: ``jvp(t, out, *xs)`` (``c`` last for the ``*_CONST``
    variants) gets one tangent per parent in ``t`` (``None`` for a parent that carries no
    tangent: its term is left out) and returns the output's tangent, the sum of tangent times
    local derivative. ``None`` (micrograd-style nodes of your own) means forward mode derives
    it from ``vjp`` at ``g = 1``. ``code`` says how ``autograd.compile`` writes it as source
    (``None``: the compiled code calls ``forward`` and ``vjp`` themselves, by the primitive's
    name). ``zero_skip`` says that the vjp is ``g`` times local derivatives that are finite
    wherever every float it reads (the constant included) is finite: at ``g = ±0`` it gives
    only signed zeros, so ``backward()`` and compiled code may skip it (see
    ``backprop._zero_rules_change_nothing``). Not for ``/``, ``**`` or ``log``: their
    derivatives are infinite at finite points (``0 * inf`` is nan). ``builtin`` marks
    stepgrad's own (``define_op`` may not take their names; the tests of the NaN policy,
    the code templates and the strategies read them from ``builtin_primitives()``);
    ``arity`` is the number of parents (``None``: any number, the fused ``sum`` and
    ``affine``) and ``const`` says that the vjp gets a constant after the parents' data.
    ``split(operands, const)`` (the fused ``affine`` only) says which operands are the
    weights, the inputs and the bias: ``operands`` may be the parents, their names or their
    positions, and the inputs of ``affine`` with constant inputs come from ``const``.
    """

    name: str
    forward: Callable[..., float]
    vjp: Callable[..., tuple]
    const_first: bool = False
    jvp: Callable[..., Any] | None = None
    code: Code | None = None
    zero_skip: bool = False
    builtin: bool = False
    arity: int | None = 1
    const: bool = False
    split: Callable[[Sequence, Any], tuple[list, list, Any]] | None = None

    def __repr__(self) -> str:
        return f"Primitive({self.name!r})"


@dataclass(frozen=True, slots=True)
class Code:
    """How ``autograd.compile`` writes a primitive as Python source: the forward and each vjp entry.

    Each template is a ``str.format`` string over the names of the vjp's own arguments
    (``{g}``, ``{out}``, ``{x}``, ``{y}``, ``{c}``, ...), and computes exactly the floats that
    ``forward`` and the vjp compute on floats (the same operations in the same order: bit for
    bit, tested over every primitive). The functions they call are those of ``CODE_NAMES``.
    An n-ary primitive (``sum``, ``affine``) gives functions instead of strings: ``forward(xs,
    c)`` and ``vjp(g, out, xs, c)`` return the source from the operands' names.
    Templates may assume that ``forward`` succeeded (a divisor is not 0 in the vjp).
    """

    forward: str | Callable[..., str]
    vjp: tuple[str, ...] | Callable[..., list[str]]


# ----------------------------------------------------------------------------------------------
# helpers that work on floats and on Values alike (rules receive either)


def _real(x):
    """The float behind ``x`` (a float, or a Value's data)."""
    return x if type(x) is float else x.data


def _log(x):
    return math.log(x) if type(x) is float else x.log()


def _sin(x):
    return sine(x) if type(x) is float else x.sin()


def _cos(x):
    return cosine(x) if type(x) is float else x.cos()


def _sigmoid(x):
    return sigmoid(x) if type(x) is float else x.sigmoid()


def _sign(x, at_zero):
    """1.0 for x > 0, ``at_zero`` for x == 0, -1.0 for x < 0, nan for nan (the step of kinks)."""
    xr = _real(x)
    if xr > 0.0:
        return 1.0
    if xr < 0.0:
        return -1.0
    return at_zero if xr == 0.0 else _NAN


def _dpow(x, y):
    """d/dx x**y = y * x**(y-1), with the limits at x = 0 spelled out.

    At x = 0 the formula would divide by zero for y < 1: y = 0 gives 0 (x**0 is constant),
    0 < y < 1 gives +inf (the slope of sqrt at 0). Elsewhere the formula itself is used, so
    the result stays differentiable in x and y (needed for second derivatives); on floats it
    follows IEEE (an overflow is ±inf, never an exception).
    """
    if type(x) is float:
        if x == 0.0 and y < 1.0:
            return 0.0 if y == 0.0 else _INF * y
        return y * ieee_pow(x, y - 1.0)
    if x.data == 0.0 and _real(y) < 1.0:
        if _real(y) == 0.0:
            return 0.0
        # y * 0**(y-1) = ±inf, as a node whose own derivative is -inf for sqrt'' (PyTorch)
        return y * x._unchecked_pow(y - 1.0)
    return y * x ** (y - 1.0)


def _quotient(g, y):
    """g / y: rounded once; on floats IEEE's ±inf or nan at y = 0, where Python raises.

    y is never 0 when the node is built (``/`` refuses it); it can be later, if someone
    assigns ``.data``. On Values (``create_graph=True``) this is the ``/`` node.
    """
    return ieee_div(g, y) if type(y) is float else g / y


def _dquotient(g, x, y, out):
    """g * d(x/y)/dy = -g * x / y**2, written as ``-g * out / y`` (out = x / y).

    PyTorch's ``-g * x / (y * y)`` is inf where ``y * y`` underflows to 0 (y = 1e-200, x = y:
    the true value -1e200 is finite); ``out / y`` is not. On floats, ``-g * out / y`` is
    used when every step of it is a normal float (three roundings: within a few ulp of the
    true value, and the same bits as the graph on Values); otherwise (a step over- or
    underflows) ``-g * x / y**2`` is computed on the significands and scaled by a power of
    two, so it is finite wherever the true value is. Non-finite inputs follow IEEE: nan for
    0 * inf and inf / inf.
    """
    if type(y) is not float:  # on Values: a graph to differentiate again
        return -g * out / y
    p = g * out
    t = p / y if y != 0.0 else _NAN
    if abs(out) >= _TINY and abs(p) >= _TINY and _TINY <= abs(t) < _INF:
        return -t
    if -_INF < g < _INF and -_INF < x < _INF and -_INF < y < _INF and y != 0.0:
        mg, eg = math.frexp(g)  # g = mg * 2**eg with 0.5 <= |mg| < 1 (or g = 0)
        mx, ex = math.frexp(x)
        my, ey = math.frexp(y)
        m = -(mg * (mx / my) / my)  # 1/4 < |m| < 4 (or 0): no over- or underflow here
        try:
            return math.ldexp(m, eg + ex - 2 * ey)
        except OverflowError:  # beyond the largest float: the true value is infinite too
            return math.copysign(_INF, m)
    return ieee_div(ieee_div(-g * x, y), y)  # inf or nan in, or y = 0: IEEE


def _dpow_exponent(out, x):
    """d/dy x**y = x**y * log(x); 0 at x = 0 (where x**y is 0), nan for x < 0 (no real log)."""
    xr = _real(x)
    if xr > 0.0:
        return out * _log(x)
    if xr == 0.0 and _real(out) == _real(out):  # nan stays nan: 0 ** nan is nan
        return 0.0
    return _NAN


def _terms(t, *terms):
    """A jvp as the sum of its terms: ``terms[i](t[i])`` for each parent that has a tangent.

    ``t[i]`` is None when parent i carries no tangent (it does not depend on the inputs being
    differentiated): its term is not computed at all, as in PyTorch's and JAX's forward mode,
    so an infinite local derivative there does not turn into ``0 * inf = nan``.
    """
    total = None
    for ti, term in zip(t, terms):
        if ti is not None:
            d = term(ti)
            total = d if total is None else total + d
    return total


def _tangent_sum(t):
    """dx1 + dx2 + ... over the parents that have a tangent (the jvp of ``+`` and ``sum``)."""
    return _terms(t, *[_same] * len(t))


def _same(dx):
    return dx


def _slope(x, below):
    """1.0 for x > 0, ``below`` for x <= 0, nan for nan: the derivative of relu and leaky_relu."""
    xr = _real(x)
    return 1.0 if xr > 0.0 else below if xr <= 0.0 else _NAN


# ----------------------------------------------------------------------------------------------
# forward functions with their domain checks (errors name the op and the value)


def _check_pow(x: float, y: float, shown: str) -> None:
    if x < 0.0 and math.isfinite(y) and not float(y).is_integer():
        raise ValueError(
            f"{shown}: a negative base needs an integer exponent (got {x!r} ** {y!r}); "
            "the result would be complex"
        )
    if x == 0.0 and y < 0.0:
        raise DivisionByZeroError(
            f"{shown}: 0 cannot be raised to a negative power (got {x!r} ** {y!r})"
        )


def ieee_pow(x: float, y: float) -> float:
    """x ** y on floats as IEEE 754 has it: overflow is ±inf, 0 ** -1 is inf; never raises.

    Python's own ``**`` raises ``OverflowError`` and ``ZeroDivisionError`` there, and returns a
    complex number for a negative base to a non-integer power: that is nan here.

    >>> ieee_pow(10.0, 400.0), ieee_pow(-10.0, 401.0), ieee_pow(0.0, -1.0), ieee_pow(-8.0, 0.5)
    (inf, -inf, inf, nan)
    """
    try:
        r = x**y
    except OverflowError:  # |x ** y| > 1.8e308: the sign is negative for x < 0 and odd y
        return -_INF if x < 0.0 and y % 2.0 == 1.0 else _INF
    except ZeroDivisionError:  # ±0 ** negative: -inf only for -0.0 and an odd integer y
        return -_INF if math.copysign(1.0, x) < 0.0 and y % 2.0 == 1.0 else _INF
    return r if type(r) is float else _NAN


def ieee_div(x: float, y: float) -> float:
    """x / y on floats as IEEE 754 has it: ±inf or nan at y = ±0, where Python raises.

    >>> ieee_div(1.0, 3.0) == 1.0 / 3.0, ieee_div(1.0, -0.0), ieee_div(0.0, 0.0)
    (True, -inf, nan)
    """
    try:
        return x / y
    except ZeroDivisionError:  # the sign of the zero counts: 1 / -0.0 is -inf
        if x != x or x == 0.0:
            return _NAN
        return math.copysign(_INF, x) * math.copysign(1.0, y)


def divide(x: float, y: float) -> float:
    """x / y on floats, Python's own division (rounded once); DivisionByZeroError at y = 0.

    >>> divide(1.0, 3.0) == 1.0 / 3.0, divide(1e-320, 1e-320), divide(1e308, 1e-10)
    (True, 1.0, inf)
    """
    try:
        return x / y
    except ZeroDivisionError:
        raise DivisionByZeroError(f"/: division by zero ({x!r} / {y!r})") from None


def power(x: float, y: float) -> float:
    """x ** y on floats, real results only; ValueError outside the real domain, inf on overflow.

    >>> power(2.0, 3.0), power(10.0, 400.0)
    (8.0, inf)
    """
    _check_pow(x, y, "**")
    return ieee_pow(x, y)


def _exp_forward(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:  # x > 709.78: e ** x is larger than the largest float
        return _INF


def _log_forward(x: float) -> float:
    if x <= 0.0:
        raise ValueError(f"log: expected a positive number, got {x!r}")
    return math.log(x)


def sigmoid(x: float) -> float:
    """1 / (1 + e^-x), computed so that no finite input overflows."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def softplus(x: float) -> float:
    """log(1 + e^x), stable for any finite input: max(x, 0) + log1p(e^-|x|); nan stays nan."""
    return (x if x > 0.0 else 0.0 if x <= 0.0 else x) + math.log1p(math.exp(-abs(x)))


def sine(x: float) -> float:
    """sin(x); nan at ±inf (IEEE) where ``math.sin`` raises."""
    return math.sin(x) if -_INF < x < _INF else _NAN


def cosine(x: float) -> float:
    """cos(x); nan at ±inf (IEEE) where ``math.cos`` raises."""
    return math.cos(x) if -_INF < x < _INF else _NAN


def tangent(x: float) -> float:
    """tan(x); nan at ±inf (IEEE) where ``math.tan`` raises."""
    return math.tan(x) if -_INF < x < _INF else _NAN


def _relu_forward(x: float) -> float:
    return x if not x <= 0.0 else 0.0  # nan passes through


def _leaky_relu_forward(x: float, c: float) -> float:
    return x if not x <= 0.0 else c * x  # nan passes through


# ----------------------------------------------------------------------------------------------
# define: a primitive from its forward and one local-derivative rule per input


def builtin_primitives() -> list[Primitive]:
    """Every primitive of stepgrad's own (``builtin=True``), variants included, in file order.

    Read from this module as it is, so a definition counts wherever it sits in the file, and a
    test that swaps one (``monkeypatch.setattr(P, "TANH", ...)``) sees its swap here too.
    """
    return [v for v in globals().values() if isinstance(v, Primitive) and v.builtin]


def is_builtin(name: str) -> bool:
    """True for the name of one of stepgrad's own ops (a primitive, or ``-``, ``sqrt``, ...)."""
    return name in _COMPOSITES or any(p.name == name for p in builtin_primitives())


def define(
    name: str,
    forward: Callable[..., float],
    *rules: Callable,
    domain=None,
    expects=None,
    jvp=None,
    code: Code | None = None,
    zero_skip: bool = False,
    builtin: bool = False,
):
    """A primitive from its forward on floats and one local derivative per input; registered.

    Each rule gets the inputs and then ``out`` (the forward result) and returns d(out)/d(input)
    using arithmetic that works on floats and on Values alike (``+ - * / **``, or helpers such
    as ``_cos`` here), so ``grad(..., create_graph=True)`` can run it on Values. The vjp is
    ``g * rule(...)`` per input. ``domain(*inputs)`` (on floats) returning False raises a
    ValueError naming the op, ``expects`` and the inputs; nan inputs skip the check (nan then
    propagates). The forward-mode rule is ``t_1 * rule_1(...) + t_2 * rule_2(...) + ...`` over
    the inputs that have a tangent, unless ``jvp`` gives one of its own (see ``Primitive``).
    ``code`` and ``zero_skip``: how ``autograd.compile`` writes it, and whether a zero gradient
    may skip its rule (see ``Primitive``; stepgrad's own ops only).
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"define_op: name must be a non-empty str (got {name!r})")
    if not callable(forward):
        raise TypeError(f"define_op: forward must be a function (got {type(forward).__name__})")
    if not rules:
        raise TypeError(f"define_op: {name!r} needs one derivative rule per input (got none)")
    for i, rule in enumerate(rules):
        if not callable(rule):
            raise TypeError(f"define_op: rules[{i}] must be a function (got {type(rule).__name__})")
    if domain is not None and not callable(domain):
        raise TypeError(f"define_op: domain must be a function (got {type(domain).__name__})")
    if jvp is not None and not callable(jvp):
        raise TypeError(f"define_op: jvp must be a function (got {type(jvp).__name__})")
    if is_builtin(name):
        raise ValueError(f"define_op: {name!r} is one of stepgrad's own ops; choose another name")
    _check_takes(name, "forward", forward, len(rules))
    for i, rule in enumerate(rules):
        _check_takes(name, f"rules[{i}]", rule, len(rules) + 1)
    checked = forward if domain is None else _with_domain(name, forward, domain, expects)
    prim = Primitive(
        name,
        checked,
        _vjp_of(rules),
        jvp=jvp or _jvp_of(rules),
        code=code,
        zero_skip=zero_skip,
        builtin=builtin,
        arity=len(rules),
    )
    REGISTRY[name] = prim
    return prim


def _check_takes(name: str, what: str, fn: Callable, n: int) -> None:
    """TypeError unless ``fn`` can be called with ``n`` positional arguments (``*args`` can).

    A function whose signature Python cannot read (some built-ins) is not checked.
    """
    try:
        inspect.signature(fn).bind(*range(n))
    except ValueError:  # no signature to read
        return
    except TypeError:
        inputs = n if what == "forward" else n - 1
        wanted = "one per input" if what == "forward" else "the inputs, then out"
        raise TypeError(
            f"define_op: {name!r} has {inputs} input(s) (one rule each), so {what} must take "
            f"{n} arguments, {wanted} (got {what}{inspect.signature(fn)})"
        ) from None


def _vjp_of(rules: tuple) -> Callable[..., tuple]:
    if len(rules) == 1:
        (rule,) = rules
        return lambda g, out, x: (g * rule(x, out),)
    if len(rules) == 2:
        r0, r1 = rules
        return lambda g, out, x, y: (g * r0(x, y, out), g * r1(x, y, out))
    return lambda g, out, *xs: tuple(g * rule(*xs, out) for rule in rules)


def _jvp_of(rules: tuple) -> Callable[..., Any]:
    if len(rules) == 1:
        (rule,) = rules
        return lambda t, out, x: t[0] * rule(x, out)  # a unary op is only called with a tangent
    return lambda t, out, *xs: _terms(t, *[_times(rule, xs, out) for rule in rules])


def _times(rule: Callable, xs: tuple, out) -> Callable:
    """The term ``dx * rule(*xs, out)`` of a jvp, as a function of the tangent ``dx``."""
    return lambda dx: dx * rule(*xs, out)


def _with_domain(name: str, forward, domain, expects):
    wanted = expects or "inputs inside its domain"

    def checked(*xs: float) -> float:
        if not domain(*xs) and all(x == x for x in xs):
            shown = ", ".join(map(repr, xs))
            raise ValueError(f"{name}: expected {wanted}, got {shown}")
        return forward(*xs)

    return checked


# ----------------------------------------------------------------------------------------------
# the table. In every rule: g is the incoming gradient, out the forward result, c a constant.

ADD = Primitive(
    "+",
    lambda x, y: x + y,
    lambda g, out, x, y: (
        g,  # d(x+y)/dx = 1
        g,  # d(x+y)/dy = 1
    ),
    jvp=lambda t, out, x, y: _tangent_sum(t),  # d(x+y) = dx + dy
    code=Code("{x} + {y}", ("{g}", "{g}")),
    zero_skip=True,
    builtin=True,
    arity=2,
)
ADD_CONST = Primitive(
    "+",
    lambda x, c: x + c,
    lambda g, out, x, c: (g,),  # d(x+c)/dx = 1
    jvp=lambda t, out, x, c: t[0],  # d(x+c) = dx
    code=Code("{x} + {c}", ("{g}",)),
    zero_skip=True,
    builtin=True,
    const=True,
)
MUL = Primitive(
    "*",
    lambda x, y: x * y,
    lambda g, out, x, y: (
        g * y,  # d(x*y)/dx = y
        g * x,  # d(x*y)/dy = x
    ),
    jvp=lambda t, out, x, y: _terms(t, lambda dx: dx * y, lambda dy: x * dy),  # y dx + x dy
    code=Code("{x} * {y}", ("{g} * {y}", "{g} * {x}")),
    zero_skip=True,
    builtin=True,
    arity=2,
)
MUL_CONST = Primitive(
    "*",
    lambda x, c: x * c,
    lambda g, out, x, c: (g * c,),  # d(x*c)/dx = c
    jvp=lambda t, out, x, c: t[0] * c,  # d(x*c) = c dx
    code=Code("{x} * {c}", ("{g} * {c}",)),
    zero_skip=True,
    builtin=True,
    const=True,
)
DIV = Primitive(  # its own primitive: x * y**-1 rounds twice and overflows at y = 1e-320
    "/",
    divide,
    lambda g, out, x, y: (
        _quotient(g, y),  # d(x/y)/dx = 1/y
        _dquotient(g, x, y, out),  # d(x/y)/dy = -x/y**2 = -out/y
    ),
    jvp=lambda t, out, x, y: _terms(  # d(x/y) = dx / y - out / y dy
        t, lambda dx: _quotient(dx, y), lambda dy: _dquotient(dy, x, y, out)
    ),
    code=Code("divide({x}, {y})", ("{g} / {y}", "dquotient({g}, {x}, {y}, {out})")),
    builtin=True,
    arity=2,
)
DIV_CONST = Primitive(
    "/",
    divide,
    lambda g, out, x, c: (g / c,),  # d(x/c)/dx = 1/c (c is never 0: the node was refused)
    jvp=lambda t, out, x, c: t[0] / c,  # d(x/c) = dx / c
    code=Code("{x} / {c}", ("{g} / {c}",)),
    builtin=True,
    const=True,
)
RDIV_CONST = Primitive(
    "/",
    lambda y, c: divide(c, y),
    lambda g, out, y, c: (_dquotient(g, c, y, out),),  # d(c/y)/dy = -c/y**2 = -out/y
    const_first=True,
    jvp=lambda t, out, y, c: _dquotient(t[0], c, y, out),  # d(c/y) = -out/y dy
    code=Code("divide({c}, {y})", ("dquotient({g}, {c}, {y}, {out})",)),
    builtin=True,
    const=True,
)
POW = Primitive(
    "**",
    power,
    lambda g, out, x, y: (
        g * _dpow(x, y),  # d(x**y)/dx = y * x**(y-1)
        g * _dpow_exponent(out, x),  # d(x**y)/dy = x**y * log(x)
    ),
    jvp=lambda t, out, x, y: _terms(  # d(x**y) = y x**(y-1) dx + x**y log(x) dy
        t, lambda dx: dx * _dpow(x, y), lambda dy: dy * _dpow_exponent(out, x)
    ),
    code=Code("power({x}, {y})", ("{g} * dpow({x}, {y})", "{g} * dpow_exponent({out}, {x})")),
    builtin=True,
    arity=2,
)
POW_CONST = Primitive(
    "**",
    power,
    lambda g, out, x, c: (g * _dpow(x, c),),  # d(x**c)/dx = c * x**(c-1)
    jvp=lambda t, out, x, c: t[0] * _dpow(x, c),  # d(x**c) = c x**(c-1) dx
    code=Code("power({x}, {c})", ("{g} * dpow({x}, {c})",)),
    builtin=True,
    const=True,
)
RPOW_CONST = Primitive(
    "**",
    lambda y, c: power(c, y),
    lambda g, out, y, c: (g * _dpow_exponent(out, c),),  # d(c**y)/dy = c**y * log(c)
    const_first=True,
    jvp=lambda t, out, y, c: t[0] * _dpow_exponent(out, c),  # d(c**y) = c**y log(c) dy
    code=Code("power({c}, {y})", ("{g} * dpow_exponent({out}, {c})",)),
    builtin=True,
    const=True,
)
EXP = define(
    "exp",
    _exp_forward,
    lambda x, out: out,  # d(e^x)/dx = e^x
    code=Code("exp({x})", ("{g} * {out}",)),
    zero_skip=True,
    builtin=True,
)
LOG = Primitive(  # hand-written: g / x rounds once, g * (1 / x) twice
    "log",
    _log_forward,
    lambda g, out, x: (g / x,),  # d(log x)/dx = 1/x
    jvp=lambda t, out, x: t[0] / x,  # d(log x) = dx / x
    code=Code("log({x})", ("{g} / {x}",)),
    builtin=True,
)
TANH = define(
    "tanh",
    math.tanh,
    lambda x, out: 1.0 - out * out,  # d(tanh x)/dx = 1 - tanh(x)^2
    code=Code("tanh({x})", ("{g} * (1.0 - {out} * {out})",)),
    zero_skip=True,
    builtin=True,
)
SIGMOID = Primitive(  # hand-written: (g * s) * (1 - s), the rounding it always had
    "sigmoid",
    sigmoid,
    lambda g, out, x: (g * out * (1.0 - out),),  # d(s(x))/dx = s(x) (1 - s(x))
    jvp=lambda t, out, x: t[0] * out * (1.0 - out),  # d(s(x)) = s(x) (1 - s(x)) dx
    code=Code("sigmoid({x})", ("{g} * {out} * (1.0 - {out})",)),
    zero_skip=True,
    builtin=True,
)
SOFTPLUS = define(
    "softplus",
    softplus,
    lambda x, out: _sigmoid(x),  # d(log(1+e^x))/dx = s(x)
    code=Code("softplus({x})", ("{g} * sigmoid({x})",)),
    builtin=True,
)
RELU = Primitive(  # hand-written: the hottest unary op of a network, one call less per node
    "relu",
    _relu_forward,
    # d(relu x)/dx = 1 for x > 0, else 0 (relu'(0) = 0, as in micrograd and PyTorch); nan at nan
    lambda g, out, x: (g * (1.0 if (xr := _real(x)) > 0.0 else 0.0 if xr <= 0.0 else _NAN),),
    jvp=lambda t, out, x: t[0] * _slope(x, 0.0),  # d(relu x) = dx for x > 0, else 0
    code=Code(
        "{x} if not {x} <= 0.0 else 0.0",
        ("{g} * (1.0 if {x} > 0.0 else 0.0 if {x} <= 0.0 else nan)",),
    ),
    zero_skip=True,
    builtin=True,
)
LEAKY_RELU = Primitive(
    "leaky_relu",
    _leaky_relu_forward,
    # d/dx = 1 for x > 0, else the slope c (the slope is used at 0, like relu'(0) = 0)
    lambda g, out, x, c: (g * (1.0 if (xr := _real(x)) > 0.0 else c if xr <= 0.0 else _NAN),),
    jvp=lambda t, out, x, c: t[0] * _slope(x, c),  # dx for x > 0, else c dx
    code=Code(
        "{x} if not {x} <= 0.0 else {c} * {x}",
        ("{g} * (1.0 if {x} > 0.0 else {c} if {x} <= 0.0 else nan)",),
    ),
    zero_skip=True,
    builtin=True,
    const=True,
)
ABS = define(
    "abs",
    abs,
    lambda x, out: _sign(x, 0.0),  # d|x|/dx = sign(x); 0 at 0 (PyTorch)
    code=Code("abs({x})", ("{g} * sign({x}, 0.0)",)),
    builtin=True,
)
SIN = define(
    "sin",
    sine,
    lambda x, out: _cos(x),  # d(sin x)/dx = cos x
    code=Code("sine({x})", ("{g} * cosine({x})",)),
    builtin=True,
)
TAN = define(
    "tan",
    tangent,
    lambda x, out: 1.0 + out * out,  # d(tan x)/dx = 1 + tan(x)^2
    code=Code("tangent({x})", ("{g} * (1.0 + {out} * {out})",)),
    zero_skip=True,
    builtin=True,
)
COS = define(
    "cos",
    cosine,
    lambda x, out: -_sin(x),  # d(cos x)/dx = -sin x
    code=Code("cosine({x})", ("{g} * -sine({x})",)),
    builtin=True,
)

# ----------------------------------------------------------------------------------------------
# fused n-ary primitives: one node instead of a chain, with the same floating-point results
# (the forward adds in the same left-to-right order as the chain it replaces)


def _add_left_to_right(terms: Iterable[float], start: float) -> float:
    """start + t1 + t2 + ..., left to right, rounded after each addition like a chain of +."""
    return reduce(operator.add, terms, start)


# What the fused nodes sum with. Not the builtin ``sum`` from Python 3.12 on: it compensates
# rounding errors there, so a fused node would no longer equal the chain of ``+`` nodes it
# replaces. Up to 3.11 the builtin adds floats left to right, rounding each time (the same
# bits), twice as fast as ``reduce``.
_sum_in_order: Callable[[Iterable[float], float], float] = (
    _add_left_to_right if sys.version_info >= (3, 12) else cast(Callable, sum)
)


def _affine_forward(*v: float) -> float:
    """b + w1*x1 + ... + wn*xn with parents (w1..wn, x1..xn, b), summed from b like micrograd."""
    n = len(v) // 2
    return _sum_in_order(map(operator.mul, v, v[n:-1]), v[-1])  # pairs w_i with x_i


def _affine_vjp(g, out, *v):
    n = len(v) // 2
    ws, xs = v[:n], v[n:-1]
    return (
        *[g * x for x in xs],  # d/dw_i = x_i
        *[g * w for w in ws],  # d/dx_i = w_i
        g,  # d/db = 1
    )


def _affine_jvp(t, out, *v):
    """d(b + w.x) = x1 dw1 + ... + xn dwn + w1 dx1 + ... + wn dxn + db."""
    n = len(v) // 2
    ws, xs = v[:n], v[n:-1]
    return _terms(t, *[_scaled_by(x) for x in xs], *[_scaled_by(w) for w in ws], _same)


def _scaled_by(d):
    """The term ``dx * d`` of a jvp, as a function of the tangent ``dx``."""
    return lambda dx: dx * d


def _chain(start: str, terms) -> str:
    """The source of ``_sum_in_order``: ``start + t1 + t2``, which Python adds left to right."""
    return " + ".join([start, *terms])


def _affine_code(v: list[str], c) -> str:
    n = len(v) // 2
    return _chain(v[-1], [f"{w} * {x}" for w, x in zip(v[:n], v[n:-1])])


def _affine_vjp_code(g: str, out: str, v: list[str], c) -> list[str]:
    n = len(v) // 2
    return [*[f"{g} * {x}" for x in v[n:-1]], *[f"{g} * {w}" for w in v[:n]], g]


def _split_affine(operands: Sequence, c) -> tuple[list, list, Any]:
    """Parents (w1..wn, x1..xn, b): the weights, the inputs, the bias."""
    n = len(operands) // 2
    return list(operands[:n]), list(operands[n:-1]), operands[-1]


def _split_affine_const(operands: Sequence, c) -> tuple[list, list, Any]:
    """Parents (w1..wn, b) and the inputs as the constant: the weights, the inputs, the bias."""
    return list(operands[:-1]), list(c), operands[-1]


SUM = Primitive(
    "sum",
    lambda *xs: _sum_in_order(xs, 0.0),
    lambda g, out, *xs: (g,) * len(xs),  # d(x1 + ... + xn)/dx_i = 1
    jvp=lambda t, out, *xs: _tangent_sum(t),  # d(x1 + ... + xn) = dx1 + ... + dxn
    code=Code(lambda xs, c: _chain("0.0", xs), lambda g, out, xs, c: [g] * len(xs)),
    zero_skip=True,
    builtin=True,
    arity=None,
)
AFFINE = Primitive(
    "affine",
    _affine_forward,
    _affine_vjp,
    jvp=_affine_jvp,
    code=Code(_affine_code, _affine_vjp_code),
    zero_skip=True,
    builtin=True,
    split=_split_affine,
    arity=None,
)
AFFINE_CONST = Primitive(
    "affine",
    # parents (w1..wn, b); the inputs x are Python numbers, kept as the constant c
    lambda *v: _sum_in_order(map(operator.mul, v[:-2], v[-1]), v[-2]),
    lambda g, out, *v: (
        *[g * x for x in v[-1]],  # d/dw_i = x_i
        g,  # d/db = 1
    ),
    jvp=lambda t, out, *v: _terms(  # d(b + w.x) = x.dw + db
        t, *[_scaled_by(x) for x in v[-1]], _same
    ),
    code=Code(
        lambda v, c: _chain(v[-1], [f"{w} * {x}" for w, x in zip(v[:-1], c)]),
        lambda g, out, v, c: [*[f"{g} * {x}" for x in c], g],
    ),
    zero_skip=True,
    builtin=True,
    split=_split_affine_const,
    arity=None,
    const=True,
)

# the functions the code templates call, by the names they use (autograd.compile binds them)
CODE_NAMES: dict[str, object] = {
    "abs": abs,
    "cosine": cosine,
    "divide": divide,
    "dpow": _dpow,
    "dpow_exponent": _dpow_exponent,
    "dquotient": _dquotient,
    "exp": _exp_forward,
    "inf": _INF,
    "log": _log_forward,
    "nan": _NAN,
    "power": power,
    "sigmoid": sigmoid,
    "sign": _sign,
    "sine": sine,
    "softplus": softplus,
    "tangent": tangent,
    "tanh": math.tanh,
}
