"""Training: optimizers, step-size schedules, random restarts, history.

- :mod:`.schedules`: the step size ``η_t`` of each update;
- :mod:`.optimizers`: SGD, momentum, Adam, RMSprop on the flat weight vector;
- :mod:`.regularization`: weight decay, L1, dropout, clipping, frozen and tied edges in a step;
- :mod:`.loop`: epochs, batches, restarts, early stopping, checkpoints, Ctrl-C;
- :mod:`.nonfinite`: naming the first neuron that went inf or NaN;
- :mod:`.evaluation`: loss and accuracy on a data set;
- :mod:`.history`: what a training run reports;
- :mod:`.plots`: learning curves and gradient norms over training, as figures;
- :mod:`.trainer`: :func:`train` and :class:`Trainer`, the public entry points.
"""

from .evaluation import Evaluation, accuracy, evaluate
from .history import EpochLog, History, RunResult, TrainingResult
from .optimizers import OPTIMIZERS, SGD, Adam, Momentum, Optimizer, RMSprop, get_optimizer
from .plots import plot_gradients, plot_history
from .schedules import ConstantSchedule, ExponentialDecay, InverseTimeDecay, StepDecay, as_schedule
from .trainer import Trainer, train

__all__ = [
    "Adam",
    "ConstantSchedule",
    "EpochLog",
    "Evaluation",
    "ExponentialDecay",
    "History",
    "InverseTimeDecay",
    "Momentum",
    "OPTIMIZERS",
    "Optimizer",
    "RMSprop",
    "RunResult",
    "SGD",
    "StepDecay",
    "Trainer",
    "TrainingResult",
    "accuracy",
    "as_schedule",
    "evaluate",
    "get_optimizer",
    "plot_gradients",
    "plot_history",
    "train",
]
