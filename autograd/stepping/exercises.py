"""Predict first: work a step out by hand, then let stepgrad check it and say what went wrong.

A stepper's ``check(k, answers)`` compares what you predict for step ``k`` with what the step
computes, before you look at it:

- a backward step: what each operand receives (the gradient that arrived times the local
  derivative towards that operand);
- a forward step: the value the node computes;
- an update step: the parameter's new value, ``w - lr * grad``.

The answer is a ``Verdict``: true when every entry is right within the tolerance, with one
line per entry saying whether it is right and, when it is not, why (``you forgot the local
derivative 1 - tanh² = 0.4200``). Hints name the ingredients of the answer, never the answer:
where the local derivative is the answer itself (the seed 1 arrived), its value is left out.

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
  x: 1.0000 is wrong: you forgot the local derivative 1 - tanh² = 1 - 0.4621²
>>> bool(backward_exercise(step).check({"x": 0.7864}))
True
"""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

from autograd.backward_steps import Step
from autograd.draw import page as page_html
from autograd.forward_steps import ForwardStep, _in_words
from autograd.fused import affine_operands
from autograd.inputs import real_number
from autograd.notation import INFIX, Local, fixed, node_op
from autograd.notation import local_rule as notation_rule

__all__ = [
    "Entry",
    "Exercise",
    "Verdict",
    "arrivals",
    "backward_exercise",
    "check_answers",
    "forward_exercise",
    "predict_widget",
    "update_exercise",
]

RTOL = 1e-2  # default tolerances: hand-worked numbers rounded to 3 significant digits pass
ATOL = 0.0  # no fixed absolute part: every tolerance scales with the numbers of its step
FLOOR = 1e-2  # a number near 0 is judged against this fraction of its step's largest number


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
            ``|given - expected| <= atol + rtol * scale``, where the scale is ``|expected|``,
            but at least a hundredth of the step's largest number (for an update: the size
            of the move, so a small step must be got right). So the tolerance scales with
            the numbers: gradients of 3e-4 are judged as strictly as gradients of 3.
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
            ``|expected|``, at least ``FLOOR`` times the largest of ``magnitude`` and the
            expected numbers, so that an expected 0 is not judged exactly).
        magnitude: how large the numbers of the step are (the gradient that arrived, the
            inputs of a node); default: the largest expected number.
        totals: for a node that is an operand several times, its name and the names of its
            uses (``{"x": ["x (operand 1)", "x (operand 2)"]}``): answering ``"x"`` gives
            the node's total, what all its uses add up to.

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
        *,
        magnitude: float = 0.0,
        totals: Mapping[str, list[str]] | None = None,
    ) -> None:
        self.title = title
        self.expected = dict(expected)
        self._diagnose = diagnose
        self.totals = {k: list(v) for k, v in (totals or {}).items()}
        floor = FLOOR * max([abs(magnitude), *(abs(v) for v in self.expected.values())])
        self.scale = {n: max(abs(v), floor) for n, v in self.expected.items()}
        self.scale |= dict(scale or {})

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
    numbers in the order of ``exercise.names``, or one number when one is asked for (or when
    every operand is the same node: its total). A node used several times may be answered
    by its own name, with its total (``{"x": 2.0}`` for ``x + x``). Unknown names, a list
    of the wrong length or something that is not a real number are errors (``ValueError``,
    ``TypeError``), not wrong answers.
    """
    _check_tolerance(rtol, "rtol")
    _check_tolerance(atol, "atol")
    given = _answers_by_name(exercise, answers)
    entries = []
    for name, expected, scale in _asked(exercise, given):
        allowed = atol + rtol * scale

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


def _asked(exercise: Exercise, given: dict[str, float]) -> list[tuple[str, float, float]]:
    """(name, expected, scale) of each number to grade: a total in place of its uses."""
    asked, done = [], set()
    for name, expected in exercise.expected.items():
        total = next((t for t, uses in exercise.totals.items() if name in uses), None)
        if total is None or total not in given:
            asked.append((name, expected, exercise.scale[name]))
        elif total not in done:
            done.add(total)
            uses = exercise.totals[total]
            value = math.fsum(exercise.expected[u] for u in uses)
            floor = max(exercise.scale[u] for u in uses)
            asked.append((total, value, max(abs(value), floor)))
    return asked


def _answers_by_name(exercise: Exercise, answers) -> dict[str, float]:
    where = "check"
    names, totals = exercise.names, exercise.totals
    if isinstance(answers, Mapping):
        unknown = [k for k in answers if k not in names and k not in totals]
        if unknown:
            also = f" (or {list(totals)!r} for a node's total)" if totals else ""
            raise ValueError(
                f"{where}: unknown names {unknown!r}; this step asks for {names!r}{also}"
            )
        for total, uses in totals.items():
            if total in answers and any(u in answers for u in uses):
                raise ValueError(
                    f"{where}: give {total} either as its total or per use ({uses!r}), not "
                    f"both (got {sorted(k for k in answers if k == total or k in uses)!r})"
                )
        return {k: real_number(v, f"{where}: answers[{k!r}]") for k, v in answers.items()}
    if isinstance(answers, numbers.Real) and not isinstance(answers, bool):
        if len(names) == 1:
            return {names[0]: real_number(answers, f"{where}: the answer")}
        if len(totals) == 1 and sorted(*totals.values()) == sorted(names):  # x + x
            return {next(iter(totals)): real_number(answers, f"{where}: the answer")}
        raise ValueError(
            f"{where}: this step asks for {len(names)} numbers {names!r} (got one number); "
            "pass a dict or a list"
        )
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


def backward_exercise(step: Step, arrivals: Sequence[float] = ()) -> Exercise:
    """Predict what each operand of ``step.node`` receives in this backward step.

    The expected numbers are ``step.added``: the gradient that arrived times the local
    derivative towards each operand. An operand used several times (``x + x``) can be
    answered per use or by its name, with its total. ``arrivals`` are the contributions
    that made up the gradient arriving at ``step.node`` (one per use of it further up,
    as the steppers know them): with two or more, an answer that passes on only one of
    them is told to add them up. The hints use the numbers the graph holds now (those of
    the step's forward pass) and never state a number that is the answer.
    """
    node, g, name_of = step.node, step.grad, step._name
    names = operand_names(node.parents, name_of)
    ask = _Backward(step, names, list(arrivals))
    formula = _in_words(node, [name_of(p) for p in node.parents], None)
    title = f"step {step.index} (backward): what each operand of {ask.at} = {formula} receives"
    totals: dict[str, list[str]] = {}
    for p, name in zip(node.parents, names):
        if name != name_of(p):  # a node used more than once here
            totals.setdefault(name_of(p), []).append(name)
    magnitude = max([abs(g), *(abs(a) for a in step.added)])
    return Exercise(
        title,
        dict(zip(names, step.added)),
        ask.diagnose,
        magnitude=magnitude,
        totals=totals,
    )


def arrivals(node, steps) -> list[float]:
    """What ``steps`` (backward steps taken before ``node``'s) passed to ``node``, per use.

    Their sum is the gradient that arrives at ``node``; ``backward_exercise`` uses them to
    tell a learner who passed on only one of them.
    """
    return [a for s in steps for p, a in zip(s.node.parents, s.added) if p is node]


def _times(n: int) -> tuple[str, str]:
    """``("twice", "both")``, ``("3 times", "all 3")``: how often a node is used."""
    return ("twice", "both") if n == 2 else (f"{n} times", f"all {n}")


class _Backward:
    """Why an answer for a backward step is wrong, without giving the answer away."""

    def __init__(self, step: Step, names: list[str], arrivals: list[float]) -> None:
        self.step, self.names, self.arrivals = step, names, arrivals
        self.at = step._name(step.node)
        node, n = step.node, len(step.node.parents)
        # now, while the graph holds this step's forward values (a stepper moves on later)
        self._rules = {
            (i, result): local_rule(node, i, step.local[i], step._name, result=result)
            for i in range(n)
            for result in (True, False)
        }

    def rule(self, i: int, result: bool) -> str:
        return self._rules[i, result]

    def diagnose(self, name: str, given: float, close) -> str:
        if name not in self.names:
            return self._total(name, given, close)
        i = self.names.index(name)
        local, expected, g = self.step.local[i], self.step.added[i], self.step.grad
        rule = self.rule(i, result=not close(local, expected))  # a local of g = 1 is the answer
        arrived = f", {fixed(g)}" if not close(g, expected) else ""
        if close(given, g) and not close(local * g, g):
            return f"you forgot the local derivative {rule}"
        if reused := self._forgot_a_use(given, local, expected, close):
            return reused
        if close(given, local) and not close(local * g, local):
            return (
                "that is the local derivative alone: multiply it by the gradient that "
                f"arrived at {self.at}{arrived}"
            )
        if close(given, -expected):
            return "the sign is wrong"
        for j, other in enumerate(self.step.added):
            if j != i and close(given, other):
                return (
                    f"that is what {self.names[j]} receives; towards {name} the local "
                    f"derivative is {rule}"
                )
        arrived = f" ({fixed(g)})" if arrived else ""
        return f"{name} receives the gradient that arrived at {self.at}{arrived} times {rule}"

    def _forgot_a_use(self, given: float, local: float, expected: float, close) -> str:
        """The hint for passing on one contribution of a node used several times, if so."""
        if len(self.arrivals) < 2:
            return ""
        if any(close(given, a * local) and not close(a * local, expected) for a in self.arrivals):
            twice, both = _times(len(self.arrivals))
            return f"{self.at} is used {twice}: add {both} contributions"
        return ""

    def _total(self, name: str, given: float, close) -> str:
        """Why a node's total over its uses in this step is wrong."""
        uses = [i for i, p in enumerate(self.step.node.parents) if self.step._name(p) == name]
        added = [self.step.added[i] for i in uses]
        total = math.fsum(added)
        twice, both = _times(len(uses))
        if any(close(given, a) and not close(a, total) for a in added):
            return f"{name} is used {twice}: add {both} contributions"
        if close(given, -total):
            return "the sign is wrong"
        return (
            f"{name} is used {twice}: it receives, from each use, the gradient that arrived "
            f"at {self.at} times that use's local derivative; add them up"
        )


def local_rule(node, i: int, local: float, name_of=None, *, result: bool = True) -> str:
    """The local derivative d(node)/d(operand i) in words and numbers (``local`` is its value).

    ``name_of(node)`` names the other operands (default: their labels); ``result=False``
    leaves out the value itself.

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
        ws, xs, _ = affine_operands(node)  # a weight multiplies its input, and the other way
        partner = name_of(xs[i] if i < len(ws) else ws[i - len(ws)])
    d = Local(local, node.data, ps[i].data, const, partner)
    return notation_rule(name, kind, i, len(ps), d, result=result)


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

    magnitude = max([abs(value), *(abs(x) for x in step.inputs)])
    return Exercise(title, {name: value}, diagnose, magnitude=magnitude)


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
    ws, xs, _ = affine_operands(node)
    data = dict(zip(node.parents, inputs))  # the values these operands have in the step
    if not isinstance(node._arg, tuple):  # weights and inputs are Values
        return [(data[w] * data[x], f"{name_of(w)}·{name_of(x)}") for w, x in zip(ws, xs)]
    return [(data[w] * c, f"{name_of(w)}·{c:g}") for w, c in zip(ws, xs)]


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

    scale = max(abs(new - old), FLOOR * max(abs(old), abs(new)))
    return Exercise(title, {name: new}, diagnose, scale={name: scale})


# ----------------------------------------------------------------------------------------------
# the widget


def predict_widget(stepper, *, rtol: float = RTOL, atol: float = ATOL):
    """A predict-first panel for a stepper: enter the next step's numbers, check, then reveal.

    The panel shows the stepper's current position (words and picture) and, for the next
    step, one box per number to predict; the boxes start empty (an empty box counts as "no
    answer given", never as 0). "check" compares them with ``stepper.check`` and shows the
    verdict; "reveal" moves the stepper on one step; "back" moves it back. Needs ipywidgets
    (``pip install 'stepgrad[widgets]'``).
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
                widgets.Text(
                    description=name,
                    placeholder="your number",
                    style={"description_width": "initial"},
                )
                for name in exercise.names
            )
        check.disabled = reveal.disabled = k == stepper.total
        back.disabled = k == 0

    def on_check(_) -> None:
        try:
            answers = _typed(boxes.children)
        except ValueError as error:
            feedback.value = f'<pre style="color: #c62828">{html.escape(str(error))}</pre>'
            return
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
    return panel


def _typed(boxes) -> dict[str, float]:
    """The numbers typed into the boxes, by name; empty boxes are left out."""
    answers = {}
    for box in boxes:
        text = box.value.strip()
        if not text:
            continue
        try:
            answers[box.description] = float(text.replace("−", "-"))
        except ValueError:
            raise ValueError(f"{box.description}: type a number (got {text!r})") from None
    return answers
