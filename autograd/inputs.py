"""Checks on numbers that users hand in, shared by ``autograd`` and ``nn``.

>>> real_number(3, "lr")
3.0
>>> real_number("3", "lr")
Traceback (most recent call last):
...
TypeError: lr must be a real number (got '3')
"""

from __future__ import annotations

import math
import numbers
import warnings

__all__ = ["real_number", "renamed_keyword"]


def real_number(x: object, what: str) -> float:
    """``x`` as a float: a TypeError unless it is a real number (bools are not), nan a ValueError.

    ``what`` names the input in the message (``"mse: targets[2]"``).
    """
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{what} must be a real number (got {x!r})")
    value = float(x)
    if math.isnan(value):
        raise ValueError(f"{what} is nan")
    return value


def renamed_keyword(new, old, where: str, names: tuple[str, str], *, unset=None, stacklevel=3):
    """``new``, or the same value given under its old keyword (a DeprecationWarning).

    ``names`` is ``(new name, old name)``; ``old`` is None when the old keyword was not used,
    ``new`` is ``unset`` when the new one was not. Both given is a TypeError naming ``where``.
    ``stacklevel`` points the warning at the user's call (3: the caller of the caller).
    """
    if old is None:
        return new
    name, old_name = names
    if new is not unset:
        raise TypeError(f"{where}: give {name} only ({old_name} is its old name)")
    warnings.warn(
        f"{where}: {old_name}= is now called {name}=", DeprecationWarning, stacklevel=stacklevel
    )
    return old
