"""``LearningStepper``: one whole learning step of a network, node by node and weight by weight.

Backpropagation, as the tutorials teach it, is three steps: the forward pass (each unit
computes its weighted sum and its activation, layer by layer), error propagation (the error
flows back from the output by the chain rule) and the update (each weight moves by minus the
learning rate times its gradient). The stepper has one position per node of the forward
pass, one per node of the backward pass and one per parameter of the update.

Everything is computed when the stepper is made, on a private copy of the model: the model
itself, its parameters and their gradients, is left exactly as it was. Each position is a view
of that copy. ``commit()`` applies the step to the model: afterwards its parameters are,
bit for bit, what ``zero_grad()``, ``backward()`` and ``SGD(model.parameters(), lr).step()``
would have made them.
"""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from autograd import (
    ForwardStep,
    Step,
    Value,
    backward_steps,
    enable_grad,
    forward_steps,
    topological_order,
)
from autograd.draw.dot import DotGraph, Drawing
from autograd.draw.entries import Entry
from autograd.fused import affine_operands
from autograd.stepping.exercises import (
    Exercise,
    arrivals,
    backward_exercise,
    forward_exercise,
    update_exercise,
)
from autograd.stepping.positions import NamedStepper
from nn.losses import l2_penalty
from nn.optim import _check_rate
from nn.train import _resolve_loss

__all__ = ["LearningStepper", "Update"]

_TITLES = {
    "start": "start",
    "forward": "1. forward pass",
    "backward": "2. error propagation (backward)",
    "update": "3. update (gradient descent)",
}


@dataclass(frozen=True)
class Update:
    """One parameter's move in the update: ``new = old - lr * grad``.

    Attributes:
        index: 1 for the first parameter, 2 for the next, ... (``parameters()`` order).
        name: the parameter's label, or its name in ``named_parameters()``.
        old: its value before the update.
        grad: its gradient, d(loss)/d(parameter), from the backward pass.
        lr: the learning rate.
        new: its value after the update, computed exactly as ``nn.SGD`` computes it.
    """

    index: int
    name: str
    old: float
    grad: float
    lr: float
    new: float

    def explain(self, precision: int = 4) -> str:
        """``w11 <- w11 - lr·grad = 0.3000 - 0.5 × (-0.0120) = 0.3060``.

        >>> print(Update(1, "w", 0.5, 2.0, 0.1, 0.3).explain(2))
        update 1: w <- w - lr·grad = 0.50 - 0.1 × 2.00 = 0.30
        """
        f = f"{{:.{precision}f}}".format
        grad = f(self.grad) if self.grad >= 0 else f"({f(self.grad)})"
        return (
            f"update {self.index}: {self.name} <- {self.name} - lr·grad = "
            f"{f(self.old)} - {self.lr:g} × {grad} = {f(self.new)}"
        )


LEGEND = (
    ("#ffd54f", "yellow: the node or parameter of this step"),
    ("#d32f2f", "red: each operand and what the backward step adds to it"),
    ("#dcedc8", "green: gradient final"),
)


class LearningStepper(NamedStepper):
    """One learning step of ``model`` on one example, as positions you can step through.

    Args:
        model: an ``nn`` module (``MLP``, ``Layer``, ``Neuron`` or your own ``Module``)
            that accepts a list of Values as its input.
        x: the example's inputs (numbers); they enter the graph as leaves ``x1, x2, ...``.
        target: the example's label or target value, as the loss expects it.
        loss: a loss name that ``nn.train`` accepts (``"mse"``, ``"bce"``, ``"hinge"``,
            ``"cross_entropy"``) or a function ``loss(outputs, labels) -> Value``; it gets
            one-element lists ``[model(x)]`` and ``[target]``.
        lr: the learning rate of the update (a number >= 0).
        l2: adds ``l2_penalty(parameters, l2)`` to the loss, as ``nn.train(..., l2=)`` does.
        **draw_options: passed to ``draw_dot`` for every picture (``precision``,
            ``rankdir``, ``expand_fused``, ``show_local``, ...); pictures are ``compact``
            unless ``compact=False``.

    Positions: ``0`` is the start; ``1..F`` the forward pass, one node each, in topological
    order; ``F+1..F+B`` the backward pass, one node each (``B == F``); then one position per
    parameter. ``phase`` names the current phase, and so do ``describe()`` and every picture.
    ``state_dict()`` holds the parameters as they are at the current position.

    >>> import random
    >>> from nn import MLP
    >>> model = MLP(2, [2, 1], activation="sigmoid", rng=random.Random(0))
    >>> stepper = LearningStepper(model, [1.0, 0.0], 1.0, loss="mse", lr=0.5)
    >>> stepper.forward_total, stepper.backward_total, stepper.update_total
    (7, 7, 9)
    >>> stepper.names[:3], stepper.position_of("z1", "forward"), stepper.position_of("w11")
    (['w11', 'w12', 'b1'], 1, 15)
    >>> stepper.goto(3).phase, stepper.goto(12).phase, stepper.goto(stepper.total).phase
    ('forward', 'backward', 'update')
    >>> print(stepper.goto(stepper.total).describe().splitlines()[0])
    3. update (gradient descent): parameter 9 of 9 (position 23 of 23)
    >>> stepper.state_dict() == model.state_dict()  # a view: the model has not moved
    False
    >>> stepper.commit(); stepper.state_dict() == model.state_dict()
    True
    """

    legend = LEGEND

    model: Any  # an nn module, or any callable with parameters() (duck-typed)
    x: list[float]
    target: Any  # as the loss expects it
    lr: float
    names: list[str]
    root: Value  # the loss, in the private copy
    loss: float
    forward_steps: list[ForwardStep]
    backward_steps: list[Step]
    updates: list[Update]
    forward_total: int
    backward_total: int
    update_total: int
    _originals: list[float]
    _params: list[Value]
    _options: dict[str, Any]
    _drawing: Drawing
    _labels: list[tuple[str, str]]
    _data: dict[Value, float]
    _final_grads: dict[Value, float]

    def __init__(
        self, model, x: Sequence, target: Any, *, loss, lr: float, l2: float = 0.0, **draw_options
    ) -> None:
        where = "LearningStepper"
        if "highlight" in draw_options:
            raise ValueError(f"{where}: highlight is set by the stepper (remove it)")
        named = _named_parameters(model, where)
        loss_fn, _ = _resolve_loss(loss, None, where)
        self.lr = _check_rate(lr, where)
        if isinstance(l2, bool) or not isinstance(l2, numbers.Real) or not 0 <= l2 < math.inf:
            raise ValueError(f"{where}: l2 must be a number >= 0 (got {l2!r})")
        inputs = _inputs(x, where)
        self.model = model
        self.x = [v.data for v in inputs]
        self.target = target
        self._originals = [p.data for _, p in named]

        twin = copy.deepcopy(model)  # every value below lives on this private copy
        self._params = [p for _, p in _named_parameters(twin, where)]
        if len(self._params) != len(named):
            raise TypeError(f"{where}: a copy of the model has different parameters")
        for p in self._params:
            p.grad = 0.0  # the step starts with zero_grad()
        with enable_grad():
            outputs = twin(inputs)
            root = loss_fn([outputs], [target])
            if not isinstance(root, Value):
                raise TypeError(f"{where}: the loss must return a Value (got {root!r})")
            if l2:  # as nn.train adds it
                root = root + l2_penalty(self._params, l2)
        own = {p for _, p in named}
        if any(v in own for v in topological_order(root)):
            raise ValueError(
                f"{where}: the loss uses the model's own parameters (an L2 term written in "
                "it?); the stepper works on a copy and must not touch them: pass l2= instead"
            )
        _name_nodes(outputs, root)
        self.names = _parameter_names(self._params, [name for name, _ in named], root)
        for p, name in zip(self._params, self.names):
            p.label = name
        self.root = root
        self.loss = root.data
        self._options = {"compact": True, **draw_options, "legend": False}  # legend: the page's
        # checks the options (and the size guard) up front; shows nan data as "data ?"
        self._drawing = Drawing(root, unknown=True, **self._options)

        self.forward_steps = list(forward_steps(root))
        self._data = {s.node: s.value for s in self.forward_steps}
        self.backward_steps = list(backward_steps(root))
        self._final_grads = {v: v.grad for v in topological_order(root)}
        self.updates = [
            # p.data -= lr * p.grad: nn.SGD's update, float for float
            Update(i, name, p.data, p.grad, self.lr, p.data - self.lr * p.grad)
            for i, (name, p) in enumerate(zip(self.names, self._params), start=1)
        ]
        self._labels = [  # each parameter's label in the update, before and after it moves
            (f"{u.name}  {_f(u.old)} -> ?", f"{u.name}  {_f(u.old)} -> {_f(u.new)}")
            for u in self.updates
        ]
        self.forward_total = len(self.forward_steps)
        self.backward_total = len(self.backward_steps)
        self.update_total = len(self.updates)
        self.total = self.forward_total + self.backward_total + self.update_total
        self.title = f"stepgrad: one learning step of {type(model).__name__}"
        super().__init__()

    # -- where a position is ---------------------------------------------------------------------

    def phase_of(self, k: int) -> tuple[str, int]:
        """The phase of position ``k`` and the step within it (``("backward", 2)``)."""
        f, b = self.forward_total, self.backward_total
        if k == 0:
            return "start", 0
        if k <= f:
            return "forward", k
        if k <= f + b:
            return "backward", k - f
        return "update", k - f - b

    @property
    def phase(self) -> str:
        """``"start"``, ``"forward"``, ``"backward"`` or ``"update"``: where the stepper is."""
        return self.phase_of(self.position)[0]

    def state_dict(self) -> dict[str, float]:
        """The parameters at the current position, by name (as ``model.state_dict()``)."""
        phase, i = self.phase_of(self.position)
        done = i if phase == "update" else 0
        values = [u.new for u in self.updates[:done]] + self._originals[done:]
        return dict(zip(_state_names(self.model), values))

    # -- the Stepper hooks ------------------------------------------------------------------------

    def _show(self, k: int) -> None:
        phase, i = self.phase_of(k)
        self._show_values(phase, i)
        self._show_parameters(phase, i if phase == "update" else 0)
        self._show_grads(phase, i)

    def _show_values(self, phase: str, i: int) -> None:
        """The forward values, nan for the nodes the forward pass has not reached yet."""
        for node, value in self._data.items():
            node.data = value
        if phase in ("start", "forward"):
            for s in self.forward_steps[i:]:
                s.node.data = math.nan

    def _show_parameters(self, phase: str, done: int) -> None:
        """Each parameter before or after its update; labels ``w  old -> new`` while updating."""
        for u, p, (before, after) in zip(self.updates, self._params, self._labels):
            moved = u.index <= done
            p.data = u.new if moved else u.old
            if phase != "update":
                p.label = u.name
            else:  # the same width before and after the move: the layout stays put
                p.label = after if moved else before

    def _show_grads(self, phase: str, i: int) -> None:
        """No gradient before backward; what backward added after i nodes; then all of them."""
        for node in self._final_grads:
            node.grad = math.nan if phase in ("start", "forward") else 0.0
        if phase == "backward":
            self.root.grad = 1.0
            for step in self.backward_steps[:i]:
                for parent, added in zip(step.node.parents, step.added):
                    parent.grad += added
        elif phase == "update":
            for node, g in self._final_grads.items():
                node.grad = g

    def describe(self) -> str:
        """The current position in words and numbers, its phase named first."""
        phase, i = self.phase_of(self.position)
        p = self._options.get("precision", 4)
        where = f"(position {self.position} of {self.total})"
        if phase == "start":
            xs = ", ".join(f"x{j} = {v:g}" for j, v in enumerate(self.x, start=1))
            return (
                f"start {where}: nothing is computed yet.\n"
                f"inputs {xs}; target {self.target!r}; learning rate {self.lr:g}.\n"
                f"Next: the forward pass ({self.forward_total} nodes), error propagation "
                f"({self.backward_total} nodes), the update ({self.update_total} parameters)."
            )
        if phase == "forward":
            text = self.forward_steps[i - 1].explain(p)
            total = self.forward_total
            if i == total:
                text += f"\nthe loss is {self.loss:.{p}f}"
            return f"{_TITLES[phase]}: step {i} of {total} {where}\n{text}"
        if phase == "backward":
            text = self.backward_steps[i - 1].explain(p)
            return f"{_TITLES[phase]}: step {i} of {self.backward_total} {where}\n{text}"
        text = self.updates[i - 1].explain(p)
        return f"{_TITLES[phase]}: parameter {i} of {self.update_total} {where}\n{text}"

    def draw(self) -> DotGraph:
        """The graph at the current position, the current node or parameter highlighted.

        Forward: values computed so far (``?`` for the rest), no gradients yet. Backward: the
        gradients backward has passed on so far, as ``BackwardStepper`` draws them. Update:
        every gradient, and each parameter updated so far as ``w  old -> new``.
        """
        highlight, options = self._marks()
        return self._drawing.dot(highlight, **options)

    def _entries(self) -> list[Entry]:
        highlight, options = self._marks()
        return self._drawing.entries(highlight, **options)

    def _marks(self) -> tuple[Value | Step | None, dict[str, Any]]:
        """What the picture at the current position highlights, and its options."""
        phase, i = self.phase_of(self.position)
        highlight: Value | Step | None = None
        options: dict[str, Any] = {"title": self.describe().splitlines()[0]}
        if phase in ("start", "forward"):
            options["show_local"] = False
            highlight = self.forward_steps[i - 1].node if i else None
        elif phase == "backward":
            highlight = self.backward_steps[i - 1]
        else:
            highlight = self._params[i - 1]
        return highlight, options

    phases = ("forward", "backward", "update")

    def _steps_by_name(self) -> dict[str, dict[str, list[int]]]:
        found: dict[str, dict[str, list[int]]] = {}
        f, b = self.forward_total, self.backward_total
        named = [(s.node, "forward", k) for k, s in enumerate(self.forward_steps, start=1)]
        named += [(s.node, "backward", f + k) for k, s in enumerate(self.backward_steps, 1)]
        names = self.forward_steps[0].names if self.forward_steps else {}
        for node, phase, k in named:
            name = node.label or names.get(node, "")
            found.setdefault(name, {}).setdefault(phase, []).append(k)
        for u in self.updates:
            found.setdefault(u.name, {}).setdefault("update", []).append(f + b + u.index)
        return found

    def _steps_of(self, node: Value) -> dict[str, list[int]] | None:
        """The update of one of the model's parameters (the only nodes you hold)."""
        params = [p for _, p in _named_parameters(self.model, "LearningStepper")]
        for u, p in zip(self.updates, params):
            if p is node:
                return {"update": [self.forward_total + self.backward_total + u.index]}
        return None

    def _expected(self, k: int) -> Exercise:
        """What position ``k`` computes, for ``check(k, answers)``."""
        phase, i = self.phase_of(k)
        if phase == "forward":
            exercise = forward_exercise(self.forward_steps[i - 1])
        elif phase == "backward":
            self._show(self.forward_total)  # the hints read the forward pass's numbers
            try:
                step = self.backward_steps[i - 1]
                arrived = arrivals(step.node, self.backward_steps[: i - 1])
                exercise = backward_exercise(step, arrived)
            finally:
                self._show(self.position)
        elif phase == "update":
            u = self.updates[i - 1]
            exercise = update_exercise(u.index, u.name, u.old, u.grad, u.lr, u.new)
        else:
            raise ValueError(
                f"LearningStepper: position 0 computes nothing; check positions 1..{self.total}"
            )
        exercise.title = f"position {k}, {exercise.title}"
        return exercise

    # -- the model --------------------------------------------------------------------------------

    def commit(self) -> None:
        """Apply the step to the model: each parameter gets its new value and its gradient.

        Afterwards the model is exactly as ``zero_grad()``, ``backward()`` and
        ``SGD(model.parameters(), lr).step()`` leave it. Refused (``ValueError``, nothing
        changed) if the model's parameters are no longer the ones the stepper started from
        (it was trained meanwhile, or the step was already committed).
        """
        params = [p for _, p in _named_parameters(self.model, "LearningStepper.commit")]
        if [p.data for p in params] != self._originals:
            raise ValueError(
                "LearningStepper.commit: the model's parameters are no longer those this "
                "stepper started from (already committed, or changed since); make a new "
                "stepper from the model as it is now"
            )
        for p, u in zip(params, self.updates):
            p.data = u.new
            p.grad = u.grad

    def __repr__(self) -> str:
        return f"<LearningStepper at position {self.position} of {self.total} ({self.phase})>"


# ----------------------------------------------------------------------------------------------


def _f(x: float) -> str:
    return f"{x:.4f}"


def _named_parameters(model, where: str) -> list[tuple[str, Value]]:
    if not callable(model) or not hasattr(model, "parameters"):
        raise TypeError(f"{where}: model must be an nn module (got {model!r})")
    if hasattr(model, "named_parameters"):
        named = list(model.named_parameters())
    else:
        named = [(str(i), p) for i, p in enumerate(model.parameters())]
    if not named:
        raise ValueError(f"{where}: the model has no parameters: there is nothing to update")
    seen = set()
    for name, p in named:
        if not isinstance(p, Value):
            raise TypeError(f"{where}: parameter {name} must be a Value (got {p!r})")
        if p in seen:
            raise ValueError(f"{where}: parameter {name} appears twice; it would be updated twice")
        seen.add(p)
    return named


def _state_names(model) -> list[str]:
    return [name for name, _ in _named_parameters(model, "LearningStepper")]


def _inputs(x, where: str) -> list[Value]:
    if isinstance(x, str | bytes | Value) or not isinstance(x, Sequence):
        raise TypeError(f"{where}: x must be a list of numbers (got {x!r})")
    xs = []
    for i, xi in enumerate(x):
        if isinstance(xi, bool) or not isinstance(xi, numbers.Real):
            raise TypeError(f"{where}: x[{i}] must be a real number (got {xi!r})")
        xs.append(Value(float(xi), label=f"x{i + 1}"))
    return xs


def _short(name: str) -> str:
    """A parameter's name for pictures, counted from 1 like the inputs.

    ``layers.0.neurons.1.w.0`` reads ``l1.n2.w1``: the name for a parameter that no
    weighted sum ``z`` names (see ``_parameter_names``).

    >>> _short("layers.0.neurons.1.w.0"), _short("neurons.2.b"), _short("w.1")
    ('l1.n2.w1', 'n3.b', 'w2')
    """
    parts = name.split(".")
    out = []
    while parts:
        field = parts.pop(0)
        if parts and parts[0].isdigit():
            out.append(f"{field[0]}{int(parts.pop(0)) + 1}")
        else:
            out.append(field)
    return ".".join(out)


def _parameter_names(params: list[Value], names: list[str], root: Value) -> list[str]:
    """Each parameter's name: its label, else by the weighted sum it enters, 1-based.

    Weight ``i`` of the neuron whose weighted sum is ``zk`` is ``wki`` (``wk_i`` once a
    number reaches 10), its bias ``bk``: ``z1 = w11·x1 + w12·x2 + b1``, as the inputs are
    ``x1, x2``. A parameter in no weighted sum, or whose name is taken, gets ``_short``.
    """
    roles: dict[Value, str] = {}
    sums = [v for v in topological_order(root, include_leaves=False) if v.op == "affine"]
    for number, z in enumerate(sums, start=1):  # numbered as _name_nodes numbers them
        if isinstance(z._arg, tuple):  # constant inputs: no weights among the operands to name
            continue
        k = str(number)
        weights, _, bias = affine_operands(z)
        for i, w in enumerate(weights, start=1):
            roles.setdefault(w, f"w{k}{i}" if len(k) == 1 and i < 10 else f"w{k}_{i}")
        roles.setdefault(bias, f"b{k}")
    taken = {p.label for p in params if p.label}
    out = []
    for p, name in zip(params, names):
        role = roles.get(p)
        if p.label:
            out.append(p.label)
        elif role is not None and role not in taken:
            out.append(role)
            taken.add(role)
        else:
            out.append(_short(name))
    return out


def _name_nodes(outputs, root: Value) -> None:
    """Label what has no label, in the twin only.

    The outputs become ``y`` (``y1, y2, ...``), then the loss, and each neuron's weighted sum
    ``z1, z2, ...`` with its activation ``h1, h2, ...``; an output minus its target is the
    error ``e`` (``e1, e2, ...``), and its square ``e²``.
    """
    outs = outputs if isinstance(outputs, list) else [outputs]
    for j, y in enumerate(outs, start=1):
        if isinstance(y, Value) and not y.label:
            y.label = "y" if len(outs) == 1 else f"y{j}"
    if not root.label:
        root.label = "loss"
    _name_errors([y for y in outs if isinstance(y, Value)], root)
    count = 0
    for v in topological_order(root, include_leaves=False):
        if v.op == "affine":
            count += 1
            v.label = v.label or f"z{count}"
        elif len(v.parents) == 1 and v.op in _ACTIVATIONS and v.parents[0].op == "affine":
            v.label = v.label or f"h{v.parents[0].label[1:]}"


_ACTIVATIONS = ("sigmoid", "tanh", "relu")


def _name_errors(outs: list[Value], root: Value) -> None:
    """``e = y - t`` (an output plus a constant) and ``e² = e ** 2``, where unlabelled."""
    nodes = topological_order(root, include_leaves=False)
    for j, y in enumerate(outs, start=1):
        e = "e" if len(outs) == 1 else f"e{j}"
        for v in nodes:
            if v.label or v.parents != (y,) or v.op != "+" or not isinstance(v._arg, float):
                continue
            v.label = e
            for sq in nodes:
                if sq.parents == (v,) and sq.op == "**" and sq._arg == 2.0 and not sq.label:
                    sq.label = f"{e}²"
            break
