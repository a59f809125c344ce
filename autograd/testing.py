"""Hypothesis strategies for property-testing gradients: domain-aware floats, random expressions.

Two strategies, each made to feed ``gradcheck`` (``nn.testing.mlps`` adds networks):

- ``reals(op=...)``: floats inside an operation's domain, a margin away from its kinks and poles.
- ``expressions()``: random expression graphs over every primitive, with shared sub-expressions,
  paired with inputs at which every operation is a margin away from its kinks and poles and
  finite differences are accurate (``finite_differences_are_accurate``), so a correct engine
  passes ``gradcheck`` and ``gradgradcheck`` on every example.

An expression ``f`` is callable on Values, carries the same function on plain floats as
``f.reference`` (which ``gradcheck`` uses to check the forward value), and prints as a formula,
so a failing example reads ``f(x0, x1) = tanh(x0 * x1) + (x0 * x1) ** 2``. Property-testing a
composite function of your own takes five lines:

>>> from hypothesis import given
>>> from autograd import gradcheck
>>> from autograd.testing import reals
>>> @given(reals(), reals(op="log"))
... def test_my_function(x, y):
...     assert gradcheck(lambda a, b: (a * b.log()).tanh() + a / b, [x, y])
>>> test_my_function()

``check_engine`` tests a Value class of your own (a micrograd written while following the
lecture) on such expressions against stepgrad (``autograd.engine_check``).

hypothesis is a development dependency (``pip install hypothesis``); ``import autograd`` does
not import this module.
"""

from __future__ import annotations

from autograd._formulas import Expression
from autograd._formulas import _Node as _Node  # for tests
from autograd._strategies import FD_BUDGET as FD_BUDGET
from autograd._strategies import _distance_to_edge as _distance_to_edge  # for bench/
from autograd._strategies import _each_example as _each_example  # for tests and bench/
from autograd._strategies import expressions, finite_differences_are_accurate, reals
from autograd._strategy_ops import OPS, Domain, Op, variant
from autograd.engine_check import EngineCheckError, EngineReport, check_engine

__all__ = [
    "OPS",
    "Domain",
    "EngineCheckError",
    "EngineReport",
    "Expression",
    "Op",
    "check_engine",
    "expressions",
    "finite_differences_are_accurate",
    "reals",
    "variant",
]
