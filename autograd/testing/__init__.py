"""Property-testing gradients: hypothesis strategies, and a check for an engine of your own.

- ``reals(op=...)`` and ``expressions()`` (``autograd.testing.strategies``): domain-aware floats
  and random expression graphs with shared sub-expressions, made to feed ``gradcheck``;
- ``check_engine(MyValue)`` (``autograd.testing.engine_check``): a Value class of your own
  tested against stepgrad and finite differences, the first disagreement shrunk to the
  smallest formula that shows it.

hypothesis is a development dependency (``pip install hypothesis``); ``import autograd`` does
not import this package.

>>> from autograd.testing import check_engine, expressions, reals
"""

from autograd.testing.engine_check import EngineCheckError, EngineReport, check_engine
from autograd.testing.strategies import (
    OPS,
    Domain,
    Expression,
    Op,
    expressions,
    finite_differences_are_accurate,
    reals,
    variant,
)

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
