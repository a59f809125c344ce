"""stepgrad's neural networks, built from ``autograd.Value``."""

from __future__ import annotations

import autograd

if not getattr(autograd, "__stepgrad__", False):
    # HIPS autograd (PyPI 'autograd') overwrote or removed stepgrad's autograd package; the
    # message cannot come from autograd._guard, which may be gone too.
    raise ImportError(
        "stepgrad's `nn` needs stepgrad's `autograd`, but the `autograd` package found at "
        f"{getattr(autograd, '__path__', ['?'])[0]} is a different one: the PyPI package "
        "'autograd' (HIPS autograd) overwrote or removed it. Use a separate virtual "
        "environment, or run `pip uninstall autograd stepgrad` and then reinstall stepgrad."
    )

__all__: list[str] = []
