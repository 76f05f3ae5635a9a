"""Showing a network: equations with numbers, explanations, pictures, summaries.

- :mod:`.equations`: the SPEC's equations of one neuron or weight, numbers filled in;
- :mod:`.explain`: ``ag.explain``, the chain rule of one neuron or weight;
- :mod:`.render`: ``net.to_graphviz``, ``ag.side_by_side``, ``ag.render``, in three views
  (:mod:`.views`: which view for which size, and the options of each):

  - :mod:`.full`: every neuron and edge with its numbers, laid out by ``dot``;
  - :mod:`.compact`: every neuron a dot at the library's positions (:mod:`.layout`);
  - :mod:`.overview`: one node per layer or group of generations;

- :mod:`.scene`: a picture with the library's positions as plain data, turned into DOT
  by :mod:`.picture` (``Picture``, the ``graphviz.Digraph`` every view returns) and into
  SVG without Graphviz by :mod:`.svg`; :mod:`.writing` runs Graphviz under a time limit;
- :mod:`.neighborhood`: ``ag.neighborhood``, one neuron and what is near it;
- :mod:`.matrices`: ``ag.plot_weights``, the weight matrix and histograms (matplotlib);
- :mod:`.summary`: ``ag.summary``, counts, depth, widths, fan-in and fan-out.

The public functions are ``autograd_graph``'s own; this package imports nothing
itself (the network draws itself through :mod:`.render`).
"""
