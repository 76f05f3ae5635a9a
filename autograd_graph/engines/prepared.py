"""What a pass needs from the weights, in one dtype: built once per weights version (see :mod:`.compiled`).

Examples
--------
>>> import numpy as np
>>> import autograd_graph as ag
>>> net = ag.running_example(seed=0)
>>> engine = net.compile()
>>> prep = Prepared(engine.schedule, engine.kernels, net.weights, np.dtype(np.float32))
>>> prep.w.dtype, prep.bias.shape
(dtype('float32'), (9,))
"""

from __future__ import annotations

import numpy as np

from .kernels import Kernel
from .pull import PullPlan
from .schedule import Schedule

__all__ = ["Prepared"]


class Prepared:
    """What a pass needs from the weights, in one dtype; built once per weights version.

    :meth:`refresh` rebuilds it in place, in the same buffers, after the
    weights it was prepared from changed in place (a training step's own
    buffer, :mod:`.step`): strided views see the change without any work.
    """

    def __init__(self, schedule: Schedule, kernels: list[Kernel | None], w: np.ndarray, dtype: np.dtype,
                 pull: PullPlan | None = None) -> None:  # fmt: skip
        self.schedule, self.sources = schedule, kernels
        self.w = w.astype(dtype, copy=False)  # (n_weights,); the network's own (never changing) buffer for float64
        pulled = pull.pulled if pull is not None else [False] * len(kernels)  # those the plan computes
        self.kernels = [None if k is None or p else k.prepare(self.w) for k, p in zip(kernels, pulled, strict=True)]
        self.pull = pull  # with it, backward pulls the sparse edges by their sources (:mod:`.pull`)
        self.pull_weights = None if pull is None else pull.weights(self.w)
        self.bias_weights = self.w[schedule.bias_positions]  # in the order of schedule.bias_targets
        total = np.bincount(schedule.bias_targets, weights=self.bias_weights, minlength=len(schedule.order))
        self.bias = total.astype(dtype, copy=False)  # (n_neurons,): Σ of bias weights into each row
        # what refresh does: the kernels whose prepared form is not a view, and the rows of the biases
        self._stale = [
            (k, W) for k, W in zip(kernels, self.kernels, strict=True) if W is not None and k is not None and k.copies
        ]
        targets = schedule.bias_targets
        contiguous = targets.size and np.array_equal(targets, np.arange(targets[0], targets[0] + targets.size))
        self._bias_rows = slice(int(targets[0]), int(targets[0]) + targets.size) if contiguous else targets

    def refresh(self, w: np.ndarray) -> None:
        """Prepare again from ``w``, the weights this was prepared from, changed in place since."""
        if self.w is not w:
            np.copyto(self.w, w)  # another dtype: the copy the views look at
        for kernel, W in self._stale:
            kernel.refresh(W, self.w)
        if self.pull is not None and self.pull_weights is not None:
            self.pull.refresh(self.pull_weights, self.w)
        sc = self.schedule
        np.take(self.w, sc.bias_positions, out=self.bias_weights)
        if sc.one_bias_per_row:  # the sum of one weight is 0 + the weight: bincount's numbers (a bias of −0 gives +0)
            self.bias[self._bias_rows] = self.bias_weights + 0.0
        else:
            self.bias[...] = np.bincount(sc.bias_targets, weights=self.bias_weights, minlength=self.bias.size)
