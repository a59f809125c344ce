"""``BackwardStepper``: step through backward in a notebook, one node at a time.

The stepper keeps a position ``k`` between 0 (before backward) and ``total`` (backward done).
At position ``k`` the graph's ``.grad`` fields hold exactly what ``backward()`` has put there
after its first ``k`` nodes, and the picture marks the node of step ``k``, the edges it just
used (labelled with what they added) and the nodes whose gradient is already final.

To go to any position, forwards or backwards, the stepper restores every ``.grad`` to what it
was when the stepper was made and runs a fresh ``backward_steps`` walk for ``k`` steps. The
logic is plain Python; ``widget()`` adds an ipywidgets slider with previous/next buttons
(``pip install 'stepgrad[widgets]'``). Without a widget front-end, the stepper is a sequence
of pictures: ``stepper[k]`` is the graph at position ``k``, and ``frames()`` all of them.
"""

from __future__ import annotations

import html
from collections import deque
from itertools import islice

import graphviz

from autograd.backprop import check_value, topological_order
from autograd.draw import draw_dot
from autograd.steps import Step, backward_steps
from autograd.value import Value


class BackwardStepper:
    """Backward from ``root`` as a sequence of positions you can move between and draw.

    Args:
        root: the output Value (the loss).
        **draw_options: passed to ``draw_dot`` for every picture (``precision``,
            ``show_local``, ``scopes``, ``expand_fused``, ``rankdir``, ...).

    >>> from autograd import Value
    >>> from autograd.widgets import BackwardStepper
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b; c.label = "c"
    >>> L = c + a; L.label = "L"
    >>> stepper = BackwardStepper(L)
    >>> stepper.total, len(stepper)  # two operations; positions 0, 1, 2
    (2, 3)
    >>> stepper.next().step.node is L, a.grad, b.grad  # L = c + a passed 1.0 to c and a
    (True, 1.0, 0.0)
    >>> stepper.next().step.node is c, a.grad, b.grad  # c = a * b passed 1.0 × b and 1.0 × a
    (True, -2.0, 2.0)
    >>> stepper.previous().position, a.grad, b.grad  # back to the state after step 1
    (1, 1.0, 0.0)
    """

    def __init__(self, root: Value, **draw_options) -> None:
        check_value(root, "BackwardStepper")
        if "highlight" in draw_options:
            raise ValueError("BackwardStepper: highlight is set by the stepper (remove it)")
        draw_dot(root, **draw_options)  # checks the options (and the size guard) up front
        self.root = root
        self._options = draw_options
        self._nodes = topological_order(root)
        self._baseline = [v.grad for v in self._nodes]
        self.total = len(topological_order(root, include_leaves=False))
        self.position = 0
        self.step = None

    def __len__(self) -> int:
        return self.total + 1

    def __getitem__(self, k: int) -> graphviz.Digraph:
        """The picture at position ``k`` (the stepper's own position does not change)."""
        if not isinstance(k, int) or isinstance(k, bool):
            raise TypeError(f"BackwardStepper: index must be an int (got {type(k).__name__})")
        if k < 0:
            k += len(self)
        here = self.position
        try:
            return self.goto(k).draw()
        finally:
            self.goto(here)

    def __repr__(self) -> str:
        return f"<BackwardStepper at step {self.position} of {self.total}>"

    def goto(self, k: int) -> BackwardStepper:
        """Move to position ``k`` (0 = before backward, ``total`` = done); returns ``self``."""
        if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k <= self.total:
            raise ValueError(
                f"BackwardStepper: position must be an int in 0..{self.total} (got {k!r})"
            )
        for v, g in zip(self._nodes, self._baseline):
            v.grad = g
        done = deque(islice(backward_steps(self.root), k), maxlen=1)  # runs k steps
        self.step: Step | None = done[0] if done else None
        self.position = k
        return self

    def next(self) -> BackwardStepper:
        """One step forward (stays at the end when backward is done); returns ``self``."""
        return self.goto(min(self.position + 1, self.total))

    def previous(self) -> BackwardStepper:
        """One step back (stays at 0); returns ``self``."""
        return self.goto(max(self.position - 1, 0))

    def describe(self) -> str:
        """What happened in the current step, in words and numbers."""
        if self.step is None:
            return (
                f"step 0 of {self.total}: before backward. Step 1 seeds the root with "
                "d(root)/d(root) = 1 and passes it on to the root's operands."
            )
        precision = self._options.get("precision", 4)
        return f"{self.step.explain(precision)}\n({self.position} of {self.total} steps done)"

    def draw(self) -> graphviz.Digraph:
        """The graph at the current position, the current step highlighted."""
        return draw_dot(self.root, highlight=self.step, **self._options)

    def frames(self) -> list[graphviz.Digraph]:
        """The pictures at every position 0..total, in order."""
        return [self[k] for k in range(len(self))]

    def _repr_svg_(self) -> str:
        return self.draw().pipe(format="svg", encoding="utf-8")

    def widget(self):
        """An ipywidgets panel: a slider, previous/next buttons, the step in words, the graph.

        Needs ipywidgets (``pip install 'stepgrad[widgets]'``); moving the slider moves the
        stepper (and so the graph's ``.grad`` fields).
        """
        widgets = _ipywidgets()
        slider = widgets.IntSlider(value=self.position, min=0, max=self.total, description="step")
        back = widgets.Button(description="◀ previous")
        forward = widgets.Button(description="next ▶")
        words = widgets.HTML()
        picture = widgets.HTML()

        def show(change=None) -> None:
            self.goto(slider.value)
            words.value = f"<pre>{html.escape(self.describe())}</pre>"
            picture.value = self._repr_svg_()

        slider.observe(show, names="value")
        back.on_click(lambda _: setattr(slider, "value", max(slider.value - 1, 0)))
        forward.on_click(lambda _: setattr(slider, "value", min(slider.value + 1, self.total)))
        show()
        return widgets.VBox([widgets.HBox([back, slider, forward]), words, picture])


def _ipywidgets():
    try:
        import ipywidgets
    except ImportError:
        raise ImportError(
            "BackwardStepper.widget() needs ipywidgets, an optional extra of stepgrad: "
            "pip install 'stepgrad[widgets]' (or pip install ipywidgets); without it, show "
            "stepper.draw() or the pictures in stepper.frames()"
        ) from None
    return ipywidgets
