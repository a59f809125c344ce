"""Positions by node name: ``stepper.position_of("z1")`` and ``stepper.check("z1", answers)``.

A stepper's positions are numbers ``0..total``; a learner thinks in nodes. ``position_of``
finds the position of a node's step from its name as the texts and pictures show it (its
label, or ``n3`` for an unlabelled node) or from the node itself, and ``check`` accepts a
name wherever it accepts a position. Where a node has a step in more than one phase (a
``LearningStepper`` computes a node in the forward pass and passes its gradient on in the
backward pass), ``phase=`` says which.
"""

from __future__ import annotations

from autograd.stepping.exercises import ATOL, RTOL, Verdict
from autograd.stepping.stepper import Stepper
from autograd.value import Value

__all__ = ["NamedStepper"]


class NamedStepper(Stepper):
    """A ``Stepper`` whose steps can be found by the name of their node.

    Subclasses implement ``_steps_by_name() -> {name: {phase: [positions]}}`` and
    ``_steps_of(node) -> {phase: [positions]} | None`` (the steps of one of your nodes, None
    if it is not in the graph); ``_leaf_note(name)`` may explain why a name has no step.
    """

    phases: tuple[str, ...] = ("backward",)

    def _steps_by_name(self) -> dict[str, dict[str, list[int]]]:
        raise NotImplementedError(f"{type(self).__name__} must implement _steps_by_name()")

    def _steps_of(self, node: Value) -> dict[str, list[int]] | None:
        raise NotImplementedError(f"{type(self).__name__} must implement _steps_of(node)")

    def _leaf_note(self, name: str) -> str:
        return ""

    def position_of(self, node: str | Value, phase: str | None = None) -> int:
        """The position of the step of ``node``: a name as the texts show it, or the node.

        ``phase`` (``"forward"``, ``"backward"``, ``"update"``) picks one where the node has
        a step in several phases. ``ValueError`` for a name that is not in the graph, a node
        without a step (a leaf) or an ambiguous name.
        """
        where = f"{type(self).__name__}.position_of"
        if phase is not None and phase not in self.phases:
            raise ValueError(f"{where}: phase must be one of {self.phases!r} (got {phase!r})")
        steps, name = self._found(node, where)
        if phase is not None:
            steps = {p: ks for p, ks in steps.items() if p == phase}
        if not any(steps.values()):
            note = self._leaf_note(name)
            if note:
                raise ValueError(f"{where}: {note}")
            known = sorted(self._steps_by_name())
            in_phase = f" in phase {phase!r}" if phase else ""
            raise ValueError(
                f"{where}: no node is called {name!r}{in_phase}; the nodes with a step are "
                f"{known!r}"
            )
        if len(steps) > 1:
            found = " and in ".join(f"{p} (position {ks[0]})" for p, ks in steps.items())
            raise ValueError(
                f"{where}: {name} has a step in {found}: pass phase= one of {list(steps)!r}"
            )
        (positions,) = steps.values()
        if len(positions) > 1:
            raise ValueError(
                f"{where}: {len(positions)} nodes are called {name} (positions "
                f"{', '.join(map(str, positions))}): pass the node itself or a position"
            )
        return positions[0]

    def _found(self, node: str | Value, where: str) -> tuple[dict[str, list[int]], str]:
        """The steps of ``node`` by phase, and its name."""
        if isinstance(node, str):
            return dict(self._steps_by_name().get(node, {})), node
        if isinstance(node, Value):
            steps = self._steps_of(node)
            if steps is None:
                raise ValueError(
                    f"{where}: node must be a node of the stepper's graph (got {node!r})"
                )
            return steps, node.label or repr(node)
        raise TypeError(
            f"{where}: node must be a name (str) or a Value (got {type(node).__name__})"
        )

    def check(  # adds names and phase= to Stepper.check
        self,
        k: int | str | Value,
        answers,
        *,
        phase: str | None = None,
        rtol: float = RTOL,
        atol: float = ATOL,
    ) -> Verdict:
        """Predict first: your numbers for the step at ``k``, a position or a node's name.

        ``stepper.check("z1", answers)`` is ``stepper.check(stepper.position_of("z1"),
        answers)``; ``phase=`` picks the phase where the node has several steps. See
        ``Stepper.check`` for the answers and the verdict.
        """
        if isinstance(k, str | Value):
            k = self.position_of(k, phase)
        elif phase is not None:
            raise ValueError(
                f"{type(self).__name__}.check: phase= goes with a node's name (got position {k!r})"
            )
        return super().check(k, answers, rtol=rtol, atol=atol)
