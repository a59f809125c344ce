"""Rendering works on a fresh install: the bundled graphviz-pure renderer, no system dot."""

import html
import shutil

import pytest

from autograd import Value, draw_dot
from autograd.render import bundled_renderer, current_renderer, use_renderer


@pytest.fixture
def bundled():
    before = current_renderer()
    chosen = use_renderer(prefer_system=False)
    yield chosen
    use_renderer()  # back to the default choice
    assert current_renderer() in (before, use_renderer())


def test_bundled_renderer_is_installed_in_this_environment(bundled):
    assert bundled == bundled_renderer()
    assert bundled.name.startswith("graphviz-pure")


def test_svg_without_system_dot(bundled):
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    c.backward()
    svg = html.unescape(draw_dot(c).pipe(format="svg").decode())  # SVG writes "-" as &#45;
    assert svg.lstrip().startswith("<?xml")
    for text in ("data 2.0000", "grad -3.0000", "data -6.0000", "grad 1.0000", "*"):
        assert text in svg


def test_png_without_system_dot(bundled, tmp_path):
    x = Value(0.5, label="x")
    path = draw_dot(x.tanh()).render(tmp_path / "g", format="png")
    with open(path, "rb") as png:
        assert png.read(8) == b"\x89PNG\r\n\x1a\n"


def test_default_prefers_system_dot():
    chosen = use_renderer()
    system = shutil.which("dot")
    assert str(chosen) == system if system else chosen == bundled_renderer()


def test_draw_dot_structure_one_edge_per_operand_use():
    a = Value(2.0, label="a")
    b = a + a
    src = draw_dot(b).source
    assert src.count("v0 -> v1_op") == 2
    assert src.count("v1_op -> v1") == 1
    c = a * 3 + 1
    src = draw_dot(c).source
    assert "* 3" in src and "+ 1" in src


def test_draw_dot_is_deterministic():
    def build():
        x, y = Value(1.5, label="x"), Value(-2.0, label="y")
        return ((x * y).tanh() + x**2).sigmoid()

    assert draw_dot(build()).source == draw_dot(build()).source


def test_draw_dot_escapes_record_characters():
    v = Value(1.0, label="a|{b}<c>")
    assert r"a\|\{b\}\<c\>" in draw_dot(v).source


def test_draw_dot_bad_arguments():
    with pytest.raises(TypeError, match="draw_dot: expected a Value"):
        draw_dot(1.0)
    with pytest.raises(ValueError, match="rankdir must be one of"):
        draw_dot(Value(1.0), rankdir="XY")
