"""``Neuron``, ``Layer`` and ``MLP``: micrograd's networks, with names, activations and seeds.

A neuron computes ``activation(b + w1*x1 + ... + wn*xn)``. A layer is a list of neurons that
all see the same inputs; an MLP is a stack of layers. Signatures and behaviour follow
micrograd 0.1.0, so its code runs with only the imports changed:

- weights start as ``uniform(-1, 1)``, biases as ``0.0``; without ``rng`` the global
  ``random`` module is used with the same calls in the same order as micrograd;
- ``parameters()`` lists each neuron's weights, then its bias, neuron by neuron;
- the last layer of an MLP is linear, and an MLP whose last layer has one neuron returns
  one Value instead of a list.

One difference: a ``Layer`` always returns a list (micrograd unwraps a single output there
too, which breaks an MLP with a one-neuron hidden layer). Only ``MLP`` unwraps.

Networks may be changed by hand, as in micrograd: a neuron's ``activation`` set to another
name (an unknown one is a ``ValueError`` at once), neurons or layers appended or replaced.
``architecture()`` (what ``nn.save`` and ``nn.to_torch`` write) is read from the layers and
neurons as they are then, and is a ``ValueError`` naming the part when no architecture can
describe them (neurons of one layer with different activations or numbers of inputs, layers
that do not chain, a neuron with a forward of its own).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from operator import attrgetter, methodcaller
from typing import Any, cast

from autograd import Value, affine, scope
from autograd.fused import affine_rows, affine_rows_batch
from autograd.scopes import is_recording as scopes_recording
from autograd.value import relu_all
from nn.module import Module, named_parameters_of

__all__ = ["ACTIVATIONS", "MLP", "Layer", "Neuron", "activation_spelling", "outputs_of_batch"]

ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")


class Neuron(Module):
    """One neuron: ``activation(b + w·x)`` with ``nin`` weights and a bias.

    Args:
        nin: number of inputs (>= 1).
        nonlin: micrograd's switch: ``True`` for relu, ``False`` for linear.
        activation: ``"relu"``, ``"tanh"``, ``"sigmoid"`` or ``"linear"``; overrides ``nonlin``.
        rng: a ``random.Random`` for the initial weights; ``None`` uses the global ``random``.
        fused: ``True`` (default) computes ``b + w·x`` as one ``affine`` node; ``False``
            builds micrograd's chain of ``*`` and ``+`` nodes, so a drawing shows every
            multiply. Both give exactly the same data and gradients.

    Inputs may be Python numbers (constants) or Values (they then get gradients too).
    ``activation`` may be changed later; a name not in ``ACTIVATIONS`` is a ``ValueError``.

    >>> import random
    >>> n = Neuron(2, rng=random.Random(0))
    >>> n
    Neuron(2, activation='relu')
    >>> y = n([1.0, -2.0])
    >>> y.op, len(n.parameters())
    ('relu', 3)
    >>> [name for name, _ in n.named_parameters()]
    ['w.0', 'w.1', 'b']
    >>> n.activation = "tanh"; n([1.0, -2.0]).op
    'tanh'
    >>> n.activation = "rleu"
    Traceback (most recent call last):
    ValueError: Neuron: activation must be one of ('relu', 'tanh', 'sigmoid', 'linear') (got 'rleu')
    """

    def __init__(
        self,
        nin: int,
        nonlin: bool = True,
        *,
        activation: str | None = None,
        rng: random.Random | None = None,
        fused: bool = True,
    ) -> None:
        _check_size(nin, "Neuron", "nin")
        self.activation = _resolve_activation(nonlin, activation, "Neuron")
        if not isinstance(fused, bool):
            raise TypeError(f"Neuron: fused must be True or False (got {fused!r})")
        self.fused = fused
        uniform = _uniform(rng, "Neuron")  # checked before any random number is drawn
        self.w = [Value(uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)

    @property
    def activation(self) -> str:
        """One of ``ACTIVATIONS``; setting any other value is a ValueError."""
        return self._activation

    @activation.setter
    def activation(self, name: str) -> None:
        # checked here, once, so that the forward passes look it up without a check
        self._activation = _check_activation(name, "Neuron")

    @property
    def nonlin(self) -> bool:
        """micrograd's flag: True unless the activation is linear."""
        return self.activation != "linear"

    @scope()  # lets draw_dot(..., scopes=...) cluster this call's nodes
    def __call__(self, x: Sequence) -> Value:
        """The neuron's output for the inputs ``x`` (numbers or Values, ``nin`` of them)."""
        if not isinstance(x, Sequence):
            x = list(x)  # any iterable, as micrograd's zip accepts
        return self._output(x)

    def _output(self, x: Sequence) -> Value:
        """What ``__call__`` computes, for a sequence ``x``, without the scope's wrapper."""
        w = self.w
        if len(x) != len(w):
            raise ValueError(f"Neuron: expected {len(w)} inputs (got {len(x)})")
        if self.fused:
            act = affine(w, x, self.b)
        else:  # micrograd's sum((wi*xi for wi, xi in zip(w, x)), b): same floats, more nodes
            act = self.b
            for wi, xi in zip(w, x):
                act = act + wi * xi
        apply = _APPLY[self._activation]
        return act if apply is None else apply(act)

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``w.0 ... w.{nin-1}`` then ``b``, as in micrograd's ``parameters()``."""
        return [(f"w.{i}", w) for i, w in enumerate(self.w)] + [("b", self.b)]

    def architecture(self) -> dict[str, Any]:
        """``{"type": "Neuron", "nin": ..., "activation": ...}``, as the neuron is now."""
        return {"type": "Neuron", "nin": len(self.w), "activation": self._activation}

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)}, activation={self.activation!r})"


class Layer(Module):
    """``nout`` neurons that each see all ``nin`` inputs; returns a list of ``nout`` Values.

    Keyword arguments go to every ``Neuron`` (``nonlin``, ``activation``, ``rng``, ``fused``).

    >>> import random
    >>> layer = Layer(3, 2, activation="tanh", rng=random.Random(0))
    >>> layer
    Layer(3, 2, activation='tanh')
    >>> out = layer([0.5, -1.0, 2.0])
    >>> len(out), len(layer.parameters())
    (2, 8)

    One neuron still gives a list (micrograd's ``Layer`` returns the Value itself, which
    breaks an MLP with a hidden layer of one neuron; only ``MLP`` unwraps its single output):

    >>> Layer(3, 1, rng=random.Random(0))([0.5, -1.0, 2.0])
    [Value(data=..., grad=0.0)]
    """

    def __init__(self, nin: int, nout: int, **kwargs: Any) -> None:
        _check_size(nin, "Layer", "nin")
        _check_size(nout, "Layer", "nout")
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    @property
    def activation(self) -> str:
        """The activation of this layer's neurons; a ValueError if they do not share one."""
        return _layer_shape(self, "Layer.activation", "")[2]

    @scope()  # lets draw_dot(..., scopes=...) cluster this call's nodes
    def __call__(self, x: Sequence) -> list[Value]:
        """Every neuron's output for the inputs ``x``, as a list (also for one neuron)."""
        neurons = self.neurons
        if (type(x) is list or type(x) is tuple) and neurons and not scopes_recording():
            # no scope to record: what each Neuron's __call__ gives, with less work per neuron
            rows = _weight_rows(neurons, len(x))
            if rows is not None:
                acts = affine_rows(rows, x, list(map(_BIAS, neurons)))
                return _activate(acts, neurons[0]._activation)
            return [n._output(x) if type(n) is Neuron else n(x) for n in neurons]
        return [n(x) for n in neurons]

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``neurons.{i}.w.{j}`` and ``neurons.{i}.b``, neuron by neuron."""
        return named_parameters_of("neurons", self.neurons)

    def architecture(self) -> dict[str, Any]:
        """``{"type": "Layer", "nin": ..., "nout": ..., "activation": ...}``, as it is now.

        Raises ``ValueError`` naming the neuron when the layer has none, or its neurons differ
        in activation or number of inputs, or one is not a ``Neuron`` (or has a forward of its
        own): no ``Layer(nin, nout, activation=...)`` is that layer.
        """
        nin, nout, activation = _layer_shape(self, "Layer.architecture", "")
        return {"type": "Layer", "nin": nin, "nout": nout, "activation": activation}

    def __repr__(self) -> str:
        try:
            nin, nout, activation = _layer_shape(self, "Layer", "")
        except ValueError:  # changed by hand into something no architecture describes
            return f"Layer(neurons={self.neurons!r})"
        return f"Layer({nin}, {nout}, activation={activation!r})"


class MLP(Module):
    """A multi-layer perceptron: layers of sizes ``nouts`` on ``nin`` inputs.

    Args:
        nin: number of inputs.
        nouts: the size of each layer, the last one being the output layer.
        activation: one name for every hidden layer (the last layer is then linear, as in
            micrograd), or a sequence with one name per layer, the last layer included.
        rng: a ``random.Random`` for the initial weights; ``None`` uses the global ``random``
            exactly as micrograd does (so ``random.seed(1337)`` gives micrograd's weights).

    Calling it returns a list of Values, or one Value when the last layer has one neuron.

    >>> import random
    >>> model = MLP(2, [16, 16, 1], rng=random.Random(0))
    >>> model
    MLP(2, [16, 16, 1], activation='relu')
    >>> len(model.parameters())
    337
    >>> model([0.5, -1.0]).op  # a single output: one Value, from a linear last layer
    'affine'
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        *,
        activation: str | Sequence[str] = "relu",
        rng: random.Random | None = None,
    ) -> None:
        _check_size(nin, "MLP", "nin")
        if isinstance(nouts, str | bytes) or not isinstance(nouts, Sequence) or not nouts:
            raise TypeError(f"MLP: nouts must be a non-empty list of layer sizes (got {nouts!r})")
        for n in nouts:
            _check_size(n, "MLP", "every layer size")
        activations = _layer_activations(activation, len(nouts))
        _uniform(rng, "MLP")
        sizes = [nin, *nouts]
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation=activations[i], rng=rng)
            for i in range(len(nouts))
        ]
        self._activation = activation if isinstance(activation, str) else list(activation)

    @scope()  # lets draw_dot(..., scopes=...) cluster this call's nodes
    def __call__(self, x: Sequence) -> Value | list[Value]:
        """The network's outputs for the inputs ``x``; one Value if the last layer has one."""
        for layer in self.layers:
            x = layer(x)
        return x[0] if len(x) == 1 else cast(list[Value], x)  # a Layer's outputs

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``layers.{i}.neurons.{j}.w.{k}`` and ``...b``, in micrograd's order."""
        return named_parameters_of("layers", self.layers)

    def architecture(self) -> dict[str, Any]:
        """``{"type": "MLP", "nin": ..., "nouts": [...], "activation": ...}``, as it is now.

        Read from the layers and neurons (changed or appended ones too). ``activation`` is
        the spelling the MLP was built with while it still describes the layers, else one
        name (hidden layers alike, last layer linear) or one name per layer. Raises
        ``ValueError`` naming the part when the MLP has no layers, its layers do not chain,
        or a layer is not one ``Layer.architecture()`` describes.

        >>> import random
        >>> model = MLP(2, [3, 1], rng=random.Random(0))
        >>> for n in model.layers[0].neurons:
        ...     n.activation = "tanh"
        >>> model.architecture()
        {'type': 'MLP', 'nin': 2, 'nouts': [3, 1], 'activation': 'tanh'}
        >>> model.layers[0].neurons[1].activation = "relu"
        >>> model.architecture()
        Traceback (most recent call last):
        ValueError: MLP.architecture: layers.0.neurons.1 has activation 'relu', but ...
        """
        nin, nouts, activations = _mlp_shape(self, "MLP.architecture")
        spelling = activation_spelling(activations, getattr(self, "_activation", None))
        return {"type": "MLP", "nin": nin, "nouts": nouts, "activation": spelling}

    def __repr__(self) -> str:
        try:
            a = self.architecture()
        except ValueError:  # changed by hand into something no architecture describes
            return f"MLP(layers={self.layers!r})"
        return f"MLP({a['nin']}, {a['nouts']}, activation={a['activation']!r})"


def outputs_of_batch(model: Callable, xb: list) -> list:
    """``[model(x) for x in xb]``, with the same nodes; nn's own MLP goes layer by layer.

    For an ``MLP`` (not a subclass, its ``__call__`` its own) of ``Layer``s of fused
    ``Neuron``s (as built, or changed in ways their own ``__call__`` handles alike) and rows
    that are lists or tuples of ``nin`` numbers or Values, each layer computes the whole
    batch at once
    (``affine_rows_batch``: its weights read once per batch instead of once per example).
    Every other model, or any other row, is called example by example. ``nn.train`` calls
    this for its engine step.

    >>> import random
    >>> model = MLP(2, [3, 1], rng=random.Random(0))
    >>> xb = [[0.5, -1.0], [2.0, 1.0]]
    >>> [y.data for y in outputs_of_batch(model, xb)] == [model(x).data for x in xb]
    True
    """
    plan = _batch_plan(model, xb)
    if plan is None:
        return [model(x) for x in xb]
    hs: list = xb
    for neurons, rows in plan:
        biases = list(map(_BIAS, neurons))
        activation = neurons[0]._activation
        hs = [_activate(acts, activation) for acts in affine_rows_batch(rows, hs, biases)]
    return [h[0] if len(h) == 1 else h for h in hs]


def _batch_plan(model: object, xb: list) -> list[tuple[list, list[list[Value]]]] | None:
    """Each layer's neurons and weight rows when ``outputs_of_batch`` may go layer by layer.

    None when any layer (or row) would not take the path each example's call takes, so that
    nothing is computed in a different order than calling the model example by example.
    """
    if type(model) is not MLP or MLP.__call__ is not _MLP_CALL or not xb or scopes_recording():
        return None  # a subclass, or a __call__ replaced on the class: called per example
    layers = model.layers
    if Layer.__call__ is not _LAYER_CALL or not layers:
        return None
    if not all(type(layer) is Layer and layer.neurons for layer in layers):
        return None
    nin = len(xb[0])  # rows are lists or tuples of one length (checked next)
    for x in xb:
        if not (type(x) is list or type(x) is tuple) or len(x) != nin:
            return None
    plan = []
    for layer in layers:
        neurons = layer.neurons
        rows = _weight_rows(neurons, nin)
        if rows is None:
            return None
        plan.append((neurons, rows))
        nin = len(neurons)
    return plan


# the classes' own forward, as defined here: outputs_of_batch stands in for them, and for
# nothing put in their place
_MLP_CALL, _LAYER_CALL = MLP.__call__, Layer.__call__


def activation_spelling(activations: list[str], kept: Any = None) -> str | list[str]:
    """How an MLP with these per-layer ``activations`` spells its ``activation`` argument.

    ``kept`` (the spelling it was built with) while it still describes them; else one name
    when every hidden layer has the same one and the last layer is linear; else the list.

    >>> activation_spelling(["tanh", "tanh", "linear"])
    'tanh'
    >>> activation_spelling(["tanh", "tanh", "linear"], kept=["tanh", "tanh", "linear"])
    ['tanh', 'tanh', 'linear']
    >>> activation_spelling(["relu", "relu"], kept="relu")
    ['relu', 'relu']
    """
    if kept is not None:
        try:
            if _layer_activations(kept, len(activations)) == activations:
                return kept if isinstance(kept, str) else list(kept)
        except (TypeError, ValueError):
            pass  # not a spelling (changed by hand): describe the layers themselves
    hidden = activations[:-1]
    if hidden and activations[-1] == "linear" and hidden == [hidden[0]] * len(hidden):
        return hidden[0]
    return list(activations)


def _own_forward(module: object, cls: type, *methods: str) -> bool:
    """Whether ``module`` is a ``cls`` whose ``methods`` (its forward) are ``cls``'s own."""
    return isinstance(module, cls) and all(
        getattr(type(module), m) is getattr(cls, m) for m in methods
    )


def _layer_shape(layer: object, where: str, prefix: str) -> tuple[int, int, str]:
    """``(nin, nout, activation)`` of a layer as it is now, or a ValueError naming the part.

    ``prefix`` starts the names in the messages (``"layers.2."`` within an MLP).
    """
    name = prefix[:-1] or "the layer"
    if not _own_forward(layer, Layer, "__call__"):
        # the type's name, not the repr: a Layer's repr calls this function
        raise ValueError(f"{where}: {name} is a {type(layer).__name__}, {_ONLY}")
    neurons = cast(Layer, layer).neurons
    if not neurons:
        raise ValueError(f"{where}: {name} has no neurons")
    for j, n in enumerate(neurons):
        if not _own_forward(n, Neuron, "__call__", "_output"):
            raise ValueError(f"{where}: {prefix}neurons.{j} is a {type(n).__name__}, {_ONLY}")
    nin, activation = len(neurons[0].w), neurons[0].activation
    for j, n in enumerate(neurons):
        if n.activation != activation:
            _unlike(where, prefix, j, f"activation {n.activation!r}", repr(activation))
        if len(n.w) != nin:
            _unlike(where, prefix, j, f"{len(n.w)} inputs", f"{nin}")
    return nin, len(neurons), activation


_ONLY = "and only Layers of Neurons (with their classes' own forward) can be described"


def _unlike(where: str, prefix: str, j: int, theirs: str, first: str) -> None:
    raise ValueError(
        f"{where}: {prefix}neurons.{j} has {theirs}, but {prefix}neurons.0 has {first}: a "
        "layer's neurons must share one activation and one number of inputs"
    )


def _mlp_shape(model: MLP, where: str) -> tuple[int, list[int], list[str]]:
    """``nin``, ``nouts`` and the activations of an MLP's layers as they are now."""
    if not model.layers:
        raise ValueError(f"{where}: the MLP has no layers")
    shapes = [_layer_shape(layer, where, f"layers.{i}.") for i, layer in enumerate(model.layers)]
    for i in range(1, len(shapes)):
        if shapes[i][0] != shapes[i - 1][1]:
            raise ValueError(
                f"{where}: layers.{i} takes {shapes[i][0]} inputs, but layers.{i - 1} gives "
                f"{shapes[i - 1][1]}"
            )
    return shapes[0][0], [nout for _, nout, _ in shapes], [a for _, _, a in shapes]


# each activation as the Value method that applies it (None: linear, nothing to apply); the
# one table behind a neuron's output and a layer's. Neuron.activation's setter admits only
# its keys, so the forward passes index it without a check.
_APPLY: dict[str, Callable[[Value], Value] | None] = {
    "relu": methodcaller("relu"),
    "tanh": methodcaller("tanh"),
    "sigmoid": methodcaller("sigmoid"),
    "linear": None,
}


def _activate(acts: list[Value], activation: str) -> list[Value]:
    """Each pre-activation through ``activation``, as ``Neuron`` applies it."""
    if activation == "relu":
        return relu_all(acts)  # the nodes Value.relu makes, made in one loop
    apply = _APPLY[activation]
    return acts if apply is None else [apply(a) for a in acts]


_WEIGHTS, _BIAS = attrgetter("w"), attrgetter("b")
_FUSED, _ACTIVATION = attrgetter("fused"), attrgetter("_activation")


def _weight_rows(neurons: list, nin: int) -> list[list[Value]] | None:
    """Each neuron's weights, when all are fused ``Neuron``s of ``nin`` inputs and one activation.

    Then a layer computes them together (``affine_rows``), as each Neuron's own ``__call__``
    would; otherwise None. The checks run in C (``map``): this is once per layer call.
    """
    n = len(neurons)
    if list(map(type, neurons)).count(Neuron) != n or not all(map(_FUSED, neurons)):
        return None  # a subclass (its own __call__), or micrograd's unfused chain
    activations = list(map(_ACTIVATION, neurons))
    rows = list(map(_WEIGHTS, neurons))
    if activations.count(activations[0]) != n or list(map(len, rows)).count(nin) != n:
        return None
    return rows


def _check_size(n, where: str, what: str) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{where}: {what} must be an int >= 1 (got {n!r})")


def _check_activation(name, where: str) -> str:
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(f"{where}: activation must be one of {ACTIVATIONS} (got {name!r})")
    return name


def _resolve_activation(nonlin, activation, where: str) -> str:
    if not isinstance(nonlin, bool):
        raise TypeError(f"{where}: nonlin must be True or False (got {nonlin!r})")
    if activation is None:
        return "relu" if nonlin else "linear"
    _check_activation(activation, where)
    if not nonlin and activation != "linear":
        raise ValueError(
            f"{where}: nonlin=False means a linear neuron, but activation={activation!r} was given"
        )
    return activation


def _layer_activations(activation, nlayers: int) -> list[str]:
    if isinstance(activation, str):
        return [_check_activation(activation, "MLP")] * (nlayers - 1) + ["linear"]
    if not isinstance(activation, Sequence) or len(activation) != nlayers:
        raise ValueError(
            f"MLP: activation must be a name or a list of {nlayers} names, one per layer "
            f"(got {activation!r})"
        )
    return [_check_activation(a, "MLP") for a in activation]


def _uniform(rng, where: str):
    """``rng.uniform``, or the global ``random.uniform`` (micrograd's calls) when rng is None."""
    if rng is None:
        return random.uniform
    if not isinstance(rng, random.Random):
        raise TypeError(f"{where}: rng must be a random.Random or None (got {rng!r})")
    return rng.uniform
