"""``draw_dot``: a computation graph as a ``graphviz.Digraph``.

Each Value is a record node (label | data | grad); each operation is a small oval node; each
use of an operand is one edge (``a + a`` shows two). Options highlight a node or a backward
step, show each edge's local derivative, group the nodes made inside network modules into
clusters and draw fused ``sum``/``affine`` nodes as the chain of ``+`` and ``*`` they replace.
Node names come from the topological order (``v0``, ``v1``, ...), never from memory
addresses, so the same graph always gives the same DOT text.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import NamedTuple, cast

import graphviz

from autograd._dot_parts import op_text as op_text  # re-exported: how an op reads in pictures
from autograd._dot_parts import parts_of
from autograd._page import fit
from autograd.backprop import check_value, topological_order
from autograd.render import StepgradDigraph
from autograd.scopes import Scope, ScopeRecording
from autograd.steps import Step, node_names
from autograd.value import Value

_RANKDIRS = ("LR", "RL", "TB", "BT")
_COMPACT = {"ranksep": "0.3", "nodesep": "0.15"}
_SMALL_OP = {"width": "0.3", "height": "0.3", "margin": "0.02"}
_FORMATS = ("svg", "png", "json", "dot", "plain", "jpg", "gif")
MAX_NODES = 500  # more Values than this make a picture that is slow to render and unreadable

# colours: the node being handled, the nodes whose gradient is final, the edges just used
_CURRENT = {"style": "filled", "fillcolor": "#ffd54f", "penwidth": "2"}
_DONE = {"style": "filled", "fillcolor": "#dcedc8"}
_RECEIVING = {"color": "#d32f2f", "penwidth": "2"}
_USED_EDGE = {"color": "#d32f2f", "fontcolor": "#d32f2f", "penwidth": "2"}
_BOX_EDGE = {"color": "#78909c", "arrowsize": "0.5", "penwidth": "0.6"}  # between collapsed calls
LEGEND = (  # the colours of a step picture, in words (also under the stepper's pictures)
    ("#ffd54f", "yellow: the node of this step"),
    ("#d32f2f", "red: each operand and what this step adds to it"),
    ("#dcedc8", "green: gradient final"),
)


class DotGraph(StepgradDigraph):
    """The ``graphviz.Digraph`` that ``draw_dot`` returns: shows as SVG with a PNG beside it.

    Jupyter shows the SVG where it trusts the notebook and the PNG where it does not (a stored
    notebook opened fresh, GitHub), so saved notebooks show their graphs either way.
    """

    def _repr_mimebundle_(self, include=None, exclude=None, **_):
        return mimebundle(self, include, exclude)


def mimebundle(graph: graphviz.Digraph, include=None, exclude=None) -> dict[str, str]:
    """``{"image/svg+xml": svg, "image/png": base64 png}`` of a graph, for Jupyter.

    The SVG scales down to the width of the output area (never up); the PNG is what Jupyter
    shows where it does not trust the notebook.
    """
    wanted = set(include or ("image/svg+xml", "image/png")) - set(exclude or ())
    bundle = {}
    if "image/svg+xml" in wanted:  # scaled to the width of the output, up to its own size
        bundle["image/svg+xml"] = fit(graph.pipe(format="svg", encoding="utf-8"))
    if "image/png" in wanted:  # at 72 dpi (1 px per point): a fallback, kept small
        small = graph.copy()
        small.graph_attr.setdefault("dpi", "72")
        bundle["image/png"] = base64.b64encode(small.pipe(format="png")).decode("ascii")
    return bundle


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
    _check_options(root, rankdir, precision, max_nodes, scopes, collapse, format)
    _check_tangents(tangents)
    tangent_of = tangents if tangents is not None else {}
    order = topological_order(root)
    if max_nodes is not None and len(order) > max_nodes and not collapse:
        raise _too_big(len(order), max_nodes)
    names = {v: f"v{i}" for i, v in enumerate(order)}
    titles = node_names(order)
    step, current = _highlighted(highlight, names)
    done = _final(order, root, step)
    receiving = set(step.node.parents) if step is not None else set()
    adds: dict[Value, list[float]] = {}  # compact: what each operand receives, in its box
    if step is not None and compact:
        for p, added in zip(step.node.parents, step.added):
            adds.setdefault(p, []).append(added)
    owner = scopes.owners(names) if scopes is not None else {}
    # collapse=True needs scopes (checked above)
    hidden = _collapsed(cast(ScopeRecording, scopes), owner) if collapse else {}
    calls = sorted(set(hidden.values()))
    if max_nodes is not None and len(order) - len(hidden) + len(calls) > max_nodes:
        raise _too_big(len(order) - len(hidden) + len(calls), max_nodes)

    dot = DotGraph(
        graph_attr={
            "rankdir": rankdir,
            **(_COMPACT if compact else {}),
            **({"ranksep": "1.2"} if calls else {}),  # room for the edges between layers
        },
        node_attr={"fontsize": "11"},
        edge_attr={"fontsize": "10"},
        format=format,
    )
    if step is not None if legend is None else legend:
        dot.attr(label=_legend(), labelloc="b", labeljust="l", fontsize="10")
    call_names = _call_names(scopes) if scopes is not None else {}
    boxes = _cluster_boxes(scopes, owner, hidden, call_names)
    fmt = f"{{:.{precision}f}}".format
    for i in calls:  # a collapsed call: one node showing its output
        # calls are the finished calls of scopes (hidden is empty without them)
        call = cast(Scope, cast(ScopeRecording, scopes).scopes[i])
        title = call_names[i][1]
        outs = [o for o in call.outputs if hidden.get(o) == i]
        shown = outs[0] if len(outs) == 1 else None
        label = (
            _record(title, shown, show_grad, fmt, compact, adds.get(shown), tangent_of.get(shown))
            if shown is not None
            else f"{{ {_escape(title)} | {len(outs)} outputs }}"
        )
        inside = [v for v, j in hidden.items() if j == i]
        style = (
            _CURRENT
            # current may be None (no highlight): .get gives None, typeshed wants a Value key
            if hidden.get(current) == i  # type: ignore[arg-type]
            else _DONE
            if inside and all(v in done for v in inside)
            else {}
        )
        if any(v in receiving for v in inside):
            style = {**style, **_RECEIVING}
        boxes.get(call.parent, dot).node(f"s{i}", label, shape="record", **style)
    alias = {names[v]: f"s{i}" for v, i in hidden.items()}  # a hidden node's edges go to its box
    edges = _Edges(alias)
    for v in order:
        if v in hidden:
            for p in v.parents:
                edges.add(names[p], names[v], _USED_EDGE if v is current else None)
            continue
        where = boxes.get(owner.get(v), dot)
        style = _CURRENT if v is current else _DONE if v in done else {}
        if v in receiving:
            style = {**style, **_RECEIVING}
        record = _record(titles[v], v, show_grad, fmt, compact, adds.get(v), tangent_of.get(v))
        where.node(names[v], record, shape="record", **style)
        if not v.parents:
            continue
        parts = parts_of(v, names, expand_fused, show_local)
        for name, data in parts.records:  # intermediate values of an expanded fused node
            record = _record("", _Shown(data, v.grad), show_grad, fmt, compact)
            where.node(name, record, shape="record", **style)
        for name, text in parts.ops:
            where.node(name, _escape(text), shape="oval", **(_SMALL_OP if compact else {}))
        for src, dst, j, local in parts.edges:
            attrs = {}
            labels = [f"local {fmt(local)}"] if show_local and local is not None else []
            if step is not None and v is current and j is not None:
                attrs.update(_USED_EDGE)
                if not compact:  # compact pictures show it in the operand's box
                    labels.append(f"adds {fmt(step.added[j])}")
            if labels:
                attrs["label"] = "\n".join(labels)
            edges.add(src, dst, attrs)
    _attach_boxes(dot, boxes, scopes)
    for src, dst, attrs in edges.edges:
        dot.edge(src, dst, **attrs)
    return dot


# ----------------------------------------------------------------------------------------------
# helpers


class _Shown(NamedTuple):
    """The numbers of a drawn value that is not a node (an expanded fused node's partial sum)."""

    data: float
    grad: float


def _record(label, v, show_grad, fmt, compact=False, adds=None, tangent=None) -> str:
    """A record label: ``{ label | data ... | tangent ... | grad ... }`` (compact: stacked)."""
    numbers = [f"data {fmt(v.data)}"]
    if tangent is not None:
        numbers.append(f"tangent {fmt(tangent)}")
    if show_grad:
        numbers.append(f"grad {fmt(v.grad)}")
    if adds:
        numbers.append("adds " + " + ".join(fmt(a) for a in adds))
    if compact and len(numbers) > 1:
        numbers = ["{ " + " | ".join(numbers) + " }"]
    fields = [_escape(label)] if label else []
    return "{ " + " | ".join(fields + numbers) + " }"


class _Edges:
    """The edges to draw, in order; edges of collapsed calls go to their box, once each."""

    def __init__(self, alias: dict[str, str]) -> None:
        self.alias = alias
        self.edges: list[tuple[str, str, dict]] = []
        self._box_edges: set[tuple[str, str]] = set()

    def add(self, src: str, dst: str, attrs: dict | None = None) -> None:
        if src not in self.alias and dst not in self.alias:
            self.edges.append((src, dst, attrs or {}))  # every operand use is its own edge
            return
        src, dst = self.alias.get(src, src), self.alias.get(dst, dst)
        if src != dst and (src, dst) not in self._box_edges:
            self._box_edges.add((src, dst))
            self.edges.append((src, dst, dict(attrs or _BOX_EDGE)))


def _highlighted(highlight, names: dict) -> tuple[Step | None, Value | None]:
    """The step (if a Step was given) and the node to mark, checked against the graph."""
    if highlight is not None and not isinstance(highlight, Value | Step):
        raise TypeError(
            f"draw_dot: highlight must be a Value or a Step (got {type(highlight).__name__})"
        )
    step = highlight if isinstance(highlight, Step) else None
    current = step.node if step is not None else cast("Value | None", highlight)  # no Step
    if current is not None and current not in names:
        raise ValueError(
            f"draw_dot: highlight must be a node of the graph of root (got {current!r})"
        )
    return step, current


def _too_big(count: int, max_nodes: int) -> ValueError:
    return ValueError(
        f"draw_dot: the graph has {count} Values to draw, more than max_nodes={max_nodes}; a "
        "picture that big is slow to render and hard to read. Draw a smaller graph (one example, a "
        "smaller network), draw a network's neurons as boxes (record_scopes() and "
        "scopes=..., collapse=True), or pass max_nodes=None (or a larger number) to draw it "
        "anyway"
    )


def _collapsed(scopes: ScopeRecording, owner: dict) -> dict[Value, int]:
    """The nodes of innermost calls (calls with no drawn call inside), mapped to the call."""
    used = set(owner.values())
    outer = {a for i in used for a in scopes.ancestors(i)[1:]}
    return {v: i for v, i in owner.items() if i not in outer}


def _final(order: list[Value], root: Value, step: Step | None) -> set[Value]:
    """The nodes whose gradient is final after ``step``: every node using them is handled.

    The root is final from the first step on; a leaf once the last node using it is done.
    """
    if step is None:
        return set()
    walk = [v for v in reversed(order) if v.parents]
    if not (0 < step.index <= len(walk) and walk[step.index - 1] is step.node):
        raise ValueError(
            f"draw_dot: highlight is step {step.index} of a backward pass that is not from "
            "root (draw a step with the root it was taken from)"
        )
    users = dict.fromkeys(order, 0)
    for v in walk:
        for p in set(v.parents):
            users[p] += 1
    final = {root}
    for v in walk[: step.index]:
        for p in set(v.parents):
            users[p] -= 1
            if users[p] == 0:
                final.add(p)
    return final


def _legend() -> str:
    """The colours of a step picture, as an HTML-like graph label."""
    cells = "".join(
        f'<td bgcolor="{colour}" width="12" height="10"></td><td align="left">{text}</td>'
        for colour, text in LEGEND
    )
    return f'<<table border="0" cellspacing="4"><tr>{cells}</tr></table>>'


def _call_names(scopes: ScopeRecording) -> dict[int, tuple[str, str]]:
    """Each call's own name (``Neuron 3``) and its full name (``Layer 1, Neuron 3``).

    A call is numbered among the calls of the same name inside the same call; a lone call at
    the top (the network itself) keeps its bare name and is left out of the full names.
    """
    counts: dict[tuple, int] = {}
    own: dict[int, str] = {}
    numbered: dict[int, bool] = {}
    for i, call in enumerate(scopes.scopes):
        if call is None:
            continue
        key = (call.parent, call.name)
        counts[key] = counts.get(key, 0) + 1
        own[i] = f"{call.name} {counts[key]}"
    for i, call in enumerate(scopes.scopes):
        if call is not None:
            numbered[i] = call.parent is not None or counts[(None, call.name)] > 1
            if not numbered[i]:
                own[i] = call.name
    names = {}
    for i in own:
        path = [own[a] for a in reversed(scopes.ancestors(i)) if numbered.get(a)]
        names[i] = (own[i], ", ".join(path) or own[i])
    return names


def _cluster_boxes(
    scopes: ScopeRecording | None, owner: dict, hidden: dict, call_names: dict
) -> dict[int | None, graphviz.Digraph]:
    """One subgraph per call that holds a drawn node or a collapsed call, and the calls around.

    Keyed by call index; None (the top level) is never a key, so ``.get(owner, dot)`` works.
    """
    if scopes is None:
        return {}
    homes = {i for v, i in owner.items() if v not in hidden}
    homes |= {scopes.scopes[i].parent for i in set(hidden.values())} - {None}
    used = {a for index in homes for a in scopes.ancestors(index)}
    return {
        i: graphviz.Digraph(
            name=f"cluster_{i}",
            graph_attr={"label": call_names[i][0], "style": "rounded", "color": "#9e9e9e"},
        )
        for i in sorted(used)
    }


def _attach_boxes(dot: graphviz.Digraph, boxes: dict, scopes: ScopeRecording | None) -> None:
    """Put each box inside its enclosing call's box (inner calls first), the rest in ``dot``."""
    recording = cast(ScopeRecording, scopes)  # boxes is empty without scopes
    for i in sorted(boxes, key=lambda i: (-len(recording.ancestors(i)), i)):  # innermost first
        parent = cast(Scope, recording.scopes[i]).parent  # boxes are of finished calls
        (boxes[parent] if parent is not None else dot).subgraph(boxes[i])


def _check_options(root, rankdir, precision, max_nodes, scopes, collapse, format) -> None:
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


def _escape(text: str) -> str:
    """Escape the characters that have a meaning inside a record label."""
    for ch in '\\{}|<>"':
        text = text.replace(ch, "\\" + ch)
    return text
