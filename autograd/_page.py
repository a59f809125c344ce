"""The HTML of a stepper that needs no kernel: all frames inline, a little plain JavaScript.

Without JavaScript (a notebook output whose scripts were stripped: untrusted JupyterLab,
GitHub) the fragment shows the current frame, and every frame under a ``<details>``. Where
scripts run (a saved page, a trusted notebook, nbviewer, an exported notebook) the script turns
it into a stepper: previous/next buttons, a slider, the left/right arrow keys, and zoom buttons
(the picture fits the width it is shown in, and can be enlarged). Nothing is loaded from
anywhere: no fonts, no scripts, no images outside the page.
"""

from __future__ import annotations

import html
import re

_SVG_START = re.compile(r"<svg\b[^>]*>", re.S)
_SIZE = re.compile(r'\s(width|height)="([\d.]+)pt"')

_STYLE = """
.stepgrad-stepper{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:100%;
 outline:none}
.stepgrad-stepper .sg-bar{position:sticky;top:0;z-index:2;background:#fff;display:flex;
 flex-wrap:wrap;align-items:center;gap:6px;padding:4px 0;border-bottom:1px solid #ddd}
.stepgrad-stepper .sg-bar input[type=range]{flex:1 1 200px;min-width:120px}
.stepgrad-stepper .sg-bar button{font-size:14px;padding:2px 10px}
.stepgrad-stepper .sg-where{font-weight:600;min-width:8em}
.stepgrad-stepper pre{white-space:pre-wrap;margin:6px 0;font-size:13px}
.stepgrad-stepper .sg-pic{overflow:auto;max-width:100%}
.stepgrad-stepper .sg-legend{font-size:12px;margin:4px 0}
.stepgrad-stepper .sg-legend span{display:inline-block;width:12px;height:10px;margin:0 4px 0 10px;
 border:1px solid #999;vertical-align:middle}
.stepgrad-stepper .sg-frame{border-top:1px solid #eee;padding-top:4px}
.stepgrad-stepper.sg-live .sg-frame{border:0}
.stepgrad-stepper.sg-live .sg-static,.stepgrad-stepper.sg-live summary{display:none}
"""

_SCRIPT = """
(function () {
  function init(root) {
    if (root.getAttribute("data-sg-ready")) return;
    root.setAttribute("data-sg-ready", "1");
    var frames = root.querySelectorAll(".sg-frame");
    var total = frames.length - 1;
    var k = parseInt(root.getAttribute("data-start"), 10) || 0;
    var zoom = 0;  /* 0: fit the width; 1, 2, ...: 100%, 200%, ... of the natural size */
    var bar = document.createElement("div");
    bar.className = "sg-bar";
    function button(text, title, act) {
      var b = document.createElement("button");
      b.type = "button"; b.textContent = text; b.title = title;
      b.addEventListener("click", act); bar.appendChild(b); return b;
    }
    var back = button("\\u25c0 previous", "previous step (left arrow)",
      function () { show(k - 1); });
    var slider = document.createElement("input");
    slider.type = "range"; slider.min = 0; slider.max = total; slider.value = k;
    slider.setAttribute("aria-label", "step");
    slider.addEventListener("input", function () { show(parseInt(slider.value, 10)); });
    bar.appendChild(slider);
    var forward = button("next \\u25b6", "next step (right arrow)", function () { show(k + 1); });
    var where = document.createElement("span");
    where.className = "sg-where"; bar.appendChild(where);
    button("\\u2212", "smaller", function () { setZoom(zoom <= 1 ? 0 : zoom - 1); });
    button("fit", "fit the width", function () { setZoom(0); });
    button("+", "larger", function () { setZoom(zoom + 1); });
    root.insertBefore(bar, root.firstChild);
    var all = root.querySelector("details.sg-all");
    if (all) all.open = true;
    root.className += " sg-live";
    function setZoom(z) {
      zoom = z;
      root.querySelectorAll(".sg-pic svg").forEach(function (svg) {
        var w = parseFloat(svg.getAttribute("data-width"));
        svg.style.maxWidth = z ? "none" : w + "pt";
        svg.style.maxHeight = z ? "none" : "75vh";
        svg.style.width = z ? (w * z) + "pt" : "100%";
      });
    }
    function show(j) {
      k = Math.max(0, Math.min(total, j));
      for (var i = 0; i <= total; i++) frames[i].style.display = i === k ? "" : "none";
      slider.value = k;
      where.textContent = "step " + k + " of " + total;
      back.disabled = k === 0; forward.disabled = k === total;
      root.setAttribute("data-position", k);
    }
    function onKey(e) {
      if (e.target && e.target.tagName === "INPUT") return;
      if (e.key === "ArrowRight") { show(k + 1); e.preventDefault(); }
      else if (e.key === "ArrowLeft") { show(k - 1); e.preventDefault(); }
    }
    if (root.hasAttribute("data-page")) document.addEventListener("keydown", onKey);
    else root.addEventListener("keydown", onKey);
    show(k);
  }
  document.querySelectorAll(".stepgrad-stepper").forEach(init);
})();
"""


def fit(svg: str) -> str:
    """An SVG from graphviz made to fit its container: no prolog, width 100% up to its size."""
    svg = svg[svg.index("<svg") :]
    start = _SVG_START.search(svg)
    tag = start.group(0)
    sizes = dict(_SIZE.findall(tag))
    width = sizes.get("width", "0")
    new = _SIZE.sub("", tag)
    style = f"max-width:{width}pt;max-height:75vh;height:auto"
    new = new.replace("<svg", f'<svg width="100%" data-width="{width}" style="{style}"', 1)
    return new + svg[start.end() :]


def legend(items) -> str:
    """The colours of the pictures in words, as HTML (empty without items)."""
    if not items:
        return ""
    cells = "".join(
        f'<span style="background:{colour}"></span>{html.escape(text)}' for colour, text in items
    )
    return f'<div class="sg-legend">{cells}</div>'


def _frame(k: int, text: str, svg: str, css: str) -> str:
    return (
        f'<div class="{css}" data-k="{k}"><pre>{html.escape(text)}</pre>'
        f'<div class="sg-pic">{fit(svg)}</div></div>'
    )


def page(
    *, title: str, texts: list[str], svgs: list[str], start: int, colours, standalone: bool
) -> str:
    """The stepper's HTML: a fragment for a notebook, or a whole page for ``save_html``."""
    total = len(texts) - 1
    frames = "".join(_frame(k, t, s, "sg-frame") for k, (t, s) in enumerate(zip(texts, svgs)))
    body = (
        f'<div class="stepgrad-stepper" tabindex="0" data-start="{start}" '
        f'data-total="{total}"{" data-page" if standalone else ""}>'
        f"<style>{_STYLE}</style>"
        f"{legend(colours)}"
        f'<div class="sg-static">{_frame(start, texts[start], svgs[start], "sg-now")}</div>'
        f'<details class="sg-all"><summary>all {total + 1} positions, 0 to {total} '
        "(where scripts run, buttons, a slider and the arrow keys step through them)"
        f"</summary>{frames}</details>"
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
