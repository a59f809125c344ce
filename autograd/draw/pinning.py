"""One layout for many pictures of the same graph: the frames of a stepper hold still.

The frames of a stepper draw the same nodes and edges with different numbers and colours.
Laid out one by one, ``dot`` would move the nodes whenever a label grows or an edge gets a
label. Here ``dot`` lays out one graph that holds, for every node and edge, its widest label
over all frames (``widest``); its positions are read from graphviz's JSON output, as data
(``Layout``). Every frame then gets those positions (and the edges' curves) written into its
DOT lines and is drawn by ``neato -n2``, which draws what it is given without moving it. The
frames are ``autograd.draw.entries.Recorded`` graphs (what ``draw_dot`` returns): each node's
and edge's name comes from the entry kept beside its DOT line, never from the DOT text.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import NamedTuple

from autograd.draw.entries import Entry, Recorded, label_width, with_entries
from autograd.draw.render import StepgradDigraph, current_renderer_function

__all__ = ["Layout", "PinnedGraph", "layout", "pin", "pinned", "widest"]


class PinnedGraph(StepgradDigraph):
    """A ``graphviz.Digraph`` whose nodes and edges carry their positions: drawn as given.

    ``pipe``/``render`` (and so Jupyter's display) run the ``neato`` engine in its no-layout
    mode (``-n2``), so every picture drawn with the same positions puts each node in the same
    place. Displays as SVG with a PNG beside it (stored notebooks show the PNG untrusted).
    """

    def pipe(self, format=None, renderer=None, formatter=None, neato_no_op=2, **kwargs):
        """``graphviz.Digraph.pipe`` with ``neato -n2``: the pinned positions, drawn as given."""
        kwargs.setdefault("engine", "neato")
        return super().pipe(format, renderer, formatter, neato_no_op, **kwargs)

    def render(self, *args, neato_no_op=2, **kwargs):
        """``graphviz.Digraph.render`` with ``neato -n2``, as ``pipe``."""
        kwargs.setdefault("engine", "neato")
        return super().render(*args, neato_no_op=neato_no_op, **kwargs)


class Layout(NamedTuple):
    """Where graphviz put everything: read from its JSON output (``-Tjson``), as data.

    ``bb`` is the picture's bounding box; ``nodes`` maps a node's name to (pos, width,
    height); ``edges`` maps (tail, head) to the (pos, label pos) of each edge between them, in
    order; ``clusters`` maps a cluster's name to its bounding box.
    """

    bb: str
    nodes: dict[str, tuple[str, float, float]]
    edges: dict[tuple[str, str], list[tuple[str, str | None]]]
    clusters: dict[str, str]


def widest(columns: Sequence[Sequence[Entry]]) -> list[Entry]:
    """Per entry, the one with the widest label over all pictures (the first of equals)."""
    return [max(_distinct(column), key=label_width) for column in columns]


def layout(graph: StepgradDigraph) -> Layout:
    """Lay ``graph`` out with ``dot`` and read where everything went.

    A renderer program writes ``json0`` (the layout without the drawing instructions: a
    quarter of the text to parse); a renderer function gets ``json``, which every one makes.
    """
    form = "json0" if current_renderer_function() is None else "json"
    placed = json.loads(graph.pipe(format=form, engine="dot", encoding="utf-8"))
    nodes, clusters, names = {}, {}, {}
    for obj in placed.get("objects", []):
        names[obj["_gvid"]] = obj["name"]
        if "nodes" in obj or ("bb" in obj and obj["name"].startswith("cluster")):
            clusters[obj["name"]] = obj["bb"]
        else:
            nodes[obj["name"]] = (obj["pos"], obj["width"], obj["height"])
    edges = defaultdict(list)
    for edge in sorted(placed.get("edges", []), key=lambda e: e["_gvid"]):
        edges[(names[edge["tail"]], names[edge["head"]])].append((edge["pos"], edge.get("lp")))
    return Layout(placed["bb"], nodes, dict(edges), clusters)


def pinned(graph: Recorded, where: Layout) -> PinnedGraph:
    """``graph`` with every node and edge at its place in ``where``: drawn by ``neato -n2``."""
    frame = PinnedGraph(
        name=graph.name,
        graph_attr={**graph.graph_attr, "bb": where.bb},
        node_attr=graph.node_attr,
        edge_attr=graph.edge_attr,
        format=graph.format,
    )
    body = list(graph.body)
    used: defaultdict[str, int] = defaultdict(int)
    for line, entry in zip(graph.entry_lines, graph.entries):
        if entry.kind == "edge":
            tail, head = entry.key.split("->")
            pos, lp = where.edges[(tail, head)][used[entry.key]]
            used[entry.key] += 1
            placed = f'pos="{pos}"' + (f' lp="{lp}"' if lp and entry.label is not None else "")
            body[line] = _with_attrs(body[line], placed)
        elif entry.kind == "node":
            pos, width, height = where.nodes[entry.key]
            body[line] = _with_attrs(
                body[line], f'pos="{pos}" width={width} height={height} fixedsize=true'
            )
    for line, name in reversed(graph.boxes):  # from the end: the lines before stay in place
        indent = body[line][: len(body[line]) - len(body[line].lstrip("\t"))]
        body.insert(line + 1, f'{indent}\tbb="{where.clusters[name]}"\n')
    frame.body = body + _corners(where.bb)
    return frame


def pin(graphs: Sequence[Recorded]) -> list[PinnedGraph]:
    """The same pictures with one shared layout (ValueError if they are not one graph)."""
    if not graphs:
        return []
    shapes = {tuple(entry.key for entry in g.entries) for g in graphs}
    if len(shapes) != 1 or len({len(g.body) for g in graphs}) != 1:
        raise ValueError("pin: the pictures must draw the same nodes and edges in the same order")
    columns = list(zip(*(g.entries for g in graphs)))
    where = layout(with_entries(graphs[0], widest(columns)))
    return [pinned(graph, where) for graph in graphs]


def _distinct(column: Sequence[Entry]) -> list[Entry]:
    """The entries of a column, each object once (most are the same at every position)."""
    return list(dict(zip(map(id, column), column)).values())


def _corners(bb: str) -> list[str]:
    """Two invisible points at the corners of the layout: every frame gets the same size."""
    x0, y0, x1, y1 = bb.split(",")
    return [
        f'\t_corner{i} [pos="{x},{y}" shape=point style=invis width=0 height=0 label=""]\n'
        for i, (x, y) in enumerate([(x0, y0), (x1, y1)])
    ]


def _with_attrs(entry: str, attrs: str) -> str:
    text = entry.rstrip("\n")
    if text.endswith("]"):
        return f"{text[:-1]} {attrs}]\n"
    return f"{text} [{attrs}]\n"
