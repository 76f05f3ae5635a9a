"""``ag.NetworkClassifier``: a network as a scikit-learn classifier.

Two classes take one logistic output neuron and binary cross-entropy; more
take one output per class and softmax cross-entropy (the outputs are the
logits). ``predict_proba`` is the logistic output (and one minus it) or the
softmax of the outputs; it exists for those two losses (a classifier trained
with ``loss="squared_error"`` predicts classes, not probabilities).

Examples
--------
>>> import numpy as np
>>> import autograd_graph as ag
>>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]] * 8)
>>> y = np.array(["no", "yes", "yes", "no"] * 8)
>>> clf = ag.NetworkClassifier(hidden=(8,), activation="tanh", learning_rate=0.05, epochs=150, random_state=0)
>>> clf.fit(X, y).predict([[0.0, 1.0], [1.0, 1.0]]).tolist()
['yes', 'no']
>>> clf.predict_proba([[0.0, 1.0]]).shape, clf.classes_.tolist(), clf.score(X, y)
((1, 2), ['no', 'yes'], 1.0)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import softmax
from sklearn.base import ClassifierMixin
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from .base import NetworkEstimator

__all__ = ["NetworkClassifier"]

PROBABILISTIC = ("binary_cross_entropy", "softmax_cross_entropy")


class NetworkClassifier(ClassifierMixin, NetworkEstimator):
    """A network trained as a classifier, in scikit-learn's conventions.

    Parameters
    ----------
    network, hidden, activation, builder, optimizer, learning_rate, epochs, batch_size, shuffle, restarts, \
validation_split, restore_best, patience, min_delta, weight_decay, dropout, clip_norm, random_state, \
verbose
        See :class:`~autograd_graph.estimators.base.NetworkEstimator`.
    loss : str, optional
        ``"binary_cross_entropy"`` for two classes, ``"softmax_cross_entropy"``
        for more, unless given.

    Attributes
    ----------
    classes_ : ndarray
        The class labels, sorted (``predict`` returns them).
    network_ : Network
        The trained network.
    result_ : TrainingResult
    history_ : History
    loss_curve_ : list of float
        The training loss after each epoch.
    n_iter_ : int
        Epochs run.
    n_features_in_, feature_names_in_
        As scikit-learn sets them.
    """

    def _output_activation(self, n_outputs: int) -> str:
        return "logistic" if n_outputs == 1 else "identity"

    def _outputs_for(self, n_outputs: int) -> str:
        return "one for two classes, one per class for more"

    def _loss_name(self) -> str:
        if self.loss is not None:
            return self.loss
        return "binary_cross_entropy" if len(self.classes_) == 2 else "softmax_cross_entropy"

    def _encode(self, y: np.ndarray) -> np.ndarray:
        """Class labels as targets: one 0/1 column for two classes, one-hot rows for more."""
        index = np.searchsorted(self.classes_, y)
        if np.any(index >= len(self.classes_)) or np.any(self.classes_[np.minimum(index, len(self.classes_) - 1)] != y):
            unknown = sorted(set(np.asarray(y).tolist()) - set(self.classes_.tolist()))
            raise ValueError(f"y has labels {unknown} that are not among the classes {self.classes_.tolist()}")
        if len(self.classes_) == 2:
            return index.reshape(-1, 1).astype(np.float64)
        return np.eye(len(self.classes_))[index]

    def _data(self, X: Any, y: Any, reset: bool) -> tuple[np.ndarray, np.ndarray]:
        X, y = validate_data(self, self._frame_by_name(X, reset), y, reset=reset, dtype=np.float64)
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        return X, y

    def fit(self, X: Any, y: Any) -> NetworkClassifier:
        """Train a new network on ``(X, y)``; returns ``self``.

        Raises
        ------
        ValueError
            Fewer than two classes, targets that are no class labels, data that are not finite, or a
            network whose inputs or outputs do not fit the data.
        """
        X, y = self._data(X, y, reset=True)
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError(f"{type(self).__name__} needs at least 2 classes; y has 1 class ({self.classes_[0]!r})")
        self._fit(X, self._encode(y))
        return self

    def partial_fit(self, X: Any, y: Any, classes: Any = None) -> NetworkClassifier:
        """One epoch on ``(X, y)`` from the current weights; ``classes`` (all of them) is needed on the first call.

        The optimizer starts afresh at each call (Adam's moments, momentum).
        """
        first = not hasattr(self, "classes_")
        X, y = self._data(X, y, reset=first)
        if first:
            if classes is None:
                raise ValueError("classes must be given on the first call of partial_fit (all the class labels)")
            self.classes_ = np.unique(np.asarray(classes))
            if len(self.classes_) < 2:
                raise ValueError(f"{type(self).__name__} needs at least 2 classes; classes has 1 class")
        elif classes is not None and not np.array_equal(np.unique(np.asarray(classes)), self.classes_):
            raise ValueError(f"classes {np.unique(classes).tolist()} differ from those of the first call, "
                             f"{self.classes_.tolist()}")  # fmt: skip
        self._partial_fit(X, self._encode(y))
        return self

    def predict(self, X: Any) -> np.ndarray:
        """The predicted class of each example (one of ``classes_``)."""
        check_is_fitted(self, "network_")
        out = self._outputs(X)
        index = (out[:, 0] > 0.5).astype(np.int64) if out.shape[1] == 1 else out.argmax(axis=1)
        return self.classes_[index]

    def _probabilistic(self) -> bool:
        return self.loss is None or self.loss in PROBABILISTIC

    @available_if(_probabilistic)
    def predict_proba(self, X: Any) -> np.ndarray:
        """The probability of each class, ``(n, n_classes)``, columns in ``classes_`` order."""
        out = self._outputs(X)
        if out.shape[1] == 1:
            p = np.clip(out[:, 0], 0.0, 1.0)
            return np.column_stack([1.0 - p, p])
        return softmax(out, axis=1)

    @available_if(_probabilistic)
    def predict_log_proba(self, X: Any) -> np.ndarray:
        """The log of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))
