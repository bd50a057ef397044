"""``planlib catalog``: the library of standard indicators, each with the document it follows."""

from __future__ import annotations

import csv
import io

from cli_run import planlib_cli


def rows(*args: str) -> list[dict[str, str]]:
    r = planlib_cli("catalog", *args, "--format", "csv")
    assert r.returncode == 0, r.stderr
    return list(csv.DictReader(io.StringIO(r.stdout)))


def test_the_library_lists_every_indicator_with_its_source() -> None:
    library = rows()
    assert len(library) >= 80
    assert all(row["source"] and row["category"] for row in library)
    sources = {row["source"] for row in library}
    assert any("2020年版" in s for s in sources) and any("教督〔2017〕6号" in s for s in sources)


def test_search_by_words_aliases_and_a_slip_of_the_pen() -> None:
    assert {r["indicator"] for r in rows("search", "巩固率")} >= {"compulsory_retention_rate"}
    assert [r["indicator"] for r in rows("search", "毛入园律")] == [
        "preschool_gross_enrolment_rate"
    ]
    assert "inclusive_kindergarten_share" in {r["indicator"] for r in rows("search", "普惠率")}


def test_nothing_found_says_so() -> None:
    r = planlib_cli("catalog", "search", "火星基地")
    assert r.returncode == 1 and "没有与「火星基地」相关的指标" in r.stderr
