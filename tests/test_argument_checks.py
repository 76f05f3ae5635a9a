"""The shared argument checks: one rule and one message, raised as the caller's error class."""

import math

import numpy as np
import pytest

import autograd_graph as ag
from autograd_graph._checks import fraction, real, seed, whole_number


@pytest.mark.parametrize("error", [ag.BuilderError, ag.TrainingError, ag.ComparisonError])
def test_each_check_raises_the_class_it_is_given(error):
    with pytest.raises(error, match="n must be a whole number ≥ 1, got 0"):
        whole_number("n", 0, error)
    with pytest.raises(error, match=r"p must be a finite number in \[0, 1\], got 2"):
        fraction("p", 2, error)
    with pytest.raises(error, match="x must be a finite number ≥ 0, got -1"):
        real("x", -1, error)
    with pytest.raises(error, match="seed must be an integer ≥ 0"):
        seed("seed", -1, error)


@pytest.mark.parametrize("value", [True, np.True_, 1.0, "3", None, -1])
def test_whole_numbers_are_integers_not_bools_floats_or_text(value):
    with pytest.raises(ag.TrainingError):
        whole_number("k", value, ag.TrainingError)


def test_accepted_values_come_back_as_plain_python_numbers():
    assert type(whole_number("k", np.int64(3), ag.BuilderError)) is int
    assert whole_number("k", None, ag.BuilderError, optional=True) is None
    assert type(fraction("p", np.float32(0.5), ag.BuilderError)) is float
    assert fraction("p", 0, ag.BuilderError) == 0.0 and fraction("p", 1, ag.BuilderError) == 1.0
    assert seed("seed", np.int64(7), ag.TrainingError) == 7
    generator = np.random.default_rng(0)
    assert seed("seed", generator, ag.TrainingError) is generator


@pytest.mark.parametrize(
    "value, options",
    [(0.0, {"low_open": True}), (1.0, {"high_open": True}), (math.nan, {}), (math.inf, {}), (True, {})],
)
def test_open_ends_nan_inf_and_bools_are_not_fractions(value, options):
    with pytest.raises(ag.BuilderError):
        fraction("p", value, ag.BuilderError, **options)


def test_the_callers_use_the_shared_messages():
    with pytest.raises(ag.BuilderError, match="the size of layer 2 must be a whole number ≥ 1, got 0"):
        ag.layered([2, 0, 1])
    with pytest.raises(ag.BuilderError, match="span must be a whole number ≥ 2, got 1"):
        ag.add_skip_connections(ag.layered([1, 2, 2, 1]), span=1)
    with pytest.raises(ag.BuilderError, match="n_inputs must be a whole number ≥ 1, got 0"):
        ag.random_dag(5, p=0.5, n_inputs=0)
    with pytest.raises(ag.TrainingError, match="min_delta must be a finite number ≥ 0, got -1"):
        ag.Trainer(min_delta=-1).fit(ag.running_example(), [[0.0]], [[0.0]])
    with pytest.raises(ag.ComparisonError, match=r"seeds\[0\] must be a whole number ≥ 0, got 1.5"):
        ag.compare({"a": ag.running_example()}, [[0.0]], [[0.0]], seeds=[1.5], epochs=1)
