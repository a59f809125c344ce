"""``gradcheck`` and ``gradgradcheck``: analytic derivatives against central finite differences.

The numeric derivative of ``f`` in input ``i`` is ``(f(x + eps e_i) - f(x - eps e_i)) / 2 eps``,
evaluated on plain Values under ``no_grad()``. An entry passes when
``|analytic - numeric| <= atol + rtol * |numeric|`` (PyTorch's rule; tolerances keyword-only).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import NamedTuple

from autograd.backprop import grad
from autograd.errors import GradcheckError
from autograd.mode import no_grad
from autograd.value import Value


class Mismatch(NamedTuple):
    """One disagreeing entry: which derivative, where, and both values."""

    index: tuple[int, ...]
    point: tuple[float, ...]
    analytic: float
    numeric: float


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[float],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check ``backward()`` of ``f(*inputs)`` against central finite differences.

    ``f`` takes one Value per input and returns a Value; ``inputs`` are numbers (or Values,
    whose ``data`` is used). Returns True when every gradient agrees. On a mismatch raises
    ``GradcheckError`` listing every disagreeing input (index, point, analytic, numeric and the
    tolerances), or returns False when ``raise_exception=False``.

    >>> from autograd import gradcheck
    >>> gradcheck(lambda x, y: (x * y).tanh() + x.exp(), [0.5, -1.5])
    True
    """
    point = _floats(inputs, "gradcheck")
    _check_tolerances(eps, atol, rtol, "gradcheck")
    xs = _values(point)
    out = _call(f, xs, "gradcheck")
    out.backward()
    analytic = [x.grad for x in xs]
    numeric = _numeric_gradient(lambda *v: _call(f, _values(v), "gradcheck").data, point, eps)
    rows = [
        Mismatch((i,), tuple(point), a, n)
        for i, (a, n) in enumerate(zip(analytic, numeric))
        if not _close(a, n, atol, rtol)
    ]
    return _verdict("gradcheck", "d f / d x[i]", rows, len(point), eps, atol, rtol, raise_exception)


def gradgradcheck(
    f: Callable[..., Value],
    inputs: Sequence[float],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check second derivatives: ``grad(..., create_graph=True)`` against finite differences.

    For every pair (i, j) compares d/dx[j] of the analytic first derivative d f/d x[i]
    (obtained by differentiating the gradient graph) with the central difference of the first
    derivatives. Same arguments, return value and errors as ``gradcheck``.

    >>> from autograd import gradgradcheck
    >>> gradgradcheck(lambda x, y: x**3 * y.sin(), [0.7, 1.1])
    True
    """
    point = _floats(inputs, "gradgradcheck")
    _check_tolerances(eps, atol, rtol, "gradgradcheck")
    n = len(point)
    xs = _values(point)
    first = grad(_call(f, xs, "gradgradcheck"), xs, create_graph=True)

    def first_derivatives(*v: float) -> list[float]:
        vs = _values(v)
        return grad(_call(f, vs, "gradgradcheck"), vs)

    rows = []
    columns = [_central(first_derivatives, point, j, eps) for j in range(n)]
    for i in range(n):
        analytic = grad(first[i], xs)
        for j in range(n):
            numeric = columns[j][i]
            if not _close(analytic[j], numeric, atol, rtol):
                rows.append(Mismatch((i, j), tuple(point), analytic[j], numeric))
    return _verdict(
        "gradgradcheck", "d2 f / d x[i] d x[j]", rows, n * n, eps, atol, rtol, raise_exception
    )


# ----------------------------------------------------------------------------------------------


def _numeric_gradient(fx: Callable[..., float], point: list[float], eps: float) -> list[float]:
    with no_grad():
        return [_central(lambda *v: [fx(*v)], point, i, eps)[0] for i in range(len(point))]


def _central(fx: Callable[..., list[float]], point: list[float], i: int, eps: float) -> list:
    """Central difference of the vector function ``fx`` along input ``i``."""
    hi, lo = list(point), list(point)
    hi[i] += eps
    lo[i] -= eps
    return [(a - b) / (2.0 * eps) for a, b in zip(fx(*hi), fx(*lo))]


def _close(a: float, n: float, atol: float, rtol: float) -> bool:
    if math.isnan(a) or math.isnan(n):
        return False
    return abs(a - n) <= atol + rtol * abs(n)


def _values(point) -> list[Value]:
    return [Value(x) for x in point]


def _call(f: Callable[..., Value], xs, where: str) -> Value:
    out = f(*xs)
    if not isinstance(out, Value):
        raise TypeError(f"{where}: f must return a Value (got {type(out).__name__})")
    return out


def _floats(inputs, where: str) -> list[float]:
    try:
        items = list(inputs)
    except TypeError:
        raise TypeError(
            f"{where}: inputs must be a sequence of numbers (got {type(inputs).__name__})"
        ) from None
    point = []
    for i, x in enumerate(items):
        x = x.data if isinstance(x, Value) else x
        if isinstance(x, bool) or not isinstance(x, int | float):
            raise TypeError(f"{where}: inputs[{i}] must be a real number (got {x!r})")
        point.append(float(x))
    return point


def _check_tolerances(eps: float, atol: float, rtol: float, where: str) -> None:
    for name, v in (("eps", eps), ("atol", atol), ("rtol", rtol)):
        if not (isinstance(v, int | float) and v >= 0 and math.isfinite(v)):
            raise ValueError(f"{where}: {name} must be a finite number >= 0 (got {v!r})")
    if eps == 0:
        raise ValueError(f"{where}: eps must be positive (got {eps!r})")


def _verdict(where, what, rows, total, eps, atol, rtol, raise_exception) -> bool:
    if not rows:
        return True
    if not raise_exception:
        return False
    header = (
        f"{where}: {len(rows)} of {total} derivatives ({what}) disagree with finite differences\n"
        f"tolerances: eps={eps:g} atol={atol:g} rtol={rtol:g} "
        f"(pass when |analytic - numeric| <= atol + rtol * |numeric|)\n"
    )
    table = [("index", "point", "analytic", "numeric", "|diff|", "allowed")]
    for r in rows:
        table.append(
            (
                ",".join(map(str, r.index)),
                "(" + ", ".join(f"{x:.6g}" for x in r.point) + ")",
                f"{r.analytic:.8g}",
                f"{r.numeric:.8g}",
                f"{abs(r.analytic - r.numeric):.3g}",
                f"{atol + rtol * abs(r.numeric):.3g}",
            )
        )
    widths = [max(len(row[k]) for row in table) for k in range(len(table[0]))]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(row, widths)) for row in table]
    raise GradcheckError(header + "\n".join(lines), rows)
