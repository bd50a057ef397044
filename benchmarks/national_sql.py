"""The 16 indicators written directly in DuckDB SQL: the yardstick for ``compute_indicators``.

Reads the same files as ``planlib.load_dataset`` on a Parquet data folder (``org_units.csv``,
``schools.parquet``, ``values.parquet``) and returns one row per (org unit, period, indicator)
with numerator, denominator and value, under the default settings (常住人口, 15–17岁, 巩固率
base 入学人数, no cap). Roll-up is the ratio of sums: every term is summed over the counties (or
cities) below a unit, and a sum is NULL when any unit below lacks that term.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

# Unit-level elements reported by each county (one value per county and period).
COUNTY_ELEMENTS = [
    "kg_enrol_total", "pop_3_5", "kg_enrol_public", "kg_enrol_inclusive_private",
    "school_age_enrolled", "school_age_children", "junior_grad_cohort", "grade1_entry_cohort",
    "compulsory_enrol_private", "compulsory_enrol_total", "disabled_placed", "disabled_school_age",
    "hs_enrol_general", "hs_enrol_vocational", "pop_15_17", "edu_budget", "teacher_posts_new",
    "teachers_recruited",
]  # fmt: skip
# School-level terms: (name, school element, registry filter).
SCHOOL_TERMS = [
    ("std", "std_compliant", "s.stage IN ('小学', '初中', '九年一贯制')"),
    ("voc", "voc_std_compliant", "s.stage = '中职' AND s.ownership = '公办'"),
    ("model", "provincial_model", "s.stage = '普通高中'"),
    ("smart", "smart_campus_built", "TRUE"),
]
# (indicator, numerator, denominator or NULL, factor): the definitions of data/indicators.yaml.
COUNTY_INDICATORS = [
    ("preschool_gross_enrolment_rate", "kg_enrol_total", "pop_3_5", 100),
    ("inclusive_kindergarten_share", "kg_enrol_public + kg_enrol_inclusive_private", "kg_enrol_total", 100),
    ("public_kindergarten_share", "kg_enrol_public", "kg_enrol_total", 100),
    ("compulsory_enrolment_rate", "school_age_enrolled", "school_age_children", 100),
    ("compulsory_retention_rate", "junior_grad_cohort", "grade1_entry_cohort", 100),
    ("standardized_school_coverage", "std_sum", "std_n_registry", 100),
    ("private_compulsory_share", "compulsory_enrol_private", "compulsory_enrol_total", 100),
    ("disabled_placement_rate", "disabled_placed", "disabled_school_age", 100),
    ("high_school_gross_enrolment_rate", "hs_enrol_general + hs_enrol_vocational", "pop_15_17", 100),
    ("public_vocational_standardization_rate", "voc_sum", "voc_n_registry", 100),
    ("provincial_model_high_schools", "model_sum", "NULL", 1),
    ("new_smart_campuses", "smart_sum", "NULL", 1),
    ("education_budget", "edu_budget", "NULL", 0.0001),
    ("new_teacher_posts", "teacher_posts_new", "NULL", 1),
    ("teachers_recruited", "teachers_recruited", "NULL", 1),
]  # fmt: skip
CITY_INDICATORS = [("city_key_majors", "city_key_majors", "NULL", 1)]

COUNTY_TYPES = "('县', '县级市', '区')"


def _terms() -> list[str]:
    school = [f"{n}_sum" for n, _, _ in SCHOOL_TERMS] + [
        f"{n}_n_registry" for n, _, _ in SCHOOL_TERMS
    ]
    return COUNTY_ELEMENTS + school


def _rollup(base: str, terms: list[str]) -> str:
    """Base rows plus one row per ancestor: each term summed, NULL if any unit below lacks it."""
    summed = ",\n  ".join(
        f"CASE WHEN count(b.{t}) = count(*) THEN sum(b.{t}) END AS {t}" for t in terms
    )
    cols = ", ".join(terms)
    return f"""
SELECT org_code, period, {cols} FROM {base}
UNION ALL
SELECT a.ancestor_code AS org_code, b.period,
  {summed}
FROM {base} b JOIN ancestry a ON a.code = b.org_code
GROUP BY a.ancestor_code, b.period"""


def _indicators(source: str, items: list[tuple[str, str, str, float]]) -> str:
    parts = [
        f"SELECT org_code, period, '{code}' AS indicator, CAST({num} AS DOUBLE) AS numerator, "
        f"CAST({den} AS DOUBLE) AS denominator, {factor} AS factor FROM {source}"
        for code, num, den, factor in items
    ]
    return "\nUNION ALL\n".join(parts)


def indicator_sql(folder: str | Path) -> str:
    """The whole computation as one SQL statement over the files in ``folder``."""
    root = Path(folder).as_posix()
    pivot = ",\n    ".join(
        f"max(v.value) FILTER (WHERE v.element = '{e}') AS {e}" for e in COUNTY_ELEMENTS
    )
    school_sums = ",\n    ".join(
        f"sum(v.value) FILTER (WHERE v.element = '{el}' AND {flt}) AS {n}_sum,\n    "
        f"count(v.value) FILTER (WHERE v.element = '{el}' AND {flt}) AS {n}_n_reported"
        for n, el, flt in SCHOOL_TERMS
    )
    registry = ",\n    ".join(
        f"count(*) FILTER (WHERE {flt}) AS {n}_n_registry" for n, _, flt in SCHOOL_TERMS
    )
    # No matching school in the registry: the sum is 0; matching schools but none reported: NULL.
    school_cols = ",\n  ".join(
        f"CASE WHEN coalesce(ss.{n}_n_reported, 0) > 0 OR coalesce(r.{n}_n_registry, 0) = 0 "
        f"THEN coalesce(ss.{n}_sum, 0) END AS {n}_sum,\n  "
        f"CAST(coalesce(r.{n}_n_registry, 0) AS DOUBLE) AS {n}_n_registry"
        for n, _, _ in SCHOOL_TERMS
    )
    county_cols = ", ".join(f"cv.{e}" for e in COUNTY_ELEMENTS)
    terms = _terms()
    return f"""
WITH RECURSIVE
units AS (
  SELECT code, type, nullif(parent_code, '') AS parent_code
  FROM read_csv('{root}/org_units.csv', all_varchar = true, header = true)
),
ancestry(code, ancestor_code) AS (
  SELECT code, parent_code FROM units WHERE parent_code IS NOT NULL
  UNION ALL
  SELECT a.code, u.parent_code FROM ancestry a JOIN units u ON u.code = a.ancestor_code
  WHERE u.parent_code IS NOT NULL
),
vals AS (
  SELECT org_code, period, element, value FROM read_parquet('{root}/values.parquet')
  WHERE value IS NOT NULL AND NOT isnan(value)
),
schools AS (SELECT code, county_code, stage, ownership FROM read_parquet('{root}/schools.parquet')),
periods AS (SELECT DISTINCT period FROM vals),
counties AS (SELECT code FROM units WHERE type IN {COUNTY_TYPES}),
cities AS (SELECT code FROM units WHERE type = '市'),
county_vals AS (
  SELECT v.org_code, v.period,
    {pivot}
  FROM vals v SEMI JOIN counties c ON c.code = v.org_code
  GROUP BY v.org_code, v.period
),
school_sums AS (
  SELECT s.county_code AS org_code, v.period,
    {school_sums}
  FROM vals v JOIN schools s ON s.code = v.org_code
  GROUP BY s.county_code, v.period
),
registry AS (
  SELECT s.county_code AS org_code,
    {registry}
  FROM schools s GROUP BY s.county_code
),
county_base AS (
  SELECT c.code AS org_code, p.period, {county_cols},
  {school_cols}
  FROM counties c CROSS JOIN periods p
  LEFT JOIN county_vals cv ON cv.org_code = c.code AND cv.period = p.period
  LEFT JOIN school_sums ss ON ss.org_code = c.code AND ss.period = p.period
  LEFT JOIN registry r ON r.org_code = c.code
),
city_base AS (
  SELECT c.code AS org_code, p.period,
    max(v.value) FILTER (WHERE v.element = 'city_key_majors') AS city_key_majors
  FROM cities c CROSS JOIN periods p
  LEFT JOIN vals v ON v.org_code = c.code AND v.period = p.period
  GROUP BY c.code, p.period
),
county_all AS ({_rollup("county_base", terms)}
),
city_all AS ({_rollup("city_base", ["city_key_majors"])}
),
long AS (
{_indicators("county_all", COUNTY_INDICATORS)}
UNION ALL
{_indicators("city_all", CITY_INDICATORS)}
)
SELECT org_code, period, indicator, numerator, denominator,
  CASE
    WHEN denominator IS NULL THEN factor * numerator
    WHEN denominator > 0 THEN factor * numerator / denominator
  END AS value
FROM long
"""


def compute_with_duckdb(folder: str | Path, threads: int | None = None) -> pd.DataFrame:
    """Run :func:`indicator_sql` in a fresh in-memory DuckDB; one row per unit, period, indicator."""
    with duckdb.connect() as con:
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        return con.execute(indicator_sql(folder)).df()
