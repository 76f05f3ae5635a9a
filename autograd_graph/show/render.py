r"""Pictures of a network with graphviz: ``net.to_graphviz(...)``, :func:`side_by_side`, :func:`render`.

Building a picture is pure: :func:`to_graphviz` returns a
:class:`graphviz.Digraph` whose ``.source`` is DOT text (Jupyter shows it
through the graphviz package). Only :func:`render` runs Graphviz's ``dot``;
when ``dot`` is missing it raises :class:`GraphvizNotFoundError`, which says
how to install it.

What the picture shows:

- every neuron with its id and its function, colored by kind (input green,
  output red, bias blue, hidden neutral);
- every edge with its weight ``w_{i,j}``;
- given a trace, ``a`` and ``z`` in every neuron; given gradients too,
  ``∂ℓ/∂a`` in every neuron and ``∂ℓ/∂w`` on every edge (for a batch, of
  one example: ``example=``);
- in SVG, tooltips with each neuron's formulas and each weight's chain rule,
  numbers filled in (see :mod:`autograd_graph.show.equations`);
- DOT names the neurons by position (``n0``, ``n1``, ... in ``net.neurons``
  order), so any id is safe (``"in:1"`` is not read as a port); the ids
  appear in the labels and tooltips;
- one rank (column, left to right) per layer of a layered network, per
  topological generation of any other one (a bias neuron sits just before
  the first neuron it feeds), so skip edges show as such.

Examples
--------
>>> import autograd_graph as ag
>>> net = ag.running_example(seed=0)
>>> g = net.to_graphviz()
>>> g.graph_attr["rankdir"]
'LR'
>>> lines = [line.strip() for line in g.source.splitlines()]
>>> print(next(line for line in lines if line.startswith("n5 -> n8")))
n5 -> n8 [label=0.502 labeltooltip="w_6,9 = 0.502" tooltip="w_6,9 = 0.502"]
>>> node = next(line for line in lines if line.startswith("n5 ["))
>>> node.split(" color=")[0]
'n5 [label="6\\nlogistic"'
>>> print(node.split("tooltip=")[1].replace("\\n", "\n"))
"a_6 = w_3,6·z_3 + w_4,6·z_4 + w_5,6
= 0.362·z_3 + 0.477·z_4 + 0.265
z_6 = logistic(a_6)"]
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import graphviz

from ..exceptions import GraphvizNotFoundError, PictureOptionError, RenderError, UnknownPictureOptionError
from ..io.files import write_atomically
from ..losses import Loss
from .equations import NetworkReads, NumberFormat, select_example
from .full import KIND_COLORS, Drawing, Style, rank_groups

if TYPE_CHECKING:
    from ..results import Gradients, Trace

__all__ = ["to_graphviz", "side_by_side", "render", "rank_groups", "KIND_COLORS", "FORMATS", "INSTALL_GRAPHVIZ"]

FORMATS = ("svg", "png", "pdf")
INSTALL_GRAPHVIZ = (
    "Graphviz's `dot` program was not found on PATH: pictures can be built without it, but writing "
    "SVG, PNG or PDF needs it. Install Graphviz (Debian/Ubuntu: `sudo apt-get install graphviz`; "
    "macOS: `brew install graphviz`; conda: `conda install -c conda-forge graphviz`; Windows and "
    "others: https://graphviz.org/download/), then check with `dot -V`."
)


def _new_digraph(rankdir: str, title: str | None) -> graphviz.Digraph:
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise PictureOptionError(f"rankdir must be one of 'LR', 'RL', 'TB', 'BT', got {rankdir!r}")
    graph = {"rankdir": rankdir, "nodesep": "0.35", "ranksep": "1.1", "fontname": "Helvetica"}
    if title:
        graph.update(label=title, labelloc="t", fontsize="13")
    return graphviz.Digraph(
        "network",
        graph_attr=graph,
        node_attr={"style": "filled,rounded", "fontname": "Helvetica", "fontsize": "11", "margin": "0.08,0.04"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9", "arrowsize": "0.6"},
    )


def _batch_note(trace: Trace | None, example: int) -> str:
    if trace is None or trace.batch_size == 1:
        return ""
    b = select_example(example, trace.batch_size)
    return f"example {b} of {trace.batch_size}; ∂L/∂w is that example's share (L = batch mean)"


def to_graphviz(
    net: NetworkReads,
    trace: Trace | None = None,
    grads: Gradients | None = None,
    *,
    example: int = 0,
    number_format: NumberFormat = ".3g",
    edge_labels: bool | None = None,
    edge_width: bool = False,
    edge_color: bool = False,
    fold_biases: bool = False,
    max_per_rank: int | None = None,
    tooltips: bool = True,
    loss: str | Loss | None = None,
    rankdir: str = "LR",
    title: str | None = None,
) -> graphviz.Digraph:
    r"""A picture of ``net``, with its weights, and the values of a pass if given.

    Parameters
    ----------
    net : NetworkReads
    trace : Trace, optional
        ``net.forward(X)``: each neuron shows ``a`` and ``z`` (an input its ``x``).
    grads : Gradients, optional
        ``net.backward(trace, Y)``: each neuron shows ``∂ℓ/∂a``, each edge ``∂ℓ/∂w``.
    example : int, default 0
        Which example of the batch the values are of.
    number_format : str or callable, default ".3g"
        A format spec, or a function of a float.
    edge_labels : bool, optional
        Write the weight (and its gradient) on each edge; by default only
        when at most 60 edges are drawn (beyond that labels swamp the
        picture: the SVG tooltips still carry them).
    edge_width, edge_color : bool, default False
        Edge width by ``|w|``; edge color by the sign of ``w`` on a diverging
        palette (orange negative, purple positive, grey near 0).
    fold_biases : bool, default False
        Leave bias neurons out; the neurons they feed show ``b = w``.
    max_per_rank : int, optional
        Show at most this many neurons per rank; the others become one
        "+N more" node, their edges dashed.
    tooltips : bool, default True
        SVG tooltips with each neuron's formulas and each weight's chain rule.
    loss : str or Loss, optional
        The loss ``grads`` were computed with; by default the one they record
        (see :func:`~autograd_graph.explain`).
    rankdir : {"LR", "RL", "TB", "BT"}, default "LR"
        Graphviz's direction: the ranks run left to right by default.
    title : str, optional

    Returns
    -------
    graphviz.Digraph
        ``.source`` is the DOT text; :func:`render` writes it to a file.

    Raises
    ------
    StaleTraceError
        The network changed after ``trace`` was computed.
    ExampleError
        ``example`` out of range for the batch.
    PictureOptionError
        ``max_per_rank`` below 1, or an unknown ``rankdir``.

    Examples
    --------
    >>> import autograd_graph as ag
    >>> net = ag.running_example(seed=0)
    >>> trace = net.forward([[0.5]])
    >>> grads = net.backward(trace, [[1.0]])
    >>> g = to_graphviz(net, trace, grads, number_format=".2f")
    >>> edge = next(line.strip() for line in g.source.splitlines() if line.strip().startswith("n5 -> n8"))
    >>> edge.split(" labeltooltip=")[0]
    'n5 -> n8 [label="0.50\\n∂ℓ/∂w = -1.35"'
    >>> print(edge.split(" tooltip=")[1].replace("\\n", "\n"))
    "w_6,9 = 0.50
    ∂ℓ/∂w_6,9 = ∂ℓ/∂a_9·z_6 = (-2.13)·0.63 = -1.35"]
    """
    style = Style(
        example, number_format, edge_labels, edge_width, edge_color, fold_biases, max_per_rank, tooltips, loss
    )
    note = _batch_note(trace, example)
    g = _new_digraph(rankdir, "\n".join(t for t in (title, note) if t) or None)
    Drawing(net, trace, grads, style, prefix="").draw(g)
    return g


def side_by_side(
    panels: Sequence[NetworkReads | tuple],
    *,
    titles: Sequence[str] | None = None,
    rankdir: str = "LR",
    title: str | None = None,
    **options: Any,
) -> graphviz.Digraph:
    """Several networks in one picture, each in its own framed cluster, side by side.

    Parameters
    ----------
    panels : sequence
        Each a :class:`Network`, or a tuple ``(net, trace)`` or ``(net, trace, grads)``.
    titles : sequence of str, optional
        One caption per panel.
    rankdir, title :
        As in :func:`to_graphviz`, for the whole picture.
    **options :
        Any other option of :func:`to_graphviz`, for every panel.

    Raises
    ------
    PictureOptionError
        Not one title per panel, or a bad option value.
    UnknownPictureOptionError
        An option :func:`to_graphviz` does not take.

    Examples
    --------
    >>> import networkx as nx
    >>> import autograd_graph as ag
    >>> skip = ag.Network.from_networkx(nx.DiGraph([("A", "B"), ("A", "C"), ("B", "C")]), seed=0)
    >>> g = side_by_side([ag.running_example(), skip], titles=["layered", "not layered"])
    >>> edges = [line for line in g.source.splitlines() if "->" in line and "invis" not in line]
    >>> g.source.count("subgraph cluster_"), len(edges)
    (2, 15)
    """
    if titles is not None and len(titles) != len(panels):
        raise PictureOptionError(f"titles: expected one title per panel ({len(panels)}), got {len(titles)} titles")
    unknown = sorted(set(options) - set(Style.__dataclass_fields__))
    if unknown:
        raise UnknownPictureOptionError(
            f"unknown options {unknown}; side_by_side takes titles, rankdir, title and "
            f"to_graphviz's {', '.join(Style.__dataclass_fields__)}"
        )
    style = Style(**options)
    g = _new_digraph(rankdir, title)
    previous = None
    for p, panel in enumerate(panels):
        net, trace, grads = (tuple(panel) + (None, None))[:3] if isinstance(panel, tuple) else (panel, None, None)
        caption = [titles[p]] if titles is not None else []
        caption += [note] if (note := _batch_note(trace, style.example)) else []
        drawing = Drawing(net, trace, grads, style, prefix=f"p{p}_")
        with g.subgraph(name=f"cluster_{p}") as cluster:
            cluster.attr(label="\n".join(caption), style="rounded,dashed", color="#9e9e9e", fontsize="12")
            drawing.draw(cluster)
        if previous is not None and previous.ranks and drawing.ranks:  # the next panel to the right
            g.edge(previous.names[previous.ranks[-1][0]], drawing.names[drawing.ranks[0][0]], style="invis")
        previous = drawing
    return g


def render(
    picture: graphviz.Digraph | NetworkReads, path: str | os.PathLike, *, format: str | None = None, **options: Any
) -> Path:
    """Write a picture to an SVG, PNG or PDF file, whole or not at all.

    Parameters
    ----------
    picture : graphviz.Digraph or Network
        A picture from :func:`to_graphviz` or :func:`side_by_side`, or a
        network (drawn with ``options``, which go to :func:`to_graphviz`).
    path : str or path-like
        The file to write; its suffix gives the format unless ``format`` does.
    format : {"svg", "png", "pdf"}, optional

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    GraphvizNotFoundError
        Graphviz's ``dot`` is not installed; the message says how to install it.
    RenderError
        ``dot`` failed on the picture.
    PictureOptionError
        An unknown format.
    UnknownPictureOptionError
        Options given with a finished picture (they apply to a network only).

    Examples
    --------
    >>> import shutil, tempfile
    >>> from pathlib import Path
    >>> import autograd_graph as ag
    >>> folder = Path(tempfile.mkdtemp())
    >>> path = render(ag.running_example(seed=0), folder / "new" / "net.svg", edge_width=True)
    >>> path.name, path.read_text().lstrip().startswith("<?xml") if shutil.which("dot") else True
    ('net.svg', True)
    """
    path = Path(path)
    fmt = (format or path.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise PictureOptionError(
            f"cannot write a picture as {fmt!r} ({path}): expected a path ending in, or format=, one of "
            f"{', '.join(FORMATS)}"
        )
    if not isinstance(picture, graphviz.Digraph):
        picture = to_graphviz(picture, **options)
    elif options:
        raise UnknownPictureOptionError(
            f"options {sorted(options)} apply to a Network, not to a finished picture: pass them to to_graphviz"
        )
    try:
        data = picture.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFoundError(INSTALL_GRAPHVIZ) from None
    except graphviz.CalledProcessError as error:
        stderr = (error.stderr or b"").decode(errors="replace").strip()
        raise RenderError(f"Graphviz's dot failed writing {path}: {stderr or error}") from None
    write_atomically(path, data)
    return path
