"""Building networks: every function here returns an ordinary :class:`~autograd_graph.Network`.

- :mod:`.builders`: layered networks, skip connections, DenseNet-style, edge lists;
- :mod:`.random_dags`: randomly wired networks from networkx's random graphs;
- :mod:`.boolean`: step-neuron networks for boolean functions (McCulloch–Pitts, perceptrons);
- :mod:`.running_example`: the sources' 9-neuron network;
- :mod:`.matrix`: the matrix view ``A_2 … A_ℓ`` of a layered network, and back.
"""
