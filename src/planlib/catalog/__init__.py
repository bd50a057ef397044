"""The catalog: what can be measured. The data dictionary (elements of a return), indicator
definitions and settings, and the small formula language both are written in.

Data, not code: the definitions live in ``data/dictionary.yaml`` and ``data/indicators.yaml``.
Imports only the foundation modules.
"""
