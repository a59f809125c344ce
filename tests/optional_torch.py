"""``import_torch()``: torch for the tests that need it, skipped without it, or required.

torch is optional (the ``torch`` extra), so its tests skip when it is missing, with a reason.
With the environment variable ``STEPGRAD_REQUIRE_TORCH=1`` (CI's torch job sets it) a missing
torch fails them instead, so a green run proves they ran.
"""

import importlib.util
import os

import pytest

REQUIRED = os.environ.get("STEPGRAD_REQUIRE_TORCH") == "1"
MISSING = "torch is not installed: pip install -e '.[torch]' to run the tests that use it"


def torch_available() -> bool:
    return importlib.util.find_spec("torch") is not None


def import_torch():
    """The ``torch`` module; a skip when it is missing, a failure if it is required."""
    if REQUIRED:
        if not torch_available():
            pytest.fail(f"STEPGRAD_REQUIRE_TORCH=1, but {MISSING}", pytrace=False)
        import torch

        return torch
    return pytest.importorskip("torch", reason=MISSING)
