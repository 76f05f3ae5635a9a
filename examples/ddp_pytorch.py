"""Train an exported network with PyTorch's DistributedDataParallel: two CPU processes, gloo, 127.0.0.1.

Each process holds the module ``ag.to_torch(net)`` (it pickles, so
``torch.multiprocessing.spawn`` hands it over) and half of the data; DDP
averages their gradients at every step, so the run is full-batch gradient
descent, step for step what ``ag.train(..., batch_size=None, optimizer="sgd")``
does here. Rank 0 brings the trained weights back with ``ag.from_torch``
(which unwraps the DDP wrapper).

Run: python examples/ddp_pytorch.py   (about 10 s: two processes start and import torch)
"""

from __future__ import annotations

import copy
import datetime
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import autograd_graph as ag

TIMEOUT = 120  # seconds: the longest a process waits for the other, and the run may take


def free_port() -> int:
    """A TCP port nobody listens on at 127.0.0.1 (for the processes to meet on)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def worker(rank: int, world_size: int, port: int, module, X, Y, steps: int, lr: float, out: str) -> None:
    """One process: join the group, train its shard under DDP, rank 0 saves the network."""
    import torch
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel

    torch.set_num_threads(1)  # two processes on two cores
    # torch.multiprocessing hands tensors over in shared memory: without a copy both processes would
    # update one and the same weight vector
    module = copy.deepcopy(module)
    dist.init_process_group(
        "gloo",
        init_method=f"tcp://127.0.0.1:{port}",
        rank=rank,
        world_size=world_size,
        timeout=datetime.timedelta(seconds=TIMEOUT),
    )  # a lost partner is an error, not a hang
    try:
        ddp = DistributedDataParallel(module)
        X_shard, Y_shard = X[rank::world_size], Y[rank::world_size]  # equal halves: their mean is the full mean
        optimizer = torch.optim.SGD(ddp.parameters(), lr=lr)
        for _ in range(steps):
            optimizer.zero_grad()
            loss = ((ddp(X_shard) - Y_shard) ** 2).sum(dim=1).mean()  # the squared error ag.train uses
            loss.backward()  # DDP averages ∂L/∂w over the processes here
            optimizer.step()
        if rank == 0:
            ag.save(ag.from_torch(ddp), out)
    finally:
        dist.destroy_process_group()
    # Leave without freeing the DDP wrapper: torch frees its Reducer holding the GIL while gloo's worker
    # thread waits for the GIL to free its last work item, and the process hangs for good
    # (pytorch/pytorch#56297; here 2 runs in 7 hung so). Everything is saved by now.
    os._exit(0)


def ddp_train(net: ag.Network, X: np.ndarray, Y: np.ndarray, *, steps: int, lr: float, world_size: int = 2):
    """``net`` trained by full-batch SGD under DDP in ``world_size`` processes; ``net`` itself is untouched."""
    import torch
    import torch.multiprocessing as mp

    if len(X) % world_size:
        raise ValueError(f"{len(X)} examples do not split into {world_size} equal shards")
    module = ag.to_torch(net)
    Xt, Yt = torch.as_tensor(X, dtype=torch.float64), torch.as_tensor(Y, dtype=torch.float64)
    with tempfile.TemporaryDirectory() as scratch:
        out = str(Path(scratch) / "trained.json")
        context = mp.start_processes(worker, args=(world_size, free_port(), module, Xt, Yt, steps, lr, out),
                                     nprocs=world_size, join=False)  # fmt: skip
        deadline = time.monotonic() + TIMEOUT
        while not context.join(timeout=1):  # raises if a process failed
            if time.monotonic() > deadline:
                for process in context.processes:
                    process.terminate()
                raise TimeoutError(f"the {world_size} DDP processes did not finish within {TIMEOUT} s")
        return ag.load(out)


def main() -> None:
    net = ag.random_dag(60, "watts_strogatz", k=4, p=0.3, n_inputs=3, n_outputs=2, activation="tanh", seed=0)
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (64, 3))
    Y = np.column_stack([np.sin(2 * X[:, 0]) * X[:, 1], X[:, 2] ** 2])
    trained = ddp_train(net, X, Y, steps=100, lr=0.1)

    reference = net.copy()
    finals = []
    ag.train(reference, X, Y, batch_size=None, optimizer="sgd", learning_rate=0.1, epochs=100, progress=False,
             callbacks=[lambda log: finals.append(log.network.get_weights())])  # fmt: skip
    difference = np.abs(trained.weights - finals[-1]).max()
    print(f"DDP, 2 processes: loss {ag.evaluate(net, X, Y).loss:.4f} -> {ag.evaluate(trained, X, Y).loss:.4f}")
    print(f"largest difference from ag.train's full-batch SGD after 100 steps: {difference:.1e}")
    sys.exit(0 if difference < 1e-10 else 1)


if __name__ == "__main__":
    main()
