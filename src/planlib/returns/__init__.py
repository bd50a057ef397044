"""The returns stage: what counties send, read and checked.

``reading`` (workbooks and CSVs to the tidy values frame), ``cells`` (the cell schema),
``validation`` (checks across a whole set of returns), ``orgunits`` (the tree of units and
schools), ``ledger`` (reading the 台账), ``dataset`` (a data folder as one object), ``sample``
(the fictional sample city). Imports the plan, the catalog and the foundation modules.
"""
