"""Files and other libraries: networks in and out, never half written.

- :mod:`.serialization`: ``ag.save``/``ag.load``, validated JSON (never pickle), read field by field by :mod:`.reading`;
- :mod:`.graphml`: GraphML for Gephi and yEd;
- :mod:`.pytorch` (with :mod:`.torch_plan` and :mod:`.torch_module`): ``ag.to_torch``/``ag.from_torch``;
- :mod:`.onnx_export`: ``ag.to_onnx``, standard ONNX operators;
- :mod:`.neat` (with :mod:`.neat_activations`): ``ag.from_neat`` for neat-python genomes;
- :mod:`.ids`: the neuron ids files can hold;
- :mod:`.files`: atomic writes (a temporary file, then ``os.replace``).

The public functions are ``autograd_graph``'s own (``ag.save``, ...); this
package imports nothing itself, so its low-level modules (:mod:`.files`) serve
the pictures without pulling in the rest.
"""
