"""The stepper's page in a real browser: headless Chromium (Debian's), driven by Playwright.

Two pages: a stepper of notebook 02's network saved with ``save_html`` (a ``BackwardStepper``
of its error, and an ``nn.LearningStepper`` of the same network and example), and notebook 02 as
stored (with its outputs) exported to HTML by nbconvert (its ``basic`` template: the ``lab``
template itself loads MathJax and require.js from CDNs). On both, the tests step with the
keys and buttons, read the step text and the highlighted node off the page, check that
nothing is requested from the network, that the picture's frame fits a 1400 px wide window
and that at 1400 and 390 px the picture starts readable (its text measured in px as drawn)
with the current node in view.

Run by hand without Chromium or Playwright, the tests skip and say why; in CI (``CI=true``)
a missing browser fails them.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
from pathlib import Path

import pytest

from autograd import topological_order
from autograd.backward_steps import node_names
from autograd.draw.page import READABLE
from autograd.stepping.backward_stepper import BackwardStepper

pytestmark = pytest.mark.slow  # a browser per test: the fast tier leaves them out

WIDTH, HEIGHT = 1400, 900
NOTEBOOK = Path(__file__).parent.parent / "notebooks" / "02_feedforward_and_backprop.ipynb"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401 (only whether it imports)
    except ImportError:
        return "the Python package playwright is not installed (pip install playwright)"
    if shutil.which("chromium") is None:
        return "no chromium on PATH (Debian: apt-get install -y chromium)"
    return None


def _require_browser() -> None:
    """Skip (by hand) or fail (in CI) when Chromium or Playwright is missing."""
    reason = _missing()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests need a browser in CI: {reason}")
        pytest.skip(reason)


def test_a_missing_browser_skips_by_hand_and_fails_in_ci(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no chromium on PATH"):
        _require_browser()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="need a browser in CI"):
        _require_browser()


@contextlib.contextmanager
def chromium():
    """Debian's Chromium through Playwright, headless; skips or fails as ``_require_browser``."""
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@contextlib.contextmanager
def offline_contexts(browser, allowed: tuple[str, ...], who: str):
    """Browser contexts that refuse every request whose URL does not start with ``allowed``.

    They are closed after, and the test fails if ``who`` asked for anything else.
    """
    contexts, outside = [], []

    def new_context(**options):
        context = browser.new_context(**options)
        contexts.append(context)

        def check(route):
            if route.request.url.startswith(allowed):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        context.route("**/*", check)
        return context

    yield new_context
    for context in contexts:
        with contextlib.suppress(Exception):
            context.close()
    assert outside == [], f"{who} asked for {outside}"


@pytest.fixture
def open_page(browser):
    """Open a local file at 1400 x 900; every request that is not file: or data: is refused."""
    with offline_contexts(browser, ("file:", "data:"), "the page") as new_context:

        def opener(path: Path, *, javascript: bool = True, width: int = WIDTH):
            viewport = {"width": width, "height": HEIGHT}
            page = new_context(viewport=viewport, java_script_enabled=javascript).new_page()
            page.goto(path.as_uri())
            return page

        yield opener


def _network():
    """Notebook 02's 2-2-1 sigmoid network and its first example, as the notebook builds it."""
    from nn import Layer

    rng = random.Random(0)
    hidden = Layer(2, 2, activation="sigmoid", rng=rng)
    output = Layer(2, 1, activation="sigmoid", rng=rng)
    for j, neuron in enumerate(hidden.neurons, start=1):
        neuron.b.label = f"b{j}"
        for i, w in enumerate(neuron.w, start=1):
            w.label = f"w{j}{i}"
    output.neurons[0].b.label = "c"
    for j, v in enumerate(output.neurons[0].w, start=1):
        v.label = f"v{j}"
    x, target = [1.0, 0.0], 1.0
    h = hidden(x)
    (y,) = output(h)
    E = 0.5 * (y - target) ** 2
    E.label = "E"
    h[0].label, h[1].label, y.label = "h1", "h2", "y"
    # the delta rule, by hand
    delta_y = (y.data - target) * y.data * (1 - y.data)
    by_hand = {"c": delta_y, "v1": delta_y * h[0].data, "v2": delta_y * h[1].data}
    for j, v in enumerate(output.neurons[0].w, start=1):
        delta = delta_y * v.data * h[j - 1].data * (1 - h[j - 1].data)
        by_hand[f"b{j}"] = delta
        for i, xi in enumerate(x, start=1):
            by_hand[f"w{j}{i}"] = delta * xi
    return E, by_hand


def _backward_case():
    """BackwardStepper of notebook 02's error: labels highlighted, the last position's grads."""
    E, by_hand = _network()
    stepper = BackwardStepper(E, precision=4)
    inner = topological_order(E, include_leaves=False)[::-1]  # the node of each step
    names = node_names(topological_order(E))  # as the pictures call them
    return stepper, [None, *(names[v] for v in inner)], stepper.total, by_hand


def _learning_case():
    """nn.LearningStepper of the same network (an MLP with the same weights) and example."""
    from nn import LearningStepper
    from tests.examples import tutorial_network

    model, _, _ = tutorial_network()
    _, by_hand = _network()
    stepper = LearningStepper(
        model, [1.0, 0.0], 1.0, loss=lambda ys, ts: 0.5 * (ys[0] - ts[0]) ** 2, lr=2.0
    )
    names = node_names(topological_order(stepper.root))
    labels = [None]
    labels += [names[s.node] for s in stepper.forward_steps]
    labels += [names[s.node] for s in stepper.backward_steps]
    labels += [u.name for u in stepper.updates]  # drawn as "w11  old -> new"
    return stepper, labels, stepper.forward_total + stepper.backward_total, by_hand


CASES = {"backward": _backward_case, "learning": _learning_case}


def _shown(page, root=".stepgrad-stepper"):
    """The step text, the highlighted node's label, the counter and the picture's SVG."""
    return page.evaluate(
        """(root) => {
            const r = document.querySelector(root);
            const node = r.querySelector('.sg-pic g.node.sg-current');
            const label = node ? node.querySelector('text').textContent : null;
            return {text: r.querySelector('pre.sg-text').innerText, label: label,
                    where: r.querySelector('.sg-where').textContent,
                    svg: r.querySelector('.sg-pic svg').outerHTML};
        }""",
        root,
    )


def _node_boxes(page):
    """Where every node of the picture is on the page, by its name."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.sg-pic g.node')].map(g => {
            const b = g.getBoundingClientRect();
            return [g.querySelector('title').textContent, [b.left, b.top, b.right, b.bottom]];
        }))"""
    )


def _box(page, selector):
    return page.evaluate(
        "(s) => { const b = document.querySelector(s).getBoundingClientRect();"
        " return [b.left, b.top, b.right, b.bottom]; }",
        selector,
    )


@pytest.mark.parametrize("kind", CASES)
def test_the_saved_page_steps_with_keys_and_buttons_and_matches_the_hand_calculation(
    open_page, tmp_path, kind
):
    stepper, labels, final, by_hand = CASES[kind]()
    page = open_page(stepper.save_html(tmp_path / "stepper.html"))
    texts = stepper.texts()
    seen = _shown(page)
    assert seen["where"] == f"step 0 of {stepper.total}" and seen["label"] is None
    assert seen["text"] == texts[0]
    for k in range(1, len(stepper)):  # from the first position to the last with the keyboard
        page.keyboard.press("ArrowRight")
        seen = _shown(page)
        assert seen["where"] == f"step {k} of {stepper.total}"
        assert seen["text"] == texts[k]
        assert seen["label"].split()[0] == labels[k]
        if k == final:
            all_final = seen["svg"]
    page.keyboard.press("ArrowRight")  # stays at the end
    assert _shown(page)["where"] == f"step {stepper.total} of {stepper.total}"
    import html

    last = html.unescape(all_final)
    for label, grad in by_hand.items():  # every gradient on the page is the delta rule's
        assert f">{label}<" in last and f"grad {grad + 0.0:.4f}" in last, label
    page.keyboard.press("ArrowLeft")
    assert _shown(page)["text"] == texts[-2]
    page.get_by_role("button", name="◀ previous").click()
    assert _shown(page)["text"] == texts[-3]
    page.get_by_role("button", name="next ▶").click()
    assert _shown(page)["text"] == texts[-2]


@pytest.mark.parametrize("kind", CASES)
def test_the_picture_and_the_highlighted_node_fit_a_1400_px_window(open_page, tmp_path, kind):
    stepper = CASES[kind]()[0].goto(5)
    page = open_page(stepper.save_html(tmp_path / "stepper.html"))
    assert _shown(page)["where"] == f"step 5 of {stepper.total}"
    left, top, right, bottom = _box(page, ".sg-pic")  # the picture's frame; it scrolls
    assert left >= 0 and right <= WIDTH and bottom <= HEIGHT, (left, top, right, bottom)
    right = _box(page, ".sg-pic svg")[2]
    node = _box(page, ".sg-pic g.node.sg-current")
    assert node[0] >= 0 and node[2] <= WIDTH and node[1] >= 0 and node[3] <= HEIGHT
    bar = _box(page, ".sg-bar")
    assert bar[1] >= 0 and bar[3] <= HEIGHT
    page.get_by_role("button", name="+").click()  # zoom in: the picture grows, scrolls inside
    assert _box(page, ".sg-pic svg")[2] > right
    page.get_by_role("button", name="fit").click()  # the whole graph
    assert _box(page, ".sg-pic svg")[2] == pytest.approx(min(right, _box(page, ".sg-pic")[2]))


@pytest.mark.parametrize("kind", CASES)
def test_without_javascript_the_page_still_shows_the_steps(open_page, tmp_path, kind):
    stepper = CASES[kind]()[0].goto(3)
    page = open_page(stepper.save_html(tmp_path / "stepper.html"), javascript=False)
    static = page.locator(".sg-static > pre")
    assert static.is_visible() and static.inner_text() == stepper.texts()[3]
    picture = page.locator(".sg-static img")  # a PNG: sanitizers that strip SVG keep images
    assert picture.is_visible() and picture.evaluate("(i) => i.naturalWidth") > 100
    assert page.locator(".sg-bar").count() == 0  # no controls that could not work
    page.locator(".sg-static summary").click()
    words = page.locator(".sg-static details pre")
    assert words.count() == len(stepper) and words.nth(stepper.total).is_visible()
    assert [words.nth(k).inner_text() for k in range(len(stepper))] == stepper.texts()


def test_the_stored_notebook_exported_to_html_shows_working_steppers(open_page, tmp_path):
    import nbconvert  # in the dev extra
    import nbformat

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    body, _ = nbconvert.HTMLExporter(template_name="basic").from_notebook_node(notebook)
    path = tmp_path / "notebook.html"
    path.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>{body}</body>")
    page = open_page(path)
    steppers = page.locator(".stepgrad-stepper")
    assert steppers.count() >= 1
    first = _shown(page)
    assert first["where"].startswith("step 0 of ")
    page.locator(".stepgrad-stepper").first.click()  # keys go to the stepper that has focus
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    after = _shown(page)
    assert after["where"].startswith("step 2 of ") and after["text"].startswith("step 2: ")
    assert after["label"] is not None and after["text"] != first["text"]
    assert _box(page, ".stepgrad-stepper .sg-pic")[2] <= WIDTH  # the picture scrolls inside
    pictures = page.locator(".output_html > img[src^='data:'], .output_png img[src^='data:']")
    assert pictures.count() >= 3  # draw_dot's graphs (an SVG in an <img>), the error curve
    widths = pictures.evaluate_all("(images) => images.map(i => i.naturalWidth)")
    assert all(w > 0 for w in widths)
    shown = pictures.evaluate_all("(i) => i.map(i => i.getBoundingClientRect().right)")
    assert max(shown) <= WIDTH  # shrunk to the page, never cut off


@pytest.mark.parametrize("kind", CASES)
def test_no_node_moves_between_positions_and_the_step_text_is_announced(open_page, tmp_path, kind):
    stepper = CASES[kind]()[0]
    page = open_page(stepper.save_html(tmp_path / "stepper.html"))
    live = page.locator("[aria-live]")
    assert live.count() == 1 and live.inner_text() == stepper.texts()[0]
    first = _node_boxes(page)
    assert len(first) > 10
    page.keyboard.press("ArrowRight")  # the text grows from one line to several
    assert live.inner_text() == stepper.texts()[1] != stepper.texts()[0]
    assert _node_boxes(page) == first
    page.keyboard.press("End")
    for _ in range(stepper.total):
        page.keyboard.press("ArrowRight")
    assert live.inner_text() == stepper.texts()[-1]
    assert _node_boxes(page) == first


def _inside(inner, outer):
    return (
        inner[0] >= outer[0] - 1
        and inner[2] <= outer[2] + 1
        and inner[1] >= outer[1] - 1
        and inner[3] <= outer[3] + 1
    )


def test_on_a_phone_zoom_goes_in_steps_and_follows_the_current_node(open_page, tmp_path):
    stepper = _backward_case()[0]
    page = open_page(stepper.save_html(tmp_path / "stepper.html"), width=390)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390  # no sideways page
    assert _box(page, ".sg-pic")[2] <= 390  # the picture scrolls inside its frame
    start = _box(page, ".sg-pic svg")
    page.get_by_role("button", name="+").click()
    once = _box(page, ".sg-pic svg")
    assert once[2] - once[0] == pytest.approx(1.5 * (start[2] - start[0]), rel=0.02)
    page.get_by_role("button", name="+").click()
    for _ in range(stepper.total):  # to the last step, the view follows the node
        page.get_by_role("button", name="next ▶").click()
        assert _inside(_box(page, ".sg-pic g.node.sg-current"), _box(page, ".sg-pic"))
    page.get_by_role("button", name="−").click()
    assert _box(page, ".sg-pic svg")[2] - _box(page, ".sg-pic svg")[0] == pytest.approx(
        1.5 * (start[2] - start[0]), rel=0.02
    )


def _text_px(page):
    """The height in px of the picture's smallest text (its font size as drawn)."""
    return page.evaluate(
        """() => Math.min(...[...document.querySelectorAll('.sg-pic g.node text')].map(
            t => parseFloat(t.getAttribute('font-size')) * t.getScreenCTM().a))"""
    )


def _whole(page):
    """Whether the whole picture shows in its frame, without scrolling."""
    return _inside(_box(page, ".sg-pic svg"), _box(page, ".sg-pic")) and page.evaluate(
        "(p => p.scrollWidth <= p.clientWidth)(document.querySelector('.sg-pic'))"
    )


@pytest.mark.parametrize("width", [WIDTH, 390])
@pytest.mark.parametrize("kind", CASES)
def test_the_picture_starts_readable_at_the_current_node_and_minus_reaches_the_whole_graph(
    open_page, tmp_path, kind, width
):
    # it started fitted to the width: text of 3 px on a phone, four presses of "+" to read it
    stepper = CASES[kind]()[0].goto(5)
    page = open_page(stepper.save_html(tmp_path / "stepper.html"), width=width)
    assert _text_px(page) >= READABLE - 0.01
    natural = float(page.evaluate("document.querySelector('.sg-pic svg').dataset.width")) * 4 / 3
    assert _box(page, ".sg-pic svg")[2] - _box(page, ".sg-pic svg")[0] <= natural + 0.5
    assert _inside(_box(page, ".sg-pic g.node.sg-current"), _box(page, ".sg-pic"))
    presses = 0
    while not _whole(page):  # "−" goes down in steps of 1.5x until the whole graph shows
        before = _box(page, ".sg-pic svg")
        page.get_by_role("button", name="−").click()
        presses += 1
        after = _box(page, ".sg-pic svg")
        assert after[2] - after[0] < before[2] - before[0] and presses < 8
    assert _box(page, ".sg-pic svg")[2] <= width


@pytest.mark.parametrize("width", [WIDTH, 390])
def test_a_small_graph_shows_whole_at_its_own_size(open_page, tmp_path, width):
    from autograd import Value

    x = Value(0.5, label="x")
    y = x.tanh()
    y.label = "y"
    page = open_page(BackwardStepper(y).save_html(tmp_path / "small.html"), width=width)
    natural = float(page.evaluate("document.querySelector('.sg-pic svg').dataset.width")) * 4 / 3
    assert natural < 390 - 32  # small enough to show whole on a phone
    left, _, right, _ = _box(page, ".sg-pic svg")
    assert right - left == pytest.approx(natural, abs=0.5) and _whole(page)  # not blown up


def test_before_the_first_step_the_view_shows_the_node_of_the_next_step(open_page, tmp_path):
    stepper = _backward_case()[0]  # step 1 is the root, at the right end of a wide graph
    page = open_page(stepper.save_html(tmp_path / "stepper.html"), width=390)
    assert _shown(page)["label"] is None
    root = page.evaluate(
        """() => [...document.querySelectorAll('.sg-pic g.node')].find(
            g => g.querySelector('text').textContent === 'E').getBoundingClientRect().toJSON()"""
    )
    box = [root["left"], root["top"], root["right"], root["bottom"]]
    assert _inside(box, _box(page, ".sg-pic"))


def test_a_stepper_laid_out_after_its_script_ran_follows_the_node_once_it_has_a_size(
    open_page, tmp_path
):
    # JupyterLab runs an output's script before it lays the output out
    stepper = _backward_case()[0].goto(8)
    path = tmp_path / "late.html"
    path.write_text(
        '<!DOCTYPE html><meta charset="utf-8"><meta name="viewport" content="width=device-width">'
        f'<div id="late" style="display:none">{stepper._repr_html_()}</div>',
        encoding="utf-8",
    )
    page = open_page(path, width=390)
    assert _box(page, ".sg-pic")[2] == 0  # nothing laid out yet
    page.evaluate("document.getElementById('late').style.display = 'block'")
    page.wait_for_function(  # no timing: once the frame has a size, the view follows
        """() => { const n = document.querySelector('.sg-pic g.node.sg-current')
                       .getBoundingClientRect(),
                         p = document.querySelector('.sg-pic').getBoundingClientRect();
                   return p.width > 0 && n.left >= p.left && n.right <= p.right; }"""
    )
    assert _inside(_box(page, ".sg-pic g.node.sg-current"), _box(page, ".sg-pic"))
    assert _text_px(page) >= READABLE - 0.01


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_a_node_with_nothing_added_draws_no_empty_cell_and_no_node_moves(
    open_page, tmp_path, rankdir
):
    E, _ = _network()  # at step 5, v1, v2, h1, h2 and c receive; w11 ... do not
    stepper = BackwardStepper(E, precision=4, rankdir=rankdir).goto(5)
    page = open_page(stepper.save_html(tmp_path / "stepper.html"))
    cells = page.evaluate(  # LR: data, grad, adds stacked; TB: side by side under the name
        """(tb) => Object.fromEntries([...document.querySelectorAll('.sg-pic g.node')]
            .filter(g => g.querySelectorAll('text').length === 4).map(g => {
              const t = [...g.querySelectorAll('text')], box = g.getBoundingClientRect();
              const lines = [...g.querySelectorAll('polyline')].filter(
                l => getComputedStyle(l).visibility !== 'hidden');
              const at = b => tb ? ((b.left + b.right) / 2 - box.left) / box.width
                                 : ((b.top + b.bottom) / 2 - box.top) / box.height;
              return [t[0].textContent, {adds: t[3].textContent, lines: lines.length,
                      at: t.slice(1, 3).map(e => at(e.getBoundingClientRect()))}];
            }))""",
        rankdir == "TB",
    )
    receiving = {name for name, cell in cells.items() if cell["adds"]}
    assert receiving == {"v1", "v2", "h1", "h2", "c"}
    for cell in cells.values():
        if cell["adds"]:  # three cells: data, grad, adds
            assert cell["lines"] == 3 and cell["at"] == pytest.approx([1 / 6, 1 / 2], abs=0.08)
        else:  # data and grad share the box: no empty third cell
            assert cell["lines"] == 2 and cell["at"] == pytest.approx([1 / 4, 3 / 4], abs=0.08)

    def in_picture():  # the view follows the current node: where each node is in the picture
        left, top, _, _ = _box(page, ".sg-pic svg")
        return {
            n: [b[0] - left, b[1] - top, b[2] - left, b[3] - top]
            for n, b in _node_boxes(page).items()
        }

    first = in_picture()
    for key in ("ArrowRight", "ArrowLeft", "ArrowLeft", "End", "Home"):
        page.keyboard.press(key)
        now = in_picture()
        assert all(now[n] == pytest.approx(first[n], abs=0.01) for n in first)


def test_on_a_phone_the_controls_make_two_tidy_rows(open_page, tmp_path):
    # they wrapped as "previous, slider" over "next, step 5 of 9, −, fit, +"
    stepper = _backward_case()[0].goto(5)
    page = open_page(stepper.save_html(tmp_path / "stepper.html"), width=390)
    controls = page.evaluate(
        """() => [...document.querySelectorAll('.sg-bar button, .sg-bar input, .sg-where')]
            .map(e => { const b = e.getBoundingClientRect();
                        return [e.textContent || e.type, b.left, b.top, b.right, b.bottom]; })"""
    )
    rows = sorted({round(top) for _, _, top, _, _ in controls})
    where = {name: round(top) for name, _, top, _, _ in controls}
    assert len({round((t + b) / 2 / 10) for _, _, t, _, b in controls}) <= 2  # two rows
    assert where["◀ previous"] == where["next ▶"]  # the steps side by side
    assert where["range"] > min(rows) and where["−"] > min(rows)  # slider and zoom under them
    assert all(left >= 0 and right <= 390 for _, left, _, right, _ in controls)
    slider = next(c for c in controls if c[0] == "range")
    assert slider[3] - slider[1] >= 120  # room to drag


def test_the_keyboard_and_a_screen_reader_can_use_the_page(open_page, tmp_path):
    stepper = _backward_case()[0]
    page = open_page(stepper.save_html(tmp_path / "stepper.html"))
    slider = page.locator(".sg-bar input[type=range]")
    assert slider.get_attribute("aria-valuetext") == f"step 0 of {stepper.total}"
    forward = page.get_by_role("button", name="next ▶")
    for _ in range(stepper.total + 1):  # one press too many at the end
        forward.press("Enter")
    assert _shown(page)["where"] == f"step {stepper.total} of {stepper.total}"
    assert page.evaluate("document.activeElement.textContent") == "next ▶"  # focus kept
    assert forward.get_attribute("aria-disabled") == "true"
    assert slider.get_attribute("aria-valuetext") == f"step {stepper.total} of {stepper.total}"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus is visible
    page.keyboard.press("Home")
    assert _shown(page)["where"] == f"step 0 of {stepper.total}"
    final = page.locator(".sg-pic g.node.sg-final")  # final gradients: not only a colour
    page.keyboard.press("End")
    assert final.count() > 0
    dashes = final.first.evaluate(
        "(g) => getComputedStyle(g.querySelector('polygon')).strokeDasharray"
    )
    assert dashes not in ("", "none")


def test_a_screen_reader_reads_the_graph_as_a_list_of_its_values(open_page, tmp_path):
    # the SVG was one image named by every node's text run together ("v1 data 0.0225 ...")
    stepper = _backward_case()[0]
    page = open_page(stepper.save_html(tmp_path / "stepper.html"))
    picture = page.locator(".sg-pic").aria_snapshot()
    assert picture.count("\n") == 0 and 'img "the graph: 18 values' in picture
    assert "data" not in picture and "grad" not in picture  # one summary, no node read out
    values = page.get_by_role("list", name="the graph's values").get_by_role("listitem")
    assert values.count() == stepper.draw().source.count("shape=record") > 10
    first = values.all_inner_texts()
    assert all("grad 0.0000" in item for item in first) and not any("this step" in i for i in first)
    assert len(first) == len(set(first))
    page.keyboard.press("ArrowRight")  # step 1: the root E = n16 * 0.5 is this step, grad 1
    now = values.all_inner_texts()
    (current,) = [item for item in now if "this step" in item.split(", ")]
    assert current.startswith("E, from * 0.5 of n16: data ") and "grad 1.0000" in current
    assert _shown(page)["label"] == "E"
    assert any(item.startswith("n16, from ** 2 of n15: ") for item in now)
    assert any(item.startswith("v1: data ") for item in now)  # a leaf: its name and numbers
