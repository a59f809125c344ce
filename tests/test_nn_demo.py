"""The main job end to end: ``python -m nn.demo`` in a subprocess, and its pictures."""

import json
import os
import random
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from nn import MLP, History, load
from nn.demo import DEFAULT_OUT, main, network_graph, neuron_graph
from nn.plot import plot_decision_boundary, plot_history

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _is_png(path):
    data = path.read_bytes()
    return data.startswith(PNG_SIGNATURE) and data[12:16] == b"IHDR" and b"IEND" in data[-12:]


@pytest.mark.slow
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
    assert _is_png(out / "network_graph.png") and "network_graph.png" in done.stdout
    diagram = (out / "network_graph.svg").read_text()
    assert ET.parse(out / "network_graph.svg").getroot().tag.endswith("svg")
    for box in ("Layer 1, Neuron 16", "Layer 2, Neuron 1", "Layer 3, Neuron 1", "x2"):
        assert box in diagram, box
    assert "relu" not in diagram  # every neuron is one box: no operations inside are drawn
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


def test_network_graph_records_every_neuron_on_a_copy_of_the_model():
    model = MLP(2, [3, 2, 1], rng=random.Random(0))
    score, scopes = network_graph(model, [0.5, -1.0])
    assert score.data == model([0.5, -1.0]).data and score.grad == 1.0
    assert [s.name for s in scopes.scopes].count("Neuron") == 6
    assert all(p.grad == 0.0 for p in model.parameters())  # the model itself is untouched
    inputs = scopes.scopes[0].inputs  # the MLP's call: x1 and x2
    assert [v.label for v in inputs] == ["x1", "x2"] and inputs[0].grad != 0.0
    with pytest.raises(ValueError, match=r"network_graph: .*one score \(got 2 outputs\)"):
        network_graph(MLP(2, [3, 2], rng=random.Random(0)), [0.5, -1.0])


@pytest.mark.slow
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


@pytest.mark.slow
def test_demo_runs_on_a_single_point(tmp_path, capsys):
    # --samples 1 crashed inside make_moons (an empty moon got one point)
    assert main(["--samples", "1", "--steps", "1", "--out", str(tmp_path)]) == 0
    assert "1 point of two moons" in capsys.readouterr().out
    assert load(tmp_path / "model.json").architecture()["nouts"] == [16, 16, 1]


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _demo(*args):
    return [sys.executable, "-m", "nn.demo", *args]


def test_ctrl_c_during_training_stops_cleanly_with_status_130(tmp_path):
    out = tmp_path / "pictures"
    # a million steps: the run is still training when the signal arrives
    proc = subprocess.Popen(
        _demo("--steps", "1000000", "--out", str(out)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        # Ctrl-C as in a terminal: a test run started in the background (`cmd &` without job
        # control, some CI runners) ignores SIGINT, the child inherits that, and Python then
        # installs no KeyboardInterrupt handler: the demo would rightly train on
        preexec_fn=_default_sigint,
    )
    try:
        first = proc.stdout.readline()  # printed (and flushed) just before training starts
        assert "337 parameters" in first
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 130
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    assert f"interrupted; nothing written to {out}" in stderr
    assert "trained" not in stdout
    assert list(out.iterdir()) == []


@pytest.mark.slow
def test_ctrl_c_while_writing_names_the_files_already_written(tmp_path, capsys, monkeypatch):
    import nn.demo

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(nn.demo, "draw_dot", interrupt)  # after the two plots, before the graph
    assert main(["--steps", "1", "--samples", "10", "--out", str(tmp_path)]) == 130
    err = capsys.readouterr().err
    assert "interrupted; wrote 2 of 7 files" in err
    assert "decision_boundary.png, training_curves.png" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "decision_boundary.png",
        "training_curves.png",
    ]


def test_a_closed_standard_output_ends_quietly_with_status_1(tmp_path):
    # `python -m nn.demo | head -1`, made deterministic: the reader is gone before the start
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            _demo("--steps", "2", "--out", str(tmp_path / "out")),
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=300,
            cwd=tmp_path,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 1
    assert done.stderr == ""  # no traceback, no "Exception ignored ... BrokenPipeError"


def test_an_obstacle_in_the_output_folder_is_found_before_training(tmp_path):
    out = tmp_path / "out"
    (out / "model.json").mkdir(parents=True)
    done = subprocess.run(
        _demo("--steps", "1000000", "--out", str(out)),
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert done.stdout == ""  # nothing trained
    assert "python -m nn.demo: error: cannot write" in done.stderr
    assert "model.json: a folder of that name is in the way" in done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["model.json"]


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs a folder nobody can write into")
def test_an_unwritable_output_folder_is_found_before_training(capsys):
    # /proc exists and refuses new files even for root (a chmod 0o500 folder does not stop root)
    assert main(["--steps", "1000000", "--out", "/proc"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "python -m nn.demo: error: cannot write into the output folder /proc" in captured.err
