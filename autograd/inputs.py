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

__all__ = ["real_number"]


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
