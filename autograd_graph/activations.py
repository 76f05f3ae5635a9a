"""THE activation table: every function inside a neuron, with all its forms, in one place.

Each :class:`Activation` pairs a function ``σ`` with its derivative, and every
derivative has the same signature ``derivative(a, z) -> σ'(a)``: it receives
the weighted input ``a`` *and* the output ``z = σ(a)`` that the forward pass
already computed, and uses whichever is cheaper or more stable.

Besides these two, an entry may carry the forms other parts of the library
use; each is optional, and where one is missing that part says so or takes the
generic path with the same numbers:

- ``forward_into(a, z)`` and ``chain_into(a, z, dz, da)``: ``z[...] = σ(a)`` and
  ``da[...] = dz·σ'(a)`` written into preallocated rows without temporaries
  (the compiled engine; without them it calls ``function``/``derivative``);
- ``scalar``: :class:`ScalarForm`, ``σ`` and ``σ'`` as Python expressions of
  one float (the straight-line code of :func:`~autograd_graph.per_example_sgd`;
  without it that network takes the array engine);
- ``torch``: ``torch(torch_module) -> callable`` on tensors, the same function
  with the same derivative (:func:`~autograd_graph.to_torch`; without it
  ``to_torch`` asks for one by name), and ``torch_module``:
  :class:`TorchModuleForm`, the ``torch.nn`` module that computes it
  (:func:`~autograd_graph.from_torch`);
- ``onnx``: ``onnx(graph, x) -> y``, the function as standard ONNX operators:
  ``graph.op(op_type, *inputs, **attributes)`` adds a node and returns its
  output's name, ``graph.const(value)`` a constant of the model's dtype,
  ``graph.cast(x)`` casts to it (:func:`~autograd_graph.to_onnx`; without it
  ``to_onnx`` names the neuron and asks for one).

Registering an activation with :func:`register_activation` and any of these
forms makes every engine use them.

Examples
--------
>>> import numpy as np
>>> act = get_activation("logistic")
>>> a = np.array([-1e4, 0.0, 1e4])
>>> z = act.function(a)
>>> z
array([0. , 0.5, 1. ])
>>> act.derivative(a, z)
array([0.  , 0.25, 0.  ])
>>> sorted(ACTIVATIONS)[:4]
['elu', 'identity', 'leaky_relu', 'logistic']
>>> act.scalar.function, act.torch_module.name
('_logistic({a})', 'Sigmoid')
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import expit

from .activation_forms import ScalarForm, TorchModuleForm
from .exceptions import UnknownActivationError

__all__ = [
    "Activation",
    "ScalarForm",
    "TorchModuleForm",
    "ACTIVATIONS",
    "LEAKY_RELU_SLOPE",
    "get_activation",
    "register_activation",
    "activation_name",
    "from_callable",
]

ArrayFunction = Callable[[np.ndarray], np.ndarray]
Derivative = Callable[[np.ndarray, np.ndarray], np.ndarray]

LEAKY_RELU_SLOPE = 0.01  # the slope for a < 0, as torch.nn.LeakyReLU's default


@dataclass(frozen=True, eq=False)
class Activation:
    """A neuron's function ``σ``, its derivative, and its optional faster forms.

    Parameters
    ----------
    name : str
        The name used in pictures, files and ``to_networkx``.
    function : callable
        ``function(a) -> z``, elementwise over an array of any shape.
    derivative : callable
        ``derivative(a, z) -> σ'(a)``, elementwise; ``z`` is ``function(a)``.
    forward_into, chain_into, scalar, torch, torch_module, onnx : optional
        The forms described in the module notes.

    Two activations are equal only when they are the same object: a function
    registered under a taken name is another activation.

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
    forward_into: Callable[[np.ndarray, np.ndarray], None] | None = None
    chain_into: Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], None] | None = None
    scalar: ScalarForm | None = None
    torch: Callable[[Any], Callable[[Any], Any]] | None = None
    torch_module: TorchModuleForm | None = None
    onnx: Callable[[Any, str], str] | None = None

    def apply(self, a: np.ndarray, z: np.ndarray) -> None:
        """``z[...] = σ(a)``, in place when the entry has ``forward_into``."""
        if self.forward_into is None:
            z[...] = self.function(a)
        else:
            self.forward_into(a, z)

    def chain(self, a: np.ndarray, z: np.ndarray, dz: np.ndarray, da: np.ndarray) -> None:
        """``da[...] = dz·σ'(a)``, in place when the entry has ``chain_into``."""
        if self.chain_into is None:
            np.multiply(dz, self.derivative(a, z), out=da)
        else:
            self.chain_into(a, z, dz, da)

    def __reduce_ex__(self, protocol: Any) -> str | tuple:
        # a table entry pickles (and deep-copies) by name, as it is saved: itself again on loading
        if ACTIVATIONS.get(self.name) is self:
            return (get_activation, (self.name,))
        return super().__reduce_ex__(protocol)

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


# ------------------------------------------------------------ scalar helpers
def _logistic(a: float) -> float:
    if a >= 0.0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def _softplus(a: float) -> float:
    return max(a, 0.0) + math.log1p(math.exp(-abs(a)))


def _numba_logistic(numba: Any) -> dict[str, Any]:  # the numba form: the same function, compiled
    return {"_logistic": numba.njit(_logistic)}


# ------------------------------------------------------------ in-place forms
def _copy_chain(a, z, dz, da) -> None:
    np.copyto(da, dz)


def _relu_chain(a, z, dz, da) -> None:
    np.greater(a, 0, out=da)  # σ' as 1.0 or 0.0 straight into da: no boolean temporary to cast
    da *= dz


def _logistic_chain(a, z, dz, da) -> None:
    np.subtract(1, z, out=da)  # σ' = z (1 − z)
    da *= z
    da *= dz


def _tanh_chain(a, z, dz, da) -> None:
    np.multiply(z, z, out=da)  # σ' = 1 − z²
    np.subtract(1, da, out=da)
    da *= dz


def _elu(a: np.ndarray) -> np.ndarray:
    return np.where(a > 0, a, np.expm1(np.minimum(a, 0)))


def _softplus_torch(torch: Any) -> Callable:
    return lambda a: torch.logaddexp(a, torch.zeros_like(a))


def _step_torch(torch: Any) -> Callable:
    # the step's derivative is 0 everywhere (as here): + 0·a keeps the graph connected
    return lambda a: (a >= 0).to(a.dtype) + 0 * a


def _softplus_onnx(graph: Any, x: str) -> str:
    # max(a, 0) + log(1 + e^(−|a|)): no overflow for large a (ONNX's Softplus is log(e^a + 1))
    tail = graph.op("Log", graph.op("Add", graph.const(1.0), graph.op("Exp", graph.op("Neg", graph.op("Abs", x)))))
    return graph.op("Add", graph.op("Relu", x), tail)


# name -> every form of one function; σ' uses z where that is both exact and cheaper.
ACTIVATIONS: dict[str, Activation] = {
    act.name: act
    for act in [
        Activation(
            "identity",
            lambda a: a,
            lambda a, z: np.ones_like(a),
            forward_into=lambda a, z: np.copyto(z, a),
            chain_into=_copy_chain,
            scalar=ScalarForm("{a}", "1.0"),
            torch=lambda torch: lambda a: a,
            onnx=lambda graph, x: graph.op("Identity", x),
        ),
        # expit is overflow-free for any a; σ' = σ (1 − σ).
        Activation(
            "logistic",
            expit,
            lambda a, z: z * (1 - z),
            forward_into=lambda a, z: expit(a, out=z),
            chain_into=_logistic_chain,
            scalar=ScalarForm("_logistic({a})", "{z} * (1.0 - {z})", {"_logistic": _logistic}, _numba_logistic),
            torch=lambda torch: torch.sigmoid,
            torch_module=TorchModuleForm("Sigmoid"),
            onnx=lambda graph, x: graph.op("Sigmoid", x),
        ),
        Activation(
            "tanh",
            np.tanh,
            lambda a, z: 1 - z * z,
            forward_into=lambda a, z: np.tanh(a, out=z),
            chain_into=_tanh_chain,
            scalar=ScalarForm("_tanh({a})", "(1.0 - {z} * {z})", {"_tanh": math.tanh}),
            torch=lambda torch: torch.tanh,
            torch_module=TorchModuleForm("Tanh"),
            onnx=lambda graph, x: graph.op("Tanh", x),
        ),
        Activation(
            "relu",
            lambda a: np.maximum(a, 0),
            lambda a, z: (a > 0).astype(a.dtype),
            forward_into=lambda a, z: np.maximum(a, 0, out=z),
            chain_into=_relu_chain,
            scalar=ScalarForm("({a} if {a} > 0.0 else 0.0)", "(1.0 if {a} > 0.0 else 0.0)"),
            torch=lambda torch: torch.relu,
            torch_module=TorchModuleForm("ReLU"),
            onnx=lambda graph, x: graph.op("Relu", x),
        ),
        Activation(
            "leaky_relu",
            lambda a: np.where(a > 0, a, LEAKY_RELU_SLOPE * a),
            lambda a, z: np.where(a > 0, 1, LEAKY_RELU_SLOPE).astype(a.dtype),
            scalar=ScalarForm(
                "({a} if {a} > 0.0 else _LEAKY * {a})", "(1.0 if {a} > 0.0 else _LEAKY)", {"_LEAKY": LEAKY_RELU_SLOPE}
            ),
            torch=lambda torch: lambda a: torch.nn.functional.leaky_relu(a, LEAKY_RELU_SLOPE),
            torch_module=TorchModuleForm(
                "LeakyReLU", lambda m: m.negative_slope == LEAKY_RELU_SLOPE, f"negative_slope={LEAKY_RELU_SLOPE}"
            ),
            # not ONNX's LeakyRelu: its alpha is a float32 attribute (0.01 off by 2e-8)
            onnx=lambda graph, x: graph.op(
                "Where", graph.op("Greater", x, graph.const(0.0)), x, graph.op("Mul", x, graph.const(LEAKY_RELU_SLOPE))
            ),
        ),
        # for a ≤ 0, σ(a) = e^a − 1, so σ'(a) = z + 1.
        Activation(
            "elu",
            _elu,
            lambda a, z: np.where(a > 0, 1, z + 1).astype(a.dtype),
            scalar=ScalarForm(
                "({a} if {a} > 0.0 else _expm1({a}))", "(1.0 if {a} > 0.0 else {z} + 1.0)", {"_expm1": math.expm1}
            ),  # fmt: skip
            torch=lambda torch: torch.nn.functional.elu,
            torch_module=TorchModuleForm("ELU", lambda m: m.alpha == 1.0, "alpha=1.0"),
            onnx=lambda graph, x: graph.op("Elu", x, alpha=1.0),
        ),
        # softplus = log(1 + e^a) without overflow; its derivative is the logistic.
        Activation(
            "softplus",
            lambda a: np.logaddexp(0, a),
            lambda a, z: expit(a),
            scalar=ScalarForm(
                "_softplus({a})",
                "_logistic({a})",
                {"_softplus": _softplus, "_logistic": _logistic},
                lambda numba: {"_softplus": numba.njit(_softplus), **_numba_logistic(numba)},
            ),
            torch=_softplus_torch,
            # torch's Softplus turns linear above its `threshold` (error < 2e-9 at the default 20)
            torch_module=TorchModuleForm("Softplus", lambda m: m.beta == 1.0, "beta=1.0"),
            onnx=_softplus_onnx,
        ),
        # The perceptron's threshold: 1 when a ≥ 0 (put the threshold in a bias weight).
        Activation(
            "step",
            lambda a: (a >= 0).astype(a.dtype),
            lambda a, z: np.zeros_like(a),
            scalar=ScalarForm("(1.0 if {a} >= 0.0 else 0.0)", "0.0"),
            torch=_step_torch,
            onnx=lambda graph, x: graph.cast(graph.op("GreaterOrEqual", x, graph.const(0.0))),
        ),
    ]
}


def register_activation(
    name: str,
    function: ArrayFunction,
    derivative: Derivative,
    *,
    overwrite: bool = False,
    forward_into: Callable[[np.ndarray, np.ndarray], None] | None = None,
    chain_into: Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], None] | None = None,
    scalar: ScalarForm | None = None,
    torch: Callable[[Any], Callable[[Any], Any]] | None = None,
    torch_module: TorchModuleForm | None = None,
    onnx: Callable[[Any, str], str] | None = None,
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
    forward_into, chain_into, scalar, torch, torch_module, onnx : optional
        Its faster or other forms (see the module notes); every engine uses
        the ones given.

    Returns
    -------
    Activation

    Raises
    ------
    ValueError
        If ``name`` is taken and ``overwrite`` is false.
    TypeError
        If ``function`` or ``derivative`` is not callable.

    Examples
    --------
    >>> import numpy as np
    >>> sq = register_activation("square_doc", np.square, lambda a, z: 2 * a,
    ...                          scalar=ScalarForm("({a} * {a})", "(2.0 * {a})"))
    >>> get_activation("square_doc") is sq
    True
    >>> del ACTIVATIONS["square_doc"]
    """
    if not overwrite and name in ACTIVATIONS:
        raise ValueError(f"activation {name!r} already exists; pass overwrite=True to replace it")
    if not (callable(function) and callable(derivative)):
        raise TypeError(f"activation {name!r}: function and derivative must be callables")
    act = Activation(name, function, derivative, forward_into, chain_into, scalar, torch, torch_module, onnx)
    ACTIVATIONS[name] = act
    return act


# ------------------------------------------------------------ plain functions
_FROM_CALLABLES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # function -> its Activation
_FROM_OTHERS: dict = {}  # callables without weak references (numpy's ufuncs, which live on anyway)
_STEP = float(np.finfo(np.float64).eps) ** (1 / 3)  # the central differences' step that balances their errors


def from_callable(function: ArrayFunction) -> Activation:
    """A plain function ``σ(a)`` as an activation, its derivative by central differences:
    ``σ'(a) ≈ (σ(a + h) − σ(a − h)) / 2h``, ``h = ε^(1/3)·max(1, |a|)`` (``ε`` the float64 machine
    epsilon), in float64: about 10 significant digits for a smooth ``σ``. For an exact derivative pass
    ``ag.Activation(name, function, derivative)``. One activation per function (its neurons run as one
    group), named after it (``"lambda"`` for a lambda); not saved by name (``ag.save`` asks to register it).

    Examples
    --------
    >>> square = from_callable(lambda a: a**2)
    >>> square.name, float(np.round(square.derivative(np.array([3.0]), None)[0], 8))
    ('lambda', 6.0)
    """
    try:
        known = _FROM_CALLABLES if weakref.ref(function) else _FROM_OTHERS
    except TypeError:
        known = _FROM_OTHERS
    if function not in known:

        def derivative(a: np.ndarray, z: Any) -> np.ndarray:
            a64 = np.asarray(a, dtype=np.float64)
            h = _STEP * np.maximum(1.0, np.abs(a64))
            slope = (np.asarray(function(a64 + h), np.float64) - np.asarray(function(a64 - h), np.float64)) / (2 * h)
            return slope.astype(np.asarray(a).dtype, copy=False)

        name = getattr(function, "__name__", type(function).__name__)
        known[function] = Activation("lambda" if name == "<lambda>" else name, function, derivative)
    return known[function]


def get_activation(spec: str | Activation | ArrayFunction) -> Activation:
    """Look an activation up by name, pass an :class:`Activation` through, or make one of a plain function
    (:func:`from_callable`).

    Raises
    ------
    UnknownActivationError
        If ``spec`` is neither a known name, an :class:`Activation` nor a callable; the message lists the names.

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
        return ACTIVATIONS[spec]  # type: ignore[index]
    except (KeyError, TypeError):
        if callable(spec):
            return from_callable(spec)
        known = ", ".join(sorted(ACTIVATIONS))
        raise UnknownActivationError(f"unknown activation {spec!r}; known: {known} (or pass an Activation)") from None


def activation_name(act: Activation) -> str | Activation:
    """The name to store for ``act``: its name if the table holds it, else the object."""
    return act.name if ACTIVATIONS.get(act.name) is act else act
