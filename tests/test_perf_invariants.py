"""What the performance work must not change, and what it must keep true.

The fast paths in ``walk_backward`` (one and two parents) must give exactly what the rule
table gives through ``contributions()``; the topological order must stay micrograd's
depth-first order (it fixes the order in which gradients are summed, so the bits); fused
nodes must equal their unfused chains; a training step must leave nothing behind, with the
cyclic garbage collector off. Counts of live objects, never timings.
"""

import gc
import random

from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, add_all, affine, topological_order
from autograd.backprop import contributions, walk_backward
from nn import MLP

# ---------------------------------------------------------------------------------------------
# random graphs with every kind of node: unary, with a constant, binary (also x * x), n-ary

_UNARY = [Value.tanh, Value.sigmoid, Value.relu, Value.softplus, Value.sin, abs]
_WITH_CONST = [
    lambda v: v * 1.5,
    lambda v: 0.25 + v,
    lambda v: v**2,
    lambda v: 2.0**v,
    lambda v: v.leaky_relu(0.1),
    lambda v: v / 1.5,
    lambda v: 1.5 / (v.tanh() + 2.0),  # a divisor in [1, 3]
]
_BINARY = [
    lambda a, b: a + b,
    lambda a, b: a * b,
    lambda a, b: a - b,
    lambda a, b: a / (b.tanh() + 2.0),
]


_BOUND = 1000.0


@st.composite
def graphs(draw):
    """(root, leaves): a random graph whose nodes share sub-expressions."""
    floats = st.floats(-1.5, 1.5, allow_nan=False)
    leaves = [Value(draw(floats)) for _ in range(draw(st.integers(1, 4)))]
    pool = list(leaves)
    for _ in range(draw(st.integers(1, 25))):
        kind = draw(st.sampled_from(["unary", "const", "binary", "same", "sum", "affine"]))
        pick = st.sampled_from(pool)
        if kind == "unary":
            node = draw(st.sampled_from(_UNARY))(draw(pick))
        elif kind == "const":
            node = draw(st.sampled_from(_WITH_CONST))(draw(pick))
        elif kind == "binary":
            node = draw(st.sampled_from(_BINARY))(draw(pick), draw(pick))
        elif kind == "same":  # one node as both operands: two contributions to one parent
            v = draw(pick)
            node = v * v
        elif kind == "sum":
            node = add_all(draw(st.lists(pick, min_size=1, max_size=5)))
        else:
            n = draw(st.integers(0, 4))
            ws = [draw(pick) for _ in range(n)]
            xs = draw(st.lists(st.one_of(pick, floats), min_size=n, max_size=n))
            node = affine(ws, xs, draw(pick))
        # Keep every value below _BOUND so that no later op can overflow: repeated squaring
        # otherwise reaches 2.0 ** v with v near 1e300 after a few ops (about 1 run in 5 of the
        # ci profile failed that way). With |v| < _BOUND every op above stays finite:
        # 2 ** 1000 < 1.8e308, and products, squares and sums of such values too.
        pool.append(node if abs(node.data) < _BOUND else node.tanh())
    root = add_all(pool[len(leaves) :])  # every node built takes part
    return root, leaves


@given(graphs())
def test_fast_paths_give_exactly_what_the_rule_table_gives(graph):
    root, _ = graph
    for node, g, added in walk_backward(root):
        expected = contributions(node, g)
        assert len(added) == len(expected) and all(map(_same, added, expected))


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


def _same(a: float, b: float) -> bool:
    """Equal floats, NaN equal to NaN: gradients may still overflow to inf, and inf - inf."""
    return a == b or (a != a and b != b)


def _reference_order(root):
    """micrograd's recursive depth-first topological sort, with parents in operand order."""
    order, seen = [], set()

    def visit(v):
        if v not in seen:
            seen.add(v)
            for p in v.parents:
                visit(p)
            order.append(v)

    visit(root)
    return order


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
    scores = [model(list(map(Value, x))) for x in X]
    losses = [(1 + -yi * s).relu() for yi, s in zip(y, scores)]
    total = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in model.parameters())
    model.zero_grad()
    total.backward()
    for p in model.parameters():
        p.data -= (1.0 - 0.9 * k / 100) * p.grad


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
