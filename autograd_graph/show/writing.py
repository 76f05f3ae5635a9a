"""Writing a picture to a file: Graphviz under a time limit, or SVG directly when Graphviz is missing.

:func:`write_picture` runs Graphviz itself (``dot -K<engine> -T<format>``,
the DOT on its standard input) so that it can stop it: past ``timeout``
seconds the process is killed and reaped (nothing is left running) and
:class:`RenderTimeoutError` says how big the network is and which view
draws it fast. Without Graphviz, a picture whose positions are the
library's (compact, overview) is written as SVG from its scene
(:func:`~.svg.scene_svg`); any other picture or format raises
:class:`GraphvizNotFoundError`, which says how to install Graphviz. Files
are written whole or not at all.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import graphviz

from ..exceptions import GraphvizNotFoundError, PictureOptionError, RenderError, RenderTimeoutError
from ..io.files import write_atomically
from .picture import Picture
from .svg import scene_svg
from .views import choose_view, size_text

__all__ = ["write_picture", "run_graphviz", "laid_out", "picture_format", "FORMATS", "INSTALL_GRAPHVIZ", "TIMEOUT"]

FORMATS = ("svg", "png", "pdf")
TIMEOUT = 60.0  # seconds: render's default limit for Graphviz
INSTALL_GRAPHVIZ = (
    "Graphviz's `dot` program was not found on PATH: pictures can be built without it, but writing "
    "SVG, PNG or PDF needs it. Install Graphviz (Debian/Ubuntu: `sudo apt-get install graphviz`; "
    "macOS: `brew install graphviz`; conda: `conda install -c conda-forge graphviz`; Windows and "
    "others: https://graphviz.org/download/), then check with `dot -V`."
)
WITHOUT_GRAPHVIZ = " Without it, the compact and overview views (view='compact', view='overview') still write SVG."


def picture_format(path: Path, format: str | None) -> str:
    """The format to write: ``format``, else the suffix of ``path``; one of :data:`FORMATS`."""
    fmt = (format or path.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise PictureOptionError(
            f"cannot write a picture as {fmt!r} ({path}): expected a path ending in, or format=, one of "
            f"{', '.join(FORMATS)}"
        )
    return fmt


def _size(picture: graphviz.Digraph) -> tuple[int, int]:
    """``(neurons, edges)`` of the picture's network, or of its DOT when it does not say."""
    size = getattr(picture, "size", None)
    if size is not None:
        return size
    lines = [line.strip() for line in picture.body]
    edges = sum(" -> " in line and "invis" not in line for line in lines)
    return sum(line[:1].isalnum() and " -> " not in line and "[" in line for line in lines), edges


def _timeout_message(picture: graphviz.Digraph, seconds: float) -> str:
    neurons, edges = _size(picture)
    view = getattr(picture, "view", "full")
    fast = choose_view("auto", neurons, edges)
    fast = "compact" if fast == "full" else fast
    advice = (
        f"view='{fast}' draws it in seconds"
        + (" (or view='overview', one node per layer or group of generations)" if fast == "compact" else "")
        if view in ("full", "panels")
        else "try view='overview', one node per layer or group of generations"
    )
    return (
        f"Graphviz did not finish within {seconds:g} s drawing the {view} view of a network of "
        f"{size_text(neurons, edges)} and was stopped; {advice}, or pass a longer timeout= (None: no limit)"
    )


def run_graphviz(picture: graphviz.Digraph, fmt: str, timeout: float | None = TIMEOUT) -> bytes:
    """Graphviz's output for ``picture`` in ``fmt`` (any ``-T`` format: ``svg``, ``png``, ``json`` …).

    Raises
    ------
    RenderTimeoutError
        Graphviz ran past ``timeout``; it was killed and reaped.
    GraphvizNotFoundError
        Graphviz is missing.
    RenderError
        Graphviz failed.
    """
    if timeout is not None and not timeout > 0:
        raise PictureOptionError(f"timeout must be a positive number of seconds (or None), got {timeout!r}")
    binary = shutil.which(picture.engine) or shutil.which("dot")
    if binary is None:
        raise GraphvizNotFoundError(INSTALL_GRAPHVIZ + WITHOUT_GRAPHVIZ)
    command = [binary, f"-K{picture.engine}", f"-T{fmt}"]
    try:
        done = subprocess.run(command, input=picture.source.encode("utf-8"), capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:  # subprocess.run has killed and reaped the process
        raise RenderTimeoutError(_timeout_message(picture, float(timeout or 0))) from None
    if done.returncode != 0:
        stderr = done.stderr.decode(errors="replace").strip()
        raise RenderError(f"Graphviz's {picture.engine} failed ({fmt}): {stderr or done.returncode}")
    return done.stdout


def laid_out(picture: graphviz.Digraph, timeout: float | None = TIMEOUT) -> dict:
    """Where Graphviz puts every node and edge of ``picture``: its ``-Tjson`` output, as a dict.

    For the full view, whose positions are ``dot``'s: ``objects`` holds each
    node (``name``, ``pos`` as ``"x,y"`` in points, ``width``/``height`` in
    inches, its label and tooltip), ``edges`` each edge (``tail``/``head``
    as indices into ``objects``, ``pos`` its spline). The compact and
    overview views have theirs in ``picture.scene``.

    Examples
    --------
    >>> import shutil
    >>> import autograd_graph as ag
    >>> doc = laid_out(ag.running_example().to_graphviz()) if shutil.which("dot") else {"objects": [0] * 9}
    >>> len([o for o in doc["objects"] if "pos" in o]) if shutil.which("dot") else 9
    9
    """
    return json.loads(run_graphviz(picture, "json", timeout))


def write_picture(
    picture: graphviz.Digraph, path: str | os.PathLike, fmt: str, timeout: float | None = TIMEOUT
) -> Path:
    """Run Graphviz on ``picture`` (at most ``timeout`` seconds) and write the result to ``path``.

    Without Graphviz, a picture with a scene (compact, overview) is written
    as SVG directly. Raises as :func:`run_graphviz`, and
    :class:`GraphvizNotFoundError` when Graphviz is missing and the picture
    needs it (the full view, or PNG/PDF).
    """
    path = Path(path)
    if timeout is not None and not timeout > 0:
        raise PictureOptionError(f"timeout must be a positive number of seconds (or None), got {timeout!r}")
    scene = picture.scene if isinstance(picture, Picture) else None
    if scene is not None and fmt == "svg" and shutil.which(picture.engine) is None and shutil.which("dot") is None:
        return write_atomically(path, scene_svg(scene))
    try:
        data = run_graphviz(picture, fmt, timeout)
    except RenderError as error:
        if isinstance(error, (RenderTimeoutError, GraphvizNotFoundError)):
            raise
        raise RenderError(f"{error} (writing {path})") from None
    return write_atomically(path, data)
