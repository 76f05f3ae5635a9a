"""The functions inside neurons, in one table.

Each :class:`Activation` pairs a function ``σ`` with its derivative, and every
derivative has the same signature ``derivative(a, z) -> σ'(a)``: it receives
the weighted input ``a`` *and* the output ``z = σ(a)`` that the forward pass
already computed, and uses whichever is cheaper or more stable.

Examples
--------
>>> import numpy as np
>>> from autograd_graph.activations import get_activation
>>> act = get_activation("logistic")
>>> a = np.array([-1e4, 0.0, 1e4])
>>> z = act.function(a)
>>> z
array([0. , 0.5, 1. ])
>>> act.derivative(a, z)
array([0.  , 0.25, 0.  ])
>>> sorted(ACTIVATIONS)[:4]
['elu', 'identity', 'leaky_relu', 'logistic']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from .exceptions import UnknownActivationError

__all__ = [
    "Activation",
    "ACTIVATIONS",
    "get_activation",
    "register_activation",
    "activation_name",
]

ArrayFunction = Callable[[np.ndarray], np.ndarray]
Derivative = Callable[[np.ndarray, np.ndarray], np.ndarray]

LEAKY_RELU_SLOPE = 0.01  # the slope for a < 0, as torch.nn.LeakyReLU's default


@dataclass(frozen=True)
class Activation:
    """A neuron's function ``σ`` and its derivative.

    Parameters
    ----------
    name : str
        The name used in pictures, files and ``to_networkx``.
    function : callable
        ``function(a) -> z``, elementwise over an array of any shape.
    derivative : callable
        ``derivative(a, z) -> σ'(a)``, elementwise; ``z`` is ``function(a)``.

    Examples
    --------
    >>> import numpy as np
    >>> cube = Activation("cube", lambda a: a**3, lambda a, z: 3 * a**2)
    >>> cube.derivative(np.array([2.0]), cube.function(np.array([2.0])))
    array([12.])
    """

    name: str
    function: ArrayFunction
    derivative: Derivative

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


def _identity(a: np.ndarray) -> np.ndarray:
    return a


def _ones(a: np.ndarray, z: np.ndarray) -> np.ndarray:
    return np.ones_like(a)


def _zeros(a: np.ndarray, z: np.ndarray) -> np.ndarray:
    return np.zeros_like(a)


def _elu(a: np.ndarray) -> np.ndarray:
    return np.where(a > 0, a, np.expm1(np.minimum(a, 0)))


# name -> (σ, σ'(a, z)); σ' uses z where that is both exact and cheaper.
ACTIVATIONS: dict[str, Activation] = {
    act.name: act
    for act in [
        Activation("identity", _identity, _ones),
        # expit is overflow-free for any a; σ' = σ (1 − σ).
        Activation("logistic", expit, lambda a, z: z * (1 - z)),
        Activation("tanh", np.tanh, lambda a, z: 1 - z * z),
        Activation("relu", lambda a: np.maximum(a, 0), lambda a, z: (a > 0).astype(a.dtype)),
        Activation(
            "leaky_relu",
            lambda a: np.where(a > 0, a, LEAKY_RELU_SLOPE * a),
            lambda a, z: np.where(a > 0, 1, LEAKY_RELU_SLOPE).astype(a.dtype),
        ),
        # for a ≤ 0, σ(a) = e^a − 1, so σ'(a) = z + 1.
        Activation("elu", _elu, lambda a, z: np.where(a > 0, 1, z + 1).astype(a.dtype)),
        # softplus = log(1 + e^a) without overflow; its derivative is the logistic.
        Activation("softplus", lambda a: np.logaddexp(0, a), lambda a, z: expit(a)),
        # The perceptron's threshold: 1 when a ≥ 0 (put the threshold in a bias weight).
        Activation("step", lambda a: (a >= 0).astype(a.dtype), _zeros),
    ]
}


def register_activation(
    name: str, function: ArrayFunction, derivative: Derivative, *, overwrite: bool = False
) -> Activation:
    """Add a user-defined activation to the table, so neurons can name it.

    Parameters
    ----------
    name : str
        The new name.
    function : callable
        ``function(a) -> z``, elementwise.
    derivative : callable
        ``derivative(a, z) -> σ'(a)``, elementwise.
    overwrite : bool, default False
        Replace an existing entry of the same name instead of raising.

    Returns
    -------
    Activation

    Raises
    ------
    ValueError
        If ``name`` is taken and ``overwrite`` is false.

    Examples
    --------
    >>> import numpy as np
    >>> sq = register_activation("square_doc", np.square, lambda a, z: 2 * a)
    >>> get_activation("square_doc") is sq
    True
    >>> del ACTIVATIONS["square_doc"]
    """
    if not overwrite and name in ACTIVATIONS:
        raise ValueError(f"activation {name!r} already exists; pass overwrite=True to replace it")
    if not (callable(function) and callable(derivative)):
        raise TypeError(f"activation {name!r}: function and derivative must be callables")
    act = Activation(name, function, derivative)
    ACTIVATIONS[name] = act
    return act


def get_activation(spec: str | Activation) -> Activation:
    """Look an activation up by name, or pass an :class:`Activation` through.

    Raises
    ------
    UnknownActivationError
        If ``spec`` is neither a known name nor an :class:`Activation`; the
        message lists the known names.

    Examples
    --------
    >>> get_activation("tanh")
    Activation('tanh')
    >>> get_activation("sigmoidal")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    autograd_graph.exceptions.UnknownActivationError: unknown activation 'sigmoidal'; known: elu, identity, ...
    """
    if isinstance(spec, Activation):
        return spec
    try:
        return ACTIVATIONS[spec]
    except (KeyError, TypeError):
        known = ", ".join(sorted(ACTIVATIONS))
        raise UnknownActivationError(f"unknown activation {spec!r}; known: {known} (or pass an Activation)") from None


def activation_name(act: Activation) -> str | Activation:
    """The name to store for ``act``: its name if the table holds it, else the object."""
    return act.name if ACTIVATIONS.get(act.name) is act else act
