"""Where ``draw_dot`` puts each node when it has scopes: in the box of its call, or collapsed.

With a ``ScopeRecording`` every recorded call (a neuron, a layer) that made a drawn node is a
labelled box (a graphviz cluster), nested like the calls. With ``collapse`` each innermost call
is one record node instead (``s3``), named after its place (``Layer 1, Neuron 3``) and showing
its output; the edges into and out of the nodes it hides are drawn once each, to the box.
"""

from __future__ import annotations

from typing import cast

from autograd.draw.entries import Entry, Recorded, node_entry, record_label
from autograd.draw.highlight import Highlight
from autograd.draw.nodes import Records, escape, plain_label
from autograd.scopes import Scope, ScopeRecording
from autograd.value import Value

__all__ = ["Clusters", "call_names", "collapsed_nodes"]


class Clusters:
    """The boxes of the recorded calls, and the nodes hidden in collapsed calls.

    Without ``scopes`` there are none: every node is drawn at the top level of the graph.
    """

    def __init__(
        self, scopes: ScopeRecording | None, names: dict[Value, str], collapse: bool
    ) -> None:
        self.recording = scopes if scopes is not None else ScopeRecording()
        self.owner = self.recording.owners(names)
        # the nodes drawn as their call's box, and those calls
        self.hidden = collapsed_nodes(self.recording, self.owner) if collapse else {}
        self.calls = sorted(set(self.hidden.values()))
        self.titles = call_names(self.recording)
        self.alias = {names[v]: f"s{i}" for v, i in self.hidden.items()}  # edges go to the box
        self.boxes = self._boxes()

    def box_of(self, v: Value, top: Recorded) -> Recorded:
        """The box ``v`` is drawn in: its call's, or ``top`` when no recorded call made it."""
        return self._box(self.owner.get(v), top)

    def draw_calls(self, top: Recorded, labels: Records, marks: Highlight) -> None:
        """One record node per collapsed call, showing its output (or how many it has)."""
        for i in self.calls:
            self._box(self._call(i).parent, top).add(self.call_entry(i, labels, marks))

    def call_entry(self, i: int, labels: Records, marks: Highlight) -> Entry:
        """The record node of collapsed call ``i``: its output (or how many it has)."""
        title = self.titles[i][1]
        outs = [o for o in self._call(i).outputs if self.hidden.get(o) == i]
        label = (
            labels.value(title, outs[0])
            if len(outs) == 1
            else record_label([escape(title), f"{len(outs)} outputs"])
        )
        inside = [v for v, j in self.hidden.items() if j == i]
        return node_entry(f"s{i}", *label, shape="record", **marks.style(inside))

    def attach(self, top: Recorded) -> None:
        """Put each box inside its enclosing call's box (inner calls first), the rest in ``top``."""
        for i in sorted(self.boxes, key=lambda i: (-len(self.recording.ancestors(i)), i)):
            self._box(self._call(i).parent, top).add_box(self.boxes[i])

    def _box(self, call: int | None, top: Recorded) -> Recorded:
        """The box of ``call``; ``top`` for None (made outside every recorded call)."""
        return self.boxes.get(call, top) if call is not None else top

    def _boxes(self) -> dict[int, Recorded]:
        """One subgraph per call that holds a drawn node or a collapsed call, and the calls around.

        Keyed by call index.
        """
        homes = {i for v, i in self.owner.items() if v not in self.hidden}
        homes |= {p for i in self.calls if (p := self._call(i).parent) is not None}
        used = {a for index in homes for a in self.recording.ancestors(index)}
        return {
            i: Recorded(
                name=f"cluster_{i}",
                graph_attr={
                    "label": plain_label(self.titles[i][0]),
                    "style": "rounded",
                    "color": "#9e9e9e",
                },
            )
            for i in sorted(used)
        }

    def _call(self, i: int) -> Scope:
        # boxes and collapsed calls are calls that made drawn nodes: finished, never None
        return cast(Scope, self.recording.scopes[i])


def collapsed_nodes(scopes: ScopeRecording, owner: dict[Value, int]) -> dict[Value, int]:
    """The nodes of innermost calls (calls with no drawn call inside), mapped to the call."""
    used = set(owner.values())
    outer = {a for i in used for a in scopes.ancestors(i)[1:]}
    return {v: i for v, i in owner.items() if i not in outer}


def call_names(scopes: ScopeRecording) -> dict[int, tuple[str, str]]:
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
