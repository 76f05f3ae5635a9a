r"""Pictures of a network: ``net.to_graphviz(...)``, :func:`side_by_side`, :func:`render`, in three views.

Building a picture is pure: :func:`to_graphviz` returns a
:class:`~autograd_graph.show.picture.Picture`, a :class:`graphviz.Digraph`
whose ``.source`` is DOT text (Jupyter shows it). Only :func:`render` runs
Graphviz, under a time limit (``timeout=60`` seconds by default).

Three views (see :mod:`.views` for the thresholds of ``view="auto"``, the
default):

- **full** (small networks): every neuron with its id and function, colored
  by kind (input green, output red, bias blue, hidden neutral); every edge
  with its weight; given a trace, ``a`` and ``z`` in every neuron, given
  gradients ``∂ℓ/∂a`` and ``∂ℓ/∂w`` too; in SVG, tooltips with each formula
  and its numbers (:mod:`.equations`). One rank (column, left to right) per
  layer of a layered network, per topological generation of any other one,
  so skip edges show as such; laid out by Graphviz's ``dot`` (:mod:`.full`).
- **compact** (up to thousands of neurons): every neuron a dot at a position
  the library computes (:mod:`.layout`), edges colored and sized by weight
  or gradient, no labels (:mod:`.compact`).
- **overview** (anything): one node per layer or group of generations, one
  edge per connected pair with its counts (:mod:`.overview`).

DOT names the neurons by position (``n0``, ``n1``, ... in ``net.neurons``
order), so any id is safe (``"in:1"`` is not read as a port).

Examples
--------
>>> import autograd_graph as ag
>>> net = ag.running_example(seed=0)
>>> g = net.to_graphviz()
>>> g.view, g.graph_attr["rankdir"]
('full', 'LR')
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
>>> ag.layered([784, 16, 10]).to_graphviz().view
'compact'
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import graphviz

from ..exceptions import PictureOptionError, UnknownPictureOptionError
from .compact import compact_scene
from .equations import NetworkReads, select_example
from .full import KIND_COLORS, Drawing, rank_groups
from .overview import overview_scene
from .picture import Picture, to_digraph
from .scene import Scene, beside
from .views import Style, check_full_size, check_view_options, choose_view
from .writing import FORMATS, INSTALL_GRAPHVIZ, TIMEOUT, picture_format, write_picture

if TYPE_CHECKING:
    from ..results import Gradients, Trace

__all__ = ["to_graphviz", "side_by_side", "render", "rank_groups", "KIND_COLORS", "FORMATS", "INSTALL_GRAPHVIZ"]


def new_digraph(rankdir: str, title: str | None) -> Picture:
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise PictureOptionError(f"rankdir must be one of 'LR', 'RL', 'TB', 'BT', got {rankdir!r}")
    graph = {"rankdir": rankdir, "nodesep": "0.35", "ranksep": "1.1", "fontname": "Helvetica"}
    if title:
        graph.update(label=title, labelloc="t", fontsize="13")
    return Picture(
        "network",
        graph_attr=graph,
        node_attr={"style": "filled,rounded", "fontname": "Helvetica", "fontsize": "11", "margin": "0.08,0.04"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9", "arrowsize": "0.6"},
    )


def batch_note(trace: Trace | None, example: int) -> str:
    if trace is None or trace.batch_size == 1:
        return ""
    b = select_example(example, trace.batch_size)
    return f"example {b} of {trace.batch_size}; ∂L/∂w is that example's share (L = batch mean)"


def _style(view: str, asked: str, rankdir: str, options: dict[str, Any]) -> Style:
    """The options checked against the view drawn (``rankdir`` is the full view's too)."""
    given = set(options) | ({"rankdir"} if rankdir != "LR" else set())
    check_view_options(view, asked, given - {"rankdir"} if view == "full" else given)
    return Style(**options)


def _drawing(net: NetworkReads, trace: Trace | None, grads: Gradients | None, style: Style, prefix: str) -> Drawing:
    """The full view's drawing, refused beyond the full view's limits (checked before the costly part)."""
    if style.max_per_rank is None:
        check_full_size(net.n_neurons - (len(net.biases) if style.folds("full") else 0), net.n_weights)
        return Drawing(net, trace, grads, style, prefix=prefix)
    drawing = Drawing(net, trace, grads, style, prefix=prefix)
    check_full_size(*drawing.drawn_size())
    return drawing


def to_graphviz(
    net: NetworkReads,
    trace: Trace | None = None,
    grads: Gradients | None = None,
    *,
    view: str = "auto",
    rankdir: str = "LR",
    title: str | None = None,
    **options: Any,
) -> Picture:
    r"""A picture of ``net``, with its weights, and the values of a pass if given.

    Parameters
    ----------
    net : NetworkReads
    trace : Trace, optional
        ``net.forward(X)``: each neuron shows ``a`` and ``z`` (an input its ``x``).
    grads : Gradients, optional
        ``net.backward(trace, Y)``: each neuron shows ``∂ℓ/∂a``, each edge ``∂ℓ/∂w``.
    view : {"auto", "full", "compact", "overview"}, default "auto"
        ``"auto"`` picks by size: full up to 50 neurons and 200 edges,
        compact up to 5,000 neurons and 100,000 edges, else overview (see
        :mod:`autograd_graph.show.views`).
    rankdir : {"LR", "RL", "TB", "BT"}, default "LR"
        The full view's direction: its ranks run left to right by default.
    title : str, optional
    **options
        For every view: ``example`` (which example of the batch, default 0),
        ``number_format`` (a format spec or a function of a float, default
        ``".3g"``), ``fold_biases`` (leave bias neurons out, their weights
        shown in the neurons they feed; default False in the full view, True
        in the others), ``tooltips`` (SVG tooltips, default True), ``loss``
        (the loss ``grads`` were computed with; by default the one they
        record). The full view: ``edge_labels`` (weights on the edges; by
        default when at most 60 are drawn), ``edge_width``, ``edge_color``
        (width by ``|w|``, color by sign: orange < 0 < purple),
        ``max_per_rank`` (at most this many neurons per rank, the others
        one "+N more" node). The compact view: ``max_edges`` (default 3,000;
        beyond, each neuron's strongest inputs), ``color_by`` (``"weight"``,
        or ``"gradient"``, the default with gradients), ``wrap`` (wrap deep
        networks into lines; default when much wider than tall). The
        overview: ``max_groups`` (default 8).

    Returns
    -------
    Picture
        A ``graphviz.Digraph``: ``.source`` is the DOT text, ``.view`` the
        view drawn, ``.scene`` the positions and data of every node and edge
        (compact and overview); :func:`render` writes it to a file.

    Raises
    ------
    StaleTraceError
        The network changed after ``trace`` was computed.
    ExampleError
        ``example`` out of range for the batch.
    PictureOptionError
        A bad option value, or an unknown view or ``rankdir``.
    PictureTooBigError
        The full view of a network beyond 5,000 neurons or 20,000 edges.
    UnknownPictureOptionError
        An option no view takes, or, with a named view, one it does not take.

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
    >>> to_graphviz(net, view="overview").scene.nodes[0].label[:2]
    ('layer 1', '1 neuron')
    """
    chosen = choose_view(view, net.n_neurons, net.n_weights)
    style = _style(chosen, view, rankdir, options)
    if chosen == "compact":
        return to_digraph(compact_scene(net, trace, grads, style, title)[0], size=(net.n_neurons, net.n_weights))
    if chosen == "overview":
        return to_digraph(overview_scene(net, trace, grads, style, title)[0], size=(net.n_neurons, net.n_weights))
    note = batch_note(trace, style.example)
    drawing = _drawing(net, trace, grads, style, prefix="")
    g = new_digraph(rankdir, "\n".join(t for t in (title, note) if t) or None)
    g.size = (net.n_neurons, net.n_weights)
    drawing.draw(g)
    return g


def _panels(panels: Sequence[NetworkReads | tuple]) -> list[tuple]:
    return [(tuple(p) + (None, None))[:3] if isinstance(p, tuple) else (p, None, None) for p in panels]


def side_by_side(
    panels: Sequence[NetworkReads | tuple],
    *,
    titles: Sequence[str] | None = None,
    view: str = "auto",
    rankdir: str = "LR",
    title: str | None = None,
    **options: Any,
) -> Picture:
    """Several networks in one picture, side by side, each with its caption.

    Parameters
    ----------
    panels : sequence
        Each a :class:`Network`, or a tuple ``(net, trace)`` or ``(net, trace, grads)``.
    titles : sequence of str, optional
        One caption per panel.
    view : {"auto", "full", "compact", "overview"}, default "auto"
        One view for every panel; ``"auto"`` picks it for the biggest one.
        Full panels are framed clusters laid out together by ``dot``; compact
        and overview panels are placed side by side at one scale.
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
            f"unknown options {unknown}; side_by_side takes titles, view, rankdir, title and "
            f"to_graphviz's {', '.join(Style.__dataclass_fields__)}"
        )
    entries = _panels(panels)
    size = (sum(p[0].n_neurons for p in entries), sum(p[0].n_weights for p in entries))
    biggest = max(entries, key=lambda p: (p[0].n_neurons, p[0].n_weights), default=None)
    chosen = choose_view(view, biggest[0].n_neurons, biggest[0].n_weights) if biggest else "full"
    style = _style(chosen, view, rankdir, options)
    if chosen != "full":
        build = compact_scene if chosen == "compact" else overview_scene
        scenes: list[Scene] = [build(net, trace, grads, style)[0] for net, trace, grads in entries]
        return to_digraph(beside(scenes, list(titles or []), title), size=size)
    g = new_digraph(rankdir, title)
    g.view, g.size = "panels", size
    previous = None
    for p, (net, trace, grads) in enumerate(entries):
        caption = [titles[p]] if titles is not None else []
        caption += [note] if (note := batch_note(trace, style.example)) else []
        drawing = _drawing(net, trace, grads, style, prefix=f"p{p}_")
        with g.subgraph(name=f"cluster_{p}") as cluster:
            cluster.attr(label="\n".join(caption), style="rounded,dashed", color="#9e9e9e", fontsize="12")
            drawing.draw(cluster, reversed_in_clusters=rankdir in ("LR", "RL"))
        if previous is not None and previous.ranks and drawing.ranks:  # the next panel to the right
            g.edge(previous.names[previous.ranks[-1][0]], drawing.names[drawing.ranks[0][0]], style="invis")
        previous = drawing
    return g


def render(
    picture: graphviz.Digraph | NetworkReads,
    path: str | os.PathLike,
    *,
    format: str | None = None,
    timeout: float | None = TIMEOUT,
    **options: Any,
) -> Path:
    """Write a picture to an SVG, PNG or PDF file, whole or not at all, within ``timeout`` seconds.

    Parameters
    ----------
    picture : graphviz.Digraph or Network
        A picture from :func:`to_graphviz` or :func:`side_by_side`, or a
        network (drawn with ``options``, which go to :func:`to_graphviz`,
        ``view=`` included).
    path : str or path-like
        The file to write; its suffix gives the format unless ``format`` does.
    format : {"svg", "png", "pdf"}, optional
    timeout : float or None, default 60
        Seconds Graphviz may run; past them it is stopped (None: no limit).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    RenderTimeoutError
        Graphviz ran past ``timeout`` and was stopped (no process is left);
        the message gives the network's size and the view that draws it fast.
    GraphvizNotFoundError
        Graphviz's ``dot`` is not installed and the picture needs it (the
        compact and overview views write SVG without it); the message says
        how to install it.
    RenderError
        ``dot`` failed on the picture.
    PictureOptionError
        An unknown format, or a timeout that is not a positive number.
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
    fmt = picture_format(path, format)
    if not isinstance(picture, graphviz.Digraph):
        picture = to_graphviz(picture, **options)
    elif options:
        raise UnknownPictureOptionError(
            f"options {sorted(options)} apply to a Network, not to a finished picture: pass them to to_graphviz"
        )
    return write_picture(picture, path, fmt, timeout)
