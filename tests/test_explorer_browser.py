"""The explorer page in headless Chromium: it loads clean, and every number it holds is the engine's.

One browser for the module, a new tab per page. ``window.agExplorer.state()``
gives every value in full; each is compared with the compiled engine's
(``net.forward``/``net.backward`` on the chosen example, and on the whole
batch for the batch means) to 1e-12, on the running example and on 20
random small DAGs with mixed activations and losses, after what-if edits of
weights and inputs. The equations the page shows are compared with the text
of :mod:`autograd_graph.show.equations` (what ``ag.explain`` prints).
"""

import math

import networkx as nx
import numpy as np
import pytest
from browser import chromium, needs_chromium

import autograd_graph as ag
from autograd_graph.show.equations import PassValues
from autograd_graph.show.explorer import positions

pytestmark = [pytest.mark.browser, needs_chromium]
TOL = 1e-12
ACTIVATIONS = ("identity", "logistic", "tanh", "relu", "leaky_relu", "elu", "softplus", "step")


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def open_page(browser, tmp_path):
    """``open_page(explorer)``: the saved page in a new tab; ``tab.problems`` collects console errors,
    warnings, page errors and any request that is not the file itself."""
    tabs = []

    def opener(explorer, name="explore.html"):
        path = explorer.save(tmp_path / name)
        tab = browser.new_page(viewport={"width": 1400, "height": 900})
        tab.problems = []
        tab.on("console", lambda m: tab.problems.append(m.text) if m.type in ("error", "warning") else None)
        tab.on("pageerror", lambda error: tab.problems.append(str(error)))
        tab.on("request", lambda r: None if r.url == path.as_uri() else tab.problems.append(r.url))
        tab.goto(path.as_uri(), wait_until="load")
        tabs.append(tab)
        return tab

    yield opener
    for tab in tabs:
        tab.close()


def state(tab):
    return tab.evaluate("() => window.agExplorer.state()")


def close(a, b):
    return a is not None and abs(a - b) <= TOL * max(1.0, abs(b))


def assert_state_is_engines(st, net, X, Y, loss="squared_error"):
    """Every value of ``state()`` against the compiled engine: the example's pass, and the batch's."""
    r = st["example"]
    trace = net.forward(X[r : r + 1])
    grads = net.backward(trace, Y[r : r + 1], loss=loss) if Y is not None else None
    for entry, neuron in zip(st["neurons"], net.neurons, strict=True):
        assert entry["label"] == str(neuron)
        for key, values in (("a", trace.a), ("z", trace.z)) + (
            (("da", grads.a), ("dz", grads.z)) if grads is not None else ()
        ):
            assert close(entry[key], float(values[neuron][0])), (neuron, key, entry[key], float(values[neuron][0]))
    assert [e["w"] for e in st["edges"]] == net.weights.tolist()  # the page starts from the very numbers
    if grads is None:
        assert all(e["dw"] is None for e in st["edges"])
        return
    batch = net.backward(net.forward(X), Y, loss=loss)
    for entry, edge, dw, dw_batch in zip(st["edges"], net.edges, grads.weights.flat, batch.weights.flat, strict=True):
        assert close(entry["dw"], float(dw)), (edge, entry["dw"], float(dw))
        assert close(entry["dw_batch"], float(dw_batch)), (edge, entry["dw_batch"], float(dw_batch))
    assert close(st["loss"], grads.loss) and close(st["batch_loss"], batch.loss)


def trained_running_example(epochs=150):
    net = ag.running_example(seed=0)
    X = np.linspace(-1, 1, 41).reshape(-1, 1)
    Y = np.sin(3 * X)
    rec = ag.Recorder()
    rec.start(net)
    ag.train(net, X, Y, epochs=epochs, batch_size=1, learning_rate=ag.InverseTimeDecay(0.5, decay=0.001),
             seed=0, callbacks=[rec], progress=False)  # fmt: skip
    return net, X, Y, rec


@pytest.fixture(scope="module")
def running():
    return trained_running_example()


# ---------------------------------------------------------------- the running example
def test_loads_clean_and_shows_row_2_as_the_engine(running, open_page):
    net, X, Y, rec = running
    tab = open_page(ag.explore(net, X, Y, record=rec))
    assert tab.problems == []
    assert tab.locator("svg .neuron").count() == 9 and tab.locator("svg path.edge").count() == 12
    tab.evaluate("() => window.agExplorer.setExample(2)")
    st = state(tab)
    assert st["example"] == 2 and st["rows"] == 41 and st["x"] == X[2].tolist()
    assert_state_is_engines(st, net, X, Y)
    # the picture shows the example's numbers, formatted
    assert f"z = {format(float(net.forward(X[2:3]).z[6][0]), '.4g')}" in tab.locator("[data-neuron='5']").text_content()
    assert tab.problems == []


def test_step_visits_every_neuron_in_topological_order_then_in_reverse(running, open_page):
    net, X, Y, rec = running
    tab = open_page(ag.explore(net, X, Y))
    st = state(tab)
    assert st["step"] == 0 and st["steps"] == 2 * 9 + 12
    visits = [tab.evaluate("() => window.agExplorer.step()") for _ in range(st["steps"])]
    forward = [v["neuron"] for v in visits[:9]]
    backward = [v["neuron"] for v in visits[9:18]]
    assert all(v["phase"] == "forward" for v in visits[:9]) and all(v["phase"] == "backward" for v in visits[9:18])
    assert sorted(forward) == sorted(net.neurons)
    where = {k: t for t, k in enumerate(forward)}
    assert all(where[i] < where[j] for i, j in net.edges)  # a topological order
    assert backward == forward[::-1]
    assert sorted(tuple(v["edge"]) for v in visits[18:]) == sorted(net.edges)  # step 3: every weight once
    assert tab.evaluate("() => window.agExplorer.step()")["edge"] == visits[-1]["edge"]  # the end stays the end
    tab.evaluate("() => window.agExplorer.step(-30)")
    assert state(tab)["step"] == 0
    tab.keyboard.press("ArrowRight")
    tab.keyboard.press("ArrowRight")
    assert state(tab)["current"] == visits[1]
    tab.keyboard.press("Escape")
    assert state(tab)["step"] == 0 and tab.problems == []


def test_set_epoch_shows_the_recorded_weights(running, open_page):
    net, X, Y, rec = running
    record = rec.best(net)
    tab = open_page(ag.explore(net, X, Y, record=rec))
    for epoch in (0, 1, 75, 150):
        tab.evaluate(f"() => window.agExplorer.setEpoch({epoch})")
        st = state(tab)
        assert st["epoch"] == epoch
        assert [e["w"] for e in st["edges"]] == record.at(epoch).tolist()
        at_epoch = net.copy()
        at_epoch.set_weights(record.at(epoch))
        assert_state_is_engines(st, at_epoch, X, Y)
    assert tab.evaluate("() => { try { window.agExplorer.setEpoch(7.5) } catch (e) { return e.message } }").startswith(
        "epoch 7.5 is not recorded"
    )
    tab.evaluate("() => window.agExplorer.setEpoch(null)")
    assert [e["w"] for e in state(tab)["edges"]] == net.weights.tolist()
    tab.locator("#play").click()  # the play button walks the epochs
    tab.wait_for_function("() => window.agExplorer.state().epoch !== null && window.agExplorer.state().epoch > 3")
    tab.locator("#play").click()
    assert tab.locator("#curve polyline").count() == 1 and tab.problems == []


def test_what_if_on_the_running_example(running, open_page):
    net, X, Y, _ = running
    tab = open_page(ag.explore(net, X, Y))
    tab.evaluate("() => { window.agExplorer.setExample(5); window.agExplorer.setWeight(4, 6, -0.75) }")
    changed = net.copy()
    changed.set_weight(4, 6, -0.75)
    assert_state_is_engines(state(tab), changed, X, Y)
    tab.evaluate("() => window.agExplorer.setInput(1, 0.3)")
    X2 = X.copy()
    X2[5, 0] = 0.3
    assert_state_is_engines(state(tab), changed, X2, Y)
    tab.evaluate("() => window.agExplorer.reset()")
    assert_state_is_engines(state(tab), net, X, Y)
    message = tab.evaluate("() => { try { window.agExplorer.setWeight(3, 7, 1) } catch (e) { return e.message } }")
    assert message == "no edge 3 → 7 in this network"  # the running example has no 3→7 edge
    assert tab.problems == []


def test_equations_are_the_text_explain_prints(running, open_page):
    net, X, Y, _ = running
    tab = open_page(ag.explore(net, X, Y))
    tab.evaluate("() => window.agExplorer.setExample(7)")
    trace = net.forward(X[7:8])
    values = PassValues.of(net, trace, net.backward(trace, Y[7:8]))
    for k in net.neurons:
        act = net.activation(k)
        expected = []
        if net.kind(k) in ("hidden", "output"):
            a, z = (format(float(v[k][0]), ".4g") for v in (trace.a, trace.z))
            expected += [
                values.weighted_input(k, 0).format(".4g"),
                f"z_{k} = {act.name}(a_{k}) = {act.name}({a}) = {z}",
            ]
        elif net.kind(k) == "input":
            expected.append(f"z_{k} = x_{k} = {format(float(trace.z[k][0]), '.4g')}")
        else:
            expected.append(f"z_{k} = 1 (bias)")
        expected += [eq.format(".4g") for eq in values.neuron_gradient(k, 0)]
        assert tab.evaluate(f"() => window.agExplorer.equations({k})") == expected
    batch = net.backward(net.forward(X), Y)
    for edge in net.edges:
        lines = tab.evaluate(f"() => window.agExplorer.equations([{edge[0]}, {edge[1]}])")
        one = ag.explain(net, trace, values.grads, edge)
        assert lines[1:3] == [eq.format(".4g") for eq in one.equations]
        assert lines[3] == str(ag.explain(net, net.forward(X), batch, edge)).splitlines()[1]
    tab.hover("[data-neuron='3']")  # hovering shows the same equations
    assert tab.locator("#tooltip").inner_text().splitlines()[0] == values.weighted_input(4, 0).format(".4g")


def test_numbers_are_written_as_python_formats_them(open_page):
    tab = open_page(ag.explore(ag.running_example(seed=0), view="compact"))
    rng = np.random.default_rng(1)
    values = (rng.standard_normal(200) * 10.0 ** rng.integers(-9, 9, 200)).tolist()
    values += [0.0, -0.0, 0.125, 2.5, 0.375, 99999.5, 9.9995, 1e16, 5e-324, 1e-5, 0.03125]
    for spec in (".4g", ".3g", ".1g", ".2f", ".0f", ".3e"):
        written = tab.evaluate("([vs, spec]) => vs.map((v) => pyFormat(v, spec))", [values, spec])
        assert written == [format(v, spec) for v in values], spec
    assert tab.evaluate("() => pyFormat(-0, '.4g')") == format(-0.0, ".4g")


# ---------------------------------------------------------------- random small DAGs
def small_dag(seed: int) -> tuple[ag.Network, str]:
    """A random DAG of 6–12 neurons: 1–3 inputs, a bias, 2 outputs, mixed activations, mixed ids; and a loss."""
    rng = np.random.default_rng(seed)
    n_in, n_hidden, n_out = int(rng.integers(1, 4)), int(rng.integers(2, 7)), 2
    name = [lambda i: i, lambda i: f"n{i}", lambda i: ("n", i)][seed % 3]
    loss = ("squared_error", "mse", "softmax_cross_entropy", "binary_cross_entropy")[seed % 4]
    G = nx.DiGraph()
    ids = [name(i) for i in range(n_in + n_hidden + n_out)]
    for i in range(n_in):
        G.add_node(ids[i], kind="input")
    G.add_node("b", kind="bias")
    for t in range(n_in, len(ids)):
        kind = "output" if t >= n_in + n_hidden else "hidden"
        activation = "logistic" if kind == "output" and loss == "binary_cross_entropy" else rng.choice(ACTIVATIONS)
        G.add_node(ids[t], kind=kind, activation=str(activation))
        G.add_edge(ids[int(rng.integers(0, t if kind == "hidden" else n_in + n_hidden))], ids[t])
        for s in range(t):
            if rng.random() < 0.35 and not (kind == "output" and s >= n_in + n_hidden):
                G.add_edge(ids[s], ids[t])
        if rng.random() < 0.7:
            G.add_edge("b", ids[t])
    if G.out_degree("b") == 0:
        G.remove_node("b")
    for u, v in G.edges:
        G.edges[u, v]["weight"] = float(rng.normal(0, 1.2))
    return ag.Network.from_networkx(G), loss


def js_id(neuron):
    return repr(neuron) if isinstance(neuron, (int, str)) else repr(str(neuron))


@pytest.mark.parametrize("seed", range(20))
def test_what_if_on_random_dags(seed, open_page):
    net, loss = small_dag(seed)
    rng = np.random.default_rng(100 + seed)
    X = rng.normal(0, 1.5, (6, len(net.inputs)))
    Y = rng.integers(0, 2, (6, 2)).astype(float) if loss != "mse" else rng.normal(0, 1, (6, 2))
    tab = open_page(ag.explore(net, X, Y, loss=loss))
    example = int(rng.integers(0, 6))
    tab.evaluate(f"() => window.agExplorer.setExample({example})")
    assert_state_is_engines(state(tab), net, X, Y, loss)
    i, j = net.edges[int(rng.integers(0, net.n_weights))]
    w = float(rng.normal(0, 2))
    tab.evaluate(f"() => window.agExplorer.setWeight({js_id(i)}, {js_id(j)}, {w!r})")
    net.set_weight(i, j, w)
    assert_state_is_engines(state(tab), net, X, Y, loss)
    k = net.inputs[int(rng.integers(0, len(net.inputs)))]
    x = float(rng.normal(0, 2))
    tab.evaluate(f"() => window.agExplorer.setInput({js_id(k)}, {x!r})")
    X[example, net.inputs.index(k)] = x
    assert_state_is_engines(state(tab), net, X, Y, loss)
    trace = net.forward(X[example : example + 1])
    values = PassValues.of(net, trace, net.backward(trace, Y[example : example + 1], loss=loss), loss=loss)
    for neuron in net.neurons:  # the page's equations are the text of show/equations.py
        expected = [eq.format(".4g") for eq in values.neuron_gradient(neuron, 0)]
        page = tab.evaluate(f"() => window.agExplorer.equations({js_id(neuron)})")
        assert page[-len(expected) :] == expected
    assert tab.problems == []


# ---------------------------------------------------------------- other pages
def test_forward_only_without_targets(open_page):
    net = ag.running_example(seed=3)
    tab = open_page(ag.explore(net, [[0.25], [0.5]]))
    st = state(tab)
    assert st["steps"] == 9 and st["loss"] is None
    assert_state_is_engines(st, net, np.array([[0.25], [0.5]]), None)
    assert tab.problems == []


def test_the_library_layout_without_graphviz(open_page, monkeypatch):
    def missing(net, timeout=30.0):
        raise ag.GraphvizNotFoundError("no dot here")

    monkeypatch.setattr(positions, "full_positions", missing)
    net = ag.running_example(seed=0)
    explorer = ag.explore(net, [[0.5]], [[1.0]])
    assert explorer.data["picture"]["layout"] == "library"
    tab = open_page(explorer)
    assert tab.locator("svg .neuron rect").count() == 9
    assert "laid out without Graphviz" in tab.locator("#notes").inner_text()
    assert_state_is_engines(state(tab), net, np.array([[0.5]]), np.array([[1.0]]))
    assert tab.problems == []


def test_digits_sized_network_with_30_epochs(open_page):
    net = ag.layered([64, 16, 10], activation="tanh", seed=0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 64))
    Y = np.eye(10)[rng.integers(0, 10, 300)]
    rec = ag.Recorder()
    ag.train(net, X, Y, epochs=30, batch_size=32, optimizer="adam", learning_rate=0.01, validation_split=0.2,
             loss="softmax_cross_entropy", seed=0, callbacks=[rec], progress=False)  # fmt: skip
    explorer = ag.explore(net, X, Y, loss="softmax_cross_entropy", record=rec)
    assert len(explorer.html.encode()) <= 3 * 2**20  # the target: at most 3 MB
    tab = open_page(explorer)
    assert explorer.data["picture"]["view"] == "compact" and explorer.data["rows"] == 256
    tab.evaluate("() => window.agExplorer.setEpoch(17)")
    at_17 = net.copy()
    at_17.set_weights(rec.best(net).at(17))
    assert_state_is_engines(state(tab), at_17, X[:256], Y[:256], "softmax_cross_entropy")
    assert tab.locator("#curve polyline").count() == 2  # training and validation loss
    assert tab.problems == []


def test_a_2000_neuron_dag_opens_in_the_compact_view(open_page):
    net = ag.random_dag(2000, "watts_strogatz", k=4, p=0.25, n_inputs=20, n_outputs=5, seed=0)
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(8, 20)), rng.normal(size=(8, 5))
    tab = open_page(ag.explore(net, X, Y))
    assert tab.locator("svg .neuron").count() >= 2000 - len(net.biases)
    i, j = net.edges[100]
    tab.evaluate(f"() => window.agExplorer.setWeight({js_id(i)}, {js_id(j)}, 0.5)")
    net.set_weight(i, j, 0.5)
    assert_state_is_engines(state(tab), net, X, Y)
    assert tab.problems == []


def test_explorer_in_jupyter_is_a_sandboxed_frame():
    explorer = ag.explore(ag.running_example(seed=0), view="compact")
    frame = explorer._repr_html_()
    assert frame.startswith("<iframe srcdoc=") and 'sandbox="allow-scripts"' in frame
    assert math.isclose(len(frame), len(explorer.html), rel_tol=0.5)
