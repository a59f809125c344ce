"""Stepping through a computation: the forward and backward passes one node at a time.

- ``backward_steps(root)`` and ``forward_steps(root)``: iterators that perform the pass one
  node at a time, each step explained in numbers (``autograd.backward_steps``,
  ``autograd.forward_steps``);
- ``BackwardStepper(root)``: a backward pass to move through in a notebook or a saved page,
  with a live widget and a page that needs no kernel (``autograd.stepping.backward_stepper``,
  on the shared ``Stepper`` base of ``autograd.stepping.stepper``);
- predict first: ``stepper.check(k, answers)`` and ``predict_widget(stepper)`` grade what you
  work out by hand (``autograd.stepping.exercises``).

>>> from autograd import Value
>>> from autograd.stepping import BackwardStepper
>>> x = Value(3.0, label="x")
>>> BackwardStepper(x * x).total
1
"""

from autograd.backward_steps import StaleGraphError, Step, backward_steps
from autograd.forward_steps import ForwardStep, forward_steps
from autograd.stepping.backward_stepper import BackwardStepper
from autograd.stepping.exercises import Exercise, Verdict, predict_widget
from autograd.stepping.stepper import Stepper

__all__ = [
    "BackwardStepper",
    "Exercise",
    "ForwardStep",
    "StaleGraphError",
    "Step",
    "Stepper",
    "Verdict",
    "backward_steps",
    "forward_steps",
    "predict_widget",
]
