"""``ag.animate``: training as a GIF (Pillow) or an MP4 (ffmpeg), one frame per recorded epoch, for slides.

Each frame draws the network where the explorer page draws it
(:mod:`.explorer.positions`: the full view by ``dot``, else the library's
layout; the compact view for big networks) with every edge's width and color
following its weight at that epoch (orange < 0 < purple, one scale for the
whole run, so growth shows), the epoch, and the loss curve with a marker.
Frames are drawn at twice their size and scaled down (smooth lines), and all
have one size. An MP4 needs ffmpeg: the ``ffmpeg`` program, or the binary of
the ``imageio-ffmpeg`` package (``pip install autograd_graph[video]``).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..exceptions import FFmpegNotFoundError, PictureOptionError, RecordError, RenderError
from ..io.files import write_atomically
from ..training.recorder import Record, Recorder
from .explorer.positions import picture_positions
from .full import KIND_COLORS, sign_color

if TYPE_CHECKING:
    from ..network import Network

__all__ = ["animate", "frames", "find_ffmpeg", "FORMATS"]

FORMATS = ("gif", "mp4")
SUPER = 2  # frames are drawn this many times larger, then scaled down
CURVE_HEIGHT = 110  # pixels under the picture for the loss curve
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def find_ffmpeg() -> str | None:
    """The ffmpeg program: on ``PATH``, else the one the ``imageio-ffmpeg`` package ships, else None."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg
    except ImportError:
        return None
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError:
        return None


def _polyline(d: str, scale: float, dx: float, dy: float) -> list[tuple[float, float]]:
    """The points of an SVG path of M, C and L commands (Béziers sampled), scaled and shifted."""
    tokens = re.findall(r"[MCL]|-?\d+(?:\.\d+)?", d)
    points: list[tuple[float, float]] = []
    command, numbers = "M", []  # type: tuple[str, list[str]]
    for token in tokens + ["M"]:
        if token in "MCL":
            values = [float(v) for v in numbers]
            pairs = list(zip(values[::2], values[1::2], strict=True))
            if command in "ML":
                points += pairs
            else:
                for c in range(0, len(pairs) - 2, 3):
                    p0, (p1, p2, p3) = points[-1], pairs[c : c + 3]
                    for t in np.linspace(0, 1, 9)[1:]:
                        u = 1 - t
                        points.append(tuple(u**3 * a + 3 * u * u * t * b + 3 * u * t * t * e + t**3 * f
                                            for a, b, e, f in zip(p0, p1, p2, p3, strict=True)))  # fmt: skip
            command, numbers = token, []
        else:
            numbers.append(token)
    return [(x * scale + dx, y * scale + dy) for x, y in points]


def _font(size: int) -> Any:
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow before 10.1: one bitmap size
        return ImageFont.load_default()


def frames(record: Record, net: Network, view: str = "auto", width: int = 960) -> Iterator[Any]:
    """The frames of :func:`animate`, as ``PIL.Image.Image`` objects of one size."""
    from PIL import Image, ImageDraw

    pic = picture_positions(net, view)
    s = SUPER
    scale = (width - 24) / pic["width"]
    height = int(pic["height"] * scale) + 40 + CURVE_HEIGHT
    height += height % 2  # even sides, as video encoders want
    W, H = width * s, height * s
    lines = [None if e is None else _polyline(e["d"], scale * s, 12 * s, 36 * s) for e in pic["edges"]]
    top = float(np.abs(record.weights).max()) or 1.0
    font, small = _font(13 * s), _font(10 * s)
    loss = record.loss
    finite = loss[np.isfinite(loss)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    log = lo > 0 and hi / lo > 20
    f = np.log10 if log else (lambda v: v)
    span = float(f(hi) - f(lo)) or 1.0
    last = max(len(loss) - 1, int(record.epochs[-1]), 1)
    cx0, cx1, cy0, cy1 = 60 * s, W - 20 * s, H - (CURVE_HEIGHT - 10) * s, H - 24 * s

    def cx(e: float) -> float:
        return cx0 + e / last * (cx1 - cx0)

    def cy(v: float) -> float:
        return cy1 - float(f(v) - f(lo)) / span * (cy1 - cy0)

    curve = [(cx(e), cy(v)) for e, v in enumerate(loss.tolist()) if np.isfinite(v)]
    for index, epoch in enumerate(record.epochs.tolist()):
        image = Image.new("RGB", (W, H), "white")
        draw = ImageDraw.Draw(image)
        weights = record.weights[index]
        for p, points in enumerate(lines):
            if points is None:
                continue
            fraction = float(np.clip(weights[p] / top, -1, 1))
            pen = (0.6 + 3.4 * abs(fraction)) if pic["view"] == "full" else (0.4 + 1.8 * abs(fraction))
            draw.line(points, fill=sign_color(fraction), width=max(1, round(pen * s * scale)), joint="curve")
        for k, node in enumerate(pic["nodes"]):
            if node is None:
                continue
            fill, border = KIND_COLORS[net.kind(net.neurons[k])]
            x, y = node["x"] * scale * s + 12 * s, node["y"] * scale * s + 36 * s
            w, h = node["w"] * scale * s / 2, node["h"] * scale * s / 2
            if pic["view"] == "full":
                box = (x - w, y - h, x + w, y + h)
                draw.rounded_rectangle(box, radius=6 * s * scale, fill=fill, outline=border, width=max(1, s))
                draw.text((x, y), str(net.neurons[k]), fill="black", font=font, anchor="mm")
            else:
                draw.ellipse((x - w, y - w, x + w, y + w), fill=fill, outline=border, width=max(1, s // 2))
        text = f"epoch {epoch}" + (
            f"   loss {loss[epoch]:.4g}" if epoch < len(loss) and np.isfinite(loss[epoch]) else ""
        )
        draw.text((12 * s, 10 * s), text, fill="black", font=font)
        draw.line([(cx0, cy1), (cx1, cy1)], fill="#999999", width=s)
        draw.line([(cx0, cy0), (cx0, cy1)], fill="#999999", width=s)
        if len(curve) > 1:
            draw.line(curve, fill="#1f78b4", width=2 * s)
        draw.line([(cx(epoch), cy0 - 4 * s), (cx(epoch), cy1)], fill="#d7191c", width=2 * s)
        draw.text((4 * s, cy0), f"{hi:.3g}", fill="#555555", font=small)
        draw.text((4 * s, cy1 - 10 * s), f"{lo:.3g}", fill="#555555", font=small)
        draw.text((cx1, cy1 + 4 * s), f"epoch {last}", fill="#555555", font=small, anchor="ra")
        draw.text((cx0, cy1 + 4 * s), "training loss" + (" (log scale)" if log else ""), fill="#555555", font=small)
        yield image.reduce(SUPER)  # a box filter: smooth lines, and fast


def _gif(images: list[Any], fps: float) -> bytes:
    """The frames as one GIF, on one palette made from up to 8 of them (12 times faster than one per frame)."""
    from PIL import Image

    w, h = images[0].size
    chosen = [images[int(i)] for i in np.unique(np.linspace(0, len(images) - 1, min(8, len(images))).round())]
    mosaic = Image.new("RGB", (w, h * len(chosen)))
    for t, image in enumerate(chosen):
        mosaic.paste(image, (0, t * h))
    palette = mosaic.quantize(colors=255, method=Image.Quantize.FASTOCTREE)
    frames = [image.quantize(palette=palette, dither=Image.Dither.NONE) for image in images]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], loop=0, duration=round(1000 / fps))
    return buffer.getvalue()


def animate(
    record: Record | Recorder,
    path: str | os.PathLike,
    view: str = "auto",
    *,
    net: Network | None = None,
    fps: float = 10.0,
    width: int = 960,
) -> Path:
    """Write training as an animation: one frame per recorded epoch, GIF or MP4 by the suffix of ``path``.

    Parameters
    ----------
    record : Recorder or Record
        A recording of training (a Recorder gives its best run).
    path : str or path-like
        ``.gif`` (Pillow) or ``.mp4`` (ffmpeg); written whole or not at all.
    view : {"auto", "full", "compact"}, default "auto"
        As the explorer page draws the network.
    net : Network, optional
        The network recorded; by default the copy the record holds.
    fps : float, default 10
        Frames (epochs) per second.
    width : int, default 960
        Frame width in pixels; the height follows the picture.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    PictureOptionError
        Another suffix, a bad ``fps`` or ``width``.
    RecordError
        An empty record, or one without its network and no ``net``.
    FFmpegNotFoundError
        An MP4 without ffmpeg.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> import autograd_graph as ag
    >>> net = ag.running_example(seed=0)
    >>> X = np.linspace(-1, 1, 9).reshape(-1, 1)
    >>> rec = ag.Recorder()
    >>> _ = ag.train(net, X, np.sin(3 * X), epochs=3, seed=0, callbacks=[rec])
    >>> path = ag.animate(rec, Path(tempfile.mkdtemp()) / "training.gif", view="compact", width=320)
    >>> from PIL import Image
    >>> Image.open(path).n_frames
    3
    """
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise PictureOptionError(f"cannot write an animation as {path.name!r}: give a path ending in .gif or .mp4")
    if not (isinstance(fps, (int, float)) and not isinstance(fps, bool) and 0 < fps <= 100):
        raise PictureOptionError(f"fps must be a number of frames per second in (0, 100], got {fps!r}")
    if isinstance(width, bool) or not isinstance(width, int) or not 64 <= width <= 4096:
        raise PictureOptionError(f"width must be a whole number of pixels from 64 to 4096, got {width!r}")
    if view not in ("auto", "full", "compact"):
        raise PictureOptionError(f"view must be 'auto', 'full' or 'compact', got {view!r}")
    if isinstance(record, Recorder):
        record = record.best(net)
    net = net if net is not None else record.network
    if net is None:
        raise RecordError("the record does not hold its network (a loaded record of an older file?): pass net=")
    record.check_network(net)
    if record.n_snapshots == 0:
        raise RecordError("the record holds no snapshot of the weights: nothing to animate")
    ffmpeg = find_ffmpeg() if fmt == "mp4" else None
    if fmt == "mp4" and ffmpeg is None:
        raise FFmpegNotFoundError(
            "an MP4 needs ffmpeg: install the ffmpeg program (Debian/Ubuntu: apt-get install ffmpeg) or "
            "pip install imageio-ffmpeg (the 'video' extra); or write a .gif, which needs only Pillow"
        )
    images = list(frames(record, net, view, width))
    if fmt == "gif":
        return write_atomically(path, _gif(images, fps))
    w, h = images[0].size
    assert ffmpeg is not None  # found above
    command = [ffmpeg, "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}", "-r", f"{fps:g}",
               "-i", "-", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-movflags", "frag_keyframe+empty_moov",
               "-f", "mp4", "pipe:1"]  # fmt: skip
    raw = b"".join(image.tobytes() for image in images)
    done = subprocess.run(command, input=raw, capture_output=True, timeout=600)
    if done.returncode != 0:
        raise RenderError(f"ffmpeg failed writing {path}: {done.stderr.decode(errors='replace').strip()}")
    return write_atomically(path, done.stdout)
