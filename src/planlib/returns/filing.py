"""Which quarter a return is filed under: its folder, its file name and its title agree.

A return sits in a quarter's folder (returns/2022Q4/), its name may say a quarter
(990102_2022Q4.xlsx, 990102_四季度.xlsx) and so may its title rows (城关区教育统计季报（2022年
第四季度）) and its 报告期 column. They are read with the one period parser
(:mod:`planlib.periods`: 2022Q4, 2022-Q4, 2022年第四季度, 2022年4季度, and 四季度 with the
year of the folder or the name) and held to each other: a disagreement is an error naming
all three, and the table (or the rows) is not read — never filed under another quarter.

Which files are returns at all is said here too (:func:`list_return_files`): only regular
files inside the folder are read; a symbolic link (to a file or a folder), a device or pipe,
and a name holding a line break or a bidi control are refused by name, escaped
(:func:`shown_name`).
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from ..errors import Problem
from ..periods import Period, find_period, find_year
from .cells import cell_problem
from .layout import row_ranges, text

_text = text


@dataclass(frozen=True)
class FilePeriods:
    """The quarter a return's folder and its file name say (None where they say none), and the
    year either gives (for a 四季度 written without one)."""

    folder: str = ""
    folder_period: Period | None = None
    name: str = ""
    name_period: Period | None = None
    year: int | None = None

    @classmethod
    def of(cls, name: str) -> FilePeriods:
        """What the path ``name`` (relative to the data folder) says. A date in the file name
        is a period only when it ends a quarter (2022.12.31, 2022年12月); any other date is
        when the file was sent (…四季度报表2023.1.8.xlsx) and says nothing of its quarter."""
        path = PurePath(name)
        parts = [period_text(p) for p in path.parent.parts if p not in ("", ".", "/")]
        stem = _DATE.sub(_quarter_end_or_blank, path.stem)
        stem = period_text(stem)
        year = find_year(stem) or next((y for y in map(find_year, reversed(parts)) if y), None)
        folder_period = next(
            (p for p in (find_period(part, year) for part in reversed(parts)) if p), None
        )
        folder = "/".join(parts[-2:])
        return cls(folder, folder_period, path.name, find_period(stem, year), year)

    @property
    def key(self) -> str:
        """What the reading of a file takes from its path (part of its cache key): a period
        disagreement names the folder and the file as written."""
        return f"{self.folder}|{self.name}|{self.folder_period}|{self.name_period}|{self.year}"


def agreed_period(
    where: str, title_rows: list[list[Any]], periods: FilePeriods
) -> tuple[Period | None, Problem | None]:
    """The quarter the folder, the file name and the title rows agree on (None if none says
    one), or an error naming all three when they disagree: a return is never re-filed under
    a quarter other than the one its folder or its name says."""
    title, title_row, title_period = find_title_period(title_rows, periods.year)
    said = {p for p in (periods.folder_period, periods.name_period, title_period) if p}
    if len(said) <= 1:
        return next(iter(said), None), None
    message = (
        f"报告期不一致：{_sources(periods, title, title_period)}；请核对报告期"
        "（文件放在哪个季度的文件夹、文件名、表头标题或报告期列）后重新报送，本表未计入"
    )
    return None, cell_problem(where, title_row, None, None, message, rule="period_mismatch")


_DATE = re.compile(
    r"(?<!\d)(20\d\d)\s*[.\-/_年]\s*(\d{1,2})\s*[.\-/_月]\s*(\d{1,2})(?!\s*月)\s*日?(?!\d)"
    r"|(?<!\d)(20\d\d)(\d\d)(\d\d)(?!\d)"
)
_MONTHS = re.compile(
    r"(?:(20\d\d)\s*年\s*)?(0?1|一|0?4|0?7|10)\s*月?\s*(?:份)?\s*[-—–~～至到]+\s*(\d{1,2})\s*月(?:份)?"
)
_SENT = re.compile(r"(?:报出|填报|填表|报送|制表|打印|上报)(?:日期|时间)[:：]?.*")


def _quarter_end_or_blank(m: re.Match[str]) -> str:
    year, month, day = (int(x) for x in (m.group(1, 2, 3) if m[1] else m.group(4, 5, 6)))
    ends = {3: 31, 6: 30, 9: 30, 12: 31}
    if ends.get(month) == day:
        return f" {year}年第{month // 3}季度 "
    return " "


def period_text(text: str) -> str:
    """A period written as months from January (2022年1-12月, 1—9月) or as the quarter's own
    months (2022年10-12月) as its quarter
    (2022年第四季度), so that the one period parser reads it; other text unchanged."""
    if "月" not in text:
        return text

    def quarter(m: re.Match[str]) -> str:
        start, end = (1 if m[2] == "一" else int(m[2])), int(m[3])
        if end not in (3, 6, 9, 12) or start not in (1, end - 2):
            return m[0]  # from January (year to date) or the quarter's own three months
        return f"{m[1] + '年' if m[1] else ''}第{'一二三四'[end // 3 - 1]}季度"

    return _MONTHS.sub(quarter, text)


def find_title_period(
    rows: list[list[Any]], year: int | None
) -> tuple[str, int | None, Period | None]:
    """The first title row naming a quarter: its text, its Excel row and the quarter (a send
    date, 报出日期：2023年1月8日, is not a quarter)."""
    for i, r in enumerate(rows):
        line = " ".join(_text(c) for c in r if _text(c))
        p = find_period(period_text(_SENT.sub("", line)), year)
        if p is not None:
            return line, i + 1, p
    return "", None, None


def _sources(periods: FilePeriods, title: str, title_period: Period | None) -> str:
    """文件夹「…」为 2022Q4，文件名「…」未注明报告期，标题「…」为 2022Q3."""

    def said(p: Period | None) -> str:
        return f"为 {p}" if p is not None else "未注明报告期"

    shown = title if len(title) <= 40 else title[:39] + "…"
    return "，".join(
        (
            f"文件夹「{periods.folder or '（无）'}」{said(periods.folder_period)}",
            f"文件名「{periods.name}」{said(periods.name_period)}",
            f"标题「{shown}」{said(title_period)}" if title else "标题未注明报告期",
        )
    )


def wrong_period_problems(
    where: str,
    wrong: dict[str, list[int]],
    file_period: Period | None,
    periods: FilePeriods,
    title_rows: list[list[Any]],
) -> list[Problem]:
    """One error per 报告期 written in the column that is not the file's quarter."""
    out = []
    title, _, title_period = find_title_period(title_rows, periods.year)
    for said, rows in wrong.items():
        message = (
            f"报告期「{said}」与本表的报告期 {file_period} 不一致（{row_ranges(rows)}，共 "
            f"{len(rows)} 行，未计入）：{_sources(periods, title, title_period)}；请核对后重新报送"
        )
        out.append(cell_problem(where, rows[0], "报告期", said, message, rule="period_mismatch"))
    return out


# --- which files are read ----------------------------------------------------------------------

_ESCAPED = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})  # controls, bidi and other formats, breaks
_COUNTY_CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def shown_name(name: str) -> str:
    """A file name as messages show it: control, format (bidi) and line-separator characters
    escaped (``\\n``, ``\\u202e``), so that a name cannot break a line, a table or the
    direction of the text around it. Ordinary names come back unchanged."""
    if name.isprintable():
        return name
    return "".join(
        c.encode("unicode_escape", "backslashreplace").decode("ascii")
        if unicodedata.category(c) in _ESCAPED
        else c
        for c in name
    )


@dataclass(frozen=True)
class Refused:
    """A file (or folder) among the returns that is not read, and why (a Chinese sentence)."""

    path: Path
    reason: str
    rule: str
    severity: str = "error"

    def problem(self, name: str) -> Problem:
        """The error naming it (escaped), with the county and quarter its name says."""
        shown = shown_name(name)
        code = _COUNTY_CODE.search(PurePath(shown).name)
        period = FilePeriods.of(shown)
        said = period.name_period or period.folder_period
        return cell_problem(
            shown,
            None,
            None,
            None,
            self.reason,
            rule=self.rule,
            severity=self.severity,
            org_code=code[1] if code else None,
            period=str(said) if said else None,
        )


_LINK = "是符号链接（快捷方式），指向数据目录以外或其他位置的内容，为安全起见未读取；请报送文件本身"
_NOT_A_FILE = "不是普通文件（设备、管道等），未读取"
_ODD_NAME = "文件名含有换行符或控制字符（已转义显示），未读取；请改用普通文件名后重新报送"


def list_return_files(
    paths: str | Path | Iterable[str | Path], suffixes: tuple[str, ...]
) -> tuple[list[Path], list[Refused]]:
    """The return files named or found under folders (recursively, ``ledger`` folders and
    ``~$``/dot files aside), in a stable order, and those refused: links, special files, names
    with control characters. A path given by name is taken as it is."""
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    found: list[Path] = []
    refused: list[Refused] = []
    for item in items:
        top = Path(item)
        if not top.is_dir():
            found.append(top)
            continue
        here: list[Path] = []
        for folder, dirs, files in os.walk(top):
            base = Path(folder)
            for d in list(dirs):
                link = (base / d).is_symlink()
                if d == "ledger" or link:
                    dirs.remove(d)
                if link:
                    refused.append(Refused(base / d, f"文件夹{_LINK}", "symlink"))
            for name in files:
                f = base / name
                if name.startswith(".") or (
                    f.suffix.lower() not in suffixes and not _named(top, f)
                ):
                    continue  # hidden system files; beside a data folder's own files
                if name.startswith("~$"):
                    refused.append(Refused(f, _LOCK, "lock_file", "warning"))
                    continue
                if f.suffix.lower() not in suffixes:
                    refused.append(Refused(f, _unknown_type(f), "file_type", "warning"))
                    continue
                why = _refusal(f, f.is_symlink(), str(f.relative_to(top)))
                if why is None:
                    here.append(f)
                else:
                    refused.append(Refused(f, *why))
        found += sorted(here)
    return found, sorted(refused, key=lambda r: r.path)


_LOCK = "是 Excel/WPS 打开文件时生成的临时文件（~$ 开头），不是报表，未读取"
_DOCUMENTS = {
    ".wps": "WPS 文字文档",
    ".doc": "Word 文档",
    ".docx": "Word 文档",
    ".pdf": "PDF 文件",
    ".jpg": "图片",
    ".jpeg": "图片",
    ".png": "图片",
    ".zip": "压缩包",
    ".rar": "压缩包",
    ".7z": "压缩包",
}
_OFFICE = frozenset((*_DOCUMENTS, ".numbers", ".tmp", ".bak", ".wbk"))


def _named(top: Path, f: Path) -> bool:
    """Whether a file of a type not read is named: anywhere in a returns or city folder, and
    documents or archives anywhere (a data folder's own plan.yaml, README… are not returns)."""
    inside = {p.lower() for p in f.relative_to(top).parts[:-1]} | {top.name.lower()}
    return bool(inside & {"returns", "city"}) or f.suffix.lower() in _OFFICE


def _unknown_type(f: Path) -> str:
    kind = _DOCUMENTS.get(f.suffix.lower())
    what = f"是{kind}" if kind else f"文件类型「{f.suffix or '（无扩展名）'}」不是可读取的报表格式"
    return (
        f"{what}，未读取；如这是报表，请填入报表模板并保存为 Excel 工作簿（.xlsx）或 CSV 后重新报送"
    )


def _refusal(f: Path, is_link: bool, relative: str) -> tuple[str, str] | None:
    if is_link:
        return _LINK, "symlink"
    try:
        mode = f.lstat().st_mode
    except OSError:
        return None  # gone meanwhile: said when it is read
    if not stat.S_ISREG(mode):
        return _NOT_A_FILE, "not_a_file"
    if shown_name(relative) != relative:
        return _ODD_NAME, "file_name"
    return None
