"""The strategies of ``autograd.testing`` themselves: domains, formulas, options, errors."""

import math
import subprocess
import sys

import pytest
from hypothesis import find, given, settings

from autograd import Value, grad, gradcheck, primitives, topological_order
from autograd.notation import Term
from autograd.testing import (
    OPS,
    Domain,
    Expression,
    Op,
    expressions,
    finite_differences_are_accurate,
    reals,
    variant,
)
from autograd.testing.formulas import _Node
from autograd.testing.taylor import Jet, _node_jet

# the shrunk examples below are exact: search and shrink the same way on every run, whatever
# the profile in use (--hypothesis-profile=ci), its seed, or what an earlier run left in the
# example database
SHRINK = settings(settings.get_profile("default"), derandomize=True, database=None)


op = variant  # the built-in Op of a name (and kind, and drawing a constant, when given)


def test_importing_autograd_does_not_import_hypothesis():
    code = "import sys, autograd; " + (
        "print('hypothesis' in sys.modules, 'autograd.testing' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


@given(reals(op="log"), reals(op="relu"), reals(op="/"), reals(op="**"))
def test_reals_stay_inside_each_ops_domain_with_the_margin(log_x, relu_x, divisor, base):
    assert 0.1 <= log_x <= 3.0
    assert abs(relu_x) >= 0.1
    assert abs(divisor) >= 0.1
    assert base >= 0.1  # some variant of ** needs a positive base


@given(reals(min_value=-1.0, max_value=4.0, avoid=(0.0, 2.0), margin=0.5))
def test_reals_avoid_points_of_your_own(x):
    assert -1.0 <= x <= 4.0
    assert abs(x) >= 0.5 and abs(x - 2.0) >= 0.5
    assert math.isfinite(x)


def test_reals_reject_bad_arguments_by_name():
    with pytest.raises(ValueError, match="reals: ops must be names"):
        reals(op="nope")
    with pytest.raises(TypeError, match=r"reals: min_value must be a finite number \(got nan\)"):
        reals(min_value=math.nan)
    with pytest.raises(ValueError, match="reals: margin must be >= 0"):
        reals(margin=-1)
    with pytest.raises(ValueError, match="reals: no float in"):
        reals(min_value=-0.05, max_value=0.05, avoid=(0.0,))


def test_domain_shift_moves_a_value_inside_by_a_whole_number():
    positive, nonzero = Domain(lower=0.0), Domain(kinks=(0.0,))
    assert positive.shift(-3.7, 0.1) == 4.0 and positive.contains(-3.7 + 4.0, 0.1)
    assert positive.shift(2.0, 0.1) == 0.0
    assert nonzero.shift(-0.01, 0.1) == -1.0 and nonzero.shift(0.0, 0.1) == 1.0


def test_a_formula_prints_with_the_fewest_parentheses_python_needs():
    f = Expression(
        ["x0", "x1"],
        [
            (op("*", "infix"), (0, 1)),  # 2: x0 * x1
            (op("tanh"), (2,)),  # 3
            (op("**", "constant right", 2.0), (2,), 2.0),  # 4
            (op("+", "infix"), (3, 4)),  # 5
        ],
    )
    assert str(f) == "f(x0, x1) = tanh(x0 * x1) + (x0 * x1) ** 2"
    assert repr(f) == str(f)
    g = Expression(
        ["x0", "x1"],
        [
            (op("-", "infix"), (0, 1)),
            (op("-", "infix"), (0, 2)),  # x0 - (x0 - x1): the right side needs parentheses
            (op("+", "constant right", -1.0), (3,), -1.0),  # x + (-1) prints as x - 1
            (op("neg"), (4,)),
            (op("*", "constant left", -1.5), (5,), -1.5),
        ],
    )
    assert str(g) == "f(x0, x1) = -1.5 * -(x0 - (x0 - x1) - 1)"


def test_a_long_formula_names_its_shared_nodes():
    nodes = [(op("*", "infix"), (0, 0))]
    for k in range(1, 8):
        nodes.append((op("+", "infix"), (k, k)))  # each node used twice by the next
    f = Expression(["x0"], nodes)
    text = str(f)
    assert text.splitlines()[0] == "f(x0) = t7 + t7"
    assert "where t1 = x0 * x0" in text and "t2 = t1 + t1" in text
    xs = [Value(1.5)]
    assert f(*xs).data == f.reference(1.5) == 1.5 * 1.5 * 2**7


@given(expressions())
def test_an_expression_computes_on_values_what_its_reference_computes_on_floats(case):
    f, inputs = case
    out = f(*[Value(x) for x in inputs])
    assert math.isclose(out.data, f.reference(*inputs), rel_tol=1e-9, abs_tol=1e-9)
    assert abs(out.data) <= 1e3
    assert len(inputs) == f.n_inputs and 1 <= f.n_inputs <= 3


@given(expressions(margin=0.25))
def test_every_operand_is_a_margin_inside_its_domain(case):
    f, inputs = case
    vals = list(inputs)
    for node in f.nodes:
        for pos, i in enumerate(node.args):
            assert node.op.domain(pos).contains(vals[i], 0.25), (str(f), inputs)
        args = [vals[i] for i in node.args]
        vals.append(node.op.reference(*args, *([node.const] if node.op.constants else [])))


def test_expressions_contain_shared_sub_expressions():
    f, _ = find(expressions(min_nodes=2), lambda case: case[0].shared_nodes() > 0, settings=SHRINK)
    assert f.shared_nodes() > 0


@pytest.mark.slow
def test_expressions_shrink_to_a_small_readable_formula():
    f, inputs = find(expressions(), lambda case: "tanh" in case[0].op_names(), settings=SHRINK)
    assert str(f) == "f(x0) = tanh(x0)"
    assert inputs == [0.0]


@given(expressions(ops=["sqrt", "*"], min_inputs=2, max_inputs=2, min_nodes=3, max_nodes=3))
def test_the_options_choose_ops_inputs_and_size(case):
    f, inputs = case
    assert f.op_names() <= {"sqrt", "*", "+"}  # "+": a shift that moved a sqrt's operand
    assert f.n_inputs == 2 and len(inputs) == 2
    assert 3 <= len(f.nodes) <= 6


def test_expressions_reject_bad_options_by_name():
    with pytest.raises(ValueError, match="expressions: ops must be names"):
        expressions(ops=["cot"])
    with pytest.raises(ValueError, match="expressions: ops must name at least one"):
        expressions(ops=[])
    with pytest.raises(ValueError, match=r"expressions: max_nodes must be an int >= min_nodes"):
        expressions(min_nodes=3, max_nodes=2)
    with pytest.raises(ValueError, match=r"expressions: margin must be in \(0, 1\]"):
        expressions(margin=0)
    with pytest.raises(TypeError, match=r"f\(x0\): expected 1 inputs \(got 2\)"):
        Expression(["x0"], [(op("tanh"), (0,))])(Value(1.0), Value(2.0))


def test_a_new_op_of_your_own_is_drawn_inside_random_graphs():
    swish = Op("swish", lambda x: x * x.sigmoid(), lambda x: x / (1 + math.exp(-x)))
    f, _ = find(
        expressions(ops=[swish, "+"]), lambda case: "swish" in case[0].op_names(), settings=SHRINK
    )
    assert str(f) == "f(x0) = swish(x0)"
    assert f(Value(0.5)).data == pytest.approx(f.reference(0.5))


def test_every_primitive_of_the_engine_is_reachable_through_the_strategies():
    """Each Op variant at a point inside its domain; together they use every Primitive."""
    used = set()
    for op in OPS:
        arity = op.arities[-1]
        point = [1.5 + 0.25 * i for i in range(arity)]
        const = (op.constants[0],) if op.constants else ()
        if op.constant_count is not None:
            const = (tuple(op.constants[: op.constant_count(arity)]),)
        out = op.apply(*[Value(x) for x in point], *const)
        assert out.data == pytest.approx(op.reference(*point, *const), rel=1e-12)
        used |= {v._prim for v in topological_order(out) if v._prim is not None}
    assert used == set(primitives.builtin_primitives())


def test_a_primitive_added_to_the_registry_is_drawn_without_a_row_of_its_own(monkeypatch):
    from autograd.testing import strategy_ops as _strategy_ops

    prim = primitives.define("twice", lambda x: 2.0 * x, lambda x, out: 2.0, builtin=True)
    monkeypatch.setattr(primitives, "TWICE", prim, raising=False)
    monkeypatch.setattr(Value, "twice", lambda self: self * 2.0, raising=False)
    try:
        (row,) = [op for op in _strategy_ops._registered() if op.name == "twice"]
    finally:
        del primitives.REGISTRY["twice"]
        monkeypatch.delattr(primitives, "TWICE")
    assert row.reference is prim.forward and row.kind == "call"
    assert row.apply(Value(1.5)).data == 3.0 and row.text([Term("x")]).text == "twice(x)"
    assert "twice" not in [op.name for op in _strategy_ops._registered()]


@pytest.mark.parametrize("module", ["autograd.testing", "nn.testing"])
def test_without_hypothesis_the_import_error_says_what_to_install(module):
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        f"try:\n    import {module}\nexcept ImportError as e:\n    print(e)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install hypothesis" in out.stdout


# ----------------------------------------------------------------------------------------------
# the finite-difference guard: Taylor jets (testing.taylor) and finite_differences_are_accurate


def jet_of(name, x, const=None, order=3):
    """The built-in op ``name`` (or ``(name, kind)``) applied to a jet of one input at ``x``."""
    o = op(*name, const) if isinstance(name, tuple) else op(name, const=const)
    node = _Node(o, (0,), const)
    return _node_jet(node, [Jet.variable(x, 0, 1, order=order)])


def coefficients(jet):
    return [jet.coefficient(p) for p in range(len(jet.rows))] + [jet.coefficient(0, 0)]


@pytest.mark.parametrize("x", [-2.5, -0.3, 0.7, 2.9])
def test_jets_of_the_built_in_functions_satisfy_their_identities(x):
    y = Jet.variable(x, 0, 1, order=3)
    approx = lambda a, b: a == pytest.approx(b, rel=1e-12, abs=1e-12)
    tanh, sig = jet_of("tanh", x), jet_of("sigmoid", 2 * x)
    two_sig = _node_jet(_Node(op("sigmoid"), (0,)), [2 * y])
    assert approx(coefficients(tanh), coefficients(2 * two_sig - 1))
    assert sig.value == pytest.approx(1 / (1 + math.exp(-2 * x)))
    minus = _node_jet(_Node(op("softplus"), (0,)), [-y])
    assert approx(coefficients(jet_of("softplus", x) - minus), coefficients(y))
    sin, cos = jet_of("sin", x), jet_of("cos", x)
    assert approx(coefficients(sin * sin + cos * cos), [1.0, 0.0, 0.0, 0.0, 0.0])
    pos = abs(x)
    p = Jet.variable(pos, 0, 1, order=3)
    log = _node_jet(_Node(op("log"), (0,)), [p])
    assert approx(coefficients(log.exp()), coefficients(p))
    root = jet_of("sqrt", pos)
    assert approx(coefficients(root * root), coefficients(p))
    for c in (2.0, 0.5, 3.0):
        assert approx(
            coefficients(jet_of(("**", "constant left"), x, c)),
            coefficients((y * math.log(c)).exp()),
        )
    cube = y * y * y  # d^p/dx^p x^3 / p!: x^3, 3x^2, 3x, 1
    assert approx(coefficients(cube), [x**3, 3 * x**2, 3 * x, 1.0, 3 * x**2])


@given(expressions(max_inputs=2, max_nodes=6))
def test_jets_give_the_engines_first_and_second_derivatives(case):
    f, inputs = case
    n = len(inputs)
    xs = [Value(x) for x in inputs]
    first = grad(f(*xs), xs, create_graph=True)
    data = lambda v: v.data if isinstance(v, Value) else float(v)
    hessian = [[data(h) for h in grad(d, xs)] if isinstance(d, Value) else [0.0] * n for d in first]
    close = lambda a, b: math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    for j in range(n):
        vals = [Jet.variable(x, i, n, order=3, along=i == j) for i, x in enumerate(inputs)]
        for node in f.nodes:
            vals.append(_node_jet(node, [vals[i] for i in node.args]))
        out = vals[-1]
        assert close(out.value, f.reference(*inputs))
        assert close(out.coefficient(1), data(first[j])), (str(f), inputs, j)
        for i in range(n):
            assert close(out.coefficient(1, i), hessian[i][j]), (str(f), inputs, i, j)


def test_the_guard_rejects_points_where_finite_differences_miss():
    recip = Expression(["x0"], [(op("/", "constant left", 2.0), (0,), 2.0)])
    assert finite_differences_are_accurate(recip, [0.5])
    assert not finite_differences_are_accurate(recip, [1e-4])  # x0 +- eps nearly reaches 0


def test_an_op_of_your_own_is_guarded_through_its_reference_or_derivatives():
    # (1000 x)^3 - 3e6 x at x = 1000 ** -0.5: f' = 0 while f''' = 6e9 (truncation error 1e-3)
    cubic = Op(
        "cubic", lambda x: (x * 1000.0) ** 3 - x * 3e6, lambda x: (x * 1000.0) ** 3 - x * 3e6
    )
    f, flat = Expression(["x0"], [(cubic, (0,))]), 1000.0**-0.5
    assert finite_differences_are_accurate(f, [0.5])  # plain arithmetic: it runs on jets
    assert not finite_differences_are_accurate(f, [flat])
    x = Value(flat)
    f(x).backward()
    assert x.grad == 0.0  # the engine is right, finite differences are not:
    assert not gradcheck(f, [flat], raise_exception=False)
    swish = Op("swish", lambda x: x * x.sigmoid(), lambda x: x / (1 + math.exp(-x)))
    # math.exp cannot run on jets: without derivatives nothing is estimated (always True)
    assert finite_differences_are_accurate(Expression(["x0"], [(swish, (0,))]), [0.5])
    wrong = Op(
        "swish", swish.apply, swish.reference, derivatives=lambda x: [x, 1.0, 0.0, 1e30, 0.0]
    )
    assert not finite_differences_are_accurate(Expression(["x0"], [(wrong, (0,))]), [0.5])
