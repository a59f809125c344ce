"""One picture for every position of a stepper: the layout drawn once, then what changes.

The pictures of a stepper (``autograd.draw.pinning``) draw the same nodes and edges in the same
places; only their texts (the numbers) and their looks (the highlight colours) change. A sheet
keeps one picture, drawn once with every node's widest label so that every position's texts
fit, and for every position and every node, edge and graph label its texts (the ``<text>``
elements graphviz writes, in order) and its look (fill, line colour and width, font colour).
A page's script writes a position's texts and looks into the one SVG: no renderer runs per
position, and the page grows with positions x changes, not positions x nodes.

>>> from autograd.draw.render import StepgradDigraph
>>> g = StepgradDigraph()
>>> g.node("v0", r"{ a | { data 2.0 | grad 0.0 } }", shape="record")
>>> entry_texts(g.body[0])
['a', 'data 2.0', 'grad 0.0']
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from typing import NamedTuple

from autograd.draw.highlight import CURRENT, DONE, RECEIVING, USED_EDGE
from autograd.draw.pinning import PinnedGraph

__all__ = ["Look", "Sheet", "entry_key", "entry_look", "entry_texts", "sheet", "write"]

_NODE = re.compile(r"^\t+(?!(?:graph|node|edge) \[)(\w+) \[")
_EDGE = re.compile(r"^\t+(\w+) -> (\w+)")
_GRAPH_LABEL = re.compile(r"^\t(?:label=|graph \[.*\blabel=)")
_ATTR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|<[^>]*>|[^\s\]]+)', re.S)
_LINE_BREAKS = {"n", "l", "r"}

# a look: fill (None: not filled), line colour, line width, font colour, and a class that
# names it for styles and tests (sg-current, sg-final, sg-receiving, sg-used or "")
Look = tuple[str | None, str, str, str, str]


class Sheet(NamedTuple):
    """The one picture to draw, and what each position writes into it.

    ``keys[i]`` names entry ``i`` as the SVG does (a node's name, ``tail->head#n`` for the
    ``n``-th edge between the two, ``#graph`` for the graph's own label); ``texts[k][i]`` and
    ``looks[k][i]`` are entry ``i``'s texts and look at position ``k``.
    """

    layout: PinnedGraph
    keys: list[str]
    texts: list[list[list[str]]]
    looks: list[list[Look]]


def sheet(frames: list[PinnedGraph]) -> Sheet:
    """The sheet of pinned pictures (one per position, as ``pin`` gives them)."""
    if not frames:
        raise ValueError("sheet: there must be at least one picture (got none)")
    columns = list(zip(*(frame.body for frame in frames)))
    layout = frames[0].copy()
    layout.body = [_widest(column) for column in columns]
    keys, kept = _keys(layout.body)
    texts = [[list(_texts(frame.body[j])) for j in kept] for frame in frames]
    looks = [[entry_look(frame.body[j]) for j in kept] for frame in frames]
    return Sheet(layout, keys, texts, looks)


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


def _keys(body: list[str]) -> tuple[list[str], list[int]]:
    """The key of every entry that shows something that may change, and its index."""
    keys, kept = [], []
    seen: dict[str, int] = {}
    for j, entry in enumerate(body):
        key = entry_key(entry)
        if key is None:
            continue
        if "->" in key:
            seen[key] = seen.get(key, -1) + 1
            key = f"{key}#{seen[key]}"
        keys.append(key)
        kept.append(j)
    return keys, kept


def entry_key(entry: str) -> str | None:
    r"""What a DOT body entry draws, as the SVG's ``<title>`` says it (None: not drawn).

    >>> entry_key('\tv0 -> v1_op [color="#d32f2f"]\n'), entry_key("\tv1 [label=x]\n")
    ('v0->v1_op', 'v1')
    """
    if m := _EDGE.match(entry):
        return f"{m.group(1)}->{m.group(2)}"
    if m := _NODE.match(entry):
        return None if m.group(1).startswith("_corner") else m.group(1)
    if _GRAPH_LABEL.match(entry):
        return "#graph"
    return None


@functools.lru_cache(maxsize=1 << 16)  # an entry repeats at many positions: parsed once
def _attrs(entry: str) -> dict[str, str]:
    """The attributes of an entry, quotes removed (the label left escaped)."""
    m = _NODE.match(entry) or _EDGE.match(entry)
    inside = entry[m.end() :] if m else entry
    return {k: v[1:-1] if v.startswith('"') else v for k, v in _ATTR.findall(inside)}


def entry_texts(entry: str) -> list[str]:
    r"""The lines of text graphviz draws for an entry, in the order of its ``<text>`` elements.

    A record's fields in order (structure and escapes removed), each split at line breaks; any
    other label split at line breaks; a node without a label shows its name.

    >>> entry_texts('\tv1_op [label="+" shape=oval]\n')
    ['+']
    >>> entry_texts('\tv0 -> v1 [label="local 1.0\\nadds 2.0"]\n')
    ['local 1.0', 'adds 2.0']
    """
    return list(_texts(entry))


@functools.lru_cache(maxsize=1 << 16)
def _texts(entry: str) -> tuple[str, ...]:
    attrs = _attrs(entry)
    label = attrs.get("label")
    if label is None:
        m = _NODE.match(entry)
        return (m.group(1),) if m else ()
    if label.startswith("<"):
        return ()  # an HTML-like label: left as drawn
    fields = _fields(label) if attrs.get("shape") in ("record", "Mrecord") else [label]
    return tuple(line for field in fields for line in _lines(field))


def _fields(label: str) -> list[str]:
    r"""The fields of a record label, escapes kept (``\|`` is text, ``|`` a border)."""
    fields, current, escaped = [], [], False
    for ch in label:
        if escaped:
            current.append("\\" + ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in "{}|":
            fields.append("".join(current))
            current = []
        else:
            current.append(ch)
    fields.append("".join(current))
    return [field.strip() for field in fields if field.strip()]


def _lines(text: str) -> list[str]:
    r"""A label's lines: escapes undone, ``\n``/``\l``/``\r`` (and newlines) break lines."""
    lines: list[str] = []
    current: list[str] = []
    escaped = False
    for ch in text:
        if escaped:
            if ch in _LINE_BREAKS:
                lines.append("".join(current))
                current = []
            else:
                current.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "\n":
            lines.append("".join(current))
            current = []
        else:
            current.append(ch)
    if current or not lines:
        lines.append("".join(current))
    return [line for line in lines if line]


@functools.lru_cache(maxsize=1 << 16)
def entry_look(entry: str) -> Look:
    r"""An entry's colours: (fill, line colour, line width, font colour, class).

    >>> entry_look('\tv3 [label=x fillcolor="#ffd54f" penwidth=2 style=filled]\n')
    ('#ffd54f', 'black', '2', 'black', 'sg-current')
    """
    attrs = _attrs(entry)
    fill = attrs.get("fillcolor") if "filled" in attrs.get("style", "") else None
    colour = attrs.get("color", "black")
    look = (fill, colour, attrs.get("penwidth", "1"), attrs.get("fontcolor", "black"))
    return (*look, _class(fill, colour, edge=_EDGE.match(entry) is not None))


def _class(fill: str | None, colour: str, *, edge: bool) -> str:
    """The name of a look, for styles and tests: what the highlight colours mean."""
    if edge:
        return "sg-used" if colour == USED_EDGE["color"] else ""
    names = {CURRENT["fillcolor"]: "sg-current", DONE["fillcolor"]: "sg-final"}
    classes = [names[fill]] if fill in names else []
    if colour == RECEIVING["color"]:
        classes.append("sg-receiving")
    return " ".join(classes)


def _widest(column: tuple[str, ...]) -> str:
    """One entry over all positions, with room for every position's texts.

    The entry with the most texts; a record's fields each get the widest text that field
    shows at any position (a parameter's name grows to ``w  old -> new`` while another field
    is the widest elsewhere).
    """
    distinct = list(dict.fromkeys(column))  # most entries are the same at every position
    chosen = max(distinct, key=_size)
    attrs = _attrs(chosen)
    if attrs.get("shape") not in ("record", "Mrecord") or "label" not in attrs:
        return chosen
    fields = [_fields(_attrs(entry).get("label", "")) for entry in distinct]
    widest = [
        max((f[i] for f in fields if i < len(f)), key=lambda field: len(field))
        for i in range(len(_fields(attrs["label"])))
    ]
    label = _refill(attrs["label"], widest)
    return chosen.replace(f'label="{attrs["label"]}"', f'label="{label}"', 1)


def _refill(label: str, texts: list[str]) -> str:
    """A record label with the same borders and its non-empty fields replaced by ``texts``."""
    out: list[str] = []
    current: list[str] = []
    escaped = False
    filled = iter(texts)

    def flush() -> None:
        field = "".join(current)
        out.append(f" {next(filled, field.strip())} " if field.strip() else field)
        current.clear()

    for ch in label:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            current.append(ch)
            escaped = True
        elif ch in "{}|":
            flush()
            out.append(ch)
        else:
            current.append(ch)
    flush()
    return "".join(out)


def _size(entry: str) -> tuple[int, int]:
    """How much an entry's label shows: its number of texts, then its longest text."""
    texts = _texts(entry) if entry_key(entry) else ()
    return (len(texts), max((len(t) for t in texts), default=0))
