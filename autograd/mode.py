"""Grad mode: whether operations record a graph. ``no_grad()`` turns recording off.

The mode is a ``contextvars.ContextVar``: each thread and each asyncio task has its own, so a
thread inside ``no_grad`` never strips the graphs another thread builds. A new thread starts
with recording on (whatever the thread that started it was doing); an asyncio task starts with
the mode of the code that created it, as every context variable does.

Used as a decorator, ``@no_grad()`` and ``@enable_grad()`` set the mode for each call of the
function. On a generator function the mode holds while the generator's body runs and is put
back at every ``yield``; on an ``async`` function it holds inside the coroutine (its task's
context) and nowhere else.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from contextvars import ContextVar
from typing import TypeVar

__all__ = ["enable_grad", "grad_enabled", "is_grad_enabled", "no_grad"]

F = TypeVar("F", bound=Callable)

# read by every operation (``autograd.value._node``): one ``ContextVar.get()`` per node
grad_enabled: ContextVar[bool] = ContextVar("stepgrad_grad_enabled", default=True)
# the modes to put back, innermost last: one stack per context, whichever instance entered
_saved: ContextVar[tuple[bool, ...]] = ContextVar("stepgrad_grad_mode_saved", default=())


def is_grad_enabled() -> bool:
    """True when operations record their parents (the default), in this thread or task.

    >>> from autograd import is_grad_enabled, no_grad
    >>> is_grad_enabled()
    True
    >>> with no_grad():
    ...     is_grad_enabled()
    False
    """
    return grad_enabled.get()


class _set_grad_mode:
    """Context manager and decorator that sets the grad mode of the current context."""

    _value: bool

    def __enter__(self):
        _saved.set((*_saved.get(), grad_enabled.get()))
        grad_enabled.set(self._value)
        return self

    def __exit__(self, *exc) -> None:
        saved = _saved.get()
        grad_enabled.set(saved[-1])
        _saved.set(saved[:-1])

    def __call__(self, fn: F) -> F:
        if not callable(fn):
            name = type(self).__name__
            raise TypeError(f"{name}(): can decorate a function, got {type(fn).__name__}")
        return _decorate(fn, self._value)  # type: ignore[return-value]


def _decorate(fn: Callable, value: bool) -> Callable:
    """``fn`` with the grad mode set to ``value`` while its body runs."""
    for is_kind, wrapper in _WRAPPERS:
        if is_kind(fn):
            return functools.wraps(fn)(wrapper(fn, value))
    return functools.wraps(fn)(_function(fn, value))


def _async_generator(fn: Callable, value: bool) -> Callable:
    """An async generator function whose body runs under ``value``, between its yields too."""

    async def async_generator(*args, **kwargs):
        agen = fn(*args, **kwargs)
        step = agen.asend(None)
        while True:
            token = grad_enabled.set(value)
            try:
                item = await step
            except StopAsyncIteration:
                return
            finally:
                grad_enabled.reset(token)
            try:
                sent = yield item
            except BaseException as error:  # GeneratorExit too: the body sees what we saw
                step = agen.athrow(error)
            else:
                step = agen.asend(sent)

    return async_generator


def _coroutine(fn: Callable, value: bool) -> Callable:
    """An async function whose body runs under ``value``."""

    async def coroutine(*args, **kwargs):
        token = grad_enabled.set(value)
        try:
            return await fn(*args, **kwargs)
        finally:
            grad_enabled.reset(token)

    return coroutine


def _generator(fn: Callable, value: bool) -> Callable:
    """A generator function whose body runs under ``value``; the caller's mode between yields."""

    def generator(*args, **kwargs):
        gen = fn(*args, **kwargs)
        step, arg = gen.send, None
        while True:
            token = grad_enabled.set(value)
            try:
                item = step(arg)
            except StopIteration as stop:
                return stop.value
            finally:
                grad_enabled.reset(token)
            try:
                sent = yield item
            except GeneratorExit:
                _close_under(gen, value)
                raise
            except BaseException as error:  # thrown in: the body sees it, under the mode
                step, arg = gen.throw, error
            else:
                step, arg = gen.send, sent

    return generator


def _close_under(gen, value: bool) -> None:
    """Close a generator with the grad mode ``value`` (its ``finally`` blocks run under it)."""
    token = grad_enabled.set(value)
    try:
        gen.close()
    finally:
        grad_enabled.reset(token)


def _function(fn: Callable, value: bool) -> Callable:
    """A plain function whose body runs under ``value``."""

    def function(*args, **kwargs):
        token = grad_enabled.set(value)
        try:
            return fn(*args, **kwargs)
        finally:
            grad_enabled.reset(token)

    return function


_WRAPPERS = (  # the first kind that matches: an async generator is not a coroutine function
    (inspect.isasyncgenfunction, _async_generator),
    (inspect.iscoroutinefunction, _coroutine),
    (inspect.isgeneratorfunction, _generator),
)


class no_grad(_set_grad_mode):
    """Context manager and decorator under which operations record no graph.

    Values computed inside are leaves: they have data but no parents, so nothing flows back
    through them. Optimizers use it for their updates; ``gradcheck`` for its finite differences.
    The mode belongs to the current thread or asyncio task only; as a decorator it also works
    on generator functions and ``async`` functions (see the module's docstring).

    >>> from autograd import Value, no_grad
    >>> x = Value(3.0)
    >>> with no_grad():
    ...     y = x * x
    >>> y.data, y.parents
    (9.0, ())
    >>> @no_grad()
    ... def squares(v, n):
    ...     for _ in range(n):
    ...         v = v * v
    ...         yield v
    >>> [len(s.parents) for s in squares(x, 2)], len((x * x).parents)
    ([0, 0], 2)
    """

    _value = False


class enable_grad(_set_grad_mode):
    """Context manager and decorator that turns recording back on, for example inside ``no_grad``.

    >>> from autograd import Value, no_grad, enable_grad
    >>> x = Value(3.0)
    >>> with no_grad(), enable_grad():
    ...     y = x * x
    >>> len(y.parents)
    2
    """

    _value = True
