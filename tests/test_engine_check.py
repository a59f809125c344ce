"""``check_engine`` on learners' engines: it passes correct ones and catches each classic bug.

The engines below are small micrograd-style classes written for these tests, each with one
bug a learner typically makes. Every check is derandomized: the same formulas on every run.
"""

from __future__ import annotations

import math
import struct
import threading
import time

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
    _forgets: frozenset[str] = frozenset()  # ops whose _backward forgets the * out.grad

    def _node(self, value, op, *locals_):
        """A node of ``op``; each (parent, local derivative) pair gets local * out.grad."""
        out = type(self)(value, [p for p, _ in locals_], op)

        def _backward():
            g = 1.0 if op in self._forgets else out.grad  # the bug of a subclass: no * out.grad
            for parent, local in locals_:
                if op in self._assigns:
                    parent.grad = local() * g  # the bug of a subclass: = for +=
                else:
                    parent.grad += local() * g

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


@pytest.mark.slow
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


@pytest.mark.slow
def test_a_correct_learner_engine_passes_as_a_pytest_one_liner():
    check_engine(Mini)


@pytest.mark.slow
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


@pytest.mark.parametrize(("cls", "form"), [(NoRadd, "c + x"), (NoRmul, "c * x")])
def test_a_missing_reflected_op_is_reported_missing_and_the_rest_is_checked(cls, form):
    report = check_engine(cls, max_examples=50)
    assert report.passed and form in report.missing
    method = "__radd__" if cls is NoRadd else "__rmul__"
    assert f"{form.replace('c', '2')} raised TypeError while the other order works" in str(report)
    assert f"define {method}" in str(report)


class NoRaddWrongTanh(WrongTanh):
    __radd__ = None


def test_a_missing_radd_does_not_hide_a_wrong_derivative():
    error = failure(NoRaddWrongTanh)
    assert error.report.formula == "f(x0) = tanh(x0)"
    assert "c + x" in error.report.missing
    assert "define __radd__" in str(error)


def test_a_topological_sort_without_a_visited_set_is_caught():
    error = failure(NoVisitedSet)
    assert error.report.formula == "t2 = x0 + x1\nf(x0, x1) = t2 + x0 + t2"  # a diamond
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
    with pytest.raises(EngineCheckError, match="raised TypeError: unhashable type"):
        check_engine(EqualByDataInSets)  # exp and tanh exist, so they are tested


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


# ----------------------------------------------------------------------------------------------
# engines that once crashed or hung check_engine, or were misjudged


class FlakyTanh(Mini):
    """tanh's derivative is wrong on every other call: the same formula fails, then passes."""

    calls = 0

    def tanh(self):
        FlakyTanh.calls += 1
        t = math.tanh(self.data)
        slope = 1 - t**2 if FlakyTanh.calls % 2 else 0.5
        return self._unary(t, lambda: slope, "tanh")


class FlakyInLargeGraphs(Mini):
    """Wrong the first time tanh sees |x| >= 5 (only random graphs go there), then right."""

    calls = 0

    def tanh(self):
        t = math.tanh(self.data)
        slope = 1 - t**2
        if abs(self.data) >= 5:
            FlakyInLargeGraphs.calls += 1
            slope = 0.5 if FlakyInLargeGraphs.calls == 1 else slope
        return self._unary(t, lambda: slope, "tanh")


@pytest.mark.parametrize("cls", [FlakyTanh, FlakyInLargeGraphs])
def test_an_engine_giving_different_answers_is_reported_not_deterministic(cls):
    cls.calls = 0
    report = check_engine(cls, max_examples=100, raise_exception=False)
    assert not report.passed
    assert "your engine is not deterministic" in str(report)
    cls.calls = 0
    with pytest.raises(EngineCheckError, match="your engine is not deterministic"):
        check_engine(cls, max_examples=100)


class TorchStyle(Mini):
    """PyTorch's convention: grad is None until a gradient reaches the Value."""

    def __init__(self, data, _children=(), _op=""):
        super().__init__(data, _children, _op)
        self.grad = None

    def _node(self, value, op, *locals_):
        out = type(self)(value, [p for p, _ in locals_], op)

        def _backward():
            for parent, local in locals_:
                g = local() * out.grad
                parent.grad = g if parent.grad is None else parent.grad + g

        out._backward = _backward
        return out


def test_a_pytorch_style_engine_with_none_for_unused_inputs_passes():
    report = check_engine(TorchStyle, max_examples=100)
    assert report.passed


class HangingBackward(Mini):
    """backward() never returns (until the test releases it, so no thread spins forever)."""

    released = threading.Event()

    def backward(self):
        stop = time.monotonic() + 60  # a bound, so that no bug here can hang the test run
        while not self.released.is_set() and time.monotonic() < stop:
            time.sleep(0.01)


def test_a_backward_that_never_returns_is_reported_after_the_timeout():
    report = check_engine(HangingBackward, timeout=0.2, raise_exception=False)
    assert not report.passed
    assert "backward() did not finish in 0.2 s" in str(report)
    assert "endless loop" in str(report)


def test_the_timeout_works_off_the_main_thread_too():
    reports = []
    thread = threading.Thread(
        target=lambda: reports.append(
            check_engine(HangingBackward, timeout=0.2, raise_exception=False)
        )
    )
    try:
        thread.start()
        thread.join(30)
        assert reports and "backward() did not finish in 0.2 s" in str(reports[0])
    finally:
        HangingBackward.released.set()  # the abandoned backward() calls end
        thread.join()


class SigmoidWithoutImport(Mini):
    def sigmoid(self):
        s = 1 / (1 + mth.exp(-self.data))  # noqa: F821 (the bug: the module is not imported)
        return self._unary(s, lambda: s * (1 - s), "sigmoid")


def test_an_op_that_exists_but_raises_is_a_failure_not_missing():
    error = failure(SigmoidWithoutImport)
    assert error.report.formula == "f(x0) = sigmoid(x0)"
    assert "sigmoid(x) raised NameError" in str(error)
    assert "sigmoid(x)" in error.report.ops and "sigmoid(x)" not in error.report.missing
    assert "import" in str(error)


class ForgetsIncomingInTanh(Mini):
    _forgets = frozenset({"tanh"})  # the bug: self.grad += 1 - t**2, without * out.grad


class ForgetsIncomingInAdd(Mini):
    _forgets = frozenset({"+"})


@pytest.mark.parametrize(
    ("cls", "form", "formula"),
    [
        (ForgetsIncomingInTanh, "tanh(x)", "f(x0) = tanh(x0) * 2"),
        (ForgetsIncomingInAdd, "x + y", "f(x0, x1) = (x0 + x1) * 2"),
    ],
)
def test_a_rule_without_the_incoming_gradient_is_caught_and_named(cls, form, formula):
    error = failure(cls)
    assert error.report.formula == formula
    message = str(error)
    assert f"{form} is right when backward() starts at it" in message
    assert "incoming gradient (out.grad) is not 1" in message
    assert "x.grad += local * out.grad" in message


def replay(cls, report) -> list[float]:
    """Type the report's formula in, on ``cls``, at the report's point: the input gradients."""
    at = report.text.split("\n  at ")[1].splitlines()[0]
    point = dict(pair.split(" = ") for pair in at.split(", "))
    names = {name: cls(float(x)) for name, x in point.items()}
    for line in report.formula.splitlines():
        target, expression = line.split(" = ", 1)
        target = "out" if target.startswith("f(") else target
        names[target] = eval(expression, {}, names)  # the test's own formula
    names["out"].backward()
    return [names[name].grad for name in point]


def test_the_printed_formula_reproduces_the_failure_when_typed_in():
    report = check_engine(NoVisitedSet, raise_exception=False)
    assert "t2 = x0 + x1" in report.formula  # the shared node, named
    assert replay(NoVisitedSet, report) != pytest.approx(replay(Value, report))
    assert replay(Mini, report) == pytest.approx(replay(Value, report))


class Float32(Mini):
    """Every value and gradient rounded to float32, as a numpy float32 engine computes."""

    def __init__(self, data, _children=(), _op=""):
        super().__init__(_f32(data), _children, _op)

    def __setattr__(self, name, value):
        if name in ("data", "grad"):
            value = _f32(value)
        super().__setattr__(name, value)


def _f32(x) -> float:
    return struct.unpack("f", struct.pack("f", x))[0]


@pytest.mark.slow
def test_a_float32_engine_fails_at_the_default_tolerance_and_passes_with_rtol_atol():
    report = check_engine(Float32, max_examples=20, raise_exception=False)
    assert not report and "computing in float32? check_engine(..., rtol=1e-4" in str(report)
    assert check_engine(Float32, max_examples=100, rtol=1e-4, atol=1e-4)


def test_bad_tolerances_and_timeouts_are_named():
    with pytest.raises(ValueError, match=r"rtol must be a finite number >= 0 \(got -1\)"):
        check_engine(Mini, rtol=-1)
    with pytest.raises(TypeError, match=r"atol must be a number \(got '1e-3'\)"):
        check_engine(Mini, atol="1e-3")
    with pytest.raises(ValueError, match=r"timeout must be a finite number > 0 \(got 0\)"):
        check_engine(Mini, timeout=0)


def test_check_engine_is_exported_by_autograd_testing():
    """The face exports it; tests/test_layering.py checks that no import cycle is behind it."""
    import autograd.testing
    import autograd.testing.engine_check

    assert {"check_engine", "EngineCheckError", "EngineReport"} <= set(autograd.testing.__all__)
    assert autograd.testing.check_engine is autograd.testing.engine_check.check_engine
