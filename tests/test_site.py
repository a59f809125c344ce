"""The built documentation site (docs/build writes site/) in a real browser, offline.

The site is served from 127.0.0.1 by Python's http.server; every request to another host is
refused and recorded (the site must load nothing from elsewhere). Checked: the home page and
the API reference load; a playground URL (``playground/?code=...``) runs stepgrad in Pyodide and
prints the gradients a desktop run prints, with an SVG drawn by the WebAssembly Graphviz; a
notebook page's stored stepper steps with the keyboard; a notebook opens in the playground.

Without site/ the tests skip (a plain ``pytest``), unless STEPGRAD_REQUIRE_SITE=1 (.ci/run's site
job) makes that a failure. A missing browser skips by hand and fails in CI, as in
tests/test_browser.py.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
import urllib.parse
from pathlib import Path

import pytest

from autograd import Value
from tests.test_browser import chromium, offline_contexts

pytestmark = pytest.mark.slow

SITE = Path(__file__).parent.parent / "site"
CODE = """\
from autograd import Value
from autograd.draw import draw_dot
a = Value(2.0, label="a")
b = Value(-3.0, label="b")
c = a * b + a.tanh()
c.label = "c"
c.backward()
print("grads", a.grad, b.grad)
draw_dot(c)
"""


def _require_site(site: Path = SITE) -> None:
    if (site / "index.html").is_file() and (site / "playground" / "index.html").is_file():
        return
    reason = f"the site is not built ({site}): run docs/build"
    if os.environ.get("STEPGRAD_REQUIRE_SITE") == "1":
        pytest.fail(f"STEPGRAD_REQUIRE_SITE=1 but {reason}")
    pytest.skip(reason)


def test_a_missing_site_skips_unless_it_is_required(tmp_path, monkeypatch):
    monkeypatch.delenv("STEPGRAD_REQUIRE_SITE", raising=False)
    with pytest.raises(pytest.skip.Exception, match="run docs/build"):
        _require_site(tmp_path)
    monkeypatch.setenv("STEPGRAD_REQUIRE_SITE", "1")
    with pytest.raises(pytest.fail.Exception, match="STEPGRAD_REQUIRE_SITE=1 but the site"):
        _require_site(tmp_path)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def server():
    _require_site()
    handler = functools.partial(_Quiet, directory=str(SITE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser(server):
    with chromium() as launched:
        yield launched


@pytest.fixture
def open_site(browser, server):
    """Open a path of the site at 1400 x 900; requests to any other host are refused."""
    allowed = (server + "/", "data:", "blob:")
    with offline_contexts(browser, allowed, "the site") as new_context:

        def opener(path: str):
            page = new_context(viewport={"width": 1400, "height": 900}).new_page()
            page.goto(server + path)
            return page

        yield opener


def test_the_home_page_loads(open_site):
    page = open_site("/")
    assert "stepgrad" in page.title()
    assert page.locator("a[href*='playground']").count() >= 1


@pytest.mark.parametrize(
    ("namespace", "path"),
    [("autograd", "autograd"), ("nn", "nn"), ("autograd.testing", "autograd-testing")],
)
def test_the_api_reference_documents_every_public_name(open_site, namespace, path):
    import importlib

    page = open_site(f"/api/{path}/")
    headings = page.locator("h2.doc-heading").all_inner_texts()
    for name in importlib.import_module(namespace).__all__:
        assert any(name in heading.split() or f"{name}(" in heading for heading in headings), name
    assert "Returns" in page.content() or "Raises" in page.content()


def _desktop_run() -> tuple[str, str]:
    """What CODE prints on the desktop, and the data the picture shows for c."""
    a, b = Value(2.0), Value(-3.0)
    c = a * b + a.tanh()
    c.backward()
    return f"grads {a.grad} {b.grad}", f"data {c.data:.4f}"


def test_a_playground_url_runs_the_code_prints_the_gradients_and_draws_svg(open_site):
    page = open_site("/playground/?code=" + urllib.parse.quote(CODE))
    page.wait_for_function("window.playgroundDone === true", timeout=120_000)
    output = page.locator("#output")
    printed, data = _desktop_run()
    assert printed in output.inner_text()
    svg = output.locator("svg")
    assert svg.count() == 1
    text = svg.text_content()
    assert "grad 1.0000" in text and data in text


def test_a_stored_stepper_on_a_notebook_page_steps_with_the_keyboard(open_site):
    page = open_site("/notebooks/02_feedforward_and_backprop/")
    stepper = page.locator(".stepgrad-stepper").first
    where = stepper.locator(".sg-where")
    assert where.inner_text().startswith("step 0 of ")
    stepper.click()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert where.inner_text().startswith("step 2 of ")
    assert page.locator(".nb-body .katex").count() >= 1  # the notes' formulas, typeset
    run = page.get_by_role("link", name="▶ Run in your browser")
    assert "playground/?notebook=02_feedforward_and_backprop" in run.get_attribute("href")


def test_a_notebook_runs_in_the_playground_with_its_stepper(open_site):
    page = open_site("/playground/?notebook=02_feedforward_and_backprop")
    page.wait_for_function("window.playgroundDone === true", timeout=120_000)
    cells = page.locator(".cell")
    assert cells.count() >= 5
    # matplotlib has no build for the browser: its import is skipped with a note, and the one
    # cell that plots says why it cannot; every other cell runs
    assert "matplotlib is not available" in page.locator(".cell-output .note").first.inner_text()
    errors = page.locator(".cell-output pre.error").all_inner_texts()
    assert len(errors) <= 1 and all("'plt' comes from 'matplotlib'" in e for e in errors), errors
    stepper = page.locator(".cell-output .stepgrad-stepper").first
    stepper.click()
    page.keyboard.press("ArrowRight")
    assert stepper.locator(".sg-where").inner_text().startswith("step 1 of ")


def test_a_notebook_cell_that_needs_a_kernel_says_so_in_the_playground(open_site):
    page = open_site("/playground/?notebook=06_one_learning_step")
    page.wait_for_function("window.playgroundDone === true", timeout=120_000)
    notes = page.locator(".cell-output .note").all_inner_texts()
    assert any("needs a live Jupyter kernel (ipywidgets)" in note for note in notes), notes
    errors = page.locator(".cell-output pre.error").all_inner_texts()
    assert all("not available in the browser playground" in e for e in errors), errors
