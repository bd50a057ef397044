"""The 通报 document settings a bureau writes in its workspace's planlib.toml ``[report]``."""

from __future__ import annotations

from pathlib import Path

import pytest

from planlib.errors import PlanlibError
from planlib.reporting.bulletin import county_kinds, default_bureau, quarter_end, report_settings

CONFIG = '[plan]\ntitle = "县教育局2023年工作要点"\nyear = 2023\nissuer = "县教育局"\n'


def _workspace(tmp_path: Path, report: str) -> Path:
    (tmp_path / "planlib.toml").write_text(CONFIG + report, encoding="utf-8")
    return tmp_path


def test_settings_from_the_report_table_and_their_defaults(tmp_path: Path) -> None:
    ws = _workspace(
        tmp_path,
        '[report]\nnumber_prefix = "松教督"\ncc = "县人民政府、县督导室"\n'
        "[report.supervision]\nescalate_after = [2, 3]\n",
    )
    s = report_settings(ws, "县教育局", "松林县")
    assert s["bureau"] == "松林县教育局" and s["signature"] == "松林县教育局"
    assert s["number_prefix"] == "松教督" and s["cc"] == ["县人民政府", "县督导室"]
    assert report_settings(tmp_path / "nowhere", "", "松林县")["bureau"] == "松林县教育局"


def test_an_unknown_or_malformed_item_is_named(tmp_path: Path) -> None:
    with pytest.raises(PlanlibError, match="未知的项：bureu"):
        report_settings(_workspace(tmp_path, '[report]\nbureu = "x"\n'), "", "松林县")
    with pytest.raises(PlanlibError, match="cc 应为文字或文字的列表"):
        report_settings(_workspace(tmp_path, "[report]\ncc = 3\n"), "", "松林县")


def test_names_dates_and_addressees() -> None:
    assert default_bureau("区教育局", "河东区") == "河东区教育局"
    assert default_bureau("河东区教育体育局", "河东区") == "河东区教育体育局"
    assert quarter_end("2023Q1") == "2023年3月31日" and quarter_end("2024Q4") == "2024年12月31日"
    import pandas as pd

    units = pd.DataFrame(
        {"code": ["1", "2", "3"], "type": ["市", "县", "县级市"], "parent_code": [None, "1", "1"]}
    )
    assert county_kinds(units, "1") == "各县（市）"
