"""Grad mode: whether operations record a graph. ``no_grad()`` turns recording off."""

from __future__ import annotations

from contextlib import ContextDecorator


class _GradMode:
    """Process-wide switch read by every operation (not thread-local, like micrograd's globals)."""

    enabled = True


def is_grad_enabled() -> bool:
    """True when operations record their parents (the default)."""
    return _GradMode.enabled


class _set_grad_mode(ContextDecorator):
    _value: bool

    def __init__(self) -> None:
        self._saved: list[bool] = []

    def __enter__(self):
        self._saved.append(_GradMode.enabled)
        _GradMode.enabled = self._value
        return self

    def __exit__(self, *exc) -> None:
        _GradMode.enabled = self._saved.pop()


class no_grad(_set_grad_mode):
    """Context manager and decorator under which operations record no graph.

    Values computed inside are leaves: they have data but no parents, so nothing flows back
    through them. Optimizers use it for their updates; ``gradcheck`` for its finite differences.

    >>> from autograd import Value, no_grad
    >>> x = Value(3.0)
    >>> with no_grad():
    ...     y = x * x
    >>> y.data, y.parents
    (9.0, ())
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
