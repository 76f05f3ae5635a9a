"""Sparse networks whose wiring changes: pruning, lottery tickets, dynamic sparse training (SET, RigL).

- :mod:`.edges`: which edges may go, which must stay (no neuron cut off), groups;
- :mod:`.prune`: :func:`prune` (magnitude, random or your own scores), :func:`dead_neurons`;
- :mod:`.space`: where edges may grow (a fixed topological order: never a cycle);
- :mod:`.gradients`: RigL's criterion, the absent edges of largest ``|∂L/∂w|``;
- :mod:`.dynamic`: :class:`SET` and :class:`RigL`, training callbacks that rewire every few steps;
- :mod:`.history`: :class:`StructureHistory`, what they changed, for pictures;
- :mod:`.lottery`: :func:`lottery_ticket`, iterative pruning with rewinding.
"""

from .dynamic import SET, DynamicSparsity, RigL
from .history import StructureHistory, Update
from .lottery import LotteryResult, lottery_ticket
from .prune import dead_neurons, prune

__all__ = ["DynamicSparsity", "LotteryResult", "RigL", "SET", "StructureHistory", "Update", "dead_neurons",
           "lottery_ticket", "prune"]  # fmt: skip
