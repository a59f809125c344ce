"""``define_op``: add an operation with its derivatives in one definition.

An op is its forward value on floats and one local-derivative rule per input. Registered once,
it is a primitive like stepgrad's own ``tanh`` or ``sin``: ``backward()``, ``grad()`` (also
``create_graph=True`` for second and higher derivatives), ``gradcheck``, ``draw_dot`` and the
steppers know it by its name. stepgrad defines its own ``exp``, ``tanh``, ``softplus``, ``abs``,
``sin`` and ``cos`` the same way (``autograd.primitives``).
"""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Callable

from autograd import primitives as P
from autograd.value import Scalar, Value, _as_float, _node

__all__ = ["define_op", "defined_op"]


def define_op(
    name: str,
    forward: Callable[..., float],
    *rules: Callable,
    domain: Callable[..., bool] | None = None,
    expects: str | None = None,
    jvp: Callable | None = None,
) -> Callable[..., Value]:
    """Define an op from its forward on floats and one local-derivative rule per input.

    Args:
        name: how the op is shown (``draw_dot``, steppers, ``Value.op``).
        forward: the op on floats: ``forward(x, y, ...) -> float``.
        *rules: one per input, in input order: ``rule(x, y, ..., out)`` returns d(out)/d(that
            input). Write it with ``+ - * / **`` (they work on floats and on Values alike), so
            ``grad(..., create_graph=True)`` can differentiate it again. A function that
            has no operator needs both spellings: ``math.cos(x) if type(x) is float else
            x.cos()``. What a rule returns must be a real number (an int or a numpy float
            becomes a float; under ``create_graph=True`` also a Value): anything else, such
            as a Value on floats, a complex number or an array, is a TypeError naming the
            op and the rule, and no ``.grad`` is changed.
        domain: optional ``domain(x, y, ...) -> bool`` on floats; False raises a ValueError
            naming the op, ``expects`` and the inputs (nan inputs pass: nan propagates).
        expects: what the domain accepts, for that message (``"a positive number"``).
        jvp: optional forward-mode rule ``jvp(t, out, x, y, ...)``, where ``t`` holds one
            tangent per input (None for an input without one) and the result is the output's
            tangent. Without it, forward mode (``autograd.jvp``) uses ``t_1 * rule_1(...) +
            t_2 * rule_2(...) + ...``, which is right for every op; give one only when it is
            cheaper or rounds better. Its result is checked like a rule's.

    Returns a function of Values (or real numbers, which become leaves) that builds the node;
    assign it to a class to make it a method. It carries its definition as ``.primitive``
    (the registered rule), ``.arity`` and ``.domain``. Defining a name again replaces the
    earlier op; stepgrad's own names (``tanh``, ``+``, ``-``, ``neg``, ``add_all``, ...) are
    refused (ValueError), and so are a ``forward`` and rules that cannot take as many
    arguments as there are rules (plus ``out`` for a rule; TypeError).

    The same definition property-tests it: ``autograd.testing.expressions(ops=[cube, "+",
    "*"])`` (or ``ops=["cube"]``) draws it inside random graphs for ``gradcheck``.

    >>> from autograd import Value, define_op, grad, gradcheck
    >>> cube = define_op("cube", lambda x: x**3, lambda x, out: 3 * x**2)
    >>> x = Value(2.0)
    >>> y = cube(x)
    >>> y.op, y.data
    ('cube', 8.0)
    >>> (dy,) = grad(y, [x], create_graph=True)
    >>> dy.data, grad(dy, [x])
    (12.0, [12.0])
    >>> gradcheck(cube, [0.7])
    True
    >>> from autograd import jvp
    >>> jvp(cube, [2.0], [0.5])[1]  # forward mode from the same rule: 0.5 * 3 * 2**2
    6.0
    """
    checked = [
        _checked_rule(name, i, rule) if callable(rule) else rule for i, rule in enumerate(rules)
    ]
    if callable(jvp):
        jvp = _checked_jvp(name, jvp)
    prim = P.define(name, forward, *checked, domain=domain, expects=expects, jvp=jvp)
    arity = len(rules)

    def op(*inputs) -> Value:
        if len(inputs) != arity:
            raise TypeError(f"{name}: expected {arity} inputs, got {len(inputs)}")
        xs = tuple(x if isinstance(x, Value) else Value(_as_float(x, name)) for x in inputs)
        out = prim.forward(*[x._data for x in xs])
        return _node(_as_float(out, name), xs, prim, None)

    op.__name__ = op.__qualname__ = name if name.isidentifier() else "op"
    op.__doc__ = f"The op {name!r} (made with define_op): {arity} input(s), one Value out."
    op.primitive = prim  # type: ignore[attr-defined]
    op.arity = arity  # type: ignore[attr-defined]
    op.domain = domain  # type: ignore[attr-defined]
    _DEFINED[name] = op
    return op


def _checked_rule(name: str, i: int, rule: Callable) -> Callable:
    """``rule``, checked like a forward: what it returns is a float (or, on Values, a Value).

    A real number of another type (an int, a numpy float) becomes a float; anything else (a
    Value on floats, a complex number, an array) is a TypeError naming the op and the rule,
    raised before anything reaches a ``.grad``.
    """

    def checked(*args):
        d = rule(*args)
        if type(d) is float:
            return d
        return _result(d, f"{name}: the derivative rule for input {i + 1} (rules[{i}])", args[-1])

    checked.__signature__ = _signature(rule)  # type: ignore[attr-defined]
    return checked


def _signature(rule: Callable):
    """``rule``'s signature, for ``define``'s check of how many arguments it takes."""
    try:
        return inspect.signature(rule)
    except ValueError:  # a built-in without one: any arguments
        return inspect.Signature([inspect.Parameter("args", inspect.Parameter.VAR_POSITIONAL)])


def _checked_jvp(name: str, jvp: Callable) -> Callable:
    """A forward-mode rule of your own, checked like the derivative rules."""

    def checked(t, out, *xs):
        d = jvp(t, out, *xs)
        return d if type(d) is float else _result(d, f"{name}: the jvp", out)

    return checked


def _result(d: object, where: str, out: object) -> Scalar:
    """The float (or, when ``out`` is a Value, the Value) that ``d``, from ``where``, stands for."""
    if isinstance(d, Value):
        if isinstance(out, Value):
            return d
        problem = "a Value (on floats a rule must return a real number)"
    elif isinstance(d, numbers.Real):  # an int, a numpy float, a Fraction: its float
        return _as_float(d, where)
    else:
        problem = f"{d!r} ({type(d).__name__}), not a real number"
    raise TypeError(f"{where} returned {problem}")


_DEFINED: dict[str, Callable[..., Value]] = {}  # the functions define_op returned, by name


def defined_op(name: str) -> Callable[..., Value] | None:
    """The function ``define_op`` returned for ``name``, if that op is still the registered one.

    >>> from autograd import define_op
    >>> twice = define_op("twice", lambda x: 2 * x, lambda x, out: 2.0)
    >>> defined_op("twice") is twice, defined_op("tanh")
    (True, None)
    """
    op = _DEFINED.get(name)
    current = op is not None and P.REGISTRY.get(name) is getattr(op, "primitive", None)
    return op if current else None
