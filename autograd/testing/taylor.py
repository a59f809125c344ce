"""How far finite differences can miss at a point: Taylor jets on plain floats, for the strategies.

``autograd.testing`` draws expressions and inputs for ``gradcheck`` and ``gradgradcheck``. A
central difference ``(f(x + eps) - f(x - eps)) / 2 eps`` misses the derivative by its truncation
error, about ``eps^2 / 6 * f'''(x)``, plus the rounding errors of ``f`` divided by ``eps``. This
module estimates both, without the engine (so a broken derivative rule cannot hide itself), for
every entry that the two checks compare:

- ``Jet``: a truncated Taylor series in one direction ``t`` whose coefficients are dual numbers
  in every input (``s_i`` with ``s_i s_k = 0``). Evaluating an expression on jets gives, for the
  direction ``e_j``, ``d^p f / dx_j^p`` and ``d^p/dx_j^p df/dx_i`` for ``p <= 3``.
- ``error_ratio(expression, point, ...)``: the worst ratio of estimated error to tolerance.

>>> x = Jet.variable(2.0, 0, 1, order=3)   # x0 = 2, varied along t
>>> y = x * x * x
>>> [y.coefficient(p) for p in range(4)]    # 8, 3 x^2, 3 x, 1: the Taylor coefficients
[8.0, 12.0, 6.0, 1.0]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

__all__ = ["Jet", "error_ratio"]

UNIT_ROUNDOFF = 2.0**-53
ROUNDING_FACTOR = 4.0  # units of roundoff allowed per operation (libm, composite ops)
REACH = 100.0  # a kink or pole must be this many finite-difference steps away, at least


class Jet:
    """A truncated Taylor series ``sum_p c_p t^p`` whose coefficients are dual numbers.

    ``rows[p]`` holds ``[a, a_1, ..., a_n]``: the coefficient of ``t^p`` and of ``t^p s_i``.
    Supports ``+ - * / **``, ``abs``, comparisons (on the value) and ``apply(derivatives)``
    for one-operand functions. There is no ``__float__``: ``math.exp(jet)`` is a TypeError, so
    a function written with ``math`` cannot silently drop the derivatives.
    """

    __slots__ = ("rows",)

    def __init__(self, rows: list[list[float]]) -> None:
        self.rows = rows

    @classmethod
    def variable(cls, x: float, i: int, n: int, *, order: int, along: bool = True) -> Jet:
        """Input ``i`` of ``n`` at ``x``; varied along ``t`` when ``along``."""
        rows = [[0.0] * (n + 1) for _ in range(order + 1)]
        rows[0][0] = float(x)
        rows[0][1 + i] = 1.0
        if along and order:
            rows[1][0] = 1.0
        return cls(rows)

    def constant(self, c: float) -> Jet:
        """The jet of the constant ``c``, shaped like this one."""
        rows = [[0.0] * len(self.rows[0]) for _ in self.rows]
        rows[0][0] = float(c)
        return Jet(rows)

    @property
    def value(self) -> float:
        """The value of the function at the point."""
        return self.rows[0][0]

    def coefficient(self, p: int, i: int | None = None) -> float:
        """The coefficient of ``t^p`` (``i`` given: of ``t^p s_i``)."""
        return self.rows[p][0 if i is None else 1 + i]

    def _lift(self, other) -> Jet:
        if isinstance(other, Jet):
            return other
        if isinstance(other, bool) or not isinstance(other, int | float):
            raise TypeError(f"Jet: cannot combine with {type(other).__name__}")
        return self.constant(other)

    def __add__(self, other) -> Jet:
        o = self._lift(other)
        return Jet([[a + b for a, b in zip(r, q)] for r, q in zip(self.rows, o.rows)])

    __radd__ = __add__

    def __neg__(self) -> Jet:
        return Jet([[-a for a in r] for r in self.rows])

    def __pos__(self) -> Jet:
        return self

    def __sub__(self, other) -> Jet:
        return self + -self._lift(other)

    def __rsub__(self, other) -> Jet:
        return self._lift(other) - self

    def __mul__(self, other) -> Jet:
        if not isinstance(other, Jet):
            c = float(self._lift(other).value)
            return Jet([[c * a for a in r] for r in self.rows])
        top, width = len(self.rows), len(self.rows[0])
        out = [[0.0] * width for _ in range(top)]
        for p, s in enumerate(self.rows):  # (s0 + s.ds)(o0 + o.ds) = s0 o0 + s0 o.ds + o0 s.ds
            for q in range(top - p):
                o, row = other.rows[q], out[p + q]
                s0, o0 = s[0], o[0]
                if s0 == 0.0 and o0 == 0.0:
                    continue
                out[p + q] = [r + s0 * b + a * o0 for r, a, b in zip(row, s, o)]
                out[p + q][0] = row[0] + s0 * o0
        return Jet(out)

    __rmul__ = __mul__

    def __truediv__(self, other) -> Jet:
        if not isinstance(other, Jet):
            return self * (1.0 / float(self._lift(other).value))
        return self * other.apply(_reciprocal(other.value, len(self.rows)))

    def __rtruediv__(self, other) -> Jet:
        return self._lift(other) / self

    def __pow__(self, other) -> Jet:
        if isinstance(other, Jet):
            return (other * self.log()).exp()
        return self.apply(_power(self.value, float(self._lift(other).value), len(self.rows)))

    def __rpow__(self, other) -> Jet:
        c = float(self._lift(other).value)
        return self.apply([c**self.value * math.log(c) ** k for k in range(len(self.rows) + 1)])

    def __abs__(self) -> Jet:
        return -self if self.value < 0.0 else self

    def __gt__(self, other) -> bool:
        return self.value > self._lift(other).value

    def __lt__(self, other) -> bool:
        return self.value < self._lift(other).value

    def __ge__(self, other) -> bool:
        return self.value >= self._lift(other).value

    def __le__(self, other) -> bool:
        return self.value <= self._lift(other).value

    def exp(self) -> Jet:
        """``exp`` of this jet."""
        return self.apply([math.exp(self.value)] * (len(self.rows) + 1))

    def log(self) -> Jet:
        """``log`` of this jet."""
        return self.apply(_log(self.value, len(self.rows)))

    def apply(self, derivatives: Sequence[float]) -> Jet:
        """``g(self)`` for a function ``g`` given by ``g(a), g'(a), g''(a), ...`` at the value.

        Needs one derivative more than the order (the dual parts reach one order further).
        """
        need = len(self.rows) + 1
        if len(derivatives) < need:
            raise ValueError(f"Jet.apply: needs {need} derivatives (got {len(derivatives)})")
        delta = Jet([list(r) for r in self.rows])
        delta.rows[0][0] = 0.0
        out = self.constant(derivatives[need - 1] / math.factorial(need - 1))
        for k in range(need - 2, -1, -1):  # Horner in delta: sum_k g^(k)(a) delta^k / k!
            out = out * delta + derivatives[k] / math.factorial(k)
        return out


def _reciprocal(a: float, n: int) -> list[float]:
    return [(-1) ** k * math.factorial(k) / a ** (k + 1) for k in range(n + 1)]


def _log(a: float, n: int) -> list[float]:
    return [math.log(a)] + [(-1) ** (k - 1) * math.factorial(k - 1) / a**k for k in range(1, n + 1)]


def _power(a: float, c: float, n: int) -> list[float]:
    out, falling = [], 1.0
    for k in range(n + 1):
        out.append(0.0 if falling == 0.0 else falling * a ** (c - k))
        falling *= c - k
    return out


# ----------------------------------------------------------------------------------------------


def _node_jet(node, args: list[Jet]) -> Jet:
    op = node.op
    const = [] if node.const is None else [node.const]
    if op.derivatives is not None:
        (x,) = args
        return x.apply(op.derivatives(x.value, *const))
    out = op.reference(*args, *const)
    return out if isinstance(out, Jet) else args[0].constant(out)


def _tolerance(a: float, atol: float, rtol: float) -> float:
    return atol + rtol * abs(a)


def _ratio(error: float, allowed: float) -> float:
    r = error / allowed
    return r if r == r else math.inf  # nan: as bad as it gets


def error_ratio(
    expression,
    point: Sequence[float],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    domain: Callable | None = None,
) -> float:
    """The worst estimated finite-difference error of ``gradcheck``/``gradgradcheck``, / tolerance.

    ``expression`` is an ``autograd.testing.Expression`` (its nodes' ops must work on ``Jet``:
    arithmetic references, or a ``derivatives`` rule). For every input ``j`` (and ``i``) it
    estimates, at ``point``, the truncation error by its leading term ``eps^2/6 |d^3 f/dx_j^3|``
    (and the same for ``d/dx_i f``, whose differences ``gradgradcheck`` takes) and bounds the
    rounding error to first order (``ROUNDING_FACTOR`` units of roundoff per operation,
    carried to the output by the adjoints, divided by ``eps``); and
    how close each kinked or poled operand gets to its kink: ``REACH * eps * |d operand/dx|``
    against its distance. Returns the largest of these over ``atol + rtol * |derivative|``
    (the distance for kinks); ``math.inf`` if anything overflowed. Raises TypeError when an
    op cannot run on jets.
    """
    n = len(point)
    nodes = expression.nodes
    worst = 0.0
    duals: list[Jet] = []
    for j in range(n):  # one pass per direction: order 3 along x_j, duals in every x_i
        vals = [Jet.variable(x, i, n, order=3, along=i == j) for i, x in enumerate(point)]
        for node in nodes:
            vals.append(_node_jet(node, [vals[i] for i in node.args]))
        out = vals[-1]
        d1 = out.coefficient(1)
        worst = max(worst, _ratio(eps**2 * abs(out.coefficient(3)), _tolerance(d1, atol, rtol)))
        for i in range(n):  # d/dx_j of df/dx_i, and its third derivative along x_j
            h = out.coefficient(1, i)
            error = eps**2 * abs(out.coefficient(3, i))  # eps^2/6 * (6 c_3)
            worst = max(worst, _ratio(error, _tolerance(h, atol, rtol)))
        if j == 0:
            duals = [Jet([list(v.rows[0])]) for v in vals]  # values and first derivatives
    if not duals:
        return worst
    worst = max(worst, _rounding_and_reach(expression, point, duals, eps, atol, rtol, domain))
    return worst if math.isfinite(worst) else math.inf


def _rounding_and_reach(expression, point, duals, eps, atol, rtol, domain) -> float:
    """Rounding errors of the values and gradients that the differences subtract, and reach.

    Only operations whose inputs change along ``x_j`` compute differently at ``x +- eps e_j``:
    the others round the same way in both, which cancels in the difference. So the rounding
    error of ``f`` along ``x_j`` sums ``|adjoint| * |value|`` over the operations that depend
    on ``x_j``, and that of the gradient ``df/dx_i`` along ``x_j`` the rounding of those
    values (through ``d adjoint/dx_i``) and of the adjoints that depend on ``x_j`` (through
    ``d value/dx_i``).
    """
    n = len(point)
    nodes = expression.nodes
    size = len(duals)
    depends = [1 << i for i in range(n)]  # bit j: the value changes with x_j
    for node in nodes:
        depends.append(_union(depends[i] for i in node.args))
    adjoint_depends = [0] * size  # bit j: the adjoint changes with x_j
    adjoint = [duals[0].constant(0.0) for _ in range(size)]
    adjoint[-1] = duals[0].constant(1.0)
    incoming = [0.0] * size  # the size of the contributions into each adjoint
    scale = [abs(x) for x in point] + [0.0] * len(nodes)  # size of each operation's rounding
    worst = 0.0
    for k in range(size - 1, n - 1, -1):
        node = nodes[k - n]
        args = [duals[i] for i in node.args]
        spread = 0.0
        for p, i in enumerate(node.args):
            lifted = [Jet([list(a.rows[0]), [0.0] * (n + 1)]) for a in args]
            lifted[p].rows[1][0] = 1.0  # vary operand p along t: its partial is the t row
            partial = Jet([_node_jet(node, lifted).rows[1]])
            contribution = adjoint[k] * partial
            adjoint[i] = adjoint[i] + contribution
            adjoint_depends[i] |= adjoint_depends[k] | depends[k]
            # a rule may compute its local derivative from the rounded output (1 - tanh^2,
            # sigmoid (1 - sigmoid)): it can be off by a few units of roundoff even when small
            incoming[i] += abs(adjoint[k].value) * max(abs(partial.value), 1.0)
            spread += abs(args[p].value * partial.value)
            if domain is not None:
                distance = domain(node, p, args[p].value)
                if distance is not None:
                    reach = REACH * eps * max(abs(t) for t in args[p].rows[0][1:])
                    worst = max(worst, _ratio(reach, distance))
        scale[k] = abs(duals[k].value) + max(0, len(args) - 2) * spread
    u = ROUNDING_FACTOR * UNIT_ROUNDOFF
    first = [d.rows[0][1:] for d in duals]  # d v_k / d x_i
    gradient = duals[-1].rows[0][1:]  # df/dx_i
    for j in range(n):
        bit = 1 << j
        value_error = u * sum(
            abs(a.value) * s for a, s, d in zip(adjoint, scale, depends) if d & bit
        )
        worst = max(worst, _ratio(value_error / eps, _tolerance(gradient[j], atol, rtol)))
        for i in range(n):
            gradient_error = u * sum(
                (abs(a.rows[0][1 + i]) * s if d & bit else 0.0)
                + (c * abs(t[i]) if ad & bit else 0.0)
                for a, s, d, c, t, ad in zip(
                    adjoint, scale, depends, incoming, first, adjoint_depends
                )
            )
            h = adjoint[i].rows[0][1 + j]  # d/dx_j of the adjoint of x_i: d2f/dx_i dx_j
            worst = max(worst, _ratio(gradient_error / eps, _tolerance(h, atol, rtol)))
    return worst


def _union(masks) -> int:
    out = 0
    for m in masks:
        out |= m
    return out
