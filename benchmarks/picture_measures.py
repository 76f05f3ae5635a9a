"""What the pictures workload measures besides time: label boxes, edge crossings, picture sizes.

- :func:`label_boxes`: the box of every edge label where Graphviz puts it,
  from ``dot -Tjson`` (its own text widths, the same font metrics it draws
  with), and :func:`overlaps` between them;
- :func:`labels_crossed`: labels that another edge passes through (a label
  "at a crossing", which a reader cannot tell apart);
- :func:`segment_crossings`: crossings of straight edges in a drawing, from
  their coordinates (on a random sample of edges for big drawings, scaled
  to all pairs);
- :func:`png_size`: width and height of a PNG, from its header.
"""

from __future__ import annotations

import itertools
import json
import struct
import subprocess

import numpy as np

__all__ = ["label_boxes", "overlaps", "labels_crossed", "segment_crossings", "png_size", "layout_json"]


def layout_json(source: str, engine: str = "dot", timeout: float = 120) -> dict:
    """Graphviz's layout of a DOT text, as its JSON output."""
    done = subprocess.run([engine, "-Tjson"], input=source.encode(), capture_output=True, timeout=timeout, check=True)
    return json.loads(done.stdout)


def label_boxes(doc: dict) -> list[tuple[float, float, float, float, int, int]]:
    """``(x0, y0, x1, y1, tail, head)`` of every edge label (labels, xlabels, head and tail labels)."""
    boxes = []
    for e in doc.get("edges", []):
        for key in ("_ldraw_", "_xldraw_", "_hldraw_", "_tldraw_"):
            size, parts = 14.0, []
            for op in e.get(key) or []:
                if op["op"] == "F":
                    size = op["size"]
                elif op["op"] == "T":
                    x, y = op["pt"]
                    w = op["width"]
                    x0 = x - w / 2 if op["align"] == "c" else x if op["align"] == "l" else x - w
                    parts.append((x0, y - 0.25 * size, x0 + w, y + 0.95 * size))
            if parts:
                x0s, y0s, x1s, y1s = zip(*parts, strict=True)
                boxes.append((min(x0s), min(y0s), max(x1s), max(y1s), e["tail"], e["head"]))
    return boxes


def _hit(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def overlaps(boxes: list) -> int:
    """Pairs of boxes that overlap."""
    return sum(_hit(a, b) for a, b in itertools.combinations(boxes, 2))


def _bezier(pos: str, n: int = 24) -> np.ndarray:
    points = np.array([[float(v) for v in p.split(",")] for p in pos.split() if not p.startswith(("e,", "s,"))])
    t = np.linspace(0, 1, n)[:, None]
    curves = [(1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t**2 * p2 + t**3 * p3
              for p0, p1, p2, p3 in (points[k : k + 4] for k in range(0, len(points) - 3, 3))]  # fmt: skip
    return np.vstack(curves) if curves else points


def labels_crossed(doc: dict, boxes: list) -> int:
    """Labels through whose box another edge (not the label's own) is drawn."""
    curves = [(e["tail"], e["head"], _bezier(e["pos"])) for e in doc.get("edges", [])
              if e.get("style") != "invis" and "pos" in e]  # fmt: skip
    crossed = 0
    for b in boxes:
        for tail, head, p in curves:
            if (tail, head) == (b[4], b[5]):
                continue
            if ((p[:, 0] > b[0]) & (p[:, 0] < b[2]) & (p[:, 1] > b[1]) & (p[:, 1] < b[3])).any():
                crossed += 1
                break
    return crossed


def segment_crossings(x0, y0, x1, y1, a, b, *, sample: int = 3000, seed: int = 0) -> float:
    """Pairs of segments ``(x0, y0)–(x1, y1)`` that cross (segments sharing an end ``a``/``b`` never do).

    Above ``sample`` segments, a seeded random sample is counted and scaled
    to all pairs.
    """
    n = len(x0)
    rng = np.random.default_rng(seed)
    pick = np.arange(n) if n <= sample else rng.choice(n, sample, replace=False)
    factor = 1.0 if n <= sample else n * (n - 1) / (sample * (sample - 1))
    X0, Y0, X1, Y1, A, B = (np.asarray(v)[pick] for v in (x0, y0, x1, y1, a, b))

    def side(px, py, qx, qy, rx, ry):
        return np.sign((qx - px) * (ry - py) - (qy - py) * (rx - px))

    total = 0
    for start in range(0, pick.size, 400):
        s = slice(start, start + 400)
        p = (X0[s, None], Y0[s, None], X1[s, None], Y1[s, None])
        q = (X0[None], Y0[None], X1[None], Y1[None])
        cross = (side(*p, q[0], q[1]) * side(*p, q[2], q[3]) < 0) & (side(*q, p[0], p[1]) * side(*q, p[2], p[3]) < 0)
        shared = (A[s, None] == A[None]) | (A[s, None] == B[None]) | (B[s, None] == A[None]) | (B[s, None] == B[None])
        total += int((cross & ~shared).sum())
    return total / 2 * factor


def png_size(data: bytes) -> tuple[int, int]:
    """``(width, height)`` of a PNG, from its IHDR chunk."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValueError("not a PNG")
    return struct.unpack(">II", data[16:24])
