"""Small tables for the reprs of results: plain text for ``repr``, HTML for Jupyter's ``_repr_html_``.

Both take the same header and rows of strings, and keep at most
:data:`MAX_ROWS` rows (then one row says how many more there are), so a
network of 10⁵ neurons still prints in a screen. Nothing here imports the rest
of the package.

Examples
--------
>>> print(text_table(["neuron", "z"], [["1", "0.5"], ["9", "-1.25"]]))
neuron      z
     1    0.5
     9  -1.25
>>> html_table(["edge", "w"], [["(1, 3)", "0.5"]], caption="weights")  # doctest: +ELLIPSIS
'<table class="autograd-graph"><caption>weights</caption><thead><tr><th>edge</th><th>w</th>...</table>'
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

__all__ = ["text_table", "html_table", "number", "limited", "MAX_ROWS"]

MAX_ROWS = 20  # rows shown; the rest are counted in a last row


def number(value: float, spec: str = ".4g") -> str:
    """A number for a table (``nan`` and ``inf`` as Python prints them)."""
    return format(value, spec) if math.isfinite(value) else repr(float(value))


def limited(rows: Sequence[Sequence[str]], total: int | None = None, most: int = MAX_ROWS) -> list[list[str]]:
    """The first ``most`` rows, then ``… N more`` when there are more (``total`` of them: ``rows`` may hold
    only the first ones, to spare formatting the rest)."""
    shown = [list(row) for row in rows[:most]]
    total = len(rows) if total is None else total
    if total > most and rows:
        shown.append([f"… {total - most} more"] + [""] * (len(rows[0]) - 1))
    return shown


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]], total: int | None = None) -> str:
    """Columns right-aligned under their headers, two spaces apart (rows beyond :data:`MAX_ROWS` counted;
    ``total``: the number of rows when ``rows`` holds only the first ones)."""
    body = limited(rows, total)
    widths = [max([len(h), *(len(r[c]) for r in body)]) for c, h in enumerate(headers)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True))]
    lines += ["  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) for row in body]
    return "\n".join(line.rstrip() for line in lines)


def html_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], caption: str | None = None, total: int | None = None
) -> str:
    """An HTML ``<table>`` of the same rows (escaped; numbers right-aligned by Jupyter's own style)."""
    parts = ['<table class="autograd-graph">']
    if caption:
        parts.append(f"<caption>{html.escape(caption)}</caption>")
    parts.append("<thead><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in headers) + "</tr></thead><tbody>")
    for row in limited(rows, total):
        parts.append("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)
