"""Predict first: work a step out by hand, then let stepgrad check it and say what went wrong.

A stepper's ``check(k, answers)`` compares what you predict for step ``k`` with what the step
computes, before you look at it:

- a backward step: what each operand receives (the gradient that arrived times the local
  derivative towards that operand);
- a forward step: the value the node computes;
- an update step: the parameter's new value, ``w - lr * grad``.

The answer is a ``Verdict``: true when every entry is right within the tolerance, with one
line per entry saying whether it is right and, when it is not, why (``you forgot the local
derivative 1 - tanh² = 0.4200``). Hints name the ingredients of the answer, never the answer.

The same checks work on a single step record, without a stepper:

>>> from autograd import Value, backward_steps
>>> from autograd.stepping.exercises import backward_exercise
>>> x = Value(0.5, label="x")
>>> y = x.tanh(); y.label = "y"
>>> step = next(backward_steps(y))
>>> verdict = backward_exercise(step).check({"x": 1.0})
>>> bool(verdict)
False
>>> print(verdict)
step 1 (backward): what each operand of y = tanh(x) receives: 0 of 1 right
  x: 1.0000 is wrong: you forgot the local derivative 1 - tanh² = 1 - 0.4621² = 0.7864
>>> bool(backward_exercise(step).check({"x": 0.7864}))
True
"""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Callable, Mapping
from typing import NamedTuple

from autograd.backward_steps import Step
from autograd.draw import page as page_html
from autograd.forward_steps import ForwardStep, _in_words
from autograd.inputs import real_number
from autograd.notation import INFIX, Local, node_op
from autograd.notation import local_rule as notation_rule

__all__ = [
    "Entry",
    "Exercise",
    "Verdict",
    "backward_exercise",
    "check_answers",
    "forward_exercise",
    "predict_widget",
    "update_exercise",
]

RTOL = 1e-2  # default tolerances: hand-worked numbers rounded to 3 or 4 digits pass
ATOL = 1e-4


class Entry(NamedTuple):
    """One number of an answer: its name, what the step computes, what was given, and why not.

    ``given`` is ``None`` when the answer left this entry out; ``hint`` is ``""`` when right.
    """

    name: str
    expected: float
    given: float | None
    correct: bool
    hint: str


class Verdict:
    """The result of checking an answer: true when every entry is right.

    Attributes:
        title: what was asked (``"step 5 (backward): what each operand ... receives"``).
        entries: one ``Entry`` per number asked for, in order.
        rtol, atol: the tolerance used: an entry is right when
            ``|given - expected| <= atol + rtol * scale``, where the scale is ``|expected|``
            (for an update: the size of the move, so a small step must be got right).
    """

    def __init__(self, title: str, entries: list[Entry], rtol: float, atol: float) -> None:
        self.title = title
        self.entries = tuple(entries)
        self.rtol, self.atol = rtol, atol

    @property
    def correct(self) -> bool:
        """True when every entry is right."""
        return all(e.correct for e in self.entries)

    @property
    def wrong(self) -> list[str]:
        """The names of the entries that are wrong or missing."""
        return [e.name for e in self.entries if not e.correct]

    def __bool__(self) -> bool:
        return self.correct

    def feedback(self, precision: int = 4) -> str:
        """The verdict in words: a summary line, then one line per entry."""
        right = sum(e.correct for e in self.entries)
        lines = [f"{self.title}: {right} of {len(self.entries)} right"]
        for e in self.entries:
            if e.given is None:
                lines.append(f"  {e.name}: no answer given ({e.hint})")
            elif e.correct:
                lines.append(f"  {e.name}: {e.given:.{precision}f} is right")
            else:
                lines.append(f"  {e.name}: {e.given:.{precision}f} is wrong: {e.hint}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.feedback()

    def _repr_pretty_(self, printer, cycle) -> None:  # IPython: the feedback, not the repr
        printer.text(self.feedback())

    def __repr__(self) -> str:
        verdict = "right" if self.correct else f"wrong: {', '.join(self.wrong)}"
        return f"<Verdict {self.title!r}: {verdict}>"

    def _repr_html_(self) -> str:
        colour = "#2e7d32" if self.correct else "#c62828"
        return f'<pre style="color: {colour}">{html.escape(self.feedback())}</pre>'


Diagnose = Callable[[str, float, Callable[[float, float], bool]], str]


class Exercise:
    """What one step computes, by name, and how to explain a wrong answer.

    Args:
        title: what is asked, used as the first line of the verdict.
        expected: the right numbers by name, in order.
        diagnose: ``diagnose(name, given, close)`` returns why ``given`` is wrong for
            ``name``; ``close(a, b)`` is the tolerance test, for recognising mistakes.
        scale: the size each relative tolerance is taken of, by name (default
            ``|expected|``).

    >>> ex = Exercise("2 + 2", {"sum": 4.0}, lambda name, given, close: "add again")
    >>> print(ex.check(5))
    2 + 2: 0 of 1 right
      sum: 5.0000 is wrong: add again
    """

    def __init__(
        self,
        title: str,
        expected: Mapping[str, float],
        diagnose: Diagnose,
        scale: Mapping[str, float] | None = None,
    ) -> None:
        self.title = title
        self.expected = dict(expected)
        self._diagnose = diagnose
        self.scale = {n: abs(v) for n, v in self.expected.items()} | dict(scale or {})

    @property
    def names(self) -> list[str]:
        """The names of the numbers to predict, in order."""
        return list(self.expected)

    def check(self, answers, *, rtol: float = RTOL, atol: float = ATOL) -> Verdict:
        """Compare ``answers`` with the expected numbers (see ``check_answers``)."""
        return check_answers(self, answers, rtol=rtol, atol=atol)


def check_answers(exercise: Exercise, answers, *, rtol: float = RTOL, atol: float = ATOL):
    """The ``Verdict`` on ``answers`` for ``exercise``.

    ``answers`` is a mapping from names to numbers (names left out count as wrong), a list of
    numbers in the order of ``exercise.names``, or one number when one is asked for. Unknown
    names, a list of the wrong length or something that is not a real number are errors
    (``ValueError``, ``TypeError``), not wrong answers.
    """
    _check_tolerance(rtol, "rtol")
    _check_tolerance(atol, "atol")
    given = _answers_by_name(exercise.names, answers)
    entries = []
    for name, expected in exercise.expected.items():
        allowed = atol + rtol * exercise.scale[name]

        def close(a: float, b: float, allowed: float = allowed) -> bool:
            return abs(a - b) <= allowed

        g = given.get(name)
        if g is None:
            entries.append(Entry(name, expected, None, False, "predict it, then check"))
        elif close(g, expected):
            entries.append(Entry(name, expected, g, True, ""))
        else:
            entries.append(Entry(name, expected, g, False, exercise._diagnose(name, g, close)))
    return Verdict(exercise.title, entries, rtol, atol)


def _answers_by_name(names: list[str], answers) -> dict[str, float]:
    where = "check"
    if isinstance(answers, Mapping):
        unknown = [k for k in answers if k not in names]
        if unknown:
            raise ValueError(f"{where}: unknown names {unknown!r}; this step asks for {names!r}")
        return {k: real_number(v, f"{where}: answers[{k!r}]") for k, v in answers.items()}
    if isinstance(answers, numbers.Real) and not isinstance(answers, bool):
        if len(names) != 1:
            raise ValueError(
                f"{where}: this step asks for {len(names)} numbers {names!r} (got one number); "
                "pass a dict or a list"
            )
        return {names[0]: real_number(answers, f"{where}: the answer")}
    if isinstance(answers, list | tuple):
        if len(answers) != len(names):
            raise ValueError(
                f"{where}: expected {len(names)} answers for {names!r} (got {len(answers)})"
            )
        return {
            n: real_number(a, f"{where}: answers[{i}]")
            for i, (n, a) in enumerate(zip(names, answers))
        }
    raise TypeError(
        f"{where}: answers must be a dict of names to numbers, a list or a number "
        f"(got {type(answers).__name__})"
    )


def _check_tolerance(x, what: str) -> None:
    # typeshed's numbers ABCs declare no comparison with an int; Python compares them fine
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or not 0 <= x < math.inf:  # type: ignore[operator]
        raise ValueError(f"check: {what} must be a finite number >= 0 (got {x!r})")


# ----------------------------------------------------------------------------------------------
# backward: what each operand receives


def operand_names(parents, name_of=None) -> list[str]:
    """A name per operand, numbered when a name repeats (``a * a``).

    ``name_of(node)`` names a node (a step's naming: labels, ``n3`` for unlabelled nodes);
    without it, an unlabelled operand is ``operand i``.

    >>> from autograd import Value
    >>> a = Value(1.0, label="a")
    >>> operand_names([a, a, Value(2.0)])
    ['a (operand 1)', 'a (operand 2)', 'operand 3']
    """
    if name_of is None:
        names = [p.label or f"operand {i + 1}" for i, p in enumerate(parents)]
    else:
        names = [name_of(p) for p in parents]
    return [f"{n} (operand {i + 1})" if names.count(n) > 1 else n for i, n in enumerate(names)]


def backward_exercise(step: Step) -> Exercise:
    """Predict what each operand of ``step.node`` receives in this backward step.

    The expected numbers are ``step.added``: the gradient that arrived times the local
    derivative towards each operand. The hints use the numbers the graph holds now (those
    of the step's forward pass).
    """
    node, g, name_of = step.node, step.grad, step._name
    names = operand_names(node.parents, name_of)
    rules = [local_rule(node, i, step.local[i], name_of) for i in range(len(node.parents))]
    formula = _in_words(node, [name_of(p) for p in node.parents], None)
    at = name_of(node)
    title = f"step {step.index} (backward): what each operand of {at} = {formula} receives"

    def diagnose(name: str, given: float, close) -> str:
        i = names.index(name)
        local, expected, rule = step.local[i], step.added[i], rules[i]
        if close(given, g) and not close(local * g, g):
            return f"you forgot the local derivative {rule}"
        if close(given, local) and not close(local * g, local):
            return (
                f"that is the local derivative alone: multiply it by the gradient that "
                f"arrived at {at}, {g:.4f}"
            )
        if close(given, -expected):
            return "the sign is wrong"
        for j, other in enumerate(step.added):
            if j != i and close(given, other):
                return (
                    f"that is what {names[j]} receives; towards {name} the local "
                    f"derivative is {rule}"
                )
        return f"{name} receives the gradient that arrived at {at} ({g:.4f}) times {rule}"

    return Exercise(title, dict(zip(names, step.added)), diagnose)


def local_rule(node, i: int, local: float, name_of=None) -> str:
    """The local derivative d(node)/d(operand i) in words and numbers (``local`` is its value).

    ``name_of(node)`` names the other operands (default: their labels).

    >>> from autograd import Value
    >>> x = Value(0.5, label="x")
    >>> y = x.sigmoid()
    >>> local_rule(y, 0, y.data * (1 - y.data))
    'σ(1 - σ) = 0.6225·(1 - 0.6225) = 0.2350'
    """
    ps = node.parents
    name_of = name_of or (lambda v: v.label or "the other operand")
    name, kind, const = node_op(node)
    partner = ""
    if name == "*" and kind == INFIX:
        partner = name_of(ps[1 - i])
    elif name == "affine" and not isinstance(const, tuple) and i < len(ps) - 1:
        n = len(ps) // 2
        partner = name_of(ps[n + i] if i < n else ps[i - n])
    d = Local(local, node.data, ps[i].data, const, partner)
    return notation_rule(name, kind, i, len(ps), d)


# ----------------------------------------------------------------------------------------------
# forward: the value a node computes


def forward_exercise(step: ForwardStep) -> Exercise:
    """Predict the value ``step.node`` computes in this forward step."""
    node, name_of = step.node, step._name
    name = name_of(node)
    symbolic = _in_words(node, [name_of(p) for p in node.parents], None)
    title = f"step {step.index} (forward): the value of {name} = {symbolic}"
    value = step.value

    def diagnose(_: str, given: float, close) -> str:
        op = node_op(node)[0]
        if op in _APPLIED_TO_ONE_INPUT and close(given, step.inputs[0]):
            return f"that is its input {name_of(node.parents[0])}; the node applies {op}"
        if op == "sigmoid" and close(given, 1.0 - value):
            return "that is σ(-z): σ(z) = 1 / (1 + e^(-z))"
        if op == "affine" and (left := _left_out(node, step.inputs, value, given, close, name_of)):
            return left
        if close(given, -value):
            return "the sign is wrong"
        return f"{name} = {symbolic}, with the values its inputs hold now"

    return Exercise(title, {name: value}, diagnose)


# the functions whose input is a tempting wrong answer for their value
_APPLIED_TO_ONE_INPUT = ("sigmoid", "tanh", "relu", "exp", "log")


def _left_out(node, inputs: tuple, value: float, given: float, close, name_of) -> str:
    """Which part of an affine node's sum ``given`` leaves out (the bias or one term), if any."""
    bias = inputs[-1]
    if close(given, value - bias) and not close(value - bias, value):
        return f"you left out the bias {name_of(node.parents[-1])} = {bias:.4f}"
    for term, text in _affine_terms(node, inputs, name_of):
        if close(given, value - term) and not close(value - term, value):
            return f"you left out the term {text}"
    return ""


def _affine_terms(node, inputs: tuple, name_of) -> list[tuple[float, str]]:
    ps = node.parents
    if not isinstance(node._arg, tuple):  # weights and inputs are Values
        n = len(ps) // 2
        return [
            (inputs[i] * inputs[n + i], f"{name_of(ps[i])}·{name_of(ps[n + i])}") for i in range(n)
        ]
    return [(inputs[i] * c, f"{name_of(ps[i])}·{c:g}") for i, c in enumerate(node._arg)]


# ----------------------------------------------------------------------------------------------
# update: a parameter's new value


def update_exercise(index: int, name: str, old: float, grad: float, lr: float, new: float):
    """Predict a parameter's new value after gradient descent: ``w - lr * grad``.

    ``new`` is the value the optimizer computes (``old - lr * grad``, rounded as it rounds).

    >>> ex = update_exercise(1, "w", 0.5, 2.0, 0.1, 0.5 - 0.1 * 2.0)
    >>> print(ex.check(0.7))
    update 1: the new value of w = w - lr·grad: 0 of 1 right
      w: 0.7000 is wrong: you moved with the gradient; descent moves against it: w - lr·grad
    """
    title = f"update {index}: the new value of {name} = {name} - lr·grad"

    def diagnose(_: str, given: float, close) -> str:
        if close(given, old + lr * grad) and not close(old + lr * grad, new):
            return f"you moved with the gradient; descent moves against it: {name} - lr·grad"
        if close(given, old - grad) and not close(old - grad, new):
            return f"you forgot the learning rate lr = {lr:g}"
        if (close(given, -lr * grad) or close(given, lr * grad)) and not close(old, 0.0):
            return f"that is the change; the new value is the old one, {old:.4f}, plus it"
        if close(given, old):
            return "that is the old value"
        return f"{name} - lr·grad with {name} = {old:.4f}, lr = {lr:g}, grad = {grad:.4f}"

    return Exercise(title, {name: new}, diagnose, scale={name: abs(new - old)})


# ----------------------------------------------------------------------------------------------
# the widget


def predict_widget(stepper, *, rtol: float = RTOL, atol: float = ATOL):
    """A predict-first panel for a stepper: enter the next step's numbers, check, then reveal.

    The panel shows the stepper's current position (words and picture) and, for the next
    step, one box per number to predict. "check" compares them with ``stepper.check`` and
    shows the verdict; "reveal" moves the stepper on one step; "back" moves it back. Needs
    ipywidgets (``pip install 'stepgrad[widgets]'``).
    """
    try:
        import ipywidgets as widgets
    except ImportError:
        raise ImportError(
            "predict_widget needs ipywidgets, an optional extra of stepgrad: pip install "
            "'stepgrad[widgets]'; without it, call stepper.check(k, answers)"
        ) from None
    words, picture, question, feedback = (widgets.HTML() for _ in range(4))
    boxes = widgets.VBox()
    check = widgets.Button(description="check")
    reveal = widgets.Button(description="reveal ▶")
    back = widgets.Button(description="◀ back")

    def show() -> None:
        k = stepper.position
        words.value = f"<pre>{html.escape(stepper.describe())}</pre>"
        picture.value = page_html.fit(stepper.svg())
        feedback.value = ""
        if k == stepper.total:
            question.value = "<b>Done: nothing left to predict.</b>"
            boxes.children = ()
        else:
            exercise = stepper._expected(k + 1)
            question.value = f"<b>Predict first:</b> {html.escape(exercise.title)}"
            boxes.children = tuple(
                widgets.FloatText(description=name, style={"description_width": "initial"})
                for name in exercise.names
            )
        check.disabled = reveal.disabled = k == stepper.total
        back.disabled = k == 0

    def on_check(_) -> None:
        answers = {box.description: box.value for box in boxes.children}
        verdict = stepper.check(stepper.position + 1, answers, rtol=rtol, atol=atol)
        feedback.value = verdict._repr_html_()

    def move(by: int) -> None:
        stepper.goto(min(max(stepper.position + by, 0), stepper.total))
        show()

    check.on_click(on_check)
    reveal.on_click(lambda _: move(1))
    back.on_click(lambda _: move(-1))
    show()
    legend = widgets.HTML(page_html.legend(stepper.legend))
    panel = widgets.VBox(
        [words, question, boxes, widgets.HBox([back, check, reveal]), feedback, legend, picture]
    )
    panel.parts = {"boxes": boxes, "check": check, "reveal": reveal, "back": back}
    panel.parts.update(feedback=feedback, question=question, words=words, picture=picture)
    return panel
