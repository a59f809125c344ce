"""A bridge to PyTorch: ``to_torch`` makes an ``nn.MLP`` a ``torch.nn.Module``, ``from_torch`` back.

For a learner who outgrows scalars: train in stepgrad, move the model to PyTorch (batches,
GPUs, many machines), or bring a PyTorch network back to step through its backprop.

``to_torch(model)`` returns a ``TorchMLP``: a ``torch.nn.Sequential`` of ``Linear`` layers,
each followed by its activation module (``ReLU``, ``Tanh`` or ``Sigmoid``; none for a linear
layer), holding the same weights (float64 unless ``dtype=`` says otherwise). It takes a tensor
of shape ``(..., nin)`` and returns ``(..., nout)``, or ``(...)`` when the last layer has one
neuron: one number per example, as the MLP returns one Value.

Its Linear layers are ``InOrderLinear``: they add ``b + w1*x1 + ... + wn*xn`` left to right, one
rounding per operation, as stepgrad's neurons do, so a relu or linear network gives stepgrad's
floats bit for bit. ``torch.nn.Linear`` (``in_order=False``) multiplies matrices instead: faster
for wide layers, but it sums in another order (with fused multiply-adds), so many of its
float64 outputs (30% to 80% in our measurements) differ from stepgrad's in the last bit.
``tanh`` and ``sigmoid`` always use PyTorch's own kernels, which differ from Python's ``math``
in the last bits (measured on 200,000 points: up to 2 units in the last place for tanh, 3 for
sigmoid).

``from_torch(module)`` reads a ``TorchMLP``, or a plain ``torch.nn.Sequential`` of ``Linear``
layers (with bias) each followed by at most one ``ReLU``, ``Tanh``, ``Sigmoid`` or
``Identity``, or a single ``Linear``, and returns the ``nn.MLP`` with the same weights. A float64
round trip in either direction is exact.

This module imports torch, which is optional: ``pip install 'stepgrad[torch]'`` (in a clone,
``pip install -e '.[torch]'``). ``import nn`` does not import it; ``nn.to_torch`` and
``nn.from_torch`` do, when they are first called.

>>> import random, torch
>>> from nn import MLP
>>> model = MLP(2, [4, 1], rng=random.Random(0))
>>> module = to_torch(model)
>>> module
TorchMLP(
  activation='relu'
  (0): InOrderLinear(in_features=2, out_features=4, bias=True)
  (1): ReLU()
  (2): InOrderLinear(in_features=4, out_features=1, bias=True)
)
>>> module(torch.tensor([0.5, -1.0], dtype=torch.float64)).item() == model([0.5, -1.0]).data
True
>>> from_torch(module).state_dict() == model.state_dict()
True
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any, TypeGuard

try:
    import torch
except ModuleNotFoundError as e:
    if e.name != "torch":  # torch is there but something it needs is not: show the real error
        raise
    raise ImportError(
        "nn.to_torch and nn.from_torch need PyTorch, which stepgrad installs only with its "
        "'torch' extra: pip install 'stepgrad[torch]' (in a clone: pip install -e '.[torch]')"
    ) from e

from nn.layers import MLP, _layer_activations, activation_spelling

__all__ = ["InOrderLinear", "TorchMLP", "from_torch", "to_torch"]

_MODULE_OF = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid}
_ACTIVATION_OF = {torch.nn.ReLU: "relu", torch.nn.Tanh: "tanh", torch.nn.Sigmoid: "sigmoid"}
_ACTIVATION_OF[torch.nn.Identity] = "linear"
_EXPECTED = "a Linear layer with bias, each followed by at most one ReLU, Tanh, Sigmoid or Identity"


class InOrderLinear(torch.nn.Linear):
    """A ``torch.nn.Linear`` that sums like a stepgrad neuron: ``b + w1*x1 + ... + wn*xn``.

    Same parameters, shapes and state-dict keys as ``torch.nn.Linear``; only the order of the
    arithmetic differs: products and sums are separate tensor operations, added left to
    right from the bias, so every output is rounded exactly as stepgrad's ``affine`` node
    rounds it (on any device: no fused multiply-add, no blocked matrix product). It takes
    ``in_features`` tensor operations where ``torch.nn.Linear`` takes one matrix product.

    >>> import torch
    >>> layer = InOrderLinear(3, 1, dtype=torch.float64)
    >>> with torch.no_grad():
    ...     _ = layer.weight.copy_(torch.tensor([[0.1, 0.2, 0.3]], dtype=torch.float64))
    ...     _ = layer.bias.fill_(0.0)
    >>> layer(torch.ones(3, dtype=torch.float64)).item()  # ((0 + 0.1) + 0.2) + 0.3
    0.6000000000000001
    >>> 0.3 + 0.2 + 0.1  # another order, another float
    0.6
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(..., in_features)`` to ``(..., out_features)``, summed left to right."""
        if x.dim() == 0 or x.shape[-1] != self.in_features:
            raise ValueError(
                f"InOrderLinear: expected inputs with {self.in_features} features in the last "
                f"dimension (got shape {tuple(x.shape)})"
            )
        out = self.bias
        if out is None:
            out = torch.zeros(self.out_features, dtype=self.weight.dtype, device=x.device)
        columns = self.weight.unbind(1)  # column k: every neuron's weight for input k
        for xk, wk in zip(x.unbind(-1), columns):
            out = out + xk.unsqueeze(-1) * wk  # one rounding for *, one for +
        return out.expand(*x.shape[:-1], self.out_features)  # the batch shape, also for nin 0


class TorchMLP(torch.nn.Sequential):
    """A stepgrad MLP as PyTorch layers; what ``to_torch`` returns.

    A ``torch.nn.Sequential`` of Linear layers, each followed by its activation module (none
    for a linear layer). Its forward also unwraps a single output, as ``nn.MLP`` does: inputs
    of shape ``(..., nin)`` give ``(..., nout)``, or ``(...)`` when the last layer has one
    neuron. ``activation`` is the MLP's own spelling of its activations (one name, or one per
    layer), kept so that ``from_torch`` gives back the same ``architecture()``.
    """

    def __init__(self, *layers: torch.nn.Module, activation: str | Sequence[str]) -> None:
        super().__init__(*layers)
        self.activation = activation if isinstance(activation, str) else list(activation)

    @property
    def single_output(self) -> bool:
        """Whether the last layer has one neuron (its outputs then lose their last dimension)."""
        linears = [m for m in self if isinstance(m, torch.nn.Linear)]
        return bool(linears) and linears[-1].out_features == 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The layers in turn; the last dimension is dropped when it has one output."""
        out = super().forward(x)
        return out.squeeze(-1) if self.single_output else out

    def extra_repr(self) -> str:
        """What ``repr`` shows inside the parentheses: the activation."""
        return f"activation={self.activation!r}"


def to_torch(model: MLP, *, dtype: torch.dtype = torch.float64, in_order: bool = True) -> TorchMLP:
    """``model`` as a ``TorchMLP`` (a ``torch.nn.Sequential``) with the same weights.

    Args:
        model: an ``nn.MLP``.
        dtype: a floating-point ``torch.dtype`` for the weights (default ``torch.float64``,
            the floats stepgrad computes with; ``torch.float32`` rounds each weight).
        in_order: ``True`` (default) makes each layer an ``InOrderLinear``, which sums in
            stepgrad's order, so relu and linear networks give stepgrad's float64 outputs bit
            for bit; ``False`` makes it a plain ``torch.nn.Linear`` (one matrix product:
            faster for wide layers, last-bit differences).

    The module's parameters are new tensors: training one model does not change the other.
    Torch's random number generator is not used. The layers are read from the model as it is
    (``model.architecture()``), changes made by hand included.

    Raises ``TypeError`` if ``model`` is not an ``nn.MLP`` or ``dtype`` is not a floating-point
    dtype; ``ValueError`` if no architecture describes the model (its ``architecture()`` says
    why, for example one layer's neurons with different activations), or if a weight is too
    large for ``dtype`` (it would become ``inf``: float16 holds up to 65504, float32 up to
    about 3.4e38); a weight too small for it becomes 0 or a subnormal, as rounding does.

    >>> import random, torch
    >>> from nn import MLP
    >>> model = MLP(3, [5, 5, 2], activation="tanh", rng=random.Random(1))
    >>> module = to_torch(model, dtype=torch.float32, in_order=False)
    >>> [type(m).__name__ for m in module]
    ['Linear', 'Tanh', 'Linear', 'Tanh', 'Linear']
    >>> module(torch.zeros(10, 3)).shape  # a batch of 10 examples, 2 outputs each
    torch.Size([10, 2])
    """
    _check_to_torch_arguments(model, dtype, in_order)
    try:
        architecture = model.architecture()
    except ValueError as e:
        raise ValueError(f"to_torch: {e}") from None
    linear = InOrderLinear if in_order else torch.nn.Linear
    activations = _layer_activations(architecture["activation"], len(model.layers))
    modules: list[torch.nn.Module] = []
    for i, (layer, activation) in enumerate(zip(model.layers, activations)):
        nin, nout = len(layer.neurons[0].w), len(layer.neurons)
        # skip_init: no random initialization, so torch's global generator is left alone
        module = torch.nn.utils.skip_init(linear, nin, nout, dtype=dtype)
        with torch.no_grad():
            # from float64 tensors: torch.tensor of floats would round to float32 by default
            weights = [[w.data for w in n.w] for n in layer.neurons]
            module.weight.copy_(torch.tensor(weights, dtype=torch.float64))
            module.bias.copy_(torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64))
        _check_in_range(module, layer, f"layers.{i}", dtype)
        modules.append(module)
        if activation != "linear":
            modules.append(_MODULE_OF[activation]())
    return TorchMLP(*modules, activation=architecture["activation"])


def from_torch(module: torch.nn.Module) -> MLP:
    """The ``nn.MLP`` with the architecture and weights of a PyTorch network.

    ``module`` is what ``to_torch`` returns, a ``torch.nn.Sequential`` of ``Linear`` layers with
    bias, each followed by at most one ``ReLU``, ``Tanh``, ``Sigmoid`` or ``Identity``
    (a Linear with none is a linear layer), or one ``Linear``. Weights of any floating-point
    dtype and device are read as Python floats (float64 weights exactly). The MLP's
    ``activation`` is one name when every hidden layer has the same one and the last layer is
    linear, else one name per layer (a ``TorchMLP`` keeps the spelling of the MLP it came
    from).

    Raises ``TypeError`` if ``module`` is not a ``torch.nn.Module``, and ``ValueError`` naming
    the layer when it holds anything else (``Dropout``, ``LeakyReLU``, a ``Linear`` without
    bias, two activations in a row, layer sizes that do not chain, non-finite weights).

    >>> import torch
    >>> net = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    >>> model = from_torch(net)
    >>> model
    MLP(2, [8, 1], activation='tanh')
    >>> x = [0.25, -0.5]
    >>> abs(model(x).data - net(torch.tensor(x)).item()) < 1e-6  # float32 in torch
    True
    """
    layers = _layers_of(module)
    nin = layers[0][0].in_features
    nouts = [linear.out_features for linear, _ in layers]
    activation = _activation_spelling(module, [a for _, a in layers])
    # a private generator: the weights are replaced, and the global random state is kept
    model = MLP(nin, nouts, activation=activation, rng=random.Random(0))
    state: dict[str, Any] = {}
    for i, (linear, _) in enumerate(layers):
        weights = linear.weight.detach().cpu().tolist()
        biases = linear.bias.detach().cpu().tolist()
        for j, (row, b) in enumerate(zip(weights, biases)):
            state.update({f"layers.{i}.neurons.{j}.w.{k}": w for k, w in enumerate(row)})
            state[f"layers.{i}.neurons.{j}.b"] = b
    model.load_state_dict(state)
    return model


# ----------------------------------------------------------------------------------------------


def _check_to_torch_arguments(model: Any, dtype: Any, in_order: Any) -> None:
    if not isinstance(model, MLP):
        raise TypeError(
            f"to_torch: model must be an nn.MLP (got {model!r}); a single layer is "
            "MLP(nin, [nout], activation=[name])"
        )
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(
            f"to_torch: dtype must be a floating-point torch.dtype such as torch.float64 "
            f"(got {dtype!r})"
        )
    if not isinstance(in_order, bool):
        raise TypeError(f"to_torch: in_order must be True or False (got {in_order!r})")


def _check_in_range(module: torch.nn.Linear, layer: Any, name: str, dtype: torch.dtype) -> None:
    """Refuse a layer whose finite stepgrad weights became ``inf`` in ``dtype``."""
    for tensor, kind in ((module.weight, "w"), (module.bias, "b")):
        overflowed = torch.isinf(tensor).nonzero().tolist()
        if not overflowed:
            continue
        j, *k = overflowed[0]
        neuron = layer.neurons[j]
        value = neuron.w[k[0]].data if k else neuron.b.data
        weight = f"{name}.neurons.{j}.{kind}" + (f".{k[0]}" if k else "")
        finfo = torch.finfo(dtype)
        raise ValueError(
            f"to_torch: {weight} is {value!r}, too large for {dtype} (it holds numbers up to "
            f"{finfo.max:g} in size; this would become inf): use a dtype of wider range, such "
            "as torch.float64"
        )


def _layers_of(module: Any) -> list[tuple[torch.nn.Linear, str]]:
    """``(Linear, activation name)`` for each layer of ``module``, checked."""
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"from_torch: module must be a torch.nn.Module (got {module!r})")
    layers: list[tuple[torch.nn.Linear, str]] = []
    activated = False  # whether the last Linear already has its activation module
    for name, child in _children_of(module):
        where = f"from_torch: layer {name} ({_describe(child)})"
        if _is_linear(child):
            _check_linear(child, layers, where)
            layers.append((child, "linear"))
            activated = False
        elif type(child) not in _ACTIVATION_OF:
            raise ValueError(f"{where} is not supported: stepgrad's MLP is layers of {_EXPECTED}")
        elif not layers or activated:
            raise ValueError(f"{where}: an activation must follow a Linear layer ({_EXPECTED})")
        else:
            layers[-1] = (layers[-1][0], _ACTIVATION_OF[type(child)])
            activated = True
    if not layers:
        raise ValueError(f"from_torch: {_describe(module)} has no Linear layer")
    return layers


def _children_of(module: torch.nn.Module) -> list[tuple[str, torch.nn.Module]]:
    """The named layers a Sequential runs in turn; a lone Linear is a network of one layer."""
    if _is_linear(module):
        return [("0", module)]
    if isinstance(module, TorchMLP) or (
        isinstance(module, torch.nn.Sequential)
        and type(module).forward is torch.nn.Sequential.forward
    ):
        return list(module.named_children())
    raise ValueError(
        f"from_torch: cannot read {type(module).__name__}: expected what to_torch returns, a "
        f"torch.nn.Sequential of layers ({_EXPECTED}), or a single Linear"
    )


def _describe(module: torch.nn.Module) -> str:
    """A module's repr when it fits on one line, else its class name."""
    text = repr(module)
    return text if "\n" not in text else type(module).__name__


def _is_linear(module: torch.nn.Module) -> TypeGuard[torch.nn.Linear]:
    """A Linear computing ``x W^T + b``: torch's own or an InOrderLinear.

    Not a subclass with a forward of its own, which may compute anything.
    """
    return isinstance(module, torch.nn.Linear) and type(module).forward in (
        torch.nn.Linear.forward,
        InOrderLinear.forward,
    )


def _check_linear(linear: torch.nn.Linear, layers: list, where: str) -> None:
    if isinstance(linear.weight, torch.nn.parameter.UninitializedParameter):
        raise ValueError(f"{where} has no weights yet: call the network once on an input first")
    if linear.bias is None:
        raise ValueError(f"{where} has no bias: every neuron of stepgrad's MLP has one")
    if linear.in_features < 1 or linear.out_features < 1:
        raise ValueError(f"{where}: stepgrad's layers have at least one input and one neuron")
    if not linear.weight.is_floating_point():
        raise ValueError(f"{where} has {linear.weight.dtype} weights; stepgrad's are real floats")
    if not (torch.isfinite(linear.weight).all() and torch.isfinite(linear.bias).all()):
        raise ValueError(f"{where} has a weight that is not finite (nan or inf)")
    if layers and layers[-1][0].out_features != linear.in_features:
        raise ValueError(
            f"{where} takes {linear.in_features} inputs, but the layer before it gives "
            f"{layers[-1][0].out_features}"
        )


def _activation_spelling(module: torch.nn.Module, activations: list[str]) -> str | list[str]:
    """The TorchMLP's own spelling when it still describes its layers; else the shortest."""
    kept = getattr(module, "activation", None) if isinstance(module, TorchMLP) else None
    return activation_spelling(activations, kept)
