"""What every workload shares: its settings, its report, the optional peers, and the checks."""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass, field
from types import ModuleType

import numpy as np

import autograd_graph as ag

from ..harness import Result, Target

__all__ = ["Config", "Report", "optional", "check_close", "engine_pass", "ENGINE", "ENGINE32", "NUMPY"]

ENGINE = "autograd_graph f64"
ENGINE32 = "autograd_graph f32"
NUMPY = "numpy f64"


@dataclass
class Config:
    """Settings of one benchmark run."""

    quick: bool = False
    rounds: int = 7  # timed rounds per workload (interleaved)
    peers: frozenset[str] = frozenset({"numpy", "torch", "jax", "micrograd", "python"})
    seed: int = 0


@dataclass
class Report:
    """What a workload measured: a table (or none), extra lines, and the targets it decides."""

    title: str
    description: str
    tables: list[tuple[str, dict[str, Result]]] = field(default_factory=list)  # (caption, results)
    baselines: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    summary: list[list[str]] = field(default_factory=list)  # a small table: header row, then rows
    targets: list[Target] = field(default_factory=list)


def optional(name: str, config: Config, module: str) -> ModuleType | None:
    """Import a peer module if the peer is wanted and its library is installed."""
    library = {"torch": "torch", "jax": "jax", "micrograd": "micrograd"}.get(name)
    if name not in config.peers or (library and importlib.util.find_spec(library) is None):
        return None
    return importlib.import_module(f"benchmarks.peers.{module}")


def check_close(name: str, got: np.ndarray, want: np.ndarray, rtol: float) -> None:
    """Refuse to time a peer that computes something else: relative to the largest value."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    scale = max(float(np.abs(want).max(initial=0.0)), 1e-300)
    error = float(np.abs(got - want).max(initial=0.0)) / scale
    if not error <= rtol:
        raise AssertionError(f"{name} disagrees with autograd_graph: relative difference {error:.2e} > {rtol:.0e}")


def engine_pass(net: ag.Network, X: np.ndarray, Y: np.ndarray, dtype=np.float64):
    """One forward and backward pass through the public API."""

    def run() -> ag.Gradients:
        return net.backward(net.forward(X, dtype=dtype), Y)

    return run
