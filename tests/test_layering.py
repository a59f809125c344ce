"""The import layers, read from the source: data flows from the core to the tools to ``nn``.

- ``autograd`` never imports ``nn``;
- the core of ``autograd`` (``CORE``) imports only the core: no tool (drawing, stepping,
  checking, testing strategies, exercises, notation...), and not the ``autograd`` package
  itself (its ``__init__`` imports the tools);
- no import cycle between modules but ``value`` <-> ``backprop`` (the ``Value.backward``
  facade); a package's ``__init__`` (its face) counts as a module of its own;
- every public module lists its public names in ``__all__``;
- ``autograd/`` keeps at most 20 modules at its top level; the families (drawing, stepping,
  testing) live in folders;
- ``nn`` uses ``autograd`` through public names only: ``from autograd import X`` or ``from
  autograd.<module> import X`` where neither the module nor ``X`` starts with ``_``.

Imports inside functions count too: a lazy import is still a dependency.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = {"value", "primitives", "backprop", "mode", "errors", "fused", "ops", "inputs"}
ALLOWED_CYCLES = [{"autograd.value", "autograd.backprop"}]
FAMILIES = {"draw", "stepping", "testing"}


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _name(path: Path) -> str:
    """``autograd/draw/dot.py`` -> ``autograd.draw.dot``; a package's face keeps its name."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, str]]:
    """Every import of ``path`` as (module, name): ``name`` is "" for ``import module``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found += [(node.module, alias.name) for alias in node.names]
    return found


_KNOWN = {_name(path) for path in _modules("autograd")}


def _target(module: str, name: str) -> str | None:
    """The autograd module an import brings in, None outside autograd.

    ``from autograd.draw import page``: the module ``autograd.draw.page``; ``from
    autograd.draw import draw_dot``: the face ``autograd.draw``.
    """
    if module != "autograd" and not module.startswith("autograd."):
        return None
    return f"{module}.{name}" if f"{module}.{name}" in _KNOWN else module


def _graph() -> dict[str, set[str]]:
    graph = {}
    for path in _modules("autograd"):
        targets = {_target(m, n) for m, n in _imports(path)} - {None, _name(path)}
        # importing autograd.x.y runs the faces autograd and autograd.x first: those are
        # not dependencies of the module's own code, so only the module itself counts
        graph[_name(path)] = {t for t in targets if t is not None}
    return graph


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for child in graph.get(todo.pop(), ()):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return seen


def _cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The groups of modules that import each other, directly or not (small graphs only)."""
    reach = {node: _reachable(graph, node) for node in graph}
    groups = {frozenset({n} | {m for m in reach[n] if n in reach.get(m, ())}) for n in graph}
    return sorted((set(g) for g in groups if len(g) > 1), key=sorted)


@pytest.mark.parametrize("path", _modules("autograd"), ids=lambda p: _name(p))
def test_autograd_never_imports_nn(path):
    assert [m for m, _ in _imports(path) if m == "nn" or m.startswith("nn.")] == []


@pytest.mark.parametrize("core", sorted(CORE))
def test_the_core_imports_only_the_core(core):
    used = {_target(m, n) for m, n in _imports(ROOT / "autograd" / f"{core}.py")} - {None}
    allowed = {f"autograd.{c}" for c in CORE}
    assert used <= allowed, f"autograd.{core} imports {sorted(used - allowed)}"


def test_no_import_cycle_but_value_and_backprop():
    assert _cycles(_graph()) == ALLOWED_CYCLES


def test_the_top_level_stays_small_and_the_families_are_folders():
    top = sorted(p.stem for p in (ROOT / "autograd").glob("*.py"))
    assert len(top) <= 20, top
    folders = {p.name for p in (ROOT / "autograd").iterdir() if (p / "__init__.py").exists()}
    assert folders == FAMILIES


def _assigned(path: Path) -> set[str]:
    body = ast.parse(path.read_text()).body
    return {
        t.id
        for n in body
        if isinstance(n, ast.Assign)
        for t in n.targets
        if isinstance(t, ast.Name)
    }


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in _modules("autograd") + _modules("nn")
        if not p.name.startswith("_") or p.name == "__init__.py"
    ],
    ids=_name,
)
def test_every_public_module_names_its_public_names(path):
    assert "__all__" in _assigned(path)


@pytest.mark.parametrize("path", _modules("nn"), ids=lambda p: p.name)
def test_nn_uses_only_public_names_of_autograd(path):
    private = [
        f"{m}.{n}"
        for m, n in _imports(path)
        if _target(m, n) is not None
        and (any(part.startswith("_") for part in m.split(".")) or n.startswith("_"))
    ]
    assert private == []


def test_the_rules_see_a_violation():
    """The parser finds what the rules look for (a check that cannot fail proves nothing)."""
    source = ROOT / "autograd" / "backward_steps.py"
    assert ("autograd.notation", "op_text") in _imports(source)
    assert _target("autograd", "primitives") == "autograd.primitives"
    assert _target("autograd", "Value") == "autograd"
    assert _target("autograd.draw", "draw_dot") == "autograd.draw"
    assert _target("autograd.draw", "page") == "autograd.draw.page"
    cycle = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(cycle) == [{"a", "b", "c"}]
