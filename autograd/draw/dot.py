"""``draw_dot``: a computation graph as a ``graphviz.Digraph``.

Each Value is a record node (label | data | grad); each operation is a small oval node; each
use of an operand is one edge (``a + a`` shows two). Options highlight a node or a backward
step, show each edge's local derivative, group the nodes made inside network modules into
clusters and draw fused ``sum``/``affine`` nodes as the chain of ``+`` and ``*`` they replace.
Node names come from the topological order (``v0``, ``v1``, ...), never from memory
addresses, so the same graph always gives the same DOT text.

The pieces, one job each, beside this module in ``autograd.draw``: ``nodes`` (records,
operations, edges), ``highlight`` (the colours of a highlighted node or step, the legend),
``clusters`` (boxes of recorded calls, collapsed calls) and ``parts`` (what one operation
draws, fused ones expanded).
"""

from __future__ import annotations

from collections.abc import Mapping

from autograd.backprop import check_value, topological_order
from autograd.backward_steps import Step
from autograd.draw.clusters import Clusters
from autograd.draw.entries import Entry, Recorded, graph_entry
from autograd.draw.highlight import LEGEND as LEGEND  # re-exported: the stepper shows it
from autograd.draw.highlight import Highlight, legend_label
from autograd.draw.nodes import Nodes, Records
from autograd.draw.render import StepgradDigraph
from autograd.notation import op_text as op_text  # re-exported: how an op reads in pictures
from autograd.scopes import ScopeRecording
from autograd.value import Value

__all__ = ["LEGEND", "MAX_NODES", "DotGraph", "Drawing", "draw_dot", "op_text"]

_RANKDIRS = ("LR", "RL", "TB", "BT")
_COMPACT = {"ranksep": "0.3", "nodesep": "0.15"}
_FORMATS = ("svg", "png", "json", "dot", "plain", "jpg", "gif")
MAX_NODES = 500  # more Values than this make a picture that is slow to render and unreadable
_DEFAULTS = {
    "rankdir": "LR",
    "precision": 4,
    "show_grad": True,
    "show_local": False,
    "scopes": None,
    "expand_fused": False,
    "collapse": False,
    "max_nodes": MAX_NODES,
    "format": "svg",
    "legend": None,
    "compact": False,
    "tangents": None,
}
_CHECKED = ("rankdir", "precision", "max_nodes", "scopes", "collapse", "format", "tangents")


class DotGraph(Recorded, StepgradDigraph):
    """The ``graphviz.Digraph`` that ``draw_dot`` returns: shows as SVG with a PNG beside it.

    Jupyter shows the SVG where it trusts the notebook and the PNG where it does not (a stored
    notebook opened fresh, GitHub), so saved notebooks show their graphs either way. Beside
    its DOT text it keeps what each node and edge shows as data (``entries``, see
    ``autograd.draw.entries``).
    """


def draw_dot(
    root: Value,
    *,
    rankdir: str = "LR",
    precision: int = 4,
    show_grad: bool = True,
    show_local: bool = False,
    highlight: Value | Step | None = None,
    scopes: ScopeRecording | None = None,
    expand_fused: bool = False,
    collapse: bool = False,
    max_nodes: int | None = MAX_NODES,
    format: str = "svg",
    legend: bool | None = None,
    compact: bool = False,
    tangents: Mapping[Value, float] | None = None,
) -> DotGraph:
    """Draw the graph that computed ``root``.

    Args:
        root: the output Value; every node it depends on is drawn. A node without a label
            is called ``n`` and its place in the topological order (``n3``), as in
            ``Step.explain``.
        rankdir: layout direction, ``"LR"`` (left to right, the default), ``"TB"``, ...
        precision: digits after the point for every number shown.
        show_grad: show each node's ``.grad`` (``False`` for a forward-only picture).
        show_local: label each edge with the local derivative d(node)/d(operand).
        highlight: a node to mark, or a ``Step`` from ``backward_steps``: its node is marked,
            the edges it just used are red and labelled with what they added, the nodes whose
            gradient is final (every node that uses them has been handled) are green, and a
            legend under the picture says so.
        scopes: a ``ScopeRecording`` from ``record_scopes()``: the nodes made inside each
            recorded call (a neuron, a layer) are drawn inside a labelled box.
        expand_fused: draw ``sum`` and ``affine`` nodes as the chain of ``+`` and ``*`` they
            stand for (micrograd's picture of a neuron), with the intermediate values.
        collapse: with ``scopes``, draw each innermost recorded call (a neuron) as one box
            named after the calls around it (``Layer 1, Neuron 3``) showing its output, so a
            network's graph reads like a network diagram; a step's colours mark the boxes.
        max_nodes: refuse graphs that would draw more Values than this (ValueError, saying
            how to override); None for no limit. Collapsed calls count as one.
        compact: a narrower picture for wide graphs: ``data`` over ``grad`` in each box,
            small operation nodes, less space between ranks (the steppers use it).
        legend: put the legend of the colours under the picture (default: when ``highlight``
            is a Step).
        format: the returned graph's ``format`` for ``.render()`` (``"svg"``, ``"png"``);
            micrograd's ``draw_dot(root, format="svg", rankdir="LR")`` works as written.
        tangents: forward-mode derivatives (tangents) of some nodes: each node in the mapping
            shows a ``tangent`` field after its data, with the same precision; nodes not in
            the mapping show none.

    Returns a ``DotGraph`` (a ``graphviz.Digraph``): it shows inline in Jupyter (SVG, with a
    PNG for untrusted notebooks), and ``.pipe(format="svg")`` or ``.render(...)`` make
    pictures (a system ``dot`` or the bundled renderer is used).

    >>> from autograd import Value, draw_dot
    >>> a = Value(2.0, label="a")
    >>> b = a + a
    >>> dot = draw_dot(b)
    >>> dot.source.count("->")  # a -> +, a -> + (two uses), + -> b
    3
    >>> print(draw_dot(a * 3.0, show_grad=False, show_local=True, precision=1).source)
    digraph {
    ...
        v0 [label="{ a | data 2.0 }" shape=record]
        v1 [label="{ n1 | data 6.0 }" shape=record]
        v1_op [label="* 3" shape=oval]
        v0 -> v1_op [label="local 3.0"]
        v1_op -> v1
    }
    >>> x = Value(3.0, label="x")
    >>> y = x * x
    >>> print(draw_dot(y, show_grad=False, tangents={x: 1.0, y: 6.0}, precision=1).source)
    digraph {
    ...
        v0 [label="{ x | data 3.0 | tangent 1.0 }" shape=record]
        v1 [label="{ n1 | data 9.0 | tangent 6.0 }" shape=record]
    ...
    """
    drawing = Drawing(
        root,
        rankdir=rankdir,
        precision=precision,
        show_grad=show_grad,
        show_local=show_local,
        scopes=scopes,
        expand_fused=expand_fused,
        collapse=collapse,
        max_nodes=max_nodes,
        format=format,
        legend=legend,
        compact=compact,
        tangents=tangents,
    )
    return drawing.dot(highlight)


class Drawing:
    """The picture of ``root``'s graph with ``draw_dot``'s options, at any state of its nodes.

    What does not change from one state to the next (the nodes in order, their names, the
    boxes of recorded calls) is worked out once; ``dot(highlight)`` draws the graph as its
    nodes are now, and ``entries(highlight)`` gives only what that picture shows, as data
    (``autograd.draw.entries.Entry``), in the order of the DOT lines. ``entries`` redraws only
    the nodes whose numbers, name or colours changed since its last call: a stepper's page
    asks it for every position. ``unknown`` shows a data or grad that is nan as ``?``;
    ``title`` (of ``dot``/``entries``) is a label above the picture.
    """

    def __init__(self, root: Value, *, unknown: bool = False, **options) -> None:
        if wrong := sorted(set(options) - set(_DEFAULTS)):
            raise TypeError(
                f"draw_dot: unexpected option {wrong[0]!r} (the options are {sorted(_DEFAULTS)})"
            )
        options = {**_DEFAULTS, **options}
        _check_options(root, **{k: options[k] for k in _CHECKED})
        self.root, self.options, self.unknown = root, options, unknown
        self.order = topological_order(root)
        if not options["collapse"]:  # before anything else is worked out for a graph too big
            _check_size(len(self.order), options["max_nodes"])
        self.names = {v: f"v{i}" for i, v in enumerate(self.order)}
        self.titles = _Titles(self.order)
        self.clusters = Clusters(options["scopes"], self.names, options["collapse"])
        shown = len(self.order) - len(self.clusters.hidden) + len(self.clusters.calls)
        _check_size(shown, options["max_nodes"])
        self._memo: dict[Value, tuple[tuple | None, list[Entry]]] = {}
        self._slots: list[tuple[object, int]] | None = None

    def dot(
        self, highlight: Value | Step | None = None, *, show_local=None, title=None
    ) -> DotGraph:
        """The picture (DOT text, and its entries beside it) with ``highlight`` marked."""
        marks, records, nodes = self._parts(highlight, show_local)
        o = self.options
        clusters = Clusters(o["scopes"], self.names, o["collapse"])  # fresh boxes to fill
        dot = _new_graph(
            o["rankdir"], o["compact"], spread=bool(clusters.calls), format=o["format"]
        )
        if (legend := self._legend(marks)) is not None:
            dot.add(legend)
        clusters.draw_calls(dot, records, marks)
        for v in self.order:
            nodes.draw(v, clusters.box_of(v, dot))
        clusters.attach(dot)  # the boxes after the nodes at the top, the edges last
        nodes.add_edges(dot)
        if title is not None:
            dot.add(graph_entry(title, labelloc="t"))
        return dot

    def entries(
        self, highlight: Value | Step | None = None, *, show_local=None, title=None
    ) -> list[Entry]:
        """What ``dot(highlight, ...)`` shows, as entries in the order of its DOT lines."""
        marks, records, nodes = self._parts(highlight, show_local)
        groups: dict[object, list[Entry]] = {}
        if (legend := self._legend(marks)) is not None:
            groups["legend"] = [legend]
        groups["calls"] = [self.clusters.call_entry(i, records, marks) for i in self.clusters.calls]
        state = _State(nodes, marks)
        for v in self.order:
            now = state(v)
            kept = self._memo.get(v)
            if now is not None and kept is not None and kept[0] == now:
                groups[v] = kept[1]
            else:
                groups[v] = self._redraw(v, nodes, now)
        if title is not None:
            groups["title"] = [graph_entry(title, labelloc="t")]
        if self._slots is None:
            self._slots = (
                _slots(self.dot(highlight, show_local=show_local, title=title), groups)
                if self.clusters.boxes
                else _unboxed(groups)
            )
        return [groups[origin][j] for origin, j in self._slots]

    def _parts(self, highlight, show_local) -> tuple[Highlight, Records, Nodes]:
        o = self.options
        marks = Highlight(highlight, self.order, self.root)
        adds = marks.adds if o["compact"] else {}  # wide pictures show them on the edges
        tangents = o["tangents"] or {}
        records = Records(
            o["precision"], o["show_grad"], o["compact"], tangents, adds, self.unknown
        )
        local = o["show_local"] if show_local is None else show_local
        nodes = Nodes(
            self.names,
            records,
            marks,
            self.clusters.alias,
            expand_fused=o["expand_fused"],
            show_local=local,
            titles=self.titles,
        )
        return marks, records, nodes

    def _legend(self, marks: Highlight) -> Entry | None:
        legend = self.options["legend"]
        if not (marks.step is not None if legend is None else legend):
            return None
        return graph_entry(legend_label(), labelloc="b", labeljust="l", fontsize="10")

    def _redraw(self, v: Value, nodes: Nodes, state: tuple | None) -> list[Entry]:
        """What ``v`` draws (its record, operation, operand edges), kept with its state."""
        drawn: list[Entry] = []
        sink = _List(drawn)
        start = len(nodes.edges.edges)
        nodes.draw(v, sink)
        nodes.add_edges(sink, start)
        self._memo[v] = (state, drawn)
        return drawn


class _List:
    """A sink that keeps the entries only (no DOT)."""

    def __init__(self, into: list[Entry]) -> None:
        self.add = into.append


class _State:
    """Everything the drawing of a node reads: equal states draw the same entries.

    None where nodes are collapsed into boxes (their edges depend on the nodes drawn before).
    """

    def __init__(self, nodes: Nodes, marks: Highlight) -> None:
        self.nodes, self.marks = nodes, marks
        self.operands = nodes.show_local or nodes.expand_fused  # local derivatives, partial sums
        self.added = marks.step.added if marks.step is not None else None

    def __call__(self, v: Value) -> tuple | None:
        nodes, marks = self.nodes, self.marks
        if nodes.edges.alias:
            return None
        current = v is marks.current
        return (
            v.data,
            v.grad,
            v.label,
            current,
            v in marks.done,
            v in marks.receiving,
            nodes.show_local,
            nodes.records.adds.get(v),
            self.added if current else None,
            tuple(p.data for p in v.parents) if self.operands else None,
        )


class _Titles:
    """What the picture calls each node (``node_names``), read when asked: labels may change."""

    def __init__(self, order: list[Value]) -> None:
        self.unnamed = {v: f"n{i}" for i, v in enumerate(order)}

    def __getitem__(self, v: Value) -> str:
        return v.label or self.unnamed[v]


def _unboxed(groups: dict[object, list[Entry]]) -> list[tuple[object, int]]:
    """Where each entry of a picture without boxes comes from: nodes, then edges, then title."""
    slots = [
        (origin, j)
        for origin, entries in groups.items()
        for j, entry in enumerate(entries)
        if entry.kind != "edge" and origin != "title"
    ]
    slots += [
        (origin, j)
        for origin, entries in groups.items()
        for j, entry in enumerate(entries)
        if entry.kind == "edge"
    ]
    return slots + ([("title", 0)] if "title" in groups else [])


def _slots(dot: DotGraph, groups: dict[object, list[Entry]]) -> list[tuple[object, int]]:
    """Where each entry of ``dot`` comes from: (its group, its place in the group)."""
    found: dict[tuple[str, int], tuple[object, int]] = {}
    seen: dict[str, int] = {}
    for origin, entries in groups.items():
        for j, entry in enumerate(entries):
            seen[entry.key] = seen.get(entry.key, -1) + 1
            found[(entry.key, seen[entry.key])] = (origin, j)
    seen.clear()
    slots = []
    for entry in dot.entries:
        seen[entry.key] = seen.get(entry.key, -1) + 1
        slots.append(found[(entry.key, seen[entry.key])])
    return slots


# ----------------------------------------------------------------------------------------------
# helpers


def _new_graph(rankdir: str, compact: bool, *, spread: bool, format: str) -> DotGraph:
    """An empty picture; ``spread`` leaves room for the edges between collapsed layers."""
    return DotGraph(
        graph_attr={
            "rankdir": rankdir,
            **(_COMPACT if compact else {}),
            **({"ranksep": "1.2"} if spread else {}),
        },
        node_attr={"fontsize": "11"},
        edge_attr={"fontsize": "10"},
        format=format,
    )


def _check_size(count: int, max_nodes: int | None) -> None:
    """Refuse a picture of more than ``max_nodes`` Values (None: no limit)."""
    if max_nodes is not None and count > max_nodes:
        raise _too_big(count, max_nodes)


def _too_big(count: int, max_nodes: int) -> ValueError:
    return ValueError(
        f"draw_dot: the graph has {count} Values to draw, more than max_nodes={max_nodes}; a "
        "picture that big is slow to render and hard to read. Draw a smaller graph (one example, a "
        "smaller network), draw a network's neurons as boxes (record_scopes() and "
        "scopes=..., collapse=True), or pass max_nodes=None (or a larger number) to draw it "
        "anyway"
    )


def _check_options(root, rankdir, precision, max_nodes, scopes, collapse, format, tangents) -> None:
    check_value(root, "draw_dot")
    if rankdir not in _RANKDIRS:
        raise ValueError(f"draw_dot: rankdir must be one of {_RANKDIRS} (got {rankdir!r})")
    if format not in _FORMATS:
        raise ValueError(f"draw_dot: format must be one of {_FORMATS} (got {format!r})")
    if isinstance(precision, bool) or not isinstance(precision, int) or precision < 0:
        raise ValueError(f"draw_dot: precision must be an int >= 0 (got {precision!r})")
    if max_nodes is not None and (
        isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1
    ):
        raise ValueError(f"draw_dot: max_nodes must be an int >= 1 or None (got {max_nodes!r})")
    if scopes is not None and not isinstance(scopes, ScopeRecording):
        raise TypeError(
            f"draw_dot: scopes must come from record_scopes() (got {type(scopes).__name__})"
        )
    if collapse and scopes is None:
        raise ValueError(
            "draw_dot: collapse=True needs the calls to collapse: pass scopes= (from "
            "record_scopes())"
        )
    _check_tangents(tangents)


def _check_tangents(tangents) -> None:
    """``tangents`` is None or a mapping from Values to real numbers."""
    if tangents is None:
        return
    if not isinstance(tangents, Mapping):
        raise TypeError(
            "draw_dot: tangents must be a mapping from Values to numbers "
            f"(got {type(tangents).__name__})"
        )
    for v, t in tangents.items():
        if not isinstance(v, Value):
            raise TypeError(f"draw_dot: tangents keys must be Values (got {type(v).__name__})")
        if isinstance(t, bool) or not isinstance(t, int | float):
            raise TypeError(
                f"draw_dot: the tangent of {v!r} must be a number (got {type(t).__name__})"
            )
