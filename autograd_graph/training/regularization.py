"""What a training step does between the gradient and the optimizer: constraints, clipping, penalties, dropout.

For one batch, with ``g = ∂L/∂w`` of the batch's mean loss (through the
dropout masks, when there are some), the loop's step is

1. **tied** edges: each edge of a group gets the group's sum ``Σ_e g_e``
   (the gradient of the one parameter they share); **frozen** edges get 0;
2. **clipping** (``clip_norm=c``): with ``‖g‖₂`` over the trainable
   parameters (a tied group counted once, frozen edges not at all),
   ``g ← g · min(1, c / (‖g‖₂ + 1e-6))``, as ``torch.nn.utils.clip_grad_norm_``;
3. **penalties**: ``g ← g + λ₂ w + λ₁ sign(w)`` (``weight_decay=λ₂``: the
   gradient of ``λ₂/2 ‖w‖²``; ``l1=λ₁``: of ``λ₁ ‖w‖₁``), as the
   ``weight_decay`` of PyTorch's optimizers (coupled: Adam and RMSprop scale
   it too). Bias weights (edges from a bias neuron) and frozen edges are not
   penalised; ``regularize_biases=True`` includes the biases. The history's
   losses are the data loss, without the penalties;
4. the optimizer's update (``opt.step_into``), then frozen edges are put
   back and each tied group set to its first edge's value (exact for the
   optimizers here, which treat equal weights with equal gradients alike;
   a guard for others).

Dropout (``dropout=``: a rate for every hidden neuron, or a mapping neuron →
rate, input neurons allowed) draws its masks for every batch from the run's
seeded generator (:mod:`autograd_graph.engines.dropout`); evaluation never drops.
A pass with masks that goes non-finite is diagnosed by the public passes,
which have none: they name the neuron at fault when it is at fault without
the masks too; when they find nothing (only the scaling overflowed), that
one step takes the gradient without masks.

Restarts redraw the weights; frozen edges keep the values training started
with and tied groups take their first edge's new value (:func:`constrain_restart`).

Examples
--------
>>> import numpy as np
>>> import autograd_graph as ag
>>> net = ag.running_example(seed=0)
>>> rules = StepRules.build(net, net.compile(), weight_decay=0.1)
>>> w = net.get_weights(); g = np.zeros_like(w)
>>> rules.adjust(g, w)                       # g += 0.1 w, biases excepted
>>> bool(np.allclose(g[rules.decayed], 0.1 * w[rules.decayed])), int((g == 0).sum())  # the 5 bias weights
(True, 5)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .._checks import real, safe_repr
from ..constraints import Parameters
from ..engines.dropout import DropoutMasks
from ..exceptions import ConstraintError, RegularizationError

if TYPE_CHECKING:
    from ..engines.compiled import CompiledEngine
    from ..network import Network
    from .config import TrainingConfig

__all__ = ["StepRules", "check_regularization", "dropout_rates", "constrain_restart", "check_ties", "CLIP_EPS"]

CLIP_EPS = 1e-6  # added to the norm before dividing, as torch.nn.utils.clip_grad_norm_


def _rate(value: Any, what: str) -> float:
    return real(what, value, RegularizationError, low=0.0, high=1.0, high_open=True)


def dropout_rates(net: Network, dropout: Any) -> dict:
    """``neuron -> rate`` of a ``dropout=`` setting (a rate: every hidden neuron), checked.

    Raises
    ------
    RegularizationError
        A rate outside [0, 1), a neuron that is no input or hidden neuron of ``net``, or neither a number
        nor a mapping.

    Examples
    --------
    >>> import autograd_graph as ag
    >>> dropout_rates(ag.running_example(), 0.2)
    {3: 0.2, 4: 0.2, 6: 0.2, 7: 0.2}
    >>> dropout_rates(ag.running_example(), {9: 0.5})
    Traceback (most recent call last):
    ...
    autograd_graph.exceptions.RegularizationError: dropout: 9 is an output neuron; only input and hidden neurons drop
    """
    if dropout is None:
        return {}
    inputs, hidden = net.inputs, net.hidden
    if isinstance(dropout, Mapping):
        allowed, outputs, biases = {*inputs, *hidden}, set(net.outputs), set(net.biases)
        rates = {}
        for neuron, p in dropout.items():
            if neuron not in allowed:
                kind = "an output" if neuron in outputs else "a bias" if neuron in biases else None
                if kind is None:
                    raise RegularizationError(f"dropout: {safe_repr(neuron)} is no neuron of the network")
                raise RegularizationError(f"dropout: {safe_repr(neuron)} is {kind} neuron; "
                                          f"only input and hidden neurons drop")  # fmt: skip
            rates[neuron] = _rate(p, f"dropout rate of neuron {safe_repr(neuron)}")
        return {n: p for n, p in rates.items() if p > 0}
    if isinstance(dropout, (bool, str)) or not isinstance(dropout, (int, float, np.number)):
        raise RegularizationError(f"dropout must be a rate in [0, 1) or a mapping neuron -> rate, got "
                                  f"{safe_repr(dropout)}")  # fmt: skip
    p = _rate(dropout, "dropout")
    return dict.fromkeys(hidden, p) if p > 0 else {}


def check_regularization(cfg: TrainingConfig, net: Network) -> dict:
    """Check the settings of this module (before any weight changes); the dropout rates by neuron."""
    real("weight_decay", cfg.weight_decay, RegularizationError, low=0.0)
    real("l1", cfg.l1, RegularizationError, low=0.0)
    if cfg.clip_norm is not None:
        real("clip_norm", cfg.clip_norm, RegularizationError, low=0.0, low_open=True)
    if not isinstance(cfg.regularize_biases, (bool, np.bool_)):
        raise RegularizationError(f"regularize_biases must be True or False, got {safe_repr(cfg.regularize_biases)}")
    return dropout_rates(net, cfg.dropout)


def check_ties(net: Network) -> None:
    """Tied weights must start equal (``net.set_weight`` may have set one of a group)."""
    if not net.ties:
        return
    bad = net.parameters().unequal(net.weights)
    if bad is not None:
        edges = net.edges
        first, other = edges[bad[0]], edges[bad[1]]
        raise ConstraintError(
            f"tied edges {safe_repr(first)} and {safe_repr(other)} have different weights "
            f"({net.weights[bad[0]]!r} and {net.weights[bad[1]]!r}); set them equal, or tie them again "
            f"(net.tie takes the first edge's weight)"
        )


def constrain_restart(net: Network, start: np.ndarray) -> None:
    """After a restart's ``net.initialize``: frozen edges back to ``start``, tied groups to their first edge."""
    if not (net.frozen or net.ties):
        return
    p = net.parameters()
    w = net.get_weights()
    frozen = p.index < 0
    w[frozen] = start[frozen]
    p.scatter(p.values(w), w)
    net.set_weights(w)


class StepRules:
    """Steps 1–4 of the module notes for one structure (built again when it changes)."""

    def __init__(self, params: Parameters | None, decay: np.ndarray | None, l1: np.ndarray | None,
                 clip_norm: float | None, drop: DropoutMasks | None) -> None:  # fmt: skip
        self.params = params  # None: every edge its own parameter
        self.frozen = None if params is None else np.flatnonzero(params.index < 0)
        self.decay, self.l1, self.clip_norm, self.drop = decay, l1, clip_norm, drop
        self.decayed = np.ones(0, bool)
        self._work = np.empty(0)

    @classmethod
    def build(cls, net: Network, engine: CompiledEngine, *, weight_decay: float = 0.0, l1: float = 0.0,
              clip_norm: float | None = None, regularize_biases: bool = False,
              dropout: Mapping | None = None) -> StepRules | None:  # fmt: skip
        """The rules of these settings for ``net`` as it is now (None when there is nothing to do)."""
        constrained = bool(net.frozen or net.ties)
        params = net.parameters() if constrained else None
        n = engine.schedule.n_weights
        mask = np.ones(n, bool)
        if not regularize_biases:
            mask[engine.schedule.bias_positions] = False
        if params is not None:
            mask[params.index < 0] = False
        rates = {k: v for k, v in (dropout or {}).items() if k in engine.schedule.rows}
        drop = DropoutMasks(engine.schedule, rates) if rates else None
        if not (constrained or weight_decay or l1 or clip_norm is not None or drop):
            return None
        rules = cls(params, weight_decay * mask if weight_decay else None, l1 * mask if l1 else None,
                    clip_norm, drop)  # fmt: skip
        rules.decayed, rules._work = mask, np.empty(n)
        return rules

    def adjust(self, g: np.ndarray, w: np.ndarray) -> None:
        """Steps 1–3 on the gradient ``g`` (in place) at the weights ``w``."""
        p = self.params
        if p is not None:
            if p.tied:
                free = p.index >= 0
                g[free] = p.gradient(g)[p.index[free]]
            g[self.frozen] = 0
        if self.clip_norm is not None:
            squares = float(np.dot(g, g)) if p is None or not p.tied else float(np.sum(p.gradient(g) ** 2))
            coef = self.clip_norm / (math.sqrt(squares) + CLIP_EPS)
            if coef < 1.0:
                g *= coef
        work = self._work
        if self.decay is not None:
            np.multiply(self.decay, w, out=work)
            g += work
        if self.l1 is not None:
            np.sign(w, out=work)
            work *= self.l1
            g += work

    def after_update(self, w: np.ndarray, before: np.ndarray) -> None:
        """Step 4: frozen edges back to ``before``, tied groups equal to their first edge."""
        p = self.params
        if p is not None:
            w[self.frozen] = before[self.frozen]
            if p.tied:
                p.scatter(p.values(w), w)
