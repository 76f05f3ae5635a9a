"""The settings of training, as one typed dataclass: what the loop reads.

:class:`TrainingConfig` holds every setting of :func:`~autograd_graph.train`
with its default and its meaning; :class:`~autograd_graph.Trainer` is a
``TrainingConfig`` with scikit-learn's methods, and
:func:`~autograd_graph.training.loop.run_training` takes one. Training flows
config → loop → trainer, without a cycle.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..losses import Loss
from .history import EpochLog
from .optimizers import Optimizer
from .schedules import Schedule

__all__ = ["TrainingConfig"]


@dataclass
class TrainingConfig:
    """The settings of a training run: what :class:`~autograd_graph.Trainer` stores and the loop reads.

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
    optimizer : {"sgd", "momentum", "adam", "rmsprop"} or Optimizer, default "sgd"
        See :mod:`autograd_graph.training.optimizers`.
    learning_rate : float or callable, optional
        With an optimizer name: a constant step size or a schedule ``t -> η_t``
        (see :mod:`autograd_graph.training.schedules`); the optimizer's default
        (0.01; Adam 0.001) when omitted.
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
    restore_best : {"train", "val", "last"}, default "train"
        Which weights the network ends with: those of the epoch (and run)
        with the lowest training loss, with ``"val"`` the lowest validation
        loss (it needs validation data), with ``"last"`` the weights after
        the last epoch (of the run whose last training loss is lowest; as
        Keras and PyTorch leave a model; ``best.json`` is then written at the
        end too). Validation data alone are only monitored
        (``history.val_loss``): they never choose the weights unless asked
        to. Early stopping watches the same loss.
    patience : int, optional
        Early stopping: end a run after this many epochs without an
        improvement of the loss ``restore_best`` names by more than ``min_delta``.
    min_delta : float, default 0.0
    classification : bool, optional
        Whether to report accuracy; by default for the cross-entropy losses
        and for targets that are class labels (0 or 1 in one column, one-hot
        rows in several).
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
    weight_decay : float, default 0.0
        L2 penalty ``λ₂``: every update adds ``λ₂ w`` to the gradient (of
        ``λ₂/2 ‖w‖²``), as PyTorch's ``weight_decay``; bias weights and frozen
        edges excepted (see :mod:`autograd_graph.training.regularization`).
    l1 : float, default 0.0
        L1 penalty ``λ₁``: adds ``λ₁ sign(w)`` (of ``λ₁ ‖w‖₁``), with the same exceptions.
    regularize_biases : bool, default False
        Penalise the bias weights too.
    dropout : float or mapping neuron -> rate, default 0.0
        Dropout while training: a rate for every hidden neuron, or rates by
        neuron (input neurons allowed). A dropped neuron's ``z`` is 0 for that
        example, a kept one's is scaled by ``1/(1 − p)``; evaluation and
        ``net.forward`` never drop.
    clip_norm : float, optional
        Clip the gradient's global norm ``‖g‖₂`` (over the trainable
        parameters) to this value before the penalties and the update.
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
    restore_best: str = "train"
    patience: int | None = None
    min_delta: float = 0.0
    classification: bool | None = None
    callbacks: Sequence[Callable[[EpochLog], bool | None]] = ()
    progress: bool | None = None
    checkpoint: str | os.PathLike | None = None
    checkpoint_every: int | None = None
    weight_decay: float = 0.0
    l1: float = 0.0
    regularize_biases: bool = False
    dropout: float | Mapping[Hashable, float] = 0.0
    clip_norm: float | None = None

    def updates(self, n: int) -> int:
        """The updates a run makes over ``n`` training examples: the epochs times the batches of one."""
        return self.epochs * (1 if self.batch_size is None else -(-n // min(self.batch_size, n)))
