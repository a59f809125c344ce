"""``Stepper``: what every stepper shares, from moving between positions to a page on its own.

A stepper (``BackwardStepper``, ``nn.LearningStepper``) shows a computation at positions
``0..total``. A subclass says what each position is (``_show``, ``describe``, ``draw``); this
base class gives every stepper the same ways to move (``goto``, ``next``, ``previous``), to
look (``stepper[k]``, ``frames()``, iteration), a live ipywidgets panel (``widget()``) and a
page that needs no kernel (``save_html(path)``, also shown by a notebook as the stepper's
output): the graph's picture once and, per position, only the texts and colours that change
(``autograd.draw.sheet``), previous/next buttons, a slider and the arrow keys, a little plain
JavaScript and nothing fetched from anywhere.

All the pictures of a stepper share one layout (``autograd.draw.pinning``): a node stays where it
is from the first position to the last. The page and the widget need no picture per position:
a subclass gives each position's entries (what each node and edge shows, as data:
``autograd.draw.entries``) straight from its state (``_entries``), and only the layout, the one
picture and the page's PNG are drawn.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import cast

import graphviz

from autograd.draw import page as page_html
from autograd.draw.entries import Entry, Recorded, with_entries
from autograd.draw.nodes import visible
from autograd.draw.pinning import Layout, PinnedGraph, layout, pinned, widest
from autograd.draw.sheet import Sheet, sheet, write
from autograd.errors import RendererFormatError
from autograd.stepping.exercises import ATOL, RTOL, Exercise, Verdict

__all__ = ["Stepper"]

# The page's PNG (where scripts are stripped): the whole picture at 72 dpi when it has at most
# _PNG_PIXELS pixels, otherwise a readable window of _PNG_WINDOW points around the current node.
_PNG_PIXELS = 1_500_000
_PNG_WINDOW = (1200.0, 800.0)
_PAD = 4.0  # points graphviz leaves around a picture (its default pad)
_WIDGET_WINDOW = (480.0, 360.0)  # the widget's window: 640 px wide at its own size
_AROUND = "around this step"  # the widget's view of a big graph (the other: "whole graph")


class Stepper:
    """Base of ``BackwardStepper`` and ``nn.LearningStepper``.

    Positions ``0..total``. Subclasses set ``total`` in ``__init__`` (then call
    ``super().__init__()``) and implement:

    - ``_show(k)``: put the stepper's own (snapshot) state at position ``k``;
    - ``describe() -> str``: the current position in words and numbers, phase named;
    - ``draw() -> graphviz.Digraph``: the picture at the current position, a graph that
      keeps its entries (``autograd.draw.entries.Recorded``, as ``draw_dot`` returns);
    - optionally ``_entries() -> list[Entry]``: ``draw().entries`` without drawing (faster).

    Pictures got through the base class (``stepper[k]``, ``frames()``, ``widget()``, the
    page) share one layout, computed once from the entries of every position; they are
    computed once and kept, as a stepper shows a snapshot that does not change.
    """

    total: int
    title = "stepper"  # the saved page's title
    legend: tuple[tuple[str, str], ...] = ()  # (colour, meaning) pairs shown with the pictures

    def __init__(self) -> None:
        self.position = 0
        self._frames: list[PinnedGraph] | None = None
        self._texts: list[str] | None = None
        self._shown: list[list[Entry]] | None = None  # every position's entries
        self._layout: Layout | None = None
        self._drawn: Recorded | None = None  # the picture at position 0, drawn once
        self._lines: dict[int, tuple[Entry, str]] = {}  # DOT lines written for entries
        self._svgs: dict[int, str] = {}
        self._sheet: Sheet | None = None  # the page's one picture and its changes
        self._sheet_svg = ""
        self._show(0)

    # -- what a subclass says ----------------------------------------------------------------

    def _show(self, k: int) -> None:
        """Put the stepper's own (snapshot) state at position ``k``."""
        raise NotImplementedError(f"{type(self).__name__} must implement _show(k)")

    def describe(self) -> str:
        """The current position in words and numbers, phase named."""
        raise NotImplementedError(f"{type(self).__name__} must implement describe()")

    def draw(self) -> graphviz.Digraph:
        """The picture at the current position."""
        raise NotImplementedError(f"{type(self).__name__} must implement draw()")

    def _entries(self) -> list[Entry]:
        """What the picture at the current position shows, as ``draw().entries`` has it."""
        picture = self.draw()
        if not isinstance(picture, Recorded):
            raise TypeError(
                f"{type(self).__name__}.draw() must return a graph that keeps its entries, as "
                f"draw_dot's does (got {type(picture).__name__})"
            )
        return picture.entries

    # -- moving ------------------------------------------------------------------------------

    def goto(self, k: int):
        """Move to position ``k`` (0 .. ``total``); returns the stepper."""
        name = type(self).__name__
        if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k <= self.total:
            raise ValueError(f"{name}: position must be an int in 0..{self.total} (got {k!r})")
        self._show(k)
        self.position = k
        return self

    def next(self):
        """One position on (stays at the end); returns the stepper."""
        return self.goto(min(self.position + 1, self.total))

    def previous(self):
        """One position back (stays at 0); returns the stepper."""
        return self.goto(max(self.position - 1, 0))

    def __len__(self) -> int:
        return self.total + 1

    def __getitem__(self, k: int) -> graphviz.Digraph:
        """The picture at position ``k`` (negative ``k`` counts from the end).

        The stepper's own position does not change. IndexError past either end, so
        ``list(stepper)`` and ``for picture in stepper`` work.
        """
        name = type(self).__name__
        if isinstance(k, bool) or not isinstance(k, int):
            raise TypeError(f"{name}: index must be an int (got {type(k).__name__})")
        if not -len(self) <= k < len(self):
            raise IndexError(f"{name}: index must be in -{len(self)}..{self.total} (got {k})")
        return self.frames()[k]

    def __iter__(self):
        return iter(self.frames())

    def __repr__(self) -> str:
        return f"<{type(self).__name__} at step {self.position} of {self.total}>"

    # -- looking -----------------------------------------------------------------------------

    def frames(self) -> list[graphviz.Digraph]:
        """The pictures at every position 0..total, in order, in one shared layout."""
        if self._frames is None:
            where = self._where()
            self._frames = [pinned(self._picture(k), where) for k in range(len(self))]
        return list(self._frames)

    def texts(self) -> list[str]:
        """``describe()`` at every position 0..total, in order."""
        self._positions()
        return list(cast("list[str]", self._texts))  # _positions() has filled it

    def _positions(self) -> list[list[Entry]]:
        """Every position's entries (and its text), worked out once."""
        if self._shown is None:
            here = self.position
            shown, texts = [], []
            try:
                for k in range(len(self)):
                    self.goto(k)
                    shown.append(self._entries())
                    texts.append(self.describe())
            finally:
                self.goto(here)
            self._shown, self._texts = shown, texts
        return self._shown

    def _template(self) -> Recorded:
        """The picture at position 0, drawn once: every picture is it with other entries."""
        if self._drawn is None:
            here = self.position
            try:
                self._drawn = cast(Recorded, self.goto(0).draw())
            finally:
                self.goto(here)
        return self._drawn

    def _picture(self, k: int) -> Recorded:
        """The picture at position ``k`` (not pinned), from its entries: no drawing."""
        return with_entries(self._template(), self._positions()[k], self._lines)

    def _where(self) -> Layout:
        """The layout every picture shares: of each entry's widest label over all positions."""
        if self._layout is None:
            columns = list(zip(*self._positions()))
            self._layout = layout(with_entries(self._template(), widest(columns), self._lines))
        return self._layout

    def svg(self, k: int | None = None) -> str:
        """The picture at position ``k`` (default: the current one) as SVG text."""
        k = self.position if k is None else k
        if k not in self._svgs:
            self._svgs[k] = self[k].pipe(format="svg", encoding="utf-8")
        return self._svgs[k]

    def _png(self, k: int) -> bytes:
        """The picture at ``k`` as a PNG at 72 dpi: whole, or the window around its step.

        A picture of more than ``_PNG_PIXELS`` pixels would have to shrink until its text is
        a blur (``MLP(2, [16, 16, 1])`` to 5 px); it is cut to a window of ``_PNG_WINDOW``
        points around the node of step ``k`` instead (see ``png_window``), at full size.
        """
        frame = self._frames[k] if self._frames is not None else None
        small = (frame or pinned(self._picture(k), self._where())).copy()
        small.graph_attr["dpi"] = "72"
        window = png_window(self._where(), self._focus(k))
        if window is not None:
            small.graph_attr["viewport"] = window
        try:
            return small.pipe(format="png")
        except RendererFormatError:  # a renderer function without PNG: the page shows none
            return b""

    def _focus(self, k: int) -> str | None:
        """The node the PNG of position ``k`` centres on: its step's, else the next step's."""
        for at in (k, k + 1):
            if at < len(self):
                for entry in self._positions()[at]:
                    if entry.kind == "node" and entry.look[4] == "sg-current":
                        return entry.key
        return None

    def _repr_svg_(self) -> str:
        return self.svg()

    def widget(self):
        """An ipywidgets panel: previous/next buttons, a slider, the text and the picture.

        A graph too big to read whole (more than ``_PNG_PIXELS`` pixels at 72 dpi) starts
        "around this step": the 480 x 360 points of the picture around the current node,
        its text readable (a narrow output scrolls), moving with the steps; "whole graph"
        shows all of it, shrunk to the output's width.

        Needs a live kernel and ipywidgets (``pip install 'stepgrad[widgets]'``); without a
        kernel, the page of ``save_html``/``_repr_html_`` does the same.
        """
        widgets = _ipywidgets(type(self).__name__)
        slider = widgets.IntSlider(value=self.position, min=0, max=self.total, description="step")
        back = widgets.Button(description="◀ previous")
        forward = widgets.Button(description="next ▶")
        words = widgets.HTML()
        picture = widgets.HTML()
        changes = self._one_picture()
        big = window(self._where(), None) is not None  # whole, its text would be a blur
        view = widgets.ToggleButtons(options=[_AROUND, "whole graph"]) if big else None

        def show(change=None) -> None:
            self.goto(slider.value)
            text = visible(self.describe(), keep="\n")  # no control character, no lone surrogate
            words.value = f"<pre>{html.escape(text)}</pre>"
            svg = write(self._sheet_svg, changes, self.position)
            if view is not None and view.value == _AROUND:
                focus = self._focus(self.position)
                width, height, x, y = cast(tuple, window(self._where(), focus, _WIDGET_WINDOW))
                svg = page_html.crop(svg, (x, y), (width, height))
                # readable (text at least READABLE px): a narrow output scrolls, the node
                # in the window's middle stays in view down to about 300 px
                picture.value = (
                    f'<div style="overflow:auto">{page_html.fit(svg, readable=True)}</div>'
                )
            else:
                picture.value = page_html.fit(svg)

        slider.observe(show, names="value")
        back.on_click(lambda _: setattr(slider, "value", max(slider.value - 1, 0)))
        forward.on_click(lambda _: setattr(slider, "value", min(slider.value + 1, self.total)))
        controls = [back, slider, forward]
        if view is not None:
            view.observe(show, names="value")
            controls.append(view)
        show()
        legend = widgets.HTML(page_html.legend(self.legend))
        bar = widgets.HBox(controls, layout=widgets.Layout(flex_flow="row wrap"))  # phones
        return widgets.VBox([bar, words, legend, picture])

    # -- predict first (autograd.stepping.exercises) ------------------------------------------

    def check(self, k: int, answers, *, rtol: float = RTOL, atol: float = ATOL) -> Verdict:
        """Predict first: your numbers for position ``k``, checked before you look at it.

        ``answers`` are what you work out by hand for step ``k``: for a backward step what
        each operand receives (by name, or a list in operand order), for a forward step the
        value the node computes, for an update the parameter's new value. Returns a
        ``Verdict``: true when every number is right within ``atol + rtol * scale``, with
        one line per number saying why it is wrong. The stepper does not move.

        >>> from autograd import Value
        >>> from autograd.stepping.backward_stepper import BackwardStepper
        >>> x = Value(0.5, label="x")
        >>> y = x.tanh(); y.label = "y"
        >>> stepper = BackwardStepper(y)
        >>> print(stepper.check(1, {"x": 1.0}))
        step 1 (backward): what each operand of y = tanh(x) receives: 0 of 1 right
          x: 1.0000 is wrong: you forgot the local derivative 1 - tanh² = 1 - 0.4621²
        """
        name = type(self).__name__
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= self.total:
            raise ValueError(
                f"{name}.check: k must be a position with a step, an int in 1..{self.total} "
                f"(got {k!r})"
            )
        return self._expected(k).check(answers, rtol=rtol, atol=atol)

    def _expected(self, k: int) -> Exercise:
        """What position ``k`` computes, as an ``autograd.stepping.exercises.Exercise``."""
        raise NotImplementedError(f"{type(self).__name__} has no exercises")

    # -- a page without a kernel -------------------------------------------------------------

    def _repr_html_(self) -> str:
        """The stepper as an HTML fragment: works in a notebook opened without a kernel."""
        return self._page(standalone=False)

    def save_html(self, path) -> Path:
        """Write the stepper as one self-contained HTML page; returns its path.

        The page holds the graph's picture once and, per position, its text and what changes
        in the picture (numbers, highlights), previous/next buttons, a slider, the arrow keys
        and zoom (plain JavaScript, nothing loaded from the network): open it offline in any
        browser, mail it, put it on a course page. It stays small: about one SVG of the
        graph plus one PNG (1.2 MB for ``MLP(2, [16, 16, 1])`` on one example). Where
        scripts do not run, it shows the current position and, unfolded, every position's
        text.
        """
        path = Path(path)
        if path.suffix.lower() not in (".html", ".htm"):
            raise ValueError(
                f"{type(self).__name__}.save_html: path must end in .html (got {str(path)!r})"
            )
        path.write_text(self._page(standalone=True), encoding="utf-8")
        return path

    def _one_picture(self) -> Sheet:
        """The page's and the widget's one picture (drawn once) and what each position changes."""
        if self._sheet is None:
            self._sheet = sheet(self._template(), self._positions(), self._where(), self._lines)
            self._sheet_svg = self._sheet.layout.pipe(format="svg", encoding="utf-8")
        return self._sheet

    def _page(self, *, standalone: bool) -> str:
        """The page: the layout drawn once, and per position only what changes in it."""
        texts = self.texts()
        changes = self._one_picture()
        return page_html.page(
            title=self.title,
            texts=texts,
            svg=self._sheet_svg,
            sheet=changes,
            start=self.position,
            png=self._png(self.position),
            colours=self.legend,
            standalone=standalone,
        )


def window(
    where: Layout, focus: str | None, size: tuple[float, float] = _PNG_WINDOW
) -> tuple[float, float, float, float] | None:
    """The part of a big picture to show: ``(width, height, x, y)``, ``None`` if it fits whole.

    A picture of at most ``_PNG_PIXELS`` pixels at 72 dpi is shown whole. Of a bigger one,
    a window of ``size`` points (pixels at 72 dpi) centred on the node ``focus`` (the
    picture's middle when there is none), moved back inside the picture at its edges;
    ``x, y`` in graphviz's layout coordinates.

    >>> from autograd.draw.pinning import Layout
    >>> where = Layout("0,0,3000,5000", {"v1": ("2900,100", "0.5", "0.5")}, {}, {})
    >>> window(where, "v1")
    (1200.0, 800.0, 2404.0, 396.0)
    >>> window(Layout("0,0,600,400", {}, {}, {}), None) is None
    True
    """
    x0, y0, x1, y1 = (float(c) for c in where.bb.split(","))
    if (x1 - x0) * (y1 - y0) <= _PNG_PIXELS:
        return None
    width, height = size
    if focus in where.nodes:
        x, y = (float(c) for c in where.nodes[focus][0].split(","))
    else:
        x, y = (x0 + x1) / 2, (y0 + y1) / 2
    x0, y0, x1, y1 = x0 - _PAD, y0 - _PAD, x1 + _PAD, y1 + _PAD  # graphviz's margin too
    return width, height, _inside(x, x0, x1, width), _inside(y, y0, y1, height)


def png_window(where: Layout, focus: str | None) -> str | None:
    """graphviz's ``viewport`` for the page's PNG (``window``): ``None`` when it fits whole.

    >>> from autograd.draw.pinning import Layout
    >>> png_window(Layout("0,0,3000,5000", {"v1": ("2900,100", "0.5", "0.5")}, {}, {}), "v1")
    '1200,800,1,2404,396'
    """
    box = window(where, focus)
    if box is None:
        return None
    width, height, x, y = box
    return f"{width:g},{height:g},1,{x:g},{y:g}"


def _inside(centre: float, low: float, high: float, size: float) -> float:
    """``centre`` moved so that a window of ``size`` around it stays within low..high."""
    if high - low <= size:
        return (low + high) / 2
    return min(max(centre, low + size / 2), high - size / 2)


def _ipywidgets(name: str):
    try:
        import ipywidgets
    except ImportError:
        raise ImportError(
            f"{name}.widget() needs ipywidgets, an optional extra of stepgrad: "
            "pip install 'stepgrad[widgets]' (or pip install ipywidgets); without it, show "
            "the stepper itself (a page that needs no kernel) or stepper.draw()"
        ) from None
    return ipywidgets
