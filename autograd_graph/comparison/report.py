"""The comparison as one self-contained HTML file, and its networks' diagrams side by side.

The report holds everything inline: the table, the verdict, the figure (a
base64 PNG), the networks' diagrams side by side (one inline SVG each, all
in one view, chosen for the biggest network, and drawn at one scale, so a
small network looks small next to a big one; the DOT source when Graphviz is
missing and the view needs it), every seed's numbers and the settings. It
loads nothing from anywhere (its Content-Security-Policy forbids it), so it
opens in any browser, offline, and can be mailed as one file. The results
table fits a 1,400-pixel window; a row is bold when its network is the best
alone (a tie, as the table shows the values, bolds none).
"""

from __future__ import annotations

import base64
import html
import io
import json
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import graphviz

from ..exceptions import GraphvizNotFoundError
from ..io.files import write_atomically
from ..io.pages import page_head
from ..show.render import render, side_by_side, to_graphviz
from ..show.views import choose_view
from .plots import figure
from .stats import METRICS, format_value

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .runs import ComparisonData

__all__ = ["diagrams", "write_report", "report_html"]

DIAGRAMS_WIDE = 960.0  # points: the widest diagram is drawn at most this wide, the others at the same scale
_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1320px; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.92em; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3em 0.5em; text-align: right; }
th { vertical-align: bottom; }
td { white-space: nowrap; }
th:first-child, td:first-child { text-align: left; white-space: normal; min-width: 8em; max-width: 16em; }
tr.best td { font-weight: bold; }
.figure img { max-width: 100%; height: auto; }
.wide { overflow-x: auto; }
.diagrams { display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; }
.diagrams figure { flex: 0 0 auto; margin: 0; border: 1px solid #eee; padding: 0.5em; max-width: 100%;
  overflow-x: auto; }
.diagrams svg { display: block; margin: auto; }  /* each at its size: one scale for all */
figcaption { font-size: 0.9em; color: #444; text-align: center; max-width: 40em; margin: auto; }
pre { background: #f6f6f6; padding: 0.7em; overflow-x: auto; }
.note { color: #666; }
"""


def _titles(comparison: ComparisonData) -> list[str]:
    titles = []
    for row in comparison.rows():
        shape = "layered" if row["layered"] else "not layered"
        titles.append(f"{row['network']}: {row['n_weights_range']} weights, {shape}, depth {row['depth_range']}")
    return titles


def diagrams(comparison: ComparisonData, **options: Any) -> graphviz.Digraph:
    """The networks (each trained from the first seed) side by side, by :func:`~autograd_graph.side_by_side`.

    Parameters
    ----------
    comparison : Comparison
    **options
        Options of :func:`~autograd_graph.to_graphviz`. Every network is
        drawn in the view :func:`~autograd_graph.to_graphviz` picks for the
        biggest one (the full view for small networks, with edges drawn by
        the size and sign of their weight; the compact view for bigger ones),
        unless ``view=`` names one.

    Examples
    --------
    >>> import numpy as np
    >>> import autograd_graph as ag
    >>> X = np.linspace(-1, 1, 11).reshape(-1, 1)
    >>> result = ag.compare({"A": ag.running_example(), "B": ag.running_example()}, X, np.sin(3 * X),
    ...                     seeds=1, epochs=2)
    >>> diagrams(result).source.count("subgraph cluster_")
    2
    """
    view = options.pop("view", None) or _view(comparison)
    nets = list(comparison.networks.values())
    return side_by_side(nets, titles=_titles(comparison), view=view, **{**_diagram_defaults(view), **options})


def _view(comparison: ComparisonData) -> str:
    """The view of every diagram: the one the biggest network gets."""
    biggest = max(comparison.networks.values(), key=lambda net: (net.n_neurons, net.n_weights))
    return choose_view("auto", biggest.n_neurons, biggest.n_weights)


def _diagram_defaults(view: str) -> dict[str, Any]:
    return {"edge_width": True, "edge_color": True} if view == "full" else {}


_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')


def _svg(picture: graphviz.Digraph) -> str:
    """The picture as an inline ``<svg>`` element (the XML prolog dropped)."""
    with tempfile.TemporaryDirectory() as folder:
        text = render(picture, Path(folder) / "diagrams.svg").read_text(encoding="utf-8")
    return text[text.index("<svg") :]


def _at_one_scale(svgs: list[str]) -> list[str]:
    """The diagrams resized by one factor, so that the widest is at most :data:`DIAGRAMS_WIDE` points.

    Examples
    --------
    >>> _at_one_scale(['<svg width="1920pt" height="100pt">', '<svg width="480pt" height="50pt">'])
    ['<svg width="960pt" height="50pt">', '<svg width="240pt" height="25pt">']
    """
    sizes = [_SIZE.match(svg) for svg in svgs]
    widest = max((float(m.group(1)) for m in sizes if m), default=0.0)
    scale = min(1.0, DIAGRAMS_WIDE / widest) if widest else 1.0
    out = []
    for svg, m in zip(svgs, sizes, strict=True):
        if m is None:
            out.append(svg)
            continue
        w, h = float(m.group(1)) * scale, float(m.group(2)) * scale
        out.append(f'<svg width="{w:.4g}pt" height="{h:.4g}pt"' + svg[m.end() :])
    return out


def _png(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}{'' if n == 1 else 's'}"


def _e(value: Any) -> str:
    return html.escape(str(value))


def _sole_best(comparison: ComparisonData) -> str | None:
    """The best network by the headline metric, unless another one shows the same value in the table (a tie)."""
    best = comparison.best()
    metric = comparison.headline
    means = {row["network"]: format_value(metric, row[f"{metric}_mean"]) for row in comparison.rows()}
    return None if sum(text == means[best] for text in means.values()) > 1 else best


def _table(comparison: ComparisonData) -> str:
    metrics = comparison.metrics
    best = _sole_best(comparison)
    head = ["network", "weights", "neurons", "hidden", "depth", "layered", "epochs", *[METRICS[m][0] for m in metrics]]
    lines = ["<div class='wide'><table id='results'>", "<tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr>"]
    for row in comparison.rows():
        cells = [row["network"], row["n_weights_range"], row["n_neurons_range"], row["n_hidden"], row["depth_range"],
                 "yes" if row["layered"] else "no", row["epochs"]]  # fmt: skip
        cells += [format_value(m, row[f"{m}_mean"], row[f"{m}_std"]) for m in metrics]
        mark = " class='best'" if row["network"] == best else ""
        lines.append(f"<tr data-network='{_e(row['network'])}'{mark}>" + "".join(f"<td>{_e(c)}</td>" for c in cells)
                     + "</tr>")  # fmt: skip
    lines.append("</table></div>")
    return "\n".join(lines)


def _seed_table(comparison: ComparisonData) -> str:
    metrics = comparison.metrics
    head = ["network", "seed", "weights", "epochs", *[METRICS[m][0] for m in metrics]]
    lines = ["<div class='wide'><table id='seeds'>", "<tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr>"]
    for name, runs in comparison.runs.items():
        for run in runs:
            cells = [name, run.seed, run.structure.n_weights, run.epochs]
            cells += [format_value(m, run.final[m]) for m in metrics]
            lines.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in cells) + "</tr>")
    lines.append("</table></div>")
    return "\n".join(lines)


def _best_note(comparison: ComparisonData) -> str:
    label = _e(METRICS[comparison.headline][0])
    if _sole_best(comparison) is None:
        return f"no row is bold: the best {label} is a tie"
    return f"the bold row is the best by {label}"


def _diagram_section(comparison: ComparisonData, options: dict[str, Any]) -> str:
    """One inline SVG per network, side by side, all in one view and at one scale."""
    options = dict(options)
    view = options.pop("view", None) or _view(comparison)
    bodies = []
    for net in comparison.networks.values():
        picture = to_graphviz(net, view=view, **{**_diagram_defaults(view), **options})
        try:
            bodies.append(_svg(picture))
        except GraphvizNotFoundError as error:
            bodies.append(f"<p class='note'>{_e(error)}</p><details><summary>DOT source</summary>"
                          f"<pre>{_e(picture.source)}</pre></details>")  # fmt: skip
    figures = []
    for name, body, title in zip(comparison.networks, _at_one_scale(bodies), _titles(comparison), strict=True):
        figures.append(f"<figure data-network='{_e(name)}'>{body}<figcaption>{_e(title)}</figcaption></figure>")
    return "<div class='diagrams'>" + "\n".join(figures) + "</div>"


def report_html(comparison: ComparisonData, *, fig: Figure | None = None, diagram_options: dict | None = None) -> str:
    """The report as one HTML document (a string); :func:`write_report` writes it to a file."""
    fig = figure(comparison) if fig is None else fig
    d = comparison.data
    networks = "".join(f"<li data-network='{_e(n)}'>{_e(n)}</li>" for n in comparison.names)
    verdict = "".join(f"<li>{_e(line.strip())}</li>" for line in comparison.verdict())
    csp = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    head = page_head(f"{_e(comparison.title)}: {len(comparison.names)} networks compared", csp, _STYLE)
    return (
        head
        + f"""<body>
<h1>{_e(comparison.title)}</h1>
<p>{len(comparison.names)} networks, each trained from seeds {_e(", ".join(map(str, comparison.seeds)))} with the same
settings on {d["n_train"]} training examples ({_count(d["n_inputs"], "input")}, {_count(d["n_outputs"], "output")})
and scored on {_count(d["n_test"], "test example")}; loss <code>{_e(comparison.loss)}</code>.</p>
<ul id="networks">{networks}</ul>
<h2>Results</h2>
{_table(comparison)}
<p class="note">mean ± standard deviation over seeds; {_best_note(comparison)}. Time per epoch counts the updates
and the evaluation of the training set, not the test curve.</p>
<ul id="verdict">{verdict}</ul>
<h2>Learning curves</h2>
<div class="figure"><img alt="learning curves of {_e(", ".join(comparison.names))}"
src="data:image/png;base64,{_png(fig)}"></div>
<h2>The networks</h2>
{_diagram_section(comparison, diagram_options or {})}
<h2>Every seed</h2>
{_seed_table(comparison)}
<h2>Settings</h2>
<pre id="settings">{_e(json.dumps(comparison.settings, indent=1, ensure_ascii=False))}</pre>
</body>
</html>
"""
    )


def write_report(
    comparison: ComparisonData,
    path: str | os.PathLike,
    *,
    fig: Figure | None = None,
    diagram_options: dict | None = None,
) -> Path:
    """Write the self-contained HTML report, whole or not at all.

    Parameters
    ----------
    comparison : Comparison
    path : str or path-like
        The ``.html`` file to write; its folder must exist.
    fig : matplotlib Figure, optional
        The figure to include; by default ``figure(comparison)``.
    diagram_options : dict, optional
        Options of :func:`diagrams`.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> import autograd_graph as ag
    >>> X = np.linspace(-1, 1, 11).reshape(-1, 1)
    >>> result = ag.compare({"A": ag.running_example()}, X, np.sin(3 * X), seeds=1, epochs=2)
    >>> path = write_report(result, Path(tempfile.mkdtemp()) / "report.html")
    >>> "data-network='A'" in path.read_text()
    True
    """
    return write_atomically(path, report_html(comparison, fig=fig, diagram_options=diagram_options))
