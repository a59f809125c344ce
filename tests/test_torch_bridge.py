"""``nn.to_torch`` / ``nn.from_torch``: exact round trips, the same floats, the same gradients.

The first tests need no torch (``import nn`` must never import it; without it the bridge
names the extra). The others need torch: skipped without it, failed under
``STEPGRAD_REQUIRE_TORCH=1`` (CI's torch job).
"""

import math
import random
import re
import subprocess
import sys
import textwrap
from collections import OrderedDict

import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from nn import MLP
from nn.losses import mse
from tests.examples import DESCRIBABLE_CHANGES, UNDESCRIBABLE_CHANGES, changed_mlp
from tests.optional_torch import MISSING, REQUIRED, import_torch, torch_available

torch = import_torch() if torch_available() or REQUIRED else None
needs_torch = pytest.mark.skipif(torch is None, reason=MISSING)
if torch is not None:
    from nn.torch_bridge import InOrderLinear, TorchMLP


def run_python(code: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, **kwargs
    )


# ---- torch stays optional (these run with and without torch) ---------------------------------


def test_import_nn_never_imports_torch():
    run = run_python(
        """
        import sys
        import nn, nn.layers, nn.saving, nn.train, nn.plot, nn.stepper
        assert callable(nn.to_torch) and callable(nn.from_torch)
        print(sorted(name for name in sys.modules if name.split(".")[0] == "torch"))
        """
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def test_without_torch_the_bridge_is_an_import_error_naming_the_extra():
    run = run_python(
        """
        import sys
        sys.modules["torch"] = None  # as if torch were not installed
        import nn
        for call in (lambda: nn.to_torch(nn.MLP(2, [1])), lambda: nn.from_torch(None)):
            try:
                call()
            except ImportError as e:
                print(type(e).__name__, "|", e)
        """
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == 2
    for line in lines:
        assert line.startswith("ImportError | nn.to_torch and nn.from_torch need PyTorch")
        assert "pip install 'stepgrad[torch]'" in line


def test_a_broken_torch_shows_its_own_error(tmp_path):
    """A torch that is installed but cannot import is not reported as a missing extra."""
    fake = tmp_path / "torch"
    fake.mkdir()
    (fake / "__init__.py").write_text("import _a_library_torch_needs_but_lacks\n")
    run = run_python(
        """
        import nn
        try:
            nn.to_torch(nn.MLP(2, [1]))
        except ImportError as e:
            print(type(e).__name__, e.name)
        """,
        env={"PYTHONPATH": str(tmp_path), "PATH": ""},
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ModuleNotFoundError _a_library_torch_needs_but_lacks"


# ---- strategies --------------------------------------------------------------------------------

finite = st.floats(allow_nan=False, allow_infinity=False)
moderate = st.floats(-3.0, 3.0, allow_nan=False)
any_float = moderate | finite


@st.composite
def mlps(draw, activations=("relu", "linear", "tanh", "sigmoid"), weights=moderate):
    """An MLP of 1 to 3 layers of 1 to 4 neurons, spelt with one name or one per layer."""
    nin = draw(st.integers(1, 4))
    nouts = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    names = st.sampled_from(activations)
    spelling = draw(names | st.lists(names, min_size=len(nouts), max_size=len(nouts)))
    model = MLP(nin, nouts, activation=spelling, rng=random.Random(0))
    keys = list(model.state_dict())
    values = draw(st.lists(weights, min_size=len(keys), max_size=len(keys)))
    model.load_state_dict(dict(zip(keys, values)))
    return model


@st.composite
def models_and_batches(draw, inputs=moderate, **kwargs):
    model = draw(mlps(**kwargs))
    nin = len(model.layers[0].neurons[0].w)
    batch = draw(st.lists(st.lists(inputs, min_size=nin, max_size=nin), min_size=1, max_size=4))
    return model, batch


def outputs(model, x) -> list[float]:
    """The MLP's outputs for one example, as a list also for one output."""
    out = model(x)
    return [v.data for v in out] if isinstance(out, list) else [out.data]


def same_float(a: float, b: float) -> bool:
    """Equal floats (``==``: the sign of a zero aside), or both nan."""
    return a == b or (math.isnan(a) and math.isnan(b))


def f64(data):
    return torch.tensor(data, dtype=torch.float64)


# ---- the same floats ---------------------------------------------------------------------------


@needs_torch
@given(models_and_batches(inputs=any_float, activations=("relu", "linear"), weights=any_float))
def test_relu_and_linear_networks_give_stepgrads_floats_bit_for_bit(case):
    """Also where products overflow (inf, then nan); moderate floats catch a reordered sum."""
    model, batch = case
    module = nn.to_torch(model)
    got = module(f64(batch))
    if module.single_output:
        got = got.unsqueeze(-1)
    for x, row in zip(batch, got.tolist()):
        want = outputs(model, x)
        assert all(map(same_float, row, want)), (x, row, want)


@needs_torch
@given(models_and_batches())
def test_tanh_and_sigmoid_networks_agree_to_1e_12(case):
    """PyTorch's tanh and sigmoid kernels differ from Python's math in the last bits."""
    model, batch = case
    got = nn.to_torch(model)(f64(batch))
    got = got.reshape(len(batch), -1)
    for x, row in zip(batch, got.tolist()):
        for a, b in zip(row, outputs(model, x)):
            assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12), (x, a, b)


@needs_torch
@given(models_and_batches())
def test_torch_linear_layers_agree_to_1e_12(case):
    """``in_order=False``: torch.nn.Linear, whose matrix product rounds in another order."""
    model, batch = case
    module = nn.to_torch(model, in_order=False)
    assert {type(m) for m in module if isinstance(m, torch.nn.Linear)} == {torch.nn.Linear}
    got = module(f64(batch)).reshape(len(batch), -1)
    for x, row in zip(batch, got.tolist()):
        for a, b in zip(row, outputs(model, x)):
            assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12), (x, a, b)


@needs_torch
@pytest.mark.parametrize("activation", ["relu", "linear"])
def test_the_demos_network_gives_stepgrads_floats_bit_for_bit(activation):
    rng = random.Random(7)
    model = MLP(2, [16, 16, 1], activation=activation, rng=rng)
    for p in model.parameters():
        p.data = rng.uniform(-1.0, 1.0)  # biases too
    X = [[rng.gauss(0.0, 2.0), rng.gauss(0.0, 2.0)] for _ in range(200)]
    assert nn.to_torch(model)(f64(X)).tolist() == [model(x).data for x in X]


@needs_torch
def test_the_sign_of_a_zero_from_relu_is_pytorchs():
    """relu(-0.0) is 0.0 in stepgrad (as in micrograd) and -0.0 in PyTorch: equal floats."""
    model = MLP(1, [1], activation=["relu"], rng=random.Random(0))
    model.load_state_dict({"layers.0.neurons.0.w.0": 1.0, "layers.0.neurons.0.b": -0.0})
    ours, theirs = model([-0.0]).data, nn.to_torch(model)(f64([-0.0])).item()
    assert ours == theirs == 0.0
    assert (math.copysign(1.0, ours), math.copysign(1.0, theirs)) == (1.0, -1.0)


@needs_torch
def test_output_convention_follows_the_mlp():
    single = nn.to_torch(MLP(3, [4, 1], rng=random.Random(0)))
    several = nn.to_torch(MLP(3, [4, 2], rng=random.Random(0)))
    assert single(torch.zeros(5, 3, dtype=torch.float64)).shape == (5,)  # one number each
    assert single(torch.zeros(3, dtype=torch.float64)).shape == ()  # one Value
    assert several(torch.zeros(5, 3, dtype=torch.float64)).shape == (5, 2)
    assert several(torch.zeros(3, dtype=torch.float64)).shape == (2,)  # a list of two
    assert single(torch.zeros(2, 5, 3, dtype=torch.float64)).shape == (2, 5)


@needs_torch
def test_a_layer_of_one_input_and_a_hidden_layer_of_one_neuron():
    model = MLP(1, [1, 3, 1], rng=random.Random(4))
    module = nn.to_torch(model)
    for x in (-2.0, 0.0, 0.75):
        assert module(f64([x])).item() == model([x]).data


# ---- the same gradients ------------------------------------------------------------------------


def stepgrad_gradients(model, batch, targets) -> dict[str, float]:
    model.zero_grad()
    predictions = [model(x) for x in batch]
    if isinstance(predictions[0], list):  # several outputs: their sum is the prediction
        predictions = [sum(p[1:], p[0]) for p in predictions]
    mse(predictions, targets).backward()
    return {name: p.grad for name, p in model.named_parameters()}


def torch_gradients(module, batch, targets) -> dict[str, float]:
    out = module(f64(batch))
    if not module.single_output:
        out = out.sum(-1)
    ((out - f64(targets)) ** 2).mean().backward()
    grads = {}
    linears = [m for m in module if isinstance(m, torch.nn.Linear)]
    for i, linear in enumerate(linears):
        for j, (row, b) in enumerate(zip(linear.weight.grad.tolist(), linear.bias.grad.tolist())):
            grads.update({f"layers.{i}.neurons.{j}.w.{k}": w for k, w in enumerate(row)})
            grads[f"layers.{i}.neurons.{j}.b"] = b
    return grads


@needs_torch
@pytest.mark.parametrize("in_order", [True, False])
@given(case=models_and_batches(), targets=st.lists(moderate, min_size=4, max_size=4))
def test_gradients_of_the_same_loss_agree_to_1e_12(in_order, case, targets):
    model, batch = case
    targets = targets[: len(batch)]
    module = nn.to_torch(model, in_order=in_order)
    want = stepgrad_gradients(model, batch, targets)
    got = torch_gradients(module, batch, targets)
    assert got.keys() == want.keys()
    scale = max(1.0, *map(abs, want.values()))
    for name in want:
        assert math.isclose(got[name], want[name], rel_tol=1e-12, abs_tol=1e-12 * scale), name


# ---- exact round trips -------------------------------------------------------------------------


@needs_torch
@given(mlps(weights=finite))
def test_stepgrad_to_torch_and_back_is_exact(model):
    back = nn.from_torch(nn.to_torch(model))
    assert type(back) is MLP
    assert back.architecture() == model.architecture()
    assert repr(back) == repr(model)
    assert all(map(same_float, back.state_dict().values(), model.state_dict().values()))


@needs_torch
@pytest.mark.parametrize("in_order", [True, False])
@given(model=mlps(weights=finite))
def test_torch_to_stepgrad_and_back_is_exact(in_order, model):
    module = nn.to_torch(model, in_order=in_order)
    again = nn.to_torch(nn.from_torch(module), in_order=in_order)
    assert repr(again) == repr(module)
    assert module.state_dict().keys() == again.state_dict().keys()
    for name, tensor in module.state_dict().items():
        assert tensor.dtype == torch.float64
        assert torch.equal(tensor, again.state_dict()[name]), name


@needs_torch
def test_a_plain_pytorch_sequential_comes_to_stepgrad():
    with torch.random.fork_rng():  # seeded weights, the global generator left as it was
        torch.manual_seed(0)
        layers = [torch.nn.Linear(2, 8), torch.nn.ReLU(), torch.nn.Linear(8, 8), torch.nn.ReLU()]
        net = torch.nn.Sequential(*layers, torch.nn.Linear(8, 1)).double()
    model = nn.from_torch(net)
    assert repr(model) == "MLP(2, [8, 8, 1], activation='relu')"
    assert model.layers[1].neurons[3].w[5].data == net[2].weight[3, 5].item()
    assert model.layers[2].neurons[0].b.data == net[4].bias[0].item()
    x = [0.3, -1.25]
    assert math.isclose(model(x).data, net(f64(x)).item(), rel_tol=1e-14)
    module = nn.to_torch(model)
    assert module(f64(x)).item() == model(x).data  # in order: bit for bit


@needs_torch
def test_activation_spellings_of_plain_sequentials():
    def spelling(*modules):
        return nn.from_torch(torch.nn.Sequential(*modules)).architecture()["activation"]

    lin = torch.nn.Linear
    assert spelling(lin(2, 3), torch.nn.Tanh(), lin(3, 1)) == "tanh"
    assert spelling(lin(2, 3), torch.nn.Tanh(), lin(3, 1), torch.nn.Sigmoid()) == [
        "tanh",
        "sigmoid",
    ]
    assert spelling(lin(2, 3), lin(3, 1)) == "linear"  # a linear hidden layer
    assert spelling(lin(2, 3), torch.nn.Identity(), lin(3, 1)) == "linear"
    assert spelling(lin(2, 3), torch.nn.ReLU(inplace=True), lin(3, 2)) == "relu"
    assert spelling(lin(2, 3)) == ["linear"]
    assert spelling(lin(2, 3), torch.nn.Sigmoid()) == ["sigmoid"]
    assert nn.from_torch(lin(2, 3)).architecture()["activation"] == ["linear"]


@needs_torch
def test_the_mlps_own_spelling_is_kept_and_a_changed_module_is_described_anew():
    model = MLP(2, [3, 1], activation=["relu", "linear"], rng=random.Random(0))
    module = nn.to_torch(model)
    assert module.activation == ["relu", "linear"]
    assert nn.from_torch(module).architecture()["activation"] == ["relu", "linear"]
    module[1] = torch.nn.Tanh()  # changed by hand: the kept spelling no longer describes it
    assert nn.from_torch(module).architecture()["activation"] == "tanh"


@needs_torch
def test_float32_rounds_each_weight_and_a_float32_round_trip_is_exact():
    model = MLP(2, [5, 1], rng=random.Random(3))
    module = nn.to_torch(model, dtype=torch.float32)
    assert {t.dtype for t in module.state_dict().values()} == {torch.float32}
    assert torch.equal(
        module[0].weight, torch.tensor([[w.data for w in n.w] for n in model.layers[0].neurons])
    )
    back = nn.from_torch(module)
    assert back.state_dict() != model.state_dict()  # rounded to float32
    again = nn.to_torch(back, dtype=torch.float32)
    for name, tensor in module.state_dict().items():
        assert torch.equal(tensor, again.state_dict()[name])


@needs_torch
def test_weights_of_any_float_dtype_are_read():
    net = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Tanh(), torch.nn.Linear(2, 1))
    model = nn.from_torch(net.to(torch.bfloat16))
    assert model.layers[0].neurons[1].w[0].data == net[0].weight[1, 0].float().item()


@needs_torch
def test_the_two_models_share_no_tensors():
    model = MLP(2, [3, 1], rng=random.Random(0))
    before = model.state_dict()
    module = nn.to_torch(model)
    optimizer = torch.optim.SGD(module.parameters(), lr=0.1)
    module(f64([[1.0, 2.0], [0.5, -1.0]])).sum().backward()
    optimizer.step()
    assert model.state_dict() == before
    back = nn.from_torch(module)
    with torch.no_grad():
        module[0].weight.fill_(7.0)
    assert back.layers[0].neurons[0].w[0].data != 7.0


@needs_torch
def test_no_random_state_is_used():
    model = MLP(2, [3, 1], rng=random.Random(0))
    torch_state, python_state = torch.get_rng_state(), random.getstate()
    nn.from_torch(nn.to_torch(model))
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert random.getstate() == python_state


@needs_torch
def test_a_trained_pytorch_model_comes_back_with_its_predictions():
    model = MLP(2, [6, 6, 1], rng=random.Random(5))
    module = nn.to_torch(model)
    X = f64([[random.Random(i).uniform(-2, 2) for _ in range(2)] for i in range(30)])
    y = (X[:, 0] * X[:, 1] > 0).double() * 2 - 1
    optimizer = torch.optim.Adam(module.parameters(), lr=0.01)
    for _ in range(20):
        optimizer.zero_grad()
        torch.relu(1 - y * module(X)).mean().backward()
        optimizer.step()
    back = nn.from_torch(module)
    predictions = module(X).tolist()
    for x, p in zip(X.tolist(), predictions):
        assert back(x).data == p


# ---- errors ------------------------------------------------------------------------------------


@needs_torch
@pytest.mark.parametrize(
    ("model", "message"),
    [
        (nn.Layer(2, 3, rng=random.Random(0)), r"to_torch: model must be an nn\.MLP \(got Layer"),
        (nn.Neuron(2, rng=random.Random(0)), r"to_torch: model must be an nn\.MLP \(got Neuron"),
        ("MLP(2, [1])", r"to_torch: model must be an nn\.MLP \(got 'MLP"),
    ],
)
def test_to_torch_takes_only_an_mlp(model, message):
    with pytest.raises(TypeError, match=message):
        nn.to_torch(model)


@needs_torch
def test_to_torch_checks_its_options():
    model = MLP(2, [1])
    with pytest.raises(TypeError, match=r"to_torch: dtype must be a floating-point .*int64"):
        nn.to_torch(model, dtype=torch.int64)
    with pytest.raises(TypeError, match=r"to_torch: dtype must be .*'float64'"):
        nn.to_torch(model, dtype="float64")
    with pytest.raises(TypeError, match=r"to_torch: in_order must be True or False \(got 1\)"):
        nn.to_torch(model, in_order=1)


def _seq(*modules):
    return torch.nn.Sequential(*modules)


def _lin(nin=2, nout=2, **kwargs):
    return torch.nn.Linear(nin, nout, **kwargs)


class _Custom(torch.nn.Module if torch is not None else object):
    def forward(self, x):
        return x


class _DoublingSequential(torch.nn.Sequential if torch is not None else object):
    def forward(self, x):
        return 2 * super().forward(x)


class _ScaledLinear(torch.nn.Linear if torch is not None else object):
    def forward(self, x):
        return 2 * super().forward(x)


UNSUPPORTED = [
    (lambda: _seq(_lin(), torch.nn.Dropout(0.5), _lin()), r"layer 1 \(Dropout\(p=0\.5.*not supp"),
    (lambda: _seq(_lin(), torch.nn.LeakyReLU(), _lin()), r"layer 1 \(LeakyReLU\(.*not supported"),
    (lambda: _seq(_lin(), _ScaledLinear(2, 2)), r"layer 1 \(_ScaledLinear\(.*not supported"),
    (lambda: _seq(_lin(bias=False)), r"layer 0 \(Linear\(.*bias=False\)\) has no bias"),
    (lambda: _seq(_lin(2, 3), _lin(2, 1)), r"layer 1 .* takes 2 inputs, but the layer before .* 3"),
    (lambda: _seq(torch.nn.ReLU(), _lin()), r"layer 0 \(ReLU\(\)\): an activation must follow"),
    (lambda: _seq(_lin(), torch.nn.Tanh(), torch.nn.ReLU()), r"layer 2 \(ReLU\(\)\): an activ"),
    (lambda: _seq(_lin(), torch.nn.ReLU(), torch.nn.Identity()), r"layer 2 \(Identity\(\)\)"),
    (lambda: _seq(), r"from_torch: Sequential\(\) has no Linear layer"),
    (lambda: _seq(_lin(2, 0)), r"layer 0 .*at least one input and one neuron"),
    (lambda: _seq(torch.nn.LazyLinear(3)), r"layer 0 \(LazyLinear.*no weights yet"),
    (lambda: _Custom(), r"from_torch: cannot read _Custom: expected what to_torch returns"),
    (lambda: _DoublingSequential(_lin()), r"cannot read _DoublingSequential"),
    (lambda: _seq(_seq(_lin())), r"layer 0 \(Sequential\) is not supported"),
    (
        lambda: torch.nn.Sequential(OrderedDict(fc1=_lin(), drop=torch.nn.Dropout())),
        r"from_torch: layer drop \(Dropout",
    ),
]


@needs_torch
@pytest.mark.filterwarnings("ignore:Initializing zero-element tensors")  # Linear(2, 0)
@pytest.mark.parametrize(("make", "message"), UNSUPPORTED)
def test_unsupported_modules_are_an_error_naming_the_layer(make, message):
    with pytest.raises(ValueError, match=message):
        nn.from_torch(make())


@needs_torch
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_weights_are_refused(bad):
    net = _seq(_lin(), torch.nn.ReLU(), _lin(2, 1))
    with torch.no_grad():
        net[2].bias[0] = bad
    with pytest.raises(ValueError, match=r"layer 2 \(Linear.*\) has a weight that is not finite"):
        nn.from_torch(net)


@needs_torch
def test_from_torch_takes_a_module():
    with pytest.raises(TypeError, match=r"from_torch: module must be a torch\.nn\.Module"):
        nn.from_torch([torch.nn.Linear(2, 1)])


@needs_torch
def test_in_order_linear_checks_the_input_width():
    layer = InOrderLinear(3, 2, dtype=torch.float64)
    with pytest.raises(
        ValueError, match=r"expected inputs with 3 features .*\(got shape \(4, 2\)\)"
    ):
        layer(torch.zeros(4, 2, dtype=torch.float64))
    with pytest.raises(ValueError, match=r"\(got shape \(\)\)"):
        layer(torch.tensor(1.0, dtype=torch.float64))


@needs_torch
def test_in_order_linear_is_a_linear_with_its_state_dict():
    layer = InOrderLinear(3, 2, dtype=torch.float64)
    plain = torch.nn.Linear(3, 2, dtype=torch.float64)
    plain.load_state_dict(layer.state_dict())
    x = torch.tensor([[0.5, -1.0, 2.0]], dtype=torch.float64)
    assert isinstance(layer, torch.nn.Linear)
    assert torch.allclose(layer(x), plain(x), rtol=1e-14, atol=1e-15)
    no_bias = InOrderLinear(3, 2, bias=False, dtype=torch.float64)
    with torch.no_grad():
        no_bias.weight.copy_(layer.weight)
        layer.bias.zero_()
    assert torch.equal(no_bias(x), layer(x))  # 0 + w1*x1 + ...: the same floats


@needs_torch
def test_torch_mlp_repr_and_type():
    module = nn.to_torch(MLP(2, [3, 1], activation="sigmoid", rng=random.Random(0)))
    assert isinstance(module, TorchMLP) and isinstance(module, torch.nn.Sequential)
    assert repr(module).splitlines()[1] == "  activation='sigmoid'"


# ---- the network you have is the network you convert -----------------------------------------


@needs_torch
@pytest.mark.parametrize(
    "change", [c for _, c in DESCRIBABLE_CHANGES], ids=[n for n, _ in DESCRIBABLE_CHANGES]
)
def test_a_network_changed_by_hand_converts_as_it_is(change):
    model = changed_mlp(change)  # relu and linear layers: bit for bit
    module = nn.to_torch(model)
    rng = random.Random(5)
    nin = len(model.layers[0].neurons[0].w)
    batch = [[rng.uniform(-3, 3) for _ in range(nin)] for _ in range(20)]
    got = module(f64(batch)).reshape(len(batch), -1).tolist()
    assert got == [outputs(model, x) for x in batch]
    back = nn.from_torch(module)
    assert back.architecture() == model.architecture()
    assert back.state_dict() == model.state_dict()


@needs_torch
@pytest.mark.parametrize(
    ("change", "match"),
    [(c, m) for _, c, m in UNDESCRIBABLE_CHANGES],
    ids=[n for n, _, _ in UNDESCRIBABLE_CHANGES],
)
def test_a_network_no_architecture_describes_is_not_converted(change, match):
    with pytest.raises(ValueError, match=f"to_torch: MLP.architecture: .*{match}"):
        nn.to_torch(changed_mlp(change))


@needs_torch
@pytest.mark.parametrize(
    ("dtype", "weight", "name"),
    [
        (torch.float16 if torch else None, 70000.0, "layers.0.neurons.1.w.0"),
        (torch.float16 if torch else None, -1e6, "layers.1.neurons.0.b"),
        (torch.bfloat16 if torch else None, 1e39, "layers.0.neurons.1.w.0"),
        (torch.float32 if torch else None, -1e300, "layers.1.neurons.0.b"),
    ],
)
def test_a_weight_too_large_for_the_dtype_is_refused(dtype, weight, name):
    model = MLP(2, [2, 1], rng=random.Random(0))
    model.load_state_dict({**model.state_dict(), name: weight})
    finfo = torch.finfo(dtype)
    message = rf"to_torch: {name} is {re.escape(repr(weight))}, too large for {dtype}"
    with pytest.raises(ValueError, match=message) as info:
        nn.to_torch(model, dtype=dtype)
    assert f"{finfo.max:g}" in str(info.value)
    nn.to_torch(model)  # float64 holds it


@needs_torch
def test_float16_keeps_the_largest_weight_it_can_hold():
    model = MLP(1, [1], rng=random.Random(0))
    model.load_state_dict({"layers.0.neurons.0.w.0": 65504.0, "layers.0.neurons.0.b": -1e-9})
    module = nn.to_torch(model, dtype=torch.float16)
    assert module[0].weight.item() == 65504.0 and module[0].bias.item() == 0.0  # rounded
