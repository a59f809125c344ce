"""A built-in primitive is one definition: what each still lacks is listed here, by name.

The registry (``autograd.primitives.builtin_primitives()``) drives the per-op tests: the NaN
and overflow policy (``test_nan_and_overflow``), the code templates
(``test_compile_templates``), the strategies (``test_testing_strategies``). What those
cannot derive from a definition is checked here, so a new op that forgets a piece fails with
the list of what it lacks. The checklist for adding one is in docs/development.md.
"""

import pytest

from autograd import Value
from autograd import primitives as P
from autograd.testing import strategy_ops

# deliberate exceptions, each with its reason
NO_INDEPENDENT_REFERENCE: dict[str, str] = {}
REACHED_BY_AN_OPERATOR = {"+", "*", "/", "**", "abs"}  # x + y, 2 ** x, abs(x): no method
FUSED = {"sum": "add_all", "affine": "affine"}  # reached through the functions of autograd


def _lacks(prim: P.Primitive) -> list[str]:
    missing = []
    if prim.code is None:
        missing.append("a code template (code=Code(...)) for autograd.compile")
    reachable = (
        prim.name in REACHED_BY_AN_OPERATOR or prim.name in FUSED or hasattr(Value, prim.name)
    )
    if not reachable:
        missing.append(f"a Value method Value.{prim.name}")
    rows = {op.name for op in strategy_ops.OPS}
    if FUSED.get(prim.name, prim.name) not in rows:
        missing.append("a row in autograd/testing/strategy_ops.py (OPS)")
    functions = prim.name.isidentifier() and prim.name not in FUSED
    if functions and prim.name not in strategy_ops._FUNCTIONS | NO_INDEPENDENT_REFERENCE:
        missing.append(
            "an independent reference, domain and derivatives in strategy_ops._FUNCTIONS "
            "(until then the strategies check it against its own forward)"
        )
    return missing


@pytest.mark.parametrize(
    "prim", P.builtin_primitives(), ids=lambda p: f"{p.name}{' const' if p.const else ''}"
)
def test_every_builtin_primitive_has_every_piece(prim):
    assert _lacks(prim) == []


def test_the_checklist_sees_what_a_new_primitive_lacks():
    bare = P.Primitive("bare", lambda x: x, lambda g, out, x: (g,))
    assert len(_lacks(bare)) == 4


def test_a_builtin_is_known_wherever_it_is_defined(monkeypatch):
    late = P.Primitive("late_op", lambda x: x, lambda g, out, x: (g,), builtin=True)
    assert not P.is_builtin("late_op")
    monkeypatch.setattr(P, "LATE_OP", late, raising=False)  # defined at the end of the file
    assert P.is_builtin("late_op") and late in P.builtin_primitives()
    with pytest.raises(ValueError, match="one of stepgrad's own ops"):
        P.define("late_op", lambda x: x, lambda x, out: 1.0)
