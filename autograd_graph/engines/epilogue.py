"""A dense stage's elementwise work around its product, as one compiled loop (numba, the optional extra).

After the BLAS product of a dense stage (``a = W z``), numpy makes two more
passes over the stage's rows, ``a += b`` and ``z = σ(a)``; the reverse sweep
makes two for ``∂L/∂a = ∂L/∂z · σ'(a)`` (``σ'`` into ``∂L/∂a``, then the
product). For the activations whose numpy forms are plain arithmetic, one
numba loop does each in one pass with the same operations on each element,
so the numbers are the same, bit for bit (NaN, ±0 and ±inf included; the
tests check it): :data:`LOOPS` is their table, keyed by the built-in
activation (a function registered later under the same name is another one
and keeps the numpy forms). Any other activation or dtype takes the numpy
forms.

Measured on the fifth session's machine (AMD EPYC, one thread): a relu stage of 512 × 256
takes 33 µs for the bias and σ against 117 µs in numpy, and 37 against
74 µs for its chain rule; a 512 × 32 one 3.4 against 16 µs. numba costs its
import and the loading of the loops from its cache once per process
(about 0.3 s; their first compilation on a machine, a few seconds), so they
are loaded by the first stage with loops of at least :data:`LOAD_FROM`
elements (rows × batch); once loaded, every dense stage with loops takes
them. Without numba, or with one that cannot compile them (a warning, once),
every stage keeps the numpy forms.

Examples
--------
>>> import numpy as np
>>> from autograd_graph.activations import ACTIVATIONS
>>> loops_for([(ACTIVATIONS["tanh"], 0, 4)], 1, np.dtype(np.float64)) is None  # numpy's tanh: no loop
True
"""

from __future__ import annotations

import importlib.util
import warnings
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from ..activations import ACTIVATIONS, Activation

__all__ = ["Loops", "LOOPS", "LOAD_FROM", "loops_for", "loaded"]

LOAD_FROM = 1 << 16  # elements of a stage from which the loops are worth numba's import and loading (above)


class Loops(NamedTuple):
    """One activation's compiled loops over a stage's rows (2-D, C-contiguous, of one dtype)."""

    forward: Callable  # forward(a, bias, z): a += bias (one per row), then z = σ(a)
    chain: Callable  # chain(a, z, dz, da): da = dz · σ'(a)


def _relu_forward(a, bias, z):  # pragma: no cover - compiled by numba
    for i in range(a.shape[0]):
        b = bias[i]
        for j in range(a.shape[1]):
            x = a[i, j] + b
            a[i, j] = x
            z[i, j] = np.maximum(x, 0.0)  # numpy's maximum: NaN stays NaN, as np.maximum(a, 0) gives


def _relu_chain(a, z, dz, da):  # pragma: no cover - compiled by numba
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            da[i, j] = (1.0 if a[i, j] > 0 else 0.0) * dz[i, j]  # as np.greater(a, 0, out=da); da *= dz


def _identity_forward(a, bias, z):  # pragma: no cover - compiled by numba
    for i in range(a.shape[0]):
        b = bias[i]
        for j in range(a.shape[1]):
            x = a[i, j] + b
            a[i, j] = x
            z[i, j] = x


def _identity_chain(a, z, dz, da):  # pragma: no cover - compiled by numba
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            da[i, j] = dz[i, j]


# the built-in activation -> its two loops, as plain Python (compiled when first loaded)
LOOPS: dict[Activation, tuple[Callable, Callable]] = {
    ACTIVATIONS["relu"]: (_relu_forward, _relu_chain),
    ACTIVATIONS["identity"]: (_identity_forward, _identity_chain),
}
_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))
_TYPES = tuple(d.type for d in _DTYPES)  # compared by identity: cheaper than dtypes
_compiled: dict[Activation, Loops] = {}  # once loaded; empty before (or without numba)
_state: list[bool] = []  # [whether the loops could be loaded], once tried


def loaded() -> bool:
    """Whether the compiled loops are loaded in this process."""
    return bool(_compiled)


def _compile(numba: Any) -> dict[Activation, Loops]:
    """The loops compiled (or loaded from numba's cache) and called once in each dtype."""
    jit = numba.njit(nogil=True, cache=True, error_model="numpy")
    compiled = {act: Loops(jit(forward), jit(chain)) for act, (forward, chain) in LOOPS.items()}
    for dtype in _DTYPES:
        a, bias = np.zeros((1, 1), dtype), np.zeros(1, dtype)
        for loops in compiled.values():
            loops.forward(a, bias, a.copy())
            loops.chain(a, a, a.copy(), a.copy())
    return compiled


def _load() -> bool:
    """Load the loops, once: whether they are loaded."""
    if not _state and importlib.util.find_spec("numba") is not None:
        try:
            import numba
            from numba.core.errors import NumbaError
        except ImportError as error:  # installed but broken (e.g. too old for this numpy)
            warnings.warn(f"numba could not be imported ({error}); the dense stages keep numpy's forms", stacklevel=3)
        else:
            try:
                _compiled.update(_compile(numba))
            except (NumbaError, TypeError, ValueError, OSError) as error:
                warnings.warn(f"numba could not compile the dense stages' loops ({error}); they keep numpy's forms",
                              stacklevel=3)  # fmt: skip
    if not _state:
        _state.append(bool(_compiled))
    return _state[0]


def loops_for(groups: Sequence[tuple[Activation, int, int]], elements: int, dtype: np.dtype) -> list[Loops] | None:
    """Each group's loops, when every group of the stage has them and they are loaded or worth loading.

    Parameters
    ----------
    groups : sequence of (Activation, int, int)
        A stage's groups of rows by activation (``Stage.groups``).
    elements : int
        The stage's rows times the batch.
    dtype : numpy dtype
        The pass's.

    Returns
    -------
    list of Loops or None
        None: the stage takes the numpy forms.
    """
    if not _compiled and (elements < LOAD_FROM or any(act not in LOOPS for act, _, _ in groups) or not _load()):
        return None  # (the first test is all a small stage pays before they are loaded)
    if dtype.type not in _TYPES:
        return None
    found = []
    for act, _, _ in groups:
        loops = _compiled.get(act)
        if loops is None:
            return None
        found.append(loops)
    return found
