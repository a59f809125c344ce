"""``BackwardStepper``: step through backward, one node at a time, in a notebook or a page.

The stepper copies the graph when it is made (data, labels, operations, constants and
structure, into private nodes) and steps through backward on that copy. So it always shows
one forward pass, the one you made it from, even after an optimizer has changed the weights,
and moving it never touches the ``.grad`` of your graph. On the copy every gradient starts at
0: position 0 is "before backward", position ``total`` holds what ``backward()`` gives on a
graph whose gradients were all 0 (bit for bit). ``grad_of(node)`` reads a gradient of the copy.

A graph changed after its forward pass is refused (``StaleGraphError``): recompute the
forward pass first. Everything else (moving, pictures, the ipywidgets panel, the page for a
notebook without a kernel) comes from ``autograd.stepping.Stepper``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from itertools import islice
from typing import cast

from autograd.backprop import check_value, topological_order
from autograd.backward_steps import (
    Step,
    _check_precision,
    backward_steps,
    check_fresh,
    node_names,
)
from autograd.draw.clusters import call_names, collapsed_nodes
from autograd.draw.dot import LEGEND, DotGraph, Drawing
from autograd.draw.entries import Entry
from autograd.scopes import Scope, ScopeRecording
from autograd.stepping.exercises import Exercise, arrivals, backward_exercise
from autograd.stepping.positions import NamedStepper
from autograd.value import Value

__all__ = ["BackwardStepper"]


class BackwardStepper(NamedStepper):
    """Backward from ``root`` as a sequence of positions you can move between and draw.

    Args:
        root: the output Value (the loss). Its graph is copied now; later changes to it do
            not reach the stepper.
        **draw_options: passed to ``draw_dot`` for every picture (``precision``,
            ``show_local``, ``scopes``, ``collapse``, ``expand_fused``, ``rankdir`` (``"TB"``
            for a wide graph), ...); pictures are ``compact`` unless ``compact=False``.

    Raises ``StaleGraphError`` if the graph no longer fits together (a parameter changed
    after the forward pass).

    >>> from autograd import Value
    >>> from autograd.stepping.backward_stepper import BackwardStepper
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b; c.label = "c"
    >>> L = c + a; L.label = "L"
    >>> stepper = BackwardStepper(L)
    >>> stepper.total, len(stepper)  # two operations; positions 0, 1, 2
    (2, 3)
    >>> stepper.next().step.node.label, stepper.grad_of(a), stepper.grad_of(b)
    ('L', 1.0, 0.0)
    >>> stepper.next().step.node.label, stepper.grad_of(a), stepper.grad_of(b)
    ('c', -2.0, 2.0)
    >>> stepper.previous().position, stepper.grad_of(a), stepper.grad_of(b)
    (1, 1.0, 0.0)
    >>> a.grad, b.grad  # your graph is left alone
    (0.0, 0.0)
    """

    legend = LEGEND

    def __init__(self, root: Value, **draw_options) -> None:
        check_value(root, "BackwardStepper")
        if "highlight" in draw_options:
            raise ValueError("BackwardStepper: highlight is set by the stepper (remove it)")
        Drawing(root, **draw_options)  # checks the options (and the size guard) up front
        order = topological_order(root)
        check_fresh(root, "BackwardStepper", order)
        self._copies = _snapshot(order)
        self._root = self._copies[root]
        self._nodes = list(self._copies.values())
        scopes = draw_options.get("scopes")
        if scopes is not None:
            draw_options = {**draw_options, "scopes": _scopes_on(scopes, self._copies)}
        self._names = _names(self._root, draw_options)
        self._options = {"compact": True, **draw_options, "legend": False}
        self._drawing = Drawing(self._root, **self._options)
        self.total = sum(1 for v in order if v.parents)
        self.title = f"stepgrad: backward of {root.label or 'the graph'}, node by node"
        self.step: Step | None = None
        self._walk: Iterator[Step] | None = None
        self._done = 0
        self._seen: list[Step] = []  # the steps of the walk so far, for arrivals()
        inner = [v for v in reversed(self._nodes) if v.parents]  # backward's order
        self._position = {v: k for k, v in enumerate(inner, start=1)}
        super().__init__()

    def _show(self, k: int) -> None:
        if self._walk is None or k < self._done:
            for v in self._nodes:
                v.grad = 0.0
            self._walk, self._done, self.step = backward_steps(self._root), 0, None
            self._seen = []
        for step in islice(self._walk, k - self._done):
            self.step = replace(step, names=self._names)
            self._seen.append(self.step)
        self._done = k

    def _expected(self, k: int) -> Exercise:
        """What step ``k`` passes to each operand (for ``check``); the position stays."""
        here = self.position
        try:
            step = cast(Step, self.goto(k).step)  # k >= 1: a step was taken
            arrived = arrivals(step.node, self._seen[: k - 1])
            return backward_exercise(step, arrived)  # its hints take their numbers now
        finally:
            self.goto(here)

    def _steps_by_name(self) -> dict[str, dict[str, list[int]]]:
        found: dict[str, dict[str, list[int]]] = {}
        for v, k in self._position.items():
            found.setdefault(self._names[v], {"backward": []})["backward"].append(k)
        return found

    def _steps_of(self, node: Value) -> dict[str, list[int]] | None:
        copy = self._copies.get(node) if isinstance(node, Value) else None
        if copy is None:
            return None
        return {"backward": [self._position[copy]] if copy in self._position else []}

    def _leaf_note(self, name: str) -> str:
        users = [
            f"{self._names[u]} (step {k})"
            for u, k in self._position.items()
            if any(self._names.get(p) == name for p in u.parents)
        ]
        if not users:
            return ""
        return (
            f"{name} is a leaf: it passes nothing on; its gradient arrives in the steps of "
            f"the nodes that use it: {', '.join(users)}"
        )

    def grad_of(self, node: Value) -> float:
        """The gradient the copy of ``node`` holds at the current position."""
        if node not in self._copies:
            raise ValueError(
                "BackwardStepper.grad_of: node must be a node of the stepper's graph "
                f"(got {node!r})"
            )
        return self._copies[node].grad

    def describe(self) -> str:
        """What happened in the current step, in words and numbers."""
        precision = self._options.get("precision", 4)
        _check_precision(precision, "BackwardStepper")
        if self.total == 0:
            return "step 0 of 0: the root is a leaf; backward only seeds its gradient with 1."
        if self.step is None:
            return (
                f"step 0 of {self.total}: before backward, every gradient is 0. Step 1 seeds "
                "the root with d(root)/d(root) = 1 and passes it on to the root's operands."
            )
        return f"{self.step.explain(precision)}\n({self.position} of {self.total} steps done)"

    def draw(self) -> DotGraph:
        """The graph at the current position, the current step highlighted.

        One picture on its own; ``stepper[k]`` and ``frames()`` give the pictures in the
        layout they share.
        """
        return self._drawing.dot(self.step)

    def _entries(self) -> list[Entry]:
        return self._drawing.entries(self.step)


def _snapshot(order: list[Value]) -> dict[Value, Value]:
    """Private copies of the nodes (in the same order), with every gradient 0."""
    copies: dict[Value, Value] = {}
    for v in order:
        c = object.__new__(Value)
        for slot in Value.__slots__:
            if hasattr(v, slot):  # a copy of the node's own attributes, not the same dict
                setattr(c, slot, dict(v.__dict__) if slot == "__dict__" else getattr(v, slot))
        c.parents = tuple(copies[p] for p in v.parents)
        c.grad = 0.0
        copies[v] = c
    return copies


def _names(root: Value, options: dict) -> dict[Value, str]:
    """What the text calls each node: as the pictures do; a collapsed box's output by the box.

    ``[Layer 2, Neuron 16]`` is the output of that box; the nodes hidden inside a box keep
    their ``n`` names.
    """
    order = topological_order(root)
    names = node_names(order)
    scopes = options.get("scopes")
    if not options.get("collapse") or not isinstance(scopes, ScopeRecording):
        return names
    hidden = collapsed_nodes(scopes, scopes.owners(set(order)))
    titles = call_names(scopes)
    for v, i in hidden.items():
        call = cast(Scope, scopes.scopes[i])  # a call that owns nodes was recorded (not None)
        outputs = [o for o in call.outputs if hidden.get(o) == i]
        if outputs == [v] and not v.label:
            names[v] = f"[{titles[i][1]}]"
    return names


def _scopes_on(scopes: ScopeRecording, copies: dict[Value, Value]) -> ScopeRecording:
    """The recording with its calls' inputs and outputs replaced by their copies."""
    if not isinstance(scopes, ScopeRecording):
        return scopes  # draw_dot has refused it already
    moved = ScopeRecording()
    moved.scopes = [
        None
        if s is None
        else s._replace(
            inputs=tuple(copies.get(v, v) for v in s.inputs),
            outputs=tuple(copies.get(v, v) for v in s.outputs),
        )
        for s in scopes.scopes
    ]
    return moved
