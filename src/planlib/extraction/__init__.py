"""The pieces of plan extraction: reading and cleaning text, finding structure, reading targets.

The public entry point is :func:`planlib.extract_plan` in ``planlib.extract``; these modules are
split by topic so each can be read in one sitting.
"""
