"""Reverse-mode differentiation: the topological order, ``backward()`` and ``grad()``.

Everything here is iterative (no recursion), so graphs of millions of nodes work.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from math import copysign
from operator import attrgetter

from autograd import primitives as P
from autograd.mode import enable_grad
from autograd.primitives import _sum_in_order
from autograd.value import Scalar, Value, _CustomRule

__all__ = [
    "backward",
    "check_value",
    "contributions",
    "cyclic_gc_paused",
    "grad",
    "topological_order",
]


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
    _depth_first(root, order, order if include_leaves else None)
    return order


def _depth_first(root: Value, order: list[Value], leaves: list[Value] | None) -> None:
    """Append the nodes with parents to ``order`` (root last), the leaves to ``leaves``.

    ``leaves`` may be ``order`` itself (then leaves come in their depth-first places) or
    None (they are dropped). ``root`` must have parents.
    """
    seen = {root}
    # a depth-first walk without recursion: nodes[i] waits for the parents left in pending[i]
    nodes, pending = [root], [iter(root.parents)]
    placed, place = seen.issuperset, order.append
    keep = leaves.append if leaves is not None else seen.add  # seen.add(p) again: nothing
    with cyclic_gc_paused():
        while pending:
            for p in pending[-1]:
                if p in seen:
                    continue
                seen.add(p)
                parents = p.parents
                if not parents:
                    keep(p)
                elif (n := len(parents)) == 1:  # a chain, a relu over an affine node
                    if parents[0] in seen:
                        place(p)
                    elif not (grand := parents[0].parents) or (
                        grand[0] in seen and placed(grand)  # all placed
                    ):
                        _place_after_its_parent(p, grand, seen, place, keep)
                    else:  # down the chain at once
                        _go_deeper(p, parents, nodes, pending, seen, place, keep)
                        break
                # many parents (a neuron: its weights, its layer's inputs) are often all placed;
                # two rarely are (a chain of +, a product of two new leaves): no check for them
                elif n == 2 or not placed(parents):  # go deeper: p's parents come before p
                    nodes.append(p)
                    pending.append(iter(parents))
                    break
                else:
                    place(p)
            else:  # every parent of the node on top is placed: it can follow
                pending.pop()
                place(nodes.pop())


def _go_deeper(
    p: Value, parents: tuple, nodes: list, pending: list, seen: set, place, keep
) -> None:
    """Push ``p``, whose parents are not all placed, for the walk to visit them first.

    Along a node with one parent (a chain, a relu over an affine node) it goes down at once:
    that parent ``q`` is new, so ``p`` waits for ``q`` alone (an exhausted iterator), and
    ``q`` is taken next without a turn of the walk's loop. A ``q`` that is a leaf or whose
    parents are all placed is placed at once, then ``p``: what the walk would do, in its order.
    """
    while len(parents) == 1:
        (q,) = parents
        grand = q.parents
        if not grand or (grand[0] in seen and seen.issuperset(grand)):  # all placed
            _place_after_its_parent(p, grand, seen, place, keep)
            return
        seen.add(q)
        nodes.append(p)
        pending.append(_EXHAUSTED)
        p, parents = q, grand
    nodes.append(p)
    pending.append(iter(parents))


def _place_after_its_parent(p: Value, grand: tuple, seen: set, place, keep) -> None:
    """Place ``p``'s one parent ``q`` (new; its parents ``grand`` all placed), then ``p``."""
    (q,) = p.parents
    seen.add(q)
    if grand:
        place(q)
    else:
        keep(q)
    place(p)


_EXHAUSTED = iter(())  # what a node waits for when its one parent is already being visited


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for work that creates no reference cycles.

    Reference counting still frees everything at once; only the collector, which runs on
    allocation counts and rescans every live object, waits. The caller's state comes back
    afterwards, also on an error: a collector the caller had switched off stays off.

    The sort pauses it: a deep graph piles one iterator per node on the walk's stack, and each
    pile-up made the collector scan the whole graph again (nearly half the time of sorting a
    1.5-million-node chain). ``nn.train`` pauses it for each training step.

    >>> import gc
    >>> with cyclic_gc_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
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
        xs, out = [p._data for p in node.parents], node._data
    if c is None:
        return vjp(g, out, *xs)
    return vjp(g, out, *xs, c)


def _add_contributions(node: Value, g: float) -> None:
    """Add ``node``'s contributions for the incoming gradient ``g`` to its parents' ``.grad``.

    ``contributions(node, g)`` unrolled for one and two parents (a call less per node) and
    written out for the fused ``affine`` and ``sum`` (no tuple of 33 terms for a neuron):
    the same products as the rules of the table, added in operand order.
    """
    parents = node.parents
    # nodes with parents always have a primitive (no check: this is the hot loop)
    vjp, c = node._prim.vjp, node._arg  # type: ignore[union-attr]
    if len(parents) == 1:  # a unary op, or an op with a constant
        (x,) = parents
        added = vjp(g, node._data, x._data) if c is None else vjp(g, node._data, x._data, c)
        x.grad += added[0]
    elif len(parents) == 2 and c is None:  # a binary op
        x, y = parents
        added = vjp(g, node._data, x._data, y._data)
        x.grad += added[0]
        y.grad += added[1]
    elif vjp is _AFFINE_VJP or vjp is _AFFINE_CONST_VJP:
        _add_affine(parents, c, g)
    elif vjp is _SUM_VJP:  # d(x1 + ... + xn)/dx_i = 1
        for p in parents:
            p.grad += g
    else:
        for p, d in zip(parents, contributions(node, g)):
            p.grad += d


def _add_affine(parents: tuple[Value, ...], c, g: float) -> None:
    """``affine``'s rule (``AFFINE``, or ``AFFINE_CONST`` with the inputs ``c``), added in place.

    Parents ``(w1..wn, x1..xn, b)`` get ``g * x_i``, then ``g * w_i``, then ``g``; with
    constant inputs, parents ``(w1..wn, b)`` get ``g * c_i``, then ``g``.
    """
    if c is None:
        n = len(parents) // 2
        ws, xs = parents[:n], parents[n:-1]
        for w, x in zip(ws, xs):
            w.grad += g * x._data  # d/dw_i = x_i
        for w, x in zip(ws, xs):
            x.grad += g * w._data  # d/dx_i = w_i
    else:
        for w, x in zip(parents, c):  # the weights: every parent but the bias
            w.grad += g * x  # d/dw_i = x_i
    parents[-1].grad += g  # d/db = 1


def backward(root: Value) -> None:
    """Fill ``.grad`` of every node ``root`` depends on; see ``Value.backward``.

    The rules of the table never raise (nan and ±inf follow IEEE). A rule of your own may (a
    ``define_op`` rule, a ``_backward`` function), and a KeyboardInterrupt may come at any
    time: then every ``.grad`` is put back as it was and the error propagates.

    A plain loop over the nodes, each running its rule from the table. It skips the rule of
    a node whose incoming gradient is exactly 0 where that cannot change any bit of any
    gradient (see ``_zero_rules_change_nothing``): in a trained ReLU network most nodes get
    0 (an inactive unit, a point beyond the hinge's margin).
    """
    check_value(root, "backward")
    if not root.parents:  # a leaf: only the seed
        root.grad += 1.0
        return
    order: list[Value] = []
    leaves: list[Value] = []
    _depth_first(root, order, leaves)
    # no skipping with a _backward function of your own: it may write any grad, not only
    # its parents'
    custom = _CustomRule.alive and any(type(v._arg) is _CustomRule for v in order)
    saved = list(map(_GRAD, order)), list(map(_GRAD, leaves))
    try:  # costs nothing unless a rule raises
        _run_backward(root, order, leaves, may_skip=not custom)
    except BaseException:  # a rule raised (or Ctrl-C): put every grad back as it was
        for nodes, grads in zip((order, leaves), saved):
            for v, g in zip(nodes, grads):
                v.grad = g
        raise


def _run_backward(root: Value, order: list[Value], leaves: list[Value], *, may_skip: bool) -> None:
    """Reset the inner grads, seed the root, then run every rule that can add anything."""
    for v in order:
        v.grad = 0.0
    try:  # the sum of every node's data: finite only if every data is finite
        total = _sum_in_order(map(_DATA, order), 0.0)
    except TypeError:  # a data assigned from outside that is not a number: no skipping
        total = _NAN
    root.grad += 1.0
    skip = may_skip and _zero_rules_change_nothing(total, leaves)
    affine, relu = P.AFFINE, P.RELU
    finite = None  # the last constant found finite: a layer's float inputs, its nodes share
    for node in reversed(order):
        g = node.grad
        if g == 0.0 and skip:
            prim = node._prim  # affine and relu first: the zeros of a ReLU network
            if prim is affine or prim is relu:
                continue
            if prim.zero_skip:  # type: ignore[union-attr]  # a node with parents has a prim
                c = node._arg
                if c is None or c is finite:
                    continue
                if _finite(c):  # a float or a tuple of floats: it stays finite
                    finite = c
                    continue
        _add_contributions(node, g)


def _zero_rules_change_nothing(total: float, leaves: list[Value]) -> bool:
    """True when skipping a rule whose incoming gradient is 0 leaves every gradient's bits.

    With ``g = ±0`` a rule marked ``Primitive.zero_skip`` gives ``g`` times a finite local
    derivative, a signed zero, provided every float it reads is finite (``0 * inf`` and
    ``0 * nan`` are nan, which must reach the parents). Adding a signed zero to a parent's
    grad changes it only when the grad is -0.0 and the zero is +0.0 (the sum is +0.0). Inner
    grads start at +0.0 and a sum is -0.0 only if both terms are, so only a leaf can hold -0.0, from
    outside. Hence: every node's data finite (``total`` over inner nodes, plus the leaves;
    an overflowing sum of finite data only disables the skipping), no leaf grad -0.0.
    """
    try:
        for v in leaves:
            total += v._data
            if v.grad == 0.0 and copysign(1.0, v.grad) < 0.0:
                return False
    except TypeError:  # a data or grad assigned from outside that is not a float
        return False
    return -_INF < total < _INF


def _finite(arg) -> bool:
    """True when a node's constant holds no inf or nan (its rule multiplies ``g`` by it)."""
    if arg is None:
        return True
    if type(arg) is float:
        return -_INF < arg < _INF
    if type(arg) is tuple:  # affine's constant inputs; an overflowing sum only disables
        return -_INF < sum(arg) < _INF
    return False


_INF = float("inf")
_NAN = float("nan")
_AFFINE_VJP, _AFFINE_CONST_VJP, _SUM_VJP = P.AFFINE.vjp, P.AFFINE_CONST.vjp, P.SUM.vjp
_DATA, _GRAD = attrgetter("_data"), attrgetter("grad")


def zero_skippable(node: Value) -> bool:
    """May ``node``'s rule be skipped when its incoming gradient is 0 (all data finite)?

    Its primitive says so (``Primitive.zero_skip``: ``g`` times finite local derivatives) and
    its constant holds no inf or nan. ``autograd.compile`` writes such a rule under a guard.
    """
    prim = node._prim
    return prim is not None and prim.zero_skip and _finite(node._arg)


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
