"""The public entry points of training: :func:`train` and the :class:`Trainer` object."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..losses import Loss
from .history import EpochLog, History, TrainingResult
from .optimizers import Optimizer
from .schedules import Schedule

if TYPE_CHECKING:
    from ..network import Network

__all__ = ["Trainer", "train"]


@dataclass
class Trainer:
    """Training settings, following scikit-learn's conventions.

    ``Trainer(...)`` only stores its parameters; :meth:`fit` trains a network
    in place and returns the trainer, with the learned attributes ``result_``,
    ``history_`` and ``best_loss_``. ``get_params``/``set_params`` work as in
    scikit-learn. :func:`train` is the one-call form.

    Parameters
    ----------
    loss : str or Loss, default "squared_error"
        The loss ``ℓ`` per example; each update uses the batch mean.
    epochs : int, default 100
        Passes over the training set per run.
    batch_size : int or None, default 1
        Examples per update: 1 is stochastic gradient descent (one example at
        a time, as the sources teach), k > 1 mini-batch, None the full batch.
    shuffle : bool, default True
        A new random order of the examples every epoch (drawn from ``seed``).
    optimizer : {"sgd", "momentum", "adam"} or Optimizer, default "sgd"
        See :mod:`autograd_graph.training.optimizers`.
    learning_rate : float or callable, optional
        With an optimizer name: a constant step size or a schedule ``t -> η_t``
        (see :mod:`autograd_graph.training.schedules`); the optimizer's default
        (0.01, Adam 0.001) when omitted.
    restarts : int, default 1
        Runs of training. With 1, the run starts from the network's current
        weights; with more, every run redraws them with
        ``net.initialize(init_seed)``, a seed of its own drawn from ``seed``
        (``result.runs[k].init_seed``). That reseeds the network's own random
        generator too: weights drawn later (a new edge) follow from the last
        run's ``init_seed``. The network ends with the best weights of the best run.
    seed : int, numpy SeedSequence or Generator, optional
        Seeds everything random: the initial weights of restarts, the
        shuffling and the validation split. None draws fresh entropy, reported
        in ``result.seed`` so the training can be repeated.
    validation_split : float, default 0.0
        A fraction of the examples held out (at random) for validation, when
        ``fit`` gets no ``validation_data``.
    patience : int, optional
        Early stopping: end a run after this many epochs without an
        improvement of the monitored loss by more than ``min_delta``.
    min_delta : float, default 0.0
    classification : bool, optional
        Whether to report accuracy; by default for the cross-entropy losses.
    callbacks : sequence of callables, default ()
        Each is called as ``callback(log)`` with an :class:`EpochLog` after
        every epoch; returning True ends the run.
    progress : bool, optional
        A tqdm progress bar; by default shown when standard error is a terminal.
    checkpoint : path, optional
        A directory to save checkpoints to: ``best.json`` whenever the best
        weights so far improve, and ``run{r}-epoch{e}.json`` every
        ``checkpoint_every`` epochs.
    checkpoint_every : int, optional

    Examples
    --------
    >>> import numpy as np
    >>> import autograd_graph as ag
    >>> net = ag.running_example(seed=0)
    >>> X = np.linspace(-1, 1, 20).reshape(-1, 1)
    >>> trainer = Trainer(epochs=30, learning_rate=0.1, seed=0, progress=False).fit(net, X, np.sin(3 * X))
    >>> trainer.best_loss_ < trainer.history_.loss[0]
    True
    >>> Trainer(epochs=5).set_params(epochs=10).get_params()["epochs"]
    10
    """

    loss: str | Loss = "squared_error"
    epochs: int = 100
    batch_size: int | None = 1
    shuffle: bool = True
    optimizer: str | Optimizer = "sgd"
    learning_rate: float | Schedule | None = None
    restarts: int = 1
    seed: int | np.random.SeedSequence | np.random.Generator | None = None
    validation_split: float = 0.0
    patience: int | None = None
    min_delta: float = 0.0
    classification: bool | None = None
    callbacks: Sequence[Callable[[EpochLog], bool | None]] = ()
    progress: bool | None = None
    checkpoint: str | os.PathLike | None = None
    checkpoint_every: int | None = None

    def fit(self, net: Network, X: Any, Y: Any, *, validation_data: tuple[Any, Any] | None = None) -> Trainer:
        """Train ``net`` in place on ``(X, Y)``; returns ``self``.

        Parameters
        ----------
        net : Network
        X, Y : array_like or mapping
            ``(n_examples, n_inputs)`` and ``(n_examples, n_outputs)``, as for
            :meth:`Network.forward` and :meth:`Network.backward`; with one
            output neuron, ``Y`` may also be 1-D, one target per example.
        validation_data : (X_val, Y_val), optional
            Held-out data: the best weights are then chosen by validation loss.

        Raises
        ------
        TrainingError
            A setting that cannot work (the message says which).
        NonFiniteError
            A step went non-finite; the message names the step and the first
            neuron at fault, and the network holds the last weights whose pass
            was finite.
        """
        from .loop import run_training

        result = run_training(self, net, X, Y, validation_data)
        self.result_: TrainingResult = result
        self.history_: History = result.history
        self.best_loss_: float = result.loss
        return self

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The parameters, by name (scikit-learn's convention)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def set_params(self, **params: Any) -> Trainer:
        """Set parameters by name; returns ``self``.

        Raises
        ------
        ValueError
            For a name that is not a parameter.
        """
        known = {f.name for f in dataclasses.fields(self)}
        for name, value in params.items():
            if name not in known:
                raise ValueError(f"Trainer has no parameter {name!r}; parameters: {', '.join(sorted(known))}")
            setattr(self, name, value)
        return self


def train(
    net: Network, X: Any, Y: Any, *, validation_data: tuple[Any, Any] | None = None, **params: Any
) -> TrainingResult:
    """Train ``net`` in place; the one-call form of ``Trainer(**params).fit(net, X, Y).result_``.

    Parameters
    ----------
    net : Network
    X, Y : array_like or mapping
        Training inputs ``(n_examples, n_inputs)`` and targets ``(n_examples, n_outputs)``
        (or 1-D, one target per example, for a network of one output).
    validation_data : (X_val, Y_val), optional
    **params
        Any :class:`Trainer` parameter: ``loss``, ``epochs``, ``batch_size``,
        ``shuffle``, ``optimizer``, ``learning_rate``, ``restarts``, ``seed``,
        ``validation_split``, ``patience``, ``min_delta``, ``classification``,
        ``callbacks``, ``progress``, ``checkpoint``, ``checkpoint_every``.

    Returns
    -------
    TrainingResult
        Every run's history and best loss; the network holds the best weights.

    Examples
    --------
    Stochastic gradient descent with a decreasing step size on the running example:

    >>> import numpy as np
    >>> import autograd_graph as ag
    >>> net = ag.running_example(seed=0)
    >>> X = np.linspace(-1, 1, 21).reshape(-1, 1)
    >>> result = train(net, X, np.sin(3 * X), epochs=40, batch_size=1, seed=0, progress=False,
    ...                learning_rate=ag.InverseTimeDecay(0.5, decay=0.001))
    >>> print(f"loss {result.history.loss[0]:.3f} before, {result.loss:.3f} after")
    loss 0.505 before, 0.106 after
    >>> bool((net.weights == result.weights).all())
    True
    """
    return Trainer(**params).fit(net, X, Y, validation_data=validation_data).result_
