"""A sweep as one self-contained HTML file, built as the comparison report is (:mod:`.report`).

The page holds the figure (a base64 PNG), one row per network (its
parameters, graph measures, and each metric as ``mean ± std`` with the 95%
interval of the mean), how each network compares to a baseline (Welch's
t-test), the trainings that failed, and the settings. Its
Content-Security-Policy forbids loading anything, so it opens offline.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from ..io.files import write_atomically
from ..io.pages import page_head
from .report import _STYLE, _e, _png
from .stats import METRICS, format_value

__all__ = ["sweep_report_html", "write_sweep_report"]

_MEASURES = ("clustering", "path_length", "relational_clustering", "relational_path_length", "depth", "n_weights")


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "–" if math.isnan(value) else f"{value:.4g}"
    return _e(value)


def _interval(metric: str, entry: dict[str, Any]) -> str:
    mean, std = entry[f"{metric}_mean"], entry[f"{metric}_std"]
    low, high = entry[f"{metric}_low"], entry[f"{metric}_high"]
    text = format_value(metric, mean, std)
    if not math.isnan(low):
        text += f" [{format_value(metric, low)}, {format_value(metric, high)}]"
    return text


def _table(result: Any, metrics: list[str], best: str) -> str:
    summary = result.summary(metrics)
    skip = {"network", "seeds", "errors", "exact", "width", "n_neurons", "n_hidden", "layered", "density",
            *(k for k in summary[0] if k.endswith(("_mean", "_std", "_low", "_high", "_min", "_max")))}  # fmt: skip
    params = [k for k in summary[0] if k not in skip and k not in _MEASURES]
    measures = [k for k in _MEASURES if k in summary[0]]
    head = ["network", *params, *measures, "seeds", *[METRICS[m][0] for m in metrics]]
    lines = ["<div class='wide'><table id='networks'>", "<tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr>"]
    for entry in summary:
        cells = [_e(entry["network"]), *[_cell(entry[k]) for k in params + measures], _e(entry["seeds"])]
        cells += [_e(_interval(m, entry)) for m in metrics]
        mark = " class='best'" if entry["network"] == best else ""
        lines.append(f"<tr data-network='{_e(entry['network'])}'{mark}>" + "".join(f"<td>{c}</td>" for c in cells)
                     + "</tr>")  # fmt: skip
    lines.append("</table></div>")
    return "\n".join(lines)


def sweep_report_html(result: Any, *, x: str = "clustering", y: str | None = "path_length",
                      baseline: str | None = None, fig: Any = None) -> str:  # fmt: skip
    """The report as one HTML document (a string); :func:`write_sweep_report` writes it."""
    headline = result.headline
    metrics = [m for m in METRICS if m in result.rows[0] and not all(math.isnan(r[m]) for r in result.rows)]
    fig = result.plot(x, y, headline, baseline=baseline) if fig is None else fig
    best = result.best(headline)
    d = result.data
    compared = ""
    if baseline is not None:
        items = "".join(f"<li>{_e(str(diff))}</li>" for diff in result.compare_to(baseline, headline))
        compared = f"<h2>Against {_e(baseline)}</h2>\n<ul id='baseline'>{items}</ul>"
    failed = [row for row in result.rows if row.get("error")]
    errors = ""
    if failed:
        items = "".join(f"<li>{_e(row['network'])}, seed {_e(row['seed'])}: {_e(row['error'])}</li>" for row in failed)
        errors = f"<h2>Trainings that went non-finite</h2>\n<ul id='errors'>{items}</ul>"
    csp = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    head = page_head(f"{_e(result.title)}: {len(result.networks)} networks × {len(result.seeds)} seeds", csp, _STYLE)
    return (
        head
        + f"""<body>
<h1>{_e(result.title)}</h1>
<p>{len(result.networks)} networks, each trained from seeds {_e(", ".join(map(str, result.seeds)))} with the same
settings on {_e(d.get("n_train", "?"))} training examples, scored on {_e(d.get("n_test", 0))} test examples;
loss <code>{_e(result.loss)}</code>; {len(result.rows)} trainings.</p>
<p id="best">Best by {_e(METRICS[headline][0])}: <strong>{_e(best["network"])}</strong>,
{_e(_interval(headline, best))} (mean ± std over seeds [95% interval of the mean]).</p>
<h2>{_e(METRICS[headline][0])} over the graph measures</h2>
<div class="figure"><img alt="{_e(METRICS[headline][0])} over {_e(x)} and {_e(y)}"
src="data:image/png;base64,{_png(fig)}"></div>
{compared}
<h2>Every network</h2>
{_table(result, metrics, best["network"])}
<p class="note">mean ± standard deviation over seeds, then the 95% confidence interval of the mean (Student's t);
the bold row is the best.</p>
{errors}
<h2>Settings</h2>
<pre id="settings">{_e(json.dumps(result.settings, indent=1, ensure_ascii=False))}</pre>
</body>
</html>
"""
    )


def write_sweep_report(result: Any, path: str | os.PathLike, **options: Any) -> Path:
    """Write the self-contained HTML report of a sweep, whole or not at all.

    Parameters
    ----------
    result : SweepResult
    path : path
    x, y : str
        The measures of the figure (default ``clustering`` and ``path_length``).
    baseline : str, optional
        A network every other one is compared to (Welch's t-test).
    fig : matplotlib Figure, optional
        The figure to include instead of ``result.plot(x, y)``.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> import autograd_graph as ag
    >>> X = np.linspace(-1, 1, 12).reshape(-1, 1)
    >>> nets = {"narrow": ag.layered([1, 2, 1], seed=0), "wide": ag.layered([1, 6, 1], seed=0)}
    >>> result = ag.sweep(nets, X, np.sin(3 * X), seeds=2, epochs=3)
    >>> page = write_sweep_report(result, Path(tempfile.mkdtemp()) / "sweep.html", baseline="narrow")
    >>> "data-network='wide'" in page.read_text()
    True
    """
    return write_atomically(path, sweep_report_html(result, **options))
