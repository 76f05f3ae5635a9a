"""Adam's update as one compiled pass over the weights, with numba (the optional extra ``numba``).

:class:`~autograd_graph.training.optimizers.Adam` updates the weights in
place with about eleven numpy calls, each a pass over all of them. When
numba is installed, :func:`fuse` gives an Adam the same update as one loop:
the same operations on each weight, in the same order, without fastmath, so
the weights and moments are the same numbers, bit for bit (the tests check
it). On the 54,800 weights of the ``together`` benchmark, one update took
146 µs against 340–375 µs.

numba costs its import and the first call of the loop, which loads it from
numba's cache (0.44 s in a new process on the reference machine: 0.17 s
and 0.27 s), so a training is worth it only when it makes many updates of
many weights (:data:`FUSED_WORTH`), or when numba is already imported. The
40 trainings of the ``together`` benchmark (7.1e7 weight-updates) are not. :func:`fuse` decides; the numpy form stays
the fallback.

Examples
--------
>>> from autograd_graph.training.optimizers import SGD
>>> fuse(SGD(0.1), 1e12)  # only Adam has a compiled update
False
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable

import numpy as np

from .optimizers import Adam, Optimizer

__all__ = ["fuse", "adam_kernel", "FUSED_WORTH"]

# Weight-updates (weights × updates) from which the compiled loop pays for numba's import and first
# call: it saves about 4 ns per weight-update against 0.44 s on the reference machine.
FUSED_WORTH = 1.2e8

_kernel: list[Callable | None] = []  # the compiled loop, once made (None: numba could not make it)


def _adam(w, g, m, s, beta1, beta2, complement1, complement2, correction1, correction2, eta, eps):  # pragma: no cover
    # Adam._update_into's operations, weight by weight: m = β₁ m + (1 − β₁) g, s = β₂ s + (1 − β₂) g²,
    # w −= (m / c₁) η / (√(s / c₂) + ε)
    for i in range(w.size):
        gi = g[i]
        mi = m[i] * beta1 + gi * complement1
        si = s[i] * beta2 + (gi * gi) * complement2
        m[i] = mi
        s[i] = si
        w[i] -= (mi / correction1) * eta / (np.sqrt(si / correction2) + eps)


def adam_kernel() -> Callable | None:
    """The compiled loop (made, or loaded from numba's cache, on the first call), or None without numba."""
    if not _kernel:
        if importlib.util.find_spec("numba") is None:
            _kernel.append(None)
        else:
            import numba

            _kernel.append(numba.njit(nogil=True, cache=True)(_adam))
    return _kernel[0]


def fuse(opt: Optimizer, weight_updates: float) -> bool:
    """Give ``opt`` the compiled update if it is an Adam, numba is installed and the training is worth it.

    Parameters
    ----------
    opt : Optimizer
        Reset already (its state sized); an :class:`~autograd_graph.training.optimizers.Adam` (or
        subclass that keeps Adam's update) takes the compiled loop, any other optimizer is left as it is.
    weight_updates : float
        The weights times the updates the training will make.

    Returns
    -------
    bool
        Whether ``opt`` now updates with the compiled loop.
    """
    if not isinstance(opt, Adam) or type(opt)._update_into is not Adam._update_into or opt.m.dtype != np.float64:
        return False
    if "numba" not in sys.modules and weight_updates < FUSED_WORTH:
        return False
    kernel = adam_kernel()
    if kernel is None:
        return False
    opt.fused = kernel
    return True
