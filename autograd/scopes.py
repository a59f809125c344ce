"""Scopes: which nodes were made inside which call (a neuron, a layer), for drawing clusters.

Decorate a function or method with ``@scope()`` (networks decorate their ``__call__``). Inside
a ``with record_scopes() as scopes:`` block, every call of a decorated function is recorded:
its name, its Value inputs and outputs, and the call it happened inside. ``draw_dot(root,
scopes=scopes)`` then draws the nodes of each call as a cluster, nested like the calls.

Nothing is stored on the nodes (``Value`` has no slot for it, and costs no memory for it). A
node belongs to a call when it can be reached from the call's outputs without passing through
the call's inputs; leaves found that way (a neuron's weights and bias) go to the innermost call
that uses them, or to the smallest call around all their uses when several calls share them.
Outside ``record_scopes`` a decorated function costs one extra Python call and one check.

Recording is per thread and per asyncio task (a ``contextvars.ContextVar``, like the grad
mode): calls made by another thread never land in your recording. A task created inside the
``with`` block inherits the recording, as it inherits every context variable.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable
from contextvars import ContextVar
from typing import NamedTuple, TypeVar

from autograd.value import Value

__all__ = ["Scope", "ScopeRecording", "is_recording", "record_scopes", "scope"]

F = TypeVar("F", bound=Callable)

# recordings in progress in this thread or task, innermost last
_recordings: ContextVar[tuple[ScopeRecording, ...]] = ContextVar("stepgrad_scopes", default=())


class Scope(NamedTuple):
    """One recorded call: its name, the call it ran inside, its Value inputs and outputs."""

    name: str
    parent: int | None
    inputs: tuple[Value, ...]
    outputs: tuple[Value, ...]


class ScopeRecording:
    """The calls of ``@scope``-decorated functions made inside a ``record_scopes()`` block.

    ``scopes`` lists them in the order they started (an outer call before the calls inside
    it); ``Scope.parent`` is the index of the enclosing call, or None.
    """

    def __init__(self) -> None:
        self.scopes: list[Scope | None] = []
        self._open: list[int] = []

    def __enter__(self) -> ScopeRecording:
        _recordings.set((*_recordings.get(), self))
        return self

    def __exit__(self, *exc) -> None:
        active = list(_recordings.get())
        active.reverse()  # the innermost entry of this recording is the one that ends
        active.remove(self)
        active.reverse()
        _recordings.set(tuple(active))

    def __len__(self) -> int:
        return len(self.scopes)

    def __repr__(self) -> str:
        return f"<ScopeRecording of {len(self.scopes)} calls>"

    def _call(self, name: str, fn: Callable, args: tuple, kwargs: dict):
        index = len(self.scopes)
        parent = self._open[-1] if self._open else None
        self.scopes.append(None)  # reserve the index: calls are numbered in starting order
        self._open.append(index)
        out = None
        try:
            out = fn(*args, **kwargs)
            return out
        finally:
            self._open.pop()
            inputs = (*_values_in(args), *_values_in(kwargs.values()))
            self.scopes[index] = Scope(name, parent, inputs, tuple(_values_in([out])))

    def owners(self, nodes: Collection[Value]) -> dict[Value, int]:
        """Map each of ``nodes`` that belongs to a recorded call to that call's index.

        >>> from autograd import Value, record_scopes, scope
        >>> @scope("double")
        ... def double(x):
        ...     return x * 2
        >>> x = Value(1.0)
        >>> with record_scopes() as scopes:
        ...     y = double(x) + 1
        >>> owners = scopes.owners([x, y, y.parents[0]])
        >>> owners.get(x), owners.get(y), owners.get(y.parents[0])
        (None, None, 0)
        """
        nodes = nodes if isinstance(nodes, set | dict) else set(nodes)
        owner: dict[Value, int] = {}
        leaf_users: dict[Value, list[int]] = {}
        for index in reversed(range(len(self.scopes))):  # inner calls before the outer ones
            record = self.scopes[index]
            if record is None:  # still running
                continue
            stop = set(record.inputs)
            stack = [v for v in record.outputs if v in nodes and v not in stop]
            seen = set(stack)
            while stack:
                v = stack.pop()
                if not v.parents:
                    leaf_users.setdefault(v, []).append(index)
                    continue
                owner.setdefault(v, index)
                for p in v.parents:
                    if p not in seen and p not in stop:
                        seen.add(p)
                        stack.append(p)
        for leaf, users in leaf_users.items():
            home = self._common_scope(users)
            if home is not None:
                owner[leaf] = home
        return owner

    def ancestors(self, index: int) -> list[int]:
        """``index`` and the indices of the calls around it, innermost first."""
        chain = []
        at: int | None = index
        while at is not None:
            chain.append(at)
            record = self.scopes[at]
            at = record.parent if record is not None else None
        return chain

    def _common_scope(self, users: list[int]) -> int | None:
        """The innermost call around every innermost user of a leaf (None: no common call)."""
        chains = {u: self.ancestors(u) for u in users}
        outer = {a for chain in chains.values() for a in chain[1:]}
        innermost = [u for u in users if u not in outer]
        first, others = chains[innermost[0]], [set(chains[u]) for u in innermost[1:]]
        return next((a for a in first if all(a in o for o in others)), None)


def record_scopes() -> ScopeRecording:
    """Record the calls of ``@scope`` functions made inside a ``with`` block, for ``draw_dot``.

    The recording keeps the inputs and outputs of every call (and so their graphs) alive as
    long as you keep it: wrap the one forward pass you want to draw, not a training loop.

    >>> from autograd import Value, record_scopes, scope
    >>> @scope()
    ... def square(x):
    ...     return x * x
    >>> with record_scopes() as scopes:
    ...     y = square(Value(3.0))
    >>> [s.name for s in scopes.scopes]
    ['square']
    """
    return ScopeRecording()


def is_recording() -> bool:
    """True inside a ``record_scopes()`` block of this thread or task (one context read).

    Code that calls many decorated functions can check it once and, when it is False, call
    their undecorated bodies (``nn.Layer`` does so for its neurons).

    >>> from autograd import record_scopes
    >>> is_recording()
    False
    >>> with record_scopes():
    ...     is_recording()
    True
    """
    return bool(_recordings.get())


def scope(name: str | Callable | None = None) -> Callable[[F], F]:
    """Decorator: record calls of this function or method as a named scope (a drawn cluster).

    ``name`` defaults to the class name of ``self`` for methods (``Neuron``, ``Layer``) and
    to the function's name otherwise (a lambda's is where it was written: ``lambda in build,
    line 12``). ``@scope`` without parentheses works too. Any name draws, as the text it is
    (never as a Graphviz HTML label; control characters show as escapes).

    >>> from autograd import Value, draw_dot, record_scopes, scope
    >>> class Neuron:
    ...     def __init__(self):
    ...         self.w, self.b = Value(0.5, label="w"), Value(0.1, label="b")
    ...     @scope()
    ...     def __call__(self, x):
    ...         return (self.w * x + self.b).tanh()
    >>> with record_scopes() as scopes:
    ...     y = Neuron()(Value(2.0, label="x"))
    >>> 'label=Neuron' in draw_dot(y, scopes=scopes).source
    True
    """
    if callable(name):  # used as @scope
        return scope(None)(name)
    if name is not None and not isinstance(name, str):
        raise TypeError(f"scope: name must be a str or None (got {type(name).__name__})")

    def decorate(fn: F) -> F:
        is_method = fn.__qualname__.split(".")[-2:-1] not in ([], ["<locals>"])
        own_name = _function_name(fn)

        @functools.wraps(fn)
        def recorded(*args, **kwargs):
            active = _recordings.get()
            if not active:
                return fn(*args, **kwargs)
            label = name or (type(args[0]).__name__ if is_method and args else own_name)
            return active[-1]._call(label, fn, args, kwargs)

        return recorded  # type: ignore[return-value]

    return decorate


def _function_name(fn: Callable) -> str:
    """A function's name for its scope; a lambda is named after where it was written.

    >>> def build():
    ...     return lambda x: x
    >>> _function_name(build()).startswith("lambda in build, line ")
    True
    """
    name = getattr(fn, "__name__", type(fn).__name__)
    if name != "<lambda>":
        return name
    around = [p for p in fn.__qualname__.split(".")[:-1] if p != "<locals>"]
    where = ".".join(around) or fn.__module__ or "a module"
    line = getattr(getattr(fn, "__code__", None), "co_firstlineno", None)
    return f"lambda in {where}" + (f", line {line}" if line else "")


def _values_in(items: Iterable) -> list[Value]:
    """The Values among ``items``, looking inside lists and tuples."""
    found = []
    stack = list(items)[::-1]
    while stack:
        x = stack.pop()
        if isinstance(x, Value):
            found.append(x)
        elif isinstance(x, list | tuple):
            stack.extend(reversed(x))
    return found
