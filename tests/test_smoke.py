import numpy as np

import autograd_graph as ag


def test_compiled_and_reference_agree_on_running_example():
    net = ag.running_example(seed=3)
    X = np.linspace(-1, 1, 7).reshape(-1, 1)
    Y = np.sin(3 * X)
    g = net.backward(net.forward(X), Y)
    r = net.backward(net.forward(X, engine="reference"), Y)
    np.testing.assert_allclose(g.weights.flat, r.weights.flat, rtol=0, atol=1e-12)
