"""Rendering: a fresh install makes pictures (graphviz-pure, no system dot), the engine needs no
renderer at all, and stepgrad leaves the graphviz package's own settings alone."""

import base64
import html
import os
import site
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import graphviz
import graphviz.backend.dot_command as dot_command
import pytest

import autograd.render as render
from autograd import Value, draw_dot
from autograd.render import (
    RendererNotFound,
    StepgradDigraph,
    bundled_renderer,
    current_renderer,
    use_renderer,
)


@pytest.fixture(autouse=True)
def fresh_choice(monkeypatch):
    """Each test starts with no renderer chosen and leaves the choice as it found it."""
    monkeypatch.setattr(render, "_chosen", None)


@pytest.fixture
def bundled():
    return use_renderer(prefer_system=False)


@pytest.fixture
def fake_system_dot(tmp_path, monkeypatch):
    """A `dot` on PATH (the only program there) that names itself and its arguments."""
    folder = tmp_path / "bin"
    folder.mkdir()
    dot = folder / "dot"
    dot.write_text('#!/bin/sh\nwhile read -r line; do :; done\necho "fake system dot $*"\n')
    dot.chmod(dot.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(folder))
    # graphviz's default, as in a user's fresh interpreter (stepgrad never sets it; other tests'
    # fixtures may have, and monkeypatch puts back whatever they left)
    monkeypatch.setattr(dot_command, "DOT_BINARY", Path("dot"))
    return dot


@pytest.fixture
def no_renderer(tmp_path, monkeypatch):
    """Neither a system dot (PATH is an empty folder) nor graphviz-pure."""
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(render, "_BUNDLED", "graphviz-pure-is-not-installed")


def _example():
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    c.backward()
    return c


def test_bundled_renderer_is_installed_in_this_environment(bundled):
    assert bundled == bundled_renderer()
    assert bundled.name.startswith("graphviz-pure")
    assert current_renderer() == bundled


def test_svg_without_system_dot(bundled):
    svg = html.unescape(draw_dot(_example()).pipe(format="svg").decode())  # "-" is &#45;
    assert svg.lstrip().startswith("<?xml")
    for text in ("data 2.0000", "grad -3.0000", "data -6.0000", "grad 1.0000", "*"):
        assert text in svg


def test_png_without_system_dot(bundled, tmp_path):
    x = Value(0.5, label="x")
    path = draw_dot(x.tanh()).render(tmp_path / "g", format="png")
    with open(path, "rb") as png:
        assert png.read(8) == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("choose", [use_renderer, lambda: use_renderer(prefer_system=False)])
def test_render_with_the_default_format_writes_svg(choose, tmp_path, monkeypatch):
    """``draw_dot(y).render("gout")`` works on a fresh install (graphviz's default is pdf)."""
    choose()
    monkeypatch.chdir(tmp_path)
    graph = draw_dot(_example())
    assert graph.format == "svg" and graph.copy().format == "svg"
    assert graph.render("gout") == "gout.svg"
    assert (tmp_path / "gout.svg").read_text().lstrip().startswith("<?xml")
    assert (tmp_path / "gout").read_text() == graph.source  # graphviz saves the DOT text too
    assert graph.render(outfile="out/picture.png") == os.path.join("out", "picture.png")
    assert (tmp_path / "out" / "picture.png").read_bytes().startswith(b"\x89PNG")


def test_jupyter_display_runs_the_renderer(bundled):
    graph = draw_dot(_example())
    bundle = graph._repr_mimebundle_(include=["image/svg+xml", "image/png"])
    assert "<svg" in bundle["image/svg+xml"]
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")  # base64, as stored


def test_draw_dot_returns_a_graphviz_digraph():
    graph = draw_dot(_example())
    assert isinstance(graph, StepgradDigraph) and isinstance(graph, graphviz.Digraph)


def test_the_graphviz_settings_are_untouched_by_drawing_and_rendering(bundled, tmp_path):
    before = dot_command.DOT_BINARY
    graph = draw_dot(_example())
    graph.pipe()
    graph.render(tmp_path / "g")
    assert dot_command.DOT_BINARY is before


def test_a_system_dot_is_preferred_and_plain_graphviz_graphs_keep_using_it(fake_system_dot):
    """stepgrad's graphs pick the system dot; a user's own graphviz graph runs it as before."""
    assert current_renderer() == fake_system_dot  # chosen at first use: the system dot wins
    assert draw_dot(_example()).pipe(encoding="utf-8") == "fake system dot -Kdot -Tsvg\n"
    mine = graphviz.Digraph(format="png")
    mine.edge("x", "y")
    assert mine.pipe(encoding="utf-8") == "fake system dot -Kdot -Tpng\n"
    assert use_renderer(prefer_system=False) == bundled_renderer()
    assert draw_dot(_example()).pipe(encoding="utf-8").lstrip().startswith("<?xml")
    assert mine.pipe(encoding="utf-8") == "fake system dot -Kdot -Tpng\n"  # still the user's


def test_without_any_renderer_the_engine_and_dot_text_work_and_pictures_say_what_to_install(
    no_renderer,
):
    c = _example()
    assert c.data == -6.0 and c.parents[0].grad == -3.0
    graph = draw_dot(c)
    assert "data -6.0000" in graph.source
    with pytest.raises(RendererNotFound) as caught:
        graph.pipe()
    assert isinstance(caught.value, graphviz.ExecutableNotFound)  # a RuntimeError, as graphviz's
    message = str(caught.value)
    assert "pip install graphviz-pure" in message and "system Graphviz" in message
    with pytest.raises(RendererNotFound):
        use_renderer()
    assert render._chosen is None  # nothing half-chosen: installing one later just works


def test_import_needs_no_renderer_and_leaves_graphviz_alone(tmp_path):
    """A fresh interpreter with an empty PATH and no graphviz-pure imports and computes.

    The base interpreter (not this venv's, whose scripts folder holds graphviz-pure) runs
    without its own site-packages, with this environment's packages added by hand.
    """
    code = textwrap.dedent(
        f"""
        import site, pathlib
        for folder in {site.getsitepackages()!r}:
            site.addsitedir(folder)
        import graphviz, graphviz.backend.dot_command as dot_command
        import autograd, nn
        import autograd.render as render
        assert render.bundled_renderer() is None, render.bundled_renderer()
        assert render._chosen is None  # nothing chosen at import
        assert dot_command.DOT_BINARY == pathlib.Path("dot"), dot_command.DOT_BINARY
        x = autograd.Value(3.0)
        y = x * x + 2 * x
        y.backward()
        assert (y.data, x.grad) == (15.0, 8.0)
        graph = autograd.draw_dot(y)
        assert "data 15.0000" in graph.source
        try:
            graph.pipe()
        except render.RendererNotFound as e:
            print("no renderer:", e)
        assert dot_command.DOT_BINARY == pathlib.Path("dot"), dot_command.DOT_BINARY
        """
    )
    base = getattr(sys, "_base_executable", sys.executable)
    done = subprocess.run(
        [base, "-I", "-S", "-c", code],
        env={"PATH": str(tmp_path)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "no renderer:" in done.stdout and "pip install graphviz-pure" in done.stdout


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


def test_render_keeps_graphviz_checks(bundled, tmp_path):
    graph = draw_dot(_example())
    with pytest.raises(ValueError, match="unknown format"):
        graph.pipe(format="nope")
    source = tmp_path / "g.gv"
    source.write_text(graph.source)
    with pytest.raises(ValueError, match="must be different"):
        render._render("dot", None, source, outfile=source)
    out = Path(render._render("dot", "svg", source))
    assert out == tmp_path / "g.gv.svg" and out.read_text().lstrip().startswith("<?xml")
    with pytest.raises(graphviz.FileExistsError):
        render._render("dot", "svg", source, raise_if_result_exists=True)
