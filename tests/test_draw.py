"""draw_dot: options, determinism, clusters, the size guard, and rendering.

Rendering: a fresh install makes pictures (graphviz-pure, no system dot), the engine needs no
renderer at all, and stepgrad leaves the graphviz package's own settings alone.
"""

from __future__ import annotations

import base64
import html
import os
import re
import site
import stat
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import graphviz
import graphviz.backend.dot_command as dot_command
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autograd.draw.render as render
from autograd import (
    Value,
    add_all,
    affine,
    backward_steps,
    draw_dot,
    forward_steps,
    record_scopes,
    scope,
)
from autograd.draw.render import RendererNotFound, StepgradDigraph, current_renderer, use_renderer
from autograd.stepping.backward_stepper import BackwardStepper


def _example():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    e = a * b
    e.label = "e"
    d = e + Value(10.0, label="c")
    d.label = "d"
    L = d * Value(-2.0, label="f")
    L.label = "L"
    return a, b, e, d, L


def _node_line(source: str, label: str) -> str:
    return next(line for line in source.splitlines() if f"{{ {label} |" in line)


# -- rendering ------------------------------------------------------------------------------


@pytest.fixture
def fake_system_dot(tmp_path, monkeypatch):
    """A `dot` on PATH (the only program there) that names itself and its arguments."""
    folder = tmp_path / "bin"
    folder.mkdir()
    dot = folder / "dot"
    dot.write_text('#!/bin/sh\nwhile read -r line; do :; done\necho "fake system dot $*"\n')
    dot.chmod(dot.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(folder))
    monkeypatch.setattr(render, "_chosen", None)  # chosen afresh, and put back after the test
    # graphviz's default, as in a user's fresh interpreter (stepgrad never sets it; other tests'
    # fixtures may have, and monkeypatch puts back whatever they left)
    monkeypatch.setattr(dot_command, "DOT_BINARY", Path("dot"))
    return dot


@pytest.fixture
def no_renderer(tmp_path, monkeypatch):
    """Neither a system dot (PATH is an empty folder) nor graphviz-pure."""
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(render, "_BUNDLED", "graphviz-pure-is-not-installed")
    monkeypatch.setattr(render, "_chosen", None)


def _product():
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    c.backward()
    return c


def test_bundled_renderer_is_installed_in_this_environment(bundled_renderer):
    assert bundled_renderer == render.bundled_renderer()
    assert bundled_renderer.name.startswith("graphviz-pure")
    assert current_renderer() == bundled_renderer


def test_the_svg_of_the_bundled_renderer_contains_the_node_text(bundled_renderer):
    *_, L = _example()
    L.backward()
    svg = html.unescape(draw_dot(L).pipe(format="svg", encoding="utf-8"))  # &#45; is -
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
    for text in ("data -8.0000", "grad 1.0000", "data 2.0000", "grad 6.0000", ">*<", ">+<"):
        assert text in svg


def test_a_step_picture_renders_with_its_labels(bundled_renderer):
    *_, L = _example()
    steps = backward_steps(L)
    next(steps)
    step = next(steps)
    svg = html.unescape(
        draw_dot(L, highlight=step, show_local=True).pipe(format="svg", encoding="utf-8")
    )
    assert "adds -2.0000" in svg and "local 1.0000" in svg and "#ffd54f" in svg
    png = draw_dot(L, highlight=step).pipe(format="png")
    assert png.startswith(b"\x89PNG")


def test_the_display_carries_a_png_beside_the_svg(bundled_renderer):
    *_, L = _example()
    bundle = draw_dot(L)._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/png"}  # the HTML carries the SVG
    assert "<svg" in draw_dot(L)._repr_mimebundle_(include=["image/svg+xml"])["image/svg+xml"]
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
    assert set(draw_dot(L)._repr_mimebundle_(include=["image/png"])) == {"image/png"}


def test_the_display_keeps_its_own_size_and_is_never_stretched(bundled_renderer):
    # JupyterLab stretched a width="100%" SVG to the output's width: text grew to any size
    *_, L = _example()
    svg = draw_dot(L)._repr_mimebundle_(include=["image/svg+xml"])["image/svg+xml"]
    tag = svg[: svg.index(">") + 1]
    width = re.search(r'width="([\d.]+)pt"', tag)
    height = re.search(r'height="([\d.]+)pt"', tag)
    assert width and height and float(width.group(1)) > 100  # its size, in the drawing's units
    assert "100%" not in tag.replace("max-width:100%", "")  # shrinks to fit, never grows


def test_jupyterlab_shows_the_svg_shrunk_to_the_output_never_cut_off(bundled_renderer):
    # JupyterLab 4 puts an image/svg+xml output in an <img> that keeps its own size: a graph
    # wider than the output was cut off at its right edge; text/html comes first there
    *_, L = _example()
    bundle = draw_dot(L)._repr_mimebundle_(include=["text/html", "image/svg+xml"])
    tag = bundle["text/html"]
    assert tag.startswith("<img ") and tag.count("<") == 1  # one image, kept by sanitizers
    src = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', tag)
    assert src and base64.b64decode(src.group(1)).decode() == bundle["image/svg+xml"]
    svg_tag = bundle["image/svg+xml"][: bundle["image/svg+xml"].index(">")]
    points = float(re.search(r'width="([\d.]+)pt"', svg_tag).group(1))
    assert f'width="{round(points * 4 / 3)}"' in tag  # its own size, in CSS pixels
    assert "max-width:100%" in tag and "height:auto" in tag  # shrinks, never grows
    assert 'alt="' in tag
    assert set(draw_dot(L)._repr_mimebundle_(exclude=["text/html"])) == {"image/png"}


@pytest.mark.parametrize("choose", [use_renderer, lambda: use_renderer(prefer_system=False)])
def test_render_with_the_default_format_writes_svg(choose, tmp_path, monkeypatch):
    """``draw_dot(y).render("gout")`` works on a fresh install (graphviz's default is pdf)."""
    monkeypatch.setattr(render, "_chosen", None)  # the choice below is put back after the test
    choose()
    monkeypatch.chdir(tmp_path)
    graph = draw_dot(_product())
    assert graph.format == "svg" and graph.copy().format == "svg"
    assert graph.render("gout") == "gout.svg"
    assert (tmp_path / "gout.svg").read_text().lstrip().startswith("<?xml")
    assert (tmp_path / "gout").read_text() == graph.source  # graphviz saves the DOT text too
    assert graph.render(outfile="out/picture.png") == os.path.join("out", "picture.png")
    assert (tmp_path / "out" / "picture.png").read_bytes().startswith(b"\x89PNG")


def test_draw_dot_returns_a_graphviz_digraph():
    graph = draw_dot(_product())
    assert isinstance(graph, StepgradDigraph) and isinstance(graph, graphviz.Digraph)


def test_the_graphviz_settings_are_untouched_by_drawing_and_rendering(bundled_renderer, tmp_path):
    before = dot_command.DOT_BINARY
    graph = draw_dot(_product())
    graph.pipe()
    graph.render(tmp_path / "g")
    assert dot_command.DOT_BINARY is before


def test_pictures_never_run_graphviz_s_own_dot_binary(bundled_renderer, tmp_path, monkeypatch):
    """stepgrad runs its own program on the DOT text; graphviz's DOT_BINARY is never used."""
    monkeypatch.setattr(dot_command, "DOT_BINARY", tmp_path / "no-such-dot")
    graph = draw_dot(_product())
    assert graph.pipe(encoding="utf-8").lstrip().startswith("<?xml")
    assert graph.pipe(format="png").startswith(b"\x89PNG")
    assert Path(graph.render(tmp_path / "g")).read_text().lstrip().startswith("<?xml")
    mine = graphviz.Digraph()  # a plain graphviz graph runs the setting: here, nothing
    with pytest.raises(graphviz.ExecutableNotFound):
        mine.pipe(format="svg")


def test_a_system_dot_is_preferred_and_plain_graphviz_graphs_keep_using_it(fake_system_dot):
    """stepgrad's graphs pick the system dot; a user's own graphviz graph runs it as before."""
    assert current_renderer() == fake_system_dot  # chosen at first use: the system dot wins
    assert draw_dot(_product()).pipe(encoding="utf-8") == "fake system dot -Kdot -Tsvg\n"
    mine = graphviz.Digraph(format="png")
    mine.edge("x", "y")
    assert mine.pipe(encoding="utf-8") == "fake system dot -Kdot -Tpng\n"
    assert use_renderer(prefer_system=False) == render.bundled_renderer()
    assert draw_dot(_product()).pipe(encoding="utf-8").lstrip().startswith("<?xml")
    assert mine.pipe(encoding="utf-8") == "fake system dot -Kdot -Tpng\n"  # still the user's


def test_without_any_renderer_the_engine_and_dot_text_work_and_pictures_say_what_to_install(
    no_renderer,
):
    c = _product()
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
        import autograd.draw.render as render
        assert render.bundled_renderer() is None, render.bundled_renderer()
        assert render._chosen is None  # nothing chosen at import
        assert dot_command.DOT_BINARY == pathlib.Path("dot"), dot_command.DOT_BINARY
        x = autograd.Value(3.0)
        y = x * x + 2 * x
        y.backward()
        assert (y.data, x.grad) == (15.0, 8.0)
        graph = autograd.draw_dot(y)
        assert "data 15.0000" in graph.source
        assert render._chosen is None  # nor at the first draw: only a picture needs one
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


def test_render_checks_its_arguments_and_reports_the_renderer_s_error(bundled_renderer, tmp_path):
    graph = draw_dot(_product())
    with pytest.raises(ValueError, match=r"render: format must be .* \(got 'nope'\)"):
        graph.pipe(format="nope")
    with pytest.raises(ValueError, match=r"render: engine must be .* \(got 'nope'\)"):
        graph.pipe(engine="nope")
    with pytest.raises(ValueError, match="must be different from the DOT file"):
        graph.render(tmp_path / "g.svg", outfile=tmp_path / "g.svg")
    broken = StepgradDigraph()
    broken.body.append("\tthis is { not DOT\n")
    with pytest.raises(graphviz.CalledProcessError) as caught:
        broken.pipe()
    assert caught.value.returncode != 0 and "syntax" in caught.value.stderr.lower()
    out = Path(graph.render(tmp_path / "g.gv", view=False, cleanup=True))
    assert out == tmp_path / "g.gv.svg" and out.read_text().lstrip().startswith("<?xml")
    assert not (tmp_path / "g.gv").exists()  # cleanup removes the DOT file


# -- the DOT text and the options -----------------------------------------------------------


def test_the_same_graph_gives_the_same_dot_text():
    assert draw_dot(_example()[-1]).source == draw_dot(_example()[-1]).source
    source = draw_dot(_example()[-1]).source
    assert "0x" not in source and re.findall(r"^\s*(v\d+) \[", source, re.M)[:3] == [
        "v0",
        "v1",
        "v2",
    ]


def test_the_dot_text_does_not_depend_on_the_hash_seed():
    program = textwrap.dedent(
        """
        from autograd import Value, affine, backward_steps, draw_dot, record_scopes, scope
        @scope("neuron")
        def neuron(ws, b, xs):
            return affine(ws, xs, b).tanh()
        xs = [Value(1.0, label="x1"), Value(-2.0, label="x2")]
        ws = [Value(0.5), Value(0.25)]
        with record_scopes() as scopes:
            out = neuron(ws, Value(0.1), xs) * neuron(ws, Value(0.2), xs)
        step = next(backward_steps(out))
        print(draw_dot(out, scopes=scopes, highlight=step, show_local=True).source)
        print(draw_dot(out, expand_fused=True).source)
        print(draw_dot(out, scopes=scopes, collapse=True).source)
        """
    )
    sources = {
        subprocess.run(
            [sys.executable, "-c", program],
            env={"PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(sources) == 1


def test_draw_dot_escapes_record_characters():
    v = Value(1.0, label="a|{b}<c>")
    assert r"a\|\{b\}\<c\>" in draw_dot(v).source


def test_precision_and_show_grad():
    *_, L = _example()
    assert "data -8.00 | grad 0.00" in draw_dot(L, precision=2).source
    hidden = draw_dot(L, show_grad=False, precision=0).source
    assert "grad" not in hidden and "{ L | data -8 }" in hidden


def test_show_local_labels_each_operand_edge_with_its_local_derivative():
    L = _example()[-1]
    source = draw_dot(L, show_local=True, precision=1).source
    edges = dict(re.findall(r"(v\d+ -> v\d+_op) \[label=\"local (-?[\d.]+)\"\]", source))
    assert sorted(edges.values()) == sorted(["-3.0", "2.0", "1.0", "1.0", "-2.0", "4.0"])
    assert "local" not in draw_dot(L).source


def test_highlighting_a_node():
    _, _, e, _, L = _example()
    assert "#ffd54f" in _node_line(draw_dot(L, highlight=e).source, "e")
    with pytest.raises(ValueError, match="highlight must be a node of the graph"):
        draw_dot(L, highlight=Value(1.0))
    with pytest.raises(TypeError, match="highlight must be a Value or a Step"):
        draw_dot(L, highlight="e")


def test_highlighting_a_step_marks_the_node_the_edges_it_used_and_the_final_gradients():
    L = _example()[-1]
    steps = list(backward_steps(L))  # exhausted: the grads are final, step 2 is d = e + c
    source = draw_dot(L, highlight=steps[1]).source
    assert "#ffd54f" in _node_line(source, "d")  # the current node
    for final in ("L", "f", "e", "c"):  # every node using them is done: green, leaves too
        assert "#dcedc8" in _node_line(source, final), final
    for waiting in ("a", "b"):
        assert "#dcedc8" not in _node_line(source, waiting)
    assert "#d32f2f" in _node_line(source, "e") and "#d32f2f" in _node_line(source, "c")
    assert source.count("adds -2.0000") == 2  # both operands of d received -2
    assert "green: gradient final" in source  # the legend
    first = draw_dot(L, highlight=steps[0]).source  # L is yellow; d and f are final
    assert "#dcedc8" in _node_line(first, "d") and "#dcedc8" in _node_line(first, "f")
    assert "#dcedc8" not in _node_line(first, "e")
    last = draw_dot(L, highlight=steps[2]).source  # e = a * b: everything but e is green
    assert (
        last.count('fillcolor="#dcedc8"') == 6 and "adds 6.0000" in last and "adds -4.0000" in last
    )
    assert "legend" not in draw_dot(L, highlight=steps[2], legend=False).source
    assert "gradient final" not in draw_dot(L, legend=False).source


def test_a_leaf_used_twice_is_final_only_after_both_uses():
    a = Value(3.0, label="a")
    b = a * 2.0
    b.label = "b"
    y = b * a
    y.label = "y"
    first, second = list(backward_steps(y))
    assert "#dcedc8" not in _node_line(draw_dot(y, highlight=first).source, "a")
    assert "#dcedc8" in _node_line(draw_dot(y, highlight=second).source, "a")


def test_format_as_in_micrograd():
    *_, L = _example()
    dot = draw_dot(L, format="svg", rankdir="LR")  # micrograd's trace_graph signature
    assert dot.format == "svg" and draw_dot(L).format == "svg"
    assert draw_dot(L, format="png").format == "png"
    with pytest.raises(ValueError, match="format must be one of"):
        draw_dot(L, format="pdf")


def test_a_step_of_another_graph_is_refused():
    *_, L = _example()
    *_, other = _example()
    step = next(backward_steps(other))
    with pytest.raises(ValueError, match="highlight must be a node of the graph"):
        draw_dot(L, highlight=step)
    d = L.parents[0]
    inner = next(backward_steps(d))
    with pytest.raises(ValueError, match="not from root"):
        draw_dot(L, highlight=inner)


def test_expand_fused_draws_a_neuron_as_products_and_a_chain_of_sums():
    w = [Value(0.5, label="w1"), Value(-1.0, label="w2")]
    x = [Value(1.0, label="x1"), Value(2.0, label="x2")]
    b = Value(0.1, label="b")
    y = affine(w, x, b)
    y.backward()
    fused = draw_dot(y).source
    assert fused.count("->") == 6 and "affine" in fused
    source = draw_dot(y, expand_fused=True, show_local=True, precision=2).source
    assert "affine" not in source
    assert source.count('[label="*"') == 2 and source.count('[label="+"') == 2
    # b + w1*x1 = 0.6, then + w2*x2 = -1.4 (y itself); products 0.5 and -2.0
    for data in ("data 0.50", "data 0.60", "data -2.00", "data -1.40"):
        assert data in source
    unlabelled = re.findall(r'label="\{ (n\d+ \| )?data [-\d.]+ \| grad 1\.00', source)
    assert len(unlabelled) == 4  # y and its three intermediate values share y's gradient
    assert "-> v3_op" not in source  # no fused op node
    step = next(backward_steps(y))
    stepped = draw_dot(y, expand_fused=True, highlight=step).source
    assert stepped.count('label="adds') == 5  # w1, x1, w2, x2 and b received


def test_expand_fused_with_constant_inputs_and_sums():
    w = [Value(2.0), Value(3.0)]
    y = affine(w, [4.0, -1.0], Value(0.5))
    source = draw_dot(y, expand_fused=True, show_local=True, precision=1).source
    assert '"* 4"' in source and '"* -1"' in source and "local 4.0" in source
    assert "data 8.5" in source and "data 5.5" in source
    s = add_all([Value(1.0), Value(2.0), Value(4.0)])
    chain = draw_dot(s, expand_fused=True).source
    assert chain.count('[label="+"') == 2 and "data 3.0000" in chain and "label=sum" not in chain
    assert "label=sum" in draw_dot(add_all([Value(1.0)]), expand_fused=True).source


def test_the_size_guard_refuses_politely_and_can_be_lifted():
    x = Value(1.0)
    y = x
    for _ in range(20):
        y = y + 1.0
    with pytest.raises(
        ValueError, match=r"21 Values to draw, more than max_nodes=10.*max_nodes=None"
    ):
        draw_dot(y, max_nodes=10)
    assert draw_dot(y, max_nodes=None).source.count("_op [") == 20
    big = x
    for _ in range(600):
        big = big * 1.0
    with pytest.raises(ValueError, match="max_nodes=500"):
        draw_dot(big)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"rankdir": "XY"}, ValueError, "rankdir must be one of"),
        ({"precision": -1}, ValueError, "precision must be an int >= 0"),
        ({"precision": True}, ValueError, "precision must be an int >= 0"),
        ({"max_nodes": 0}, ValueError, "max_nodes must be an int >= 1 or None"),
        ({"scopes": []}, TypeError, "scopes must come from record_scopes"),
    ],
)
def test_bad_options_are_named(options, error, message):
    with pytest.raises(error, match=message):
        draw_dot(Value(1.0) * 2, **options)
    with pytest.raises(TypeError, match=r"draw_dot: expected a Value, got 1\.0"):
        draw_dot(1.0)


# -- scopes ---------------------------------------------------------------------------------


class _Neuron:
    def __init__(self, k):
        self.w = [Value(0.1 * k, label=f"w{k}0"), Value(0.2, label=f"w{k}1")]
        self.b = Value(0.0, label=f"b{k}")

    @scope()
    def __call__(self, x):
        return affine(self.w, x, self.b).tanh()


class _Layer:
    def __init__(self):
        self.neurons = [_Neuron(0), _Neuron(1)]

    @scope()
    def __call__(self, x):
        return [n(x) for n in self.neurons]


def _clusters(source: str) -> dict[str, list[str]]:
    """cluster name -> the labels of the Values declared directly inside it."""
    found, stack = {}, []
    for line in source.splitlines():
        if m := re.match(r"\s*subgraph (cluster_\d+) \{", line):
            stack.append(m.group(1))
            found[m.group(1)] = []
        elif line.strip() == "}" and stack:
            stack.pop()
        elif stack and (m := re.search(r'label="\{ (\w+) \|', line)):
            found[stack[-1]].append(m.group(1))
    return found


def test_scopes_draw_nested_clusters_for_layers_and_neurons():
    layer = _Layer()
    x = [Value(1.0, label="x1"), Value(2.0, label="x2")]
    with record_scopes() as scopes:
        out = add_all(layer(x))
    out.label = "out"
    assert [(s.name, s.parent) for s in scopes.scopes] == [
        ("_Layer", None),
        ("_Neuron", 0),
        ("_Neuron", 0),
    ]
    source = draw_dot(out, scopes=scopes).source
    assert "label=_Layer" in source  # the lone outer call keeps its name; the others count
    assert 'label="_Neuron 1"' in source and 'label="_Neuron 2"' in source
    clusters = _clusters(source)
    assert clusters == {
        "cluster_0": [],
        "cluster_1": ["w00", "w01", "b0", "n5", "n6"],
        "cluster_2": ["w10", "w11", "b1", "n10", "n11"],
    }
    assert source.index("subgraph cluster_1") < source.index("subgraph cluster_2")
    owners = scopes.owners(set([out, *x]))
    assert out not in owners and x[0] not in owners  # made outside; an input
    assert "cluster" not in draw_dot(out).source


def test_a_weight_shared_by_two_calls_goes_to_the_call_around_both():
    @scope("pair")
    def pair(n, x1, x2):
        return n(x1) + n(x2)

    n = _Neuron(0)
    with record_scopes() as scopes:
        y = pair(n, [Value(1.0), Value(2.0)], [Value(3.0), Value(4.0)])
    owners = scopes.owners(set([y, *n.w]))
    assert owners[y] == 0 and owners[n.w[0]] == 0 == owners[n.w[1]]
    with record_scopes() as scopes:
        n([Value(1.0), Value(2.0)]) * n([Value(3.0), Value(4.0)])
    assert n.w[0] not in scopes.owners(set(n.w))  # two sibling calls: no common call


def test_scope_names_and_recording_rules():
    @scope
    def double(x):
        return x * 2.0

    with record_scopes() as scopes:
        double(Value(1.0))
    assert scopes.scopes[0].name == "double" and len(scopes) == 1
    double(Value(1.0))  # outside a recording: nothing is kept
    assert len(scopes) == 1

    @scope("boom")
    def boom(x):
        raise ArithmeticError("inside")

    with record_scopes() as scopes, pytest.raises(ArithmeticError):
        boom(Value(1.0))
    assert scopes.scopes[0].outputs == () and "1 calls" in repr(scopes)
    with pytest.raises(TypeError, match="scope: name must be a str or None"):
        scope(3)


def test_collapse_draws_each_neuron_as_one_box_with_its_output():
    layer = _Layer()
    x = [Value(1.0, label="x1"), Value(2.0, label="x2")]
    with record_scopes() as scopes:
        outs = layer(x)
        out = outs[0] * outs[1]
    out.label = "out"
    out.backward()
    source = draw_dot(out, scopes=scopes, collapse=True).source
    n0, n1 = outs
    assert f'"{{ _Neuron 1 | data {n0.data:.4f} | grad {n0.grad:.4f} }}"' in source
    assert f'"{{ _Neuron 2 | data {n1.data:.4f} | grad {n1.grad:.4f} }}"' in source
    assert "w00" not in source and "affine" not in source and "tanh" not in source
    assert "label=_Layer" in source and "label=_Neuron" not in source  # neurons are boxes now
    edges = re.findall(r"^\s*(\w+) -> (\w+)", source, re.M)
    # x1, x2 into each neuron box (once each, not per use), each box into out's *
    into_boxes = [("v2", "s1"), ("v3", "s1"), ("v2", "s2"), ("v3", "s2")]
    out_of_boxes = [("s1", "v12_op"), ("s2", "v12_op"), ("v12_op", "v12")]
    assert sorted(edges) == sorted([*into_boxes, *out_of_boxes])
    assert draw_dot(out, scopes=scopes, collapse=True, max_nodes=5).source  # 5 drawn Values
    with pytest.raises(ValueError, match="5 Values to draw, more than max_nodes=4"):
        draw_dot(out, scopes=scopes, collapse=True, max_nodes=4)
    hidden = draw_dot(out, scopes=scopes, collapse=True, highlight=n0, show_grad=False).source
    assert re.search(r's1 \[label="\{ _Neuron 1 \| data [-\d.]+ \}".*#ffd54f', hidden)


def test_collapse_needs_scopes():
    with pytest.raises(ValueError, match="collapse=True needs the calls to collapse"):
        draw_dot(Value(1.0) * 2, collapse=True)


def test_scopes_on_nn_modules_give_a_network_diagram():
    # nn's Neuron, Layer and MLP decorate their __call__ with @scope()
    import random

    from nn import MLP

    model = MLP(2, [3, 1], activation="tanh", rng=random.Random(0))
    with record_scopes() as scopes:
        out = model([0.5, -1.0])
    out.backward()
    assert [s.name for s in scopes.scopes] == ["MLP", "Layer", *["Neuron"] * 3, "Layer", "Neuron"]
    clusters = _clusters(draw_dot(out, scopes=scopes).source)
    assert len(clusters) == 7  # every call is a box, neurons inside layers inside the MLP
    diagram = draw_dot(out, scopes=scopes, collapse=True).source
    assert "affine" not in diagram
    for name in ("Layer 1, Neuron 1", "Layer 1, Neuron 3", "Layer 2, Neuron 1"):
        assert f"{{ {name} |" in diagram
    assert 'label="Layer 2"' in diagram and "label=MLP" in diagram
    assert len(re.findall(r"^\s*s\d+ -> s\d+", diagram, re.M)) == 3  # hidden neurons -> output


def test_a_notebook_shows_a_network_as_a_collapsed_diagram():
    """Notebook 03 draws its trained MLP collapsed (the demo writes one too: test_nn_demo)."""
    import json

    notebook = Path(__file__).parent.parent / "notebooks" / "03_training_an_mlp.ipynb"
    cells = json.loads(notebook.read_text())["cells"]
    diagrams = [
        cell
        for cell in cells
        if cell["cell_type"] == "code"
        and re.search(r"draw_dot\(.*scopes=scopes, collapse=True", "".join(cell["source"]))
    ]
    assert diagrams, "no cell of notebook 03 draws a collapsed network diagram"
    outputs = [o.get("data", {}) for cell in diagrams for o in cell["outputs"]]
    assert any("image/png" in data for data in outputs)  # stored: shows on GitHub too


@pytest.mark.parametrize(
    "notebook",
    sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb")),
    ids=lambda p: p.name,
)
def test_every_stored_picture_shows_in_an_untrusted_notebook(notebook):
    # JupyterLab shows no image/svg+xml of a notebook it does not trust: notebook 07 showed
    # "<autograd.render.StepgradDigraph at 0x...>" in place of every graph
    import json

    for cell in json.loads(notebook.read_text())["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            shows = "image/svg+xml" in data or "Digraph" in "".join(data.get("text/plain", ""))
            if shows:  # a picture: HTML or a PNG shows where SVG does not
                assert {"image/png", "text/html"} & set(data), "".join(cell["source"])[:80]


def test_compact_pictures_stack_the_numbers_and_show_what_each_operand_gets():
    a = Value(3.0, label="a")
    y = a + a  # one node used twice: two red edges, two additions in a's box
    y.label = "y"
    (step,) = backward_steps(y)
    source = draw_dot(y, highlight=step, compact=True, precision=1).source
    assert '"{ a | { data 3.0 | grad 2.0 | adds 1.0 + 1.0 } }"' in source
    assert source.count('-> v1_op [color="#d32f2f"') == 2 and 'label="adds' not in source
    assert "ranksep" in source and "ranksep" not in draw_dot(y).source
    wide = draw_dot(y, highlight=step, precision=1).source  # not compact: on the edges
    assert wide.count('label="adds 1.0"') == 2


# -- tangents -------------------------------------------------------------------------------


def test_tangents_show_after_the_data_of_the_nodes_in_the_mapping_only():
    a, _, e, d, L = _example()
    L.backward()
    # forward mode along a: da/da = 1, de/da = b = -3, dd/da = -3, dL/da = -2 * -3 = 6
    tangents = {a: 1.0, e: -3.0, d: -3.0, L: 6.0}
    source = draw_dot(L, tangents=tangents).source
    assert "{ a | data 2.0000 | tangent 1.0000 | grad 6.0000 }" in _node_line(source, "a")
    assert "{ L | data -8.0000 | tangent 6.0000 | grad 1.0000 }" in _node_line(source, "L")
    assert "tangent" not in _node_line(source, "b")  # b is not in the mapping
    assert source.count("tangent") == 4
    small = draw_dot(L, tangents={e: -3}, precision=1, show_grad=False).source
    assert '"{ e | data -6.0 | tangent -3.0 }"' in small
    compact = draw_dot(L, tangents={a: 1.0}, compact=True, precision=1).source
    assert '"{ a | { data 2.0 | tangent 1.0 | grad 6.0 } }"' in compact
    without = draw_dot(L).source
    assert "tangent" not in without and draw_dot(L, tangents={}).source == without


def test_a_tangent_of_a_node_outside_the_graph_is_not_drawn():
    *_, L = _example()
    assert "tangent" not in draw_dot(L, tangents={Value(1.0): 1.0}).source


@pytest.mark.parametrize(
    ("tangents", "message"),
    [
        ([1.0], "tangents must be a mapping from Values to numbers"),
        ({"a": 1.0}, "tangents keys must be Values"),
        ({Value(1.0): "1"}, r"the tangent of Value\(.*\) must be a number \(got str\)"),
        ({Value(1.0): True}, r"the tangent of Value\(.*\) must be a number \(got bool\)"),
    ],
)
def test_bad_tangents_are_named(tangents, message):
    with pytest.raises(TypeError, match=f"draw_dot: {message}"):
        draw_dot(Value(1.0) * 2, tangents=tangents)


# -- the DOT text, pinned ---------------------------------------------------------------
# Written by draw_dot as it was before it was split into _draw_nodes, _draw_highlight and
# _draw_clusters (main at 4818a68): the pieces must keep every picture exactly as it was.

_LEGEND = (  # the legend of a step picture, as one graph attribute line
    'fontsize=10 label=<<table border="0" cellspacing="4"><tr>'
    '<td bgcolor="#ffd54f" width="12" height="10"></td>'
    '<td align="left">yellow: the node of this step</td>'
    '<td bgcolor="#d32f2f" width="12" height="10"></td>'
    '<td align="left">red: each operand and what this step adds to it</td>'
    '<td bgcolor="#dcedc8" width="12" height="10"></td>'
    '<td align="left">green: gradient final</td></tr></table>> labeljust=l labelloc=b'
)


class _Unit:  # a neuron whose weights say which unit they belong to
    def __init__(self, k):
        self.w = [Value(0.5 * k, label=f"w{k}a"), Value(-0.25, label=f"w{k}b")]
        self.b = Value(0.1, label=f"b{k}")

    @scope("Neuron")
    def __call__(self, x):
        return affine(self.w, x, self.b).tanh()


class _Pair:
    def __init__(self):
        self.units = [_Unit(1), _Unit(2)]

    @scope("Layer")
    def __call__(self, x):
        return [u(x) for u in self.units]


def _step_with_local_derivatives():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    e = a * b
    e.label = "e"
    d = e + 1.0
    d.label = "d"
    L = (2.0**d) * a
    L.label = "L|{x}"
    steps = list(backward_steps(L))
    return draw_dot(L, highlight=steps[1], show_local=True, precision=2).source


def _collapsed_compact_step():
    x = [Value(1.0, label="x1"), Value(2.0, label="x2")]
    with record_scopes() as scopes:
        h = _Pair()(x)
        out = h[0] * h[1]
    out.label = "out"
    step = next(backward_steps(out))
    return draw_dot(
        out, scopes=scopes, collapse=True, compact=True, highlight=step, precision=1
    ).source


def _expanded_neuron_in_its_box():
    x = [Value(1.0, label="x1"), Value(2.0, label="x2")]
    with record_scopes() as scopes:
        out = _Unit(1)(x) * 3.0
    return draw_dot(
        out, scopes=scopes, expand_fused=True, show_grad=False, rankdir="TB", precision=1
    ).source


def _call_with_two_outputs():
    @scope("block")
    def block(x):
        return [x * 2.0, x + 1.0]

    x = Value(1.5, label="x")
    with record_scopes() as scopes:
        p, q = block(x)
        out = add_all([p, q, x])
    out.backward()
    return draw_dot(out, scopes=scopes, collapse=True, precision=1, legend=True).source


# each DOT line as graphviz writes it, some longer than 100 characters (hence the noqa: E501)
_PINNED = {
    _step_with_local_derivatives: r"""
digraph {
    graph [rankdir=LR]
    node [fontsize=11]
    edge [fontsize=10]
    LEGEND
    v0 [label="{ a | data 2.00 | grad -0.10 }" shape=record]
    v1 [label="{ b | data -3.00 | grad 0.09 }" shape=record]
    v2 [label="{ e | data -6.00 | grad 0.04 }" shape=record]
    v2_op [label="*" shape=oval]
    v3 [label="{ d | data -5.00 | grad 0.04 }" color="#d32f2f" fillcolor="#dcedc8" penwidth=2 shape=record style=filled]
    v3_op [label="+ 1" shape=oval]
    v4 [label="{ n4 | data 0.03 | grad 2.00 }" fillcolor="#ffd54f" penwidth=2 shape=record style=filled]
    v4_op [label="2 **" shape=oval]
    v5 [label="{ L\|\{x\} | data 0.06 | grad 1.00 }" fillcolor="#dcedc8" shape=record style=filled]
    v5_op [label="*" shape=oval]
    v0 -> v2_op [label="local -3.00"]
    v1 -> v2_op [label="local 2.00"]
    v2_op -> v2
    v2 -> v3_op [label="local 1.00"]
    v3_op -> v3
    v3 -> v4_op [label="local 0.02
adds 0.04" color="#d32f2f" fontcolor="#d32f2f" penwidth=2]
    v4_op -> v4
    v4 -> v5_op [label="local 2.00"]
    v0 -> v5_op [label="local 0.03"]
    v5_op -> v5
}
""",  # noqa: E501
    _collapsed_compact_step: r"""
digraph {
    graph [nodesep=0.15 rankdir=LR ranksep=1.2]
    node [fontsize=11]
    edge [fontsize=10]
    LEGEND
    v2 [label="{ x1 | { data 1.0 | grad 0.0 } }" shape=record]
    v3 [label="{ x2 | { data 2.0 | grad 0.0 } }" shape=record]
    v12 [label="{ out | { data 0.1 | grad 1.0 } }" fillcolor="#ffd54f" penwidth=2 shape=record style=filled]
    v12_op [label="*" height=0.3 margin=0.02 shape=oval width=0.3]
    subgraph cluster_0 {
        graph [color="#9e9e9e" label=Layer style=rounded]
        s1 [label="{ Neuron 1 | { data 0.1 | grad 0.5 | adds 0.5 } }" color="#d32f2f" penwidth=2 shape=record]
        s2 [label="{ Neuron 2 | { data 0.5 | grad 0.1 | adds 0.1 } }" color="#d32f2f" penwidth=2 shape=record]
    }
    v2 -> s1 [arrowsize=0.5 color="#78909c" penwidth=0.6]
    v3 -> s1 [arrowsize=0.5 color="#78909c" penwidth=0.6]
    v2 -> s2 [arrowsize=0.5 color="#78909c" penwidth=0.6]
    v3 -> s2 [arrowsize=0.5 color="#78909c" penwidth=0.6]
    s1 -> v12_op [color="#d32f2f" fontcolor="#d32f2f" penwidth=2]
    s2 -> v12_op [color="#d32f2f" fontcolor="#d32f2f" penwidth=2]
    v12_op -> v12
}
""",  # noqa: E501
    _expanded_neuron_in_its_box: r"""
digraph {
    graph [rankdir=TB]
    node [fontsize=11]
    edge [fontsize=10]
    v2 [label="{ x1 | data 1.0 }" shape=record]
    v3 [label="{ x2 | data 2.0 }" shape=record]
    v7 [label="{ n7 | data 0.3 }" shape=record]
    v7_op [label="* 3" shape=oval]
    subgraph cluster_0 {
        graph [color="#9e9e9e" label=Neuron style=rounded]
        v0 [label="{ w1a | data 0.5 }" shape=record]
        v1 [label="{ w1b | data -0.2 }" shape=record]
        v4 [label="{ b1 | data 0.1 }" shape=record]
        v5 [label="{ n5 | data 0.1 }" shape=record]
        v5_prod0 [label="{ data 0.5 }" shape=record]
        v5_prod1 [label="{ data -0.5 }" shape=record]
        v5_sum1 [label="{ data 0.6 }" shape=record]
        v5_mul0 [label="*" shape=oval]
        v5_mul1 [label="*" shape=oval]
        v5_add1 [label="+" shape=oval]
        v5_add2 [label="+" shape=oval]
        v6 [label="{ n6 | data 0.1 }" shape=record]
        v6_op [label=tanh shape=oval]
    }
    v0 -> v5_mul0
    v2 -> v5_mul0
    v5_mul0 -> v5_prod0
    v1 -> v5_mul1
    v3 -> v5_mul1
    v5_mul1 -> v5_prod1
    v4 -> v5_add1
    v5_prod0 -> v5_add1
    v5_add1 -> v5_sum1
    v5_sum1 -> v5_add2
    v5_prod1 -> v5_add2
    v5_add2 -> v5
    v5 -> v6_op
    v6_op -> v6
    v6 -> v7_op
    v7_op -> v7
}
""",
    _call_with_two_outputs: r"""
digraph {
    graph [rankdir=LR ranksep=1.2]
    node [fontsize=11]
    edge [fontsize=10]
    LEGEND
    s0 [label="{ block | 2 outputs }" shape=record]
    v0 [label="{ x | data 1.5 | grad 4.0 }" shape=record]
    v3 [label="{ n3 | data 7.0 | grad 1.0 }" shape=record]
    v3_op [label=sum shape=oval]
    v0 -> s0 [arrowsize=0.5 color="#78909c" penwidth=0.6]
    s0 -> v3_op [arrowsize=0.5 color="#78909c" penwidth=0.6]
    v0 -> v3_op
    v3_op -> v3
}
""",
}


@pytest.mark.parametrize("picture", list(_PINNED), ids=lambda f: f.__name__.strip("_"))
def test_the_dot_text_is_as_before_the_split(picture):
    expected = _PINNED[picture].lstrip("\n").replace("LEGEND", _LEGEND)
    assert picture().replace("\t", "    ") == expected


# ----------------------------------------------------------------------------------------------
# labels and scope names of any text: drawn as text, never as HTML, never a crash

_LINK = '<<table><tr><td href="javascript:alert(1)">click me</td></tr></table>>'
_BAD_TEXTS = ["a\x00b", "\x1b[31mred\x1b[0m", "s\udc80", "tab\there", "line\nnext", "\ufffe", "x\\"]


def _svg_tree(graph) -> ET.Element:
    """The rendered SVG, parsed: it must be UTF-8 and well-formed XML."""
    svg = graph.pipe(format="svg")  # bytes, as the renderer wrote them
    return ET.fromstring(svg.decode("utf-8"))


def _hrefs(tree: ET.Element) -> list[str]:
    return [v for e in tree.iter() for k, v in e.attrib.items() if k.endswith("href")]


def _scoped(name: str, label: str = "x") -> tuple[Value, object]:
    double = scope(name)(lambda x: x * 2.0)
    with record_scopes() as scopes:
        y = double(Value(1.0, label=label)).tanh()
    return y, scopes


@pytest.mark.parametrize("collapse", [False, True])
def test_a_scope_name_is_drawn_as_text_never_as_an_html_label_or_link(bundled_renderer, collapse):
    y, scopes = _scoped(_LINK)
    graph = draw_dot(y, scopes=scopes, collapse=collapse)
    assert "label=<" not in graph.source  # no HTML-like label in the DOT text
    tree = _svg_tree(graph)
    assert _hrefs(tree) == []
    texts = "".join(tree.itertext())
    assert 'href="javascript:alert(1)"' in texts  # the name itself, shown as it was written


def test_a_scope_name_ending_in_a_backslash_draws(bundled_renderer):
    y, scopes = _scoped("ends in \\")
    assert "ends in \\" in "".join(_svg_tree(draw_dot(y, scopes=scopes)).itertext())


def test_a_lambda_scope_is_named_after_where_it_was_written():
    y, scopes = _scoped(None)  # type: ignore[arg-type]
    (call,) = scopes.scopes
    assert call.name.startswith("lambda in _scoped, line ")
    assert f'label="{call.name}"' in draw_dot(y, scopes=scopes).source


@pytest.mark.parametrize("text", _BAD_TEXTS)
def test_control_characters_and_surrogates_draw_as_escapes(bundled_renderer, text):
    y, scopes = _scoped(text, label=text)
    y.label = text
    drawn = "".join(_svg_tree(draw_dot(y, scopes=scopes)).itertext())
    # \x00, \x1b, \udc80, \t, \n as Python writes them; a backslash as it is
    shown = text if text.isprintable() else ascii(text)[1:-1]
    assert shown in drawn


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(label=st.text(), name=st.text(min_size=1))
def test_any_label_and_scope_name_renders_to_valid_svg(bundled_renderer, label, name):
    y, scopes = _scoped(name, label=label)
    y.label = label
    for collapse in (False, True):
        graph = draw_dot(y, scopes=scopes, collapse=collapse)
        assert _hrefs(_svg_tree(graph)) == []


# -- issue 20: pictures read as the step texts do -----------------------------------------------


def test_a_picture_never_shows_a_negative_zero_nor_plus_a_negative_constant():
    y = Value(0.6, label="y")
    e = y - 0.01
    e.label = "e"
    tiny = Value(-0.00001, label="tiny")
    root = e * tiny
    root.label = "r"
    root.backward()
    body = "\n".join(draw_dot(root, precision=4).body)
    assert "-0.0000" not in body and "data 0.0000" in body
    assert "+ -0.01" not in body and "- 0.01" in body
    (first, second) = forward_steps(root)
    assert first.formula() == "e = y - 0.01 = 0.6000 - 0.01 = 0.5900"
    assert "-0.0000" not in second.formula()
    assert all("-0.0000" not in s.explain() for s in backward_steps(root))


# -- a renderer function instead of a program (Pyodide in the browser) ----------------------


@pytest.fixture
def renderer_function(monkeypatch):
    """A Python renderer function that records its calls; no program may run meanwhile."""
    calls = []

    def function(source, *, format, engine, neato_no_op):
        calls.append((source, format, engine, neato_no_op))
        return f'<svg xmlns="http://www.w3.org/2000/svg"><text>{engine}</text></svg>'

    def no_subprocess(*args, **kwargs):
        raise AssertionError(f"a program ran although a renderer function is set: {args}")

    monkeypatch.setattr(render.subprocess, "run", no_subprocess)
    monkeypatch.setattr(render, "_function", None)  # put back after the test
    render.set_renderer(function, formats=["svg", "json"])
    return calls


def test_a_renderer_function_makes_the_pictures_without_a_subprocess(renderer_function):
    *_, L = _example()
    graph = draw_dot(L)
    assert graph.pipe(encoding="utf-8") == (
        '<svg xmlns="http://www.w3.org/2000/svg"><text>dot</text></svg>'
    )
    assert renderer_function == [(graph.source, "svg", "dot", None)]
    assert render.current_renderer_function() is not None


def test_a_python_function_around_graphviz_pure_draws_a_whole_stepper(
    bundled_renderer, monkeypatch
):
    """The hook on the desktop: a Python function runs the renderer; the stepper's page works."""
    calls, run = [], subprocess.run

    def function(source, *, format, engine, neato_no_op):
        calls.append((format, engine, neato_no_op))
        cmd = [str(bundled_renderer), f"-K{engine}", f"-T{format}"]
        cmd += [f"-n{neato_no_op}"] if neato_no_op else []
        return run(cmd, input=source.encode(), capture_output=True, check=True).stdout

    monkeypatch.setattr(render, "_function", None)
    render.set_renderer(function)
    monkeypatch.setattr(render.subprocess, "run", None)  # stepgrad itself runs nothing
    x = Value(0.5, label="x")
    y = x.tanh()
    y.label = "y"
    page = BackwardStepper(y)._repr_html_()
    assert ("json", "dot", None) in calls and ("svg", "neato", 2) in calls
    assert ("png", "neato", 2) in calls and 'class="stepgrad-stepper"' in page
    assert html.unescape(page).count("grad 1.0000") >= 1


def test_a_renderer_without_png_gives_a_stepper_page_without_the_png_fallback(
    bundled_renderer, monkeypatch
):
    """The browser's renderer makes SVG (and the layout's JSON) only: the page still works."""
    run = subprocess.run

    def function(source, *, format, engine, neato_no_op):
        cmd = [str(bundled_renderer), f"-K{engine}", f"-T{format}"]
        cmd += [f"-n{neato_no_op}"] if neato_no_op else []
        return run(cmd, input=source.encode(), capture_output=True, check=True).stdout

    monkeypatch.setattr(render, "_function", None)
    render.set_renderer(function, formats=["svg", "json"])
    x = Value(0.5, label="x")
    y = x.tanh()
    y.label = "y"
    page = BackwardStepper(y)._repr_html_()
    assert 'class="stepgrad-stepper"' in page and "data:image/png" not in page


def test_without_png_the_display_carries_the_svg_alone(renderer_function):
    *_, L = _example()
    bundle = draw_dot(L)._repr_mimebundle_()
    assert set(bundle) == {"text/html"} and "data:image/svg+xml" in bundle["text/html"]
    with pytest.raises(render.RendererFormatError, match=r"one of \['json', 'svg'\].*'png'"):
        draw_dot(L).pipe(format="png")


def test_a_renderer_function_may_return_bytes_and_is_checked(renderer_function):
    render.set_renderer(lambda source, **_: b"<svg/>")
    assert render.run_renderer("digraph { a }", format="png") == b"<svg/>"  # formats: all
    render.set_renderer(lambda source, **_: 42)
    with pytest.raises(TypeError, match=r"must return str or bytes \(got int\)"):
        render.run_renderer("digraph { a }")
    with pytest.raises(TypeError, match=r"must be callable or None \(got str\)"):
        render.set_renderer("dot")
    with pytest.raises(TypeError, match=r"formats must be a list of formats \(got 'svg'\)"):
        render.set_renderer(lambda source, **_: "", formats="svg")
    with pytest.raises(ValueError, match=r"engine must be one of .*\(got 'nope'\)"):
        render.run_renderer("digraph { a }", engine="nope")


def test_set_renderer_none_goes_back_to_the_program(bundled_renderer, renderer_function):
    render.set_renderer(None)
    assert render.current_renderer_function() is None
    assert draw_dot(_product()).pipe.__self__ is not None


def test_under_pyodide_the_page_s_javascript_function_is_chosen(monkeypatch):
    import sys
    import types

    monkeypatch.setattr(render, "_function", None)
    monkeypatch.setattr(sys, "platform", "emscripten")
    seen = []
    js = types.ModuleType("js")
    js.stepgradRenderDot = lambda *args: seen.append(args) or "<svg>wasm</svg>"
    monkeypatch.setitem(sys.modules, "js", js)
    assert render.current_renderer_function() is render.browser_renderer
    assert render.run_renderer("digraph { a }", engine="neato", neato_no_op=2) == b"<svg>wasm</svg>"
    assert seen == [("digraph { a }", "svg", "neato", 2)]
    assert set(draw_dot(_product())._repr_mimebundle_()) == {"text/html"}  # the SVG, no PNG
    del js.stepgradRenderDot
    with pytest.raises(RendererNotFound, match="stepgradRenderDot"):
        render.run_renderer("digraph { a }")
