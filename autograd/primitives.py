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

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass

_INF = math.inf


@dataclass(frozen=True, slots=True)
class Primitive:
    """One differentiable operation: a name, a forward function and a vector-Jacobian product.

    ``const_first`` says how a constant is shown when drawing (``2 ** x`` versus ``x ** 2``).
    """

    name: str
    forward: Callable[..., float]
    vjp: Callable[..., tuple]
    const_first: bool = False

    def __repr__(self) -> str:
        return f"Primitive({self.name!r})"


# ----------------------------------------------------------------------------------------------
# helpers that work on floats and on Values alike (rules receive either)


def _real(x):
    """The float behind ``x`` (a float, or a Value's data)."""
    return x if type(x) is float else x.data


def _log(x):
    return math.log(x) if type(x) is float else x.log()


def _sin(x):
    return math.sin(x) if type(x) is float else x.sin()


def _cos(x):
    return math.cos(x) if type(x) is float else x.cos()


def _sigmoid(x):
    return sigmoid(x) if type(x) is float else x.sigmoid()


def _dpow(x, y):
    """d/dx x**y = y * x**(y-1), with the limits at x = 0 spelled out.

    At x = 0 the formula would divide by zero for y < 1: y = 0 gives 0 (x**0 is constant),
    0 < y < 1 gives +inf (the slope of sqrt at 0). Elsewhere the formula itself is used, so
    the result stays differentiable in x and y (needed for second derivatives).
    """
    if _real(x) == 0.0 and _real(y) < 1.0:
        return 0.0 if _real(y) == 0.0 else _INF
    return y * x ** (y - 1.0)


def _dpow_exponent(out, x):
    """d/dy x**y = x**y * log(x); 0 at x = 0 (where x**y is 0), nan for x < 0 (no real log)."""
    xr = _real(x)
    if xr > 0.0:
        return out * _log(x)
    return 0.0 if xr == 0.0 else math.nan


# ----------------------------------------------------------------------------------------------
# forward functions with their domain checks (errors name the op and the value)


def _check_pow(x: float, y: float, shown: str) -> None:
    if x < 0.0 and not float(y).is_integer():
        raise ValueError(
            f"{shown}: a negative base needs an integer exponent (got {x!r} ** {y!r}); "
            "the result would be complex"
        )
    if x == 0.0 and y < 0.0:
        raise ValueError(f"{shown}: 0 cannot be raised to a negative power (got {x!r} ** {y!r})")


def power(x: float, y: float) -> float:
    """x ** y on floats, real results only; ValueError outside the real domain."""
    _check_pow(x, y, "**")
    try:
        return float(x**y)
    except OverflowError:
        raise ValueError(f"**: the result of {x!r} ** {y!r} is too large for a float") from None


def _exp_forward(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        raise ValueError(f"exp: the result is too large for a float (exp({x!r}))") from None


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
    """log(1 + e^x), stable for any finite input: max(x, 0) + log1p(e^-|x|)."""
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


# ----------------------------------------------------------------------------------------------
# the table. In every rule: g is the incoming gradient, out the forward result, c a constant.

ADD = Primitive(
    "+",
    lambda x, y: x + y,
    lambda g, out, x, y: (
        g,  # d(x+y)/dx = 1
        g,  # d(x+y)/dy = 1
    ),
)
ADD_CONST = Primitive(
    "+",
    lambda x, c: x + c,
    lambda g, out, x, c: (g,),  # d(x+c)/dx = 1
)
MUL = Primitive(
    "*",
    lambda x, y: x * y,
    lambda g, out, x, y: (
        g * y,  # d(x*y)/dx = y
        g * x,  # d(x*y)/dy = x
    ),
)
MUL_CONST = Primitive(
    "*",
    lambda x, c: x * c,
    lambda g, out, x, c: (g * c,),  # d(x*c)/dx = c
)
POW = Primitive(
    "**",
    power,
    lambda g, out, x, y: (
        g * _dpow(x, y),  # d(x**y)/dx = y * x**(y-1)
        g * _dpow_exponent(out, x),  # d(x**y)/dy = x**y * log(x)
    ),
)
POW_CONST = Primitive(
    "**",
    power,
    lambda g, out, x, c: (g * _dpow(x, c),),  # d(x**c)/dx = c * x**(c-1)
)
RPOW_CONST = Primitive(
    "**",
    lambda y, c: power(c, y),
    lambda g, out, y, c: (g * _dpow_exponent(out, c),),  # d(c**y)/dy = c**y * log(c)
    const_first=True,
)
EXP = Primitive(
    "exp",
    _exp_forward,
    lambda g, out, x: (g * out,),  # d(e^x)/dx = e^x
)
LOG = Primitive(
    "log",
    _log_forward,
    lambda g, out, x: (g / x,),  # d(log x)/dx = 1/x
)
TANH = Primitive(
    "tanh",
    math.tanh,
    lambda g, out, x: (g * (1.0 - out * out),),  # d(tanh x)/dx = 1 - tanh(x)^2
)
SIGMOID = Primitive(
    "sigmoid",
    sigmoid,
    lambda g, out, x: (g * out * (1.0 - out),),  # d(s(x))/dx = s(x) (1 - s(x))
)
SOFTPLUS = Primitive(
    "softplus",
    softplus,
    lambda g, out, x: (g * _sigmoid(x),),  # d(log(1+e^x))/dx = sigmoid(x)
)
RELU = Primitive(
    "relu",
    lambda x: x if x > 0.0 else 0.0,
    # d(relu x)/dx = 1 for x > 0, else 0 (relu'(0) = 0, as in micrograd and PyTorch)
    lambda g, out, x: (g * (1.0 if _real(x) > 0.0 else 0.0),),
)
LEAKY_RELU = Primitive(
    "leaky_relu",
    lambda x, c: x if x > 0.0 else c * x,
    # d/dx = 1 for x > 0, else the slope c (the slope is used at 0, like relu'(0) = 0)
    lambda g, out, x, c: (g * (1.0 if _real(x) > 0.0 else c),),
)
ABS = Primitive(
    "abs",
    abs,
    # d|x|/dx = sign(x); 0 at x = 0, as in PyTorch
    lambda g, out, x: (g * (1.0 if _real(x) > 0.0 else -1.0 if _real(x) < 0.0 else 0.0),),
)
SIN = Primitive(
    "sin",
    math.sin,
    lambda g, out, x: (g * _cos(x),),  # d(sin x)/dx = cos x
)
COS = Primitive(
    "cos",
    math.cos,
    lambda g, out, x: (-g * _sin(x),),  # d(cos x)/dx = -sin x
)

# ----------------------------------------------------------------------------------------------
# fused n-ary primitives: one node instead of a chain, with the same floating-point results
# (the forward adds in the same left-to-right order as the chain it replaces)


def _affine_forward(*v: float) -> float:
    """b + w1*x1 + ... + wn*xn with parents (w1..wn, x1..xn, b), summed from b like micrograd."""
    n = len(v) // 2
    return sum(map(operator.mul, v[:n], v[n : 2 * n]), v[-1])


def _affine_vjp(g, out, *v):
    n = len(v) // 2
    ws, xs = v[:n], v[n : 2 * n]
    return (
        *[g * x for x in xs],  # d/dw_i = x_i
        *[g * w for w in ws],  # d/dx_i = w_i
        g,  # d/db = 1
    )


SUM = Primitive(
    "sum",
    lambda *xs: float(sum(xs)),
    lambda g, out, *xs: (g,) * len(xs),  # d(x1 + ... + xn)/dx_i = 1
)
AFFINE = Primitive("affine", _affine_forward, _affine_vjp)
AFFINE_CONST = Primitive(
    "affine",
    # parents (w1..wn, b); the inputs x are Python numbers, kept as the constant c
    lambda *v: sum(map(operator.mul, v[:-2], v[-1]), v[-2]),
    lambda g, out, *v: (
        *[g * x for x in v[-1]],  # d/dw_i = x_i
        g,  # d/db = 1
    ),
)
