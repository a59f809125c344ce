"""The Figure that ``nn.plot`` returns: matplotlib's, plus a PNG picture for Jupyter.

A ``matplotlib.figure.Figure`` made without ``pyplot`` shows in Jupyter only as the text
``<Figure size ... with 2 Axes>`` unless ``%matplotlib inline`` was run first. This subclass
adds ``_repr_png_``, so the last expression of a cell shows the picture in a fresh kernel.
Imported lazily by ``nn.plot``: ``import nn`` does not import matplotlib.
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure as _MatplotlibFigure


class Figure(_MatplotlibFigure):
    r"""A matplotlib Figure that Jupyter (IPython's display) shows as a PNG picture.

    >>> fig = Figure(figsize=(2, 1))
    >>> fig._repr_png_()[:8]
    b'\x89PNG\r\n\x1a\n'
    """

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png")
        return buffer.getvalue()
