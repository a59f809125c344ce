"""Random expression graphs for the stepping and drawing tests (shared sub-expressions included)."""

from __future__ import annotations

from hypothesis import strategies as st

from autograd import Value

_BINARY = [lambda x, y: x + y, lambda x, y: x * y, lambda x, y: x - y]
_UNARY = [
    lambda x: x.tanh(),
    lambda x: x.sigmoid(),
    lambda x: x.sin(),
    lambda x: x.relu(),
    lambda x: x * 0.5,
    lambda x: 2.0 + x,
]


@st.composite
def programs(draw, max_leaves: int = 4, max_ops: int = 12):
    """A recipe for a graph: leaf values and a list of (op, operand indices) instructions."""
    leaves = draw(st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=1, max_size=max_leaves))
    n_ops = draw(st.integers(1, max_ops))
    program = []
    for i in range(n_ops):
        pool = len(leaves) + i
        if draw(st.booleans()):
            program.append(
                (
                    "binary",
                    draw(st.integers(0, len(_BINARY) - 1)),
                    draw(st.integers(0, pool - 1)),
                    draw(st.integers(0, pool - 1)),
                )
            )
        else:
            program.append(
                (
                    "unary",
                    draw(st.integers(0, len(_UNARY) - 1)),
                    draw(st.integers(0, pool - 1)),
                    None,
                )
            )
    return leaves, program


def build(recipe) -> tuple[list[Value], Value]:
    """The leaves and the root (the last node) of a recipe; building twice gives twin graphs."""
    leaves, program = recipe
    xs = [Value(x, label=f"x{i}") for i, x in enumerate(leaves)]
    pool = list(xs)
    for kind, op, i, j in program:
        pool.append(_BINARY[op](pool[i], pool[j]) if kind == "binary" else _UNARY[op](pool[i]))
    return xs, pool[-1]


def micrograd_readme_example() -> tuple[Value, Value, Value]:
    """micrograd's README example: its leaves ``a``, ``b`` and its output ``g`` (24.7041)."""
    a, b = Value(-4.0), Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    return a, b, g
