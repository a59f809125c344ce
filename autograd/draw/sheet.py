"""One picture for every position of a stepper: the layout drawn once, then what changes.

The pictures of a stepper (``autograd.draw.pinning``) draw the same nodes and edges in the same
places; only their texts (the numbers) and their looks (the highlight colours) change. A sheet
keeps one picture, drawn once with every node's widest label so that every position's texts
fit, and for every position and every node, edge and graph label its texts (the ``<text>``
elements graphviz writes, in order) and its look (fill, line colour and width, font colour).
Both come from the entries ``draw_dot``'s pieces keep beside their DOT lines
(``autograd.draw.entries``): nothing is read back from DOT text. A page's script writes a
position's texts and looks into the one SVG: no renderer runs per position, and the page grows
with positions x changes, not positions x nodes.

>>> from autograd import Value
>>> from autograd.draw.dot import Drawing
>>> from autograd.draw.pinning import Layout
>>> x = Value(2.0, label="x")
>>> drawing = Drawing(x * 3, compact=True)
>>> positions = [drawing.entries(), drawing.entries(x)]
>>> where = Layout("0,0,9,9", {k: ("1,1", 1.0, 1.0) for k in ("v0", "v1", "v1_op")},
...                {("v0", "v1_op"): [("e,1,1 1,1", None)], ("v1_op", "v1"): [("e,1,1", None)]}, {})
>>> page = sheet(drawing.dot(), positions, where)
>>> page.keys
['v0', 'v1', 'v1_op', 'v0->v1_op#0', 'v1_op->v1#0']
>>> page.texts[1][0], page.looks[1][0][4]
(('x', 'data 2.0000', 'grad 0.0000'), 'sg-current')
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import NamedTuple

from autograd.draw.entries import Entry, Look, Recorded, refilled, with_entries
from autograd.draw.pinning import Layout, PinnedGraph, pinned

__all__ = ["Look", "Sheet", "sheet", "write"]


class Sheet(NamedTuple):
    """The one picture to draw, and what each position writes into it.

    ``keys[i]`` names entry ``i`` as the SVG does (a node's name, ``tail->head#n`` for the
    ``n``-th edge between the two, ``#graph`` for the graph's own label); ``texts[k][i]`` and
    ``looks[k][i]`` are entry ``i``'s texts and look at position ``k``.
    """

    layout: PinnedGraph
    keys: list[str]
    texts: list[list[tuple[str, ...]]]
    looks: list[list[Look]]


def sheet(
    base: Recorded,
    positions: Sequence[Sequence[Entry]],
    where: Layout,
    lines: dict[int, tuple[Entry, str]] | None = None,
) -> Sheet:
    """The sheet of a stepper's positions: each one's entries, in the order of ``base``'s.

    ``base`` is the picture at any position (its DOT lines are the ones every position
    rewrites), ``where`` the layout they share (``autograd.draw.pinning.layout``) and
    ``lines`` the DOT lines already written for entries (see ``with_entries``).
    """
    if not positions:
        raise ValueError("sheet: there must be at least one position (got none)")
    columns = list(zip(*positions))
    picture = pinned(with_entries(base, [_widest(column) for column in columns], lines), where)
    keys = _keys(positions[0])
    texts = [[entry.texts for entry in entries] for entries in positions]
    looks = [[entry.look for entry in entries] for entries in positions]
    return Sheet(picture, keys, texts, looks)


_SVG = "http://www.w3.org/2000/svg"
_SHAPES = {f"{{{_SVG}}}{tag}" for tag in ("polygon", "ellipse", "path", "polyline")}


def write(svg: str, sheet: Sheet, k: int) -> str:
    """The one picture (``sheet.layout`` drawn as SVG) showing position ``k``, in Python.

    What the page's script does in the browser, for the live widget: no renderer runs.
    """
    ET.register_namespace("", _SVG)
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    tree = ET.fromstring(svg[svg.index("<svg") :])
    found = _groups(tree)
    for key, texts, look in zip(sheet.keys, sheet.texts[k], sheet.looks[k]):
        g = found.get(key)
        if g is None:
            continue
        direct = key == "#graph"
        elements = list(g.findall(f"{{{_SVG}}}text") if direct else g.iter(f"{{{_SVG}}}text"))
        for i, element in enumerate(elements):
            element.text = texts[i] if i < len(texts) else ""
        if not direct:
            _paint(g, look)
    return ET.tostring(tree, encoding="unicode")


def _groups(tree: ET.Element) -> dict[str, ET.Element]:
    """The ``<g>`` of every node and edge by key (as ``sheet.keys``), and the graph's."""
    found = {}
    seen: dict[str, int] = {}
    for g in tree.iter(f"{{{_SVG}}}g"):
        kind, title = g.get("class"), g.find(f"{{{_SVG}}}title")
        if kind == "graph":
            found["#graph"] = g
        if kind not in ("node", "edge") or title is None or title.text is None:
            continue
        key = title.text
        if kind == "edge":
            seen[key] = seen.get(key, -1) + 1
            key = f"{key}#{seen[key]}"
        found[key] = g
    return found


def _paint(g: ET.Element, look: Look) -> None:
    """A node's or edge's colours, as the page's script paints them."""
    fill, colour, width, font, name = look
    edge = g.get("class", "").startswith("edge")
    g.set("class", ("edge" if edge else "node") + (f" {name}" if name else ""))
    shapes = [e for e in g if e.tag in _SHAPES]
    for i, shape in enumerate(shapes):
        shape.set("stroke", colour)
        shape.set("stroke-width", width)
        if edge and shape.tag.endswith("polygon"):
            shape.set("fill", colour)
        elif not edge and i == 0 and not shape.tag.endswith("polyline"):
            shape.set("fill", fill or "none")
    for text in g.iter(f"{{{_SVG}}}text"):
        text.set("fill", font)


def _keys(entries: Sequence[Entry]) -> list[str]:
    """The key of every entry as the page names it: an edge's with its number (``#0``)."""
    keys = []
    seen: dict[str, int] = {}
    for entry in entries:
        key = entry.key
        if entry.kind == "edge":
            seen[key] = seen.get(key, -1) + 1
            key = f"{key}#{seen[key]}"
        keys.append(key)
    return keys


def _widest(column: Sequence[Entry]) -> Entry:
    """One entry over all positions, with room for every position's texts.

    The entry with the most texts; a record's fields each get the widest text that field
    shows at any position (a parameter's name grows to ``w  old -> new`` while another field
    is the widest elsewhere).
    """
    distinct = list(dict(zip(map(id, column), column)).values())
    chosen = max(distinct, key=_size)
    if not chosen.form:
        return chosen
    fields = [entry.fields for entry in distinct]
    return refilled(
        chosen,
        [max((f[i] for f in fields if i < len(f)), key=len) for i in range(len(chosen.fields))],
    )


def _size(entry: Entry) -> tuple[int, int]:
    """How much an entry's label shows: its number of texts, then its longest text."""
    return (len(entry.texts), max((len(t) for t in entry.texts), default=0))
