"""Showing a network: equations with numbers, explanations, pictures, summaries.

- :mod:`.equations`: the SPEC's equations of one neuron or weight, numbers filled in;
- :mod:`.explain`: ``ag.explain``, the chain rule of one neuron or weight;
- :mod:`.render`: ``net.to_graphviz``, ``ag.side_by_side``, ``ag.render``;
- :mod:`.summary`: ``ag.summary``, counts, depth, widths, fan-in and fan-out.

The public functions are ``autograd_graph``'s own; this package imports nothing
itself (the network draws itself through :mod:`.render`).
"""
