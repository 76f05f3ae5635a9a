"""The public entry points of training: :func:`train` and the :class:`Trainer` object."""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..exceptions import UnknownSettingError
from .config import TrainingConfig
from .history import History, TrainingResult
from .loop import run_training

if TYPE_CHECKING:
    from ..network import Network

__all__ = ["Trainer", "train", "check_settings_names"]


@dataclass
class Trainer(TrainingConfig):
    """Training settings, following scikit-learn's conventions.

    ``Trainer(...)`` only stores its parameters; :meth:`fit` trains a network
    in place and returns the trainer, with the learned attributes ``result_``,
    ``history_`` and ``best_loss_``. ``get_params``/``set_params`` work as in
    scikit-learn. :func:`train` is the one-call form.

    Parameters
    ----------
    The fields of :class:`~autograd_graph.training.config.TrainingConfig`
    (``loss``, ``epochs``, ``batch_size``, ``shuffle``, ``optimizer``,
    ``learning_rate``, ``restarts``, ``seed``, ``validation_split``,
    ``patience``, ``min_delta``, ``classification``, ``callbacks``,
    ``progress``, ``checkpoint``, ``checkpoint_every``, ``weight_decay``, ``l1``,
    ``regularize_biases``, ``dropout``, ``clip_norm``), each documented there.

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
            A setting that cannot work (the message says which), the
            checkpoint folder included: checked before any weight changes.
        NonFiniteError
            A step went non-finite; the message names the step and the first
            neuron at fault. The network holds the best weights found, as
            whatever else ends training (Ctrl-C, an error in a callback).

        Warns
        -----
        CheckpointWarning
            Once, when a checkpoint cannot be written; training goes on.
        """
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


# what users of other libraries type, and what it is called here
_OTHER_NAMES = {
    "lr": "learning_rate", "eta": "learning_rate", "step_size": "learning_rate", "learning_rate_init": "learning_rate",
    "verbose": "progress", "max_iter": "epochs", "n_epochs": "epochs", "num_epochs": "epochs",
    "random_state": "seed", "early_stopping": "patience", "validation_fraction": "validation_split",
    "frozen": "net.freeze(edges) before training (frozen edges keep their weights)",
    "freeze": "net.freeze(edges) before training (frozen edges keep their weights)",
    "tied": "net.tie(groups) before training", "callback": "callbacks",
    "momentum": "optimizer=ag.Momentum(learning_rate, momentum=...)",
    "alpha": "weight_decay", "l2": "weight_decay", "decay": "weight_decay", "clipnorm": "clip_norm",
    "max_norm": "clip_norm", "clip_grad_norm": "clip_norm", "dropout_rate": "dropout",
}  # fmt: skip


def check_settings_names(params: Any, where: str = "train") -> None:
    """Raise :class:`UnknownSettingError` for a keyword that is no :class:`Trainer` setting, naming the one meant.

    Examples
    --------
    >>> check_settings_names({"lr": 0.1})
    Traceback (most recent call last):
    ...
    autograd_graph.exceptions.UnknownSettingError: train() has no setting 'lr': use learning_rate
    """
    known = [f.name for f in dataclasses.fields(Trainer)]
    for name in params:
        if name in known:
            continue
        meant = _OTHER_NAMES.get(name) or next(iter(difflib.get_close_matches(name, known, n=1)), None)
        hint = f": use {meant}" if meant else f"; settings: {', '.join(sorted(known))}"
        raise UnknownSettingError(f"{where}() has no setting {name!r}{hint}")


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
        ``callbacks``, ``progress``, ``checkpoint``, ``checkpoint_every``, ``weight_decay``, ``l1``,
        ``regularize_biases``, ``dropout``, ``clip_norm``.

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
    check_settings_names(params)
    return Trainer(**params).fit(net, X, Y, validation_data=validation_data).result_
