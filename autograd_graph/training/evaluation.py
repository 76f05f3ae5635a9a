"""The loss and the accuracy of a network on a data set, without gradients."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..data import as_batch, from_pandas, numeric
from ..exceptions import ShapeError
from ..losses import Loss, get_loss, loss_terms

if TYPE_CHECKING:
    from ..network import Network

__all__ = ["Evaluation", "evaluate", "accuracy", "targets", "is_classification", "CLASSIFICATION_LOSSES"]

# Losses that only make sense for classifiers: accuracy is reported by default with them.
CLASSIFICATION_LOSSES = ("softmax_cross_entropy", "binary_cross_entropy")
# Examples per forward pass when evaluating, to bound the (n_neurons, batch) arrays.
EVALUATION_CHUNK = 8192


@dataclass(frozen=True)
class Evaluation:
    """The mean loss ``L`` over a data set, and the accuracy (NaN unless classifying: see
    :func:`is_classification`)."""

    loss: float
    accuracy: float


def targets(Y: Any, net: Network, what: str = "Y") -> np.ndarray:
    """``Y`` as a ``(batch, n_outputs)`` array; for a network of exactly one
    output, a 1-D ``Y`` is one target per example (a column).

    Elsewhere (``net.backward``, ``as_batch``) a 1-D array is one example; for
    training and evaluation data a column is what a 1-D ``Y`` of a
    single-output network means (``y.ravel()``, scikit-learn's ``y``).

    Examples
    --------
    >>> import autograd_graph as ag
    >>> targets([0.0, 1.0, 1.0], ag.running_example()).shape
    (3, 1)
    """
    Y = from_pandas(Y, net.outputs, what)  # labels name the outputs; an unlabeled Series is a column
    if len(net.outputs) == 1 and not isinstance(Y, Mapping):
        Y = numeric(Y, np.float64, what)
        if Y.ndim == 1:
            Y = Y.reshape(-1, 1)
    return as_batch(Y, net.outputs, what=what)


def is_classification(loss: Loss, Y: np.ndarray) -> bool:
    """Whether to report accuracy when not told: for a cross-entropy loss, or when the targets
    ``Y`` ``(batch, n_outputs)`` are class labels (0 or 1 in one column, one-hot rows in several),
    as those of a classifier trained with squared error.

    Examples
    --------
    >>> se = get_loss("squared_error")
    >>> is_classification(se, np.array([[0.0], [1.0]])), is_classification(se, np.array([[0.5], [1.0]]))
    (True, False)
    >>> is_classification(se, np.array([[0, 1], [1, 0]])), is_classification(se, np.array([[1, 1], [1, 0]]))
    (True, False)
    """
    if loss.name in CLASSIFICATION_LOSSES:
        return True
    labels = (Y == 0) | (Y == 1)
    return bool(labels.all() and (Y.shape[1] == 1 or (Y.sum(axis=1) == 1).all()))


def accuracy(output: np.ndarray, Y: np.ndarray) -> float:
    """The fraction of examples whose predicted class is the target class.

    With several outputs the class is the column of the largest value (of
    ``output`` and of the one-hot ``Y``); with one output it is
    ``value ≥ 0.5`` (targets 0 and 1). 1-D arrays are one output, one value
    per example.

    Examples
    --------
    >>> accuracy(np.array([[0.2, 0.9], [0.7, 0.1]]), np.array([[0, 1], [0, 1]]))
    0.5
    >>> accuracy(np.array([[0.8], [0.3]]), np.array([[1], [0]]))
    1.0
    >>> accuracy(np.array([0.2, 0.8]), np.array([0, 0]))
    0.5
    """
    output, Y = np.asarray(output), np.asarray(Y)
    output = output.reshape(-1, 1) if output.ndim == 1 else output
    Y = Y.reshape(-1, 1) if Y.ndim == 1 else Y
    if output.shape != Y.shape:
        raise ShapeError(f"output has shape {output.shape} but Y has shape {Y.shape}; expected the same")
    if output.shape[1] == 1:
        hits = (output[:, 0] >= 0.5) == (Y[:, 0] >= 0.5)
    else:
        hits = output.argmax(axis=1) == Y.argmax(axis=1)
    return float(hits.mean())


def evaluate(
    net: Network, X: Any, Y: Any, *, loss: str | Loss = "squared_error", classification: bool | None = None
) -> Evaluation:
    """The network's mean loss on ``(X, Y)``, and its accuracy when it is a classifier.

    Parameters
    ----------
    net : Network
    X, Y : array_like or mapping
        As for :meth:`Network.forward` and :meth:`Network.backward`; with one
        output neuron, ``Y`` may also be 1-D, one target per example.
    loss : str or Loss, default "squared_error"
    classification : bool, optional
        Whether to compute the accuracy (see :func:`accuracy`); by default for
        the cross-entropy losses, and for targets that are class labels (0 or 1
        in one column, one-hot rows in several; :func:`is_classification`).
        The accuracy is NaN otherwise: the targets of a regression have no classes.

    Examples
    --------
    >>> import autograd_graph as ag
    >>> net = ag.running_example(seed=0)
    >>> X, Y = [[0.0], [0.5]], [[0.2], [0.9]]
    >>> result = evaluate(net, X, Y)
    >>> bool(np.isclose(result.loss, np.mean((net.forward(X).output - Y) ** 2)))
    True
    >>> result.accuracy  # a regression (the targets are no class labels)
    nan
    >>> evaluate(net, X, [[0.0], [1.0]]).accuracy  # 0/1 targets: a classifier, whatever the loss
    0.5
    """
    loss = get_loss(loss)
    X = as_batch(X, net.inputs)
    Y = targets(Y, net)
    if X.shape[0] != Y.shape[0]:
        raise ShapeError(f"X has {X.shape[0]} examples but Y has {Y.shape[0]}")
    if classification is None:
        classification = is_classification(loss, Y)
    outputs = [net.activation(k) for k in net.outputs]
    losses, predictions = [], []
    for lo in range(0, X.shape[0], EVALUATION_CHUNK):
        trace = net.forward(X[lo : lo + EVALUATION_CHUNK])
        a = np.stack([trace.a[k] for k in net.outputs], axis=1)  # (batch, n_outputs)
        y = Y[lo : lo + EVALUATION_CHUNK]
        losses.append(loss_terms(loss, trace.output, y, a, outputs)[0])
        predictions.append(trace.output)
        del trace  # its arrays are free for the next chunk (engines/buffers.py) ...
    net.compile().release_buffers()  # ... and given back to the system after the last
    value = float(np.concatenate(losses).mean())
    hit_rate = accuracy(np.concatenate(predictions), Y) if classification else math.nan
    return Evaluation(value, hit_rate)
