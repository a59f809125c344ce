"""Fused n-ary operations: one node where a chain of ``+`` and ``*`` would make many.

``add_all(values)`` is ``values[0] + values[1] + ...`` and ``affine(weights, inputs, bias)``
is a neuron's ``bias + w1*x1 + ... + wn*xn``. Each is a single node with one derivative rule
per input, so graphs are smaller and backward is faster, and the results equal the unfused
chain's within floating-point rounding (the sums run in the same order).
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import mul
from typing import cast

from autograd import primitives as P
from autograd.primitives import _sum_in_order
from autograd.value import Value, _as_float, _node, _recording

__all__ = ["add_all", "affine", "affine_operands", "affine_rows", "affine_rows_batch"]


def add_all(values: Sequence[Value]) -> Value:
    """The sum of Values as one node (``0.0`` for an empty sequence).

    >>> from autograd import Value, add_all
    >>> xs = [Value(1.0), Value(2.0), Value(3.5)]
    >>> s = add_all(xs)
    >>> s.data, s.op, len(s.parents)
    (6.5, 'sum', 3)
    >>> s.backward(); [x.grad for x in xs]
    [1.0, 1.0, 1.0]
    """
    values = tuple(values)
    data = [v._data for v in values if type(v) is Value]
    if len(data) != len(values):  # subclasses of Value are welcome; anything else is not
        for i, v in enumerate(values):
            if not isinstance(v, Value):
                raise TypeError(f"add_all: values[{i}] must be a Value (got {type(v).__name__})")
        data = [v._data for v in values]
    return _node(P.SUM.forward(*data), values, P.SUM, None)


def affine(weights: Sequence[Value], inputs: Sequence, bias: Value) -> Value:
    """``bias + sum(w * x)`` as one node: a neuron's pre-activation.

    ``inputs`` are all Values (they get gradients too) or all Python numbers (constants, kept
    out of the graph). The sum starts at ``bias`` and adds ``w_i * x_i`` in order, exactly as
    micrograd's ``sum((wi*xi for wi, xi in zip(w, x)), b)``.

    >>> from autograd import Value, affine
    >>> w = [Value(2.0), Value(-1.0)]
    >>> b = Value(0.5)
    >>> y = affine(w, [3.0, 4.0], b)
    >>> y.data
    2.5
    >>> y.backward(); [wi.grad for wi in w], b.grad
    ([3.0, 4.0], 1.0)
    """
    try:
        n, m = len(weights), len(inputs)
    except TypeError:  # iterators without a length: as tuples
        return affine(tuple(weights), tuple(inputs), bias)
    if n != m:
        raise ValueError(f"affine: expected as many inputs as weights ({n}), got {m} inputs")
    parents = (*weights, *inputs, bias)
    data = [p._data for p in parents if type(p) is Value]
    if len(data) == n + m + 1:  # the common case: all Values
        # P.AFFINE.forward(*data) without unpacking the list into arguments (the same sum)
        out = _sum_in_order(map(mul, data, data[n:-1]), data[-1])
        return _node(out, parents, P.AFFINE, None)
    return _affine_of_mixed(tuple(weights), tuple(inputs), bias)


def _affine_of_mixed(ws: tuple, xs: tuple, bias: Value) -> Value:
    """``affine`` when not every argument is a plain Value: checks, constants, subclasses."""
    for i, w in enumerate(ws):
        if not isinstance(w, Value):
            raise TypeError(f"affine: weights[{i}] must be a Value (got {type(w).__name__})")
    if not isinstance(bias, Value):
        raise TypeError(f"affine: bias must be a Value (got {type(bias).__name__})")
    if any(isinstance(x, Value) for x in xs):  # Values (of a subclass) or a mix
        xs = tuple(x if isinstance(x, Value) else Value(_as_float(x, "affine")) for x in xs)
        parents = (*ws, *xs, bias)
        return _node(P.AFFINE.forward(*[p._data for p in parents]), parents, P.AFFINE, None)
    consts = tuple(_as_float(x, "affine") for x in xs)
    parents = (*ws, bias)
    out = P.AFFINE_CONST.forward(*[p._data for p in parents], consts)
    return _node(out, parents, P.AFFINE_CONST, consts)


def affine_rows(
    weights: Sequence[Sequence[Value]], inputs: Sequence, biases: Sequence[Value]
) -> list[Value]:
    """``[affine(w, inputs, b) for w, b in zip(weights, biases)]``: a layer's pre-activations.

    The same nodes as ``affine`` gives, one per row of weights (each row a sequence), with the
    inputs read once for all rows instead of once per row. Inputs that are all Values, or all
    floats (a network's first layer: the constants of ``affine``), take the fast path.

    >>> from autograd import Value
    >>> x = [Value(1.0), Value(2.0)]
    >>> w = [[Value(0.5), Value(-1.0)], [Value(2.0), Value(0.0)]]
    >>> rows = affine_rows(w, x, [Value(0.0), Value(1.0)])
    >>> [r.data for r in rows], [r.op for r in rows]
    ([-1.5, 3.0], ['affine', 'affine'])
    >>> [len(r.parents) for r in affine_rows(w, [1.0, 2.0], [Value(0.0), Value(1.0)])]
    [3, 3]
    """
    _check_biases(weights, biases, "affine_rows")
    return _rows_for(weights, _rows_data(weights), inputs, biases)


def affine_rows_batch(
    weights: Sequence[Sequence[Value]], batch: Sequence[Sequence], biases: Sequence[Value]
) -> list[list[Value]]:
    """``[affine_rows(weights, inputs, biases) for inputs in batch]``, the weights read once.

    A layer's pre-activations for a whole batch of inputs: the same nodes, the weights' data
    read once for the batch instead of once per example.

    >>> from autograd import Value
    >>> w = [[Value(0.5), Value(-1.0)]]
    >>> batch = affine_rows_batch(w, [[1.0, 2.0], [4.0, 0.0]], [Value(1.0)])
    >>> [[r.data for r in rows] for rows in batch]
    [[-0.5], [3.0]]
    """
    _check_biases(weights, biases, "affine_rows_batch")
    wdata = _rows_data(weights)
    return [_rows_for(weights, wdata, inputs, biases) for inputs in batch]


def _check_biases(weights: Sequence, biases: Sequence, where: str) -> None:
    if len(weights) != len(biases):
        raise ValueError(
            f"{where}: expected one bias per row of weights ({len(weights)}), "
            f"got {len(biases)} biases"
        )


def _rows_data(weights: Sequence[Sequence[Value]]) -> list[list[float] | None]:
    """Each row's weights' data, or None for a row that is not all plain Values."""
    out: list[list[float] | None] = []
    for w in weights:
        data = [v._data for v in w if type(v) is Value]
        out.append(data if len(data) == len(w) else None)
    return out


def _rows_for(
    weights: Sequence[Sequence[Value]],
    wdata: list[list[float] | None],
    inputs: Sequence,
    biases: Sequence[Value],
) -> list[Value]:
    """``affine_rows`` once the weights' data is read: all Values or all floats go fast."""
    xs = tuple(inputs)
    xdata = [x._data for x in xs if type(x) is Value]
    if len(xdata) == len(xs):  # all Values: each row's node has them as parents
        return _rows(weights, wdata, inputs, biases, xdata, xs)
    if not xdata and all(type(x) is float for x in xs):  # all floats: affine's constant
        return _rows(weights, wdata, inputs, biases, xs, None)
    return [affine(w, inputs, b) for w, b in zip(weights, biases)]  # numbers, subclasses


def _rows(
    weights: Sequence[Sequence[Value]],
    wdata: list[list[float] | None],
    inputs: Sequence,
    biases: Sequence[Value],
    xdata: list[float] | tuple[float, ...],
    xs: tuple[Value, ...] | None,
) -> list[Value]:
    """The nodes of ``affine_rows``: inputs ``xs`` (Values, data ``xdata``) or floats.

    With ``xs`` None, ``xdata`` is the tuple of the inputs, the constant of every node (as
    ``affine`` keeps it). The grad mode is read once for all of them.
    """
    m = len(xdata)
    prim = P.AFFINE if xs is not None else P.AFFINE_CONST
    const = None if xs is not None else cast(tuple[float, ...], xdata)
    recording = _recording()
    out = []
    for w, wd, b in zip(weights, wdata, biases):
        if wd is None or len(wd) != m or type(b) is not Value:
            out.append(affine(w, inputs, b))  # its checks and its messages
            continue
        # P.AFFINE.forward(*wd, *xdata, b.data), the same sum (AFFINE_CONST's too)
        data = _sum_in_order(map(mul, wd, xdata), b._data)
        parents = ((*w, *xs, b) if xs is not None else (*w, b)) if recording else ()
        out.append(_node(data, parents, prim, const, recording))
    return out


def affine_operands(node: Value) -> tuple[list, list, Value]:
    """The weights, the inputs and the bias of an ``affine`` node (its parents' layout).

    The inputs are Values, or numbers where ``affine`` was given numbers (they are the node's
    constant then). The one place that knows how an affine node keeps its operands.

    >>> from autograd import Value, affine
    >>> w, b = Value(2.0, label="w"), Value(1.0, label="b")
    >>> ws, xs, bias = affine_operands(affine([w], [3.0], b))
    >>> [v.label for v in ws], xs, bias.label
    (['w'], [3.0], 'b')
    """
    split = node._prim.split if node._prim is not None else None
    if split is None:
        raise ValueError(f"affine_operands: expected an affine node (got op {node.op!r})")
    return split(node.parents, node._arg)
