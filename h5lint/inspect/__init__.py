"""``h5lint inspect PATH``: what a model file holds, as a table for people or a JSON document.

The facts are the semantic layer's (:func:`h5lint.keras.summary.summarize`); this package reads the artifacts
(:mod:`.run`) and renders them (:mod:`.text`, :mod:`.json`, schema ``h5lint/schemas/inspect.schema.json``).
"""
