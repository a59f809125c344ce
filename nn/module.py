"""``Module``: what every network part shares: its parameters, their names and their values.

A module lists its parameters (the Values an optimizer changes) in a fixed order, names them
(``"layers.0.neurons.3.w.1"``), zeroes their gradients, and copies their values out to and in
from a plain ``{name: float}`` dictionary (``state_dict`` / ``load_state_dict``), which is what
``nn.save`` writes to a file.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

from autograd import Value

__all__ = ["Module", "assign_state", "named_parameters_of"]


class Module:
    """The base of ``Neuron``, ``Layer`` and ``MLP`` (and of your own modules).

    Subclasses override ``named_parameters()``; micrograd-style subclasses that only override
    ``parameters()`` work too (their parameters are then named ``"0"``, ``"1"``, ...).

    >>> from autograd import Value
    >>> class Line(Module):
    ...     def __init__(self):
    ...         self.w, self.b = Value(2.0), Value(-1.0)
    ...     def named_parameters(self):
    ...         return [("w", self.w), ("b", self.b)]
    >>> line = Line()
    >>> line.state_dict()
    {'w': 2.0, 'b': -1.0}
    >>> line.load_state_dict({"w": 0.5, "b": 0.25}); line.w.data
    0.5
    """

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``(name, Value)`` pairs for every parameter, in ``parameters()`` order."""
        if type(self).parameters is Module.parameters:
            return []  # a module with no parameters (micrograd's base returns [])
        return [(str(i), p) for i, p in enumerate(self.parameters())]

    def parameters(self) -> list[Value]:
        """Every parameter (a Value an optimizer updates), in a fixed order.

        On a module that does not override ``named_parameters()`` this is ``[]``, as
        micrograd's ``Module.parameters``: a subclass may return ``super().parameters() +
        [...]``.
        """
        if type(self).named_parameters is Module.named_parameters:
            return []  # named_parameters() would ask parameters(): a subclass's, or nothing
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to ``0.0`` (do it before each ``backward()``)."""
        for p in self.parameters():
            p.grad = 0.0

    def state_dict(self) -> dict[str, float]:
        """The parameters' values by name: ``{name: float}``, in ``parameters()`` order."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Set every parameter from ``state`` (as returned by ``state_dict()``).

        Everything is checked before anything is changed: ``state`` must name exactly this
        module's parameters and hold a finite real number for each. Otherwise a ``TypeError``
        or ``ValueError`` says what is missing, unexpected or wrong, and no parameter changes.
        """
        assign_state(self, state, "load_state_dict")

    def architecture(self) -> dict[str, Any]:
        """A JSON-ready description from which ``nn.load`` can rebuild this module.

        The base class only records the class name; ``Neuron``, ``Layer`` and ``MLP`` add
        their sizes and activations, read from their layers and neurons as they are now, and
        raise ``ValueError`` naming the part when no architecture describes them.
        """
        return {"type": type(self).__name__}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()  # {len(self.parameters())} parameters"


def named_parameters_of(field: str, children: Sequence[Module]) -> list[tuple[str, Value]]:
    """The parameters of a list of submodules, named ``{field}.{index}.{their name}``.

    >>> from nn import Neuron
    >>> [name for name, _ in named_parameters_of("neurons", [Neuron(1), Neuron(1)])]
    ['neurons.0.w.0', 'neurons.0.b', 'neurons.1.w.0', 'neurons.1.b']
    """
    return [
        (f"{field}.{i}.{name}", p)
        for i, child in enumerate(children)
        for name, p in child.named_parameters()
    ]


def assign_state(module: Module, state: Mapping[str, Any], where: str) -> None:
    """Check ``state``, then set every parameter of ``module`` from it.

    ``state`` must name exactly ``module``'s parameters and hold a finite real number for
    each; ``where`` starts the error messages (``load_state_dict`` and ``nn.load`` use this).
    Nothing changes when a check fails. One pass over ``named_parameters()``: loading takes
    time linear in the number of parameters.

    >>> from nn import Neuron
    >>> n = Neuron(1)
    >>> assign_state(n, {"w.0": 2, "b": 0.5}, "example"); n.w[0].data, n.b.data
    (2.0, 0.5)
    >>> assign_state(n, {"w.0": 2}, "example")
    Traceback (most recent call last):
    ValueError: example: the parameters do not match this Neuron (2 parameters): missing 'b'
    """
    for p, value in _checked(module, state, where):
        p.data = value


def _checked(module: Module, state: Mapping[str, Any], where: str) -> list[tuple[Value, float]]:
    if not isinstance(state, Mapping):
        raise TypeError(f"{where}: state must be a mapping of names to numbers (got {state!r})")
    pairs = module.named_parameters()
    names = [name for name, _ in pairs]
    known = set(names)  # built once: a set per lookup made loading quadratic in the size
    missing = [n for n in names if n not in state]
    unexpected = [n for n in state if n not in known]
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"missing {_some(missing)}")
        if unexpected:
            parts.append(f"unexpected {_some(unexpected)}")
        raise ValueError(
            f"{where}: the parameters do not match this {type(module).__name__} "
            f"({len(names)} parameters): {'; '.join(parts)}"
        )
    checked = []
    isfinite = math.isfinite
    for name, p in pairs:
        value = state[name]
        if type(value) is float and isfinite(value):  # the common case, checked quickly
            checked.append((p, value))
            continue
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{where}: {name} must be a real number (got {value!r})")
        try:
            value = float(value)
        except OverflowError:
            value = math.inf
        if not math.isfinite(value):
            raise ValueError(f"{where}: {name} must be finite (got {value!r})")
        checked.append((p, value))
    return checked


def _some(names: list[str], shown: int = 3) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(repr(n) for n in names[:shown]) + more
