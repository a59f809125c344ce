"""The public surface: exported names, and the guard against clashing PyPI packages."""

import subprocess
import sys
import types

import pytest

import autograd
import nn
from autograd import _guard


def test_autograd_exports_exactly_the_public_names():
    """__all__ is every public class and function that autograd's public modules give it."""
    public = {
        name
        for name, obj in vars(autograd).items()
        if not name.startswith("_")
        and not isinstance(obj, types.ModuleType)
        and (isinstance(obj, type) or callable(obj))
        and not any(part.startswith("_") for part in obj.__module__.split("."))
    }
    assert sorted(autograd.__all__) == sorted(public)
    for name in autograd.__all__:
        assert getattr(autograd, name).__doc__, f"{name} has no docstring"


def test_star_import_gives_the_public_names():
    namespace = {}
    exec("from autograd import *", namespace)
    assert set(autograd.__all__) <= set(namespace)


def test_gradcheck_error_is_an_assertion_error():
    assert issubclass(autograd.GradcheckError, AssertionError)


def test_no_clash_in_this_environment():
    assert _guard.clashing_distributions() == []
    assert autograd.__stepgrad__ is True
    assert nn is not None


def test_guard_message_says_what_to_do():
    text = _guard.message(["autograd"])
    assert "'autograd'" in text and "separate virtual environment" in text
    assert "pip uninstall autograd stepgrad" in text


@pytest.mark.slow
def test_guard_refuses_to_import_with_a_clashing_distribution(tmp_path):
    # a fake installed distribution named "autograd" (as HIPS autograd would register)
    info = tmp_path / "autograd-1.7.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: autograd\nVersion: 1.7.0\n")
    code = f"import sys; sys.path.insert(0, {str(tmp_path)!r}); import autograd"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode != 0
    assert "ImportError" in run.stderr and "HIPS" not in run.stderr
    assert "the PyPI package 'autograd' is installed too" in run.stderr


def test_nn_refuses_a_foreign_autograd(tmp_path):
    fake = tmp_path / "autograd"
    fake.mkdir()
    (fake / "__init__.py").write_text("# HIPS autograd's __init__ overwrote ours\n")
    code = f"import sys; sys.path.insert(0, {str(tmp_path)!r}); import nn"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode != 0
    assert "ImportError: stepgrad's `nn` needs stepgrad's `autograd`" in run.stderr
    assert "pip uninstall autograd stepgrad" in run.stderr


@pytest.mark.parametrize("module", ["autograd", "nn"])
def test_importing_does_not_pull_in_test_tools(module):
    code = f"import sys, {module}; print('hypothesis' in sys.modules, 'pytest' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    assert out.split() == ["False", "False"]


def _modules_of(package):
    import importlib
    import pkgutil

    yield package
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if info.name != "nn.torch_bridge":  # imports torch, an optional extra
            yield importlib.import_module(info.name)


def test_every_exception_of_stepgrad_lives_in_autograd_errors():
    import autograd.errors

    found = {
        (module.__name__, name)
        for package in (autograd, nn)
        for module in _modules_of(package)
        for name, obj in vars(module).items()
        if isinstance(obj, type)
        and issubclass(obj, BaseException)
        and not name.startswith("_")
        and obj.__module__.startswith(("autograd", "nn"))
        and obj.__module__ != "autograd.errors"
    }
    assert found == set()
    assert sorted(autograd.errors.__all__) == sorted(
        n
        for n, o in vars(autograd.errors).items()
        if isinstance(o, type) and issubclass(o, Exception)
    )
