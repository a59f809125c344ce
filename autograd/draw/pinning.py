"""One layout for many pictures of the same graph: the frames of a stepper hold still.

The frames of a stepper draw the same nodes and edges with different numbers and colours.
Laid out one by one, ``dot`` would move the nodes whenever a label grows or an edge gets a
label. Here ``dot`` lays out one graph that holds, for every node and edge, its widest label
over all frames; every frame then gets those positions (and the edges' curves) written into
its DOT text and is drawn by ``neato -n2``, which draws what it is given without moving it.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict

import graphviz

from autograd.draw.render import StepgradDigraph

__all__ = ["PinnedGraph", "pin"]

_NODE = re.compile(r"^\t+(?!(?:graph|node|edge) \[)(\w+) \[")
_EDGE = re.compile(r"^\t+(\w+) -> (\w+)")
_CLUSTER = re.compile(r"^\t+subgraph (cluster_\w+) \{")
_LABEL = re.compile(r'label=("(?:[^"\\]|\\.)*"|<.*>|\S+)', re.S)


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


def pin(graphs: list[graphviz.Digraph]) -> list[PinnedGraph]:
    """The same pictures with one shared layout (ValueError if they are not one graph)."""
    if not graphs:
        return []
    bodies = [g.body for g in graphs]
    shapes = {tuple(_key(entry) for entry in body) for body in bodies}
    if len(shapes) != 1:
        raise ValueError("pin: the pictures must draw the same nodes and edges in the same order")
    widest = [max(column, key=_label_width) for column in zip(*bodies)]
    layout = graphs[0].copy()
    layout.body = widest
    placed = json.loads(layout.pipe(format="json", engine="dot", encoding="utf-8"))
    where = _positions(placed)
    pinned = []
    for graph in graphs:
        frame = PinnedGraph(
            name=graph.name,
            graph_attr={**graph.graph_attr, "bb": placed["bb"]},
            node_attr=graph.node_attr,
            edge_attr=graph.edge_attr,
            format=graph.format,
        )
        frame.body = _pinned_body(graph.body, where) + _corners(placed["bb"])
        pinned.append(frame)
    return pinned


def _key(entry: str) -> str:
    """What an entry of a DOT body draws (its node, its edge, its cluster), without labels."""
    for pattern in (_EDGE, _NODE, _CLUSTER):
        if m := pattern.match(entry):
            return " ".join(m.groups())
    return entry if "label" not in entry else "attrs"


def _label_width(entry: str) -> tuple[int, int]:
    """The size of an entry's label: its longest line, its number of lines (0, 0 without)."""
    m = _LABEL.search(entry)
    if m is None:
        return (0, 0)
    lines = re.split(r"\\n|\n", m.group(1).strip('"'))
    return (max(len(line) for line in lines), len(lines))


def _positions(placed: dict) -> dict:
    """Node name -> (pos, width, height); (tail, head) -> [(pos, lp)]; cluster -> bb."""
    nodes, clusters = {}, {}
    names = {}
    for obj in placed.get("objects", []):
        names[obj["_gvid"]] = obj["name"]
        if "nodes" in obj or ("bb" in obj and obj["name"].startswith("cluster")):
            clusters[obj["name"]] = obj["bb"]
        else:
            nodes[obj["name"]] = (obj["pos"], obj["width"], obj["height"])
    edges = defaultdict(list)
    for edge in sorted(placed.get("edges", []), key=lambda e: e["_gvid"]):
        key = (names[edge["tail"]], names[edge["head"]])
        edges[key].append((edge["pos"], edge.get("lp")))
    return {"nodes": nodes, "edges": edges, "clusters": clusters}


def _pinned_body(body: list[str], where: dict) -> list[str]:
    used: defaultdict[tuple[str, ...], int] = defaultdict(int)
    out = []
    for entry in body:
        if m := _EDGE.match(entry):
            key = m.groups()
            pos, lp = where["edges"][key][used[key]]
            used[key] += 1
            attrs = f'pos="{pos}"' + (f' lp="{lp}"' if lp and _LABEL.search(entry) else "")
            out.append(_with_attrs(entry, attrs))
        elif m := _NODE.match(entry):
            pos, width, height = where["nodes"][m.group(1)]
            attrs = f'pos="{pos}" width={width} height={height} fixedsize=true'
            out.append(_with_attrs(entry, attrs))
        elif m := _CLUSTER.match(entry):
            indent = entry[: len(entry) - len(entry.lstrip("\t"))]
            out.append(entry)
            out.append(f'{indent}\tbb="{where["clusters"][m.group(1)]}"\n')
        else:
            out.append(entry)
    return out


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
