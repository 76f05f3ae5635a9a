"""The explorer page of the running example, trained on y = sin(3x), and the README's screenshot of it.

Writes out/explore.html (open it in any browser, offline), out/training.gif
(ag.animate) and, with Playwright and Chromium installed (as the tests use
them), docs/explorer.png: the page in the middle of the backward pass.
"""

import io
import shutil
from pathlib import Path

import numpy as np

import autograd_graph as ag

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip


def main() -> None:
    net = ag.running_example(seed=0)
    X = np.linspace(-1, 1, 41).reshape(-1, 1)
    Y = np.sin(3 * X)
    recorder = ag.Recorder()  # the weights after every epoch
    recorder.start(net)  # … and before the first
    ag.train(net, X, Y, epochs=150, batch_size=1, learning_rate=ag.InverseTimeDecay(0.5, decay=0.001), seed=0,
             callbacks=[recorder], progress=False)  # fmt: skip
    page = ag.explore(net, X, Y, record=recorder, title="the running example, trained on y = sin(3x)")
    out = ROOT / "out"
    print("wrote", page.save(out / "explore.html"), page)
    print("wrote", ag.animate(recorder, out / "training.gif"))
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from PIL import Image
        from playwright.sync_api import sync_playwright
    except ImportError:
        chromium = None
    if chromium is None:
        print("no Chromium or Playwright: no screenshot")
        return
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
        tab = browser.new_page(viewport={"width": 1320, "height": 700})
        tab.goto((out / "explore.html").as_uri(), wait_until="load")
        tab.evaluate("() => { window.agExplorer.setEpoch(60); window.agExplorer.setExample(30); }")
        tab.evaluate("() => window.agExplorer.step(9 + 4)")  # the forward pass, then 4 neurons of the backward
        tab.locator("[data-neuron='3']").click()  # neuron 4: its equations in the panel
        tab.mouse.move(1300, 690)  # away from the picture: no tooltip
        png = tab.screenshot(full_page=False)
        browser.close()
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    path = ROOT / "docs" / "explorer.png"
    image.save(path, optimize=True)
    print("wrote", path, f"{path.stat().st_size / 1e3:.0f} KB")


if __name__ == "__main__":
    main()
