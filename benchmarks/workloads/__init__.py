"""The workloads of the speed issue, by name, in the order they run."""

from .compile_memory import compile_time, memory
from .dag import dag_20k, scaling
from .mlp import mlp
from .training import digits, running_example

WORKLOADS = {
    "running": running_example,
    "digits": digits,
    "mlp": mlp,
    "dag": dag_20k,
    "scaling": scaling,
    "compile": compile_time,
    "memory": memory,
}

__all__ = ["WORKLOADS"]
