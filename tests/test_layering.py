"""The import layers, read from the source: data flows from the core to the tools to ``nn``.

- ``autograd`` never imports ``nn``;
- the core of ``autograd`` (``CORE``) imports only the core: no tool (drawing, stepping,
  checking, testing strategies, exercises, notation...), and not the ``autograd`` package
  itself (its ``__init__`` imports the tools);
- ``nn`` uses ``autograd`` through public names only: ``from autograd import X`` or ``from
  autograd.<module> import X`` where neither the module nor ``X`` starts with ``_``.

Imports inside functions count too: a lazy import is still a dependency.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = {"value", "primitives", "backprop", "mode", "errors", "fused", "ops"}


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).glob("*.py"))


def _imports(path: Path) -> list[tuple[str, str]]:
    """Every import of ``path`` as (module, name): ``name`` is "" for ``import module``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found += [(node.module, alias.name) for alias in node.names]
    return found


def _autograd_module(module: str, name: str) -> str | None:
    """The autograd module an import brings in, None outside autograd.

    ``from autograd import value`` brings in ``value``; the package itself is ``"autograd"``.
    """
    if module == "autograd" and (ROOT / "autograd" / f"{name}.py").exists():
        return name
    if module == "autograd":
        return "autograd"
    if module.startswith("autograd."):
        return module.split(".")[1]
    return None


@pytest.mark.parametrize("path", _modules("autograd"), ids=lambda p: p.name)
def test_autograd_never_imports_nn(path):
    assert [m for m, _ in _imports(path) if m == "nn" or m.startswith("nn.")] == []


@pytest.mark.parametrize("core", sorted(CORE))
def test_the_core_imports_only_the_core(core):
    used = {_autograd_module(m, n) for m, n in _imports(ROOT / "autograd" / f"{core}.py")}
    assert used - {None} <= CORE, f"autograd.{core} imports {sorted(used - {None} - CORE)}"


@pytest.mark.parametrize("path", _modules("nn"), ids=lambda p: p.name)
def test_nn_uses_only_public_names_of_autograd(path):
    private = [
        f"{m}.{n}"
        for m, n in _imports(path)
        if _autograd_module(m, n) is not None
        and (any(part.startswith("_") for part in m.split(".")) or n.startswith("_"))
    ]
    assert private == []


def test_the_rules_see_a_violation():
    """The parser finds what the rules look for (a check that cannot fail proves nothing)."""
    source = ROOT / "autograd" / "steps.py"
    assert ("autograd.notation", "op_text") in _imports(source)
    assert _autograd_module("autograd", "primitives") == "primitives"
    assert _autograd_module("autograd", "Value") == "autograd"
    assert _autograd_module("autograd.draw", "draw_dot") == "draw"
