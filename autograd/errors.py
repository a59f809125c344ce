"""Exceptions of stepgrad's own. Bad input raises the built-in TypeError or ValueError."""

from __future__ import annotations


class GradcheckError(AssertionError):
    """An analytic gradient disagrees with finite differences (raised by ``gradcheck``).

    A subclass of ``AssertionError``, so a failed check reads as a failed test in pytest.
    ``mismatches`` holds one row per disagreeing entry (see ``autograd.checking.Mismatch``).
    """

    def __init__(self, message: str, mismatches: list | None = None) -> None:
        super().__init__(message)
        self.mismatches = list(mismatches or [])
