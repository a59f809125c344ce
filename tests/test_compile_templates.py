"""Every primitive's code template computes its forward and vjp bit for bit (nan, inf, ±0 too)."""

import math
import struct

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from autograd import primitives as P

SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 3.0, -2.5, 1e-320, 1e308, math.inf, -math.inf, math.nan]
FLOATS = st.one_of(st.sampled_from(SPECIAL), st.floats(allow_nan=True, allow_infinity=True))

# (primitive, number of parents, has a constant): every built-in primitive of a fixed arity
FIXED = [(p, p.arity, p.const) for p in P.builtin_primitives() if p.arity is not None]


def bits(x: float) -> bytes:
    """The float's bits; every nan the same.

    CPython does not keep a nan's sign bit from one run of the same code to the next
    (measured: ``softplus(nan)`` flips once specialised).
    """
    return b"nan" if x != x else struct.pack("<d", x)


def run(source: str, env: dict) -> float:
    return eval(source, {**P.CODE_NAMES}, env)


def outcome(fn):
    """The float a function returns, or the type and message of what it raises."""
    try:
        return bits(fn())
    except (ArithmeticError, ValueError) as e:
        return (type(e), str(e))


def names_of(prim):
    from autograd.compiling import _arg_names

    return _arg_names(prim)


def test_every_builtin_primitive_has_a_template():
    assert [p for p in P.builtin_primitives() if p.code is None] == []
    assert {p.name for p in P.builtin_primitives() if p.arity is None} == {
        "sum",
        "affine",
    }  # tested below


@pytest.mark.parametrize(("prim", "arity", "const"), FIXED, ids=lambda p: repr(p))
@given(values=st.lists(FLOATS, min_size=4, max_size=4))
@example(values=[0.0, -0.0, -0.0, 1.0])
@example(values=[-8.0, 0.5, 1.0, 0.5])
@example(values=[math.nan, 0.0, math.inf, -0.0])
def test_template_is_the_rule_bit_for_bit(prim, arity, const, values):
    xs, c, g = values[:arity], values[2], values[3]
    args = names_of(prim)
    env = dict(zip(args, xs))
    if const:
        env[args[-1]] = c
    operands = [*xs, c] if const else xs
    if prim is P.DIV_CONST and c == 0.0:
        return  # x / 0 with a constant 0 is refused when the node is built: no code sees it
    expected = outcome(lambda: prim.forward(*operands))
    assert outcome(lambda: run(prim.code.forward.format(**{k: k for k in env}), env)) == expected
    if not isinstance(expected, bytes):  # out of its domain: the node is never built
        return
    out = prim.forward(*operands)
    rules = prim.vjp(g, out, *operands)
    templates = [t.format(g="g", out="out", **{k: k for k in env}) for t in prim.code.vjp]
    got = [run(t, {**env, "g": g, "out": out}) for t in templates]
    assert list(map(bits, got)) == list(map(bits, rules))


@given(xs=st.lists(FLOATS, min_size=0, max_size=6), g=FLOATS, const=st.booleans())
def test_n_ary_templates_are_the_rules_bit_for_bit(xs, g, const):
    n = len(xs) // 2
    ws, inputs = xs[:n], xs[n : 2 * n]
    b = xs[-1] if xs else 0.5
    cases = [(P.SUM, xs, None), (P.AFFINE, [*ws, *inputs, b], None)]
    cases.append((P.AFFINE_CONST, [*ws, b], tuple(inputs)))
    for prim, operands, c in cases:
        names = [f"v{i}" for i in range(len(operands))]
        env = dict(zip(names, operands))
        consts = None if c is None else [repr(x) if math.isfinite(x) else f"{x!r}" for x in c]
        if c is not None and not all(math.isfinite(x) for x in c):
            continue  # constants render through compile's own _constant (tested below)
        if prim is P.SUM and not operands:
            continue
        args = [*operands, c] if c is not None else operands
        out = prim.forward(*args)
        assert bits(run(prim.code.forward(names, consts), env)) == bits(out)
        rules = prim.vjp(g, out, *args)
        got = [run(t, {**env, "g": g}) for t in prim.code.vjp("g", "out", names, consts)]
        assert list(map(bits, got)) == list(map(bits, rules))


@given(FLOATS)
def test_constants_render_as_the_same_float(c):
    from autograd.compiling import _constant

    bound: dict = {}
    source = _constant(c, bound)
    assert bits(eval(source, {**P.CODE_NAMES}, bound)) == bits(c)
