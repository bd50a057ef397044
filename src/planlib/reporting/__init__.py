"""Monitoring reports: papermill runs the notebooks, nbconvert and WeasyPrint render them.

``runner.run_reports`` is the batch (``planlib report``); ``jobs.render_job`` renders one report;
``executors`` runs jobs in local processes or on Dask; ``context`` is a batch's data, computed
once. The report notebooks import ``content``, a facade over the sections: ``html`` (the HTML
kit), ``sections`` (what every report kind uses), ``county``, ``overview`` and ``department``.
"""
