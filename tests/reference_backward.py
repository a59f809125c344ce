"""The reference the engine's backward is checked against: every rule runs, no skipping.

Moved here from ``autograd.backprop``: the library never used it, the tests do
(``test_zero_skipping``, ``test_perf_invariants``).
"""

from collections.abc import Iterator

from autograd import Value
from autograd.backprop import _add_contributions, topological_order


def walk_backward(root: Value) -> Iterator[tuple[Value, float, tuple]]:
    """Backward, one node at a time, every rule run: what ``backward()`` gives, as a generator.

    Before the first node, the grads of all intermediate nodes are set to 0.0 and the seed
    1.0 is added to ``root.grad``. Each step takes the next node in reverse topological order,
    adds its contributions to its parents' ``.grad`` (backward's own ``_add_contributions``)
    and then yields ``(node, g, before)``, ``before`` being the parents' grads before the
    step. Exhausting it leaves exactly ``backward()``'s gradients.
    """
    order = topological_order(root, include_leaves=False)
    for v in order:
        v.grad = 0.0
    root.grad += 1.0
    for node in reversed(order):
        g = node.grad
        before = tuple(p.grad for p in node.parents)
        _add_contributions(node, g)
        yield node, g, before
