"""Values, first and second derivatives of random expressions against PyTorch (float64).

Optional: skipped unless torch is installed (``pip install -e '.[torch]'``). Each expression
is evaluated again with 0-dim float64 tensors, op for op, and differentiated by
``torch.autograd.grad``.
"""

import math
import struct

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from autograd import Value, grad, jvp
from autograd.testing import expressions
from autograd.testing.strategy_ops import OPS
from tests.optional_torch import import_torch

torch = import_torch()  # skipped without torch; required under STEPGRAD_REQUIRE_TORCH=1
F = torch.nn.functional

TORCH_FUNCTIONS = {  # ops whose float reference does not work on tensors as it is
    "exp": torch.exp,
    "log": torch.log,
    "sqrt": torch.sqrt,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "relu": torch.relu,
    "softplus": F.softplus,
    "sin": torch.sin,
    "cos": torch.cos,
    "tan": torch.tan,
    "leaky_relu": lambda x, c: F.leaky_relu(x, negative_slope=c),
}


def torch_function(op):
    """What computes ``op`` on tensors: its float reference, unless that loses the graph."""
    if op.name == "**" and op.kind == "constant left":
        return lambda x, c: c**x  # the reference uses math.pow
    return TORCH_FUNCTIONS.get(op.name, op.reference)


def torch_evaluate(f, xs):
    """The output of expression ``f`` computed with torch on the tensors ``xs``."""
    vals = list(xs)
    for node in f.nodes:
        fn = torch_function(node.op)
        args = [vals[i] for i in node.args]
        vals.append(fn(*args, node.const) if node.op.constants else fn(*args))
    return vals[-1]


def _example_constant(op):
    if op.constant_count is not None:
        return tuple(op.constants[0] for _ in range(op.constant_count(op.arities[0])))
    return op.constants[0] if op.constants else None


@pytest.mark.parametrize("op", OPS, ids=lambda op: f"{op.name} ({op.kind})")
def test_every_op_the_strategies_draw_keeps_its_torch_graph(op):
    # The registry drives this list: a built-in added without a tensor function here (tan
    # once was) would go through math.tan, turn the tensor into a float and lose the graph.
    xs = [0.5 + 0.125 * i for i in range(op.arities[0])]
    const = _example_constant(op)
    extra = () if const is None else (const,)
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    out = torch_function(op)(*ts, *extra)
    assert isinstance(out, torch.Tensor) and out.requires_grad, (op.name, out)
    assert close(out.item(), op.reference(*xs, *extra))


def torch_grad(out, xs):
    """d out / d xs as tensors with graphs (zeros where out does not depend on an input)."""
    if not out.requires_grad:
        return [torch.zeros((), dtype=torch.float64) for _ in xs]
    gs = torch.autograd.grad(out, xs, create_graph=True, allow_unused=True)
    return [torch.zeros((), dtype=torch.float64) if g is None else g for g in gs]


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@settings(max_examples=100)
@given(expressions())
def test_values_first_and_second_derivatives_agree_with_torch(case):
    f, inputs = case
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in inputs]
    t_out = torch_evaluate(f, ts)
    t_first = torch_grad(t_out, ts)
    t_second = [[h.item() for h in torch_grad(g, ts)] for g in t_first]

    xs = [Value(x) for x in inputs]
    out = f(*xs)
    first = grad(out, xs, create_graph=True)
    second = [grad(g, xs) for g in first]

    assert close(out.data, t_out.item()), (out.data, t_out.item())
    assert all(close(a.data, b.item()) for a, b in zip(first, t_first)), (first, t_first)
    for row, t_row in zip(second, t_second):
        assert all(close(a, b) for a, b in zip(row, t_row)), (second, t_second)


_TINY = 2.2250738585072014e-308  # the smallest normal float


@given(
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(allow_nan=False, allow_infinity=False).filter(lambda v: v != 0.0),
)
@example(1e-320, 1e-320)
@example(1e-200, 1e-200)  # torch's y * y underflows: its d/dy is -inf, ours -1e200 (exact)
def test_division_agrees_with_torch(x, y):
    tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    ty = torch.tensor(y, dtype=torch.float64, requires_grad=True)
    t_out = tx / ty
    t_dx, t_dy = (g.item() for g in torch.autograd.grad(t_out, [tx, ty]))
    a, b = Value(x), Value(y)
    out = a / b
    dx, dy = grad(out, [a, b])
    assert struct.pack("<d", out.data) == struct.pack("<d", t_out.item())  # bit for bit
    assert dx == t_dx  # g / y, rounded once in both
    if abs(y * y) >= _TINY and math.isfinite(t_dy):  # torch's -g * x / (y * y) is accurate
        assert math.isclose(dy, t_dy, rel_tol=1e-15, abs_tol=2e-323), (dy, t_dy)  # 4 subnormal ulp


# torch.func.jvp scripts a helper of its own with torch.jit.script, which warns from 2.13 on
@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
@settings(max_examples=100)
@given(expressions(), st.data())
def test_forward_mode_agrees_with_torch_func_jvp(case, data):
    f, inputs = case
    direction = st.integers(-200, 200).map(lambda k: k / 100)
    v = data.draw(st.lists(direction, min_size=len(inputs), max_size=len(inputs)))
    primals = tuple(torch.tensor(x, dtype=torch.float64) for x in inputs)
    tangents = tuple(torch.tensor(t, dtype=torch.float64) for t in v)
    t_out, t_d = torch.func.jvp(lambda *ts: torch_evaluate(f, ts), primals, tangents)
    out, d = jvp(f, inputs, v)
    assert close(out.data, t_out.item()), (out.data, t_out.item())
    assert close(d, t_d.item()), (d, t_d.item())
