"""Results display as readable tables: a plain ``repr`` without object addresses, ``_repr_html_`` for Jupyter."""

import re

import numpy as np
import pytest

import autograd_graph as ag

ADDRESS = re.compile(r"0x[0-9a-f]{6,}")


@pytest.fixture
def passes():
    net = ag.running_example(seed=0)
    trace = net.forward([[0.5], [1.0]])
    grads = net.backward(trace, [[1.0], [0.0]])
    return net, trace, grads


def test_trace_and_gradients_print_as_tables(passes):
    net, trace, grads = passes
    text = repr(trace)
    assert text.splitlines()[0] == "Trace of 9 neurons, batch 2 (compiled engine, float64)"
    assert text.splitlines()[1].split() == ["neuron", "a[0]", "z[0]", "a[1]", "z[1]"]
    row6 = next(line.split() for line in text.splitlines() if line.split()[0] == "6")
    assert float(row6[2]) == pytest.approx(trace.z[6][0], rel=1e-3)
    text = repr(grads)
    assert text.startswith("Gradients of L = ") and "(squared_error), batch 2" in text
    assert "∂L/∂w of 12 edges" in text and "6 → 9" in text
    weights = repr(grads.weights)
    row = next(line for line in weights.splitlines() if line.strip().startswith("6 → 9"))
    assert float(row.split()[-1]) == pytest.approx(grads.weights[(6, 9)], rel=1e-3)
    for obj in (trace, grads, grads.weights, trace.a, grads.z):
        assert not ADDRESS.search(repr(obj)), repr(obj)


def test_big_results_stay_short():
    net = ag.layered([30, 40, 2], seed=0)
    trace = net.forward(np.zeros((10, 30)))
    lines = repr(trace).splitlines()
    assert len(lines) == 1 + 1 + 20 + 1 and lines[-1].strip().startswith("… 54 more")
    assert lines[1].split()[-1] == "…"  # 3 of the 10 examples shown


def test_jupyter_shows_html_tables(passes):
    formatters = pytest.importorskip("IPython.core.formatters", reason="IPython shows objects as Jupyter does")
    net, trace, grads = passes
    explanation = ag.explain(net, trace, grads, (6, 9))
    report = ag.check_gradients(net, [[0.5]], [[1.0]])
    for obj in (trace, grads, grads.weights, trace.z, explanation, report):
        bundle, _ = formatters.DisplayFormatter().format(obj)
        assert bundle["text/html"].startswith('<table class="autograd-graph">')
        assert not ADDRESS.search(bundle["text/plain"])
    html = formatters.DisplayFormatter().format(explanation)[0]["text/html"]
    assert "∂L/∂w_6,9" in html and "Σ_b ∂L/∂a_9[b]" in html


def test_the_gradient_check_says_its_largest_error_and_whether_it_passed():
    net = ag.running_example(seed=1)
    report = ag.check_gradients(net, [[0.3]], [[1.0]])
    *_, largest, verdict = str(report).splitlines()
    assert largest.startswith("largest error ") and float(largest.split()[2]) == pytest.approx(
        report.max_error, rel=0.1
    )
    assert verdict.startswith("passed: all 13 values")
    wrong = ag.Activation("wrong", lambda a: a**2, lambda a, z: 3 * a)  # σ' should be 2a
    net.set_activation(3, wrong)
    report = ag.check_gradients(net, [[0.3]], [[1.0]], raise_exception=False)
    assert not report.passed and report.summary().splitlines()[1].startswith("FAILED: 3 of 13 values")
    with pytest.raises(ag.GradientCheckError, match="FAILED: 3 of 13"):
        ag.check_gradients(net, [[0.3]], [[1.0]])


def test_explanations_print_their_equations(passes):
    net, trace, grads = passes
    explanation = ag.explain(net, trace, grads, 7, example=1)
    assert repr(explanation) == str(explanation)
    assert repr(explanation).splitlines()[0] == "neuron 7 (hidden, logistic), example 1 of 2:"
