"""Plausibility across a set of returns: order of magnitude against the unit's own earlier
returns and against the other counties, stale returns, and the school list against the registry.

Every case is a real workbook of a sample city, damaged the way clerks damage them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

import planlib
from planlib import validate

NEW_RULES = {"flow_jump", "year_on_year", "peer_ratio", "stale", "school_coverage"}


@pytest.fixture(scope="module")
def six(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six counties (enough for a median of peers), twenty schools each."""
    out = tmp_path_factory.mktemp("six") / "city"
    planlib.make_sample(out, seed=5, counties=6, schools_per_county=20)
    return out


@pytest.fixture()
def data(six: Path, tmp_path: Path) -> Path:
    out = tmp_path / "data"
    shutil.copytree(six, out)
    return out


def county_sheet(data: Path, period: str, code: str = "990102") -> Path:
    return data / "returns" / period / f"{code}.xlsx"


def cell(path: Path, header: str, sheet: str = "县级汇总", row: int = 4) -> tuple[str, object]:
    ws = load_workbook(path)[sheet]
    for c in ws[3]:
        if str(c.value).split("（")[0] == header:
            return f"{c.column_letter}{row}", ws[f"{c.column_letter}{row}"].value
    raise KeyError(header)


def edit(path: Path, changes: dict[str, object], sheet: str = "县级汇总") -> None:
    wb = load_workbook(path)
    for ref, value in changes.items():
        wb[sheet][ref] = value
    wb.save(path)


def times_ten(path: Path, header: str) -> tuple[object, float]:
    ref, value = cell(path, header)
    assert isinstance(value, int | float)
    edit(path, {ref: value * 10})
    return value, value * 10


def test_the_clean_sample_gives_none_of_the_new_warnings(six):
    p = validate(six).problems
    assert not (set(p["rule"]) & (NEW_RULES | {"jump", "cumulative_falls"}))
    assert set(p["severity"]) <= {"warning"}


def test_a_budget_in_qianyuan_under_a_wanyuan_header(data):
    """Q3's 一般公共预算教育投入 typed in 千元: ten times the figure, a warning saying so."""
    path = county_sheet(data, "2022Q3")
    _, after = times_ten(path, "一般公共预算教育投入")
    result = validate(data)
    p = result.problems
    # a warning: Q3 is not blocked; Q4's running total now falls below Q3's, an error there
    errors = p[p["severity"] == "error"]
    assert set(errors["rule"]) <= {"cumulative_falls"} and set(errors["period"]) <= {"2022Q4"}
    jump = p[p["rule"] == "flow_jump"]
    assert len(jump) == 1
    hit = jump.iloc[0]
    assert hit["severity"] == "warning" and hit["row"] == 4
    assert hit["column"] == "一般公共预算教育投入（万元）" and path.name in hit["file"]
    assert "本季度新增" in hit["message"] and "倍" in hit["message"]
    peer = p[(p["rule"] == "peer_ratio") & (p["org_code"] == "990102")]
    assert len(peer) == 1 and "生均一般公共预算教育投入" in peer.iloc[0]["message"]
    assert "各县中位数" in peer.iloc[0]["message"] and peer.iloc[0]["row"] == 4
    ratio = float(peer.iloc[0]["message"].split("的 ")[1].split(" 倍")[0])
    assert 7 < ratio < 13
    # the value itself is kept as sent (a warning never changes a number)
    v = result.values
    kept = v[
        (v["org_code"] == "990102") & (v["period"] == "2022Q3") & (v["element"] == "edu_budget")
    ]
    assert kept["value"].tolist() == [pytest.approx(after)]


def test_a_first_quarter_budget_ten_times_too_big_is_caught_by_the_peers(data):
    path = county_sheet(data, "2022Q1")
    times_ten(path, "一般公共预算教育投入")
    p = validate(data).problems
    mine = p[p["org_code"] == "990102"]
    assert "peer_ratio" in set(mine["rule"])
    # Q2 now looks like a fall from Q1: the running-total check says so as well
    assert "cumulative_falls" in set(mine["rule"])


def test_a_small_count_ten_times_too_big(data):
    """适龄残疾儿童少年数 ten times too big: 安置率 93% → 9%, caught two ways."""
    path = county_sheet(data, "2022Q2")
    before, after = times_ten(path, "适龄残疾儿童少年数")
    assert isinstance(before, int) and before < 500  # below the base of the 30% jump check
    p = validate(data).problems
    mine = p[(p["org_code"] == "990102") & (p["period"] == "2022Q2")]
    jump = mine[(mine["rule"] == "jump") & (mine["column"] == "适龄残疾儿童少年数")]
    assert len(jump) == 1 and "上季度" in jump.iloc[0]["message"]
    assert "增长" in jump.iloc[0]["message"] and "倍" in jump.iloc[0]["message"]
    assert jump.iloc[0]["value"] == str(after)
    peer = mine[mine["rule"] == "peer_ratio"]
    assert any("安置率" in m and "1/" in m for m in peer["message"])
    # and Q3, back to the right order, is ten times smaller than Q2
    q3 = p[(p["org_code"] == "990102") & (p["period"] == "2022Q3") & (p["rule"] == "jump")]
    assert any("减少到 1/" in m for m in q3["message"])


def test_a_tenfold_count_in_a_csv_return(data):
    """The same rule reads CSV returns (990105 sends CSV in GBK)."""
    path = data / "returns" / "2022Q2" / "990105_县级.csv"
    frame = pd.read_csv(path, encoding="gb18030", header=2, dtype=str)
    col = "该年级转入学生数"
    frame.loc[0, col] = str(int(frame.loc[0, col]) * 10)
    lines = path.read_text(encoding="gb18030").splitlines()[:2]
    path.write_text("\n".join(lines) + "\n" + frame.to_csv(index=False), encoding="gb18030")
    p = validate(data).problems
    hit = p[(p["rule"] == "jump") & (p["org_code"] == "990105") & (p["column"] == col)]
    assert len(hit) >= 1 and path.name in hit.iloc[0]["file"] and hit.iloc[0]["row"] == 4


def test_against_the_same_quarter_a_year_before(data):
    """A 2021Q1 return beside 2022Q1: a Q1 running total has no earlier quarter of its year,
    so it is compared with the same quarter a year before."""
    src = county_sheet(data, "2022Q1")
    folder = data / "returns" / "2021Q1"
    folder.mkdir(exist_ok=True)  # the sample carries last year's returns: this one is replaced
    old = folder / src.name
    shutil.copy(src, old)
    ref, budget = cell(old, "一般公共预算教育投入")
    assert isinstance(budget, int | float)
    wb = load_workbook(old)
    for ws in wb:
        ws["A1"] = str(ws["A1"].value).replace("2022", "2021")
    wb["县级汇总"]["C4"] = "2021Q1"
    wb["县级汇总"][ref] = round(budget / 8, 1)
    wb.save(old)
    p = validate(data).problems
    hit = p[(p["rule"] == "year_on_year") & (p["period"] == "2022Q1")]
    assert len(hit) == 1 and hit.iloc[0]["column"].startswith("一般公共预算教育投入")
    assert "上年同期（2021Q1" in hit.iloc[0]["message"] and "倍" in hit.iloc[0]["message"]


def test_last_quarters_workbook_sent_again(data):
    """Q2's workbook copied into Q3 with only the title and 报告期 changed."""
    q2, q3 = county_sheet(data, "2022Q2"), county_sheet(data, "2022Q3")
    shutil.copy(q2, q3)
    wb = load_workbook(q3)
    for ws in wb:
        ws["A1"] = str(ws["A1"].value).replace("第二季度", "第三季度")
    wb["县级汇总"]["C4"] = "2022Q3"
    wb.save(q3)
    p = validate(data).problems
    stale = p[p["rule"] == "stale"]
    assert len(stale) == 1
    hit = stale.iloc[0]
    assert hit["org_code"] == "990102" and hit["period"] == "2022Q3"
    assert hit["severity"] == "warning" and hit["row"] == 4
    assert "2022Q3" in hit["file"] and "2022Q2" in hit["message"] and q2.name in hit["message"]
    assert "完全相同" in hit["message"]


def test_a_school_list_that_lacks_registry_schools(data):
    path = county_sheet(data, "2022Q2")
    wb = load_workbook(path)
    ws = wb["学校明细"]
    stages = [ws.cell(r, 3).value for r in (4, 5, 6)]
    ws.delete_rows(4, 3)
    wb.save(path)
    result = validate(data)
    assert result.ok
    p = result.problems
    hit = p[p["rule"] == "school_coverage"]
    assert len(hit) == 1
    h = hit.iloc[0]
    assert h["org_code"] == "990102" and h["period"] == "2022Q2" and h["severity"] == "warning"
    assert path.name in h["file"] and "3 所学校" in h["message"]
    for stage in set(stages):
        assert f"{stage} {stages.count(stage)} 所" in h["message"]
    # the computation flags the same county: some schools did not send details
    ind = planlib.compute_indicators(result)
    mine = ind[(ind["org_code"] == "990102") & (ind["period"] == "2022Q2")]
    assert mine["flag"].str.contains("部分学校未报送明细").any()


def test_thresholds_come_from_the_dictionary(data, tmp_path):
    """A stricter peer factor in a copy of the dictionary warns where the bundled one does not."""
    import yaml

    from planlib.catalog.dictionary import load_dictionary
    from planlib.resources import data_dir

    raw = yaml.safe_load((data_dir() / "library" / "dictionary.yaml").read_text(encoding="utf-8"))
    raw["plausibility"]["peer_factor"] = 1.05
    strict = tmp_path / "dictionary.yaml"
    strict.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    d = load_dictionary(strict)
    assert d.plausibility.peer_factor == 1.05
    p = validate(data, dictionary=d).problems
    assert (p["rule"] == "peer_ratio").sum() > 0


def test_teachers_recruited_in_one_quarter_are_no_flow_jump(data):
    """Recruitment comes in Q3 (补充教师数 is ``seasonal``): a Q3 increment forty times Q2's is
    normal there, while the same shape in the budget is questioned."""
    for period, teachers in (("2022Q1", 10), ("2022Q2", 20), ("2022Q3", 420), ("2022Q4", 430)):
        path = county_sheet(data, period)
        edit(path, {cell(path, "补充教师数")[0]: teachers})
    p = validate(data).problems
    assert not len(p[(p["rule"] == "flow_jump") & p["column"].str.startswith("补充教师数")])
    assert planlib.load_dictionary()["teachers_recruited"].seasonal
    assert not planlib.load_dictionary()["edu_budget"].seasonal
