"""A large graph compiles as pieces (functions of a few hundred nodes) with the same bits.

``compile`` writes a graph of more than ``_PIECES_ABOVE`` nodes as forward and backward
functions of ``_PIECE_NODES`` nodes each, compiled one at a time, so that Python's compiler
never holds the whole graph's code at once. Here the sizes are forced small, so that random
graphs of a few nodes are cut anywhere, and every result is compared bit for bit (signed
zeros, nan) with the same graph compiled as one function and with the engine.
"""

import gc
import linecache
import math
import struct
import traceback
from contextlib import contextmanager
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, add_all, compile, compiling, define_op
from autograd.testing import expressions
from nn.testing import mlps


def bits(xs):
    return [b"nan" if x != x else struct.pack("<d", x) for x in xs]


@contextmanager
def pieces_of(size: int, above: int = 0):
    """Compile every graph of more than ``above`` nodes in pieces of ``size`` nodes."""
    with (
        mock.patch.object(compiling, "_PIECES_ABOVE", above),
        mock.patch.object(compiling, "_PIECE_NODES", size),
    ):
        yield


def outcome(cf, inputs):
    """The bits of the value and the gradients, or the error an op raised."""
    try:
        value, grads = cf(*inputs)
    except (ArithmeticError, ValueError) as error:
        return type(error), str(error)
    return bits([value]), bits(grads)


def engine(fn, inputs):
    leaves = [Value(float(x)) for x in inputs]
    root = fn(*leaves)
    root.backward()
    return bits([root.data]), bits([v.grad for v in leaves])


SPECIAL = st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.5, 1e-320, 1e308, math.inf, -math.inf, math.nan])


@given(expressions(max_nodes=12), st.integers(1, 5), st.lists(SPECIAL, min_size=3, max_size=3))
def test_random_graphs_in_pieces_give_the_bits_of_one_function(case, size, special):
    f, inputs = case
    whole = compile(f, inputs)
    with pieces_of(size):
        cut = compile(f, inputs)
    assert "_backward_" in cut.source or not cut.source.count("\n    ")  # or a leaf root
    assert outcome(cut, inputs) == outcome(whole, inputs) == engine(f, inputs)
    moved = special[: len(inputs)]  # inf, nan, signed zeros: every rule runs, or an op raises
    assert outcome(cut, moved) == outcome(whole, moved)


@given(mlps(), st.integers(1, 7))
def test_random_mlps_in_pieces_give_the_bits_of_one_function(case, size):
    f, inputs = case
    whole = compile(f, inputs)
    with pieces_of(size):
        cut = compile(f, inputs)
    assert outcome(cut, inputs) == outcome(whole, inputs)
    flipped = [-x for x in inputs]  # other ReLUs inactive: other rules skipped
    assert outcome(cut, flipped) == outcome(whole, flipped)


def mixed(x, y):
    a = (x * y).relu() + abs(x) * y.sigmoid() - (x - y).tanh()
    return a + y.softplus() * x.leaky_relu(0.1) + x.sin() * y.cos() + (x * 0.5).exp()


@given(st.integers(1, 6), SPECIAL, SPECIAL)
def test_pieces_skip_zero_gradients_exactly(size, x, y):
    with pieces_of(size):
        cut = compile(mixed, [0.3, -0.7])
    assert "or run_all:" in cut.source  # guarded rules, run_all passed to every piece
    assert outcome(cut, [x, y]) == engine(mixed, [x, y])


def test_a_large_chain_compiles_in_small_pieces():
    n = compiling._PIECES_ABOVE // 3 + 1  # three nodes a step: just above the threshold

    def chain(x, y):
        for _ in range(n):
            x = (x * y + 0.1).tanh()
        return x

    cf = compile(chain, [0.3, 1.1])
    assert outcome(cf, [0.3, 1.1]) == outcome(cf, [0.3, 1.1]) == engine(chain, [0.3, 1.1])
    pieces = [f for name, f in cf._run.__globals__.items() if "ward_" in name]
    assert len(pieces) >= 2 * (3 * n) // compiling._PIECE_NODES
    most = max(f.__code__.co_nlocals for f in pieces)
    assert most <= 2 * compiling._PIECE_NODES + 10  # values and gradients of one piece
    assert f"# {3 * n + 2} nodes, in pieces of {compiling._PIECE_NODES}" in cf.source


def test_pieces_raise_the_ops_errors_and_check_finds_a_branch_on_data():
    def f(x, y):
        return (x / y).log() * x

    with pieces_of(2):
        cf = compile(f, [1.0, 2.0], check=True)
    with pytest.raises(ZeroDivisionError) as cut:
        cf(1.0, 0.0)
    with pytest.raises(ZeroDivisionError) as whole:
        compile(f, [1.0, 2.0])(1.0, 0.0)
    assert str(cut.value) == str(whole.value)

    def branchy(x):
        y = x * 2.0
        return (y * y if x.data > 0 else -y).tanh() + x

    with pieces_of(2), pytest.raises(compiling.CompileError, match="depends on the data"):
        compile(branchy, [1.0], check=True)


def test_pieces_with_params_unused_inputs_and_define_op():
    cube = define_op("cube_pieces", lambda x: x**3, lambda x, out: 3 * x**2)
    w = Value(0.5, label="w")

    def f(x, unused, y):
        return add_all([cube(x * w), y * w, (x + y).exp()]) * w

    whole = compile(f, [0.5, 9.0, -1.5], params=[w])
    with pieces_of(3):
        cut = compile(f, [0.5, 9.0, -1.5], params=[w])
    for point in ([0.5, 9.0, -1.5], [-2.0, 0.0, 3.0]):
        assert outcome(cut, point) == outcome(whole, point)
    assert cut(0.5, 9.0, -1.5).grads[1] == 0.0  # an input the graph does not use


def test_pieces_leave_linecache_with_their_function():
    def f(x):
        return (x * 2.0).log() * x + x

    with pieces_of(2):
        cf = compile(f, [1.0])
    files = {p.__code__.co_filename for p in cf._run.__globals__.values() if callable(p)}
    files = {name for name in files if name.startswith("<autograd.compile")}
    assert len(files) >= 3 and files <= set(linecache.cache)
    try:
        cf(-1.0)
    except ValueError:
        shown = traceback.format_exc()
    assert "= log(mul_1)" in shown  # tracebacks show the line of the piece that raised
    del cf, shown
    gc.collect()
    assert not files & set(linecache.cache)


@pytest.mark.parametrize("size", [1, 2, 3])
def test_pieces_run_every_rule_when_a_value_is_inf(size):
    def f(x, y):
        return (x * y).relu() + y

    with pieces_of(size):
        cut = compile(f, [1.0, 2.0])
    # relu's gradient is 0 at -inf, but the engine still adds 0 * inf (nan) into d/dx
    assert outcome(cut, [-1.0, math.inf]) == engine(f, [-1.0, math.inf])
    assert math.isnan(cut(-1.0, math.inf).grads[0])
