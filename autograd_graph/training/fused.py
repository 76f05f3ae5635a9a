"""Adam's update as one compiled pass over the weights, with numba (the optional extra ``numba``).

:class:`~autograd_graph.training.optimizers.Adam` updates the weights in
place with about eleven numpy calls, each a pass over all of them. When
numba is installed, :func:`fuse` gives an Adam the same update as one loop:
the same operations on each weight, in the same order, without fastmath, so
the weights and moments are the same numbers, bit for bit (the tests check
it, non-finite gradients included). Divisions follow numpy's error model
(``error_model="numpy"``: a division by zero gives inf or NaN, as numpy's
does); numba's default checks each one to raise ``ZeroDivisionError``, and
that check kept the loop from vectorising. On the 54,800 weights of the
``together`` benchmark, one update takes 145 µs against 271 µs for the numpy
form (308 µs with numba's default error model).

numba costs its import and the first call of the loop, which loads it from
numba's cache (0.31–0.44 s in a new process on the reference machine), so a
training is worth it only when it makes many updates of many weights
(:data:`FUSED_WORTH`; :data:`FUSED_WORTH_IMPORTED` when numba is imported
already, which leaves the loading, 0.19–0.24 s), or once the loop is
loaded (then always). The 40 trainings of the ``together`` benchmark (7.1e7
weight-updates) are not; a training of 784→512→512→10 at batch 32 over
60,000 images is, from its first epoch (1.3e9), and its steps take 6.1
against 9.5 ms. :func:`fuse` decides, for ``ag.train`` and ``train_many``;
the numpy form stays the fallback.

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

__all__ = ["fuse", "adam_kernel", "FUSED_WORTH", "FUSED_WORTH_IMPORTED"]

# Weight-updates (weights × updates) from which the compiled loop pays for numba's import and its loading:
# it saves about 2.3 ns per weight-update (145 against 271 µs for 54,800 weights) against 0.31–0.44 s ...
FUSED_WORTH = 1.6e8
# ... or for its loading alone, when numba is imported already (0.19–0.24 s); once loaded, it costs nothing
FUSED_WORTH_IMPORTED = 0.9e8

_kernel: list[Callable | None] = []  # the compiled loop, once made and loaded (None: numba could not make it)


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
    """The compiled loop (made, or loaded from numba's cache, and called once on the first call), or None
    without numba."""
    if not _kernel:
        if importlib.util.find_spec("numba") is None:
            _kernel.append(None)
        else:
            import numba

            kernel = numba.njit(nogil=True, cache=True, error_model="numpy")(_adam)
            w = np.zeros(1)
            kernel(w, w.copy(), w.copy(), w.copy(), 0.9, 0.999, 0.1, 0.001, 0.1, 0.001, 0.0, 1.0)  # loaded now
            _kernel.append(kernel)
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
    if not _kernel and weight_updates < (FUSED_WORTH_IMPORTED if "numba" in sys.modules else FUSED_WORTH):
        return False  # not loaded yet, and loading it costs more than this training would save
    kernel = adam_kernel()
    if kernel is None:
        return False
    opt.fused = kernel
    return True
