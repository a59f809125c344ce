"""The node and edge groups of a graphviz SVG, keyed as a stepper's page keys them."""

from __future__ import annotations

import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def groups(svg: str) -> dict[str, ET.Element]:
    """Each node's ``<g>`` by its name, each edge's by ``tail->head#n`` (n-th of that pair)."""
    seen: dict[str, int] = {}
    out = {}
    for g in ET.fromstring(svg[svg.index("<svg") :]).iter(f"{SVG}g"):
        kind = (g.get("class") or "graph").split()[0]  # "node sg-current": a node
        if kind not in ("node", "edge"):
            continue
        key = g.find(f"{SVG}title").text
        if kind == "edge":
            seen[key] = seen.get(key, -1) + 1
            key = f"{key}#{seen[key]}"
        out[key] = g
    return out
