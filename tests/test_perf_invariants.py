"""What the performance work must not change, and what it must keep true.

The fast paths of backward's walk (one and two parents, ``affine``, ``sum``) must give exactly
what the rule table gives through ``contributions()``; the topological order must stay micrograd's
depth-first order (it fixes the order in which gradients are summed, so the bits); fused
nodes must equal their unfused chains; a training step must leave nothing behind, with the
cyclic garbage collector off. Counts of live objects, never timings.
"""

import gc
import random
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, add_all, affine, topological_order
from autograd.backprop import contributions
from nn import MLP
from tests.examples import demo_loss, micrograd_topological_order
from tests.reference_backward import walk_backward
from tests.strategies import graphs


@given(graphs())
def test_fast_paths_give_exactly_what_the_rule_table_gives(graph):
    """Each node's parents get, bit for bit, the table's contributions added in operand order.

    The fast paths: one and two parents, the fused ``affine`` (Values or constants as inputs,
    a Value both a weight and an input) and ``sum``, written out in ``_add_contributions``.
    """
    root, _ = graph
    for node, g, before in walk_backward(root):
        expected = dict(zip(node.parents, before))
        for p, d in zip(node.parents, contributions(node, g)):
            expected[p] += d
        assert [_bits(p.grad) for p in node.parents] == [_bits(expected[p]) for p in node.parents]


@pytest.mark.slow
@given(graphs())
def test_backward_sums_exactly_as_the_generic_walk(graph):
    """Every node's grad equals a walk that calls contributions() for every node."""
    root, leaves = graph
    for v in leaves:
        v.grad = 0.0
    root.backward()
    expected = {v: 0.0 for v in topological_order(root)}
    expected[root] = 1.0
    for node in reversed(topological_order(root, include_leaves=False)):
        for p, d in zip(node.parents, contributions(node, expected[node])):
            expected[p] += d
    assert all(_same(v.grad, g) for v, g in expected.items())


def _bits(x: float) -> bytes:
    return struct.pack("<d", x)


def _same(a: float, b: float) -> bool:
    """Equal floats, NaN equal to NaN: gradients may still overflow to inf, and inf - inf."""
    return a == b or (a != a and b != b)


def _reference_order(root):
    """micrograd's recursive depth-first topological sort, with parents in operand order."""
    return micrograd_topological_order(root, lambda v: v.parents)


@pytest.mark.slow
@given(graphs())
def test_topological_order_is_the_depth_first_order(graph):
    root, _ = graph
    reference = _reference_order(root)
    assert topological_order(root) == reference
    assert topological_order(root, include_leaves=False) == [v for v in reference if v.parents]


def test_sorting_restores_the_garbage_collector_state():
    x = Value(1.0)
    y = (x * 2).tanh()
    assert gc.isenabled()
    topological_order(y)
    assert gc.isenabled()
    gc.disable()
    try:
        y.backward()
        assert not gc.isenabled()
    finally:
        gc.enable()


# ---------------------------------------------------------------------------------------------
# fused nodes equal their chains, bit for bit


@given(
    st.lists(st.floats(-3, 3, allow_nan=False), min_size=0, max_size=12),
    st.floats(-3, 3, allow_nan=False),
    st.booleans(),
)
def test_affine_equals_the_chain_it_replaces(values, bias, inputs_are_values):
    n = len(values) // 2
    ws = [Value(v) for v in values[:n]]
    xs = [Value(v) if inputs_are_values else v for v in values[n : 2 * n]]
    b = Value(bias)
    fused = affine(ws, xs, b)
    chain = b
    for w, x in zip(ws, xs):
        chain = chain + w * x
    assert fused.data == chain.data
    fused.backward()
    fused_grads = [p.grad for p in [*ws, *xs, b] if isinstance(p, Value)]
    for p in [*ws, *xs, b]:
        if isinstance(p, Value):
            p.grad = 0.0
    chain.backward()
    assert fused_grads == [p.grad for p in [*ws, *xs, b] if isinstance(p, Value)]


def test_fused_sums_round_like_the_chain_on_every_python():
    """Python 3.12's builtin sum() compensates rounding; a chain of + does not, nor may we."""
    terms = [0.1, 1e16, -1e16, 0.3]  # the chain gives 0.3, a compensated sum 0.4
    chain = 0.0
    for t in terms:
        chain = chain + t
    ones = [Value(1.0) for _ in terms]
    assert add_all([Value(t) for t in terms]).data == chain == 0.3
    assert affine([Value(t) for t in terms], ones, Value(0.0)).data == chain
    assert affine([Value(t) for t in terms], [1.0] * 4, Value(0.0)).data == chain


def test_fused_nodes_still_name_the_bad_argument():
    w, b = Value(1.0), Value(0.0)
    cases = [
        (lambda: affine([w, 2.0], [Value(1.0), Value(1.0)], b), "weights[1] must be a Value"),
        (lambda: affine([w], [Value(1.0)], 0.0), "bias must be a Value (got float)"),
        (lambda: affine([w], ["x"], b), "expected a Value or a real number, got 'x'"),
        (lambda: add_all([w, 1.0]), "values[1] must be a Value (got float)"),
    ]
    for build, message in cases:
        try:
            build()
        except TypeError as e:
            assert message in str(e)
        else:
            raise AssertionError(f"no TypeError for {message!r}")


# ---------------------------------------------------------------------------------------------
# memory: no cycles, so nothing stays behind, step after step


def _live_values() -> int:
    return sum(1 for o in gc.get_objects() if type(o) is Value)


def _demo_step(model, X, y, k):
    """One step of micrograd's demo: hinge loss + L2 over all points, backward, SGD."""
    total = demo_loss(model, X, y)
    model.zero_grad()
    total.backward()
    for p in model.parameters():
        p.data -= (1.0 - 0.9 * k / 100) * p.grad


@pytest.mark.slow
def test_training_steps_leave_nothing_behind_without_the_cyclic_collector():
    rng = random.Random(0)
    model = MLP(2, [8, 8, 1], rng=rng)
    X = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(20)]
    y = [1.0 if a * b > 0 else -1.0 for a, b in X]
    gc.collect()
    gc.disable()
    try:
        before = _live_values()  # the weights, and what other tests left alive
        _demo_step(model, X, y, 0)  # warm up
        counts = []
        for k in range(1, 16):
            _demo_step(model, X, y, k)
            counts.append(_live_values())
        found = gc.collect()
    finally:
        gc.enable()
    assert counts == [before] * len(counts)  # every step's graph is gone, only the weights stay
    assert found == 0


def test_a_dropped_deep_graph_is_freed_at_once():
    gc.collect()
    gc.disable()
    try:
        before = _live_values()
        x = Value(0.5)
        y = x
        for _ in range(20_000):
            y = (0.0001 + 1.0001 * y) ** 0.9999
        y.backward()
        assert _live_values() == before + 60_001
        del y
        assert _live_values() == before + 1  # x alone
    finally:
        gc.enable()
