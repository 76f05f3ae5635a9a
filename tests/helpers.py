"""Checks shared by several test files."""

import threading

import numpy as np
import pytest

import autograd_graph as ag

__all__ = ["assert_engines_agree", "graph_state", "run_in_threads"]


def assert_engines_agree(net, X, Y, loss, tol=1e-10):
    t_c = net.forward(X)
    t_r = net.forward(X, engine="reference")
    g_c = net.backward(t_c, Y, loss=loss)
    g_r = net.backward(t_r, Y, loss=loss)
    close = dict(rtol=tol, atol=tol)
    for k in net.neurons:
        np.testing.assert_allclose(t_c.a[k], t_r.a[k], **close, err_msg=f"a of {k!r}")
        np.testing.assert_allclose(t_c.z[k], t_r.z[k], **close, err_msg=f"z of {k!r}")
        np.testing.assert_allclose(g_c.a[k], g_r.a[k], **close, err_msg=f"∂L/∂a of {k!r}")
        np.testing.assert_allclose(g_c.z[k], g_r.z[k], **close, err_msg=f"∂L/∂z of {k!r}")
    np.testing.assert_allclose(t_c.output, t_r.output, **close)
    assert t_c.output.shape == (X.shape[0], len(net.outputs))
    np.testing.assert_allclose(g_c.weights.flat, g_r.weights.flat, **close)
    np.testing.assert_allclose(g_c.losses, g_r.losses, **close)
    assert g_c.loss == pytest.approx(g_r.loss, rel=tol, abs=tol)
    return g_c


def graph_state(net: ag.Network) -> tuple:
    """Everything that defines ``net``: neurons with their attributes, edges and weights, in order."""
    G = net.to_networkx()
    return list(G.nodes(data=True)), net.edges, net.get_weights().tolist(), net.n_weights


def run_in_threads(*targets, at_once: bool = False) -> list[Exception]:
    """Call each of ``targets`` in a thread of its own, all started before any is joined (``at_once``: each waits
    until all have started); the exceptions they raised."""
    start, errors = threading.Barrier(len(targets)), []

    def run(target):
        if at_once:
            start.wait()
        try:
            target()
        except Exception as error:  # pragma: no cover - reported to the caller
            errors.append(error)

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
