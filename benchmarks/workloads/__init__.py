"""The workloads of the speed issue, by name, in the order they run."""

from .compile_memory import compile_time, memory
from .dag import dag_20k, scaling
from .explorer import explorer
from .export import export, export_memory
from .mlp import mlp
from .pictures import pictures
from .sparse import sparse
from .together import together
from .training import digits, running_example

# compile runs first: a one-shot build is timed in a process that has not yet allocated
# (and left to the collector) gigabytes for the other workloads
WORKLOADS = {
    "compile": compile_time,
    "running": running_example,
    "digits": digits,
    "mlp": mlp,
    "dag": dag_20k,
    "scaling": scaling,
    "memory": memory,
    "pictures": pictures,
    "explorer": explorer,
    "together": together,
    "export": export,  # the PyTorch export against the engine (needs torch)
    "export-memory": export_memory,
    "sparse": sparse,
}

__all__ = ["WORKLOADS"]
