"""The workloads of the speed issue, by name, in the order they run."""

from .compile_memory import build, compile_time, memory
from .dag import dag_20k, scaling
from .explorer import explorer
from .export import export, export_memory
from .mlp import mlp
from .parallel import threads
from .pictures import pictures
from .sparse import sparse
from .steps import job, step
from .together import together
from .training import digits, running_example

# compile runs first: a one-shot build is timed in a process that has not yet allocated
# (and left to the collector) gigabytes for the other workloads
WORKLOADS = {
    "compile": compile_time,
    "build": build,
    "running": running_example,
    "digits": digits,
    "step": step,
    "job": job,
    "mlp": mlp,
    "dag": dag_20k,
    "threads": threads,
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
