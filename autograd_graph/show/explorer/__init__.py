"""The explorer: a self-contained page to step through a network's passes and its training in the browser.

- :mod:`.payload`: what the page holds (network, data, loss, record), checked and encoded exactly;
- :mod:`.positions`: where it draws each neuron and edge (the full view by ``dot``, or the compact view);
- :mod:`.page`: the HTML document and :class:`Explorer`;
- :mod:`.explore`: :func:`explore`, the public entry point;
- ``engine.js`` (the reference engine's formulas), ``format.js`` (numbers and equations as
  :mod:`~autograd_graph.show.equations` writes them), ``page.js`` (the page and ``window.agExplorer``),
  ``explorer.css``: package data, inlined into every page.
"""
