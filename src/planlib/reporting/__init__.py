"""Monitoring reports: papermill runs the notebooks, nbconvert and WeasyPrint render them.

``runner.run_reports`` is the batch (``planlib report``); ``jobs.render_job`` renders one report;
``executors`` runs jobs in local processes or on Dask; ``content`` holds the report sections.
"""
