"""stepgrad's engine: scalar Values, their graphs, and reverse-mode gradients.

>>> from autograd import Value
>>> x = Value(3.0, label="x")
>>> y = x * x + 2 * x
>>> y.backward()
>>> x.grad
8.0
"""

from __future__ import annotations

from autograd._guard import check_installation
from autograd.backprop import grad, topological_order
from autograd.checking import gradcheck, gradgradcheck
from autograd.compiling import compile
from autograd.draw.dot import draw_dot
from autograd.errors import DivisionByZeroError, GradcheckError
from autograd.forward_mode import Dual, duals, forward_tangents, jvp
from autograd.forward_steps import ForwardStep, forward_steps
from autograd.fused import add_all, affine
from autograd.mode import enable_grad, is_grad_enabled, no_grad
from autograd.ops import define_op
from autograd.scopes import record_scopes, scope
from autograd.stepping import BackwardStepper, StaleGraphError, Step, backward_steps
from autograd.value import Value

check_installation()

__version__ = "0.1.0"  # the single source: pyproject.toml reads it (tool.hatch.version)
__stepgrad__ = True  # read by nn's import guard: this `autograd` is stepgrad's

__all__ = [
    "BackwardStepper",
    "DivisionByZeroError",
    "Dual",
    "ForwardStep",
    "GradcheckError",
    "StaleGraphError",
    "Step",
    "Value",
    "add_all",
    "affine",
    "backward_steps",
    "compile",
    "define_op",
    "draw_dot",
    "duals",
    "enable_grad",
    "forward_steps",
    "forward_tangents",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "is_grad_enabled",
    "jvp",
    "no_grad",
    "record_scopes",
    "scope",
    "topological_order",
]
