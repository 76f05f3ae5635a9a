"""The running example written out by hand in pure Python: per-example SGD, straight-line code.

This is the yardstick at batch 1, where a numpy call costs more than the
arithmetic it does: every ``a``, ``z`` and gradient is a local float.
"""

from __future__ import annotations

from math import exp

__all__ = ["running_example_sgd"]


def _logistic(a: float) -> float:
    return 1.0 / (1.0 + exp(-a)) if a >= 0 else exp(a) / (1.0 + exp(a))


def running_example_sgd(w: list[float], xs: list[float], ys: list[float], lr: float) -> list[float]:
    """One epoch of per-example SGD on ``ℓ = (y − z_9)²``; ``w`` in ``RUNNING_EXAMPLE_EDGES`` order.

    Hidden neurons are logistic, the output is the identity.
    """
    w13, w14, w23, w24, w36, w46, w47, w56, w57, w69, w79, w89 = w
    for x, y in zip(xs, ys, strict=True):
        z3 = _logistic(w13 * x + w23)
        z4 = _logistic(w14 * x + w24)
        z6 = _logistic(w36 * z3 + w46 * z4 + w56)
        z7 = _logistic(w47 * z4 + w57)
        z9 = w69 * z6 + w79 * z7 + w89
        d9 = 2.0 * (z9 - y)  # ∂ℓ/∂a_9 = ∂ℓ/∂z_9 (identity output)
        d6 = d9 * w69 * z6 * (1.0 - z6)
        d7 = d9 * w79 * z7 * (1.0 - z7)
        d3 = d6 * w36 * z3 * (1.0 - z3)
        d4 = (d6 * w46 + d7 * w47) * z4 * (1.0 - z4)  # 4 feeds 6 and 7: the terms add up
        w13 -= lr * d3 * x
        w14 -= lr * d4 * x
        w23 -= lr * d3
        w24 -= lr * d4
        w36 -= lr * d6 * z3
        w46 -= lr * d6 * z4
        w47 -= lr * d7 * z4
        w56 -= lr * d6
        w57 -= lr * d7
        w69 -= lr * d9 * z6
        w79 -= lr * d9 * z7
        w89 -= lr * d9
    return [w13, w14, w23, w24, w36, w46, w47, w56, w57, w69, w79, w89]
