"""The old path of ``BackwardStepper``, kept for code that imports it from here.

Today's faces: ``from autograd import BackwardStepper`` or ``from autograd.stepping import
BackwardStepper``.

>>> from autograd.widgets import BackwardStepper
"""

from autograd.stepping.backward_stepper import BackwardStepper

__all__ = ["BackwardStepper"]
