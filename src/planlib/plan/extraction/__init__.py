"""Plan extraction: a 工作要点 text to a draft plan, with warnings.

``extract`` is the driver (:func:`extract_plan`, the public entry point); its parts are split by
topic so each can be read in one sitting: ``text`` (encodings, page furniture), ``structure``
(outline, responsibility clauses), ``targets`` (quantitative targets in the prose) and
``framework`` (the "12881"-style framework line).
"""
