"""Every workbook planlib writes prints on A4: the blank forms, the feedback (marked copy,
问题清单, receipts, index) and the analysts' exports.

The fast tests read the page setup in the workbook itself: A4, print titles, and each printed
group of columns no wider than the paper at the scale it prints at. Widths are converted as
Excel does for its default font (Calibri 11, a digit 7 px): a column of width w is 7w + 5 px at
96 px an inch, about 1.85 mm a character plus 1.3 mm (``planlib.forms.sheets.column_mm``); the
printable width is 210 or 297 mm less the 2 × 12.7 mm side margins. The slow test prints the
workbooks with LibreOffice (installed by ``tools/ensure-system-libs``) and counts the pages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

import planlib
from planlib.forms.blank import write_forms
from planlib.forms.feedback import write_feedback
from planlib.forms.layout import NOT_APPLICABLE, guide_lines
from planlib.forms.sheets import column_mm, printable_mm, sheet_widths

ROOT = Path(__file__).resolve().parents[2]
MIN_SCALE = 0.55


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("print") / "city"
    planlib.make_sample(out, seed=7, counties=3, schools_per_county=20)
    return out


@pytest.fixture(scope="module")
def workbooks(city: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A blank form, a marked copy (one return given a negative value), a receipt, the
    feedback index and the assess export of the latest quarter."""
    out = tmp_path_factory.mktemp("printed")
    form = write_forms(city, "2022Q4", out / "forms").files[0]
    data = out / "data"
    shutil.copytree(city, data)
    sent = data / "returns" / "2022Q4" / "990102.xlsx"
    wb = openpyxl.load_workbook(sent)
    ws = wb.worksheets[0]
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value in ("行政区划代码", "学校标识码"))
    ws.cell(header + 1, 4).value = -5
    wb.save(sent)
    fb = write_feedback(data, out / "feedback")
    marked = next(c.path for c in fb.counties if c.status == "需修改后重新报送")
    receipt = next(c.path for c in fb.counties if c.status == "校验通过")
    assert marked is not None and receipt is not None
    export = planlib.export({"评估": planlib.monitor(city).assessment}, out / "assess.xlsx")
    return {"form": form, "marked": marked, "receipt": receipt, "index": fb.index,
            "export": export}  # fmt: skip


def _check_sheet(ws: openpyxl.worksheet.worksheet.Worksheet) -> None:
    where = f"{ws.parent.path if hasattr(ws.parent, 'path') else ''}［{ws.title}］"
    setup = ws.page_setup
    assert str(setup.paperSize) == "9", where  # A4
    assert setup.orientation in ("portrait", "landscape"), where
    assert ws.oddFooter.center.text and "&P" in ws.oddFooter.center.text, where
    if ws.max_row > 1 or ws.max_column > 1 or ws["A1"].value is not None:
        assert ws.print_title_rows, where  # a text-box sheet (上期累计) has no row to repeat
    widths = [column_mm(w) for w in sheet_widths(ws, ws.max_column)]
    page = printable_mm(setup.orientation)
    if ws.sheet_properties.pageSetUpPr.fitToPage:
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), where
        scale = min(1.0, page / sum(widths))
        assert scale >= MIN_SCALE, (where, scale)  # shrunk to one page wide, still readable
        return
    scale = (setup.scale or 100) / 100
    assert scale >= MIN_SCALE, where
    ids = 0
    if ws.print_title_cols:
        ids = openpyxl.utils.column_index_from_string(ws.print_title_cols.split(":")[-1].strip("$"))
    breaks = sorted(b.id for b in ws.col_breaks.brk)
    starts = [ids + 1, *(b + 1 for b in breaks)]
    ends = [*breaks, len(widths)]
    for first, last in zip(starts, ends, strict=True):
        printed = sum(widths[:ids]) + sum(widths[first - 1 : last])
        assert printed * scale <= page + 0.1, (where, first, last, printed * scale, page)


@pytest.mark.parametrize("kind", ["form", "marked", "receipt", "index", "export"])
def test_every_sheet_fits_a4(workbooks: dict[str, Path], kind: str) -> None:
    wb = openpyxl.load_workbook(workbooks[kind])
    for ws in wb.worksheets:
        _check_sheet(ws)


def test_wide_sheets_split_into_groups_with_their_codes(workbooks: dict[str, Path]) -> None:
    ws = openpyxl.load_workbook(workbooks["form"])["县级汇总"]
    assert ws.page_setup.orientation == "landscape" and ws.col_breaks.brk
    assert ws.print_title_cols == "$A:$C" and ws.print_title_rows == "$3:$3"
    export = openpyxl.load_workbook(workbooks["export"])["评估"]
    assert export.print_title_cols == "$A:$B" and export.print_title_rows == "$1:$1"


def test_guide_is_cells_within_a4_portrait(workbooks: dict[str, Path], city: Path) -> None:
    ws = openpyxl.load_workbook(workbooks["form"])["填表说明"]
    assert ws.page_setup.orientation == "portrait"
    assert column_mm(ws.column_dimensions["A"].width) <= printable_mm("portrait")
    texts = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    assert "公办园在园幼儿数不应超过在园幼儿数（错误）" in "".join(t or "" for t in texts)
    assert all(ws.cell(r, 1).alignment.wrap_text for r in range(1, ws.max_row + 1) if texts[r - 1])


def test_flags_that_do_not_apply_are_grey_and_locked(workbooks: dict[str, Path]) -> None:
    """省级示范性高中 is counted only over 普通高中 (sum_schools(provincial_model,
    stage=普通高中)): a primary school's cell is marked — and locked, a high school's is input."""
    ws = openpyxl.load_workbook(workbooks["form"])["学校明细"]
    col = [c.value for c in ws[3]].index("省级示范性高中") + 1
    by_stage: dict[str, list[openpyxl.cell.cell.Cell]] = {}
    for r in range(4, ws.max_row + 1):
        by_stage.setdefault(ws.cell(r, 3).value, []).append(ws.cell(r, col))
    assert by_stage["小学"] and all(
        c.value == NOT_APPLICABLE and c.protection.locked and c.fill.fgColor.rgb.endswith("D9D9D9")
        for c in by_stage["小学"]
    )
    for cell in by_stage.get("普通高中", []):
        assert cell.value is None and cell.protection.locked is False


# --- printed with LibreOffice ------------------------------------------------------------------


def _soffice() -> str:
    """soffice, installed by the project's set-up when missing; a clear failure if it cannot."""
    found = shutil.which("soffice")
    if found is None:
        done = subprocess.run(
            ["bash", str(ROOT / "tools" / "ensure-system-libs"), "--dev"],
            capture_output=True,
            text=True,
        )
        found = shutil.which("soffice")
        if found is None:
            pytest.fail(
                "LibreOffice (soffice) is needed to print the workbooks and could not be "
                f"installed by tools/ensure-system-libs:\n{done.stdout}{done.stderr}"
            )
    return found


def _print_pdf(soffice: str, files: list[Path], out: Path) -> dict[str, Path]:
    """The PDFs of ``files``, with the bundled Noto Sans SC standing in for 宋体."""
    from planlib.fonts import font_path

    conf = out / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{font_path().parent}</dir><cachedir>{out / 'fc-cache'}</cachedir>"
        + "".join(
            f'<alias binding="same"><family>{f}</family><prefer><family>Noto Sans SC</family>'
            "</prefer></alias>"
            for f in ("宋体", "SimSun")
        )
        + "</fontconfig>",
        encoding="utf-8",
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "HOME": str(out)}
    done = subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{out / 'profile'}",
         "--convert-to", "pdf", "--outdir", str(out / "pdf"), *map(str, files)],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    pdfs = {f.stem: out / "pdf" / f"{f.stem}.pdf" for f in files}
    missing = [p.name for p in pdfs.values() if not p.exists()]
    assert not missing, f"soffice made no PDF of {missing}: {done.stdout}{done.stderr}"
    return pdfs


def _pages(pdf: Path) -> tuple[Counter[str], str]:
    """Pages per page header (each sheet's title heads its pages), and all the text."""
    from pypdf import PdfReader

    texts = [p.extract_text() or "" for p in PdfReader(pdf).pages]
    heads = Counter(t.strip().split("\n")[0].strip() for t in texts)
    return heads, "\n".join(texts)


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="the print check runs LibreOffice on Linux")
def test_workbooks_print_on_a_handful_of_pages(
    workbooks: dict[str, Path], city: Path, tmp_path: Path
) -> None:
    pdfs = _print_pdf(_soffice(), list(workbooks.values()), tmp_path)
    heads, text = _pages(pdfs[workbooks["form"].stem])
    name, when = "城关区", planlib.forms.blank.parse_period("2022Q4")
    assert heads[f"{name}教育统计季报（{when.label}）"] <= 4, heads  # 县级汇总
    assert heads[f"{name}学校情况表（{when.label}）"] <= 4, heads  # 学校明细
    assert 1 <= heads[f"{name}填表说明"] <= 3, heads
    # every line of the 填表说明 is printed whole (the PDF text breaks lines where they wrap)
    flat = "".join(text.split())
    from planlib.catalog.dictionary import load_dictionary

    for line in guide_lines(name, when, load_dictionary(city / "dictionary.yaml")):
        assert "".join(line.lstrip("#").split()) in flat, line
    heads, _ = _pages(pdfs[workbooks["marked"].stem])
    assert heads[f"{name}{when.label}报表校验问题清单"] == 1, heads
    for kind in ("receipt", "index"):
        assert sum(_pages(pdfs[workbooks[kind].stem])[0].values()) == 1
    # the assess export of the sample city's latest quarter: 244 rows × 45 columns, in four
    # groups of columns at 80%, was 245 pages with every long text cut
    heads, _ = _pages(pdfs[workbooks["export"].stem])
    assert heads["评估"] <= 100, heads
