"""Speed of autograd_graph against its peers, side by side in one process.

Run ``python -m benchmarks`` (or ``./dev bench``); ``--help`` lists the
options. What is measured and what was found is in ``benchmarks/README.md``.
"""
