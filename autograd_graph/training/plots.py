"""Figures of a training: learning curves (``result.plot()``) and gradient norms (``ag.plot_gradients``, from
what an :class:`~autograd_graph.Recorder` recorded).

Each returns a plain :class:`matplotlib.figure.Figure` on an Agg canvas: no
pyplot, no global state, nothing shown (save it with ``fig.savefig(path)``;
Jupyter shows it). ``ax=`` draws into axes of your own instead.

Examples
--------
>>> import numpy as np
>>> import autograd_graph as ag
>>> net = ag.running_example(seed=0)
>>> X = np.linspace(-1, 1, 16).reshape(-1, 1)
>>> result = ag.train(net, X, np.sin(3 * X), epochs=5, validation_split=0.25, seed=0, progress=False)
>>> fig = result.plot()
>>> [ax.get_ylabel() for ax in fig.axes]
['loss']
>>> [line.get_label() for line in fig.axes[0].get_lines()][:2]
['training', 'validation']
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..exceptions import TrainingError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_history", "plot_gradients", "gradient_norms", "weight_groups"]

TRAINING, VALIDATION, BEST = "#1f77b4", "#ff7f0e", "#2ca02c"
BY = ("auto", "layer", "generation")


def _figure(panels: int, ax: Axes | None) -> tuple[Figure, list[Axes]]:
    if ax is not None:
        if panels != 1:
            raise TrainingError(f"this figure has {panels} panels; ax= takes one (plot the rest yourself)")
        return ax.figure, [ax]  # type: ignore[return-value]
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5.5 * panels, 3.8), layout="constrained")
    FigureCanvasAgg(fig)
    return fig, [fig.add_subplot(1, panels, k + 1) for k in range(panels)]


def _wide_range(values: np.ndarray) -> bool:
    """Whether positive values span more than a factor of 20 (then a log scale reads better)."""
    finite = values[np.isfinite(values)]
    return bool(finite.size and finite.min() > 0 and finite.max() / finite.min() > 20)


def plot_history(result: Any, *, runs: str = "best", log: bool | None = None, ax: Axes | None = None) -> Figure:
    """The learning curves of a training: loss per epoch, training and validation, the best epoch marked.

    Parameters
    ----------
    result : TrainingResult
        What :func:`~autograd_graph.train` returned.
    runs : {"best", "all"}
        The best run only, or every run (the others thin and faded).
    log : bool, optional
        A log scale for the loss; by default when the loss spans more than a factor of 20.
    ax : matplotlib Axes, optional
        Draw the loss there; otherwise a new figure, with a second panel for
        the accuracy of a classifier.

    Returns
    -------
    matplotlib.figure.Figure
        The marked epoch is the one whose weights the network holds (``result.best.best_epoch``).
    """
    if runs not in ("best", "all"):
        raise TrainingError(f"runs must be 'best' or 'all', got {runs!r}")
    best = result.best
    h = best.history
    accuracy = np.array(h.accuracy, dtype=float)
    with_accuracy = ax is None and bool(np.isfinite(accuracy).any())
    fig, axes = _figure(2 if with_accuracy else 1, ax)
    loss_ax = axes[0]
    if runs == "all":
        for run in result.runs:
            if run is not best:
                loss_ax.plot(run.history.epoch, run.history.loss, color=TRAINING, alpha=0.25, lw=0.8)
    curves = [("loss", "training", TRAINING, "-"), ("val_loss", "validation", VALIDATION, "--")]
    everything = []
    for column, label, color, style in curves:
        values = np.array(getattr(h, column), dtype=float)
        if np.isfinite(values).any():
            loss_ax.plot(h.epoch, values, style, color=color, label=label)
            everything.append(values)
    if best.best_epoch < len(h):
        value = best.best_loss
        loss_ax.axvline(best.best_epoch, color=BEST, lw=0.8, ls=":")
        if math.isfinite(value):
            monitor = "validation" if result.monitor == "val_loss" else "training"
            loss_ax.plot([best.best_epoch], [value], "o", color=BEST,
                         label=f"best epoch {best.best_epoch} (by {monitor} loss; the network's weights)")  # fmt: skip
    loss_ax.set_xlabel("epoch")
    loss_ax.set_ylabel("loss")
    if log or (log is None and everything and _wide_range(np.concatenate(everything))):
        loss_ax.set_yscale("log")
    loss_ax.legend(fontsize=8)
    if with_accuracy:
        acc_ax = axes[1]
        acc_ax.plot(h.epoch, accuracy, color=TRAINING, label="training")
        val_accuracy = np.array(h.val_accuracy, dtype=float)
        if np.isfinite(val_accuracy).any():
            acc_ax.plot(h.epoch, val_accuracy, "--", color=VALIDATION, label="validation")
        acc_ax.axvline(best.best_epoch, color=BEST, lw=0.8, ls=":")
        acc_ax.set_xlabel("epoch")
        acc_ax.set_ylabel("accuracy")
        acc_ax.set_ylim(top=1.0)
        acc_ax.legend(fontsize=8)
    return fig


def weight_groups(net: Any, by: str = "auto") -> tuple[list[str], np.ndarray]:
    """The group of every weight, by the layer or generation of the neuron it heads into: the group names and
    each edge's group number, in ``net.edges`` order (``by``: ``"layer"``, ``"generation"``, or ``"auto"``,
    layers for a layered network).

    Examples
    --------
    >>> import autograd_graph as ag
    >>> names, group = weight_groups(ag.running_example())
    >>> names, group.tolist()
    (['layer 2', 'layer 3', 'layer 4'], [0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2])
    """
    if by not in BY:
        raise TrainingError(f"by must be one of {', '.join(map(repr, BY))}, got {by!r}")
    if by == "layer" or (by == "auto" and net.is_layered()):
        levels, word, first = net.layers(), "layer", 1  # layers are numbered from 1, the inputs
    else:
        levels, word, first = net.generations(), "generation", 0
    number = {neuron: k for k, level in enumerate(levels) for neuron in level}
    level_of_target = np.array([number[j] for _, j in net.edges], dtype=np.int64)
    used = np.unique(level_of_target)
    return [f"{word} {k + first}" for k in used.tolist()], np.searchsorted(used, level_of_target)


def gradient_norms(record: Any, *, net: Any = None, by: str = "auto", what: str = "gradients") -> tuple:
    """``(epochs, group names, norms)`` of a :class:`~autograd_graph.Record` (or the best run of a
    :class:`~autograd_graph.Recorder`): ``norms[k, g]`` is ``‖∂L/∂w‖₂`` (``what="weights"``: ``‖w‖₂``) of the
    weights into group ``g`` at the ``k``-th recorded epoch. ``net`` is the network recorded (by default the
    record's own copy of it)."""
    if hasattr(record, "records"):  # a Recorder: its best run
        record = record.best()
    values = record.gradients if what == "gradients" else record.weights
    if what not in ("gradients", "weights"):
        raise TrainingError(f"what must be 'gradients' or 'weights', got {what!r}")
    if values is None:
        raise TrainingError("the record holds no gradients: record them with "
                            "ag.Recorder(gradients=True, X=..., Y=..., loss=...)")  # fmt: skip
    net = record.network if net is None else net
    if net is None:
        raise TrainingError("the record has no network to group its weights by: pass net=")
    record.check_network(net)
    names, group = weight_groups(net, by)
    norms = np.sqrt(np.stack([np.bincount(group, weights=row**2, minlength=len(names)) for row in values]))
    return record.epochs, names, norms.reshape(len(record.epochs), len(names))


def plot_gradients(
    record: Any, *, net: Any = None, by: str = "auto", weights: bool = False, log: bool = True, ax: Axes | None = None
) -> Figure:
    """Gradient norms per layer (or generation) over training, from what an ``ag.Recorder(gradients=True, ...)``
    recorded (see :func:`gradient_norms`).

    Parameters
    ----------
    record : Record or Recorder
        A record with gradients, or a recorder (its best run).
    net : Network, optional
        The network recorded (by default the record's own copy).
    by : {"auto", "layer", "generation"}
        Groups of weights: by the layer (a layered network) or the generation of the neuron they head into.
    weights : bool, default False
        A second panel with the weight norms ``‖w‖₂``.
    log : bool, default True
        A log scale (norms of different layers often differ by orders of magnitude).
    ax : matplotlib Axes, optional
        Draw the gradient norms there (without the weights panel).

    Returns
    -------
    matplotlib.figure.Figure
        One line per group: vanishing gradients show as the early groups' norms falling far below the others.

    Examples
    --------
    >>> import numpy as np
    >>> import autograd_graph as ag
    >>> X = np.linspace(-1, 1, 16).reshape(-1, 1)
    >>> recorder = ag.Recorder(gradients=True, X=X, Y=np.sin(3 * X))
    >>> _ = ag.train(ag.running_example(seed=0), X, np.sin(3 * X), epochs=4, callbacks=[recorder], progress=False)
    >>> fig = ag.plot_gradients(recorder)
    >>> [line.get_label() for line in fig.axes[0].get_lines()]
    ['layer 2', 'layer 3', 'layer 4']
    """
    fig, axes = _figure(2 if weights and ax is None else 1, ax)
    panels = [("gradients", "‖∂L/∂w‖ of the weights into …")]
    if len(axes) == 2:
        panels.append(("weights", "‖w‖ of the weights into …"))
    for panel_ax, (what, label) in zip(axes, panels, strict=False):
        epochs, names, norms = gradient_norms(record, net=net, by=by, what=what)
        for g, name in enumerate(names):
            panel_ax.plot(epochs, norms[:, g], marker="." if len(epochs) < 30 else None, label=name)
        panel_ax.set_xlabel("epoch")
        panel_ax.set_ylabel(label)
        if log and norms.size and (norms > 0).all():
            panel_ax.set_yscale("log")
        panel_ax.legend(fontsize=8, title="weights into", title_fontsize=8)
    return fig
