"""The pictures benchmark's own measures (no timings asserted): crossings, label boxes, PNG sizes."""

import shutil
import struct
import zlib

import numpy as np
import pytest

import autograd_graph as ag
from benchmarks.picture_measures import label_boxes, labels_crossed, layout_json, overlaps, png_size, segment_crossings

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")


def test_segment_crossings_by_hand_and_on_a_sample():
    # an X (crossing), a segment sharing an end with one of them (not a crossing), one far away
    x0, y0 = np.array([0.0, 0.0, 1.0, 5.0]), np.array([0.0, 1.0, 1.0, 5.0])
    x1, y1 = np.array([1.0, 1.0, 2.0, 6.0]), np.array([1.0, 0.0, 3.0, 5.0])
    a, b = np.array([0, 2, 1, 4]), np.array([1, 3, 5, 6])
    assert segment_crossings(x0, y0, x1, y1, a, b) == 1
    rng = np.random.default_rng(0)
    n = 300
    pts = rng.random((n, 4))
    ends = np.arange(2 * n).reshape(n, 2)
    exact = segment_crossings(*pts.T, ends[:, 0], ends[:, 1])
    sampled = segment_crossings(*pts.T, ends[:, 0], ends[:, 1], sample=200)
    assert sampled == pytest.approx(exact, rel=0.25)


def test_png_size_reads_the_header():
    header = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">IIBBBBB", 640, 480, 8, 2, 0, 0, 0)
    header += struct.pack(">I", zlib.crc32(header[12:29]))
    assert png_size(header) == (640, 480)
    with pytest.raises(ValueError, match="not a PNG"):
        png_size(b"GIF89a")


@needs_dot
def test_label_boxes_and_overlaps_of_a_laid_out_picture():
    net = ag.running_example(seed=0)
    doc = layout_json(net.to_graphviz().source)
    boxes = label_boxes(doc)
    assert len(boxes) == 12
    assert all(x0 < x1 and y0 < y1 for x0, y0, x1, y1, _, _ in boxes)
    assert overlaps(boxes) == 0
    assert overlaps([boxes[0], boxes[0]]) == 1  # the same box twice overlaps
    assert labels_crossed(doc, boxes) >= 0
