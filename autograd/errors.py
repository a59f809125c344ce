"""Exceptions of stepgrad's own. Bad input raises the built-in TypeError or ValueError.

``DivisionByZeroError`` is both: a ``ValueError`` (a value outside the domain of ``/``) and a
``ZeroDivisionError``, so code written for micrograd (``except ZeroDivisionError``) still works.
"""

from __future__ import annotations


class GradcheckError(AssertionError):
    """An analytic gradient disagrees with finite differences (raised by ``gradcheck``).

    A subclass of ``AssertionError``, so a failed check reads as a failed test in pytest.
    ``mismatches`` holds one row per disagreeing entry (see ``autograd.checking.Mismatch``).
    """

    def __init__(self, message: str, mismatches: list | None = None) -> None:
        super().__init__(message)
        self.mismatches = list(mismatches or [])


class DivisionByZeroError(ValueError, ZeroDivisionError):
    """Division by zero, or 0 raised to a negative power (which divides by zero).

    Both a ``ValueError`` and a ``ZeroDivisionError``: catch whichever you are used to.

    >>> from autograd import Value, DivisionByZeroError
    >>> try:
    ...     Value(1.0) / 0
    ... except ZeroDivisionError as error:
    ...     print(error)
    /: division by zero (1.0 / 0.0)
    >>> issubclass(DivisionByZeroError, ValueError)
    True
    """
