"""GraphML for Gephi and yEd; a PyTorch module that trains the same network at scale; an ONNX model.

Run: python examples/interop.py [folder]   (the GraphML and ONNX files go to folder, default: a temporary one)
"""

import importlib.util
import sys
import tempfile
from pathlib import Path

import numpy as np

import autograd_graph as ag


def graphml(folder: Path) -> None:
    net = ag.random_dag(30, "barabasi_albert", m=2, n_inputs=4, n_outputs=2, seed=0)
    path = folder / "random_dag.graphml"
    ag.write_graphml(net, path)
    again = ag.read_graphml(path)
    print(
        f"wrote {path} ({path.stat().st_size:,} bytes); read back the same network:",
        again.edges == net.edges and np.array_equal(again.weights, net.weights),
    )


def pytorch() -> None:
    import torch

    net = ag.densenet([2, 8, 8, 1], activation="tanh", seed=0)
    module = ag.to_torch(net)  # float64; module.weight is net.weights, in net.edges order
    X = torch.rand(256, 2, dtype=torch.float64) * 2 - 1
    Y = (X[:, :1] * X[:, 1:]).sin()
    optimizer = torch.optim.Adam(module.parameters(), lr=0.02)
    for step in range(301):
        optimizer.zero_grad()
        loss = ((module(X) - Y) ** 2).sum(dim=1).mean()
        loss.backward()
        optimizer.step()
        if step % 100 == 0:
            print(f"  torch step {step:>3}: loss {loss.item():.5f}")
    trained = ag.from_torch(module)
    grads = trained.backward(trained.forward(X.numpy()), Y.numpy())
    print(f"back in autograd_graph: loss {grads.loss:.5f}")

    seq = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.ReLU(), torch.nn.Linear(5, 1)).double()
    print("from an nn.Sequential:", ag.from_torch(seq))


def onnx_model(folder: Path) -> None:
    import onnxruntime

    net = ag.random_dag(200, "gnp", p=0.05, n_inputs=8, n_outputs=3, activation="tanh", seed=0)
    path = folder / "random_dag.onnx"
    ag.to_onnx(net, path)  # float64; dtype=np.float32 for a float32 model
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    X = np.random.default_rng(0).normal(size=(16, 8))
    (Y,) = session.run(None, {"X": X})
    print(f"wrote {path}; onnxruntime vs the engine: largest difference {np.abs(Y - net.forward(X).output).max():.1e}")


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(scratch)
        graphml(folder)
        if importlib.util.find_spec("onnxruntime") is None:
            print("onnx/onnxruntime are not installed (pip install 'autograd_graph[onnx]'); skipping ONNX")
        else:
            onnx_model(folder)
    if importlib.util.find_spec("torch") is None:
        print("PyTorch is not installed (pip install 'autograd_graph[torch]'); skipping the PyTorch part")
    else:
        pytorch()


if __name__ == "__main__":
    main()
