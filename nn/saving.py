"""Save and load models as JSON: the architecture and every weight, exactly.

A file looks like this (JSON, readable, never pickle, so loading runs no code)::

    {"format": "stepgrad.nn", "version": 1,
     "architecture": {"type": "MLP", "nin": 2, "nouts": [16, 16, 1], "activation": "relu"},
     "parameters": {"layers.0.neurons.0.w.0": 0.2310..., ...}}

Floats are written with ``repr`` (Python's ``json`` does this), which reads back to the very
same float. ``save`` writes a temporary file next to the target, then renames it over the
target, so a crash leaves either the old file or the new one, never half a file; it writes
through a symbolic link to its target and keeps an existing file's permissions. ``load``
checks the whole file before it builds or changes any model: a corrupt, truncated or
mismatched file raises a ``ValueError`` that names the file and the problem, and an
architecture that declares more weights than the file holds is refused before it is built.

The architecture is read from the model as it is when saved: a neuron whose activation was
changed, a layer appended by hand, are saved as they are (``Module.architecture()``). A
network no architecture describes (one layer's neurons with different activations, layers
that do not chain, ...) is refused with a ``ValueError`` naming the part.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import os
import random
import re
import secrets
import stat
from pathlib import Path
from typing import Any, TypeGuard, cast

from nn.layers import MLP, Layer, Neuron, _layer_activations
from nn.module import Module, assign_state

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

    The write is atomic (a temporary file in the same folder, then a rename). If ``path`` is a
    symbolic link, its target is written and the link kept; an existing file keeps its
    permission bits, a new one gets ``0o666`` minus the umask. The architecture is the
    model's as it is now, changes made by hand included.

    Raises ``ValueError`` if a weight is not finite (JSON has no ``nan``) or no architecture
    describes the model (its ``architecture()`` says why, for example one layer's neurons
    with different activations), and ``FileNotFoundError`` (``NotADirectoryError``) naming
    ``path`` if its folder does not exist (is a file); any old file is left as it was.

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
    try:
        architecture = model.architecture()
    except ValueError as e:
        raise ValueError(f"save: {e}") from None
    weights = model.state_dict()
    for name, value in weights.items():
        if not math.isfinite(value):
            raise ValueError(f"save: {name} is {value!r}; only finite weights can be saved")
    document = {
        "format": FORMAT,
        "version": VERSION,
        "architecture": architecture,
        "parameters": weights,
    }
    text = json.dumps(document, indent=1, allow_nan=False) + "\n"
    _write_atomically(path, text)
    return path


def load(path: str | os.PathLike, model: Module | None = None) -> Module:
    """Read a file written by ``save``: a new model, or the weights loaded into ``model``.

    Without ``model`` the file's architecture (an ``MLP``, ``Layer`` or ``Neuron``) is built
    and filled with the saved weights; the global ``random`` state is not touched. With
    ``model`` its architecture must equal the file's (an MLP's activations compared layer by
    layer, however spelled), and its weights are replaced.

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
        _check_declared_size(architecture, document["parameters"], where)
        model = _build(architecture, where)
    elif not isinstance(model, Module):
        raise TypeError(f"load: model must be an nn.Module or None (got {model!r})")
    else:
        _check_same_architecture(model, architecture, where)
    try:
        assign_state(model, document["parameters"], where)
    except TypeError as e:  # a weight of the wrong JSON type: the file is bad
        raise ValueError(str(e)) from None
    return model


# ----------------------------------------------------------------------------------------------


def _check_same_architecture(model: Module, architecture: dict[str, Any], where: str) -> None:
    """Refuse to load the file's weights into a ``model`` of another architecture."""
    try:
        ours = model.architecture()
    except ValueError as e:
        raise ValueError(f"{where}: {e}") from None
    if _canonical(ours) != _canonical(architecture):
        raise ValueError(
            f"{where}: the file holds {_describe(architecture)}, but the model is {_describe(ours)}"
        )


def _canonical(architecture: dict[str, Any]) -> dict[str, Any]:
    """An MLP's architecture with its activations spelled one per layer; others as they are."""
    nouts = architecture.get("nouts")
    if architecture.get("type") != "MLP" or type(nouts) is not list or not nouts:
        return architecture
    try:
        activations = _layer_activations(architecture.get("activation"), len(nouts))
    except (TypeError, ValueError):
        return architecture
    return {**architecture, "activation": activations}


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename.

    A symbolic link is followed: its target gets the new content and the link stays. An
    existing file keeps its permission bits; a new one gets ``0o666`` minus the umask (the
    kernel applies it: ``os.umask`` is never called, it is process-wide and not thread-safe).
    Temporary files are named ``.{name}.{pid}-{random}.stepgrad-tmp``; one left by a process
    that no longer runs (killed mid-save) is removed by the next save to the same file.
    """
    target = Path(os.path.realpath(path))
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except (FileNotFoundError, NotADirectoryError):  # a new file (or no folder: said below)
        mode = None
    _remove_stale_temporaries(target)
    try:
        tmp, fd = _create_temporary(target)
    except FileNotFoundError:  # name the file asked for, not the temporary one
        raise FileNotFoundError(
            f"save: cannot write {path}: the folder {target.parent} does not exist"
        ) from None
    except NotADirectoryError:
        raise NotADirectoryError(
            f"save: cannot write {path}: {target.parent} is not a folder"
        ) from None
    try:
        if mode is not None:
            os.chmod(tmp, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)


_TMP_SUFFIX = ".stepgrad-tmp"
_TMP_MIDDLE = re.compile(r"([0-9]+)-[0-9a-f]{8}")


def _create_temporary(target: Path) -> tuple[Path, int]:
    """A new file next to ``target``, opened for writing, with mode 0o666 minus the umask."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}{_TMP_SUFFIX}")
        try:
            return tmp, os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
    raise FileExistsError(f"save: could not create a temporary file next to {target}")


def _remove_stale_temporaries(target: Path) -> None:
    """Delete temporary files of ``target`` whose writing process is gone."""
    prefix = f".{target.name}."
    try:
        names = os.listdir(target.parent)
    except OSError:
        return  # the write itself will report the problem with the folder
    for name in names:
        if not (name.startswith(prefix) and name.endswith(_TMP_SUFFIX)):
            continue
        # exactly "{pid}-{8 hex digits}": never another file's temporary, such as that of
        # "model.json.5-x", whose middle part holds a dot
        match = _TMP_MIDDLE.fullmatch(name[len(prefix) : -len(_TMP_SUFFIX)])
        if match and not _running(int(match[1])):
            with contextlib.suppress(OSError):
                (target.parent / name).unlink()


def _running(pid: int) -> bool:
    if pid == os.getpid() or os.name == "nt":  # Windows' os.kill(pid, 0) sends a Ctrl-C
        return True  # a save in another thread of this process, or we cannot ask safely
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # it exists (another user's), or we cannot tell: keep its file
    return True


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class _NonFinite(ValueError):
    pass


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


def _layer_sizes(architecture: dict[str, Any]) -> list[tuple[int, int]] | None:
    """``(nin, nout)`` of each layer the architecture declares, or None if malformed."""

    def size(n: object) -> TypeGuard[int]:
        return type(n) is int and n >= 1

    kind = architecture["type"]
    nin = architecture.get("nin")
    if not size(nin):
        return None
    if kind == "Neuron":
        return [(nin, 1)]
    if kind == "Layer":
        nout = architecture.get("nout")
        return [(nin, nout)] if size(nout) else None
    nouts = architecture.get("nouts")
    if kind != "MLP" or type(nouts) is not list or not nouts or not all(map(size, nouts)):
        return None
    return list(zip([nin, *nouts], nouts))


def _declared_names(architecture: dict[str, Any]):
    """The parameter names the architecture declares, in order, made one at a time."""
    kind = architecture["type"]
    # called once _layer_sizes has accepted the architecture
    sizes = cast(list[tuple[int, int]], _layer_sizes(architecture))
    for i, (nin, nout) in enumerate(sizes):
        prefix = {"MLP": f"layers.{i}.neurons.", "Layer": "neurons.", "Neuron": ""}[kind]
        for j in range(nout):
            neuron = "" if kind == "Neuron" else f"{prefix}{j}."
            for k in range(nin):
                yield f"{neuron}w.{k}"
            yield f"{neuron}b"


def _check_declared_size(architecture: dict[str, Any], parameters: dict, where: str) -> None:
    """Refuse an architecture with more parameters than the file holds, before building it.

    A small file can declare a network of billions of weights: building it first would
    exhaust memory. Counting needs only arithmetic; naming what is missing looks at no more
    names than the file holds, plus three.
    """
    sizes = _layer_sizes(architecture)
    if sizes is None:
        return  # malformed sizes: _build reports them without building anything
    declared = sum((nin + 1) * nout for nin, nout in sizes)
    if declared <= len(parameters):
        return
    missing = itertools.islice(
        (name for name in _declared_names(architecture) if name not in parameters), 3
    )
    shown = ", ".join(repr(name) for name in missing)
    raise ValueError(
        f"{where}: the architecture {_describe(architecture)} declares {declared:,} "
        f"parameters but the file holds {len(parameters):,}: missing {shown}"
        + (", ..." if declared - len(parameters) > 3 else "")
    )


def _describe(architecture: Any) -> str:
    return json.dumps(architecture, sort_keys=True)
