r"""What each node, edge and graph label of a picture shows, kept as data beside its DOT line.

``draw_dot``'s pieces (``nodes``, ``clusters``, ``dot``) do not only write DOT text: everything
they draw is an ``Entry`` too, made from the numbers and colours it shows, never read back from
the text. An entry has its key (as the SVG's ``<title>`` names it), its kind, the texts
graphviz draws for it (in the order of its ``<text>`` elements) and its look (colours). A
``Recorded`` graph writes an entry's DOT line and keeps the entry beside it; a stepper's one
layout (``autograd.draw.pinning``) and its page (``autograd.draw.sheet``) read the entries.

>>> entry = node_entry("v0", *record_label(["a", ["data 2.0", "grad 0.0"]]), shape="record")
>>> entry.key, entry.texts, entry.label
('v0', ('a', 'data 2.0', 'grad 0.0'), '{ a | { data 2.0 | grad 0.0 } }')
>>> g = Recorded()
>>> g.add(entry)
>>> g.body, g.entry_lines
(['\tv0 [label="{ a | { data 2.0 | grad 0.0 } }" shape=record]\n'], [0])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import graphviz

from autograd.draw.highlight import CURRENT, DONE, RECEIVING, USED_EDGE

__all__ = [
    "Entry",
    "Look",
    "Recorded",
    "edge_entry",
    "entry_line",
    "graph_entry",
    "label_width",
    "node_entry",
    "record_label",
    "refilled",
    "with_entries",
]

# a look: fill (None: not filled), line colour, line width, font colour, and a class that
# names it for styles and tests (sg-current, sg-final, sg-receiving, sg-used or "")
Look = tuple[str | None, str, str, str, str]
_LINE_BREAKS = {"n", "l", "r"}
_FILLS = {CURRENT["fillcolor"]: "sg-current", DONE["fillcolor"]: "sg-final"}


class Entry(NamedTuple):
    """One node, edge or graph label of a picture, as data.

    ``key`` names it as the SVG does (a node's name, ``tail->head`` for an edge, ``#graph``
    for the graph's own label); ``label`` and ``attrs`` are its DOT attributes; ``texts`` the
    lines graphviz draws for it, ``look`` its colours. A record also keeps its ``fields`` (as
    written in the label, escaped) and the borders around them (``form``): ``label`` is
    ``form[0] + fields[0] + form[1] + ... + form[-1]``.
    """

    key: str
    kind: str  # "node", "edge" or "graph"
    label: str | None
    attrs: dict[str, str]
    texts: tuple[str, ...]
    look: Look
    fields: tuple[str, ...] = ()
    form: tuple[str, ...] = ()


def record_label(parts: Sequence[str | Sequence[str]]) -> tuple[str, tuple[str, ...], tuple]:
    r"""A record label from its fields (a list nests a row), with its fields and borders.

    >>> record_label(["a", ["data 1", "grad 0"]])
    ('{ a | { data 1 | grad 0 } }', ('a', 'data 1', 'grad 0'), ('{ ', ' | { ', ' | ', ' } }'))
    """
    form, fields, text = [], [], "{ "
    for i, part in enumerate(parts):
        text += " | " if i else ""
        row = [part] if isinstance(part, str) else list(part)
        text += "" if isinstance(part, str) else "{ "
        for j, field in enumerate(row):
            text += " | " if j else ""
            form.append(text)
            fields.append(field)
            text = ""
        text += "" if isinstance(part, str) else " }"
    form.append(text + " }")
    label = "".join(f + x for f, x in zip(form, [*fields, ""]))
    return label, tuple(fields), tuple(form)


def node_entry(
    name: str,
    label: str,
    fields: tuple[str, ...] = (),
    form: tuple[str, ...] = (),
    /,
    **attrs: str,
) -> Entry:
    """The entry of a node: a record (``fields`` and ``form`` from ``record_label``) or not."""
    if form:
        texts = tuple(line for field in fields if field.strip() for line in _lines(field.strip()))
    else:
        texts = tuple(_lines(label))
    return Entry(name, "node", label, attrs, texts, _look(attrs, edge=False), fields, form)


def edge_entry(tail: str, head: str, attrs: dict[str, str]) -> Entry:
    """The entry of an edge ``tail -> head``; its label (if any) is in ``attrs``."""
    rest = {k: v for k, v in attrs.items() if k != "label"}
    label = attrs.get("label")
    texts = tuple(_lines(label)) if label is not None else ()
    return Entry(f"{tail}->{head}", "edge", label, rest, texts, _look(attrs, edge=True))


def graph_entry(label: str, **attrs: str) -> Entry:
    """The entry of the graph's own label (an HTML-like label, ``<...>``, shows no texts)."""
    texts = () if label.startswith("<") else tuple(_lines(label))
    return Entry("#graph", "graph", label, attrs, texts, _PLAIN)


def refilled(entry: Entry, fields: Sequence[str]) -> Entry:
    """A record entry with other fields in the same borders (the widest of each, for a layout)."""
    label = "".join(f + x for f, x in zip(entry.form, [*fields, ""]))
    return node_entry(entry.key, label, tuple(fields), entry.form, **entry.attrs)


def label_width(entry: Entry) -> tuple[int, int]:
    """How wide an entry's label is: its longest line, its number of lines ((0, 0) without)."""
    if entry.label is None:
        return (0, 0)
    lines = entry.label.replace("\\n", "\n").split("\n")
    return (max(len(line) for line in lines), len(lines))


class Recorded(graphviz.Digraph):
    """A ``graphviz.Digraph`` that keeps an ``Entry`` beside every body line it draws.

    ``entries[i]`` is drawn by ``body[entry_lines[i]]``; ``boxes`` holds the body line and
    the name of every cluster (``subgraph cluster_...``) put in with ``add_box``.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.entries: list[Entry] = []
        self.entry_lines: list[int] = []
        self.boxes: list[tuple[int, str]] = []

    def add(self, entry: Entry) -> None:
        """Write the DOT line of ``entry`` and keep the entry beside it."""
        self.entry_lines.append(len(self.body))
        self.entries.append(entry)
        _write(self, entry)

    def add_box(self, box: Recorded) -> None:
        """Put the cluster ``box`` in (``subgraph``), its entries with it."""
        start = len(self.body)
        self.subgraph(box)
        offset = len(self.body) - 1 - len(box.body)  # the box's body, then its closing brace
        self.boxes += [(start, str(box.name))] + [(offset + i, n) for i, n in box.boxes]
        self.entries += box.entries
        self.entry_lines += [offset + i for i in box.entry_lines]

    def copy(self):
        """A copy with its entries (``graphviz``'s copy keeps only the DOT)."""
        twin = super().copy()
        twin.entries, twin.entry_lines = list(self.entries), list(self.entry_lines)
        twin.boxes = list(self.boxes)
        return twin


def _write(graph: graphviz.Digraph, entry: Entry) -> None:
    if entry.kind == "node":
        graph.node(entry.key, entry.label, **entry.attrs)
    elif entry.kind == "edge":
        tail, head = entry.key.split("->")
        graph.edge(tail, head, entry.label, **entry.attrs)
    else:
        graph.attr(label=entry.label, **entry.attrs)


_SCRATCH = graphviz.Digraph()


def entry_line(entry: Entry) -> str:
    """The DOT line that draws ``entry`` (at the top level of a graph)."""
    _SCRATCH.body = []
    _write(_SCRATCH, entry)
    return _SCRATCH.body[0]


def with_entries(
    graph: Recorded, entries: Sequence[Entry], lines: dict[int, tuple[Entry, str]] | None = None
) -> Recorded:
    """A copy of ``graph`` whose entries are ``entries`` (the same keys, other texts or looks).

    An entry equal to ``graph``'s keeps its line; ``lines`` keeps the lines written for
    entries (by ``id``) from one call to the next.
    """
    if len(entries) != len(graph.entries):
        raise ValueError(
            f"with_entries: the picture has {len(graph.entries)} entries (got {len(entries)})"
        )
    twin = graph.copy()
    body = list(graph.body)
    lines = {} if lines is None else lines
    for line, old, entry in zip(graph.entry_lines, graph.entries, entries):
        if entry is old or entry == old:
            continue
        if id(entry) not in lines:
            lines[id(entry)] = (entry, entry_line(entry))  # the entry kept: its id stays its own
        indent = len(body[line]) - len(body[line].lstrip("\t"))
        body[line] = "\t" * (indent - 1) + lines[id(entry)][1]
    twin.body, twin.entries = body, list(entries)
    return twin


def _look(attrs: dict[str, str], *, edge: bool) -> Look:
    """An entry's colours: (fill, line colour, line width, font colour, class)."""
    if not attrs or (len(attrs) == 1 and "shape" in attrs):  # the usual entry: plain black
        return _PLAIN
    fill = attrs.get("fillcolor") if "filled" in attrs.get("style", "") else None
    colour = attrs.get("color", "black")
    look = (fill, colour, attrs.get("penwidth", "1"), attrs.get("fontcolor", "black"))
    return (*look, _class(fill, colour, edge=edge))


_PLAIN: Look = (None, "black", "1", "black", "")


def _class(fill: str | None, colour: str, *, edge: bool) -> str:
    """The name of a look, for styles and tests: what the highlight colours mean."""
    if edge:
        return "sg-used" if colour == USED_EDGE["color"] else ""
    name = _FILLS.get(fill, "") if fill is not None else ""
    if colour == RECEIVING["color"]:
        return f"{name} sg-receiving" if name else "sg-receiving"
    return name


def _lines(text: str) -> list[str]:
    r"""What graphviz draws of a label: escapes undone, ``\n``/``\l``/``\r`` break lines.

    >>> _lines("local 1.0\nadds 2.0"), _lines(r"a\|b\lc")
    (['local 1.0', 'adds 2.0'], ['a|b', 'c'])
    """
    if "\\" not in text and "\n" not in text:  # the usual text: one line as it is
        return [text] if text else []
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
