"""backward() and grad(): accumulation, micrograd's known faults, deep graphs, freeing."""

import gc
import math
import tracemalloc

import pytest

from autograd import Value, add_all, enable_grad, grad, is_grad_enabled, no_grad
from autograd.backprop import topological_order

# ---------------------------------------------------------------------------------------------
# regression tests for micrograd's known faults


def test_a_times_a():
    a = Value(3.0)
    (a * a).backward()
    assert a.grad == 6.0


def test_a_plus_a():
    a = Value(3.0)
    (a + a).backward()
    assert a.grad == 2.0


def test_reused_intermediate():
    a = Value(2.0)
    b = a * 3  # used twice below
    c = b * b + b
    c.backward()
    assert c.data == 42.0
    assert b.grad == 2 * 6.0 + 1  # d(b^2 + b)/db = 2b + 1 = 13
    assert a.grad == 13.0 * 3


def test_second_backward_doubles_leaves_exactly():
    a, b = Value(1.5), Value(-0.5)
    h = (a * b).tanh()
    y = h * h + h * a
    y.backward()
    first = (a.grad, b.grad, h.grad)
    y.backward()
    assert (a.grad, b.grad) == (2 * first[0], 2 * first[1])
    assert h.grad == first[2]  # intermediates are recomputed, not accumulated stale


def test_no_stale_intermediate_grads_across_different_roots():
    x = Value(2.0)
    h = x * x
    (h * 3).backward()
    assert h.grad == 3.0
    x.grad = 0.0
    (h * 5).backward()
    assert h.grad == 5.0  # micrograd would leave 3 + 5 = 8 here and propagate it
    assert x.grad == 5.0 * 4.0


def test_grad_starts_as_float_zero():
    assert type(Value(1.0).grad) is float


def test_leaf_root():
    x = Value(4.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0


@pytest.mark.slow
def test_deep_chain_of_a_million_operations():
    x = Value(0.5)
    y = x
    for _ in range(1_000_000):
        y = y * 1.0
    y.backward()
    assert y.data == 0.5
    assert x.grad == 1.0
    del y  # freeing a deep chain must not hit the C stack either


def test_grad_on_a_deep_chain():
    x = Value(0.5)
    y = x
    for _ in range(100_000):
        y = y + 1.0
    assert grad(y, [x]) == [1.0]


def test_topological_order_is_deterministic_and_parents_first():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    e = d * c
    order = topological_order(e)
    assert order == [a, b, c, d, e]
    position = {v: i for i, v in enumerate(order)}
    for v in order:
        assert all(position[p] < position[v] for p in v.parents)
    assert topological_order(e, include_leaves=False) == [c, d, e]


def test_backward_rejects_non_values():
    with pytest.raises(TypeError, match="expected a Value"):
        grad(1.0, [])
    with pytest.raises(TypeError, match="inputs must be Values"):
        grad(Value(1.0), [1.0])


# ---------------------------------------------------------------------------------------------
# freeing: no reference cycles, so reference counting alone frees a graph


def _build_and_backprop(n):
    x = Value(0.3)
    y = x
    for i in range(n):
        y = (y * 1.0001 + x).tanh() + (y.sigmoid() if i % 2 else y.relu())
    y.backward()
    return x


def test_graph_is_freed_without_the_cyclic_collector():
    gc.collect()
    gc.disable()
    try:
        _build_and_backprop(10)  # warm up: imports, caches
        tracemalloc.start()
        _build_and_backprop(2000)
        after_first, peak = tracemalloc.get_traced_memory()
        _build_and_backprop(2000)
        after_second = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        found = gc.collect()
    finally:
        gc.enable()
    # what stays is CPython's bounded free lists (tuples), not the 10,000-node graph
    assert after_first < peak / 10
    assert after_second - after_first < 2_000  # flat: nothing accumulates run after run
    assert found == 0  # nothing was waiting for the cycle collector


def test_a_node_takes_at_most_185_bytes():
    """bench's W1 chain: a node, its parents' tuple and its float.

    152 bytes before Values took attributes; ``__dict__`` in ``__slots__`` adds 32 on CPython
    3.11 (two pointers before the object, and the allocation they round up to).
    """
    x = Value(0.5)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    y = x
    for _ in range(3000):
        y = (0.0001 + 1.0001 * y) ** 0.9999
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert used / len(topological_order(y, include_leaves=False)) <= 185  # 184.4 measured


def test_nodes_hold_no_closures():
    x = Value(1.0)
    y = (x * 2).tanh()
    assert gc.get_referents(y) and all(not callable(r) or r is type(y) for r in vars_of(y))


def vars_of(v):
    return [getattr(v, s) for s in type(v).__slots__]


# ---------------------------------------------------------------------------------------------
# grad()


def test_grad_does_not_touch_dot_grad():
    x, y = Value(2.0), Value(3.0)
    z = x * y + x
    assert grad(z, [x, y]) == [4.0, 2.0]
    assert (x.grad, y.grad, z.grad) == (0.0, 0.0, 0.0)


def test_grad_unreachable_input_is_zero():
    x, y = Value(2.0), Value(3.0)
    assert grad(x * 2, [x, y]) == [2.0, 0.0]
    _, dy = grad(x * 2, [x, y], create_graph=True)
    assert isinstance(dy, Value) and dy.data == 0.0


def test_grad_of_intermediate_input():
    x = Value(2.0)
    h = x * x
    y = h * 3
    assert grad(y, [h, x]) == [3.0, 12.0]


def test_third_derivative_of_cube_is_six():
    x = Value(1.7)
    y = x**3
    (d1,) = grad(y, [x], create_graph=True)
    (d2,) = grad(d1, [x], create_graph=True)
    (d3,) = grad(d2, [x], create_graph=True)
    assert d1.data == pytest.approx(3 * 1.7**2)
    assert d2.data == pytest.approx(6 * 1.7)
    assert d3.data == 6.0
    assert grad(d3, [x]) == [0.0]


def test_mixed_second_derivative():
    x, y = Value(0.4), Value(-1.3)
    f = (x * y).sin() + x.exp() * y
    dfdx, _ = grad(f, [x, y], create_graph=True)
    (d2,) = grad(dfdx, [y])
    # d/dy [y cos(xy) + e^x] = cos(xy) - xy sin(xy) + e^x
    expect = math.cos(x.data * y.data) - x.data * y.data * math.sin(x.data * y.data)
    assert d2 == pytest.approx(expect + math.exp(x.data))


def test_create_graph_works_inside_no_grad():
    x = Value(2.0)
    y = x**2
    with no_grad():
        (d1,) = grad(y, [x], create_graph=True)
    assert grad(d1, [x]) == [2.0]


# ---------------------------------------------------------------------------------------------
# no_grad


def test_no_grad_context_records_no_parents():
    x = Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        y = x * x + 1
        s = add_all([x, y])
        assert y.parents == () and y.op == "" and s.parents == ()
        with enable_grad():
            assert (x * x).parents == (x, x)
        assert not is_grad_enabled()
    assert is_grad_enabled()
    assert y.data == 5.0


def test_no_grad_decorator_and_exceptions_restore_mode():
    @no_grad()
    def update(v):
        return v * 3

    x = Value(1.0)
    assert update(x).parents == ()
    assert (x * 3).parents == (x,)
    with pytest.raises(RuntimeError), no_grad():
        raise RuntimeError("boom")
    assert is_grad_enabled()


def test_no_grad_reused_instance_nests():
    ctx = no_grad()
    with ctx:
        with ctx:
            pass
        assert not is_grad_enabled()
    assert is_grad_enabled()
