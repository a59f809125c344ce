"""BackwardStepper: one forward pass (a snapshot), positions, pictures that hold still, widget."""

from __future__ import annotations

import html
import re
import sys
from itertools import islice

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import (
    StaleGraphError,
    Value,
    backward_steps,
    record_scopes,
    scope,
    topological_order,
)
from autograd.stepping.backward_stepper import BackwardStepper
from tests.strategies import build, programs
from tests.svg_groups import SVG, groups


def _grads(root):
    return [v.grad for v in topological_order(root)]


def _stepper_grads(stepper, root):
    return [stepper.grad_of(v) for v in topological_order(root)]


def _example():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    L = (c + a).tanh()
    L.label = "L"
    return a, b, c, L


@given(programs(), st.data())
def test_position_k_holds_the_grads_of_k_steps_from_zero(recipe, data):
    _, root = build(recipe)
    _, twin = build(recipe)
    stepper = BackwardStepper(root, max_nodes=None)
    k = data.draw(st.integers(0, stepper.total))
    j = data.draw(st.integers(0, stepper.total))
    stepper.goto(j).goto(k)  # wherever it was before
    taken = list(islice(backward_steps(twin), k))
    assert _stepper_grads(stepper, root) == _grads(twin)
    assert stepper.position == k
    assert (stepper.step is None) == (k == 0)
    if k:
        assert stepper.step.index == k and stepper.step.added == taken[-1].added


@given(programs())
def test_the_last_position_is_backward_bit_for_bit_and_the_graph_is_left_alone(recipe):
    _, root = build(recipe)
    _, twin = build(recipe)
    before = _grads(root)
    stepper = BackwardStepper(root, max_nodes=None)
    stepper.goto(stepper.total)
    twin.backward()
    assert _stepper_grads(stepper, root) == _grads(twin)
    assert _grads(root) == before


def test_position_0_is_before_backward_whatever_the_graph_holds():
    # issue 10.2: grads left by an earlier backward() showed at step 0 (e: -2 -> 0 -> -2)
    *_, L = _example()
    L.backward()
    live = _grads(L)
    stepper = BackwardStepper(L)
    assert all(g == 0.0 for g in _stepper_grads(stepper, L))
    assert "grad 0.0000" in stepper[0].source and "grad 1.0000" not in stepper[0].source
    for k in range(len(stepper)):
        stepper.goto(k)
    assert _grads(L) == live  # moving never touched the live .grad fields


def test_a_stepper_keeps_showing_the_forward_pass_it_was_made_from():
    # issue 10.1: after training, the stepper mixed trained weights with old activations
    a, b, _c, L = _example()
    stepper = BackwardStepper(L, precision=4)
    before = [f.source for f in stepper.frames()]
    texts = stepper.texts()
    a.data, b.data = 5.0, 7.0  # an optimizer step
    a.grad = 123.0
    assert [f.source for f in stepper.frames()] == before
    fresh = BackwardStepper((a * b + a).tanh())  # a new forward pass on the new data
    assert fresh.total == 3 and "data 5.0000" in fresh[0].source
    stepper.goto(stepper.total)
    assert stepper.texts() == texts and "data 2.0000" in stepper[-1].source
    assert stepper.grad_of(a) == pytest.approx((1 - L.data**2) * (-3.0 + 1.0))
    assert a.grad == 123.0
    with pytest.raises(StaleGraphError, match="recompute the forward pass"):
        BackwardStepper(L)  # the old graph with the new weights no longer fits together


def test_next_previous_and_iteration_stop_at_the_ends():
    *_, L = _example()
    stepper = BackwardStepper(L)
    assert stepper.total == 3 and len(stepper) == 4
    assert stepper.previous().position == 0
    for expected in (1, 2, 3, 3):
        assert stepper.next().position == expected
    assert repr(stepper) == "<BackwardStepper at step 3 of 3>"
    with pytest.raises(ValueError, match=r"position must be an int in 0\.\.3 \(got 4\)"):
        stepper.goto(4)
    with pytest.raises(ValueError, match="position must be an int"):
        stepper.goto(True)
    assert stepper.position == 3
    pictures = list(stepper)  # issue 9: crashed at the end (no IndexError past the end)
    assert len(pictures) == 4 and stepper.position == 3
    with pytest.raises(IndexError, match=r"index must be in -4\.\.3 \(got 4\)"):
        stepper[4]
    assert stepper[-4].source == pictures[0].source


def test_describe_says_what_the_step_did():
    _a, _b, c, L = _example()
    stepper = BackwardStepper(L, precision=2)
    assert stepper.describe().startswith("step 0 of 3: before backward, every gradient is 0")
    text = stepper.goto(3).describe()
    assert text.splitlines()[0] == f"step 3: c = a * b received grad {stepper.grad_of(c):.2f}"
    assert text.endswith("(3 of 3 steps done)")


def test_frames_are_the_pictures_of_every_position_and_leave_the_position_alone():
    a, _b, _c, L = _example()
    stepper = BackwardStepper(L, show_local=True)
    stepper.goto(2)
    grad_a = stepper.grad_of(a)
    frames = stepper.frames()
    assert stepper.position == 2 and stepper.grad_of(a) == grad_a
    assert len(frames) == 4 and "#ffd54f" not in frames[0].source
    for frame in frames[1:]:
        assert frame.source.count("#ffd54f") == 1
        assert 'label="local' in frame.source and "adds" in frame.source
    last = frames[-1].source  # everything is final but the node of the last step
    assert last.count('fillcolor="#dcedc8"') == len(topological_order(L)) - 1
    assert "grad 0.0000" in frames[0].source and f"grad {grad_a:.4f}" in frames[2].source
    with pytest.raises(TypeError, match="index must be an int"):
        stepper["1"]


def _node_boxes(svg: str) -> dict[str, str]:
    """node name -> the points of its outline in an SVG from graphviz."""
    found = re.findall(
        r'<title>(\w+)</title>\s*<(?:polygon|ellipse)[^>]*?(?:points|cx)="([^"]*)', svg
    )
    return dict(found)


def _big_example():
    xs = [Value(0.5 * i - 1.0, label=f"x{i}") for i in range(4)]
    h = [(xs[i] * xs[(i + 1) % 4] + xs[i]).tanh() for i in range(4)]
    out = (h[0] - h[1]) * (h[2] + h[3]) + h[0] * 1e-3
    out.label = "out"
    return out


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_nodes_do_not_move_between_positions(rankdir):
    stepper = BackwardStepper(_big_example(), show_local=True, rankdir=rankdir)
    boxes = [_node_boxes(stepper.svg(k)) for k in range(len(stepper))]
    assert len(boxes[0]) > 20
    assert all(b == boxes[0] for b in boxes[1:])
    sizes = {re.search(r'viewBox="([^"]*)"', stepper.svg(k)).group(1) for k in range(len(stepper))}
    assert len(sizes) == 1


@settings(max_examples=8)
@given(programs(max_ops=8), st.booleans())
def test_no_graph_makes_its_nodes_move(recipe, show_local):
    _, root = build(recipe)
    stepper = BackwardStepper(root, max_nodes=None, show_local=show_local)
    boxes = [_node_boxes(stepper.svg(k)) for k in range(len(stepper))]
    assert all(b == boxes[0] for b in boxes[1:])


def test_a_stepper_of_a_network_keeps_its_scopes_on_the_copy():
    import random

    from nn import MLP

    model = MLP(2, [3, 1], activation="tanh", rng=random.Random(0))
    with record_scopes() as scopes:
        out = model([0.5, -1.0])
    stepper = BackwardStepper(out, scopes=scopes, collapse=True)
    first = stepper[1].source
    assert "Layer 2, Neuron 1" in first and "#ffd54f" in first  # the box of the current step
    assert "Layer 1, Neuron 2" in stepper[-1].source
    texts = stepper.texts()  # a box's output is called by the box in the text too
    assert texts[1].startswith(
        "step 1: [Layer 2, Neuron 1] = n0·[Layer 1, Neuron 1] + n1·[Layer 1, Neuron 2] + "
    )
    assert any("to [Layer 1, Neuron 3]:" in text for text in texts)


def test_the_stepper_renders_svg_without_a_system_dot(bundled_renderer):
    *_, L = _example()
    svg = html.unescape(BackwardStepper(L).next()._repr_svg_())
    assert "<svg" in svg and "grad 1.0000" in svg and "#ffd54f" in svg


def test_a_leaf_root_has_one_position():
    stepper = BackwardStepper(Value(2.0, label="x"))
    assert (stepper.total, len(stepper), len(stepper.frames())) == (0, 1, 1)
    assert "root is a leaf" in stepper.describe() and "x" in stepper[0].source
    assert 'data-total="0"' in stepper._repr_html_()


def test_bad_arguments():
    with pytest.raises(TypeError, match="BackwardStepper: expected a Value"):
        BackwardStepper([Value(1.0)])
    with pytest.raises(ValueError, match="highlight is set by the stepper"):
        BackwardStepper(Value(1.0) * 2, highlight=None)
    with pytest.raises(ValueError, match="precision must be an int"):
        BackwardStepper(Value(1.0) * 2, precision=-2)
    with pytest.raises(ValueError, match="grad_of: node must be a node of the stepper's graph"):
        BackwardStepper(Value(1.0) * 2).grad_of(Value(1.0))


def test_the_widget_moves_the_stepper_not_the_graph():
    pytest.importorskip("ipywidgets")
    _a, b, _c, L = _example()
    stepper = BackwardStepper(L)
    panel = stepper.widget()
    back, slider, forward = panel.children[0].children
    words, legend, picture = panel.children[1:]
    assert slider.max == 3 and "before backward" in words.value and "<svg" in picture.value
    assert "gradient final" in legend.value
    forward.click()
    forward.click()
    assert stepper.position == 2 and slider.value == 2 and "step 2:" in words.value
    slider.value = 3
    assert stepper.position == 3 and stepper.grad_of(b) != 0.0 and b.grad == 0.0
    forward.click()
    assert stepper.position == 3
    back.click()
    assert stepper.position == 2 and stepper.grad_of(b) == 0.0


def test_the_widget_writes_each_position_into_one_picture_as_a_render_draws_it():
    pytest.importorskip("ipywidgets")
    *_, L = _example()
    stepper = BackwardStepper(L)
    for k in range(len(stepper)):
        picture = stepper.goto(k).widget().children[-1].value  # the panel shows position k
        shown = drawn(picture)
        for key, texts in drawn(stepper.svg(k)).items():  # what a render of k draws
            assert [t for t in shown[key] if t] == texts, (k, key)
        assert ('class="node sg-current"' in picture) == (k > 0)


def test_without_ipywidgets_the_widget_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # makes `import ipywidgets` fail
    stepper = BackwardStepper(_example()[-1])
    with pytest.raises(ImportError, match=r"pip install 'stepgrad\[widgets\]'"):
        stepper.widget()
    assert "<svg" in stepper._repr_svg_()  # pictures still work


def page_data(page: str) -> dict:
    """The JSON a stepper's page carries: the one picture and each position's changes."""
    import json

    data = re.search(r'<script type="application/json" class="sg-data">(.*?)</script>', page, re.S)
    return json.loads(data.group(1).replace("<\\/", "</"))


def replay(data: dict, k: int) -> dict[str, tuple[list[str], str]]:
    """What the page's script shows at position ``k``: each entry's texts and class."""
    looks = [look for look, _ in data["start"]]
    texts = [words for _, words in data["start"]]
    for changes in data["steps"][:k]:
        for i, look, words in changes:
            looks[i] = look
            texts[i] = words or texts[i]
    return {
        key: (texts[i], data["looks"][looks[i]][4])
        for i, key in enumerate(data["keys"])
        if key != "#graph"
    }


def drawn(svg: str) -> dict[str, list[str]]:
    """The texts graphviz drew for each node and edge of an SVG, keyed as the page keys them."""
    return {key: [t.text or "" for t in g.iter(f"{SVG}text")] for key, g in groups(svg).items()}


@pytest.mark.slow
@settings(max_examples=10)
@given(programs(max_ops=6))
def test_the_page_holds_every_position_and_nothing_from_outside(recipe):
    _, root = build(recipe)
    stepper = BackwardStepper(root, max_nodes=None)
    page = stepper._repr_html_()
    data = page_data(page)
    assert data["texts"] == stepper.texts()
    assert data["svg"].startswith("<svg") and data["svg"].count("</svg>") == 1  # one picture
    for k in {0, stepper.total // 2, stepper.total}:  # the script shows what a render draws
        shown = replay(data, k)
        for key, texts in drawn(stepper.svg(k)).items():
            if key in shown:
                assert shown[key][0] == [t for t in texts if t], (k, key)
    assert html.escape(stepper.texts()[0]) in page  # the static fallback: text and a PNG
    assert 'src="data:image/png;base64,' in page
    for outside in ('src="http', "href=", "<link", "@import", "url("):
        assert outside not in page


@pytest.mark.slow
def test_the_page_of_micrograds_demo_network_stays_small():
    # MLP(2, [16, 16, 1]) on one example: every position's full SVG made a 48 MB page
    import random as stdlib_random

    from nn import MLP

    model = MLP(2, [16, 16, 1], rng=stdlib_random.Random(0))
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    stepper = BackwardStepper(loss, max_nodes=None)
    page = stepper._repr_html_()
    assert len(page.encode()) < 5_000_000
    data = page_data(page)
    assert data["svg"].count("<svg") == 1 and len(data["texts"]) == len(stepper) > 60


def test_save_html_writes_a_whole_page(tmp_path):
    stepper = BackwardStepper(_example()[-1]).goto(2)
    path = stepper.save_html(tmp_path / "steps.html")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and 'data-start="2"' in text and "data-page" in text
    fragment = stepper._repr_html_()  # the notebook's output: the same, keys on the stepper
    assert fragment.replace('data-total="3"', 'data-total="3" data-page') in text
    with pytest.raises(ValueError, match=r"save_html: path must end in \.html"):
        stepper.save_html(tmp_path / "steps.txt")


def test_a_node_used_twice_gets_two_red_edges_and_both_additions():
    # notebook 01's `x + x`: micrograd once overwrote the first contribution with the second
    x = Value(3.0, label="x")
    y = x + x
    y.label = "y"
    stepper = BackwardStepper(y, precision=1).goto(1)
    assert stepper.grad_of(x) == 2.0 and x.grad == 0.0
    source = stepper[1].source
    assert source.count('-> v1_op [color="#d32f2f"') == 2 and "adds 1.0 + 1.0" in source
    assert stepper.describe().splitlines()[1:3] == [
        "  to x: 1.0 × 1.0 (local) = 1.0",
        "  to x: 1.0 × 1.0 (local) = 1.0",
    ]


@pytest.mark.parametrize(
    "text", ["a\x00b", "\x1b[31mred\x1b[0m", "s\udc80", "tab\there", "\ufffe", "end\\"]
)
def test_any_label_and_scope_name_makes_a_page(bundled_renderer, tmp_path, text):
    double = scope(text)(lambda x: x * 2.0)
    with record_scopes() as scopes:
        y = double(Value(1.0, label=text)).tanh()
    y.label = text
    stepper = BackwardStepper(y, scopes=scopes)
    page = stepper.save_html(tmp_path / "steps.html").read_bytes().decode("utf-8")
    assert page == stepper._page(standalone=True)
    shown = text if text.isprintable() else ascii(text)[1:-1]
    assert html.escape(shown) in page  # in the words of the static fallback
    assert stepper._repr_html_()


def test_a_scope_name_makes_no_link_in_a_page(bundled_renderer):
    link = '<<table><tr><td href="javascript:alert(1)">click</td></tr></table>>'
    double = scope(link)(lambda x: x * 2.0)
    with record_scopes() as scopes:
        y = double(Value(1.0, label="x")).tanh()
    page = BackwardStepper(y, scopes=scopes)._repr_html_()
    assert not re.search(r'href=\\*"javascript', page)


def _png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png[12:16] == b"IHDR"
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def test_a_small_graphs_page_png_is_the_whole_picture_at_full_size():
    x = Value(0.5, label="x")
    stepper = BackwardStepper((x * 2.0).tanh())
    x0, y0, x1, y1 = (float(c) for c in stepper._where().bb.split(","))
    width, height = _png_size(stepper._png(1))
    pad = 8 + 2  # graphviz pads 4 points each side; rounding
    assert abs(width - (x1 - x0)) <= pad and abs(height - (y1 - y0)) <= pad  # 72 dpi, uncut


def test_a_big_graphs_page_png_is_a_readable_window_around_the_current_step():
    # It was the whole picture shrunk to 4 million pixels: MLP(2, [16, 16, 1])'s text drew at
    # 5 px, a blur. Now the part around the step's node, at 72 dpi like the SVG at 100 %.
    from autograd.stepping.stepper import _PNG_WINDOW, png_window

    xs = [Value(0.1 * i, label=f"x{i}") for i in range(40)]
    ws = [Value(0.2 - 0.01 * i, label=f"w{i}") for i in range(40)]
    loss = sum((w * x for w, x in zip(ws, xs)), Value(0.0)).tanh()
    stepper = BackwardStepper(loss, max_nodes=None)
    where = stepper._where()
    k = stepper.total // 2
    focus = stepper._focus(k)
    assert focus in where.nodes  # the node of step k
    window = png_window(where, focus)
    assert window is not None
    width, height, _, x, y = (float(c) for c in window.split(","))
    fx, fy = (float(c) for c in where.nodes[focus][0].split(","))
    assert abs(x - fx) <= width / 2 and abs(y - fy) <= height / 2  # the node is in the window
    assert _png_size(stepper._png(k)) == tuple(round(c) for c in _PNG_WINDOW)


def _big_stepper():
    xs = [Value(0.1 * i, label=f"x{i}") for i in range(40)]
    ws = [Value(0.2 - 0.01 * i, label=f"w{i}") for i in range(40)]
    return BackwardStepper(sum((w * x for w, x in zip(ws, xs)), Value(0.0)).tanh(), max_nodes=None)


def _view_box(svg: str) -> tuple[float, ...]:
    return tuple(float(c) for c in re.search(r'<svg[^>]*viewBox="([^"]*)"', svg).group(1).split())


def test_the_widget_shows_a_big_graph_around_the_current_step_and_whole_on_request():
    # The widget showed a big graph fitted to the width, its text a blur; it now starts with
    # the part around the current node at its own size, and "whole graph" shows all of it.
    pytest.importorskip("ipywidgets")
    from autograd.stepping.stepper import _WIDGET_WINDOW

    stepper = _big_stepper()
    panel = stepper.goto(stepper.total // 2).widget()
    *_, view = panel.children[0].children
    picture = panel.children[-1]
    assert view.value == "around this step"
    for k in (stepper.total // 2, stepper.total // 2 + 1):
        panel.children[0].children[1].value = k  # the slider
        x, y, width, height = _view_box(picture.value)
        assert (width, height) == _WIDGET_WINDOW
        move = re.search(r"translate\(([-\d.]+) ([-\d.]+)\)", picture.value)
        tx, ty = map(float, move.groups())
        node = re.search(r'class="node sg-current">.*?points="([^"]*)"', picture.value, re.S)
        corners = [tuple(map(float, p.split(","))) for p in node.group(1).split()]
        assert all(x <= tx + cx <= x + width for cx, _ in corners), k  # drawn at translate + point
        assert all(y <= ty + cy <= y + height for _, cy in corners), k
    view.value = "whole graph"
    assert _view_box(picture.value) == _view_box(stepper._sheet_svg)


def test_the_widget_shows_a_small_graph_whole_with_no_view_to_choose():
    pytest.importorskip("ipywidgets")
    *_, L = _example()
    stepper = BackwardStepper(L)
    panel = stepper.widget()
    assert len(panel.children[0].children) == 3  # previous, the slider, next
    assert _view_box(panel.children[-1].value) == _view_box(stepper._sheet_svg)
