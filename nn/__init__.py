"""stepgrad's neural networks, built from ``autograd.Value``."""

from __future__ import annotations

import autograd

if not getattr(autograd, "__stepgrad__", False):  # HIPS autograd overwrote or removed ours
    from autograd._guard import message

    raise ImportError(message(["autograd"]))

__all__: list[str] = []
