"""``ag.explore``: a page to step through a network's forward and backward passes, and its training."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...losses import Loss
from ...training.recorder import Record, Recorder
from .page import Explorer
from .payload import MAX_EXAMPLES, payload

if TYPE_CHECKING:
    from ...network import Network

__all__ = ["explore"]


def explore(
    net: Network,
    X: Any = None,
    Y: Any = None,
    *,
    loss: str | Loss = "squared_error",
    record: Record | Recorder | None = None,
    title: str | None = None,
    number_format: str = ".4g",
    view: str = "auto",
    max_examples: int = MAX_EXAMPLES,
) -> Explorer:
    """An explorer page of ``net``: every value of every example, step by step, what-if, and training.

    The page draws the network (the full view up to 50 neurons and 200 edges,
    the compact view beyond) and holds its own copy of the reference engine's
    formulas in JavaScript: choosing an example shows every neuron's ``a``,
    ``z``, ``∂ℓ/∂a`` and every edge's ``w``, ``∂ℓ/∂w`` for it (and the batch
    mean ``∂L/∂w``); the step buttons (and the arrow keys) walk the forward
    pass neuron by neuron, then the backward pass in the sources' three
    steps, each with its equation and numbers (the same text as
    :func:`~autograd_graph.explain`); hovering or clicking a neuron or an edge
    shows its equations; editing an input or a weight recomputes everything;
    with a ``record`` of training, a slider and a play button go through the
    epochs (edge width and color follow the weights, a loss curve marks the
    epoch). ``window.agExplorer`` drives it from JavaScript (see the README).

    Parameters
    ----------
    net : Network
        At most 5,000 neurons and 100,000 edges (the page computes them);
        activations and loss among those the page's engine knows.
    X : array_like, optional
        Examples ``(batch, n_inputs)`` (or a DataFrame, as ``net.forward``
        takes them); by default one example of zeros, to edit in the page.
    Y : array_like, optional
        Their targets: without them the page shows the forward pass only.
    loss : str or Loss, default "squared_error"
        The loss ``ℓ`` of one example (``squared_error``, ``mse``,
        ``binary_cross_entropy``, ``softmax_cross_entropy``).
    record : Recorder or Record, optional
        A recording of training; a :class:`~autograd_graph.Recorder` gives
        its best run of this network.
    title : str, optional
    number_format : str, default ".4g"
        How the page writes numbers: ``.Ng``, ``.Nf`` or ``.Ne``, exactly as
        Python's ``format`` (``state()`` gives them in full).
    view : {"auto", "full", "compact"}, default "auto"
    max_examples : int, default 256
        The page holds at most this many examples (the first ones), and at
        most 4,000,000 / n_edges of them, so that an edit stays fast.

    Returns
    -------
    Explorer
        Shows itself in Jupyter; ``.save("explore.html")`` writes the page.

    Raises
    ------
    ExplorerError
        A network too big for the page, an activation or loss its engine
        does not compute, a bad ``number_format``, ``view`` or data.
    RecordError
        A record of another network.

    Examples
    --------
    >>> import numpy as np
    >>> import autograd_graph as ag
    >>> net = ag.running_example(seed=0)
    >>> X = np.linspace(-1, 1, 5).reshape(-1, 1)
    >>> page = ag.explore(net, X, np.sin(3 * X), view="compact")
    >>> page
    <Explorer: 9 neurons, 12 edges, 5 examples, compact view, ... characters of HTML>
    >>> "Content-Security-Policy" in page.html and "window.agExplorer" in page.html
    True
    """
    return Explorer(payload(net, X, Y, loss=loss, record=record, title=title, number_format=number_format,
                            view=view, max_examples=max_examples))  # fmt: skip
