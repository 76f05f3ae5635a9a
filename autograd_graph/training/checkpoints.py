"""Checkpoints of a training: ``best.json`` and ``run{r}-epoch{e}.json`` in a folder, never at the cost of the run.

A checkpoint that cannot be written (a full disk, no permission) gives one
:class:`~autograd_graph.CheckpointWarning` per training, naming the path and
the error, and training goes on. ``best.json`` is never older than the best
weights: a save of it that did not finish (an error, a Ctrl-C inside it) is
redone when training ends, whatever ends it, and Ctrl-C during any checkpoint
save is held back until the file is complete.

Examples
--------
>>> import tempfile, warnings
>>> from autograd_graph.build.running_example import running_example
>>> folder = tempfile.mkdtemp()
>>> checkpoints = Checkpoints(folder)
>>> checkpoints.best(running_example(seed=0), {"epoch": 0})
>>> sorted(p.name for p in Path(folder).iterdir())
['best.json']
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..exceptions import CheckpointWarning, SerializationError, TrainingError
from ..io.files import check_writable, interrupts_deferred
from ..io.serialization import save

if TYPE_CHECKING:
    from ..network import Network

__all__ = ["Checkpoints", "check_folder"]


def check_folder(folder: Any) -> Path:
    """``folder`` as a path checkpoints can be written into (it may not exist yet).

    Raises
    ------
    TrainingError
        Naming ``checkpoint=`` and what is in the way (a file, a folder that cannot be written).
    """
    if not isinstance(folder, (str, os.PathLike)):
        raise TrainingError(f"checkpoint must be a folder's path (a str or path-like), got {type(folder).__name__}")
    path = Path(folder)
    if path.exists() and not path.is_dir():
        raise TrainingError(f"checkpoint={str(path)!r} is a file; checkpoints go into a folder")
    try:
        check_writable(path / "best.json")
    except OSError as error:
        raise TrainingError(f"checkpoint={str(path)!r}: {error}") from None
    return path


class Checkpoints:
    """The checkpoints of one training, in ``folder``."""

    def __init__(self, folder: Any) -> None:
        self.folder = Path(folder)
        self.warned = False  # a failure was reported (once per training)
        self.pending: dict | None = None  # the metadata of a best not saved yet

    def best(self, net: Network, metadata: dict) -> None:
        """Save the network as ``best.json`` (its weights are the best so far)."""
        self.pending = metadata
        if self._save(net, "best.json", metadata):
            self.pending = None

    def every(self, net: Network, name: str, metadata: dict) -> None:
        """Save the network as ``name`` (a periodic checkpoint)."""
        self._save(net, name, metadata)

    def finish(self, net: Network) -> bool:
        """Redo the save of ``best.json`` if the last one did not finish (the network holds the best
        weights by now); returns whether a Ctrl-C came meanwhile."""
        if self.pending is None:
            return False
        try:
            if self._save(net, "best.json", self.pending):
                self.pending = None
        except KeyboardInterrupt:  # held back until best.json was written
            self.pending = None
            return True
        return False

    def _save(self, net: Network, name: str, metadata: dict) -> bool:
        path = self.folder / name
        try:
            with interrupts_deferred():  # Ctrl-C waits for the file to be complete
                save(net, path, metadata=metadata)
        except (OSError, SerializationError) as error:
            if not self.warned:
                self.warned = True
                warnings.warn(
                    f"could not save the checkpoint {path}: {error}; training goes on (said once per training; "
                    f"the network will hold the best weights, and best.json is tried again at the end)",
                    CheckpointWarning,
                    stacklevel=7,
                )
            return False
        return True
