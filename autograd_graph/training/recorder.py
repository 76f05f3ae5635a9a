"""Recording gradient and weight norms over training, group by group: :class:`Recorder`.

A :class:`Recorder` is a training callback (``callbacks=[record]``): after
every ``every``-th epoch it runs one forward and one backward pass over the
data it was given and keeps, for each group of weights, the norm of the
gradient ``‖∂L/∂w‖₂`` and of the weights ``‖w‖₂``. A group is the weights into
one layer (a layered network: "layer 2", "layer 3", …, numbered as
``net.layers()``) or into one topological generation (any other network:
"generation 1", …), as chosen by ``by``. :func:`~autograd_graph.plot_gradients`
draws it; ``record.to_pandas()`` gives the table.

Vanishing gradients show as the norms of the early groups falling orders of
magnitude below the later ones.

Examples
--------
>>> import numpy as np
>>> import autograd_graph as ag
>>> net = ag.running_example(seed=0)
>>> X = np.linspace(-1, 1, 16).reshape(-1, 1)
>>> record = Recorder(X, np.sin(3 * X))
>>> _ = ag.train(net, X, np.sin(3 * X), epochs=3, learning_rate=0.1, callbacks=[record], seed=0, progress=False)
>>> record.groups
['layer 2', 'layer 3', 'layer 4']
>>> record.epochs(), len(record.curve("layer 4"))
([1, 2, 3], 3)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..exceptions import TrainingError
from ..losses import Loss, get_loss
from .evaluation import targets

if TYPE_CHECKING:
    from ..network import Network
    from .history import EpochLog

__all__ = ["Recorder", "weight_groups"]

BY = ("auto", "layer", "generation")


def weight_groups(net: Network, by: str = "auto") -> tuple[list[str], np.ndarray]:
    """The group of every weight (by the layer or generation of the neuron it heads into): the group names
    and each edge's group number, in ``net.edges`` order.

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
    targets_level = np.array([number[j] for _, j in net.edges], dtype=np.int64)
    used = np.unique(targets_level)
    names = [f"{word} {k + first}" for k in used.tolist()]
    return names, np.searchsorted(used, targets_level)


@dataclass
class Recorder:
    """A training callback that records gradient and weight norms per group (see the module notes).

    Parameters
    ----------
    X, Y : array_like or DataFrame
        The data whose gradient is recorded (the training set, or a part of it).
    loss : str or Loss, default "squared_error"
        The loss training uses.
    by : {"auto", "layer", "generation"}
        Groups of weights: by layer for a layered network, else by generation ("auto").
    every : int, default 1
        Record after every ``every``-th epoch.

    Attributes
    ----------
    rows : list of dict
        One per group and recorded epoch: ``run``, ``epoch``, ``group``,
        ``gradient_norm``, ``weight_norm``.
    groups : list of str
        The group names, in order (input side first).
    """

    X: Any
    Y: Any
    loss: str | Loss = "squared_error"
    by: str = "auto"
    every: int = 1
    rows: list[dict] = field(default_factory=list, init=False)
    groups: list[str] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self.loss = get_loss(self.loss)
        if self.by not in BY:
            raise TrainingError(f"by must be one of {', '.join(map(repr, BY))}, got {self.by!r}")
        self._structure: Any = None
        self._group: np.ndarray = np.zeros(0, np.int64)

    def __call__(self, log: EpochLog) -> None:
        if log.epoch % self.every:
            return
        net = log.network
        if net.versions[1] != self._structure:  # the groups of this structure, once
            self.groups, self._group = weight_groups(net, self.by)
            self._structure = net.versions[1]
        grads = net.backward(net.forward(self.X), targets(self.Y, net), loss=self.loss)
        n = len(self.groups)
        gradient = np.sqrt(np.bincount(self._group, weights=grads.weights.flat**2, minlength=n))
        weight = np.sqrt(np.bincount(self._group, weights=net.weights**2, minlength=n))
        for k, name in enumerate(self.groups):
            self.rows.append({"run": log.run, "epoch": log.epoch, "group": name,
                              "gradient_norm": float(gradient[k]), "weight_norm": float(weight[k])})  # fmt: skip

    # ---------------------------------------------------------------- reads
    def runs(self) -> list[int]:
        """The runs recorded, in order."""
        return list(dict.fromkeys(row["run"] for row in self.rows))

    def _run(self, run: int | None) -> int:
        runs = self.runs()
        if not runs:
            raise TrainingError("nothing recorded yet: pass the recorder to ag.train(..., callbacks=[record])")
        if run is None:
            return runs[-1]
        if run not in runs:
            raise TrainingError(f"run {run!r} was not recorded; recorded runs: {runs}")
        return run

    def epochs(self, run: int | None = None) -> list[int]:
        """The epochs recorded in ``run`` (the last run recorded by default)."""
        run = self._run(run)
        return list(dict.fromkeys(row["epoch"] for row in self.rows if row["run"] == run))

    def curve(self, group: str, run: int | None = None, what: str = "gradient_norm") -> np.ndarray:
        """``what`` (``"gradient_norm"`` or ``"weight_norm"``) of one group at each recorded epoch of ``run``."""
        run = self._run(run)
        if group not in self.groups:
            raise TrainingError(f"no group {group!r}; groups: {self.groups}")
        if what not in ("gradient_norm", "weight_norm"):
            raise TrainingError(f"what must be 'gradient_norm' or 'weight_norm', got {what!r}")
        return np.array([row[what] for row in self.rows if row["run"] == run and row["group"] == group])

    def to_pandas(self) -> Any:
        """The rows as a ``pandas.DataFrame`` (columns run, epoch, group, gradient_norm, weight_norm)."""
        import pandas as pd

        return pd.DataFrame(self.rows, columns=["run", "epoch", "group", "gradient_norm", "weight_norm"])
