"""The main job: ``python -m nn.demo`` trains micrograd's network on two moons and draws it.

An ``MLP(2, [16, 16, 1])`` (337 parameters) learns to separate 100 points of two interleaving
half moons, exactly as in micrograd's demo: hinge (max-margin) loss plus L2 regularization
(alpha 1e-4), full-batch SGD with the learning rate ``1.0 - 0.9 k / steps``. It prints the
final loss and training accuracy and writes into the output folder:

- ``decision_boundary.png``: the learned score over the plane and the points;
- ``training_curves.png``: loss and accuracy at every step;
- ``neuron_graph.svg`` and ``neuron_graph.png``: the computation graph of one trained neuron
  of the first layer on a training point that activates it, after ``backward()``, every
  multiply shown;
- ``network_graph.svg`` and ``network_graph.png``: the whole network's graph on that point,
  collapsed into a network diagram (``record_scopes()`` and ``draw_dot(..., collapse=True)``):
  one box per neuron, named after its place, with its output's data and grad;
- ``model.json``: the trained model (``nn.load`` reads it back).

It checks that it can write into the output folder before it trains (exit status 2 with a
message if not, like a bad option). Ctrl-C stops it without a traceback, with exit status
130 and a note of the files written so far. When its standard output is closed early
(``python -m nn.demo | head -1``) it stops quietly with status 1, as the Python
documentation's "Note on SIGPIPE" recommends.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from autograd import Value, draw_dot, record_scopes
from autograd.scopes import ScopeRecording
from nn.data import make_moons, signed_labels
from nn.layers import MLP, Neuron
from nn.optim import SGD, linear_decay
from nn.saving import save
from nn.train import evaluate, train

__all__ = ["main", "parse_args"]

DEFAULT_OUT = "stepgrad-demo-out"
PROG = "python -m nn.demo"
OUTPUTS = (
    "decision_boundary.png",
    "training_curves.png",
    "neuron_graph.svg",
    "neuron_graph.png",
    "network_graph.svg",
    "network_graph.png",
    "model.json",
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line: ``--steps``, ``--seed``, ``--samples``, ``--out``, ``--no-progress``.

    >>> args = parse_args(["--steps", "5", "--out", "pictures"])
    >>> args.steps, args.seed, str(args.out), args.no_progress
    (5, 1337, 'pictures', False)
    """
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Train micrograd's MLP(2, [16, 16, 1]) on two moons and draw what it learned.",
    )
    parser.add_argument("--steps", type=_positive_int, default=100, help="SGD steps (default: 100)")
    parser.add_argument(
        "--seed", type=int, default=1337, help="seed for the data and the weights (default: 1337)"
    )
    parser.add_argument(
        "--samples", type=_positive_int, default=100, help="points in the dataset (default: 100)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(DEFAULT_OUT),
        help=f"folder for the pictures and the model (default: ./{DEFAULT_OUT}/)",
    )
    parser.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress bar (it is off anyway when standard error is not a terminal)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the demo (the ``stepgrad-demo`` console script); returns the exit status.

    0 when done; 2 for a bad option or an output folder it cannot write into (found before
    training); 130 after Ctrl-C; 1 when standard output was closed early.
    """
    args = parse_args(argv)
    written: list[Path] = []
    try:
        return _run(args, written)
    except KeyboardInterrupt:
        if written:
            names = ", ".join(f.name for f in written)
            note = f"wrote {len(written)} of {len(OUTPUTS)} files to {args.out}: {names}"
        else:
            note = f"nothing written to {args.out}"
        print(f"{PROG}: interrupted; {note}", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`| head -1`). Python docs, "Note on SIGPIPE": point standard
        # output at devnull so the final flush at exit cannot fail again, and exit with 1.
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 1


def _run(args: argparse.Namespace, written: list[Path]) -> int:
    problem = check_output_folder(args.out)
    if problem:
        print(f"{PROG}: error: {problem}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    X, y = make_moons(args.samples, noise=0.1, seed=args.seed)
    y = signed_labels(y)
    model = MLP(2, [16, 16, 1], rng=random.Random(args.seed))
    points = f"{len(X)} point{'s' if len(X) > 1 else ''}"
    _say(f"{model}: {len(model.parameters())} parameters; {points} of two moons")
    optimizer = SGD(model.parameters(), lr=linear_decay(1.0, 0.1, args.steps))
    history = train(
        model,
        X,
        y,
        optimizer=optimizer,
        loss="hinge",
        epochs=args.steps,
        l2=1e-4,
        progress=False if args.no_progress else None,
    )
    final = evaluate(model, X, y, loss="hinge")
    trained = time.perf_counter() - started
    _say(f"trained {args.steps} steps in {trained:.1f} s")
    _say(f"final loss {final.loss:.4f} (hinge, without the L2 term), accuracy {final.accuracy:.1%}")
    write_pictures(model, X, y, history, args.out, written=written)
    written.append(save(model, args.out / "model.json"))
    _say(f"wrote {len(written)} files to {args.out.resolve()}/:")
    for f in written:
        _say(f"  {f.name}")
    return 0


def check_output_folder(out: Path) -> str | None:
    """Why the demo could not write its files into ``out``, or None if it can.

    Creates the folder if needed and writes (then removes) a scratch file in it, so a
    read-only folder is found before training, not after.

    >>> import tempfile
    >>> check_output_folder(Path(tempfile.mkdtemp())) is None
    True
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        return f"cannot create the output folder {out}: {e}"
    try:
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as e:
        return f"cannot write into the output folder {out}: {e}"
    for name in OUTPUTS:
        path = out / name
        if path.is_dir():
            return f"cannot write {path}: a folder of that name is in the way"
        if path.exists() and not os.access(path, os.W_OK):
            return f"cannot write {path}: the file is read-only"
    return None


def _say(line: str) -> None:
    """One line on standard output, right away (a pipe or a log sees progress as it comes)."""
    print(line, flush=True)


def write_pictures(
    model: MLP, X: list, y: list, history, out: Path, *, written: list[Path] | None = None
) -> list[Path]:
    """Draw the decision boundary, the curves, one neuron's graph and the network into ``out``.

    Returns the files written; each is also appended to ``written`` as soon as it is complete
    (so an interrupted run can say what it left behind).
    """
    from nn.plot import plot_decision_boundary, plot_history

    done = [] if written is None else written
    start = len(done)
    boundary = out / "decision_boundary.png"
    acc = evaluate(model, X, y).accuracy
    plot_decision_boundary(
        model, X, y, title=f"MLP(2, [16, 16, 1]) on two moons: {acc:.0%} accuracy"
    ).savefig(boundary, dpi=110)
    done.append(boundary)
    curves = out / "training_curves.png"
    plot_history(history, title="hinge loss + L2, SGD").savefig(curves, dpi=110)
    done.append(curves)
    neuron, point = active_neuron(model, X)
    dot = draw_dot(neuron_graph(neuron, point))
    _write_graph(dot, out / "neuron_graph", done)
    score, scopes = network_graph(model, point)
    diagram = draw_dot(score, scopes=scopes, collapse=True, precision=2)
    _write_graph(diagram, out / "network_graph", done)
    return done[start:]


def _write_graph(dot, stem: Path, done: list[Path]) -> None:
    for fmt in ("svg", "png"):
        path = stem.with_suffix(f".{fmt}")
        path.write_bytes(dot.pipe(format=fmt))
        done.append(path)


def active_neuron(model: MLP, X: list) -> tuple[Neuron, list[float]]:
    """A first-layer neuron and a point where its relu is active, so gradients flow through.

    >>> model = MLP(2, [3, 1], rng=random.Random(0))
    >>> neuron, point = active_neuron(model, [[-1.0, 0.5], [0.5, 1.0], [1.0, -1.0]])
    >>> neuron(point).data > 0
    True
    """
    for neuron in model.layers[0].neurons:
        for point in X:
            if neuron(point).data > 0:
                return neuron, point
    return model.layers[0].neurons[0], X[0]


def neuron_graph(trained: Neuron, point: list[float]) -> Value:
    """One neuron's output on ``point``, after ``backward()``, with every node labelled.

    The neuron is copied unfused (``fused=False``): the drawing shows each ``w * x`` and ``+``.

    >>> out = neuron_graph(Neuron(2, rng=random.Random(0)), [1.0, 2.0])
    >>> out.label, [p.op for p in out.parents]
    ('out', ['+'])
    """
    neuron = Neuron(
        len(trained.w), activation=trained.activation, rng=random.Random(0), fused=False
    )
    neuron.load_state_dict(trained.state_dict())
    for i, w in enumerate(neuron.w):
        w.label = f"w{i + 1}"
    neuron.b.label = "b"
    x = [Value(v, label=f"x{i + 1}") for i, v in enumerate(point)]
    out = neuron(x)
    out.label = "out"
    out.backward()
    return out


def network_graph(trained: MLP, point: list[float]) -> tuple[Value, ScopeRecording]:
    """The network's score on ``point`` after ``backward()``, with its calls recorded.

    The network is copied first, so the model's gradients are untouched. Drawn with
    ``draw_dot(score, scopes=scopes, collapse=True)``, every neuron is one box named after
    its place (``Layer 1, Neuron 3``) showing its output's data and grad: a network diagram.

    >>> score, scopes = network_graph(MLP(2, [3, 1], rng=random.Random(0)), [1.0, 2.0])
    >>> score.label, [s.name for s in scopes.scopes]
    ('score', ['MLP', 'Layer', 'Neuron', 'Neuron', 'Neuron', 'Layer', 'Neuron'])
    >>> 'label="{ Layer 2, Neuron 1 |' in draw_dot(score, scopes=scopes, collapse=True).source
    True
    """
    shape = trained.architecture()
    model = MLP(
        shape["nin"], shape["nouts"], activation=shape["activation"], rng=random.Random(0)
    )  # its weights are replaced by the trained ones
    model.load_state_dict(trained.state_dict())
    x = [Value(v, label=f"x{i + 1}") for i, v in enumerate(point)]
    with record_scopes() as scopes:
        score = model(x)
    if not isinstance(score, Value):
        raise ValueError(f"network_graph: the model must give one score (got {len(score)} outputs)")
    score.label = "score"
    score.backward()
    return score, scopes


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1 (got {text!r})")
    return value


if __name__ == "__main__":
    raise SystemExit(main())
