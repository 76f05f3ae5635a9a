"""The optional forms of an activation for other engines: :class:`ScalarForm` (generated per-example code)
and :class:`TorchModuleForm` (the ``torch.nn`` module that computes it); see :mod:`autograd_graph.activations`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ScalarForm", "TorchModuleForm"]


@dataclass(frozen=True)
class ScalarForm:
    """``σ`` and ``σ'`` as Python expressions of one float, for generated code.

    ``function`` is a template in ``{a}``, ``derivative`` in ``{a}`` and
    ``{z}``; each must be safe as a factor of a product (parenthesized where
    needed). ``namespace`` holds the names the expressions call; ``numba``,
    given the numba module, returns them as numba compiles them (the optional
    compiled per-example SGD; by default, the namespace with every Python
    function in it passed through ``numba.njit``).

    Examples
    --------
    >>> ScalarForm("{a} * {a}", "2.0 * {a}").derivative.format(a="a_3")
    '2.0 * a_3'
    """

    function: str
    derivative: str
    namespace: Mapping[str, Any] = field(default_factory=dict)
    numba: Callable[[Any], Mapping[str, Any]] | None = None


@dataclass(frozen=True)
class TorchModuleForm:
    """The ``torch.nn`` module class (by name) that computes an activation.

    ``matches(module)`` tells whether the module's settings are ours
    (``LeakyReLU`` must have our slope); ``requirement`` says what they must be.
    """

    name: str
    matches: Callable[[Any], bool] = lambda module: True
    requirement: str = ""
