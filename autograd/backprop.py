"""Reverse-mode differentiation: the topological order, ``backward()`` and ``grad()``.

Everything here is iterative (no recursion), so graphs of millions of nodes work.
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext

from autograd.mode import enable_grad
from autograd.value import Scalar, Value, _CustomRule


def topological_order(root: Value, *, include_leaves: bool = True) -> list[Value]:
    """Every node ``root`` depends on, each after all of its parents; ``root`` comes last.

    The order is deterministic: a depth-first walk taking parents in operand order.
    ``include_leaves=False`` keeps only the nodes that have parents (what backward visits).

    >>> from autograd import Value
    >>> a, b = Value(2.0, label="a"), Value(3.0, label="b")
    >>> c = a * b; c.label = "c"
    >>> d = c + a; d.label = "d"
    >>> [v.label for v in topological_order(d)]
    ['a', 'b', 'c', 'd']
    """
    check_value(root, "topological_order")
    if not root.parents:
        return [root] if include_leaves else []
    order: list[Value] = []
    seen = {root}
    # a depth-first walk without recursion: nodes[i] waits for the parents left in pending[i]
    nodes, pending = [root], [iter(root.parents)]
    with _cyclic_gc_paused():
        while pending:
            for p in pending[-1]:
                if p in seen:
                    continue
                seen.add(p)
                if p.parents:  # go deeper: p's parents come before p
                    nodes.append(p)
                    pending.append(iter(p.parents))
                    break
                if include_leaves:
                    order.append(p)
            else:  # every parent of the node on top is placed: it can follow
                pending.pop()
                order.append(nodes.pop())
    return order


@contextmanager
def _cyclic_gc_paused():
    """Pause the cyclic garbage collector for a walk that creates no reference cycles.

    A deep graph piles one iterator per node on the walk's stack; each pile-up makes the
    collector scan the whole graph again: nearly half the time of sorting a 1.5-million-node
    chain. Nothing here can form a cycle, so the pause frees nothing late.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def contributions(node: Value, g, *, create_graph: bool = False) -> tuple:
    """What ``node`` passes to each of its parents given the incoming gradient ``g``.

    One entry per parent, in operand order: ``g`` times the local derivative. With
    ``create_graph=True`` the rule runs on the Values themselves, so the entries are Values.
    """
    # a node with parents always has a primitive
    vjp, c = node._prim.vjp, node._arg  # type: ignore[union-attr]
    xs: Sequence[Value] | list[float]
    out: Value | float
    if create_graph:
        xs, out = node.parents, node
    else:
        xs, out = [p.data for p in node.parents], node.data
    if c is None:
        return vjp(g, out, *xs)
    return vjp(g, out, *xs, c)


def walk_backward(root: Value) -> Iterator[tuple[Value, float, tuple]]:
    """Backward, one node at a time: the single walk behind ``backward()`` and the stepper.

    Before the first node, the grads of all intermediate nodes are set to 0.0 and the seed
    1.0 is added to ``root.grad``. Each step takes the next node in reverse topological order,
    adds its contributions to its parents' ``.grad`` and then yields ``(node, g, added)``.
    """
    order = topological_order(root, include_leaves=False)
    for v in order:
        v.grad = 0.0
    root.grad += 1.0
    for node in reversed(order):
        g = node.grad
        parents = node.parents
        # contributions(node, g), unrolled for one and two parents: a call less per node
        # nodes with parents always have a primitive (no check: this is the hot loop)
        vjp, c = node._prim.vjp, node._arg  # type: ignore[union-attr]
        if len(parents) == 1:  # a unary op, or an op with a constant
            (x,) = parents
            added = vjp(g, node.data, x.data) if c is None else vjp(g, node.data, x.data, c)
            x.grad += added[0]
        elif len(parents) == 2 and c is None:  # a binary op
            x, y = parents
            added = vjp(g, node.data, x.data, y.data)
            x.grad += added[0]
            y.grad += added[1]
        else:
            added = contributions(node, g)
            for p, d in zip(parents, added):
                p.grad += d
        yield node, g, added


def backward(root: Value) -> None:
    """Fill ``.grad`` of every node ``root`` depends on; see ``Value.backward``.

    The rules of the table never raise (nan and ±inf follow IEEE). A ``_backward`` function
    of your own may: then every ``.grad`` is put back as it was and the error propagates.
    """
    check_value(root, "backward")
    if _CustomRule.alive:  # only while nodes made micrograd's way exist
        nodes = topological_order(root)
        if any(type(v._arg) is _CustomRule for v in nodes):
            saved = [v.grad for v in nodes]
            try:
                deque(walk_backward(root), maxlen=0)
            except BaseException:
                for v, g in zip(nodes, saved):
                    v.grad = g
                raise
            return
    deque(walk_backward(root), maxlen=0)


def grad(output: Value, inputs: Iterable[Value], *, create_graph: bool = False) -> list:
    """The gradients of ``output`` with respect to each of ``inputs``, touching no ``.grad``.

    Returns a list in the order of ``inputs``: floats, or with ``create_graph=True`` Values
    with graphs of their own, which can be differentiated again. An input that ``output``
    does not depend on gets 0.0.

    >>> from autograd import Value, grad
    >>> x = Value(2.0)
    >>> y = x**3
    >>> grad(y, [x])
    [12.0]
    >>> (dy,) = grad(y, [x], create_graph=True)
    >>> (d2y,) = grad(dy, [x], create_graph=True)
    >>> (d3y,) = grad(d2y, [x])
    >>> dy.data, d2y.data, d3y
    (12.0, 12.0, 6.0)
    """
    check_value(output, "grad")
    inputs = list(inputs)
    for i, x in enumerate(inputs):
        if not isinstance(x, Value):
            raise TypeError(f"grad: inputs must be Values (got {type(x).__name__} at index {i})")
    wanted = set(inputs)
    grads: dict[Value, Scalar] = {output: 1.0}
    with enable_grad() if create_graph else nullcontext():
        for node in reversed(topological_order(output, include_leaves=False)):
            g = grads[node] if node in wanted else grads.pop(node)
            for p, d in zip(node.parents, contributions(node, g, create_graph=create_graph)):
                grads[p] = grads[p] + d if p in grads else d
    result = [grads.get(x, 0.0) for x in inputs]
    if create_graph:
        return [g if isinstance(g, Value) else Value(g) for g in result]
    return result


def check_value(x, where: str) -> None:
    """TypeError naming ``where`` unless ``x`` is a Value (the check every entry point makes)."""
    if not isinstance(x, Value):
        raise TypeError(f"{where}: expected a Value, got {x!r} ({type(x).__name__})")
