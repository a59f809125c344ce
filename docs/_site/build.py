"""Build the static site into site/: run by docs/build (see there), not imported.

Steps: stage the Markdown (README as the home page, docs/*.md, one API page per public
namespace, one page per notebook) into build/site-src; fetch and verify what the playground
needs (npm tarballs checked against pinned sha512 integrities, wheels through
``pip --require-hashes``, stepgrad's wheel built from this checkout); run ``mkdocs build``;
put each notebook's nbconvert HTML (its stored outputs, steppers included) into its page; copy
the playground. Prints the time taken and the site's size.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
STAGE = ROOT / "build" / "site-src"
CACHE = ROOT / "build" / "site-cache"
SITE = ROOT / "site"

# npm packages: name, version, the registry's integrity (sha512), and the files the playground
# needs from the package ("package/" stripped). Pyodide's package holds far more (typings,
# source maps, consoles): only what loadPyodide() fetches is copied.
NPM = {
    "pyodide": (
        "314.0.8",
        "sha512-74Wq1kXOC+CCEzAfxuRAO701nAcCMLjf8NrwvWpu8S41dVMXwXmLQ05dYB+F4e46AdnGo0oq7YHSVUpHsoarLQ==",
        {
            "pyodide.mjs": "pyodide/pyodide.mjs",
            "pyodide.asm.mjs": "pyodide/pyodide.asm.mjs",
            "pyodide.asm.wasm": "pyodide/pyodide.asm.wasm",
            "python_stdlib.zip": "pyodide/python_stdlib.zip",
            "pyodide-lock.json": "pyodide/pyodide-lock.json",
        },
    ),
    "@hpcc-js/wasm-graphviz": (
        "1.29.2",
        "sha512-AkArBAZERT5OxH52/+kvCHB07cZ6ZNd9GnOvjw+S880bR88D6i27XfK6xj4dBhUDxNA2QPPMdgEcky3x4TJ3KA==",
        {"dist/index.js": "graphviz/index.js", "LICENSE": "graphviz/LICENSE"},
    ),
}
# KaTeX for the notebooks' $...$ formulas (nbconvert leaves them as text): into the staged
# pages (mkdocs copies them to site/assets/katex), woff2 fonts only (what browsers load first)
KATEX = (
    "katex",
    "0.19.1",
    "sha512-jG8uKntjSEcm2EpQOh0XturpPuuC9r3Sq5HLHdsFdWZT27E672SF19QEi+of0/YeOy15lDgRhKvr5614uRrEfA==",
)
NAMESPACES = {"autograd": "autograd", "nn": "nn", "autograd.testing": "autograd-testing"}
KERNEL_ONLY = ("ipywidgets", "widget(")  # a cell with one of these needs a live kernel


def main() -> int:
    """Build everything; 0 on success."""
    started = time.monotonic()
    _require_docs_extra()
    if STAGE.exists():
        shutil.rmtree(STAGE)
    STAGE.mkdir(parents=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    _stage_pages()
    _stage_api()
    notebooks = _stage_notebooks()
    _stage_katex()
    path = os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")]))
    quiet = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": path}
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "--clean", "-q"]
    _run([*mkdocs, "-f", str(_config(notebooks))], env=quiet)
    _insert_notebooks(notebooks)
    _playground(notebooks)
    took = time.monotonic() - started
    size = sum(f.stat().st_size for f in SITE.rglob("*") if f.is_file())
    print(f"docs/build: wrote {SITE} ({size / 1e6:.1f} MB) in {took:.0f} s")
    print("serve it: python -m http.server -d site  (then open http://127.0.0.1:8000/)")
    return 0


def _require_docs_extra() -> None:
    for module in ("mkdocs", "material", "mkdocstrings_handlers.python", "nbconvert"):
        try:
            importlib.import_module(module)
        except ImportError:
            sys.exit(
                f"docs/build: {module} is missing: install the docs extra into the Python that "
                f"runs the build ({sys.executable}): pip install -e '.[docs]'"
            )
    if shutil.which("npm") is None:
        sys.exit("docs/build: npm is missing (the playground's Pyodide comes from npm)")


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, cwd=ROOT, **kwargs)


def _config(notebooks: dict[str, dict]) -> Path:
    """mkdocs.yml with the navigation: guide pages in README order, notebooks, API, playground."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8").partition("## Where the rest")[2]
    order = list(dict.fromkeys(re.findall(r"\]\(docs/([\w-]+\.md)\)", readme)))
    order += sorted(p.name for p in (ROOT / "docs").glob("*.md") if p.name not in order)
    nav = ["nav:", "  - Home: index.md", "  - Guide:"]
    nav += [f"    - {json.dumps(_title(STAGE / name))}: {name}" for name in order]
    nav += ["  - Notebooks:"]
    nav += [
        f"    - {json.dumps(_notebook_title(nb, stem).replace('`', ''))}: notebooks/{stem}.md"
        for stem, nb in notebooks.items()
    ]
    nav += ["  - API reference:"]
    nav += [f"    - {namespace}: api/{slug}.md" for namespace, slug in NAMESPACES.items()]
    nav += ["  - Playground: playground/"]
    config = ROOT / "build" / "mkdocs.yml"
    config.write_text(
        "# written by docs/build: the project's mkdocs.yml plus the navigation\n"
        "INHERIT: ../mkdocs.yml\ndocs_dir: site-src\nsite_dir: ../site\n" + "\n".join(nav) + "\n",
        encoding="utf-8",
    )
    return config


def _title(page: Path) -> str:
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return page.stem


# -- pages ----------------------------------------------------------------------------------


def _links(text: str, *, from_docs: bool) -> str:
    """Repository links as site links: docs/x.md -> x.md, notebooks/x.ipynb -> its page."""
    prefix = "../" if from_docs else ""
    text = re.sub(r"\]\((?:\./)?docs/([\w-]+\.md)", r"](\1", text)
    text = re.sub(rf"\]\({re.escape(prefix)}notebooks/([\w-]+)\.ipynb", r"](notebooks/\1.md", text)
    return text


def _stage_pages() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    intro = (
        '!!! tip "Try it with nothing installed"\n'
        "    The [playground](playground/) runs stepgrad in your browser (Pyodide, "
        "Graphviz in WebAssembly); every [notebook](notebooks/01_values_and_the_chain_rule.md) "
        "opens there too.\n\n"
    )
    title, _, rest = readme.partition("\n")
    (STAGE / "index.md").write_text(
        title + "\n\n" + intro + _links(rest, from_docs=False), encoding="utf-8"
    )
    for page in sorted((ROOT / "docs").glob("*.md")):
        text = page.read_text(encoding="utf-8")
        (STAGE / page.name).write_text(_links(text, from_docs=True), encoding="utf-8")


def _stage_api() -> None:
    folder = STAGE / "api"
    folder.mkdir()
    for namespace, slug in NAMESPACES.items():
        module = importlib.import_module(namespace)
        lines = [
            f"# `{namespace}`",
            "",
            f"Every name in `{namespace}.__all__`, from its docstring.",
            "",
        ]
        for name in module.__all__:
            lines += [f"::: {namespace}.{name}", ""]
        (folder / f"{slug}.md").write_text("\n".join(lines), encoding="utf-8")


def _notebook_title(notebook: dict, stem: str) -> str:
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return stem


def _stage_notebooks() -> dict[str, dict]:
    folder = STAGE / "notebooks"
    folder.mkdir()
    found = {}
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        stem = path.stem
        title = _notebook_title(notebook, stem)
        found[stem] = notebook
        (folder / f"{stem}.md").write_text(
            f"# {title}\n\n"
            f'<p class="nb-run"><a class="md-button md-button--primary" '
            f'href="../../playground/?notebook={stem}">▶ Run in your browser</a> '
            f"<code>notebooks/{path.name}</code>, shown with its stored outputs.</p>\n\n"
            f'<div class="nb-body" id="nb-{stem}"></div>\n',
            encoding="utf-8",
        )
    return found


def _stage_katex() -> None:
    name, version, integrity = KATEX
    folder = STAGE / "assets" / "katex"
    with tarfile.open(_npm(name, version, integrity)) as archive:
        for member in archive.getmembers():
            inside = member.name.removeprefix("package/dist/")
            wanted = inside in ("katex.min.js", "katex.min.css", "contrib/auto-render.min.js")
            if wanted or (inside.startswith("fonts/") and inside.endswith(".woff2")):
                source = archive.extractfile(member)
                if source is None:
                    raise RuntimeError(f"docs/build: {name} has no {inside}")
                (folder / inside).parent.mkdir(parents=True, exist_ok=True)
                (folder / inside).write_bytes(source.read())
    shutil.copy2(HERE / "math.js", folder / "math.js")


def _insert_notebooks(notebooks: dict[str, dict]) -> None:
    """Each notebook's page gets nbconvert's HTML of the notebook (outputs as stored)."""
    import nbconvert
    import nbformat

    exporter = nbconvert.HTMLExporter(template_name="basic")
    for stem, raw in notebooks.items():
        notebook = nbformat.reads(json.dumps(raw), as_version=4)
        if notebook.cells and notebook.cells[0].cell_type == "markdown":
            first = notebook.cells[0]  # its title is the page's
            first.source = re.sub(r"\A# .*\n?", "", first.source)
        body, _ = exporter.from_notebook_node(notebook)
        page = SITE / "notebooks" / stem / "index.html"
        html = page.read_text(encoding="utf-8")
        marker = f'<div class="nb-body" id="nb-{stem}"></div>'
        if marker not in html:
            raise RuntimeError(f"docs/build: the page of {stem} lost its notebook marker")
        page.write_text(
            html.replace(marker, f'<div class="nb-body" id="nb-{stem}">{body}</div>'),
            encoding="utf-8",
        )


# -- the playground -------------------------------------------------------------------------


def _npm(name: str, version: str, integrity: str) -> Path:
    """The package's tarball from the npm registry, checked against the pinned integrity."""
    tarball = CACHE / (name.lstrip("@").replace("/", "-") + f"-{version}.tgz")
    if not tarball.exists() or _sha512(tarball) != integrity:
        _run(
            ["npm", "pack", f"{name}@{version}", "--pack-destination", str(CACHE), "--silent"],
            stdout=subprocess.DEVNULL,
        )
    if _sha512(tarball) != integrity:
        raise RuntimeError(f"docs/build: {tarball.name} does not match its pinned {integrity}")
    return tarball


def _sha512(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def _wheels(target: Path) -> list[dict]:
    """stepgrad's wheel from this checkout and the pinned pure-Python wheels, in target."""
    target.mkdir(parents=True)
    pinned = CACHE / "wheels"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
            "--require-hashes",
            "-r",
            str(ROOT / "docs" / "playground-wheels.txt"),
            "-d",
            str(pinned),
        ]
    )
    own = CACHE / "own"
    if own.exists():
        shutil.rmtree(own)
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", ".", "-w", str(own)])
    wanted = [
        line.split()[0].split("==")
        for line in (ROOT / "docs" / "playground-wheels.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    files = list(own.glob("stepgrad-*.whl"))
    for name, version in wanted:
        files += list(pinned.glob(f"{name}-{version}-*.whl"))
    listed = []
    for wheel in files:
        shutil.copy2(wheel, target / wheel.name)
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        listed.append({"file": wheel.name, "sha256": digest})
    return listed


def _playground(notebooks: dict[str, dict]) -> None:
    out = SITE / "playground"
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(HERE / "playground", out)
    for name, (version, integrity, files) in NPM.items():
        with tarfile.open(_npm(name, version, integrity)) as archive:
            for inside, to in files.items():
                source = archive.extractfile(f"package/{inside}")
                if source is None:
                    raise RuntimeError(f"docs/build: {name} has no {inside}")
                (out / to).parent.mkdir(parents=True, exist_ok=True)
                (out / to).write_bytes(source.read())
    wheels = _wheels(out / "wheels")
    (out / "wheels" / "index.json").write_text(json.dumps(wheels, indent=1))
    (out / "notebooks").mkdir()
    for stem, notebook in notebooks.items():
        cells = [_cell(cell) for cell in notebook["cells"] if cell["cell_type"] == "code"]
        title = _notebook_title(notebook, stem)
        (out / "notebooks" / f"{stem}.json").write_text(
            json.dumps({"title": title, "cells": cells}), encoding="utf-8"
        )


def _cell(cell: dict) -> dict:
    source = "".join(cell["source"])
    kernel_only = next((word for word in KERNEL_ONLY if word in source), None)
    return {"source": source, "kernel_only": kernel_only}


if __name__ == "__main__":
    sys.exit(main())
