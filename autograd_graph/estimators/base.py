"""What :class:`~autograd_graph.NetworkClassifier` and :class:`~autograd_graph.NetworkRegressor` share.

:class:`NetworkEstimator` follows scikit-learn's rules: ``__init__`` stores
its parameters and nothing else; ``fit`` checks the data
(``sklearn.utils.validation.validate_data``: finite, 2-D, ``n_features_in_``,
``feature_names_in_``), builds the network (a copy of ``network``, or
``builder(n_inputs, n_outputs, seed)``, or ``ag.layered`` with the ``hidden``
sizes), trains it with :class:`~autograd_graph.Trainer` and sets the learned
attributes (``network_``, ``result_``, ``history_``, ``loss_curve_``,
``n_iter_``); the network passed as ``network`` is never changed.

pandas: a ``DataFrame`` whose columns name the inputs of the network given is
matched by name; any other is read as scikit-learn does, and at ``predict`` a
frame with the columns of ``fit`` in another order is put back in that order
(matched by name, as everywhere in the library).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from ..build.builders import layered
from ..network import Network
from ..training.trainer import Trainer

__all__ = ["NetworkEstimator"]


class NetworkEstimator(BaseEstimator):
    """The parameters and the training shared by the estimators (see the module notes).

    Parameters
    ----------
    network : Network, optional
        The network to train (a copy of it: ``network_``). Its inputs must be
        as many as the features, its outputs as many as the targets (a
        classifier: one for two classes, one per class otherwise).
    hidden : tuple of int, default (16,)
        Hidden layer sizes of the layered network built at ``fit`` when no
        ``network`` nor ``builder`` is given.
    activation : str or Activation, default "relu"
        Of the hidden neurons of that network.
    builder : callable, optional
        ``builder(n_inputs, n_outputs, seed) -> Network``, called at ``fit``.
    loss : str, optional
        The estimator's default when None (see each estimator).
    optimizer : str or Optimizer, default "adam"
    learning_rate : float, default 0.001
    epochs : int, default 200
        Epochs of ``fit`` (``partial_fit`` runs one).
    batch_size : int or None, default 32
        Examples per update (None: all).
    shuffle, restarts, validation_split, patience, min_delta, weight_decay, dropout, clip_norm
        As for :func:`~autograd_graph.train` (``weight_decay`` is scikit-learn's ``alpha``, per update).
    restore_best : {"last", "train", "val"}, default "last"
        The weights ``network_`` ends with: after the last epoch, as
        scikit-learn's own networks, or the best by training or validation loss.
    random_state : int, RandomState or None
        Seeds the network's weights and the training (scikit-learn's convention).
    verbose : bool, default False
        A progress bar.
    """

    _default_loss = "squared_error"
    _training_settings = ("optimizer", "learning_rate", "batch_size", "shuffle", "restarts", "validation_split",
                          "restore_best", "patience", "min_delta", "weight_decay", "dropout", "clip_norm")  # fmt: skip

    def __init__(
        self,
        network: Network | None = None,
        *,
        hidden: Sequence[int] = (16,),
        activation: Any = "relu",
        builder: Callable[[int, int, int], Network] | None = None,
        loss: str | None = None,
        optimizer: Any = "adam",
        learning_rate: Any = 0.001,
        epochs: int = 200,
        batch_size: int | None = 32,
        shuffle: bool = True,
        restarts: int = 1,
        validation_split: float = 0.0,
        restore_best: str = "last",
        patience: int | None = None,
        min_delta: float = 0.0,
        weight_decay: float = 0.0,
        dropout: Any = 0.0,
        clip_norm: float | None = None,
        random_state: Any = None,
        verbose: bool = False,
    ) -> None:
        self.network = network
        self.hidden = hidden
        self.activation = activation
        self.builder = builder
        self.loss = loss
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.restarts = restarts
        self.validation_split = validation_split
        self.restore_best = restore_best
        self.patience = patience
        self.min_delta = min_delta
        self.weight_decay = weight_decay
        self.dropout = dropout
        self.clip_norm = clip_norm
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ data
    def _frame_by_name(self, X: Any, reset: bool) -> Any:
        """A DataFrame put in the order its names say: the inputs of the network given (at fit), the
        columns of fit (later)."""
        pd = sys.modules.get("pandas")
        if pd is None or not isinstance(X, pd.DataFrame):
            return X
        columns = list(X.columns)
        if reset and isinstance(self.network, Network):
            inputs = self.network.inputs
            named = [c for c in columns if c in set(inputs)]
            if named and set(columns) != set(inputs):
                raise ValueError(
                    f"X has the columns {columns} and the network the inputs {inputs}: a DataFrame that names "
                    f"inputs must name each of them once, and nothing else"
                )
            return X[list(inputs)] if named else X
        names = getattr(self, "feature_names_in_", None)
        if not reset and names is not None and set(columns) == set(names) and columns != list(names):
            return X[list(names)]
        return X

    def _check_X(self, X: Any, reset: bool) -> np.ndarray:
        return validate_data(self, self._frame_by_name(X, reset), reset=reset, dtype=np.float64)

    def _seed(self, reset: bool) -> int:
        """A seed for the next network and training, from ``random_state`` (fresh entropy when it is None);
        ``fit`` starts its sequence again, so that two fits with an int ``random_state`` are the same."""
        if reset or not hasattr(self, "_random"):
            self._random = check_random_state(self.random_state)
        return int(self._random.randint(np.iinfo(np.int32).max))

    # ---------------------------------------------------------------- network
    def _output_activation(self, n_outputs: int) -> str:
        return "identity"

    def _new_network(self, n_inputs: int, n_outputs: int, seed: int) -> Network:
        if self.network is not None:
            if not isinstance(self.network, Network):
                raise TypeError(f"network must be an autograd_graph Network, got {type(self.network).__name__}")
            net = self.network.copy()
        elif self.builder is not None:
            net = self.builder(n_inputs, n_outputs, seed)
            if not isinstance(net, Network):
                raise TypeError(f"builder must return a Network, got {type(net).__name__}")
        else:
            hidden = [self.hidden] if isinstance(self.hidden, (int, np.integer)) else list(self.hidden)
            sizes = [n_inputs, *hidden, n_outputs]
            net = layered(sizes, activation=self.activation, output_activation=self._output_activation(n_outputs),
                          seed=seed)  # fmt: skip
        if len(net.inputs) != n_inputs or len(net.outputs) != n_outputs:
            raise ValueError(
                f"the network has {len(net.inputs)} inputs and {len(net.outputs)} outputs; the data need "
                f"{n_inputs} inputs (features) and {n_outputs} outputs ({self._outputs_for(n_outputs)})"
            )
        return net

    def _outputs_for(self, n_outputs: int) -> str:
        return "one per target"

    def _loss_name(self) -> str:
        return self._default_loss if self.loss is None else self.loss

    # ---------------------------------------------------------------- training
    def _train(self, net: Network, X: np.ndarray, Y: np.ndarray, epochs: int, restarts: int, seed: int) -> None:
        settings = {name: getattr(self, name) for name in self._training_settings}
        trainer = Trainer(**{**settings, "restarts": restarts}, loss=self._loss_name(), epochs=epochs, seed=seed,
                          progress=bool(self.verbose))  # fmt: skip
        trainer.fit(net, X, Y)
        result = trainer.result_
        self.network_ = net
        self.result_ = result
        self.history_ = result.history
        self.loss_curve_ = list(result.history.loss[1:])  # after each epoch, as scikit-learn's MLPs
        self.n_iter_ = result.best.epochs

    def _fit(self, X: Any, Y: np.ndarray) -> None:
        """Build and train a new network on ``X`` (checked) and the encoded targets ``Y`` ``(n, n_outputs)``."""
        seed = self._seed(reset=True)
        net = self._new_network(X.shape[1], Y.shape[1], seed)
        self._train(net, X, Y, self.epochs, self.restarts, seed)

    def _partial_fit(self, X: Any, Y: np.ndarray) -> None:
        """One epoch from the current weights (a new network the first time)."""
        seed = self._seed(reset=not hasattr(self, "network_"))
        net = self.network_ if hasattr(self, "network_") else self._new_network(X.shape[1], Y.shape[1], seed)
        self._train(net, X, Y, 1, 1, seed)

    def _outputs(self, X: Any) -> np.ndarray:
        """The network's outputs ``(n, n_outputs)`` for ``X`` (checked against what fit saw)."""
        check_is_fitted(self, "network_")
        return self.network_.predict(self._check_X(X, reset=False))
