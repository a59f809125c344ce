// The playground: Pyodide (from this site) runs stepgrad; Graphviz compiled to WebAssembly
// draws its graphs through stepgrad's renderer hook (autograd.draw.render.browser_renderer
// calls globalThis.stepgradRenderDot). Nothing is loaded from another host.
// URL contract: ?code=<url-encoded Python> loads that code and runs it; ?notebook=<name> opens
// a notebook's code cells. Printed text and pictures appear inside the element #output.
import { loadPyodide } from "./pyodide/pyodide.mjs";
import { Graphviz } from "./graphviz/index.js";

const $ = (id) => document.getElementById(id);
const started = performance.now();
let target = $("output");  // where the running code's output goes

function append(node) { target.appendChild(node); }
function showText(text, error) {
  const last = target.lastElementChild;
  if (!error && last && last.tagName === "PRE" && !last.classList.contains("error")) {
    last.textContent += text;
    return;
  }
  const pre = document.createElement("pre");
  if (error) pre.className = "error";
  pre.textContent = text;
  append(pre);
}
function showHtml(html) {  // an output's HTML; its scripts (a stepper's) run
  const div = document.createElement("div");
  div.className = "picture";
  div.innerHTML = html;
  append(div);
  for (const old of div.querySelectorAll("script")) {
    const script = document.createElement("script");
    for (const a of old.attributes) script.setAttribute(a.name, a.value);
    script.textContent = old.textContent;
    old.replaceWith(script);
  }
}
globalThis.playgroundText = (text, error) => showText(text, error);
globalThis.playgroundHtml = (html) => showHtml(html);

async function boot() {
  const [pyodide, graphviz] = await Promise.all([
    loadPyodide({ indexURL: new URL("./pyodide/", import.meta.url).href }),
    Graphviz.load(),
  ]);
  globalThis.stepgradRenderDot = (source, format, engine, nop) =>
    graphviz.layout(source, format, engine, nop ? { nop } : undefined);
  const wheels = await (await fetch("wheels/index.json")).json();
  for (const wheel of wheels) {
    const data = await (await fetch("wheels/" + wheel.file)).arrayBuffer();
    const digest = await crypto.subtle.digest("SHA-256", data);
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    if (hex !== wheel.sha256) throw new Error(`${wheel.file}: sha256 ${hex} is not ${wheel.sha256}`);
    pyodide.unpackArchive(data, "wheel");
  }
  pyodide.runPython(await (await fetch("glue.py")).text());
  return pyodide;
}

function run(pyodide, code, out) {
  target = out;
  const glue = pyodide.globals.get("run_cell");
  try { glue(code); } finally { glue.destroy(); }
}

function single(pyodide, code) {
  const editor = $("editor"), button = $("run");
  if (code !== null) editor.value = code;
  const go = () => {
    $("output").replaceChildren();
    button.disabled = true;
    setTimeout(() => { try { run(pyodide, editor.value, $("output")); } finally { button.disabled = false; } }, 0);
  };
  button.onclick = go;
  editor.addEventListener("keydown", (e) => { if (e.key === "Enter" && e.ctrlKey) { e.preventDefault(); go(); } });
  button.disabled = false;
  if (code !== null) go();
}

async function notebook(pyodide, name) {
  $("single").hidden = true;
  $("notebook").hidden = false;
  const nb = await (await fetch(`notebooks/${encodeURIComponent(name)}.json`)).json();
  $("nb-title").textContent = nb.title;
  $("nb-page").href = `../notebooks/${encodeURIComponent(name)}/`;
  const cells = nb.cells.map((cell, i) => {
    const box = document.createElement("div");
    box.className = "cell";
    const editor = document.createElement("textarea");
    editor.value = cell.source;
    editor.rows = Math.min(20, cell.source.split("\n").length + 1);
    editor.setAttribute("aria-label", `cell ${i + 1}`);
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Run";
    const out = document.createElement("div");
    out.className = "cell-output";
    box.append(editor, button, out);
    $("cells").appendChild(box);
    const go = () => {
      out.replaceChildren();
      if (cell.kernel_only && editor.value.includes(cell.kernel_only)) {
        out.innerHTML = `<p class="note">Not run here: this cell needs a live Jupyter kernel ` +
          `(ipywidgets). Open the notebook in Jupyter for it; the steppers and pictures work here.</p>`;
        return;
      }
      run(pyodide, editor.value, out);
    };
    button.onclick = go;
    return go;
  });
  const all = $("run-all");
  all.onclick = () => { all.disabled = true; setTimeout(() => { try { cells.forEach((go) => go()); } finally { all.disabled = false; } }, 0); };
  all.disabled = false;
  all.click();
}

boot().then(async (pyodide) => {
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  $("status").textContent = `Python ready in ${seconds} s (Pyodide ${pyodide.version}, stepgrad from this site)`;
  globalThis.playgroundReady = true;
  const params = new URLSearchParams(location.search);
  if (params.has("notebook")) await notebook(pyodide, params.get("notebook"));
  else single(pyodide, params.has("code") ? params.get("code") : null);
  globalThis.playgroundDone = true;
}).catch((error) => {
  $("status").textContent = "the playground could not start: " + error;
  $("status").className = "error";
});
