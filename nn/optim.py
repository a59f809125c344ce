"""Optimizers: how parameters move once ``backward()`` has filled their ``.grad``.

``SGD`` (with momentum and weight decay) and ``Adam`` change ``p.data`` in place, under
``no_grad()`` so an update never records a graph. Each has ``step()`` (one update) and
``zero_grad()``. The learning rate is a number or a schedule: any callable that maps the step
number ``k`` (0 for the first ``step()``) to a rate, such as ``linear_decay(1.0, 0.1, 100)``,
which is micrograd's demo schedule ``1.0 - 0.9 * k / 100``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable

from autograd import Value, no_grad

__all__ = ["SGD", "Adam", "Optimizer", "linear_decay"]

Schedule = Callable[[int], float]


class Optimizer:
    """What SGD and Adam share: the parameter list, the step counter, the learning rate.

    Attributes:
        params: the Values being optimized (a list, in the order given).
        steps: how many ``step()`` calls have been made.

    >>> from autograd import Value
    >>> opt = SGD([Value(1.0)], lr=linear_decay(0.5, 0.1, 4))
    >>> opt.lr, opt.steps
    (0.5, 0)
    >>> opt.step(); opt.lr, opt.steps
    (0.4, 1)
    """

    def __init__(self, params: Iterable[Value], lr: float | Schedule, where: str) -> None:
        self._where = where
        if isinstance(params, Value):
            raise TypeError(f"{where}: params must be a list of Values (got one Value)")
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{where}: params is empty: there is nothing to optimize")
        seen = set()
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(f"{where}: params[{i}] must be a Value (got {p!r})")
            if p in seen:
                raise ValueError(f"{where}: params[{i}] appears twice; it would be updated twice")
            seen.add(p)
        if not callable(lr):
            _check_rate(lr, where)
        self._lr = lr
        self.steps = 0

    @property
    def lr(self) -> float:
        """The learning rate the next ``step()`` uses."""
        if callable(self._lr):
            return _check_rate(self._lr(self.steps), f"{self._where}: the schedule's rate")
        return float(self._lr)

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to ``0.0``."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter once from its ``.grad``."""
        lr = self.lr
        with no_grad():
            self._update(lr)
        self.steps += 1

    def _update(self, lr: float) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent: ``p -= lr * g``, optionally with momentum and weight decay.

    With ``g = p.grad + weight_decay * p.data`` and a velocity ``v`` that starts at 0:
    ``v = momentum * v + g`` then ``p -= lr * v`` (PyTorch's convention). With the defaults this
    is exactly micrograd's update ``p.data -= lr * p.grad``.

    >>> from autograd import Value
    >>> w = Value(1.0)
    >>> opt = SGD([w], lr=0.1, momentum=0.9)
    >>> w.grad = 2.0; opt.step(); w.data  # v = 2,   w = 1 - 0.1 * 2
    0.8
    >>> w.grad = 2.0; opt.step(); round(w.data, 12)  # v = 3.8, w = 0.8 - 0.38
    0.42
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float | Schedule,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr, "SGD")
        self.momentum = _check_range(momentum, "SGD", "momentum", 0.0, 1.0, high_open=True)
        self.weight_decay = _check_range(
            weight_decay, "SGD", "weight_decay", 0.0, math.inf, high_open=True
        )
        self.velocity = [0.0] * len(self.params)

    def _update(self, lr: float) -> None:
        mu, wd, vs = self.momentum, self.weight_decay, self.velocity
        for i, p in enumerate(self.params):
            g = p.grad + wd * p.data if wd else p.grad
            if mu:
                g = vs[i] = mu * vs[i] + g
            p.data -= lr * g


class Adam(Optimizer):
    """Adam: steps scaled by running averages of the gradient and of its square.

    For step ``t = 1, 2, ...``: ``m = b1*m + (1-b1)*g``, ``v = b2*v + (1-b2)*g*g``, then
    ``p -= lr * m_hat / (sqrt(v_hat) + eps)`` with ``m_hat = m / (1 - b1**t)`` and
    ``v_hat = v / (1 - b2**t)`` (Kingma and Ba, 2015). The first step moves every parameter
    by about ``lr`` against the sign of its gradient.

    >>> from autograd import Value
    >>> w = Value(1.0)
    >>> opt = Adam([w], lr=0.1)
    >>> w.grad = 5.0; opt.step(); round(w.data, 6)
    0.9
    """

    # declared here: typeshed's float is no numbers.Real, so mypy skips __init__ past that check
    betas: tuple[float, float]
    eps: float
    m: list[float]
    v: list[float]

    def __init__(
        self,
        params: Iterable[Value],
        lr: float | Schedule = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        super().__init__(params, lr, "Adam")
        if not isinstance(betas, tuple | list) or len(betas) != 2:
            raise ValueError(f"Adam: betas must be a pair of numbers (got {betas!r})")
        b1 = _check_range(betas[0], "Adam", "betas[0]", 0.0, 1.0, high_open=True)
        b2 = _check_range(betas[1], "Adam", "betas[1]", 0.0, 1.0, high_open=True)
        self.betas = (b1, b2)
        if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not 0.0 < eps < math.inf:
            # eps = 0 divides by zero as soon as a parameter's gradients have all been 0
            raise ValueError(f"Adam: eps must be a finite number > 0 (got {eps!r})")
        self.eps = float(eps)
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def _update(self, lr: float) -> None:
        b1, b2 = self.betas
        t = self.steps + 1
        c1, c2 = 1.0 - b1**t, 1.0 - b2**t
        m, v, eps = self.m, self.v, self.eps
        for i, p in enumerate(self.params):
            g = p.grad
            m[i] = b1 * m[i] + (1.0 - b1) * g
            v[i] = b2 * v[i] + (1.0 - b2) * g * g
            p.data -= lr * (m[i] / c1) / (math.sqrt(v[i] / c2) + eps)


def linear_decay(start: float, end: float, steps: int) -> Schedule:
    """A schedule going in a straight line from ``start`` at step 0 to ``end`` at ``steps``.

    From ``steps`` on it is ``end``. ``linear_decay(1.0, 0.1, 100)`` is micrograd's demo
    rate ``1.0 - 0.9 * k / 100``, float for float.

    >>> rate = linear_decay(1.0, 0.1, 100)
    >>> rate(0), rate(50), rate(100), rate(500)
    (1.0, 0.55, 0.1, 0.1)
    """
    start = _check_rate(start, "linear_decay: start")
    end = _check_rate(end, "linear_decay: end")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"linear_decay: steps must be an int >= 1 (got {steps!r})")
    drop = start - end

    def rate(k: int) -> float:
        return start - drop * k / steps if k < steps else end

    return rate


def _check_rate(lr, where: str) -> float:
    # typeshed's numbers ABCs declare no comparison with a float; Python compares them fine
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not 0.0 <= lr < math.inf:  # type: ignore[operator]
        raise ValueError(f"{where}: the learning rate must be a finite number >= 0 (got {lr!r})")
    return float(lr)


def _check_range(x, where, what, low, high, *, high_open=False) -> float:
    ok = isinstance(x, numbers.Real) and not isinstance(x, bool)
    ok = ok and low <= x and (x < high if high_open else x <= high)
    if not ok:
        bracket = ")" if high_open else "]"
        raise ValueError(f"{where}: {what} must be a number in [{low}, {high}{bracket} (got {x!r})")
    return float(x)
