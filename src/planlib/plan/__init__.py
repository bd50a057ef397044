"""The plan stage: the plan model, plan files, plan diffs, and extraction of a plan from its text.

``model`` (Plan, Task, Target …), ``files`` (load_plan, dump_plan), ``diff`` (diff_plans),
``extraction`` (extract_plan: a 工作要点 text to a draft plan). Imports only the catalog and the
foundation modules (errors, periods, resources, encodings).
"""
