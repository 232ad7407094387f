"""gradcheck: backprop against central differences, on examples, MLPs and in chunks."""

from __future__ import annotations

import numpy as np
import pytest

import gradviz
from tests.helpers import (
    EDGE_GRAPHS,
    MLP_CONFIGS,
    graph_named,
)


def test_gradcheck_stack_of_scalar_and_vector():
    """gradcheck perturbs every element in one batched pass, so it needs batching to work."""
    g = gradviz.parse("a: input = 1\nv: input = [1, 2, 3]\nS = [a, v]\nL: loss = sum(S * S)")
    gc = gradviz.gradcheck(g)
    assert gc.ok, gc.max_error
    assert float(gc.analytic["a"]) == 6.0


@pytest.mark.parametrize("name", EDGE_GRAPHS)
def test_gradcheck_examples(name):
    gc = gradviz.gradcheck(graph_named(name))
    assert gc.ok, (name, gc.max_error)
    assert gc.analytic  # something took a gradient


@pytest.mark.parametrize("granularity", ["neuron", "layer"])
@pytest.mark.parametrize(("activation", "output", "loss"), MLP_CONFIGS)
def test_gradcheck_generated_mlp(activation, output, loss, granularity):
    g = gradviz.mlp([3, 4, 2], activation=activation, output=output, loss=loss,
                    granularity=granularity, seed=1)
    gc = gradviz.gradcheck(g)
    assert gc.ok, gc.max_error




def test_gradcheck_in_chunks_within_the_limit(monkeypatch):
    """A graph whose perturbations do not fit one pass under the limit is checked in
    several, with the same numbers."""
    g = gradviz.mlp([3, 4, 2], activation="tanh", output="sigmoid", loss="bce",
                    granularity="layer", seed=1)
    whole = gradviz.gradcheck(g)
    monkeypatch.setenv("GRADVIZ_MAX_ELEMENTS", "400")  # a few variants per pass
    chunked = gradviz.gradcheck(g)
    assert chunked.ok and chunked.max_error == whole.max_error
    for n in whole.numeric:
        np.testing.assert_array_equal(chunked.numeric[n], whole.numeric[n])
