"""The nodes and edges ``draw_dot`` draws: a record per Value, an oval per operation.

A record shows ``label | data | tangent | grad`` (and, in a compact step picture, what the
step adds to that operand); each use of an operand is one edge into the operation's oval,
labelled with its local derivative when asked. The pieces of one operation come from
``autograd.draw.parts`` (a fused node may be drawn as the chain of ``+`` and ``*`` it replaces).
Everything is drawn as an ``autograd.draw.entries.Entry`` (the data beside the DOT line): into a
graph that writes it (``Recorded.add``), or into a plain list (a stepper's page needs only the
data).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Protocol

import graphviz

from autograd.backward_steps import node_names
from autograd.draw.entries import Entry, edge_entry, node_entry, record_label
from autograd.draw.highlight import USED_EDGE, Highlight
from autograd.draw.parts import parts_of
from autograd.notation import fixed
from autograd.value import Value

__all__ = ["Edges", "Nodes", "Records", "Sink", "escape"]

SMALL_OP = {"width": "0.3", "height": "0.3", "margin": "0.02"}  # compact operation nodes
BOX_EDGE = {"color": "#78909c", "arrowsize": "0.5", "penwidth": "0.6"}  # between collapsed calls
Label = tuple[str, tuple[str, ...], tuple[str, ...]]  # a record's label, fields and borders


class _Titles(Protocol):
    """What a picture calls each node (a mapping, or computed when asked)."""

    def __getitem__(self, v: Value, /) -> str: ...


class Sink(Protocol):
    """Where entries are drawn: a ``Recorded`` graph (DOT and data) or a list (data only)."""

    def add(self, entry: Entry) -> None:
        """Draw ``entry``."""


class Records:
    """The record labels of one picture: which numbers show, and how many digits.

    ``compact`` stacks the numbers (data over grad); ``adds`` holds what a step adds to each
    operand (shown in its box), ``tangents`` the forward-mode derivative of some nodes;
    ``unknown`` shows a data or grad that is nan as ``?`` (not computed yet).
    """

    def __init__(
        self,
        precision: int,
        show_grad: bool,
        compact: bool,
        tangents: Mapping[Value, float],
        adds: Mapping[Value, list[float]],
        unknown: bool = False,
    ) -> None:
        self.fmt = lambda x: fixed(x, precision)  # never -0.0000: the step texts say 0.0000
        self.show_grad, self.compact = show_grad, compact
        self.tangents, self.adds, self.unknown = tangents, adds, unknown

    def value(self, title: str, v: Value) -> Label:
        """The record of a Value: ``{ title | data ... | tangent ... | grad ... }``."""
        return self._record(title, v.data, v.grad, self.tangents.get(v), self.adds.get(v))

    def partial(self, data: float, grad: float) -> Label:
        """The record of a value that is not a node (an expanded fused node's partial sum)."""
        return self._record("", data, grad, None, None)

    def _record(
        self, title: str, data: float, grad: float, tangent: float | None, adds: list | None
    ) -> Label:
        fmt, shown = self.fmt, self._shown
        numbers = [f"data {shown(data)}"]
        if tangent is not None:
            numbers.append(f"tangent {fmt(tangent)}")
        if self.show_grad:
            numbers.append(f"grad {shown(grad)}")
        if adds:
            numbers.append("adds " + " + ".join(fmt(a) for a in adds))
        fields: list[str | list[str]] = [escape(title)] if title else []
        return record_label(
            [*fields, numbers] if self.compact and len(numbers) > 1 else [*fields, *numbers]
        )

    def _shown(self, x: float) -> str:
        return "?" if self.unknown and math.isnan(x) else self.fmt(x)


class Nodes:
    """Draws each Value with its operation, and keeps the edges to add after the boxes.

    ``names`` holds the DOT name of every node, in topological order; ``alias`` maps the names
    of nodes hidden in a collapsed call to the call's node: edges of hidden nodes go to that
    node instead, once per pair of ends.
    """

    def __init__(
        self,
        names: dict[Value, str],
        records: Records,
        marks: Highlight,
        alias: dict[str, str],
        *,
        expand_fused: bool,
        show_local: bool,
        titles: _Titles | None = None,
    ) -> None:
        self.names, self.records, self.marks = names, records, marks
        # n3 for an unlabelled node, as in explain()
        self.titles = node_names(list(names)) if titles is None else titles
        self.expand_fused, self.show_local = expand_fused, show_local
        self.edges = Edges(alias)

    def draw(self, v: Value, where: Sink) -> None:
        """Draw ``v`` (its record and operation; its operand edges come last) into ``where``."""
        if self.names[v] in self.edges.alias:  # inside a collapsed call: only its edges
            used = USED_EDGE if v is self.marks.current else None
            for p in v.parents:
                self.edges.add(self.names[p], self.names[v], used)
            return
        style = self.marks.style([v])
        where.add(
            node_entry(
                self.names[v], *self.records.value(self.titles[v], v), shape="record", **style
            )
        )
        if not v.parents:
            return
        parts = parts_of(v, self.names, self.expand_fused, self.show_local)
        for name, data in parts.records:  # intermediate values of an expanded fused node
            where.add(
                node_entry(name, *self.records.partial(data, v.grad), shape="record", **style)
            )
        small = SMALL_OP if self.records.compact else {}
        for name, text in parts.ops:
            where.add(node_entry(name, escape(text), shape="oval", **small))
        for src, dst, j, local in parts.edges:
            self.edges.add(src, dst, self._edge_attrs(v, j, local))

    def add_edges(self, dot: Sink, start: int = 0) -> None:
        """Add the edges, in the order they were found (from the ``start``-th on), to ``dot``."""
        for src, dst, attrs in self.edges.edges[start:]:
            dot.add(edge_entry(src, dst, attrs))

    def _edge_attrs(self, v: Value, j: int | None, local: float | None) -> dict[str, str]:
        """The local derivative on the edge, and the colour and amount of a step's edge."""
        fmt = self.records.fmt
        labels = [f"local {fmt(local)}"] if self.show_local and local is not None else []
        added = self.marks.added_along(v, j)
        attrs = dict(USED_EDGE) if added is not None else {}
        if added is not None and not self.records.compact:  # compact: in the operand's box
            labels.append(f"adds {fmt(added)}")
        if labels:
            attrs["label"] = "\n".join(labels)
        return attrs


class Edges:
    """The edges to draw, in order; edges of collapsed calls go to their box, once each."""

    def __init__(self, alias: dict[str, str]) -> None:
        self.alias = alias
        self.edges: list[tuple[str, str, dict]] = []
        self._box_edges: set[tuple[str, str]] = set()

    def add(self, src: str, dst: str, attrs: dict | None = None) -> None:
        """Add the edge ``src -> dst`` (kept once for boxes, once per operand use otherwise)."""
        if src not in self.alias and dst not in self.alias:
            self.edges.append((src, dst, attrs or {}))  # every operand use is its own edge
            return
        src, dst = self.alias.get(src, src), self.alias.get(dst, dst)
        if src != dst and (src, dst) not in self._box_edges:
            self._box_edges.add((src, dst))
            self.edges.append((src, dst, dict(attrs or BOX_EDGE)))


def escape(text: str) -> str:
    r"""Escape the characters that have a meaning inside a record label; see ``visible``.

    >>> print(escape("a|{b}<c>"), escape("tab\there"))
    a\|\{b\}\<c\> tab\\there
    """
    text = visible(text)
    for ch in '\\{}|<>"':
        text = text.replace(ch, "\\" + ch)
    return text


def plain_label(text: str) -> str:
    r"""``text`` as a plain graph or cluster label: never HTML, backslashes kept; see ``visible``.

    >>> print(plain_label("<<b>bold</b>>"), plain_label("ends in \\"))
    <<b>bold</b>> ends in \\
    """
    return graphviz.escape(visible(text))


def visible(text: str, keep: str = "") -> str:
    r"""``text`` with the characters a picture cannot hold written as Python escapes.

    Control characters (NUL, tab, an ANSI colour code's ESC), lone surrogates and U+FFFE,
    U+FFFF break the renderer, the SVG (which is XML) or the UTF-8 of a saved page; they are
    drawn as ``\x00``, ``\t``, ``\x1b``, ``\udc80``, ``\ufffe``. Characters in ``keep`` stay.

    >>> print(visible("\x1b[31mred\x00"), visible("a\udc80"), visible("one\ntwo", keep="\n"))
    \x1b[31mred\x00 a\udc80 one
    two
    """
    kept = text
    for ch in keep:
        kept = kept.replace(ch, "")
    if kept.isprintable():  # the usual label or text: nothing to do
        return text
    return "".join(ch if ch in keep else _visible_char(ch) for ch in text)


def _visible_char(ch: str) -> str:
    """``ch``, or its Python escape when it is a control character, a surrogate or U+FFFE/F."""
    if ch < " " or "\x7f" <= ch <= "\x9f" or "\ud800" <= ch <= "\udfff" or ch in "\ufffe\uffff":
        return ascii(ch)[1:-1]
    return ch
