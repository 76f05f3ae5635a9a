"""The explorer page as one self-contained HTML document, and the :class:`Explorer` that holds it.

The page inlines everything (the data as JSON, the engine, the page's script
and style, package data files next to this module) and its
Content-Security-Policy allows nothing to load: no network request, no other
script than its own (by hash). It opens offline in any browser; in Jupyter
:class:`Explorer` shows it inline, in a sandboxed ``<iframe>`` (each page
keeps its own ``window.agExplorer``).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from ...io.files import write_atomically
from ...io.pages import page_head

__all__ = ["Explorer", "page_html", "SCRIPTS"]

SCRIPTS = ("engine.js", "format.js", "page.js")  # concatenated, in this order, into the page's one script


@cache
def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _json_for_script(doc: dict[str, Any]) -> str:
    """JSON that cannot end its ``<script>`` element early."""
    text = json.dumps(doc, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_BODY = """<header><h1 id="title"></h1>
<span class="keys">→ / n: next step · ← / p: back · Esc: stop walking · space: play the training · click a neuron
or an edge</span></header>
<main>
<div id="picture"></div>
<aside>
<section><h2>Example</h2>
<div class="row"><button id="prev" title="previous example">◀</button><input id="example" class="index" type="number"
min="0" value="0"><span id="example-count" class="muted"></span><button id="next" title="next example">▶</button>
<button id="reset" title="the page as it opened">reset</button></div>
<div id="inputs"></div><div id="targets" class="note"></div><div id="loss" class="eq"></div></section>
<section><h2>Forward and backward pass, step by step</h2>
<div class="row"><button id="back">◀ back</button><button id="forward">step ▶</button><button id="stop">stop</button>
<span id="step-count" class="muted"></span></div><div id="step-eqs"></div></section>
<section><h2>Equations</h2><div id="selected"></div>
<div id="edit" class="row" hidden>what if w = <input id="weight" type="number" step="any"></div></section>
<section id="training" hidden><h2>Training</h2>
<div class="row"><button id="play">play</button><input id="slider" type="range" min="0" value="0" step="1">
<span id="epoch"></span></div><svg id="curve" width="400" height="130"></svg></section>
<div id="notes" class="note"></div>
</aside>
</main>
<div id="tooltip" hidden></div>
"""


def page_html(doc: dict[str, Any]) -> str:
    """The whole page for the document of :func:`~.payload.payload`."""
    script = "\n".join(_asset(name) for name in SCRIPTS)
    style = _asset("explorer.css")
    csp = f"default-src 'none'; script-src '{_hash(script)}'; style-src '{_hash(style)}'; img-src data:"
    title = html.escape(str(doc.get("title", "explorer")))
    return (
        page_head(f"{title}: autograd_graph explorer", csp, style)
        + f"""<body>
{_BODY}<script id="ag-data" type="application/json">{_json_for_script(doc)}</script>
<script>{script}</script>
</body>
</html>
"""
    )


class Explorer:
    """An explorer page: shows itself inline in Jupyter, and :meth:`save` writes it as one HTML file.

    Attributes
    ----------
    data : dict
        The page's document (network, data, loss, record, picture positions).
    html : str
        The whole page.
    """

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.html = page_html(data)

    def save(self, path: str | os.PathLike) -> Path:
        """Write the page to ``path`` (whole or not at all); it opens offline in any browser."""
        return write_atomically(path, self.html)

    def _repr_html_(self) -> str:
        height = min(max(int(self.data["picture"]["height"]) + 120, 560), 900)
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" sandbox="allow-scripts" '
                f'style="width: 100%; height: {height}px; border: 1px solid #ddd"></iframe>')  # fmt: skip

    def __repr__(self) -> str:
        d = self.data
        record = "" if d["record"] is None else f", {len(d['record']['epochs'])} recorded epochs"
        return (f"<Explorer: {len(d['neurons'])} neurons, {len(d['src'])} edges, {d['rows']} examples{record}, "
                f"{d['picture']['view']} view, {len(self.html):,d} characters of HTML>")  # fmt: skip
