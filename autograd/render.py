"""The old path of ``autograd.draw.render``, kept for code that imports it from here.

It names exactly what ``autograd.draw.render`` names (one list: the module's own).

>>> from autograd.render import StepgradDigraph, set_renderer
"""

from autograd.draw import render as _render
from autograd.draw.render import *  # noqa: F403 (the same names, from their one list)

__all__ = list(_render.__all__)
