"""Pictures as a reader sees them: SVGs opened in headless Chromium, screenshot, and their label boxes measured.

Every view is written to SVG (by Graphviz, and by the library's own writer
for the views whose positions are its own), opened in Chromium, and the
PNG screenshot must show a picture (not a blank page) with the kinds'
colors; the edge labels of the full view are measured where the browser
draws them, and no two may overlap.
"""

import io
import shutil

import numpy as np
import pytest
from browser import chromium, needs_chromium

import autograd_graph as ag
from autograd_graph.show.svg import scene_svg

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
pytestmark = [pytest.mark.browser, needs_chromium]
INPUT_GREEN = (0xB2, 0xDF, 0x8A)


@pytest.fixture(scope="module")
def page():
    with chromium() as browser:
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        tab.problems = []
        tab.on("console", lambda m: tab.problems.append(m.text) if m.type in ("error", "warning") else None)
        tab.on("pageerror", lambda error: tab.problems.append(str(error)))
        tab.on("request", lambda r: None if r.url.startswith("file:") else tab.problems.append(r.url))
        yield tab


def screenshot(page, path):
    """Open ``path`` and return its screenshot (the window, 1400 pixels wide) as an (h, w, 3) array of bytes."""
    Image = pytest.importorskip("PIL.Image", reason="Pillow (a matplotlib dependency) is not installed")
    page.problems.clear()
    page.goto(path.as_uri(), wait_until="load")
    # as a viewer shows a big picture: scaled to the window's width (its viewBox keeps the proportions)
    page.evaluate("""() => { const svg = document.querySelector('svg');
        if (svg.width.baseVal.value > 1400) { svg.setAttribute('width', '1400'); svg.removeAttribute('height'); } }""")
    png = page.screenshot(full_page=False)
    assert png.startswith(b"\x89PNG")
    assert page.problems == []
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def assert_a_picture(pixels, colors=()):
    """Not blank: enough ink, many shades, and the given colors somewhere."""
    ink = (pixels.astype(int).sum(axis=2) < 720).mean()
    coarse = pixels.reshape(-1, 3).astype(np.int64) // 8
    shades = np.unique(coarse[:, 0] * 1024 + coarse[:, 1] * 32 + coarse[:, 2]).size
    assert ink > 0.005, f"only {ink:.2%} of the picture is not white"
    assert shades > 12, f"only {shades} shades"
    for color in colors:
        close = (np.abs(pixels.astype(int) - color).sum(axis=2) < 24).sum()
        assert close > 4, f"no pixel of {color}"


NETWORKS = {
    "running example": lambda: ag.running_example(seed=0),
    "784→16→10": lambda: ag.layered([784, 16, 10], seed=0),
    "watts-strogatz 2000": lambda: ag.random_dag(
        2000, "watts_strogatz", k=4, p=0.25, n_inputs=20, n_outputs=5, seed=0
    ),  # fmt: skip
    "chain of 1000": lambda: ag.from_edge_list([(k, k + 1) for k in range(1001)], seed=0),
}


@needs_dot
@pytest.mark.parametrize(
    "name, view",
    [("running example", "full"), ("784→16→10", "compact"), ("watts-strogatz 2000", "compact"),
     ("chain of 1000", "compact"), ("784→16→10", "overview"), ("watts-strogatz 2000", "overview")],
)  # fmt: skip
def test_every_view_renders_a_picture_that_is_not_blank(page, tmp_path, name, view):
    net = NETWORKS[name]()
    trace = net.forward(np.full((1, len(net.inputs)), 0.5))
    picture = net.to_graphviz(trace, view=view)
    path = ag.render(picture, tmp_path / "picture.svg")
    assert_a_picture(screenshot(page, path), [INPUT_GREEN] if view != "overview" else [])
    if picture.scene is not None:  # the same picture written without Graphviz
        direct = tmp_path / "direct.svg"
        direct.write_text(scene_svg(picture.scene), encoding="utf-8")
        assert_a_picture(screenshot(page, direct), [INPUT_GREEN] if view != "overview" else [])


LABELS = """() => [...document.querySelectorAll('g.edge')].filter(g => g.querySelector('text')).map(g => {
  const boxes = [...g.querySelectorAll('text')].map(t => t.getBoundingClientRect());
  return [Math.min(...boxes.map(b => b.left)), Math.min(...boxes.map(b => b.top)),
          Math.max(...boxes.map(b => b.right)), Math.max(...boxes.map(b => b.bottom))];
})"""


def overlapping(boxes):
    return [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :]
            if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]]  # fmt: skip


@needs_dot
@pytest.mark.parametrize("case", ["running example", "with values", "64→16→10 folded"])
def test_no_two_edge_labels_overlap_where_the_browser_draws_them(page, tmp_path, case):
    if case == "64→16→10 folded":
        net = ag.layered([64, 16, 10], seed=0)
        picture = net.to_graphviz(view="full", fold_biases=True, max_per_rank=8, edge_labels=True)
        expected = 2 * 8 * 8
    else:
        net = ag.running_example(seed=0)
        trace = net.forward([[0.5]])
        picture = net.to_graphviz(trace, net.backward(trace, [[1.0]])) if case == "with values" else net.to_graphviz()
        expected = 12
    screenshot(page, ag.render(picture, tmp_path / "labels.svg"))
    boxes = page.evaluate(LABELS)
    assert len(boxes) == expected
    assert overlapping(boxes) == []


@needs_dot
def test_the_overviews_edge_labels_do_not_overlap(page, tmp_path):
    net = ag.random_dag(2000, "gnp", p=0.003, n_inputs=20, n_outputs=5, seed=0)
    picture = net.to_graphviz(view="overview")
    screenshot(page, ag.render(picture, tmp_path / "overview.svg"))
    boxes = page.evaluate(LABELS)
    assert len(boxes) == len(picture.scene.edges)
    assert overlapping(boxes) == []


def test_the_blank_check_rejects_a_blank_picture():
    with pytest.raises(AssertionError, match="not white"):
        assert_a_picture(np.full((50, 80, 3), 255, dtype=np.uint8))
    stripes = np.full((50, 80, 3), 255, dtype=np.uint8)
    stripes[::2] = 0
    with pytest.raises(AssertionError, match="shades"):
        assert_a_picture(stripes)
