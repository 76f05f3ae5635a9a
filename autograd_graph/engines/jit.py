"""numba for the straight-line code: per-example SGD as machine code (the optional extra ``numba``).

:func:`compile_sgd` compiles the ``arrays`` form of :func:`~.codegen.sgd_source`
with ``numba.njit``: the same lines, each formula of the SPEC once per
example, now without the interpreter (on the running example, an epoch of
1,000 steps takes microseconds instead of a millisecond; see
``benchmarks/README.md``). The functions the formulas call come from each
activation's :class:`~autograd_graph.activations.ScalarForm`: its ``numba``
form when it has one, else its namespace with every Python function in it
compiled by numba. Anything numba cannot compile gives None, and the caller
takes the Python form, with the same numbers.

numba is imported only when :func:`compile_sgd` is first called.
"""

from __future__ import annotations

import importlib.util
import types
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..activations import ScalarForm

__all__ = ["available", "compile_sgd", "numba_namespace", "NUMBA_MAX_EDGES"]

# Larger networks are left to the Python form: numba's compile time grows faster than the lines
# (0.3 s at 12 edges, 1.4 s at 100, 2.6 s at 160 on the benchmark machine).
NUMBA_MAX_EDGES = 100

# sgd(w, X, Y, step_sizes) -> (new weights, losses), all float64 and C-contiguous
SIGNATURE = "Tuple((float64[::1], float64[::1]))(float64[::1], float64[:, ::1], float64[:, ::1], float64[::1])"


def available() -> bool:
    """Whether numba is installed (``pip install autograd_graph[numba]``)."""
    return importlib.util.find_spec("numba") is not None


def numba_namespace(form: ScalarForm, numba: Any) -> dict[str, Any]:
    """The names a scalar form's expressions call, as numba compiles them."""
    if form.numba is not None:
        return dict(form.numba(numba))
    return {name: numba.njit(value) if isinstance(value, types.FunctionType) else value
            for name, value in form.namespace.items()}  # fmt: skip


def compile_sgd(source: str, forms: Iterable[ScalarForm], n_weights: int) -> Callable | None:
    """``sgd`` of the ``arrays`` source compiled by numba, or None (no numba, too big, or not compilable)."""
    if n_weights > NUMBA_MAX_EDGES or not available():
        return None
    import numba
    from numba.core.errors import NumbaError

    try:
        namespace: dict[str, Any] = {"np": np}
        for form in forms:
            namespace.update(numba_namespace(form, numba))
        exec(compile(source, "<straight-line SGD, numba>", "exec"), namespace)  # noqa: S102
        return numba.njit(SIGNATURE, nogil=True)(namespace["sgd"])
    except (NumbaError, TypeError, ValueError, NotImplementedError):
        return None  # a form numba cannot compile: the Python form runs instead
