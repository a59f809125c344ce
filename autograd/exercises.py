"""The old path of the stepper exercises (``autograd.stepping.exercises``), kept for old code.

>>> from autograd.exercises import predict_widget
"""

from autograd.stepping.exercises import Exercise, Verdict, predict_widget

__all__ = ["Exercise", "Verdict", "predict_widget"]
