"""Weight decay, L1, dropout, gradient clipping, RMSprop, frozen and tied edges in training.

Checked three ways: hand-derived updates, finite differences (dropout's
gradient on fixed masks) and PyTorch (RMSprop, weight decay in SGD/Adam/RMSprop,
clip_grad_norm_).
"""

import itertools

import numpy as np
import pytest

import autograd_graph as ag
from autograd_graph.engines.dropout import DropoutMasks
from autograd_graph.engines.step import TrainingStep
from autograd_graph.training.regularization import StepRules

X = np.linspace(-1, 1, 12).reshape(-1, 1)
Y = np.sin(3 * X)


def gradient(net, X=X, Y=Y):
    return net.backward(net.forward(X), Y).weights.flat


def bias_mask(net):
    biases = set(net.biases)
    return np.array([i not in biases for i, _ in net.edges])


def one_full_batch_step(net, **settings):
    return ag.train(net, X, Y, epochs=1, batch_size=None, restore_best="last", progress=False, seed=0, **settings)


def masked_loss_and_gradient(engine, w, X, Y, drop):
    """The mean squared-error loss and ∂L/∂w of a training step at weights ``w`` under the dropout masks ``drop``."""
    step = TrainingStep(engine, "squared_error", np.float64, w)
    dw = step.gradient(X, Y, drop)
    return float(step.losses.mean()), dw.copy()


# ------------------------------------------------------------------ penalties
@pytest.mark.parametrize("biases", [False, True])
def test_weight_decay_and_l1_make_the_hand_computed_update(biases):
    net = ag.running_example(seed=0)
    net.set_weight(1, 3, 0.0)  # sign(0) = 0: no L1 pull on a zero weight
    w0, g = net.get_weights(), gradient(net)
    eta, l2, l1 = 0.1, 0.05, 0.02
    one_full_batch_step(net, learning_rate=eta, weight_decay=l2, l1=l1, regularize_biases=biases)
    mask = np.ones(len(w0), bool) if biases else bias_mask(net)
    expected = w0 - eta * (g + mask * (l2 * w0 + l1 * np.sign(w0)))
    np.testing.assert_allclose(net.weights, expected, rtol=0, atol=1e-15)
    if not biases:  # the bias weights moved by the data gradient alone
        np.testing.assert_allclose(net.weights[~mask], (w0 - eta * g)[~mask], rtol=0, atol=1e-15)


@pytest.mark.parametrize("name", ["sgd", "adam", "rmsprop"])
def test_weight_decay_matches_pytorchs_optimizers(name):
    torch = pytest.importorskip("torch", reason="the comparison with PyTorch's optimizers needs torch")
    rng = np.random.default_rng(1)
    net = ag.running_example(seed=0)
    w0 = net.get_weights()
    grads = rng.normal(size=(4, len(w0)))
    rules = StepRules.build(net, net.compile(), weight_decay=0.1, regularize_biases=True)  # torch decays all
    opt = ag.training.get_optimizer(name, 0.01)
    opt.reset(len(w0))
    w = w0.copy()
    param = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    peer = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "rmsprop": torch.optim.RMSprop}[name](
        [param], lr=0.01, weight_decay=0.1
    )
    for g in grads:
        dw = g.copy()
        rules.adjust(dw, w)
        opt.step_into(w, dw)
        param.grad = torch.tensor(g)
        peer.step()
    np.testing.assert_allclose(w, param.detach().numpy(), rtol=0, atol=1e-12)


# ------------------------------------------------------------------ RMSprop
def test_rmsprop_matches_torch_and_its_two_forms_agree():
    torch = pytest.importorskip("torch", reason="the comparison with torch.optim.RMSprop needs torch")
    rng = np.random.default_rng(2)
    w0, grads = rng.normal(size=7), rng.normal(size=(6, 7)) * 10.0 ** rng.integers(-3, 3, size=(6, 7))
    ours, into = ag.RMSprop(0.02, alpha=0.9, eps=1e-7), ag.RMSprop(0.02, alpha=0.9, eps=1e-7)
    ours.reset(7), into.reset(7)
    w, w_into = w0.copy(), w0.copy()
    param = torch.tensor(w0, requires_grad=True)
    peer = torch.optim.RMSprop([param], lr=0.02, alpha=0.9, eps=1e-7)
    for g in grads:
        w = ours.step(w, g)
        into.step_into(w_into, g)
        param.grad = torch.tensor(g)
        peer.step()
        np.testing.assert_allclose(w, param.detach().numpy(), rtol=1e-13, atol=1e-15)
    assert np.array_equal(w, w_into)  # step and step_into: the same numbers, bit for bit
    assert ag.training.get_optimizer("rmsprop").learning_rate == 0.01  # torch's default


def test_rmsprop_carries_its_state_across_a_change_of_structure():
    opt = ag.RMSprop(0.1)
    opt.reset(3)
    opt.step(np.zeros(3), np.array([1.0, 2.0, 3.0]))
    before = opt.s.copy()
    opt.remap(np.array([2, -1, 0, 1]))
    np.testing.assert_array_equal(opt.s, [before[2], 0.0, before[0], before[1]])
    opt.step_into(np.zeros(4), np.ones(4))  # the work buffer followed the new size


# ------------------------------------------------------------------ clipping
def test_clip_norm_matches_torch_clip_grad_norm():
    torch = pytest.importorskip("torch", reason="the comparison with clip_grad_norm_ needs torch")
    net = ag.running_example(seed=0)
    rules = StepRules.build(net, net.compile(), clip_norm=0.5)
    w = net.get_weights()
    for scale in (10.0, 0.01):  # above the bound: scaled; below: unchanged
        g = np.random.default_rng(3).normal(size=len(w)) * scale
        ours = g.copy()
        rules.adjust(ours, w)
        param = torch.zeros(len(w), dtype=torch.float64, requires_grad=True)
        param.grad = torch.tensor(g)
        torch.nn.utils.clip_grad_norm_([param], max_norm=0.5)
        np.testing.assert_allclose(ours, param.grad.numpy(), rtol=1e-14, atol=0)
    assert np.array_equal(ours, g)


def test_clip_norm_in_training_is_the_hand_computed_step():
    net = ag.running_example(seed=0)
    w0, g = net.get_weights(), gradient(net)
    one_full_batch_step(net, learning_rate=0.1, clip_norm=0.01)
    expected = w0 - 0.1 * g * 0.01 / (np.linalg.norm(g) + 1e-6)
    np.testing.assert_allclose(net.weights, expected, rtol=0, atol=1e-15)


# ------------------------------------------------------------------ dropout
def small_net():
    """x1, x2 -> three tanh neurons -> one identity output: E[output] is the undropped output."""
    return ag.layered([2, 3, 1], activation="tanh", output_activation="identity", seed=4)


def masked_pass(net, Xb, drop):
    engine = net.compile()
    step = TrainingStep(engine, "squared_error", np.float64, net.weights)
    sc = engine.schedule
    A = np.empty((len(sc.order), Xb.shape[0]))
    Z = np.empty_like(A)
    Z[len(sc.inputs) : sc.n_sources] = 1
    engine.forward_into(step.prepared, Xb, A, Z, drop)
    return Z[sc.output_rows].T


def test_dropouts_expectation_over_every_mask_is_the_undropped_pass():
    net = small_net()
    hidden, p = net.hidden, 0.3
    Xb = np.array([[0.4, -0.7], [1.2, 0.3]])
    plain = net.forward(Xb).output
    drop = DropoutMasks(net.compile().schedule, dict.fromkeys(hidden, p))
    mean = np.zeros_like(plain)
    for kept in itertools.product([0.0, 1.0], repeat=len(hidden)):
        chance = np.prod([1 - p if k else p for k in kept])
        drop.fix(dict(zip(hidden, kept, strict=True)), batch=2)
        mean += chance * masked_pass(net, Xb, drop)
    np.testing.assert_allclose(mean, plain, rtol=1e-13, atol=1e-15)
    # and the drawn masks: their mean over many examples (one draw for the whole batch)
    many = np.repeat(Xb[:1], 40_000, axis=0)
    sampled = masked_pass(net, many, drop.draw(np.random.default_rng(5), many.shape[0], np.float64))
    assert sampled.mean() == pytest.approx(plain[0, 0], abs=4 * sampled.std() / np.sqrt(many.shape[0]))
    share_dropped = (drop.scale(hidden[0]) == 0).mean()
    assert share_dropped == pytest.approx(p, abs=0.01)


def test_dropouts_gradient_is_the_finite_difference_of_its_masked_loss():
    net = small_net()
    Xb, Yb = np.array([[0.4, -0.7], [1.2, 0.3], [-0.5, 0.9]]), np.array([[0.2], [-0.4], [0.7]])
    rates = {net.inputs[0]: 0.5, **dict.fromkeys(net.hidden, 0.25)}  # an input drops too
    masks = {net.inputs[0]: [1, 0, 1], net.hidden[0]: [0, 1, 1], net.hidden[1]: [1, 1, 0], net.hidden[2]: [1, 0, 1]}
    engine = net.compile()
    drop = DropoutMasks(engine.schedule, rates).fix(masks, batch=3)

    def loss_and_gradient(w):
        return masked_loss_and_gradient(engine, w, Xb, Yb, drop)

    w = net.get_weights()
    _, dw = loss_and_gradient(w)
    h = 1e-6
    numeric = np.array([(loss_and_gradient(w + h * e)[0] - loss_and_gradient(w - h * e)[0]) / (2 * h)
                        for e in np.eye(len(w))])  # fmt: skip
    np.testing.assert_allclose(dw, numeric, rtol=1e-6, atol=1e-9)
    assert not np.allclose(dw, gradient(net, Xb, Yb))  # the masks changed it


def test_dropout_trains_reproducibly_and_is_off_in_evaluation():
    runs = []
    for _ in range(2):
        net = ag.running_example(seed=0)
        result = ag.train(
            net,
            X,
            Y,
            epochs=3,
            batch_size=4,
            dropout=0.5,
            learning_rate=0.1,
            seed=7,
            progress=False,
            restore_best="last",
        )
        runs.append(net.get_weights())
        assert result.history.loss[-1] == pytest.approx(ag.evaluate(net, X, Y).loss, rel=1e-12)
    assert np.array_equal(*runs)
    plain = ag.running_example(seed=0)
    ag.train(plain, X, Y, epochs=3, batch_size=4, learning_rate=0.1, seed=7, progress=False)
    assert not np.array_equal(plain.weights, runs[0])
    zero = ag.running_example(seed=0)
    ag.train(zero, X, Y, epochs=3, batch_size=4, dropout=0.0, learning_rate=0.1, seed=7, progress=False)
    assert np.array_equal(zero.weights, plain.weights)  # rate 0 is no dropout, the shuffles unchanged


# ------------------------------------------------------------------ frozen and tied
def test_frozen_edges_keep_their_weights_through_training_and_restarts():
    net = ag.running_example(seed=0)
    frozen = [(1, 3), (5, 6), (8, 9)]  # a weight, a bias weight, an output weight
    net.freeze(frozen)
    before = {e: net.get_weight(*e) for e in frozen}
    moving = [e for e in net.edges if e not in frozen]
    start = {e: net.get_weight(*e) for e in moving}
    result = ag.train(net, X, Y, epochs=5, restarts=3, optimizer="adam", learning_rate=0.05, weight_decay=0.1,
                      l1=0.01, dropout=0.2, clip_norm=1.0, batch_size=3, seed=0, progress=False)  # fmt: skip
    assert {e: net.get_weight(*e) for e in frozen} == before
    assert all(net.get_weight(*e) != start[e] for e in moving)
    for run in result.runs:  # every run's best weights too
        positions = [net.edges.index(e) for e in frozen]
        assert run.best_weights[positions].tolist() == list(before.values())


def test_tied_edges_stay_equal_and_move_by_the_sum_of_their_gradients():
    net = ag.running_example(seed=0)
    group = [(6, 9), (7, 9)]
    net.tie([group])
    w0, g = net.get_weights(), gradient(net)
    a, b = (net.edges.index(e) for e in group)
    one_full_batch_step(net, learning_rate=0.1)
    assert net.weights[a] == net.weights[b] == pytest.approx(w0[a] - 0.1 * (g[a] + g[b]), abs=1e-15)
    others = [k for k in range(len(w0)) if k not in (a, b)]
    np.testing.assert_allclose(net.weights[others], (w0 - 0.1 * g)[others], rtol=0, atol=1e-15)
    ag.train(net, X, Y, epochs=6, restarts=2, optimizer="rmsprop", batch_size=2, weight_decay=0.01, seed=0,
             progress=False)  # fmt: skip
    assert net.get_weight(*group[0]) == net.get_weight(*group[1])


def test_a_weight_agnostic_network_trains_one_shared_weight():
    net = ag.running_example(seed=0)
    net.tie([[e for e in net.edges if e[0] not in set(net.biases)]])
    ag.train(net, X, Y, epochs=3, optimizer="momentum", learning_rate=0.05, seed=0, progress=False)
    shared = {net.get_weight(*e) for e in net.edges if e[0] not in set(net.biases)}
    assert len(shared) == 1


def test_tied_weights_set_apart_are_an_error_before_training():
    net = ag.running_example(seed=0)
    net.tie([[(6, 9), (7, 9)]])
    net.set_weight(6, 9, 5.0)
    before = net.get_weights()
    with pytest.raises(ag.ConstraintError, match=r"tied edges \(6, 9\) and \(7, 9\) have different weights"):
        ag.train(net, X, Y, epochs=1, progress=False)
    assert np.array_equal(net.weights, before)


# ------------------------------------------------------------------ settings checked first
@pytest.mark.parametrize(
    "settings, message",
    [
        ({"weight_decay": -0.1}, "weight_decay must be"),
        ({"l1": "a lot"}, "l1 must be"),
        ({"dropout": 1.0}, r"dropout must be a finite number in \[0, 1\)"),
        ({"dropout": "half"}, "dropout must be a rate in"),
        ({"dropout": {9: 0.5}}, "dropout: 9 is an output neuron"),
        ({"dropout": {5: 0.5}}, "dropout: 5 is a bias neuron"),
        ({"dropout": {"nope": 0.5}}, "dropout: 'nope' is no neuron"),
        ({"dropout": {3: -0.5}}, "dropout rate of neuron 3 must be"),
        ({"clip_norm": 0}, "clip_norm must be"),
        ({"regularize_biases": "yes"}, "regularize_biases must be True or False"),
    ],
)
def test_bad_settings_fail_before_any_weight_changes(settings, message):
    net = ag.running_example(seed=0)
    before = net.get_weights()
    with pytest.raises(ag.RegularizationError, match=message):
        ag.train(net, X, Y, epochs=2, restarts=2, progress=False, **settings)
    assert np.array_equal(net.weights, before)


def test_train_many_says_what_it_does_not_take():
    nets = [ag.running_example(seed=0), ag.running_example(seed=1)]
    with pytest.raises(ag.TrainingError, match="train_many does not take weight_decay, dropout"):
        ag.train_many(nets, X, Y, epochs=1, weight_decay=0.1, dropout=0.2, progress=False)
    nets[1].freeze((1, 3))
    with pytest.raises(ag.ConstraintError, match="network 1 has frozen or tied edges"):
        ag.train_many(nets, X, Y, epochs=1, progress=False)


def test_the_cli_trains_with_weight_decay_and_dropout(tmp_path, capsys):
    from autograd_graph.cli import main

    net = ag.layered([2, 4, 1], activation="tanh", seed=0)
    saved = ag.save(net, tmp_path / "net.json")
    rng = np.random.default_rng(0)
    Xc = rng.normal(size=(30, 2))
    yc = Xc[:, 0] - Xc[:, 1]
    data = tmp_path / "data.csv"
    rows = [f"{float(a)!r},{float(b)!r},{float(y)!r}" for (a, b), y in zip(Xc, yc, strict=True)]
    data.write_text("a,b,y\n" + "\n".join(rows) + "\n")
    argv = ["train", str(saved), "--data", str(data), "--target", "y", "--epochs", "4", "--batch-size", "5",
            "--weight-decay", "0.01", "--dropout", "0.25", "--clip-norm", "2", "-q"]  # fmt: skip
    assert main(argv) == 0, capsys.readouterr().err
    trained = ag.load(tmp_path / "net.trained.json")
    alone = ag.layered([2, 4, 1], activation="tanh", seed=0)
    schedule = ag.cli.options.step_size(None, None, ag.cli.options.TRAIN_STEP_SIZE)  # the CLI's default for sgd
    ag.train(alone, Xc, yc, epochs=4, batch_size=5, weight_decay=0.01, dropout=0.25, clip_norm=2.0, seed=0,
             learning_rate=schedule, progress=False)  # fmt: skip
    np.testing.assert_allclose(trained.weights, alone.weights, rtol=0, atol=1e-14)
    assert main([*argv[:-3], "--dropout", "1.5"]) != 0
    assert "--dropout: expected a number in [0, 1)" in capsys.readouterr().err


def test_dropouts_gradient_on_a_sparse_dag_by_directional_differences():
    # sparse kernels (their ∂L/∂w computed after the sweep, from Z again) and skip connections
    net = ag.random_dag(80, "gnp", p=0.04, n_inputs=2, n_outputs=1, activation="tanh", seed=0)
    engine = net.compile()
    assert any(st.block is not None and st.block.kind == "sparse" for st in engine.schedule.stages)
    rng = np.random.default_rng(6)
    Xb, Yb = rng.normal(size=(5, 2)), rng.normal(size=(5, 1))
    drop = DropoutMasks(engine.schedule, dict.fromkeys(net.hidden, 0.4)).draw(rng, 5, np.float64)

    def loss_and_gradient(w):
        return masked_loss_and_gradient(engine, w, Xb, Yb, drop)

    w = net.get_weights()
    _, dw = loss_and_gradient(w)
    h = 1e-6
    for _ in range(3):
        v = rng.normal(size=len(w))
        numeric = (loss_and_gradient(w + h * v)[0] - loss_and_gradient(w - h * v)[0]) / (2 * h)
        assert dw @ v == pytest.approx(numeric, rel=1e-6, abs=1e-9)


def test_the_estimators_take_weight_decay_and_dropout():
    pytest.importorskip("sklearn", reason="the estimators need scikit-learn")
    rng = np.random.default_rng(7)
    Xr = rng.normal(size=(40, 3))
    yr = Xr @ np.array([1.0, -2.0, 0.5])
    norms = {}
    for decay in (0.0, 0.5):
        model = ag.NetworkRegressor(hidden=(8,), epochs=20, weight_decay=decay, dropout=0.1, clip_norm=5.0,
                                    learning_rate=0.01, random_state=0).fit(Xr, yr)  # fmt: skip
        net = model.network_
        norms[decay] = np.linalg.norm(net.weights[bias_mask(net)])
        assert model.get_params()["weight_decay"] == decay
    assert norms[0.5] < norms[0.0]
