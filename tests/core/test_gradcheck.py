"""Evaluation: the reference answers of the seed problems, the chain rule edge by edge,"""

from __future__ import annotations

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


