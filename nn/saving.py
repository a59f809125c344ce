"""Save and load models as JSON: the architecture and every weight, exactly.

A file looks like this (JSON, readable, never pickle, so loading runs no code)::

    {"format": "stepgrad.nn", "version": 1,
     "architecture": {"type": "MLP", "nin": 2, "nouts": [16, 16, 1], "activation": "relu"},
     "parameters": {"layers.0.neurons.0.w.0": 0.2310..., ...}}

Floats are written with ``repr`` (Python's ``json`` does this), which reads back to the very
same float. ``save`` writes a temporary file next to the target, then renames it over the
target, so a crash leaves either the old file or the new one, never half a file. ``load``
checks the whole file before it builds or changes any model: a corrupt, truncated or
mismatched file raises a ``ValueError`` that names the file and the problem.
"""

from __future__ import annotations

import json
import math
import os
import random
import tempfile
from pathlib import Path
from typing import Any

from nn.layers import MLP, Layer, Neuron
from nn.module import Module, check_state

__all__ = ["FORMAT", "VERSION", "load", "save"]

FORMAT = "stepgrad.nn"
VERSION = 1

_BUILDERS = {
    "MLP": (
        ("nin", "nouts", "activation"),
        lambda a, rng: MLP(a["nin"], a["nouts"], activation=a["activation"], rng=rng),
    ),
    "Layer": (
        ("nin", "nout", "activation"),
        lambda a, rng: Layer(a["nin"], a["nout"], activation=a["activation"], rng=rng),
    ),
    "Neuron": (
        ("nin", "activation"),
        lambda a, rng: Neuron(a["nin"], activation=a["activation"], rng=rng),
    ),
}


def save(model: Module, path: str | os.PathLike) -> Path:
    """Write ``model``'s architecture and weights to the JSON file ``path``; return the path.

    The write is atomic (a temporary file in the same folder, then a rename). Raises
    ``ValueError`` if a weight is not finite (JSON has no ``nan``), leaving any old file as
    it was.

    >>> import random, tempfile, os
    >>> from nn import MLP
    >>> model = MLP(2, [3, 1], rng=random.Random(0))
    >>> path = save(model, os.path.join(tempfile.mkdtemp(), "model.json"))
    >>> load(path).state_dict() == model.state_dict()
    True
    """
    if not isinstance(model, Module):
        raise TypeError(f"save: model must be an nn.Module (got {model!r})")
    path = Path(path)
    weights = model.state_dict()
    for name, value in weights.items():
        if not math.isfinite(value):
            raise ValueError(f"save: {name} is {value!r}; only finite weights can be saved")
    document = {
        "format": FORMAT,
        "version": VERSION,
        "architecture": model.architecture(),
        "parameters": weights,
    }
    text = json.dumps(document, indent=1, allow_nan=False) + "\n"
    _write_atomically(path, text)
    return path


def load(path: str | os.PathLike, model: Module | None = None) -> Module:
    """Read a file written by ``save``: a new model, or the weights loaded into ``model``.

    Without ``model`` the file's architecture (an ``MLP``, ``Layer`` or ``Neuron``) is built
    and filled with the saved weights; the global ``random`` state is not touched. With
    ``model`` its architecture must equal the file's, and its weights are replaced.

    Raises ``ValueError`` naming the file and the problem when the file is not valid JSON
    (for example truncated), is not a stepgrad model, has an unknown version, or its
    architecture or weights do not match; no model is changed then. A missing file raises
    ``FileNotFoundError``.

    >>> import random, tempfile, os
    >>> from nn import Neuron
    >>> path = save(Neuron(2, rng=random.Random(0)), os.path.join(tempfile.mkdtemp(), "n.json"))
    >>> load(path)
    Neuron(2, activation='relu')
    >>> other = Neuron(2, activation="relu", rng=random.Random(1))
    >>> load(path, other) is other
    True
    """
    path = Path(path)
    document = _read_document(path)
    where = f"load: {path}"
    architecture = document["architecture"]
    if model is None:
        model = _build(architecture, where)
    elif not isinstance(model, Module):
        raise TypeError(f"load: model must be an nn.Module or None (got {model!r})")
    elif model.architecture() != architecture:
        raise ValueError(
            f"{where}: the file holds {_describe(architecture)}, but the model is "
            f"{_describe(model.architecture())}"
        )
    model.load_state_dict(_parameters(model, document["parameters"], where))
    return model


# ----------------------------------------------------------------------------------------------


def _write_atomically(path: Path, text: str) -> None:
    folder = path.parent
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class _NonFinite(ValueError):
    pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _reject_constant(name: str):
    raise _NonFinite(f"it contains {name}; weights must be finite numbers")


def _read_document(path: Path) -> dict[str, Any]:
    where = f"load: {path}"
    data = path.read_bytes()
    try:
        document = json.loads(data.decode("utf-8"), parse_constant=_reject_constant)
    except UnicodeDecodeError as e:
        raise ValueError(f"{where} is not a stepgrad model file: not UTF-8 text ({e})") from None
    except _NonFinite as e:
        raise ValueError(f"{where}: {e}") from None
    except (ValueError, RecursionError) as e:  # json.JSONDecodeError is a ValueError
        raise ValueError(f"{where} is not valid JSON (corrupt or truncated?): {e}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f'{where} is not a stepgrad model file (no "format": {FORMAT!r})')
    version = document.get("version")
    if version != VERSION or isinstance(version, bool):
        raise ValueError(
            f"{where} has format version {version!r}; this stepgrad reads version {VERSION}"
        )
    for key, kind in (("architecture", dict), ("parameters", dict)):
        if not isinstance(document.get(key), kind):
            raise ValueError(f"{where}: {key!r} must be a JSON object (got {document.get(key)!r})")
    if not isinstance(document["architecture"].get("type"), str):
        raise ValueError(f'{where}: the architecture has no "type"')
    return document


def _build(architecture: dict[str, Any], where: str) -> Module:
    kind = architecture["type"]
    if kind not in _BUILDERS:
        raise ValueError(
            f"{where}: cannot build a {kind!r} model (known: {', '.join(_BUILDERS)}); "
            "pass model= to load the weights into a model you built"
        )
    keys, build = _BUILDERS[kind]
    expected = {"type", *keys}
    if set(architecture) != expected:
        raise ValueError(
            f"{where}: a {kind} architecture needs exactly the keys {sorted(expected)} "
            f"(got {sorted(architecture)})"
        )
    try:  # a private generator: building must not disturb the global random state
        model = build(architecture, random.Random(0))
    except (TypeError, ValueError) as e:
        raise ValueError(f"{where}: invalid architecture: {e}") from None
    if model.architecture() != architecture:  # e.g. nouts given as a string of digits
        raise ValueError(f"{where}: invalid architecture {architecture!r}")
    return model


def _parameters(model: Module, parameters: dict[str, Any], where: str) -> dict[str, float]:
    try:
        values = check_state(model, parameters, where)
    except TypeError as e:
        raise ValueError(str(e)) from None
    return dict(zip((name for name, _ in model.named_parameters()), values))


def _describe(architecture: Any) -> str:
    return json.dumps(architecture, sort_keys=True)
