"""The monitoring stage: indicators computed from the returns, targets judged, tasks coloured.

``indicators`` (compute_indicators), ``allocations`` (county shares of city targets),
``assessment`` (assess, by_department), ``tasks`` (task colours from the ledger and targets),
``pipeline`` (monitor: the whole chain once, used by the CLI, reports and notebooks).
"""
