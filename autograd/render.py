"""The old path of ``autograd.draw.render``, kept for code that imports it from here.

>>> from autograd.render import StepgradDigraph
"""

from autograd.draw.render import (
    RendererNotFound,
    StepgradDigraph,
    bundled_renderer,
    current_renderer,
    use_renderer,
)

__all__ = [
    "RendererNotFound",
    "StepgradDigraph",
    "bundled_renderer",
    "current_renderer",
    "use_renderer",
]
