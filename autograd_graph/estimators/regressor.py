"""``ag.NetworkRegressor``: a network as a scikit-learn regressor (one target or several).

Examples
--------
>>> import numpy as np
>>> import autograd_graph as ag
>>> X = np.linspace(-1, 1, 40).reshape(-1, 1)
>>> reg = ag.NetworkRegressor(hidden=(8,), activation="tanh", learning_rate=0.02, epochs=200, random_state=0)
>>> reg.fit(X, np.sin(2 * X).ravel()).predict([[0.5]]).shape
(1,)
>>> bool(reg.score(X, np.sin(2 * X).ravel()) > 0.95)
True
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.utils.validation import validate_data

from .base import NetworkEstimator

__all__ = ["NetworkRegressor"]


class NetworkRegressor(RegressorMixin, NetworkEstimator):
    """A network trained as a regressor, in scikit-learn's conventions: one output neuron per target.

    Parameters
    ----------
    network, hidden, activation, builder, optimizer, learning_rate, epochs, batch_size, shuffle, restarts, \
validation_split, restore_best, patience, min_delta, weight_decay, dropout, clip_norm, random_state, \
verbose
        See :class:`~autograd_graph.estimators.base.NetworkEstimator`.
    loss : str, optional
        ``"squared_error"`` (``ℓ = Σ_k (y_k − z_k)²``) unless given (``"mse"``: its mean over the targets).

    Attributes
    ----------
    network_, result_, history_, loss_curve_, n_iter_, n_features_in_, feature_names_in_
        As for :class:`~autograd_graph.NetworkClassifier`.

    Notes
    -----
    ``y`` of shape ``(n,)`` gives predictions of shape ``(n,)``; ``(n, k)``
    gives ``(n, k)``, one column per output neuron.
    """

    def _data(self, X: Any, y: Any, reset: bool) -> tuple[np.ndarray, np.ndarray]:
        X, y = validate_data(self, self._frame_by_name(X, reset), y, reset=reset, dtype=np.float64,
                             multi_output=True, y_numeric=True)  # fmt: skip
        y = np.asarray(y, dtype=np.float64)
        if reset:
            self._one_target = y.ndim == 1
        return X, y.reshape(-1, 1) if y.ndim == 1 else y

    def fit(self, X: Any, y: Any) -> NetworkRegressor:
        """Train a new network on ``(X, y)``; returns ``self``."""
        X, Y = self._data(X, y, reset=True)
        self._fit(X, Y)
        return self

    def partial_fit(self, X: Any, y: Any) -> NetworkRegressor:
        """One epoch on ``(X, y)`` from the current weights (the optimizer starts afresh at each call)."""
        X, Y = self._data(X, y, reset=not hasattr(self, "network_"))
        self._partial_fit(X, Y)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """The predicted targets, ``(n,)`` or ``(n, n_targets)`` as ``y`` was at ``fit``."""
        out = self._outputs(X)
        return out[:, 0] if self._one_target else out

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags
