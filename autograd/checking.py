"""``gradcheck`` and ``gradgradcheck``: analytic derivatives against central finite differences.

The numeric derivative of ``f`` in input ``i`` is ``(f(x + eps e_i) - f(x - eps e_i)) / 2 eps``,
evaluated on plain Values under ``no_grad()``. An entry passes when
``|analytic - numeric| <= atol + rtol * |numeric|`` (PyTorch's rule; tolerances keyword-only).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from autograd.backprop import grad
from autograd.errors import GradcheckError
from autograd.mode import no_grad
from autograd.value import Value

__all__ = ["Mismatch", "gradcheck", "gradgradcheck"]


@dataclass(frozen=True)
class Mismatch:
    """One disagreeing entry: which derivative, where, and both values.

    ``kind`` says what disagreed: ``"gradient"`` (``analytic`` against ``numeric``),
    ``"value"`` (the Value ``f`` returned, as ``analytic``, against ``reference`` on floats,
    as ``numeric``), ``"no_grad"`` (the value with a graph against the value under
    ``no_grad()``) or ``"determinism"`` (a first and a second backward run, bit for bit).
    """

    index: tuple[int, ...]
    point: tuple[float, ...]
    analytic: float
    numeric: float
    kind: str = "gradient"


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[float],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    reference: Callable[..., float] | None = None,
    raise_exception: bool = True,
) -> bool:
    """Check ``backward()`` of ``f(*inputs)`` against central finite differences.

    ``f`` takes one Value per input and returns a Value; ``inputs`` are numbers (or Values,
    whose ``data`` is used). Besides the gradients it checks, at the same point:

    - the forward value against ``reference``, the same function written on plain floats
      (``reference=lambda x, y: math.tanh(x * y)``), with the same tolerances; when
      ``reference`` is not given, ``f.reference`` is used if ``f`` has one (the expressions
      drawn by ``autograd.testing`` do);
    - that the value is the same, bit for bit, with and without ``no_grad()`` (the finite
      differences are taken without a graph);
    - that backward is deterministic: rerunning it on the same graph and on a freshly built
      one gives bit-for-bit the same gradients.

    Returns True when everything agrees. Otherwise raises ``GradcheckError`` listing every
    disagreeing entry (index, point, both values and the tolerances), or returns False when
    ``raise_exception=False``.

    >>> import math
    >>> from autograd import gradcheck
    >>> gradcheck(lambda x, y: (x * y).tanh() + x.exp(), [0.5, -1.5])
    True
    >>> gradcheck(lambda x: x.sigmoid(), [0.3], reference=lambda x: 1 / (1 + math.exp(-x)))
    True
    """
    point = _floats(inputs, "gradcheck")
    _check_tolerances(eps, atol, rtol, "gradcheck")
    ref = _reference(f, reference, "gradcheck")
    out, xs = _backward(f, point, "gradcheck")
    analytic = [x.grad for x in xs]
    rows = _forward_rows(f, ref, out.data, point, atol, rtol, "gradcheck")
    numeric = _numeric_gradient(lambda *v: _call(f, _values(v), "gradcheck").data, point, eps)
    rows += [
        Mismatch((i,), tuple(point), a, n)
        for i, (a, n) in enumerate(zip(analytic, numeric))
        if not _close(a, n, atol, rtol)
    ]
    for x in xs:  # the same graph again, then a fresh one: gradients must not change a bit
        x.grad = 0.0
    out.backward()
    again = [x.grad for x in xs]
    fresh = [x.grad for x in _backward(f, point, "gradcheck")[1]]
    rows += _determinism_rows(point, analytic, again, fresh)
    return _verdict("gradcheck", "d f / d x[i]", rows, len(point), eps, atol, rtol, raise_exception)


def gradgradcheck(
    f: Callable[..., Value],
    inputs: Sequence[float],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    reference: Callable[..., float] | None = None,
    raise_exception: bool = True,
) -> bool:
    """Check second derivatives: ``grad(..., create_graph=True)`` against finite differences.

    For every pair (i, j) compares d/dx[j] of the analytic first derivative d f/d x[i]
    (obtained by differentiating the gradient graph) with the central difference of the first
    derivatives. Also checks the forward value (against ``reference`` or ``f.reference``, and
    with against without ``no_grad()``) and that the second derivatives are bit-for-bit the
    same when computed again from a fresh graph. Same arguments, return value and errors as
    ``gradcheck``.

    >>> from autograd import gradgradcheck
    >>> gradgradcheck(lambda x, y: x**3 * y.sin(), [0.7, 1.1])
    True
    """
    point = _floats(inputs, "gradgradcheck")
    _check_tolerances(eps, atol, rtol, "gradgradcheck")
    ref = _reference(f, reference, "gradgradcheck")
    n = len(point)

    def second_derivatives() -> tuple[float, list[list[float]]]:
        xs = _values(point)
        out = _call(f, xs, "gradgradcheck")
        first = grad(out, xs, create_graph=True)
        return out.data, [grad(first[i], xs) for i in range(n)]

    def first_derivatives(*v: float) -> list[float]:
        vs = _values(v)
        return grad(_call(f, vs, "gradgradcheck"), vs)

    value, analytic = second_derivatives()
    rows = _forward_rows(f, ref, value, point, atol, rtol, "gradgradcheck")
    columns = [_central(first_derivatives, point, j, eps) for j in range(n)]
    for i in range(n):
        for j in range(n):
            numeric = columns[j][i]
            if not _close(analytic[i][j], numeric, atol, rtol):
                rows.append(Mismatch((i, j), tuple(point), analytic[i][j], numeric))
    again = second_derivatives()[1]
    for i in range(n):
        rows += [
            replace(r, index=(i, *r.index)) for r in _determinism_rows(point, analytic[i], again[i])
        ]
    return _verdict(
        "gradgradcheck", "d2 f / d x[i] d x[j]", rows, n * n, eps, atol, rtol, raise_exception
    )


def _backward(f: Callable[..., Value], point: list[float], where: str):
    """Build ``f``'s graph at ``point`` on fresh leaves and run backward; the output, leaves."""
    xs = _values(point)
    out = _call(f, xs, where)
    out.backward()
    return out, xs


def _reference(f, reference, where: str):
    if reference is None:
        reference = getattr(f, "reference", None)
    if reference is not None and not callable(reference):
        raise TypeError(
            f"{where}: reference must be a function of floats (got {type(reference).__name__})"
        )
    return reference


def _forward_rows(f, reference, value, point, atol, rtol, where) -> list[Mismatch]:
    """The forward value against ``reference`` (tolerances) and under ``no_grad`` (exactly)."""
    rows = []
    if reference is not None:
        expected = reference(*point)
        if isinstance(expected, bool) or not isinstance(expected, int | float):
            raise TypeError(
                f"{where}: reference must return a real number (got {type(expected).__name__})"
            )
        if not _close(value, float(expected), atol, rtol):
            rows.append(Mismatch((), tuple(point), value, float(expected), "value"))
    with no_grad():
        plain = _call(f, _values(point), where).data
    if not _same(value, plain):
        rows.append(Mismatch((), tuple(point), value, plain, "no_grad"))
    return rows


def _determinism_rows(point, first, *reruns) -> list[Mismatch]:
    rows = []
    for i, a in enumerate(first):
        for run in reruns:
            if not _same(a, run[i]):
                rows.append(Mismatch((i,), tuple(point), a, run[i], "determinism"))
                break
    return rows


def _same(a: float, b: float) -> bool:
    """Bit-for-bit equality (so 0.0 and -0.0 differ, and nan equals the same nan)."""
    return struct.pack("<d", a) == struct.pack("<d", b)


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


_SECTIONS = {  # kind: (what went wrong, column titles for the two values)
    "value": ("the value of f disagrees with reference on plain floats", "value", "reference"),
    "no_grad": ("the value of f changes under no_grad()", "with graph", "no_grad"),
    "determinism": (
        "backward is not deterministic: a second run gave different results (bit for bit)",
        "run 1",
        "run 2",
    ),
}


def _verdict(where, what, rows, total, eps, atol, rtol, raise_exception) -> bool:
    if not rows:
        return True
    if not raise_exception:
        return False

    def margin(r: Mismatch) -> tuple[str, str]:
        return f"{abs(r.analytic - r.numeric):.3g}", f"{atol + rtol * abs(r.numeric):.3g}"

    parts = []
    gradients = [r for r in rows if r.kind == "gradient"]
    if gradients:
        table: list[tuple[str, ...]] = [
            ("index", "point", "analytic", "numeric", "|diff|", "allowed")
        ]
        table += [
            (_index(r), _point(r), f"{r.analytic:.8g}", f"{r.numeric:.8g}", *margin(r))
            for r in gradients
        ]
        parts.append(
            f"{where}: {len(gradients)} of {total} derivatives ({what}) disagree with finite "
            f"differences\n"
            f"tolerances: eps={eps:g} atol={atol:g} rtol={rtol:g} "
            f"(pass when |analytic - numeric| <= atol + rtol * |numeric|)\n" + _table(table)
        )
    for kind, (problem, first, second) in _SECTIONS.items():
        found = [r for r in rows if r.kind == kind]
        if not found:
            continue
        if kind == "value":  # checked with the tolerances: show the margin too
            table = [("index", "point", first, second, "|diff|", "allowed")]
            table += [
                (_index(r), _point(r), repr(r.analytic), repr(r.numeric), *margin(r)) for r in found
            ]
        else:
            table = [("index", "point", first, second)]
            table += [(_index(r), _point(r), repr(r.analytic), repr(r.numeric)) for r in found]
        parts.append(f"{where}: {problem}\n" + _table(table))
    raise GradcheckError("\n".join(parts), rows)


def _index(r: Mismatch) -> str:
    return ",".join(map(str, r.index)) or "-"


def _point(r: Mismatch) -> str:
    return "(" + ", ".join(f"{x:.6g}" for x in r.point) + ")"


def _table(rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
    return "\n".join("  ".join(cell.rjust(w) for cell, w in zip(row, widths)) for row in rows)
