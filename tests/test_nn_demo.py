"""The main job end to end: ``python -m nn.demo`` in a subprocess, and its pictures."""

import json
import random
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from nn import MLP, History, load
from nn.demo import DEFAULT_OUT, main, neuron_graph
from nn.plot import plot_decision_boundary, plot_history

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _is_png(path):
    data = path.read_bytes()
    return data.startswith(PNG_SIGNATURE) and data[12:16] == b"IHDR" and b"IEND" in data[-12:]


def test_demo_end_to_end_in_a_subprocess(tmp_path):
    out = tmp_path / "pictures"
    done = subprocess.run(
        [sys.executable, "-m", "nn.demo", "--steps", "3", "--seed", "1", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "337 parameters" in done.stdout
    assert "final loss" in done.stdout and "accuracy" in done.stdout
    assert str(out.resolve()) in done.stdout
    assert done.stderr == ""  # no progress bar: standard error is not a terminal
    for name in ("decision_boundary.png", "training_curves.png", "neuron_graph.png"):
        assert _is_png(out / name), name
        assert name in done.stdout
    svg = ET.parse(out / "neuron_graph.svg").getroot()
    assert svg.tag.endswith("svg")
    text = (out / "neuron_graph.svg").read_text()
    assert all(word in text for word in ("w1", "x2", "relu", "grad"))
    model = load(out / "model.json")
    assert repr(model) == "MLP(2, [16, 16, 1], activation='relu')"
    assert json.loads((out / "model.json").read_text())["version"] == 1


def test_help_names_the_options():
    done = subprocess.run(
        [sys.executable, "-m", "nn.demo", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    for option in ("--steps", "--seed", "--out", "--no-progress", DEFAULT_OUT):
        assert option in done.stdout


@pytest.mark.parametrize("argv", [["--steps", "0"], ["--steps", "many"], ["--seed", "x"]])
def test_bad_options_exit_with_status_2(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert "error" in capsys.readouterr().err


def test_an_output_path_that_is_a_file_is_reported(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["--steps", "1", "--out", str(blocker / "sub")]) == 2
    assert "cannot create the output folder" in capsys.readouterr().err


def test_neuron_graph_shows_every_multiply_with_gradients():
    model = MLP(2, [3, 1], rng=random.Random(0))
    neuron = model.layers[0].neurons[0]
    for w in neuron.w:
        w.data = 0.5
    out = neuron_graph(neuron, [1.0, 2.0])
    assert out.data == 1.5 and out.label == "out"
    ops = []
    stack = [out]
    while stack:
        v = stack.pop()
        ops.append(v.op)
        stack.extend(v.parents)
    assert ops.count("*") == 2 and ops.count("+") == 2
    assert neuron.w[0].grad == 0.0  # the drawing used a copy: the model is untouched


def test_plots_are_figures_that_save_as_png(tmp_path):
    model = MLP(2, [4, 1], rng=random.Random(0))
    fig = plot_decision_boundary(model, [[0.0, 0.0], [1.0, 1.0]], [-1, 1], resolution=5)
    fig.savefig(tmp_path / "b.png")
    assert _is_png(tmp_path / "b.png")
    history = History(loss=[1.0, 0.5], accuracy=[0.5, 1.0], lr=[0.1, 0.1], epoch=[0, 1])
    plot_history(history).savefig(tmp_path / "h.png")
    assert _is_png(tmp_path / "h.png")


def test_plot_errors():
    model = MLP(2, [4, 2], rng=random.Random(0))
    with pytest.raises(ValueError, match="one score"):
        plot_decision_boundary(model, [[0.0, 0.0]], [1], resolution=3)
    with pytest.raises(ValueError, match=r"\[x1, x2\] points"):
        plot_decision_boundary(model, [[0.0, 0.0, 1.0]], [1])
    with pytest.raises(ValueError, match="resolution"):
        plot_decision_boundary(model, [[0.0, 0.0]], [1], resolution=1)
    with pytest.raises(TypeError, match=r"nn\.History"):
        plot_history({"loss": []})


def test_demo_runs_on_a_single_point(tmp_path, capsys):
    # --samples 1 crashed inside make_moons (an empty moon got one point)
    assert main(["--samples", "1", "--steps", "1", "--out", str(tmp_path)]) == 0
    assert "1 point of two moons" in capsys.readouterr().out
    assert load(tmp_path / "model.json").architecture()["nouts"] == [16, 16, 1]
