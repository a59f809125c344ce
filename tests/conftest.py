"""Hypothesis profiles: quick by default, thorough with ``--hypothesis-profile=ci``."""

import pytest
from hypothesis import HealthCheck, settings

from autograd.draw import render
from autograd.draw.render import use_renderer

settings.register_profile("default", max_examples=50, deadline=None)
settings.register_profile(
    "ci",
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile("default")


@pytest.fixture
def bundled_renderer(monkeypatch):
    """stepgrad's graphs render with graphviz-pure, as on a machine without a system `dot`.

    Only stepgrad's own choice changes (``autograd.draw.render._chosen``), and it is put back after
    the test; graphviz's ``DOT_BINARY`` is never touched.
    """
    monkeypatch.setattr(render, "_chosen", None)
    return use_renderer(prefer_system=False)
