"""Built-in tasks to compare networks on: XOR, two moons, circles, digits, sin regression.

A task is data split into training and test sets, the loss that fits it,
a layered baseline network, and training settings that work for it. The
moons, circles and digits come from :mod:`sklearn.datasets` (scikit-learn
is needed for those three only).

Examples
--------
>>> task = load_task("xor")
>>> task.X.shape, task.Y.shape, task.loss, task.sizes
((4, 2), (4, 1), 'binary_cross_entropy', [2, 3, 1])
>>> task.baseline(seed=0).n_weights
13
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..build.builders import layered
from ..exceptions import ComparisonError
from ..heldout import hold_out
from ..network import Network
from ..training import InverseTimeDecay

__all__ = ["Task", "TASKS", "load_task"]


@dataclass(frozen=True)
class Task:
    """Data and sensible defaults for one comparison.

    Attributes
    ----------
    name, description : str
    X, Y, X_test, Y_test : ndarray
        ``(n, n_inputs)``, ``(n, n_outputs)``; classes one-hot (or one 0/1 column).
    loss : str
    sizes : list of int
        The layered baseline ``inputs → hidden … → outputs``.
    activation, output_activation : str
        Of the baseline's hidden and output neurons.
    settings : dict
        Training settings for :func:`~autograd_graph.compare` (epochs, batch size, optimizer, step size).

    Examples
    --------
    >>> task = load_task("sin", seed=0)
    >>> task.X.shape, task.X_test.shape, task.loss
    ((120, 1), (40, 1), 'squared_error')
    >>> task.baseline(seed=0).layers()[1]    # 8 tanh neurons and a bias neuron
    [3, 4, 5, 6, 7, 8, 9, 10, 11]
    """

    name: str
    description: str
    X: np.ndarray
    Y: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray
    loss: str
    sizes: list[int]
    activation: str
    output_activation: str
    settings: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # ag.train warns when these are given as validation data (autograd_graph.heldout)
        hold_out(self.X_test, f"the test data of the task {self.name!r} (task.X_test)")
        hold_out(self.Y_test, f"the test data of the task {self.name!r} (task.Y_test)")

    def baseline(self, seed: int | None = None) -> Network:
        """The layered baseline network of :attr:`sizes`."""
        return layered(self.sizes, activation=self.activation, output_activation=self.output_activation, seed=seed)


def _split(X: np.ndarray, Y: np.ndarray, labels: np.ndarray, seed: int, test_size: float = 0.25) -> tuple:
    from sklearn.model_selection import train_test_split

    return train_test_split(X, Y, test_size=test_size, random_state=seed, stratify=labels)


def _sklearn(name: str) -> Any:
    try:
        from sklearn import datasets
    except ImportError as error:
        raise ComparisonError(
            f"the task {name!r} needs scikit-learn ({error}); install it with `pip install scikit-learn`"
        ) from None
    return datasets


def _xor(seed: int) -> Task:
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])  # (4, 2)
    Y = np.logical_xor(X[:, 0], X[:, 1]).astype(float).reshape(-1, 1)  # (4, 1)
    return Task("xor", "XOR of two bits (all 4 points; the test set is the training set)", X, Y, X, Y,
                "binary_cross_entropy", [2, 3, 1], "tanh", "logistic",
                {"epochs": 300, "batch_size": 1, "learning_rate": InverseTimeDecay(2.0, decay=0.001)})  # fmt: skip


def _two_classes(name: str, make: str, seed: int, description: str, **options: Any) -> Task:
    X, labels = getattr(_sklearn(name), make)(n_samples=400, random_state=seed, **options)
    X = (X - X.mean(axis=0)) / X.std(axis=0)  # (400, 2), standardized
    Y = labels.astype(float).reshape(-1, 1)  # (400, 1)
    X_train, X_test, Y_train, Y_test = _split(X, Y, labels, seed)
    return Task(name, description, X_train, Y_train, X_test, Y_test, "binary_cross_entropy", [2, 8, 1], "tanh",
                "logistic", {"epochs": 60, "batch_size": 8, "optimizer": "adam", "learning_rate": 0.02})  # fmt: skip


def _moons(seed: int) -> Task:
    return _two_classes("moons", "make_moons", seed, "scikit-learn's two interleaving half circles, noise 0.2, "
                        "400 points (25% held out)", noise=0.2)  # fmt: skip


def _circles(seed: int) -> Task:
    return _two_classes("circles", "make_circles", seed, "scikit-learn's two concentric circles, noise 0.1, "
                        "radius ratio 0.5, 400 points (25% held out)", noise=0.1, factor=0.5)  # fmt: skip


def _digits(seed: int) -> Task:
    datasets = _sklearn("digits")
    digits = datasets.load_digits()
    X = digits.data / 16.0  # (1797, 64), pixels in [0, 1]
    Y = np.eye(10)[digits.target]  # (1797, 10), one-hot
    X_train, X_test, Y_train, Y_test = _split(X, Y, digits.target, seed)
    return Task("digits", "scikit-learn's 8×8 handwritten digits, 1,797 images (25% held out)",
                X_train, Y_train, X_test, Y_test, "softmax_cross_entropy", [64, 16, 10], "tanh", "identity",
                {"epochs": 20, "batch_size": 32, "optimizer": "adam", "learning_rate": 0.01})  # fmt: skip


def _sin(seed: int) -> Task:
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(160, 1))  # (160, 1)
    Y = np.sin(3 * X)
    return Task("sin", "y = sin(3x) on [−1, 1], 160 random points (40 held out)", X[:120], Y[:120], X[120:],
                Y[120:], "squared_error", [1, 8, 8, 1], "tanh", "identity",
                {"epochs": 100, "batch_size": 1, "learning_rate": InverseTimeDecay(0.1, decay=0.001)})  # fmt: skip


TASKS: dict[str, Callable[[int], Task]] = {
    "xor": _xor,
    "moons": _moons,
    "circles": _circles,
    "digits": _digits,
    "sin": _sin,
}


def load_task(name: str, *, seed: int = 0) -> Task:
    """The built-in task ``name``; ``seed`` fixes its random data and split.

    Raises
    ------
    ComparisonError
        An unknown name, or scikit-learn missing for moons, circles or digits.

    Examples
    --------
    >>> sorted(TASKS)
    ['circles', 'digits', 'moons', 'sin', 'xor']
    >>> load_task("xor").Y.ravel().tolist()
    [0.0, 1.0, 1.0, 0.0]
    >>> load_task("mnist")
    Traceback (most recent call last):
    ...
    autograd_graph.exceptions.ComparisonError: no task 'mnist'; tasks: xor, moons, circles, digits, sin
    """
    if name not in TASKS:
        raise ComparisonError(f"no task {name!r}; tasks: {', '.join(TASKS)}")
    return TASKS[name](seed)
