"""``Value``: one float, the operation that made it, and its gradient.

Every operator builds a new node whose ``parents`` are the Values it was computed from, in
operand order. A Python number on the other side of an operator is not a node: it is kept as
a constant of the operation (``x * 2`` has one parent, ``x``). Nodes hold no closures and no
reference to their children, so a graph is freed by reference counting alone.
"""

from __future__ import annotations

import functools
import numbers
import operator
from collections.abc import Callable, Iterable
from typing import TypeAlias, cast

from autograd import primitives as P
from autograd.mode import grad_enabled

__all__ = ["Scalar", "Value", "relu_all"]

# what derivative rules compute with: floats, or Values when differentiating again
Scalar: TypeAlias = "float | Value"


class Value:
    """A scalar node in a computation graph.

    Attributes:
        data: the float this node holds (assignable: optimizers update it). Any real
            number given to ``Value(x)`` or assigned to ``.data`` (numpy scalars, ints,
            ``Fraction``, float subclasses) is stored as the float it equals, so a type never
            changes a result; a bool, a str or a Value is a TypeError (``Value(v)``: use ``v``
            itself, or ``Value(v.data)`` for a new leaf with its number).
        grad: d(root)/d(this node) after ``root.backward()``; starts at ``0.0``.
        label: a name shown when drawing (``""`` by default).
        parents: the Values this one was computed from, in operand order (``()`` for leaves).
        op: the operation's name, ``""`` for leaves (read only).
        Any other name: your own, as on micrograd's Values (``v.color = "red"``); the engine
            never reads them.
        _prev, _op, _backward: micrograd's internals, as views computed from ``parents`` and
            the rule table (see ``_backward`` for nodes made micrograd's way).

    ``Value(data, _children, _op, label)`` is micrograd's constructor too: with children it
    makes a node of your own, whose ``_backward`` you assign. Subclasses of Value work in
    every operator and function; what they compute is a plain ``Value``.

    ``x / y`` (and ``x / 2``, ``2 / x``) is one node whose value is Python's own float
    division, rounded once: ``(x / x).data`` is 1.0 also at 1e-320, where micrograd's
    ``x * x**-1`` overflows (micrograd raises OverflowError there).

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

    # __dict__: Values take new attributes (``v.color = "red"``), as micrograd's do; it costs
    # 32 bytes per node on CPython 3.11 (the dict itself is only made on the first attribute)
    __slots__ = ("__dict__", "_arg", "_data", "_prim", "grad", "label", "parents")

    def __init__(self, data: float, _children: tuple = (), _op: str = "", label: str = "") -> None:
        self._data = data if type(data) is float else _entering(data, "Value()", "Value(): data")
        if not isinstance(label, str):
            raise TypeError(f"Value(): label must be a str (got {type(label).__name__})")
        self.grad = 0.0
        self.label = label
        self.parents: tuple[Value, ...] = ()
        self._prim: P.Primitive | None = None
        # the rule's constant (a float, affine's inputs as a tuple), or a node's own rule
        self._arg: float | tuple[float, ...] | _CustomRule | None = None
        if _children != () or _op != "":  # micrograd's Value(t, (self,), 'tanh')
            _make_custom(self, _children, _op)

    def _set_data(self, x: float) -> None:
        self._data = x if type(x) is float else _entering(x, ".data", ".data")

    # read at the speed of a slot (a C getter; the engine reads ``_data`` itself), converted
    # where it is written: numpy scalars, ints and Fractions become floats, bools are refused
    data = property(
        operator.attrgetter("_data"),
        _set_data,
        doc="The float this node holds; any real number assigned is stored as a float.",
    )

    @property
    def op(self) -> str:
        """The name of the operation that produced this node (``""`` for a leaf)."""
        return "" if self._prim is None else self._prim.name

    # -- micrograd's internals, as views (for its notebooks and Karpathy's lecture) ---------------

    @property
    def _prev(self) -> set[Value]:
        """micrograd's ``_prev``: the set of this node's parents (``parents`` keeps their order)."""
        return set(self.parents)

    @property
    def _op(self) -> str:
        """micrograd's spelling of ``op``: ``'+'``, ``'*'``, ``'**2'``, ``'ReLU'``, ``'tanh'``...

        Ops micrograd does not have keep stepgrad's name (``'sigmoid'``, ``'sum'``, ...), and
        so does division: ``x / y`` is one ``'/'`` node here, where micrograd builds
        ``x * y**-1`` (a ``'*'`` node over a ``'**-1'`` node).
        """
        prim = self._prim
        if prim is P.POW_CONST:
            c = cast(float, self._arg)  # POW_CONST's constant: the exponent
            return f"**{int(c) if c.is_integer() else c}"
        if prim is P.RELU:
            return "ReLU"
        return "" if prim is None else prim.name

    @property
    def _backward(self) -> Callable[[], None]:
        """micrograd's ``_backward()``: add this node's contributions to its parents' ``.grad``.

        The contributions are computed from this node's own ``.grad`` and the rule table,
        exactly as ``backward()`` computes them; on a leaf it does nothing. Calling it node by
        node in reverse topological order (Karpathy's lecture) gives ``backward()``'s grads.

        Assigning a function makes this a node of your own, micrograd's way: ``out =
        Value(t, (x,), 'tanh')`` then ``out._backward = fn``, where ``fn`` adds to the
        parents' ``.grad`` from ``out.grad``. ``backward()``, ``grad()``, ``backward_steps``
        and ``draw_dot`` handle it (first derivatives only: ``fn`` works on floats). If ``fn``
        raises, ``backward()`` puts every ``.grad`` back as it was before raising it.

        micrograd calls every node's ``_backward``, leaves included; here ``backward()``
        calls the rules of nodes with parents only, so assigning a function to a node
        without parents (``Value(t)`` with its children forgotten) is a ValueError rather
        than a function that is never called. Under ``no_grad`` (where ``Value(t, (x,),
        'tanh')`` makes a leaf, as every op does) the assignment is accepted and unused.

        >>> x = Value(0.5)
        >>> t = x.data ** 2
        >>> out = Value(t, (x,), "square")
        >>> def _backward():
        ...     x.grad += 2 * x.data * out.grad
        >>> out._backward = _backward
        >>> (out * 3).backward()
        >>> out.op, x.grad
        ('square', 3.0)
        """
        rule = self._arg
        if type(rule) is _CustomRule:
            return rule.fn or _nothing
        return functools.partial(_propagate, self)

    @_backward.setter
    def _backward(self, fn: Callable[[], None]) -> None:
        if not callable(fn):
            raise TypeError(f"_backward: expected a function, got {type(fn).__name__}")
        if not self.parents:
            if not _recording():  # built under no_grad: a constant, its function unused
                return
            raise ValueError(
                f"_backward: {self!r} has no parents, so backward() would never call this "
                "function; make the node with its inputs, as in Value(t, (x,), 'tanh'), "
                "then assign _backward"
            )
        if type(self._arg) is not _CustomRule:  # a built-in node becomes one of your own
            # a node with parents always has a primitive
            self._prim = _custom_primitive(cast(P.Primitive, self._prim).name)
            self._arg = _CustomRule(self)
        self._arg.fn = fn

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
        if type(other) is Value or isinstance(other, Value):
            return _binary(P.ADD, self, other)
        return _with_const(P.ADD_CONST, self, _as_float(other, "+"))

    def __radd__(self, other) -> Value:  # other + self
        if type(other) is not float and isinstance(other, Value):  # from a subclass
            return _binary(P.ADD, other, self)
        return _with_const(P.ADD_CONST, self, _as_float(other, "+"))

    def __mul__(self, other) -> Value:
        if type(other) is Value or isinstance(other, Value):
            return _binary(P.MUL, self, other)
        return _with_const(P.MUL_CONST, self, _as_float(other, "*"))

    def __rmul__(self, other) -> Value:  # other * self
        if type(other) is not float and isinstance(other, Value):  # from a subclass
            return _binary(P.MUL, other, self)
        return _with_const(P.MUL_CONST, self, _as_float(other, "*"))

    def __pow__(self, other) -> Value:
        if type(other) is Value or isinstance(other, Value):
            return _binary(P.POW, self, other)
        return _with_const(P.POW_CONST, self, _as_float(other, "**"))

    def __rpow__(self, other) -> Value:  # other ** self
        if type(other) is not float and isinstance(other, Value):  # from a subclass
            return _binary(P.POW, other, self)
        return _with_const(P.RPOW_CONST, self, _as_float(other, "**"))

    def __neg__(self) -> Value:  # -self
        return _with_const(P.MUL_CONST, self, -1.0)

    def __sub__(self, other) -> Value:  # self - other
        if type(other) is Value or isinstance(other, Value):
            return self + (-other)
        return _with_const(P.ADD_CONST, self, -_as_float(other, "-"))

    def __rsub__(self, other) -> Value:  # other - self
        if type(other) is not float and isinstance(other, Value):  # from a subclass
            return other + (-self)
        return (-self) + _as_float(other, "-")

    def __truediv__(self, other) -> Value:  # self / other, one node: exactly Python's float /
        if type(other) is Value or isinstance(other, Value):
            return _binary(P.DIV, self, other)
        return _with_const(P.DIV_CONST, self, _as_float(other, "/"))

    def __rtruediv__(self, other) -> Value:  # other / self
        if type(other) is not float and isinstance(other, Value):  # from a subclass
            return _binary(P.DIV, other, self)
        return _with_const(P.RDIV_CONST, self, _as_float(other, "/"))

    def __abs__(self) -> Value:
        return _unary(P.ABS, self)

    def _unchecked_pow(self, y) -> Value:
        """self ** y without the domain check (0 ** -0.5 is inf here): pow's rule at 0."""
        if type(y) is float:
            return _node(P.ieee_pow(self.data, y), (self,), P.POW_CONST, y)
        return _node(P.ieee_pow(self.data, y.data), (self, y), P.POW, None)

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
        return _node(_relu_forward(self._data), (self,), P.RELU, None)  # _unary, a call less

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """self if self > 0 else slope * self."""
        return _with_const(P.LEAKY_RELU, self, _as_float(slope, "leaky_relu"))

    def softplus(self) -> Value:
        """log(1 + e^self), stable for any finite input."""
        return _unary(P.SOFTPLUS, self)

    def sin(self) -> Value:
        """Sine (radians)."""
        return _unary(P.SIN, self)

    def tan(self) -> Value:
        """Tangent (radians); nan at ±inf, as ``sin`` and ``cos``."""
        return _unary(P.TAN, self)

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

        A node whose incoming gradient is exactly 0 (an inactive ReLU's input, say) adds only
        zeros to its parents; its rule is skipped wherever that cannot change a single bit of
        any gradient (nan from ``0 * inf`` and the sign of a zero included), which is most of
        the work in a trained ReLU network.
        """
        from autograd.backprop import backward

        backward(self)


# ----------------------------------------------------------------------------------------------
# building nodes

_new = object.__new__
_relu_forward = P.RELU.forward
_recording = grad_enabled.get  # the grad mode of this thread or task, read once per node


def _node(
    data: float,
    parents: tuple,
    prim: P.Primitive,
    arg: float | tuple[float, ...] | None,
    recording: bool | None = None,
) -> Value:
    """A new node: the one place that knows a node's slots (kept only while recording).

    ``recording`` is the grad mode, read here when not given (a loop making many nodes,
    ``relu_all`` or ``fused.affine_rows_batch``, reads it once and passes it).
    """
    out = _new(Value)
    out._data = data
    out.grad = 0.0
    out.label = ""
    if recording if recording is not None else _recording():
        out.parents = parents
        out._prim = prim
        out._arg = arg
    else:
        out.parents = ()
        out._prim = None
        out._arg = None
    return out


def relu_all(values: Iterable[Value]) -> list[Value]:
    """``[v.relu() for v in values]``: the same nodes, made in one loop (a layer's activations).

    A subclass of Value goes through its own ``relu()``; anything that is not a Value is a
    ``TypeError`` (``[0.5]``: make ``Value(0.5)`` first).

    >>> [y.data for y in relu_all([Value(-1.0), Value(2.0)])]
    [0.0, 2.0]
    """
    recording = _recording()
    relu, forward = P.RELU, _relu_forward
    out = []
    for i, x in enumerate(values):
        if type(x) is not Value:
            out.append(_relu_of_other(x, i))
            continue
        out.append(_node(forward(x._data), (x,), relu, None, recording))
    return out


def _relu_of_other(x: object, i: int) -> Value:
    """``x.relu()`` for a subclass of Value; anything else is a TypeError naming it."""
    if not isinstance(x, Value):
        raise TypeError(
            f"relu_all: values must be Values (got {type(x).__name__} {x!r} at index {i})"
        )
    return x.relu()


def _unary(prim: P.Primitive, x: Value) -> Value:
    return _node(prim.forward(x._data), (x,), prim, None)


def _binary(prim: P.Primitive, x: Value, y: Value) -> Value:
    return _node(prim.forward(x._data, y._data), (x, y), prim, None)


def _with_const(prim: P.Primitive, x: Value, c: float) -> Value:
    return _node(prim.forward(x._data, c), (x,), prim, c)


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


def _entering(x: object, where: str, what: str) -> float:
    """A number entering a Value (``Value(x)``, ``v.data = x``) as a float; bools are refused.

    Any ``numbers.Real`` (numpy scalars, ints, ``Fraction``, float subclasses) becomes the
    float it equals, so its type never changes a result.
    """
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        shown = "a Value: use it as it is to stay in its graph, or Value(v.data) for a new leaf"
        got = shown if isinstance(x, Value) else f"{x!r}, a {type(x).__name__}"
        raise TypeError(f"{what} must be a real number (got {got})")
    return _as_float(x, where)


def _digits(x: numbers.Real) -> int:
    # numbers.Real declares no __int__; what overflows float() here (int, Fraction) has one
    return len(str(abs(int(x))))  # type: ignore[call-overload]


# ----------------------------------------------------------------------------------------------
# nodes of your own, micrograd's way: Value(t, (x,), 'tanh') then out._backward = fn


class _CustomRule:
    """The ``_arg`` of a node with a ``_backward`` function of its own (no new slot on Value).

    It holds the node (the function reads ``out.grad`` and writes its parents' ``.grad``): a
    reference cycle, like the one micrograd's closure makes through ``out`` anyway.
    """

    __slots__ = ("fn", "node")
    alive = 0  # how many exist: backward() guards against their errors only while any do

    def __init__(self, node: Value) -> None:
        self.node = node
        self.fn: Callable[[], None] | None = None  # micrograd's default _backward does nothing
        _CustomRule.alive += 1

    def __del__(self) -> None:
        _CustomRule.alive -= 1

    def contributions(self, g: float) -> tuple[float, ...]:
        """Run ``fn`` with ``out.grad = g`` and the parents' grads at 0, read what it added.

        Every grad it touched is put back, so callers add the result themselves (the walk
        adds ``before + contribution``, bit for bit what ``fn``'s own ``+=`` gives). A parent
        that appears twice gets everything at its first position.
        """
        node, parents = self.node, self.node.parents
        if self.fn is None:
            return (0.0,) * len(parents)
        unique = list(dict.fromkeys(parents))
        saved, saved_out = [p.grad for p in unique], node.grad
        for p in unique:
            p.grad = 0.0
        node.grad = g
        try:
            self.fn()
            added = {p: p.grad for p in unique}
        finally:
            node.grad = saved_out
            for p, before in zip(unique, saved):
                p.grad = before
        return tuple(added.pop(p, 0.0) for p in parents)


def _custom_vjp(g, out, *xs_and_rule):
    rule = xs_and_rule[-1]
    if isinstance(out, Value):  # grad(..., create_graph=True) runs rules on Values
        raise TypeError(
            f"grad(create_graph=True): {out!r} (op {out.op!r}) was made micrograd's way, with a "
            "_backward function that works on floats, so its derivative has no graph to "
            "differentiate again; first derivatives (backward(), grad()) work"
        )
    return rule.contributions(g)


@functools.cache
def _custom_primitive(name: str) -> P.Primitive:
    def forward(*xs):
        raise TypeError(f"{name}: a node made with Value(data, _children, _op) has no forward")

    return P.Primitive(name, forward, _custom_vjp)


def _make_custom(node: Value, children, op: str) -> None:
    if not isinstance(children, tuple | list | set | frozenset):
        raise TypeError(
            f"Value(): _children must be a tuple of Values (got {type(children).__name__}); "
            "pass a label by keyword: Value(x, label='a')"
        )
    for i, c in enumerate(children):
        if not isinstance(c, Value):
            raise TypeError(f"Value(): _children[{i}] must be a Value (got {type(c).__name__})")
    if not isinstance(op, str):
        raise TypeError(f"Value(): _op must be a str (got {type(op).__name__})")
    if not children and op == "":
        return
    if not children:
        raise ValueError(f"Value(): _op {op!r} needs _children (the Values it was computed from)")
    if not _recording():  # under no_grad: a leaf, like every other op
        return
    node.parents = tuple(children)
    node._prim = _custom_primitive(op)
    node._arg = _CustomRule(node)


def _nothing() -> None:
    """micrograd's default ``_backward``: a leaf passes nothing on."""


def _propagate(node: Value) -> None:
    from autograd.backprop import contributions

    if node.parents:
        for p, d in zip(node.parents, contributions(node, node.grad)):
            p.grad += d
