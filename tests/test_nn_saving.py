"""save and load: exact round trips, atomic writes, and every kind of bad file."""

import json
import math
import os
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn.saving
from autograd import Value
from nn import MLP, Layer, Neuron, load, save
from nn.layers import ACTIVATIONS
from tests.examples import DESCRIBABLE_CHANGES, UNDESCRIBABLE_CHANGES, changed_mlp


@pytest.fixture
def model():
    m = MLP(2, [4, 3, 1], activation="tanh", rng=random.Random(0))
    for p in m.parameters():  # awkward floats that must survive the round trip bit for bit
        p.data = p.data / 3 + 1e-17
    return m


@pytest.fixture
def saved(model, tmp_path):
    return save(model, tmp_path / "model.json")


def test_round_trip_is_exact(model, saved):
    loaded = load(saved)
    assert type(loaded) is MLP and loaded.architecture() == model.architecture()
    assert [p.data for p in loaded.parameters()] == [p.data for p in model.parameters()]
    x = [0.3, -0.7]
    assert loaded(x).data == model(x).data


@pytest.mark.parametrize(
    "build",
    [
        lambda: Neuron(3, activation="sigmoid", rng=random.Random(1)),
        lambda: Layer(2, 3, activation="linear", rng=random.Random(1)),
        lambda: MLP(1, [2, 2], activation=["relu", "sigmoid"], rng=random.Random(1)),
    ],
)
def test_round_trip_of_every_kind(build, tmp_path):
    m = build()
    loaded = load(save(m, tmp_path / "m.json"))
    assert repr(loaded) == repr(m) and loaded.state_dict() == m.state_dict()


def test_load_into_an_existing_model(model, saved):
    other = MLP(2, [4, 3, 1], activation="tanh", rng=random.Random(9))
    assert load(saved, other) is other
    assert other.state_dict() == model.state_dict()


def test_file_is_readable_json_with_format_version_architecture(saved):
    doc = json.loads(saved.read_text())
    assert doc["format"] == "stepgrad.nn" and doc["version"] == 1
    assert doc["architecture"] == {
        "type": "MLP",
        "nin": 2,
        "nouts": [4, 3, 1],
        "activation": "tanh",
    }
    assert len(doc["parameters"]) == 3 * 4 + 5 * 3 + 4


def test_loading_does_not_touch_the_global_random_state(saved):
    random.seed(11)
    state = random.getstate()
    load(saved)
    assert random.getstate() == state


def _edit(path, change):
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


def _set_first_weight(value):
    return lambda d: d["parameters"].update({"layers.0.neurons.0.w.0": value})


BAD_EDITS = [
    (lambda d: d.update(format="pickle"), "not a stepgrad model file"),
    (lambda d: d.pop("format"), "not a stepgrad model file"),
    (lambda d: d.update(version=2), "format version 2; this stepgrad reads version 1"),
    (lambda d: d.update(version=True), "format version True"),
    (lambda d: d.pop("parameters"), "'parameters' must be a JSON object"),
    (lambda d: d.update(architecture=[1]), "'architecture' must be a JSON object"),
    (lambda d: d["architecture"].pop("type"), 'has no "type"'),
    (lambda d: d["architecture"].update(type="CNN"), "cannot build a 'CNN' model"),
    (lambda d: d["architecture"].update(nouts=[4, 3]), "unexpected 'layers.2.neurons.0.w.0'"),
    (lambda d: d["architecture"].update(nouts="431"), "invalid architecture"),
    (lambda d: d["architecture"].update(activation="gelu"), "invalid architecture"),
    (lambda d: d["architecture"].update(depth=3), "needs exactly the keys"),
    (lambda d: d["parameters"].pop("layers.2.neurons.0.b"), "missing 'layers.2.neurons.0.b'"),
    (lambda d: d["parameters"].update(extra=1.0), "unexpected 'extra'"),
    (_set_first_weight("0.5"), "must be a real number"),
    (_set_first_weight(None), "must be a real number"),
    (_set_first_weight(True), "must be a real number"),
    (_set_first_weight(1e999), "finite"),
]


@pytest.mark.parametrize(("change", "match"), BAD_EDITS)
def test_bad_file_is_a_value_error_naming_the_file_and_changes_no_model(
    model, saved, change, match
):
    _edit(saved, change)
    target = MLP(2, [4, 3, 1], activation="tanh", rng=random.Random(5))
    before = target.state_dict()
    # loading into a model may stop earlier, at the architecture that differs from the model's
    for call, expected in [
        (lambda: load(saved), match),
        (lambda: load(saved, target), f"{match}|the file holds"),
    ]:
        with pytest.raises(ValueError, match=expected) as info:
            call()
        assert str(saved) in str(info.value)
    assert target.state_dict() == before


def test_mismatched_architecture_is_refused(saved):
    target = MLP(2, [4, 4, 1], activation="tanh", rng=random.Random(5))
    before = target.state_dict()
    with pytest.raises(ValueError, match=r"the file holds .*\[4, 3, 1\].* but the model is"):
        load(saved, target)
    assert target.state_dict() == before


@pytest.mark.parametrize(
    ("damage", "match"),
    [
        (lambda text: text[: len(text) // 2], "not valid JSON"),
        (lambda text: text[:-3], "not valid JSON"),
        (lambda text: "", "not valid JSON"),
        (lambda text: text.replace(":", "=", 1), "not valid JSON"),
        (lambda text: "[1, 2, 3]", "not a stepgrad model file"),
        (lambda text: text.replace('"version": 1', '"version": NaN'), "NaN"),
        (lambda text: text.replace(",", ": Infinity,", 1), "not valid JSON|Infinity"),
    ],
)
def test_corrupt_or_truncated_file(model, saved, damage, match):
    saved.write_text(damage(saved.read_text()))
    target = MLP(2, [4, 3, 1], activation="tanh", rng=random.Random(5))
    before = target.state_dict()
    with pytest.raises(ValueError, match=match) as info:
        load(saved, target)
    assert str(saved) in str(info.value)
    assert target.state_dict() == before


def test_binary_garbage_is_a_value_error(saved):
    saved.write_bytes(b"\x80\x04\x95pickle\xff")
    with pytest.raises(ValueError, match="not UTF-8"):
        load(saved)


def test_a_weight_nan_in_the_file_is_refused(saved):
    text = saved.read_text()
    name = '"layers.0.neurons.0.w.0": '
    start = text.index(name) + len(name)
    end = text.index(",", start)
    saved.write_text(text[:start] + "NaN" + text[end:])
    with pytest.raises(ValueError, match="contains NaN"):
        load(saved)


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nothing.json")


def test_save_refuses_non_finite_weights_and_keeps_the_old_file(model, saved):
    old = saved.read_bytes()
    model.parameters()[3].data = math.inf
    with pytest.raises(ValueError, match="only finite weights can be saved"):
        save(model, saved)
    assert saved.read_bytes() == old
    with pytest.raises(TypeError, match=r"nn\.Module"):
        save([1.0], saved)


def test_a_crash_while_writing_leaves_the_old_file_and_no_temporary(model, saved, monkeypatch):
    old = saved.read_bytes()

    def crash(*args):
        raise OSError("disk full")

    monkeypatch.setattr(nn.saving.os, "replace", crash)
    model.parameters()[0].data = 0.125
    with pytest.raises(OSError, match="disk full"):
        save(model, saved)
    assert saved.read_bytes() == old
    assert os.listdir(saved.parent) == [saved.name]


def test_save_overwrites_atomically_with_normal_permissions(model, saved):
    model.parameters()[0].data = 0.125
    save(model, saved)
    assert load(saved).parameters()[0].data == 0.125
    assert os.listdir(saved.parent) == [saved.name]
    mask = os.umask(0)
    os.umask(mask)
    assert saved.stat().st_mode & 0o777 == 0o666 & ~mask


def test_a_custom_module_loads_into_a_model_you_build(tmp_path):
    from autograd import Value
    from nn import Module

    class Line(Module):
        def __init__(self, w=0.0, b=0.0):
            self.w, self.b = Value(w), Value(b)

        def named_parameters(self):
            return [("w", self.w), ("b", self.b)]

    path = save(Line(2.0, -1.0), tmp_path / "line.json")
    with pytest.raises(ValueError, match=r"cannot build a 'Line' model.*pass model="):
        load(path)
    line = load(path, Line())
    assert (line.w.data, line.b.data) == (2.0, -1.0)


def test_saving_through_a_symlink_writes_the_target_and_keeps_the_link(model, tmp_path):
    target = tmp_path / "real" / "model.json"
    target.parent.mkdir()
    save(Neuron(1, rng=random.Random(0)), target)
    link = tmp_path / "current.json"
    link.symlink_to(target)
    save(model, link)
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert load(target).state_dict() == model.state_dict()
    assert sorted(os.listdir(target.parent)) == ["model.json"]
    assert sorted(os.listdir(tmp_path)) == ["current.json", "real"]


def test_save_keeps_the_mode_of_an_existing_file(model, saved):
    os.chmod(saved, 0o600)
    save(model, saved)
    assert saved.stat().st_mode & 0o777 == 0o600
    os.chmod(saved, 0o640)
    save(model, saved)
    assert saved.stat().st_mode & 0o777 == 0o640


def test_a_new_file_gets_the_umask_and_save_never_calls_os_umask(model, tmp_path, monkeypatch):
    mask = os.umask(0o027)
    try:
        monkeypatch.setattr(nn.saving.os, "umask", None)  # calling it would be a TypeError
        path = save(model, tmp_path / "new.json")
    finally:
        monkeypatch.undo()
        os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o640


def _dead_pid():
    """The id of a process that has exited (and been reaped)."""
    import subprocess
    import sys

    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(child.stdout)


def test_a_temporary_left_by_a_killed_save_is_removed_by_the_next_save(model, saved):
    stale = saved.parent / f".{saved.name}.{_dead_pid()}-0a1b2c3d.stepgrad-tmp"
    stale.write_text('{"half": ')
    alive = saved.parent / f".{saved.name}.{os.getpid()}-0a1b2c3d.stepgrad-tmp"
    alive.write_text("a save in progress in another thread")
    other = saved.parent / ".other.json.1-0a1b2c3d.stepgrad-tmp"
    other.write_text("another file's temporary")
    # the temporary of a file named "model.json.5-x", written by a dead process: not ours
    lookalike = saved.parent / f".{saved.name}.5-x.{_dead_pid()}-0a1b2c3d.stepgrad-tmp"
    lookalike.write_text("another file's temporary")
    save(model, saved)
    assert sorted(os.listdir(saved.parent)) == sorted(
        [saved.name, alive.name, other.name, lookalike.name]
    )


def test_an_interrupted_save_leaves_no_temporary(model, saved, monkeypatch):
    def interrupt(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(nn.saving.os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        save(model, saved)
    assert os.listdir(saved.parent) == [saved.name]


HUGE = {"type": "MLP", "nin": 100_000, "nouts": [100_000, 100_000, 1], "activation": "relu"}


@pytest.mark.parametrize(
    ("architecture", "match"),
    [
        (
            HUGE,
            r"declares 20,000,300,001 parameters but the file holds 1: missing "
            r"'layers.0.neurons.0.w.0', 'layers.0.neurons.0.w.1', 'layers.0.neurons.0.w.2', \.\.\.",
        ),
        (
            {"type": "Layer", "nin": 10**9, "nout": 10**9, "activation": "relu"},
            "declares 1,000,000,001,000,000,000 parameters",
        ),
        ({"type": "Neuron", "nin": 10**12, "activation": "tanh"}, r"missing 'w.1', 'w.2'"),
    ],
)
def test_a_small_file_declaring_a_huge_model_is_refused_before_building(
    tmp_path, monkeypatch, architecture, match
):
    path = tmp_path / "liar.json"
    doc = {
        "format": "stepgrad.nn",
        "version": 1,
        "architecture": architecture,
        "parameters": {"w.0": 0.5},
    }
    path.write_text(json.dumps(doc))
    assert path.stat().st_size < 200

    def never(*args, **kwargs):
        raise AssertionError("a model was built before the sizes were checked")

    for name in ("MLP", "Layer", "Neuron"):
        monkeypatch.setattr(nn.saving, name, never)
    with pytest.raises(ValueError, match=match) as info:
        load(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    "model",
    [
        Neuron(3, rng=random.Random(0)),
        Layer(2, 3, rng=random.Random(0)),
        MLP(3, [2, 4, 1], rng=random.Random(0)),
    ],
)
def test_declared_names_are_the_built_models_names(model):
    declared = list(nn.saving._declared_names(model.architecture()))
    assert declared == [name for name, _ in model.named_parameters()]


# ---- the network you have is the network you save ---------------------------------------------


def _outputs(model, x):
    out = model(x)
    return [v.data for v in out] if isinstance(out, list) else [out.data]


@pytest.mark.parametrize(
    "change", [c for _, c in DESCRIBABLE_CHANGES], ids=[n for n, _ in DESCRIBABLE_CHANGES]
)
def test_a_network_changed_by_hand_saves_as_it_is(change, tmp_path):
    model = changed_mlp(change)
    loaded = load(save(model, tmp_path / "m.json"))
    assert loaded.architecture() == model.architecture() and repr(loaded) == repr(model)
    assert loaded.state_dict() == model.state_dict()
    rng = random.Random(5)
    nin = len(model.layers[0].neurons[0].w)
    for _ in range(20):
        x = [rng.uniform(-3, 3) for _ in range(nin)]
        assert _outputs(loaded, x) == _outputs(model, x)
    assert load(tmp_path / "m.json", model) is model  # its own file loads back into it


@pytest.mark.parametrize(
    ("change", "match"),
    [(c, m) for _, c, m in UNDESCRIBABLE_CHANGES],
    ids=[n for n, _, _ in UNDESCRIBABLE_CHANGES],
)
def test_a_network_no_architecture_describes_is_refused(change, match, model, saved):
    before = saved.read_bytes()
    changed = changed_mlp(change)
    with pytest.raises(ValueError, match=f"save: MLP.architecture: .*{match}"):
        save(changed, saved)
    assert saved.read_bytes() == before  # the old file is kept
    with pytest.raises(ValueError, match=match):
        load(saved, changed)
    repr(changed)  # still shows something


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (
            lambda: _changed(Layer(2, 3, rng=random.Random(0)), 1, "tanh"),
            r"Layer.architecture: neurons\.1 has activation 'tanh', but neurons\.0 has 'relu'",
        ),
        (
            lambda: _changed(Layer(2, 3, rng=random.Random(0)), 2, None),
            r"Layer.architecture: neurons\.2 has 3 inputs, but neurons\.0 has 2",
        ),
    ],
)
def test_a_layer_of_unlike_neurons_is_refused(build, match, tmp_path):
    with pytest.raises(ValueError, match=f"save: {match}"):
        save(build(), tmp_path / "layer.json")
    assert not list(tmp_path.iterdir())


def _changed(layer, j, activation):
    if activation is None:
        layer.neurons[j].w.append(Value(1.0))
    else:
        layer.neurons[j].activation = activation
    return layer


def test_a_changed_neuron_and_layer_save_as_they_are(tmp_path):
    neuron = Neuron(2, rng=random.Random(0))
    neuron.activation = "sigmoid"
    assert load(save(neuron, tmp_path / "n.json")).architecture()["activation"] == "sigmoid"
    layer = Layer(2, 2, rng=random.Random(0))
    for n in layer.neurons:
        n.activation = "tanh"
    n = load(save(layer, tmp_path / "l.json"))
    assert repr(n) == "Layer(2, 2, activation='tanh')" and n([0.5, 1.0])[1].op == "tanh"


def test_loading_into_a_model_compares_layers_not_spellings(model, saved):
    same = MLP(2, [4, 3, 1], activation=["tanh", "tanh", "linear"], rng=random.Random(3))
    assert load(saved, same) is same and same.state_dict() == model.state_dict()


def test_saving_into_a_missing_folder_names_the_file_and_the_folder(model, tmp_path):
    target = tmp_path / "no such folder" / "model.json"
    with pytest.raises(FileNotFoundError) as info:
        save(model, target)
    message = str(info.value)
    assert str(target) in message and "does not exist" in message
    assert "stepgrad-tmp" not in message
    (tmp_path / "a file").write_text("")
    with pytest.raises(NotADirectoryError, match=r"save: cannot write .*a file.* is not a folder"):
        save(model, tmp_path / "a file" / "model.json")


@given(
    sizes=st.lists(st.integers(1, 3), min_size=1, max_size=3),
    activations=st.lists(st.sampled_from(ACTIVATIONS), min_size=4, max_size=4),
    appended=st.integers(0, 2),
    x=st.lists(st.floats(-3, 3), min_size=2, max_size=2),
)
def test_any_activations_set_by_hand_and_appended_layers_save_as_they_are(
    sizes, activations, appended, x, tmp_path_factory
):
    model = MLP(2, sizes, rng=random.Random(0))
    for _ in range(appended):  # layers appended by hand, each taking the last one's outputs
        model.layers.append(Layer(len(model.layers[-1].neurons), 2, rng=random.Random(1)))
    for layer, activation in zip(model.layers, activations):
        for n in layer.neurons:
            n.activation = activation
    loaded = load(save(model, tmp_path_factory.mktemp("m") / "m.json"))
    assert [n.activation for layer in loaded.layers for n in layer.neurons] == [
        n.activation for layer in model.layers for n in layer.neurons
    ]
    assert _outputs(loaded, x) == _outputs(model, x)
