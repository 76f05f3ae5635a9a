"""The peers the engine is measured against, one module per library.

Every peer is built from a :class:`autograd_graph.Network` (its neurons,
edges and weights, read through the public API, never its compiled plan) and
computes the same loss and the same ∂L/∂w; :mod:`benchmarks.harness` checks
that before timing anything.
"""
