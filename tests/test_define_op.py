"""define_op: one definition gives an op that every tool understands.

backward, grad (higher order), gradcheck, draw_dot and the steppers.
"""

import math
import re
from fractions import Fraction

import pytest
from hypothesis import find, given, settings

from autograd import (
    GradcheckError,
    Value,
    backward_steps,
    define_op,
    draw_dot,
    grad,
    gradcheck,
    gradgradcheck,
    jvp,
    topological_order,
)
from autograd import primitives as P
from autograd.testing import (
    Expression,
    Op,
    expressions,
    finite_differences_are_accurate,
    reals,
)
from tests.strategies import between

# log(1 + x^2): smooth everywhere, its rule needs no helper beyond arithmetic
log1p_sq = define_op("log1p_sq", lambda x: math.log1p(x * x), lambda x, out: 2 * x / (1 + x * x))
# a binary op: x * y^2 (rules get both inputs, then out)
mul_sq = define_op(
    "mul_sq", lambda x, y: x * y * y, lambda x, y, out: y * y, lambda x, y, out: 2 * x * y
)
# with a domain
inv_sqrt = define_op(
    "inv_sqrt",
    lambda x: x**-0.5,
    lambda x, out: -0.5 * x**-1.5,
    domain=lambda x: x > 0,
    expects="a positive number",
)

REALS = between(-3.0, 3.0)


@given(REALS)
def test_a_defined_op_passes_gradcheck_and_gradgradcheck(x):
    assert gradcheck(log1p_sq, [x])
    assert gradgradcheck(log1p_sq, [x], atol=1e-4, rtol=1e-3)


@given(REALS, REALS)
def test_a_binary_defined_op_to_second_order(x, y):
    assert gradcheck(mul_sq, [x, y])
    assert gradgradcheck(mul_sq, [x, y], atol=1e-4, rtol=1e-3)


def test_third_derivative_through_a_defined_op():
    x = Value(0.5)
    (d1,) = grad(inv_sqrt(x), [x], create_graph=True)
    (d2,) = grad(d1, [x], create_graph=True)
    (d3,) = grad(d2, [x])
    assert (d1.data, d2.data, d3) == pytest.approx(
        (-0.5 * 0.5**-1.5, 0.75 * 0.5**-2.5, -1.875 * 0.5**-3.5)
    )


def test_drawing_and_stepping_know_the_op_by_name():
    x = Value(1.5, label="x")
    y = mul_sq(x, Value(2.0, label="y"))
    y.label = "out"
    step = next(backward_steps(y))
    assert step.local == (4.0, 6.0)
    assert step.explain(1).startswith("step 1: out = mul_sq(x, y) received grad 1.0")
    assert "label=mul_sq" in draw_dot(y, show_local=True).source


def test_the_op_is_registered():
    assert P.REGISTRY["log1p_sq"] is log1p_sq.primitive
    builtin = ["exp", "tanh", "sin", "cos", "tan", "abs", "softplus", "log", "relu", "sigmoid"]
    assert all(P.is_builtin(name) for name in builtin) and not P.is_builtin("log1p_sq")


def test_domain_errors_name_the_op_and_what_it_expects():
    with pytest.raises(ValueError, match=r"inv_sqrt: expected a positive number, got -1\.0"):
        inv_sqrt(Value(-1.0))
    y = inv_sqrt(Value(math.nan))  # nan passes the check and propagates
    assert math.isnan(y.data)


def test_numbers_become_leaves_and_methods_work():
    class MyValue(Value):
        __slots__ = ()
        log1p_sq = log1p_sq

    x = MyValue(1.0)
    y = x.log1p_sq()
    y.backward()
    assert (y.data, x.grad) == (math.log(2.0), 1.0)
    assert mul_sq(2.0, Value(3.0)).data == 18.0


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "pattern"),
    [
        (("", abs, abs), {}, TypeError, r"name must be a non-empty str"),
        (("f", 3, abs), {}, TypeError, r"forward must be a function \(got int\)"),
        (("f", abs), {}, TypeError, r"'f' needs one derivative rule per input"),
        (("f", abs, 1.0), {}, TypeError, r"rules\[0\] must be a function \(got float\)"),
        (("f", abs, abs), {"domain": 1}, TypeError, r"domain must be a function"),
        (("tanh", math.tanh, abs), {}, ValueError, r"'tanh' is one of stepgrad's own ops"),
    ],
)
def test_bad_definitions(args, kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        define_op(*args, **kwargs)


def test_wrong_number_of_inputs():
    with pytest.raises(TypeError, match=r"mul_sq: expected 2 inputs, got 1"):
        mul_sq(Value(1.0))
    with pytest.raises(TypeError, match=r"log1p_sq: expected a Value or a real number"):
        log1p_sq("a")


def test_stepgrads_own_ops_are_defined_the_same_way():
    # the table's tanh is a define()d primitive: its vjp is g * rule(x, out)
    assert P.TANH is P.REGISTRY["tanh"]
    x = Value(0.3)
    y = x.tanh()
    y.backward()
    assert x.grad == 1.0 - y.data * y.data


# ----------------------------------------------------------------------------------------------
# autograd.testing draws a defined op from its one definition (issue 12, item 3)

# a fixed budget, the same examples on every run (whatever the profile, seed or database)
FIXED = settings(max_examples=60, derandomize=True, database=None, deadline=None)

cube = define_op("cubed", lambda x: x**3, lambda x, out: 3 * x**2)
wrong_cube = define_op("wrong_cube", lambda x: x**3, lambda x, out: 3 * x)  # drops a power
log1p = define_op(
    "log1p_",
    math.log1p,
    lambda x, out: 1 / (1 + x),
    domain=lambda x: x > -1,
    expects="a number above -1",
)


@FIXED
@given(expressions(ops=[cube, mul_sq, "+", "*", "tanh"], max_nodes=6))
def test_defined_ops_pass_gradcheck_inside_random_graphs(case):
    f, inputs = case
    assert gradcheck(f, inputs)
    assert gradgradcheck(f, inputs)


@pytest.mark.slow
def test_defined_ops_are_drawn_with_shared_sub_expressions():
    f, _ = find(
        expressions(ops=[cube, mul_sq, "+"]),
        lambda c: {"cubed", "mul_sq"} <= c[0].op_names() and c[0].shared_nodes() > 0,
        settings=settings(derandomize=True, database=None),
    )
    assert "cubed(" in str(f) and "mul_sq(" in str(f)


def test_a_wrong_rule_of_a_defined_op_is_caught():
    @FIXED
    @given(expressions(ops=[wrong_cube, "+", "*"], max_nodes=4))
    def check(case):
        f, inputs = case
        gradcheck(f, inputs)

    with pytest.raises(GradcheckError):
        check()


@FIXED
@given(expressions(ops=["cubed", "log1p_", "-"], max_nodes=6))
def test_registered_names_work_too_and_the_domain_is_kept(case):
    f, inputs = case
    assert f.op_names() <= {"cubed", "log1p_", "-"}
    vals = list(inputs)
    for node in f.nodes:
        args = [vals[i] for i in node.args]
        if node.op.name == "log1p_":
            assert args[0] >= -1 + 0.1  # inside the domain, a margin away from its edge
        vals.append(node.op.reference(*args, *([] if node.const is None else [node.const])))
    f(*inputs)  # builds without a domain error
    assert gradcheck(f, inputs)


def test_a_domain_op_is_drawn_and_its_domain_never_broken():
    seen = []

    @FIXED
    @given(expressions(ops=[log1p, "-", "*"], max_nodes=5))
    def check(case):
        f, inputs = case
        vals = list(inputs)
        for node in f.nodes:
            args = [vals[i] for i in node.args]
            if node.op.name == "log1p_":
                seen.append(args[0])
            vals.append(node.op.reference(*args, *([] if node.const is None else [node.const])))

    check()
    assert seen and min(seen) >= -0.9  # -1 + margin


@FIXED
@given(reals(op=log1p, min_value=-3.0))
def test_reals_keep_a_defined_domain(x):
    assert x >= -0.9


def test_op_from_define_op_uses_the_registered_definition():
    op = Op.from_define_op(log1p)
    assert (op.name, op.arities, op.apply, op.reference) == (
        "log1p_",
        (1,),
        log1p,
        log1p.primitive.forward,
    )
    assert op.accepts is not None and op.accepts(0.0) and not op.accepts(-2.0)
    assert Op.from_define_op(mul_sq).arities == (2,)
    with pytest.raises(TypeError, match=r"Op.from_define_op: op must be a function made by"):
        Op.from_define_op(math.log1p)
    with pytest.raises(ValueError, match=r"expressions: ops must be names .* \(got 'nope'\)"):
        expressions(ops=["nope"])


def test_the_finite_difference_guard_estimates_arithmetic_forwards():
    # x ** -2 runs on Taylor jets: the guard sees its pole at 0 through the third derivative
    inv_sq = Op.from_define_op(define_op("inv_sq", lambda x: x**-2, lambda x, out: -2 * x**-3))
    f = Expression(["x0"], [(inv_sq, (0,))])
    assert finite_differences_are_accurate(f, [0.5])
    assert not finite_differences_are_accurate(f, [1e-5])
    # math.log1p does not run on jets: nothing to estimate, documented as always True
    g = Expression(["x0"], [(Op.from_define_op(log1p), (0,))])
    assert finite_differences_are_accurate(g, [1e-3])


@pytest.mark.slow
def test_ops_that_are_not_a_list_are_a_type_error():
    with pytest.raises(TypeError, match=r"expressions: ops must be a list of operations \(got 3\)"):
        expressions(ops=3)  # type: ignore[arg-type]
    f, _ = find(expressions(ops=cube), lambda c: True, settings=FIXED)  # alone, like ops="tanh"
    assert f.op_names() == {"cubed"}


@pytest.mark.parametrize("name", ["neg", "-", "add_all", "sqrt", "sum", "affine", "+"])
def test_stepgrads_own_names_are_refused(name):
    with pytest.raises(
        ValueError, match=rf"define_op: '{re.escape(name)}' is one of stepgrad's own"
    ):
        define_op(name, lambda x: -x, lambda x, out: -1.0)


def test_forward_and_rules_must_take_as_many_arguments_as_there_are_inputs():
    with pytest.raises(TypeError, match=r"'f2' has 2 input\(s\).*forward must take 2 arguments"):
        define_op("f2", lambda x: x, lambda x, y, out: 1.0, lambda x, y, out: 1.0)
    with pytest.raises(TypeError, match=r"rules\[1\] must take 3 arguments.*got rules\[1\]\(x\)"):
        define_op("f2", lambda x, y: x, lambda x, y, out: 1.0, lambda x: 1.0)
    star = define_op("star", lambda *xs: xs[0] * xs[1], lambda *a: a[1], lambda *a: a[0])
    assert grad(star(Value(2.0), Value(3.0)), [Value(1.0)]) == [0.0]


class _Numpyish(float):
    """A float subclass that keeps its type in products, as numpy's float64 does."""

    def __mul__(self, other):
        return _Numpyish(float(self) * other)

    __rmul__ = __mul__


@pytest.mark.parametrize("result", [_Numpyish(2.0), 2, True, Fraction(2, 1)])
def test_a_rule_returning_another_real_number_gives_a_float_grad(result):
    op = define_op("real_rule", lambda x: 2 * x, lambda x, out: result)
    x = Value(3.0)
    op(x).backward()
    assert type(x.grad) is float and x.grad == float(result)
    (step,) = backward_steps(op(Value(3.0)))
    assert type(step.local[0]) is float


@pytest.mark.parametrize(
    ("result", "shown"),
    [(Value(2.0), "a Value"), (2j, r"2j \(complex\)"), ([2.0], r"\[2\.0\] \(list\)")],
)
def test_a_rule_returning_no_real_number_is_a_type_error_before_any_grad(result, shown):
    op = define_op("bad_rule", lambda x, y: x * y, lambda x, y, out: y, lambda x, y, out: result)
    x, y = Value(3.0), Value(4.0)
    z = op(x, y) * 2.0
    z.grad, x.grad, y.grad = 0.5, 0.25, 0.125
    message = rf"bad_rule: the derivative rule for input 2 \(rules\[1\]\) returned {shown}"
    with pytest.raises(TypeError, match=message):
        z.backward()
    assert (z.grad, x.grad, y.grad) == (0.5, 0.25, 0.125)  # every grad put back
    with pytest.raises(TypeError, match=message):
        grad(z, [x, y])
    with pytest.raises(TypeError, match=message):
        list(backward_steps(z))
    if not isinstance(result, Value):  # on Values a Value is right; the others are not
        with pytest.raises(TypeError, match=message):
            grad(z, [x, y], create_graph=True)


def test_second_order_accepts_values_and_numbers_from_rules():
    twice = define_op("twice2", lambda x: 2 * x, lambda x, out: _Numpyish(2.0))
    x = Value(1.5)
    (d,) = grad(twice(x) * x, [x], create_graph=True)
    assert isinstance(d, Value) and d.data == 6.0 and grad(d, [x]) == [4.0]


def test_a_rule_that_raises_mid_backward_puts_every_grad_back():
    def rule(x, out):
        raise ZeroDivisionError("my rule")

    fails = define_op("fails", lambda x: x, rule)
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c.tanh() * 3.0 + fails(c)  # some rules write grads before the failing one runs
    nodes = topological_order(d)
    for i, v in enumerate(nodes):
        v.grad = i / 10
    with pytest.raises(ZeroDivisionError, match="my rule"):
        d.backward()
    assert [v.grad for v in nodes] == [i / 10 for i in range(len(nodes))]
    steps = backward_steps(d)
    next(steps)  # the first step writes grads
    with pytest.raises(ZeroDivisionError, match="my rule"):
        list(steps)
    assert [v.grad for v in nodes] == [i / 10 for i in range(len(nodes))]


def test_a_jvp_of_your_own_is_checked_like_the_rules():
    bad = define_op("bad_jvp2", lambda x: 2 * x, lambda x, out: 2.0, jvp=lambda t, out, x: 2j)
    with pytest.raises(TypeError, match=r"bad_jvp2: the jvp returned 2j \(complex\)"):
        jvp(bad, [1.0], [1.0])
    ok = define_op(
        "ok_jvp", lambda x: 2 * x, lambda x, out: 2.0, jvp=lambda t, out, x: _Numpyish(2.0) * t[0]
    )
    (_, d) = jvp(ok, [1.0], [1.0])
    assert type(d) is float and d == 2.0
