"""neat-python's activation functions as entries of the activation table, with every form they have.

neat-python (``neat/activations.py``) defines its functions on one float,
several of them scaled and clamped: its ``sigmoid`` is
``1 / (1 + exp(−clamp(5a, −60, 60)))``, its ``tanh`` is
``tanh(clamp(2.5a, −60, 60))``. Each is registered here under ``neat_<name>``
(the ones equal to an entry of ours, ``identity``, ``relu`` and ``elu``, map
to that entry) with its function, its derivative ``σ'(a, z)`` (0 where
neat-python clamps), its scalar form (straight-line code), its torch form
(:func:`~autograd_graph.to_torch`; ``torch_module`` where ``torch.nn`` has
the same function) and its ONNX form (:func:`~autograd_graph.to_onnx`).

:func:`register_neat_activations` adds them to the table (once; later calls
do nothing); :func:`~autograd_graph.from_neat` calls it, and so must a
program that loads a saved network using them (``ag.load`` reads activations
by name).

Examples
--------
>>> import numpy as np
>>> from autograd_graph.activations import get_activation
>>> names = register_neat_activations()
>>> NEAT_NAMES["sigmoid"], NEAT_NAMES["relu"]
('neat_sigmoid', 'relu')
>>> sigmoid = get_activation("neat_sigmoid")
>>> a = np.array([-20.0, 0.0, 0.2])
>>> sigmoid.function(a).round(6)
array([0.      , 0.5     , 0.731059])
>>> sigmoid.derivative(a, sigmoid.function(a)).round(6)     # 0 where neat-python clamps 5a to ±60
array([0.     , 1.25   , 0.98306])
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.special import expit

from ..activations import ACTIVATIONS, ScalarForm, TorchModuleForm, register_activation

__all__ = ["register_neat_activations", "NEAT_NAMES", "NEAT_FUNCTIONS"]

SELU_SCALE = 1.0507009873554804934193349852946  # neat-python's (and torch.nn.SELU's) constants
SELU_ALPHA = 1.6732632423543772848170429916717
LELU_SLOPE = 0.005  # neat-python's lelu


def _clip(a: np.ndarray, bound: float) -> np.ndarray:
    return np.clip(a, -bound, bound)


def _inside(a: np.ndarray, bound: float) -> np.ndarray:
    """Where a clamp to ``±bound`` passes its input through (the derivative's support)."""
    return np.abs(a) <= bound


def _scaled(graph: Any, x: str, scale: float, bound: float) -> str:
    """ONNX: ``clamp(scale·x, −bound, bound)``."""
    scaled = x if scale == 1.0 else graph.op("Mul", x, graph.const(scale))
    return graph.op("Clip", scaled, graph.const(-bound), graph.const(bound))


def _inv(a: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", over="ignore"):
        return np.where(a != 0, 1 / np.where(a != 0, a, 1), 0).astype(a.dtype)


def _softplus_onnx(graph: Any, x: str) -> str:
    c = _scaled(graph, x, 5.0, 60.0)
    tail = graph.op("Log", graph.op("Add", graph.const(1.0), graph.op("Exp", graph.op("Neg", graph.op("Abs", c)))))
    return graph.op("Mul", graph.const(0.2), graph.op("Add", graph.op("Relu", c), tail))


def _scalar_namespace() -> dict[str, Any]:
    def sigmoid(a: float) -> float:
        z = max(-60.0, min(60.0, 5.0 * a))
        return 1.0 / (1.0 + math.exp(-z))

    def softplus(a: float) -> float:
        z = max(-60.0, min(60.0, 5.0 * a))
        return 0.2 * (max(z, 0.0) + math.log1p(math.exp(-abs(z))))  # as the array form: no rounding of 1 + e^z

    return {"_nsig": sigmoid, "_nsp": softplus, "_m": math, "_inv": lambda a: 1.0 / a if a != 0 else 0.0}


_NS = _scalar_namespace()

# neat-python name -> (our name, function, derivative(a, z), scalar form, torch form, torch_module, ONNX form)
_ENTRIES: dict[str, tuple] = {
    "sigmoid": ("neat_sigmoid", lambda a: expit(_clip(5 * a, 60)),
                lambda a, z: np.where(_inside(5 * a, 60), 5 * z * (1 - z), 0).astype(a.dtype),
                ScalarForm("_nsig({a})", "(5.0 * {z} * (1.0 - {z}) if abs(5.0 * {a}) <= 60.0 else 0.0)", _NS),
                lambda torch: lambda a: torch.sigmoid(torch.clamp(5 * a, -60, 60)), None,
                lambda g, x: g.op("Sigmoid", _scaled(g, x, 5.0, 60.0))),
    "tanh": ("neat_tanh", lambda a: np.tanh(_clip(2.5 * a, 60)),
             lambda a, z: np.where(_inside(2.5 * a, 60), 2.5 * (1 - z * z), 0).astype(a.dtype),
             ScalarForm("_m.tanh(max(-60.0, min(60.0, 2.5 * {a})))",
                        "(2.5 * (1.0 - {z} * {z}) if abs(2.5 * {a}) <= 60.0 else 0.0)", _NS),
             lambda torch: lambda a: torch.tanh(torch.clamp(2.5 * a, -60, 60)), None,
             lambda g, x: g.op("Tanh", _scaled(g, x, 2.5, 60.0))),
    "sin": ("neat_sin", lambda a: np.sin(_clip(5 * a, 60)),
            lambda a, z: np.where(_inside(5 * a, 60), 5 * np.cos(5 * a), 0).astype(a.dtype),
            ScalarForm("_m.sin(max(-60.0, min(60.0, 5.0 * {a})))",
                       "(5.0 * _m.cos(5.0 * {a}) if abs(5.0 * {a}) <= 60.0 else 0.0)", _NS),
            lambda torch: lambda a: torch.sin(torch.clamp(5 * a, -60, 60)), None,
            lambda g, x: g.op("Sin", _scaled(g, x, 5.0, 60.0))),
    "gauss": ("neat_gauss", lambda a: np.exp(-5 * _clip(a, 3.4) ** 2),
              lambda a, z: np.where(_inside(a, 3.4), -10 * a * z, 0).astype(a.dtype),
              ScalarForm("_m.exp(-5.0 * max(-3.4, min(3.4, {a})) ** 2)",
                         "(-10.0 * {a} * {z} if abs({a}) <= 3.4 else 0.0)", _NS),
              lambda torch: lambda a: torch.exp(-5 * torch.clamp(a, -3.4, 3.4) ** 2), None,
              lambda g, x: g.op("Exp", g.op("Mul", g.const(-5.0), g.op("Mul", *[_scaled(g, x, 1.0, 3.4)] * 2)))),
    "lelu": ("neat_lelu", lambda a: np.where(a > 0, a, LELU_SLOPE * a),
             lambda a, z: np.where(a > 0, 1, LELU_SLOPE).astype(a.dtype),
             ScalarForm(f"({{a}} if {{a}} > 0.0 else {LELU_SLOPE} * {{a}})", f"(1.0 if {{a}} > 0.0 else {LELU_SLOPE})"),
             lambda torch: lambda a: torch.where(a > 0, a, LELU_SLOPE * a), None,
             lambda g, x: g.op("Where", g.op("Greater", x, g.const(0.0)), x, g.op("Mul", x, g.const(LELU_SLOPE)))),
    "selu": ("neat_selu",
             lambda a: np.where(a > 0, SELU_SCALE * a, SELU_SCALE * SELU_ALPHA * np.expm1(np.minimum(a, 0))),
             lambda a, z: np.where(a > 0, SELU_SCALE, z + SELU_SCALE * SELU_ALPHA).astype(a.dtype),
             ScalarForm(f"({SELU_SCALE!r} * {{a}} if {{a}} > 0.0 else {SELU_SCALE * SELU_ALPHA!r} * _m.expm1({{a}}))",
                        f"({SELU_SCALE!r} if {{a}} > 0.0 else {{z}} + {SELU_SCALE * SELU_ALPHA!r})", _NS),
             lambda torch: torch.nn.functional.selu, TorchModuleForm("SELU"),
             lambda g, x: g.op("Where", g.op("Greater", x, g.const(0.0)), g.op("Mul", x, g.const(SELU_SCALE)),
                               g.op("Mul", g.const(SELU_SCALE * SELU_ALPHA),
                                    g.op("Sub", g.op("Exp", g.op("Min", x, g.const(0.0))), g.const(1.0))))),
    "softplus": ("neat_softplus", lambda a: 0.2 * np.logaddexp(0, _clip(5 * a, 60)),
                 lambda a, z: np.where(_inside(5 * a, 60), expit(5 * a), 0).astype(a.dtype),
                 ScalarForm("_nsp({a})", "(_nsig({a}) if abs(5.0 * {a}) <= 60.0 else 0.0)", _NS),
                 lambda torch: lambda a: 0.2 * torch.logaddexp(torch.clamp(5 * a, -60, 60), torch.zeros_like(a)),
                 None, _softplus_onnx),
    "clamped": ("neat_clamped", lambda a: _clip(a, 1.0), lambda a, z: _inside(a, 1.0).astype(a.dtype),
                ScalarForm("max(-1.0, min(1.0, {a}))", "(1.0 if abs({a}) <= 1.0 else 0.0)"),
                lambda torch: lambda a: torch.clamp(a, -1, 1),
                TorchModuleForm("Hardtanh", lambda m: m.min_val == -1 and m.max_val == 1, "min_val=-1, max_val=1"),
                lambda g, x: _scaled(g, x, 1.0, 1.0)),
    "inv": ("neat_inv", _inv, lambda a, z: -z * z, ScalarForm("_inv({a})", "(-{z} * {z})", _NS),
            lambda torch: lambda a: torch.where(a != 0, 1 / torch.where(a != 0, a, torch.ones_like(a)), 0 * a), None,
            lambda g, x: g.op("Where", g.op("Equal", x, g.const(0.0)), g.const(0.0),
                              g.op("Reciprocal", g.op("Where", g.op("Equal", x, g.const(0.0)), g.const(1.0), x)))),
    "log": ("neat_log", lambda a: np.log(np.maximum(a, 1e-7)),
            lambda a, z: np.where(a >= 1e-7, 1 / np.maximum(a, 1e-7), 0).astype(a.dtype),
            ScalarForm("_m.log(max(1e-7, {a}))", "(1.0 / {a} if {a} >= 1e-7 else 0.0)", _NS),
            lambda torch: lambda a: torch.log(torch.clamp(a, min=1e-7)), None,
            lambda g, x: g.op("Log", g.op("Max", x, g.const(1e-7)))),
    "exp": ("neat_exp", lambda a: np.exp(_clip(a, 60)), lambda a, z: np.where(_inside(a, 60), z, 0).astype(a.dtype),
            ScalarForm("_m.exp(max(-60.0, min(60.0, {a})))", "({z} if abs({a}) <= 60.0 else 0.0)", _NS),
            lambda torch: lambda a: torch.exp(torch.clamp(a, -60, 60)), None,
            lambda g, x: g.op("Exp", _scaled(g, x, 1.0, 60.0))),
    "abs": ("neat_abs", np.abs, lambda a, z: np.sign(a),
            ScalarForm("abs({a})", "(_m.copysign(1.0, {a}) * ({a} != 0.0))", _NS),
            lambda torch: torch.abs, None, lambda g, x: g.op("Abs", x)),
    "hat": ("neat_hat", lambda a: np.maximum(0, 1 - np.abs(a)),
            lambda a, z: np.where(np.abs(a) <= 1, -np.sign(a), 0).astype(a.dtype),
            ScalarForm("max(0.0, 1.0 - abs({a}))",
                       "(-_m.copysign(1.0, {a}) * ({a} != 0.0) if abs({a}) <= 1.0 else 0.0)", _NS),
            lambda torch: lambda a: torch.clamp(1 - torch.abs(a), min=0), None,
            lambda g, x: g.op("Relu", g.op("Sub", g.const(1.0), g.op("Abs", x)))),
    "square": ("neat_square", np.square, lambda a, z: 2 * a, ScalarForm("({a} * {a})", "(2.0 * {a})"),
               lambda torch: torch.square, None, lambda g, x: g.op("Mul", x, x)),
    "cube": ("neat_cube", lambda a: a**3, lambda a, z: 3 * a * a, ScalarForm("({a} * {a} * {a})", "(3.0 * {a} * {a})"),
             lambda torch: lambda a: a**3, None, lambda g, x: g.op("Mul", x, g.op("Mul", x, x))),
}  # fmt: skip

# neat-python's name -> ours: the ones above, and those equal to an entry of the table
NEAT_NAMES: dict[str, str] = {name: entry[0] for name, entry in _ENTRIES.items()}
NEAT_NAMES.update({"identity": "identity", "relu": "relu", "elu": "elu"})
# neat-python's own function of each name (in neat.activations), to tell a user's redefinition apart
NEAT_FUNCTIONS = {name: f"{name}_activation" for name in NEAT_NAMES}


def register_neat_activations() -> list[str]:
    """Register neat-python's activations in the table (``neat_sigmoid``, …); returns the names added now.

    Registering again adds nothing (an entry of that name is left as it is).
    """
    added = []
    for name, function, derivative, scalar, torch, torch_module, onnx in _ENTRIES.values():
        if name not in ACTIVATIONS:
            register_activation(name, function, derivative, scalar=scalar, torch=torch, torch_module=torch_module,
                                onnx=onnx)  # fmt: skip
            added.append(name)
    return added
