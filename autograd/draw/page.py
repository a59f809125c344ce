"""The HTML of a stepper that needs no kernel: one picture, a little plain JavaScript.

The picture (one SVG, the layout drawn once) and what each position changes in it (texts,
colours; ``autograd.draw.sheet``) travel as JSON inside a ``<script type="application/json">``
that no browser runs; a small script builds the stepper from them: previous/next buttons, a
slider, the arrow keys (Home/End too) and zoom buttons. The picture starts readable (its
text ``READABLE`` px high, never above the graph's own size) and scrolls in its frame, which
follows the current node, also once a notebook lays the output out late; the buttons zoom in
steps of 1.5x down to the whole graph. The step text has a fixed height and an empty "adds"
row lets the other numbers share its box, so no node moves between positions; the step text
is announced to screen readers (``aria-live``). Where scripts are stripped (a stored
notebook opened untrusted in JupyterLab, GitHub), both scripts vanish and what stays is the
static fallback: the current position's text and its picture as a PNG (a big graph's PNG is
the readable part around that position's node, not the whole graph shrunk to a blur), and
every position's text under ``<details>``.
(JupyterLab's sanitizer removes inline SVG from untrusted HTML, but keeps images.) Nothing is
loaded from anywhere: no fonts, no scripts, no images outside the page.
"""

from __future__ import annotations

import base64
import html
import json
import math
import re
from collections.abc import Sequence
from typing import Protocol, cast

from autograd.draw.nodes import visible

__all__ = ["READABLE", "crop", "fit", "image", "legend", "natural", "page"]

_SVG_START = re.compile(r"<svg\b[^>]*>", re.S)
_SIZE = re.compile(r'\s(width|height)="([\d.]+)pt"')
_FINAL = "#dcedc8"  # the fill of a final gradient (autograd.draw.highlight.DONE)
_FINAL_SWATCH = ";border:2px dashed #333"  # its cue that is not a colour, as in the page
_VIEW_BOX = re.compile(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) [\d.]+"')
_FONT = re.compile(r'font-size="([\d.]+)"')
_VIEW_BOX_ATTR = re.compile(r'\sviewBox="[^"]*"')
_TRANSFORM = re.compile(
    r'<g id="graph0"[^>]*transform="scale\(([-\d.]+)[^)]*\)[^"]*translate\(([-\d.]+) ([-\d.]+)\)"'
)
READABLE = 10  # px: a stepper's picture starts with its text at least this high
_MAX_LINES = 12  # the step text's reserved height, in lines (longer texts scroll)

_STYLE = """
.stepgrad-stepper{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:100%}
.stepgrad-stepper:focus-visible,.stepgrad-stepper :focus-visible{outline:3px solid #1565c0;
 outline-offset:2px}
.stepgrad-stepper button[aria-disabled=true]{opacity:.45}
.stepgrad-stepper .sg-bar{position:sticky;top:0;z-index:2;background:#fff;display:flex;
 flex-wrap:wrap;align-items:center;gap:6px;padding:4px 0;border-bottom:1px solid #ddd}
.stepgrad-stepper .sg-bar>div{display:flex;flex-wrap:wrap;align-items:center;gap:6px}
.stepgrad-stepper .sg-bar .sg-scale{flex:1 1 260px}
.stepgrad-stepper .sg-zoom{display:flex;gap:6px}
.stepgrad-stepper .sg-bar input[type=range]{flex:1 1 60px;min-width:60px}
.stepgrad-stepper .sg-bar button{font-size:14px;padding:2px 10px;white-space:nowrap}
.stepgrad-stepper .sg-where{font-weight:600;min-width:8em;white-space:nowrap}
.stepgrad-stepper pre{white-space:pre-wrap;margin:6px 0;font-size:13px;overflow:auto;
 line-height:1.35}
.stepgrad-stepper .sg-pic{overflow:auto;max-width:100%;max-height:70vh}
.stepgrad-stepper .sg-pic g.node.sg-final>polygon:first-of-type,
.stepgrad-stepper .sg-pic g.node.sg-final>ellipse{stroke-dasharray:5 2;stroke-width:1.5}
.stepgrad-stepper .sg-legend{font-size:12px;margin:4px 0}
.stepgrad-stepper .sg-sr{position:absolute;width:1px;height:1px;overflow:hidden;
 clip:rect(0 0 0 0);clip-path:inset(50%);white-space:nowrap}
.stepgrad-stepper .sg-legend span{display:inline-block;width:12px;height:10px;margin:0 4px 0 10px;
 border:1px solid #999;vertical-align:middle}
"""

_SCRIPT = """
(function () {
  function textsOf(g, key) {
    if (key !== "#graph") return g.querySelectorAll("text");
    return Array.prototype.filter.call(g.children, function (e) { return e.tagName === "text"; });
  }
  function paint(g, look) {  /* look: [fill, line colour, line width, font colour, class] */
    var edge = g.classList.contains("edge");
    g.setAttribute("class", (edge ? "edge" : "node") + (look[4] ? " " + look[4] : ""));
    var first = true;
    g.querySelectorAll("polygon, ellipse, path, polyline").forEach(function (s) {
      s.style.stroke = look[1]; s.style.strokeWidth = look[2];
      if (edge && s.tagName === "polygon") s.style.fill = look[1];
      else if (!edge && first && s.tagName !== "polyline") s.style.fill = look[0] || "none";
      first = false;
    });
    g.querySelectorAll("text").forEach(function (t) { t.style.fill = look[3]; });
  }
  function at(shape, axis) {  /* the x (axis 0) or y (axis 1) of each point of a shape */
    return shape.getAttribute("points").trim().split(" ").map(function (p) {
      return parseFloat(p.split(",")[axis]);
    });
  }
  function rows(g, texts) {
    /* A record whose last cell says what a step adds: where nothing is added, the other
       numbers share the box (same size, nothing moves) instead of leaving that cell empty.
       Returns a function of "the last cell is empty", or null for any other node. */
    var last = texts[texts.length - 1], line = last && last.previousElementSibling;
    if (!line || line.tagName !== "polyline" || !/^adds /.test(last.textContent)) return null;
    var along = at(line, 1)[0] === at(line, 1)[1] ? 1 : 0;  /* cells stacked on y, or on x */
    var name = along ? "y" : "x", across = along ? "x" : "y";
    var box = at(g.querySelector("polygon"), along), low = Math.min.apply(null, box);
    var high = Math.max.apply(null, box), same = last.getAttribute(across);
    var cells = Array.prototype.filter.call(texts, function (t) {
      return t.getAttribute(across) === same;
    });
    var lines = Array.prototype.filter.call(g.querySelectorAll("polyline"), function (l) {
      var p = at(l, along), q = at(l, 1 - along);
      return p.length === 2 && p[0] === p[1] && q[0] === at(line, 1 - along)[0];
    });
    var n = cells.length;
    if (n < 2 || lines.length !== n - 1 || lines[n - 2] !== line) return null;
    var edges = [low].concat(lines.map(function (l) { return at(l, along)[0]; }), [high]);
    var was = cells.map(function (t) { return t.getAttribute(name); });
    var points = lines.map(function (l) { return l.getAttribute("points"); });
    var grow = (high - low) / (edges[n - 1] - low);  /* the cells before the last fill it */
    function moved(e) { return low + (e - low) * grow; }
    return function (empty) {
      cells.forEach(function (t, i) {
        var by = (moved(edges[i]) + moved(edges[i + 1]) - edges[i] - edges[i + 1]) / 2;
        t.setAttribute(name, empty ? +was[i] + by : was[i]);
      });
      lines.forEach(function (l, i) {
        l.setAttribute("points", !empty ? points[i] : points[i].split(" ").map(function (p) {
          var c = p.split(","); c[along] = moved(edges[i + 1]).toFixed(2); return c.join(",");
        }).join(" "));
      });
      line.style.visibility = empty ? "hidden" : "";
    };
  }
  function entries(pic, keys) {
    var found = {"#graph": pic.querySelector("g.graph")}, seen = {};
    pic.querySelectorAll("g.node, g.edge").forEach(function (g) {
      var title = g.querySelector("title");
      if (!title) return;
      var name = title.textContent;
      if (g.classList.contains("edge")) {
        seen[name] = (seen[name] || 0) + 1; name += "#" + (seen[name] - 1);
      }
      found[name] = g;
    });
    return keys.map(function (key) {
      var g = found[key] || null;
      var texts = g && textsOf(g, key);
      return g && {g: g, key: key, texts: texts, rows: key !== "#graph" && rows(g, texts)};
    });
  }
  function init(root) {
    if (root.getAttribute("data-sg-ready")) return;
    root.setAttribute("data-sg-ready", "1");
    var data = JSON.parse(root.querySelector("script.sg-data").textContent);
    var total = data.texts.length - 1;
    var k = parseInt(root.getAttribute("data-start"), 10) || 0;
    var bar = document.createElement("div");
    bar.className = "sg-bar";
    function group(name) {
      var div = document.createElement("div");
      div.className = name; bar.appendChild(div); return div;
    }
    function button(where, text, title, act) {
      var b = document.createElement("button");
      b.type = "button"; b.textContent = text; b.title = title;
      b.addEventListener("click", act); where.appendChild(b); return b;
    }
    var steps = group("sg-steps"), scale = group("sg-scale");
    var back = button(steps, "\\u25c0 previous", "previous step (left arrow)",
      function () { show(k - 1); });
    var forward = button(steps, "next \\u25b6", "next step (right arrow)",
      function () { show(k + 1); });
    var where = document.createElement("span");
    where.className = "sg-where";
    where.style.minWidth = ("step " + total + " of " + total).length + "ch";
    steps.appendChild(where);
    var slider = document.createElement("input");
    slider.type = "range"; slider.min = 0; slider.max = total; slider.value = k;
    slider.setAttribute("aria-label", "step");
    slider.addEventListener("input", function () { show(parseInt(slider.value, 10)); });
    scale.appendChild(slider);
    var zoom = document.createElement("div");  /* its three buttons wrap together */
    zoom.className = "sg-zoom"; scale.appendChild(zoom);
    button(zoom, "\\u2212", "smaller", function () { setZoom(-1); });
    button(zoom, "fit", "the whole graph: fit the width", function () { setZoom(0); });
    button(zoom, "+", "larger", function () { setZoom(1); });
    var words = document.createElement("pre");
    words.className = "sg-text"; words.setAttribute("aria-live", "polite");
    words.style.height = data.lines * 1.35 + "em";
    var pic = document.createElement("div");
    pic.className = "sg-pic"; pic.innerHTML = data.svg;
    root.querySelectorAll(".sg-static").forEach(function (e) { e.parentNode.removeChild(e); });
    root.appendChild(bar); root.appendChild(words); root.appendChild(pic);
    var svg = pic.querySelector("svg");
    /* a screen reader reads one summary for the picture and its values as a list */
    pic.setAttribute("role", "img"); pic.setAttribute("aria-label", data.summary);
    svg.setAttribute("aria-hidden", "true");  /* not every node's text run together */
    var list = document.createElement("ul");
    list.className = "sg-sr sg-values"; list.setAttribute("aria-label", "the graph's values");
    var lines = data.nodes.map(function () {
      return list.appendChild(document.createElement("li"));
    });
    root.appendChild(list);
    var items = entries(pic, data.keys);
    var shownLook = [], shownTexts = [];
    function stateAt(j) {
      var looks = data.start.map(function (e) { return e[0]; });
      var texts = data.start.map(function (e) { return e[1]; });
      for (var s = 0; s < j; s++) data.steps[s].forEach(function (c) {
        looks[c[0]] = c[1]; if (c[2]) texts[c[0]] = c[2];
      });
      return [looks, texts];
    }
    var states = {"sg-current": "this step", "sg-final": "gradient final",
                  "sg-receiving": "receives from this step"};
    function say(state) {  /* each value's line: name, how it is computed, numbers, state */
      data.nodes.forEach(function (node, n) {
        var i = node[0], texts = state[1][i];
        var words = (data.looks[state[0][i]][4] || "").split(" ").map(function (c) {
          return states[c];
        }).filter(Boolean);
        var line = (texts[0] || data.keys[i]) + (node[1] ? ", " + node[1] : "") + ": " +
          texts.slice(1).concat(words).join(", ");
        if (lines[n].textContent !== line) lines[n].textContent = line;
      });
    }
    function draw(j) {
      var state = stateAt(j);
      say(state);
      items.forEach(function (item, i) {
        if (!item) return;
        var look = state[0][i], texts = state[1][i];
        if (item.key !== "#graph" && shownLook[i] !== look) paint(item.g, data.looks[look]);
        if (shownTexts[i] !== texts) {
          for (var t = 0; t < item.texts.length; t++) item.texts[t].textContent = texts[t] || "";
          if (item.rows) item.rows(!texts[item.texts.length - 1]);
        }
        shownLook[i] = look; shownTexts[i] = texts;
      });
    }
    function setZoom(direction) {  /* +1, -1: 1.5 times larger or smaller; 0: the whole graph */
      var w = parseFloat(svg.getAttribute("data-width")) * 4 / 3;  /* pt to px */
      var now = svg.getBoundingClientRect().width, fitted = Math.min(w, pic.clientWidth);
      var next = direction ? now * Math.pow(1.5, direction) : 0;
      var zoom = next > fitted * 1.01 ? Math.min(next, 4 * w) : 0;  /* 0: fit the width */
      svg.style.minWidth = "0";  /* the start's readable size no longer holds */
      svg.style.maxWidth = zoom ? "none" : w * 3 / 4 + "pt";
      svg.style.width = zoom ? zoom + "px" : "100%";
      follow();
    }
    function target() {  /* the current node; before a step, the node of the next one */
      var g = pic.querySelector("g.node.sg-current");
      if (g || k === total) return g;
      var next = data.steps[k].filter(function (c) {
        var look = " " + (data.looks[c[1]][4] || "") + " ";
        return items[c[0]] && look.indexOf(" sg-current ") >= 0 &&
          items[c[0]].g.classList.contains("node");
      })[0];
      return next ? items[next[0]].g : null;
    }
    function follow() {  /* scroll the picture (not the page) so the current node shows */
      var g = target();
      if (!g) return;
      var n = g.getBoundingClientRect(), p = pic.getBoundingClientRect();
      if (n.left < p.left || n.right > p.right)
        pic.scrollLeft += n.left - p.left - (p.width - n.width) / 2;
      if (n.top < p.top || n.bottom > p.bottom)
        pic.scrollTop += n.top - p.top - (p.height - n.height) / 2;
    }
    var width = 0;
    function laidOut() {  /* a notebook lays its outputs out late: follow once they have a size */
      if (!pic.clientWidth || pic.clientWidth === width) return;
      width = pic.clientWidth; follow();
    }
    function show(j) {
      k = Math.max(0, Math.min(total, j));
      draw(k);
      words.textContent = data.texts[k];
      slider.value = k;
      where.textContent = "step " + k + " of " + total;
      slider.setAttribute("aria-valuetext", where.textContent);
      /* aria-disabled, not disabled: the focus stays on "next" at the last step */
      back.setAttribute("aria-disabled", k === 0);
      forward.setAttribute("aria-disabled", k === total);
      root.setAttribute("data-position", k);
      follow();
    }
    function onKey(e) {
      if (e.target && e.target.tagName === "INPUT") return;
      var to = {ArrowRight: k + 1, ArrowLeft: k - 1, Home: 0, End: total}[e.key];
      if (to === undefined) return;
      show(to); e.preventDefault();
      e.stopPropagation();  /* JupyterLab would move between cells */
    }
    if (root.hasAttribute("data-page")) document.addEventListener("keydown", onKey);
    else root.addEventListener("keydown", onKey);
    show(k);
    if (window.ResizeObserver) new ResizeObserver(laidOut).observe(pic);
    else window.addEventListener("resize", laidOut);
    laidOut();
  }
  document.querySelectorAll(".stepgrad-stepper").forEach(init);
})();
"""


def fit(svg: str, *, readable: bool = False) -> str:
    """An SVG from graphviz made to fit its container's width: no prolog, 100% up to its size.

    A tall graph stays tall (its text readable); the page's picture box scrolls. With
    ``readable`` it is never narrower than where its smallest text is ``READABLE`` px high
    (nor wider than its own size): a wide graph starts readable and scrolls in its box.

    >>> tag = '<svg width="300pt" height="20pt" viewBox="0 0 300 20"><text font-size="9">'
    >>> print(fit(tag, readable=True).split(" viewBox")[0])
    <svg width="100%" data-width="300" style="max-width:300pt;height:auto;min-width:334px"
    """
    svg = svg[svg.index("<svg") :]
    # svg begins with '<svg' now and graphviz closes the tag, so the pattern is found
    start = cast(re.Match[str], _SVG_START.search(svg))
    tag = start.group(0)
    sizes = dict(_SIZE.findall(tag))
    width = sizes.get("width", "0")
    new = _SIZE.sub("", tag)
    style = f"max-width:{width}pt;height:auto"
    if readable:
        style += f";min-width:{_readable_width(float(width), tag, svg)}px"
    new = new.replace("<svg", f'<svg width="100%" data-width="{width}" style="{style}"', 1)
    return new + svg[start.end() :]


def _readable_width(width: float, tag: str, svg: str) -> int:
    """The width in px at which the SVG's smallest text is ``READABLE`` px (at most its own).

    >>> _readable_width(300, '<svg viewBox="0 0 300 20">', '<text font-size="20">')
    150
    """
    natural = width * 4 / 3  # pt to px
    box = _VIEW_BOX.search(tag)
    fonts = [float(f) for f in _FONT.findall(svg)]
    if box is None or not fonts or float(box.group(1)) <= 0:
        return math.ceil(natural)
    px = min(fonts) * natural / float(box.group(1))  # the smallest text at its own size
    return math.ceil(natural * min(1.0, READABLE / px))


def crop(svg: str, centre: tuple[float, float], size: tuple[float, float]) -> str:
    """The part of a graphviz SVG of ``size`` points around ``centre``, at its own size.

    ``centre`` is in graphviz's layout coordinates (``autograd.draw.pinning.Layout``, y
    upwards); graphviz draws a layout point ``(x, y)`` at ``scale * (tx + x, ty - y)`` of the
    SVG (the ``transform`` of its ``graph0`` group), so the window becomes a ``viewBox``.

    >>> svg = ('<svg width="300pt" height="200pt" viewBox="0.00 0.00 300.00 200.00">'
    ...        '<g id="graph0" class="graph" transform="scale(1 1) rotate(0) translate(4 196)">')
    >>> print(crop(svg, (100.0, 50.0), (40.0, 20.0)).split("<g")[0])
    <svg width="40pt" height="20pt" viewBox="84 136 40 20">
    """
    svg = svg[svg.index("<svg") :]
    start = cast(re.Match[str], _SVG_START.search(svg))
    move = _TRANSFORM.search(svg)
    scale, tx, ty = (float(c) for c in move.groups()) if move else (1.0, 0.0, 0.0)
    (x, y), (width, height) = centre, size
    left, top = scale * (tx + x) - width / 2, scale * (ty - y) - height / 2
    tag = _VIEW_BOX_ATTR.sub("", _SIZE.sub("", start.group(0)))
    box = (
        f'width="{width:g}pt" height="{height:g}pt" viewBox="{left:g} {top:g} {width:g} {height:g}"'
    )
    return tag.replace("<svg", f"<svg {box}", 1).replace(" >", ">") + svg[start.end() :]


def natural(svg: str) -> str:
    """An SVG from graphviz for Jupyter: no prolog, its own size, shrunk (never stretched) to fit.

    The ``width`` and ``height`` stay (JupyterLab, VS Code and nbviewer show the picture at
    that size, text at 100 % readable); a style shrinks it to the output's width.

    >>> print(natural('<?xml?><svg width="80pt" height="20pt" viewBox="0 0 80 20"></svg>'))
    <svg width="80pt" height="20pt" viewBox="0 0 80 20" style="max-width:100%;height:auto"></svg>
    """
    svg = svg[svg.index("<svg") :]
    start = cast(re.Match[str], _SVG_START.search(svg))  # graphviz closes the tag
    tag = start.group(0)
    if "style=" not in tag:
        tag = tag[:-1] + ' style="max-width:100%;height:auto">'
    return tag + svg[start.end() :]


def image(svg: str) -> str:
    """An SVG as one ``<img>`` for Jupyter's ``text/html``: its own size, shrunk to fit.

    JupyterLab 4 shows an ``image/svg+xml`` output in an ``<img>`` that keeps the picture's
    own size: a graph wider than the output was cut off at its right edge. This image has
    the picture's size in CSS pixels (text at 100 %), shrinks to the output's width and is
    never stretched; sanitizers of untrusted notebooks keep it (an image, no script).

    >>> print(image('<svg width="75pt" height="15pt" viewBox="0 0 75 15"></svg>')[:88])
    <img width="100" height="20" alt="a graph of 0 nodes" style="max-width:100%;height:auto"
    """
    svg = svg[svg.index("<svg") :]
    start = cast(re.Match[str], _SVG_START.search(svg))  # graphviz closes the tag
    sizes = {name: float(value) * 4 / 3 for name, value in _SIZE.findall(start.group(0))}
    nodes = svg.count('class="node')
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (
        f'<img width="{round(sizes.get("width", 0))}" height="{round(sizes.get("height", 0))}" '
        f'alt="a graph of {nodes} nodes" style="max-width:100%;height:auto" '
        f'src="data:image/svg+xml;base64,{data}">'
    )


def legend(items) -> str:
    """The colours of the pictures in words, as HTML (empty without items)."""
    if not items:
        return ""
    cells = " &#183; ".join(  # the dots keep the words apart where styles are stripped
        f'<span style="background:{colour}{_FINAL_SWATCH if colour == _FINAL else ""}"></span>'
        f"{html.escape(text)}{' (dashed border)' if colour == _FINAL else ''}"
        for colour, text in items
    )
    return f'<div class="sg-legend">{cells}</div>'


class Sheet(Protocol):
    """What a page needs of ``autograd.draw.sheet.Sheet``.

    Not imported: that module needs the renderer, which needs this module.
    """

    @property
    def keys(self) -> Sequence[str]: ...

    @property
    def texts(self) -> Sequence[Sequence[Sequence[str]]]: ...

    @property
    def looks(self) -> Sequence[Sequence[tuple]]: ...


def _values(keys: Sequence[str], texts: Sequence[Sequence[str]]) -> list[list]:
    """The nodes a screen reader lists: [entry, how it is computed], in the picture's order.

    Every node but the small ones of operations (``name_op``), whose operation and operands
    are said with the node they compute: ``[5, "from * of a, b"]`` (empty for a leaf).

    >>> _values(["a", "b", "e_op", "e", "a->e_op#0", "b->e_op#0", "e_op->e#0"],
    ...         [["a", "data 2"], ["b", "data 3"], ["*"], ["e", "data 6"], [], [], []])
    [[0, ''], [1, ''], [3, 'from * of a, b']]
    """
    index = {key: i for i, key in enumerate(keys)}
    name = {key: (texts[i] or [key])[0] for i, key in enumerate(keys)}
    operands: dict[str, list[str]] = {}
    for key in keys:
        if "->" in key:
            tail, head = key.rsplit("#", 1)[0].split("->")
            operands.setdefault(head, []).append(name.get(tail, tail))
    values = []
    for i, key in enumerate(keys):
        if key == "#graph" or "->" in key or key.endswith("_op"):
            continue
        op = f"{key}_op"
        how = ""
        if op in index:
            what = " ".join(texts[index[op]]) or "an operation"
            how = f"from {what} of {', '.join(operands.get(op, []))}".rstrip(" of")
        values.append([i, how])
    return values


def _data(texts: list[str], svg: str, sheet: Sheet) -> str:
    """The one picture and what each position changes, as JSON safe inside a script element.

    ``looks`` lists the distinct looks; ``start`` is every entry's (look, texts) at position
    0; ``steps[k - 1]`` lists the entries that position ``k`` changes: (entry, look, texts or
    0 when the texts stay).
    """
    table: dict[tuple, int] = {}

    def look(value: tuple) -> int:
        return table.setdefault(value, len(table))

    start = [[look(lk), tx] for lk, tx in zip(sheet.looks[0], sheet.texts[0])]
    steps = []
    for k in range(1, len(sheet.texts)):
        before, now = (
            zip(sheet.looks[k - 1], sheet.texts[k - 1]),
            zip(sheet.looks[k], sheet.texts[k]),
        )
        steps.append(
            [
                [i, look(lk), tx if tx != old_tx else 0]
                for i, ((old_lk, old_tx), (lk, tx)) in enumerate(zip(before, now))
                if lk != old_lk or tx != old_tx
            ]
        )
    nodes = _values(sheet.keys, sheet.texts[0])
    data = {
        "svg": fit(svg, readable=True),
        "summary": f"the graph: {len(nodes)} values, each listed with its numbers below",
        "nodes": nodes,
        "keys": sheet.keys,
        "looks": list(table),
        "start": start,
        "steps": steps,
        "texts": texts,
        "lines": min(max(t.count("\n") + 1 for t in texts), _MAX_LINES),
    }
    return json.dumps(data, ensure_ascii=True, separators=(",", ":")).replace("</", "<\\/")


def page(
    *,
    title: str,
    texts: list[str],
    svg: str,
    sheet: Sheet,
    start: int,
    png: bytes,
    colours,
    standalone: bool,
) -> str:
    """The stepper's HTML: a fragment for a notebook, or a whole page for ``save_html``.

    ``svg`` is the one picture (``sheet.layout`` drawn), ``sheet`` what each position
    writes into it; ``png`` is the picture at position ``start``, for where scripts and SVG
    are stripped.
    Control characters and lone surrogates of the texts show as escapes (``visible``).
    """
    texts = [visible(t, keep="\n") for t in texts]  # no control character, no lone surrogate
    title = visible(title)
    total = len(texts) - 1
    picture = (  # none where the renderer makes no PNG (the browser's): scripts run there
        f'<img alt="the graph at step {start} (a big one: the part around its node)" '
        'src="data:image/png;base64,'
        f'{base64.b64encode(png).decode("ascii")}" style="max-width:100%">'
        if png
        else ""
    )
    words = "".join(f'<pre data-k="{k}">{html.escape(text)}</pre>' for k, text in enumerate(texts))
    body = (
        f'<div class="stepgrad-stepper" tabindex="0" data-start="{start}" '
        f'data-total="{total}"{" data-page" if standalone else ""}>'
        f"<style>{_STYLE}</style>"
        f"{legend(colours)}"
        f'<div class="sg-static"><pre>{html.escape(texts[start])}</pre>'
        f"{picture}"
        f"<details><summary>all {total + 1} positions, 0 to {total}, in words (where scripts "
        "run, this is a stepper: buttons, a slider, the arrow keys)</summary>"
        f"{words}</details></div>"
        f'<script type="application/json" class="sg-data">{_data(texts, svg, sheet)}</script>'
        f"<script>{_SCRIPT}</script></div>"
    )
    if not standalone:
        return body
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title></head>"
        f'<body style="margin:8px 16px">{body}</body></html>\n'
    )
