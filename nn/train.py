"""Training: the loop of forward pass, loss, backward pass and update, with a progress bar.

``train`` runs epochs of (mini-)batches and returns a ``History`` with the loss and accuracy
of every step; ``evaluate`` measures a model on data without recording a graph.

A loss is named (``"hinge"``, ``"bce"``, ``"cross_entropy"``, ``"mse"``) or any function
``loss(outputs, labels) -> Value``. A named loss also says how an output becomes a predicted
class, which is what accuracy counts: the sign of the score for ``hinge`` (labels ``-1/+1``),
``score > 0`` for ``bce`` (labels ``0/1``), the largest logit for ``cross_entropy``; ``mse`` is
regression and has no accuracy (``nan``). Pass ``predict=`` to count accuracy for your own loss.
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast

from autograd import Value, is_grad_enabled, no_grad
from autograd.backprop import cyclic_gc_paused
from autograd.compiling import CompileError
from nn import losses
from nn._compiled_train import CompiledStep, compiles
from nn.layers import MLP, Layer, Neuron, outputs_of_batch
from nn.optim import Optimizer

__all__ = ["LOSSES", "Evaluation", "History", "evaluate", "train"]

LossFn = Callable[[list, list], Value]
Predict = Callable[[Any], Any]


# name -> (loss function, how one output becomes a predicted label, or None for regression):
# a copy, made at import, of nn.losses' one table of named losses (which train reads)
LOSSES: dict[str, tuple[LossFn, Predict | None]] = {
    name: (entry.mean, entry.predict) for name, entry in losses._BY_NAME.items()
}


@dataclass
class History:
    """What happened at each training step: ``loss[i]``, ``accuracy[i]``, ``lr[i]``, ``epoch[i]``.

    ``loss`` includes the L2 penalty (it is what was minimized); ``accuracy`` is measured on
    the step's batch (``nan`` when the loss has no notion of a class). ``compiled`` says which
    step ran: ``True`` for the compiled loop body, ``False`` for the engine's graph and
    ``backward()``. Both give the same numbers, so two histories compare equal whatever
    their ``compiled``.

    >>> h = History(loss=[0.9, 0.4], accuracy=[0.5, 0.75], lr=[0.1, 0.1], epoch=[0, 1])
    >>> len(h), h.loss[-1]
    (2, 0.4)
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    epoch: list[int] = field(default_factory=list)
    compiled: bool = field(default=False, compare=False)

    def __len__(self) -> int:
        return len(self.loss)


class Evaluation(NamedTuple):
    """The mean loss and the accuracy of a model on a dataset (what ``evaluate`` returns).

    >>> Evaluation(loss=0.25, accuracy=0.9).accuracy
    0.9
    """

    loss: float
    accuracy: float


def train(
    model: Callable,
    X: Sequence,
    y: Sequence,
    *,
    optimizer: Optimizer,
    loss: str | LossFn = "hinge",
    epochs: int = 1,
    batch_size: int | None = None,
    l2: float = 0.0,
    predict: Predict | None = None,
    seed: int | None = None,
    progress: bool | None = None,
    compile: bool | None = None,
) -> History:
    """Train ``model`` on ``(X, y)`` and return the ``History`` of every step.

    Each epoch shuffles the examples (with ``seed``) into batches of ``batch_size``
    (``None``: one full batch per epoch, micrograd's demo). Each step: forward every example of
    the batch, ``loss + l2_penalty(parameters, l2)``, ``optimizer.zero_grad()``, ``backward()``,
    ``optimizer.step()``. The optimizer holds the parameters it updates (usually
    ``model.parameters()``) and its learning rate or schedule.

    ``progress``: a ``tqdm.auto`` progress bar (a widget in Jupyter, text on standard error
    elsewhere). ``None`` (default) follows tqdm's own rule: shown in Jupyter and when standard
    error is a terminal, hidden when it is redirected (a pipe, a file, a test). ``True`` and
    ``False`` force it on or off.

    ``compile``: how each step computes the loss and the gradients. The compiled step traces
    one example's loss once (``autograd.compiling.loop_body``) and runs it as straight-line
    Python for every example of every batch, with the example's inputs and label as inputs of
    the compiled code: no graph is built, several times faster, and the history and the
    trained weights are bit for bit the engine's (a graph and ``backward()`` per batch).

    - ``None`` (default): the compiled step whenever that is exact, checked before training:
      a loss ``"hinge"``, ``"mse"`` or ``"bce"``, a model that is nn's own ``MLP`` with one
      output or ``Neuron`` (not a subclass, not a module of your own, which may branch on
      ``.data``), and an optimizer holding all of its parameters. Otherwise, silently, the
      engine. ``history.compiled`` says which ran.
    - ``True``: the compiled step or an error: an unsupported loss is a ValueError
      (``"cross_entropy"`` shifts its logits by a number taken from the data, which a trace
      would bake in). The model's graph must not depend on the data through a Python ``if``
      on ``.data``: that cannot be detected (see ``autograd.compile``).
    - ``False``: always the engine.

    Rows and labels are converted to Python numbers once, where they enter (a numpy
    ``float32`` row gives the same run as the list of floats it holds). The engine's step
    builds an ``MLP``'s graph for the whole batch layer by layer (``nn.layers.outputs_of_batch``:
    the nodes of calling the model on each example, each layer's weights read once per
    batch); any other model is called example by example. Each step runs with
    the cyclic garbage collector paused (a step makes no reference cycles; reference
    counting frees its graph at once) and the caller's setting restored after it.

    Training that cannot learn stops with an error instead of running silently:

    - ``RuntimeError`` when grad mode is off (``train`` called inside ``no_grad()``): no graph
      would be recorded, so there would be no gradients;
    - ``ValueError`` when the optimizer holds none of the model's parameters (for example an
      optimizer made for another model), or the model has no parameters;
    - ``RuntimeError`` when the loss or a gradient becomes ``nan`` or infinite, at the first
      step where it does, before that step's update, so the model keeps the weights of the
      last good step. The error's ``history`` attribute holds the steps completed so far.

    >>> import random
    >>> from nn import MLP, SGD
    >>> from nn.data import make_moons, signed_labels
    >>> X, y = make_moons(20, seed=0)
    >>> model = MLP(2, [8, 1], rng=random.Random(0))
    >>> history = train(model, X, signed_labels(y), optimizer=SGD(model.parameters(), lr=0.1),
    ...                 loss="hinge", epochs=5, progress=False)
    >>> len(history), history.loss[-1] < history.loss[0], history.compiled
    (5, True, True)
    """
    loss_fn, predict = _resolve_loss(loss, predict, "train")
    X, y = _check_data(X, y, "train")
    size = len(X) if batch_size is None else batch_size
    _check_settings(optimizer, epochs, size, batch_size, l2)
    _check_optimizer_holds_the_model(model, optimizer)
    step = _choose_step(compile, model, loss, loss_fn, X, y, optimizer, l2)
    rng = random.Random(seed)
    order = list(range(len(X)))
    batches = math.ceil(len(X) / size)
    history = History(compiled=isinstance(step, CompiledStep))
    with _progress_bar(epochs * batches, progress) as bar:
        for epoch in range(epochs):
            if batch_size is not None:
                rng.shuffle(order)
            for start in range(0, len(X), size):
                idx = order[start : start + size]
                with cyclic_gc_paused():  # a step makes no reference cycles: nothing freed late
                    _step(step, optimizer, [X[i] for i in idx], [y[i] for i in idx], predict,
                          history, epoch)  # fmt: skip
                bar.set_postfix(
                    loss=f"{history.loss[-1]:.4f}",
                    acc=f"{history.accuracy[-1]:.1%}",
                    refresh=False,
                )
                bar.update()
    return history


def _step(step, optimizer: Optimizer, xb: list, yb: list, predict, history: History,
          epoch: int) -> None:  # fmt: skip
    """One training step on a batch: forward, checks, ``zero_grad``, backward, update, record."""
    value, outputs = step(xb, yb)
    lr = optimizer.lr
    if not math.isfinite(value):
        raise _diverged(f"the loss became {value}", history, epoch, lr)
    optimizer.zero_grad()
    step.backward()
    bad = _first_non_finite_grad(optimizer.params)
    if bad is not None:
        grad = optimizer.params[bad].grad
        what = f"the gradient of optimizer.params[{bad}] became {grad}"
        raise _diverged(what, history, epoch, lr)
    optimizer.step()
    history.loss.append(value)
    history.accuracy.append(_accuracy(outputs, yb, predict))
    history.lr.append(lr)
    history.epoch.append(epoch)


def evaluate(
    model: Callable,
    X: Sequence,
    y: Sequence,
    *,
    loss: str | LossFn = "hinge",
    predict: Predict | None = None,
) -> Evaluation:
    """The mean loss and accuracy of ``model`` on ``(X, y)``; no graph is recorded.

    >>> import random
    >>> from nn import MLP
    >>> model = MLP(2, [4, 1], rng=random.Random(0))
    >>> result = evaluate(model, [[0.0, 1.0], [1.0, 0.0]], [1, -1], loss="hinge")
    >>> 0.0 <= result.accuracy <= 1.0
    True
    """
    loss_fn, predict = _resolve_loss(loss, predict, "evaluate")
    X, y = _check_data(X, y, "evaluate")
    with no_grad():
        outputs = [model(x) for x in X]
        value = loss_fn(outputs, y)
    return Evaluation(value.data, _accuracy(outputs, y, predict))


# ----------------------------------------------------------------------------------------------


def _check_optimizer_holds_the_model(model, optimizer: Optimizer) -> None:
    """Refuse an optimizer that would update none of the model's parameters."""
    listing = getattr(model, "parameters", None)
    if not callable(listing):
        return  # a plain function: its Values are the caller's business
    mine = listing()
    if not mine:
        raise ValueError(
            f"train: the model has no parameters, so there is nothing to learn (got {model!r})"
        )
    held = set(optimizer.params)
    if not any(p in held for p in mine):
        raise ValueError(
            f"train: the optimizer holds none of the model's parameters ({len(mine)} of them): "
            "it would update other Values and the model would not learn; make it with "
            "model.parameters() of this model"
        )


def _check_settings(optimizer, epochs, size, batch_size, l2: float) -> None:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"train: optimizer must be an nn.SGD or nn.Adam (got {optimizer!r})")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
        raise ValueError(f"train: epochs must be an int >= 0 (got {epochs!r})")
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError(f"train: batch_size must be an int >= 1 or None (got {batch_size!r})")
    if isinstance(l2, bool) or not isinstance(l2, numbers.Real) or not l2 >= 0:
        raise ValueError(f"train: l2 must be a number >= 0 (got {l2!r})")
    if not is_grad_enabled():
        raise RuntimeError(
            "train: grad mode is off (called inside no_grad()): no graph would be recorded "
            "and nothing learned; call train outside no_grad(), or inside enable_grad()"
        )


class _EngineStep:
    """A batch's forward pass on the engine (a graph), then ``backward()`` on it."""

    def __init__(self, model, loss_fn: LossFn, params: list[Value], l2: float) -> None:
        self.model, self.loss_fn, self.params, self.l2 = model, loss_fn, params, l2
        self.total: Value | None = None

    def __call__(self, xb: list, yb: list) -> tuple[float, list]:
        outputs = outputs_of_batch(self.model, xb)  # [self.model(x) for x in xb]
        total = self.loss_fn(outputs, yb)
        if self.l2:
            total = total + losses.l2_penalty(self.params, self.l2)
        self.total = total
        return total.data, outputs

    def backward(self) -> None:
        cast(Value, self.total).backward()


def _choose_step(compile, model, loss, loss_fn, X, y, optimizer, l2) -> _EngineStep | CompiledStep:
    """The compiled step when asked (``True``) or when it is exact (``None``), else the engine."""
    if compile is not None and not isinstance(compile, bool):
        raise TypeError(f"train: compile must be True, False or None (got {compile!r})")
    if compile is None and _compiles_exactly(model, loss, optimizer):
        try:
            return _compiled_step(model, loss, X, y, optimizer, l2)
        except CompileError:  # the tracer refused something: the engine runs it, as promised
            pass
    elif compile:
        return _compiled_step(model, loss, X, y, optimizer, l2)
    return _EngineStep(model, loss_fn, cast(Any, model).parameters() if l2 else [], l2)


def _compiles_exactly(model, loss, optimizer: Optimizer) -> bool:
    """Whether the compiled step is bit for bit the engine's run: checked, never guessed.

    A named loss with per-example terms; nn's own ``MLP`` (or ``Neuron``) with one output,
    not a subclass (which may change what a call does); an optimizer that holds every
    parameter (the compiled step writes each ``.grad`` where backward() would add into it).
    """
    if not compiles(loss):
        return False
    if type(model) is MLP:
        if not all(type(layer) is Layer for layer in model.layers):
            return False
        neurons = [n for layer in model.layers for n in layer.neurons]
        if len(model.layers[-1].neurons) != 1:
            return False
    elif type(model) is Neuron:
        neurons = [model]
    else:
        return False
    if not all(type(n) is Neuron for n in neurons):
        return False
    held = set(optimizer.params)
    return all(p in held for p in model.parameters())


def _compiled_step(model, loss, X, y, optimizer: Optimizer, l2: float) -> CompiledStep:
    listing = getattr(model, "parameters", None)
    params = listing() if callable(listing) else list(optimizer.params)
    return CompiledStep(model, loss, X, y, params, l2)


def _first_non_finite_grad(params: list[Value]) -> int | None:
    isfinite = math.isfinite
    for i, p in enumerate(params):
        if not isfinite(p.grad):
            return i
    return None


def _diverged(what: str, history: History, epoch: int, lr: float) -> RuntimeError:
    error = RuntimeError(
        f"train: {what} at step {len(history)} (epoch {epoch}), so training stopped before "
        f"that step's update. Lower the learning rate (it was {lr:g}), check the data for "
        "nan or inf, or scale the inputs; the error's .history holds the steps so far"
    )
    error.history = history  # type: ignore[attr-defined]  # documented: the error's .history
    return error


def _accuracy(outputs: list, labels: list, predict: Predict | None) -> float:
    if predict is None:
        return math.nan
    return sum(predict(o) == t for o, t in zip(outputs, labels)) / len(labels)


def _resolve_loss(loss, predict, where: str) -> tuple[LossFn, Predict | None]:
    if isinstance(loss, str):
        named = losses._BY_NAME
        if loss not in named:
            raise ValueError(
                f"{where}: loss must be one of {tuple(named)} or a function (got {loss!r})"
            )
        return named[loss].mean, predict or named[loss].predict
    if not callable(loss):
        raise TypeError(f"{where}: loss must be a name or a function (got {loss!r})")
    return loss, predict


def _check_data(X, y, where: str) -> tuple[list, list]:
    """The examples as lists of Python numbers, converted once, where they enter.

    A numpy row becomes a list of floats and a numpy label a float (or an int, for an integer
    label such as a class index): the compiled step then computes with Python floats, as the
    engine's Values do, and a float32 or float64 array gives the run a list of floats gives.
    Rows and labels that are not numbers (for a model or loss of your own) pass unchanged.
    """
    X, y = [_plain_row(x) for x in X], [_plain_number(t) for t in y]
    if len(X) != len(y):
        raise ValueError(f"{where}: X has {len(X)} examples but y has {len(y)} labels")
    if not X:
        raise ValueError(f"{where}: the dataset is empty")
    return X, y


def _plain_number(x):
    """A numpy (or other) real number as a Python float or int; anything else unchanged."""
    if type(x) is float or type(x) is int or isinstance(x, bool):
        return x  # bools stay: the losses refuse them with their own message
    if isinstance(x, numbers.Integral):
        return int(x)
    if isinstance(x, numbers.Real):
        return float(x)
    return x


def _plain_row(x):
    """A row of features as a list of Python numbers (a single number: itself, plain)."""
    if isinstance(x, numbers.Number):
        return _plain_feature(x)
    if isinstance(x, Value | str | bytes):
        return x
    try:
        items = list(x)
    except TypeError:
        return x  # not a sequence: the model's business
    return [_plain_feature(v) for v in items]


def _plain_feature(v):
    """A feature as a Python float (bools and non-numbers unchanged: the model's errors)."""
    if type(v) is float or isinstance(v, bool) or not isinstance(v, numbers.Real):
        return v
    return float(v)


def _progress_bar(total: int, progress: bool | None):
    """A ``tqdm.auto`` bar; ``disable=None`` lets tqdm decide (on in Jupyter and terminals)."""
    # tqdm ships no types; the mypy config's override names "tqdm", not "tqdm.auto"
    from tqdm.auto import tqdm  # type: ignore[import-untyped]

    disable = None if progress is None else not progress
    return tqdm(total=total, desc="training", unit="step", leave=True, disable=disable)
