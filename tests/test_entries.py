"""What a picture shows, as data: the entries ``draw_dot`` keeps beside its DOT lines.

A stepper's layout and page are made from entries (``autograd.draw.entries``), and a stepper
works out each position's entries from its own state without drawing the position's picture
(``Drawing.entries``). These tests hold both to what graphviz really draws.
"""

from __future__ import annotations

import ast
import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, draw_dot, record_scopes
from autograd.backward_steps import backward_steps
from autograd.draw.dot import Drawing
from autograd.draw.pinning import pinned
from autograd.stepping.backward_stepper import BackwardStepper
from tests.strategies import build, programs
from tests.svg_groups import SVG, groups

ROOT = Path(__file__).resolve().parent.parent
options = st.fixed_dictionaries(
    {
        "show_local": st.booleans(),
        "expand_fused": st.booleans(),
        "compact": st.booleans(),
        "show_grad": st.booleans(),
    }
)


def drawn(svg: str) -> dict[str, tuple[list[str], str | None, str | None]]:
    """Per node and edge of an SVG (keyed ``name`` or ``tail->head#n``): texts, fill, stroke."""
    out = {}
    for key, g in groups(svg).items():
        texts = [t.text for t in g.iter(f"{SVG}text") if t.text]
        shape = next(e for e in g if e.tag.split("}")[1] in ("polygon", "ellipse", "path"))
        out[key] = (texts, shape.get("fill"), shape.get("stroke"))
    return out


def keyed(entries) -> dict:
    seen: dict[str, int] = {}
    out = {}
    for entry in entries:
        key = entry.key
        if entry.kind == "edge":
            seen[key] = seen.get(key, -1) + 1
            key = f"{key}#{seen[key]}"
        out[key] = entry
    return out


def test_pinning_and_sheet_read_entries_not_dot_text():
    # they once read names, texts and colours back from the DOT lines with regular expressions
    for module in ("pinning", "sheet"):
        tree = ast.parse((ROOT / "autograd" / "draw" / f"{module}.py").read_text())
        imported = {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module)])
        }
        assert "re" not in imported, module
        assert not any(isinstance(n, ast.Attribute) and n.attr == "source" for n in ast.walk(tree))


@settings(max_examples=12, deadline=None)
@given(programs(max_ops=5), options, st.data())
def test_each_entry_is_what_graphviz_draws(recipe, opts, data):
    _, root = build(recipe)
    steps = list(backward_steps(root))
    step = data.draw(st.sampled_from(steps)) if steps else None
    dot = draw_dot(root, highlight=step, max_nodes=None, **opts)
    entries = keyed(dot.entries)
    shown = drawn(dot.pipe(format="svg", encoding="utf-8"))
    assert set(shown) == {key for key, e in entries.items() if e.kind != "graph"}
    for key, (texts, fill, stroke) in shown.items():
        entry = entries[key]
        assert list(entry.texts) == texts, key
        assert stroke == entry.look[1], key
        if entry.kind == "node":
            assert fill == (entry.look[0] or "none"), key


@settings(max_examples=25, deadline=None)
@given(programs(max_ops=6), options)
def test_a_backward_steppers_entries_at_every_position_are_its_pictures(recipe, opts):
    _, root = build(recipe)
    stepper = BackwardStepper(root, max_nodes=None, **opts)
    fast = stepper._positions()  # worked out from the stepper's state, no picture drawn
    for k in range(len(stepper)):
        assert fast[k] == stepper.goto(k).draw().entries, k


@pytest.mark.parametrize("compact", [False, True])
def test_a_node_that_receives_in_two_steps_in_a_row_shows_each_gradient(compact):
    x, a, b, c = (Value(v, label=n) for v, n in [(0.5, "x"), (2.0, "a"), (-3.0, "b"), (5.0, "c")])
    y = (x * a) * ((x * b) + (x * c))  # x receives from x * c, then from x * b, then from x * a
    stepper = BackwardStepper(y, compact=compact)
    fast = stepper._positions()
    grads = []
    for k in range(len(stepper)):
        assert fast[k] == stepper.goto(k).draw().entries, k
        grads.append(next(t for t in keyed(fast[k])["v0"].texts if t.startswith("grad")))
    # dy/dx = a (x b + x c) + x a (b + c), arriving as c * 1, then b * 1, then a * 1
    assert grads == [f"grad {g:.4f}" for g in (0.0, 0.0, 0.0, 5.0, 5.0 - 3.0, 5.0 - 3.0 + 2.0)]


def test_a_learning_steppers_entries_and_frames_are_its_pictures():
    from nn import MLP, LearningStepper

    model = MLP(2, [3, 1], activation="tanh", rng=random.Random(3))
    stepper = LearningStepper(
        model, [0.5, -1.0], 0.0, loss="mse", lr=0.1, show_local=True, expand_fused=True
    )
    fast, frames = stepper._positions(), stepper.frames()
    for k in range(len(stepper)):
        picture = stepper.goto(k).draw()
        assert fast[k] == picture.entries, k
        assert frames[k].source == pinned(picture, stepper._where()).source, k
    assert any(t == "data ?" for entry in fast[1] for t in entry.texts)  # not computed yet


def test_a_collapsed_steppers_entries_are_its_pictures():
    from nn import MLP

    with record_scopes() as scopes:
        model = MLP(2, [3, 2, 1], rng=random.Random(1))
        loss = (model([Value(0.3), Value(-0.7)]) - 1.0) ** 2
    for collapse in (False, True):
        stepper = BackwardStepper(loss, scopes=scopes, collapse=collapse)
        fast = stepper._positions()
        for k in range(0, len(stepper), 3):
            assert fast[k] == stepper.goto(k).draw().entries, (collapse, k)


def test_a_drawing_refuses_an_option_draw_dot_does_not_have():
    with pytest.raises(TypeError, match="draw_dot: unexpected option 'colour'"):
        Drawing(Value(1.0), colour="red")


def test_pin_gives_pictures_of_one_graph_one_layout():
    from autograd.draw.pinning import pin

    x = Value(2.0, label="x")
    y = (x * x).tanh()
    steps = list(backward_steps(y))
    frames = pin([draw_dot(y, highlight=step, show_local=True) for step in steps])
    boxes = {re.findall(r'pos="([^"]*)"', frame.source)[0] for frame in frames}
    assert len(frames) == 2 and len(boxes) == 1
    assert frames[0].source != frames[1].source  # the same places, other numbers and colours
    with pytest.raises(ValueError, match="the same nodes and edges"):
        pin([draw_dot(y), draw_dot(x)])


def test_a_stepper_whose_pictures_keep_no_entries_says_so():
    import graphviz

    class Plain(BackwardStepper):
        def draw(self):
            return graphviz.Digraph()

    from autograd.draw.entries import with_entries
    from autograd.stepping.stepper import Stepper

    stepper = Plain(Value(2.0) * 3.0)
    with pytest.raises(TypeError, match=r"Plain.draw\(\) must return a graph that keeps its"):
        Stepper._entries(stepper)  # the base class's: a subclass's own pictures
    picture = draw_dot(Value(1.0) + 2.0)
    with pytest.raises(ValueError, match=r"with_entries: the picture has 5 entries \(got 1\)"):
        with_entries(picture, picture.entries[:1])
