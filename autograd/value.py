"""``Value``: one float, the operation that made it, and its gradient.

Every operator builds a new node whose ``parents`` are the Values it was computed from, in
operand order. A Python number on the other side of an operator is not a node: it is kept as
a constant of the operation (``x * 2`` has one parent, ``x``). Nodes hold no closures and no
reference to their children, so a graph is freed by reference counting alone.
"""

from __future__ import annotations

import numbers

from autograd import primitives as P
from autograd.errors import DivisionByZeroError
from autograd.mode import grad_enabled


class Value:
    """A scalar node in a computation graph.

    Attributes:
        data: the float this node holds (assignable: optimizers update it).
        grad: d(root)/d(this node) after ``root.backward()``; starts at ``0.0``.
        label: a name shown when drawing (``""`` by default).
        parents: the Values this one was computed from, in operand order (``()`` for leaves).
        op: the operation's name, ``""`` for leaves (read only).

    NaN and overflow follow IEEE and PyTorch: nan goes through every op and derivative,
    overflow gives ±inf (``Value(1000.0).exp()`` is inf), and ``backward()`` never raises on
    them. ValueError is kept for real domain errors (``log`` of a number <= 0, a negative base
    to a non-integer power) and ``DivisionByZeroError`` (a ValueError and a ZeroDivisionError)
    for ``x / 0`` and ``0 ** -1``. ``bool(v)`` is a TypeError: compare ``v.data`` instead.

    micrograd's README example, with the same numbers:

    >>> a = Value(-4.0)
    >>> b = Value(2.0)
    >>> c = a + b
    >>> d = a * b + b**3
    >>> c += c + 1
    >>> c += 1 + c + (-a)
    >>> d += d * 2 + (b + a).relu()
    >>> d += 3 * d + (b - a).relu()
    >>> e = c - d
    >>> f = e**2
    >>> g = f / 2.0
    >>> g += 10.0 / f
    >>> print(f"{g.data:.4f}")
    24.7041
    >>> g.backward()
    >>> print(f"{a.grad:.4f} {b.grad:.4f}")
    138.8338 645.5773
    """

    __slots__ = ("_arg", "_prim", "data", "grad", "label", "parents")

    def __init__(self, data: float, *, label: str = "") -> None:
        self.data = _as_float(data, "Value()")
        if not isinstance(label, str):
            raise TypeError(f"Value(): label must be a str (got {type(label).__name__})")
        self.grad = 0.0
        self.label = label
        self.parents: tuple[Value, ...] = ()
        self._prim: P.Primitive | None = None
        self._arg: float | None = None

    @property
    def op(self) -> str:
        """The name of the operation that produced this node (``""`` for a leaf)."""
        return "" if self._prim is None else self._prim.name

    def __bool__(self) -> bool:
        """Refused: ``if v:`` would be True for every Value (micrograd) or hide a comparison.

        Compare the number instead: ``if v.data > 0:``; test for a missing Value with
        ``if v is not None:``.
        """
        raise TypeError(
            "the truth value of a Value is ambiguous: compare its number, as in "
            "`if v.data > 0:`, or test `if v is not None:`"
        )

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # -- arithmetic -----------------------------------------------------------------------------

    def __add__(self, other) -> Value:
        if type(other) is Value:
            return _binary(P.ADD, self, other)
        return _with_const(P.ADD_CONST, self, _as_float(other, "+"))

    def __radd__(self, other) -> Value:  # other + self
        return _with_const(P.ADD_CONST, self, _as_float(other, "+"))

    def __mul__(self, other) -> Value:
        if type(other) is Value:
            return _binary(P.MUL, self, other)
        return _with_const(P.MUL_CONST, self, _as_float(other, "*"))

    def __rmul__(self, other) -> Value:  # other * self
        return _with_const(P.MUL_CONST, self, _as_float(other, "*"))

    def __pow__(self, other) -> Value:
        if type(other) is Value:
            return _binary(P.POW, self, other)
        return _with_const(P.POW_CONST, self, _as_float(other, "**"))

    def __rpow__(self, other) -> Value:  # other ** self
        return _with_const(P.RPOW_CONST, self, _as_float(other, "**"))

    def __neg__(self) -> Value:  # -self
        return _with_const(P.MUL_CONST, self, -1.0)

    def __sub__(self, other) -> Value:  # self - other
        if type(other) is Value:
            return self + (-other)
        return _with_const(P.ADD_CONST, self, -_as_float(other, "-"))

    def __rsub__(self, other) -> Value:  # other - self
        return (-self) + _as_float(other, "-")

    def __truediv__(self, other) -> Value:  # self / other
        if type(other) is Value:
            _check_divisor(self.data, other.data)
            return self * other**-1.0
        c = _as_float(other, "/")
        _check_divisor(self.data, c)
        return self * (1.0 / c)

    def __rtruediv__(self, other) -> Value:  # other / self
        c = _as_float(other, "/")
        _check_divisor(c, self.data)
        return c * self**-1.0

    def __abs__(self) -> Value:
        return _unary(P.ABS, self)

    # -- functions ------------------------------------------------------------------------------

    def exp(self) -> Value:
        """e ** self (inf when it is beyond the largest float, from self > 709.78)."""
        return _unary(P.EXP, self)

    def log(self) -> Value:
        """Natural logarithm; ValueError unless ``self.data > 0``."""
        return _unary(P.LOG, self)

    def sqrt(self) -> Value:
        """self ** 0.5; ValueError if ``self.data < 0``."""
        if self.data < 0.0:
            raise ValueError(f"sqrt: expected a non-negative number, got {self.data!r}")
        return _with_const(P.POW_CONST, self, 0.5)

    def tanh(self) -> Value:
        """Hyperbolic tangent."""
        return _unary(P.TANH, self)

    def sigmoid(self) -> Value:
        """1 / (1 + e^-self), stable for any finite input."""
        return _unary(P.SIGMOID, self)

    def relu(self) -> Value:
        """max(self, 0); the derivative at 0 is 0."""
        return _unary(P.RELU, self)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """self if self > 0 else slope * self."""
        return _with_const(P.LEAKY_RELU, self, _as_float(slope, "leaky_relu"))

    def softplus(self) -> Value:
        """log(1 + e^self), stable for any finite input."""
        return _unary(P.SOFTPLUS, self)

    def sin(self) -> Value:
        """Sine (radians)."""
        return _unary(P.SIN, self)

    def cos(self) -> Value:
        """Cosine (radians)."""
        return _unary(P.COS, self)

    # -- gradients ------------------------------------------------------------------------------

    def backward(self) -> None:
        """Fill ``.grad`` of every node this one depends on with d(self)/d(node).

        The seed is 1.0. Leaves accumulate (``+=``) across calls, as in micrograd and PyTorch;
        the grads of intermediate nodes are recomputed from zero on every call, so calling
        ``backward()`` twice gives every leaf exactly twice the gradient. Iterative: graphs of
        millions of nodes work.
        """
        from autograd.backprop import backward

        backward(self)


# ----------------------------------------------------------------------------------------------
# building nodes

_new = object.__new__
_recording = grad_enabled.get  # the grad mode of this thread or task, read once per node


def _node(data: float, parents: tuple, prim: P.Primitive, arg: float | None) -> Value:
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    if _recording():
        out.parents = parents
        out._prim = prim
        out._arg = arg
    else:
        out.parents = ()
        out._prim = None
        out._arg = None
    return out


def _unary(prim: P.Primitive, x: Value) -> Value:
    return _node(prim.forward(x.data), (x,), prim, None)


def _binary(prim: P.Primitive, x: Value, y: Value) -> Value:
    return _node(prim.forward(x.data, y.data), (x, y), prim, None)


def _with_const(prim: P.Primitive, x: Value, c: float) -> Value:
    return _node(prim.forward(x.data, c), (x,), prim, c)


def _as_float(x, where: str) -> float:
    """A real number as a float; a TypeError for anything else, a ValueError past 1.8e308."""
    if type(x) is float:
        return x
    if isinstance(x, numbers.Real):
        try:
            return float(x)
        except OverflowError:  # an int or Fraction beyond the largest float
            raise ValueError(
                f"{where}: the number is too large for a float (an {type(x).__name__} of about "
                f"{_digits(x)} digits; floats end near 1.8e308)"
            ) from None
    raise TypeError(f"{where}: expected a Value or a real number, got {x!r} ({type(x).__name__})")


def _digits(x: numbers.Real) -> int:
    return len(str(abs(int(x))))


def _check_divisor(num: float, den: float) -> None:
    if den == 0.0:
        raise DivisionByZeroError(f"/: division by zero ({num!r} / {den!r})")
