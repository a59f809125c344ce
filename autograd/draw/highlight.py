"""What ``draw_dot`` colours: the highlighted node or backward step, and the legend.

A step picture marks the node of the step (yellow), its operands and the edges it just used
(red, with what the step adds to each operand), and the nodes whose gradient is final (green:
every node that uses them has been handled).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import cast

from autograd.backward_steps import Step
from autograd.value import Value

__all__ = ["LEGEND", "USED_EDGE", "Highlight", "legend_label"]

# colours: the node being handled, the nodes whose gradient is final, the edges just used
CURRENT = {"style": "filled", "fillcolor": "#ffd54f", "penwidth": "2"}
DONE = {"style": "filled", "fillcolor": "#dcedc8"}
RECEIVING = {"color": "#d32f2f", "penwidth": "2"}
USED_EDGE = {"color": "#d32f2f", "fontcolor": "#d32f2f", "penwidth": "2"}
LEGEND = (  # the colours of a step picture, in words (also under the stepper's pictures)
    ("#ffd54f", "yellow: the node of this step"),
    ("#d32f2f", "red: each operand and what this step adds to it"),
    ("#dcedc8", "green: gradient final"),
)


class Highlight:
    """The marks of one picture: the node to mark and, for a ``Step``, what it changed.

    Raises TypeError when ``highlight`` is neither a Value nor a Step, and ValueError when it
    is not from the graph of ``root`` (``order`` is that graph in topological order).
    """

    def __init__(self, highlight: Value | Step | None, order: list[Value], root: Value) -> None:
        if highlight is not None and not isinstance(highlight, Value | Step):
            raise TypeError(
                f"draw_dot: highlight must be a Value or a Step (got {type(highlight).__name__})"
            )
        self.step = highlight if isinstance(highlight, Step) else None
        # a Value or None once the Step case is taken
        self.current = self.step.node if self.step else cast("Value | None", highlight)
        if self.current is not None and self.current not in set(order):
            raise ValueError(
                f"draw_dot: highlight must be a node of the graph of root (got {self.current!r})"
            )
        self.done = _final(order, root, self.step)
        self.receiving = set(self.step.node.parents) if self.step else set()
        self.adds: dict[Value, list[float]] = {}  # what each operand receives from the step
        for p, added in zip(self.step.node.parents, self.step.added) if self.step else ():
            self.adds.setdefault(p, []).append(added)

    def style(self, nodes: Collection[Value]) -> dict[str, str]:
        """The colours of a box that shows ``nodes`` (one Value, or a collapsed call's)."""
        if self.current is not None and any(v is self.current for v in nodes):
            style = CURRENT
        elif nodes and all(v in self.done for v in nodes):
            style = DONE
        else:
            style = {}
        if any(v in self.receiving for v in nodes):
            style = {**style, **RECEIVING}
        return style

    def added_along(self, v: Value, j: int | None) -> float | None:
        """What the step sent along the edge from operand ``j`` to ``v`` (None: not used)."""
        if self.step is None or v is not self.current or j is None:
            return None
        return self.step.added[j]


def legend_label() -> str:
    """The colours of a step picture, as an HTML-like graph label."""
    cells = "".join(
        f'<td bgcolor="{colour}" width="12" height="10"></td><td align="left">{text}</td>'
        for colour, text in LEGEND
    )
    return f'<<table border="0" cellspacing="4"><tr>{cells}</tr></table>>'


def _final(order: list[Value], root: Value, step: Step | None) -> set[Value]:
    """The nodes whose gradient is final after ``step``: every node using them is handled.

    The root is final from the first step on; a leaf once the last node using it is done.
    """
    if step is None:
        return set()
    walk = [v for v in reversed(order) if v.parents]
    if not (0 < step.index <= len(walk) and walk[step.index - 1] is step.node):
        raise ValueError(
            f"draw_dot: highlight is step {step.index} of a backward pass that is not from "
            "root (draw a step with the root it was taken from)"
        )
    users = dict.fromkeys(order, 0)
    for v in walk:
        for p in set(v.parents):
            users[p] += 1
    final = {root}
    for v in walk[: step.index]:
        for p in set(v.parents):
            users[p] -= 1
            if users[p] == 0:
                final.add(p)
    return final
