"""``check_engine`` on learners' engines: it passes correct ones and catches each classic bug.

The engines below are small micrograd-style classes written for these tests, each with one
bug a learner typically makes. Every check is derandomized: the same formulas on every run.
"""

from __future__ import annotations

import math

import pytest
from micrograd.engine import Value as MicrogradValue

from autograd import Value
from autograd.testing import EngineCheckError, check_engine
from tests.examples import micrograd_topological_order


class Mini:
    """A correct micrograd-style engine: +, *, ** number, tanh, exp, relu and the composites."""

    def __init__(self, data, _children=(), _op=""):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op

    def _wrap(self, other):
        return other if isinstance(other, Mini) else type(self)(other)

    _assigns: frozenset[str] = frozenset()  # ops whose _backward assigns instead of adding

    def _node(self, value, op, *locals_):
        """A node of ``op``; each (parent, local derivative) pair gets local * out.grad."""
        out = type(self)(value, [p for p, _ in locals_], op)

        def _backward():
            for parent, local in locals_:
                if op in self._assigns:
                    parent.grad = local() * out.grad  # the bug of a subclass: = for +=
                else:
                    parent.grad += local() * out.grad

        out._backward = _backward
        return out

    def __add__(self, other):
        other = self._wrap(other)
        return self._node(self.data + other.data, "+", (self, lambda: 1.0), (other, lambda: 1.0))

    def __mul__(self, other):
        other = self._wrap(other)
        return self._node(
            self.data * other.data, "*", (self, lambda: other.data), (other, lambda: self.data)
        )

    def __pow__(self, k):
        if not isinstance(k, int | float):
            return NotImplemented
        return self._node(self.data**k, f"**{k}", (self, lambda: k * self.data ** (k - 1)))

    def _unary(self, value, derivative, op):
        return self._node(value, op, (self, derivative))

    def tanh(self):
        t = math.tanh(self.data)
        return self._unary(t, lambda: 1 - t**2, "tanh")

    def exp(self):
        e = math.exp(self.data)
        return self._unary(e, lambda: e, "exp")

    def relu(self):
        return self._unary(max(self.data, 0.0), lambda: float(self.data > 0), "relu")

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-other)

    def __truediv__(self, other):
        return self * other**-1

    def backward(self):
        topo = self._topological_order()
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()

    def _topological_order(self):
        return micrograd_topological_order(self)


class AssignInAdd(Mini):
    _assigns = frozenset({"+"})  # the bug: self.grad = out.grad instead of +=


class AssignInMul(Mini):
    _assigns = frozenset({"*"})  # the bug: self.grad = other.data * out.grad instead of +=


class AssignInTanh(Mini):
    _assigns = frozenset({"tanh"})  # the bug: self.grad = (1 - t**2) * out.grad instead of +=


class WrongTanh(Mini):
    def tanh(self):
        t = math.tanh(self.data)
        return self._unary(t, lambda: 1 - t, "tanh")  # the bug: 1 - t instead of 1 - t**2


class WrongReluForward(Mini):
    def relu(self):
        return self._unary(self.data, lambda: float(self.data > 0), "relu")  # the bug: no max


class NoRadd(Mini):
    __radd__ = None  # as if never written: 2 + v raises TypeError


class NoRmul(Mini):
    __rmul__ = None


class NoVisitedSet(Mini):
    def _topological_order(self):
        topo = []

        def build(v):  # the bug: no visited set, so a node reached twice is listed twice
            for child in v._prev:
                build(child)
            topo.append(v)

        build(self)
        return topo


class SwappedProductRule(MicrogradValue):
    """micrograd 0.1.0's Value with a broken rule: the product rule's factors swapped."""

    def __mul__(self, other):
        other = other if isinstance(other, MicrogradValue) else type(self)(other)
        out = type(self)(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += self.data * out.grad
            other.grad += other.data * out.grad

        out._backward = _backward
        return out


class OnlyValues:
    """The lecture's first engine: + and * between Values only, and tanh."""

    def __init__(self, data, _children=()):
        self.data, self.grad, self._prev = data, 0.0, set(_children)
        self._backward = lambda: None

    def __add__(self, other):
        out = OnlyValues(self.data + other.data, (self, other))

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        out = OnlyValues(self.data * other.data, (self, other))

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = OnlyValues(t, (self,))

        def _backward():
            self.grad += (1 - t**2) * out.grad

        out._backward = _backward
        return out

    backward = Mini.backward
    _topological_order = Mini._topological_order


def failure(cls) -> EngineCheckError:
    with pytest.raises(EngineCheckError) as info:
        check_engine(cls)
    return info.value


# ----------------------------------------------------------------------------------------------
# correct engines pass


def test_micrograd_value_passes_with_the_ops_it_has():
    report = check_engine(MicrogradValue)
    assert report.passed and bool(report)
    assert report.examples >= 200
    assert {"x + y", "c + x", "x * c", "c * x", "x - y", "c / x", "x ** c", "relu(x)"} <= set(
        report.ops
    )
    assert {"tanh(x)", "exp(x)", "x ** y", "c ** x", "abs(x)"} <= set(report.missing)
    assert "agree with stepgrad" in str(report)


def test_stepgrad_value_passes_with_every_op():
    report = check_engine(Value, max_examples=100)
    assert report.passed and report.missing == ()
    assert {"x ** y", "c ** x", "sigmoid(x)", "log(x)", "leaky_relu(x, c)"} <= set(report.ops)


def test_a_correct_learner_engine_passes_as_a_pytest_one_liner():
    check_engine(Mini)


def test_an_engine_with_only_value_operands_is_tested_on_what_it_has():
    report = check_engine(OnlyValues)
    assert report.ops == ("x + y", "x * y", "tanh(x)")
    assert "x + c" in report.missing and "c + x" in report.missing


# ----------------------------------------------------------------------------------------------
# each classic bug is caught, shrunk and named


def test_assign_instead_of_accumulate_in_add_is_caught_at_x_plus_x():
    error = failure(AssignInAdd)
    assert isinstance(error, AssertionError)
    assert error.report.formula == "f(x0) = x0 + x0"
    message = str(error)
    assert "the gradient of x0 disagrees" in message
    assert "x + y is right on its own but wrong when a Value is used twice" in message
    assert "x.grad += ..." in message
    assert "d/da0: expected 2, got 1" in message


def test_assign_instead_of_accumulate_in_mul_is_caught():
    error = failure(AssignInMul)
    assert error.report.formula == "f(x0) = x0 * x0"
    assert "x * y is right on its own but wrong when a Value is used twice" in str(error)


def test_assign_instead_of_accumulate_in_a_unary_op_shows_when_its_input_is_shared():
    error = failure(AssignInTanh)
    message = str(error)
    assert error.report.formula == "f(x0) = tanh(x0) + x0"
    assert "tanh(x) is right on its own but wrong when a Value is used twice" in message
    assert "tanh(a0) + tanh(a0)" in message


def test_a_wrong_derivative_is_shrunk_to_the_op_alone():
    error = failure(WrongTanh)
    assert error.report.formula == "f(x0) = tanh(x0)"
    assert "found by a probe of each op alone" in str(error)
    message = str(error)
    assert "the derivative rule of tanh(x) is wrong on its own" in message
    # the table shows stepgrad's gradient, the finite difference and the learner's
    row = next(line for line in message.splitlines() if line.strip().startswith("d/dx0"))
    expected, numeric, got = (float(w) for w in row.split()[1:])
    x0 = float(message.split("at x0 = ")[1].split()[0])
    assert expected == pytest.approx(1 - math.tanh(x0) ** 2)
    assert numeric == pytest.approx(expected, abs=1e-6)
    assert got == pytest.approx(1 - math.tanh(x0))


def test_a_wrong_forward_value_is_reported_as_such():
    error = failure(WrongReluForward)
    assert error.report.formula == "f(x0) = relu(x0)"
    assert "at x0 = -0.6" in str(error)  # the probe on relu's negative side
    assert "the forward value disagrees" in str(error)
    assert "the forward value of relu(x) is wrong on its own" in str(error)


@pytest.mark.parametrize(
    ("cls", "form", "formula"), [(NoRadd, "2 + x", "1 + x0"), (NoRmul, "2 * x", "2 * x0")]
)
def test_a_missing_reflected_op_is_a_failure_not_a_missing_op(cls, form, formula):
    error = failure(cls)
    message = str(error)
    assert "raised TypeError" in message
    assert f"{form} fails while the other order works" in message
    assert ("__radd__" if cls is NoRadd else "__rmul__") in message
    assert error.report.formula == f"f(x0) = {formula}"


def test_a_topological_sort_without_a_visited_set_is_caught():
    error = failure(NoVisitedSet)
    assert error.report.formula == "f(x0, x1) = x0 + x1 + x0 + (x0 + x1)"  # a diamond
    assert "exactly once (a visited set in the topological sort)" in str(error)


def test_a_copy_of_micrograd_with_a_swapped_product_rule_fails_on_x0_times_x1():
    error = failure(SwappedProductRule)
    assert error.report.formula == "f(x0, x1) = x0 * x1"
    message = str(error)
    assert "the derivative rule of x * y is wrong on its own" in message
    assert "also wrong on their own: x * c, c * x, x - y, c - x, x / y" in message


def test_without_raising_a_failure_comes_back_as_a_false_report():
    report = check_engine(WrongTanh, raise_exception=False)
    assert not report and report.formula == "f(x0) = tanh(x0)"
    assert report.text == str(report)


@pytest.mark.slow
def test_the_same_formulas_on_every_run():
    first = str(failure(WrongOnlyInLargeGraphs))
    assert str(failure(WrongOnlyInLargeGraphs)) == first


# ----------------------------------------------------------------------------------------------
# bad input


def test_bad_arguments_are_named():
    with pytest.raises(TypeError, match="expected a Value class"):
        check_engine(Mini(1.0))
    with pytest.raises(TypeError, match=r"missing: backward"):
        check_engine(type("NoBackward", (), {"__init__": lambda s, d: None, "data": 0, "grad": 0}))
    with pytest.raises(TypeError, match=r"must make a leaf"):
        check_engine(type("NoArgs", (), {}))
    with pytest.raises(ValueError, match="max_examples must be an int >= 1"):
        check_engine(Mini, max_examples=0)
    with pytest.raises(ValueError, match=r"none of the operations .* x \+ y raised TypeError"):
        check_engine(type("Bare", (), {"__init__": Mini.__init__, "backward": Mini.backward}))
    with pytest.raises(ValueError, match="raised TypeError: unhashable type"):
        check_engine(EqualByDataInSets)


class WrongOnlyInLargeGraphs(Mini):
    """Right in every probe; wrong where |x| >= 5, which only random graphs reach."""

    def tanh(self):
        t = math.tanh(self.data)
        slope = 1 - t**2 if abs(self.data) < 5 else 0.5
        return self._unary(t, lambda: slope, "tanh")


@pytest.mark.slow
def test_a_bug_the_probes_miss_is_found_by_random_formulas_and_shrunk():
    error = failure(WrongOnlyInLargeGraphs)
    message = str(error)
    assert "found by random formulas, shrunk by hypothesis" in message
    assert "tanh" in error.report.formula
    assert "the derivative rule of tanh(x) is wrong on its own" in message


class NoSeed(Mini):
    def backward(self):
        for v in reversed(self._topological_order()):  # the bug: self.grad = 1.0 forgotten
            v._backward()


class EqualByData(Mini):
    def __init__(self, data, _children=(), _op=""):
        super().__init__(data, (), _op)
        self._prev = tuple(_children)  # a tuple holds unhashable Values; backward's set does not

    def __eq__(self, other):  # the bug: defining __eq__ makes instances unhashable
        return isinstance(other, Mini) and self.data == other.data


class EqualByDataInSets(Mini):
    def __eq__(self, other):
        return isinstance(other, Mini) and self.data == other.data


def test_a_missing_seed_is_named():
    message = str(failure(NoSeed))
    assert "backward() must seed it with 1" in message
    assert "the output's own grad is 0.0" in message


def test_an_unhashable_class_is_named():
    error = failure(EqualByData)
    assert "backward() raised TypeError: unhashable type" in str(error)
    assert "__hash__ = object.__hash__" in str(error)
