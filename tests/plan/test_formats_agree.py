"""Every format gives the same draft: the seed plan as text, Word, web page, PDF from WeasyPrint
and from fpdf2 (an embedded CJK font written without a ToUnicode map, read through PDFium),
and a 任务分解表 as Excel, a Word table and text flattened with tabs or runs of spaces."""

from __future__ import annotations

from pathlib import Path

import pytest
from plan_documents import html_page, make_docx, make_pdf, make_xlsx, seed_paragraphs

import planlib

BREAKDOWN_HEADER = ["序号", "工作任务", "具体内容", "牵头单位", "完成时限"]
BREAKDOWN_ROWS = [
    [
        "1",
        "推进学前教育普惠发展",
        "新建公办幼儿园5所，新增学位1500个，普惠性幼儿园覆盖率达到90%。",
        "学前教育科",
        "2025年12月底前",
    ],
    ["2", "巩固义务教育控辍保学", "九年义务教育巩固率保持在99%以上。", "基础教育科", "2025年9月"],
    [
        "3",
        "加强教师队伍建设",
        "招聘中小学教师300名，培训校长和教师6000人次。",
        "人事科",
        "2025年第三季度",
    ],
]
BREAKDOWN_TITLE = "某市教育局2025年工作要点任务分解表"


def draft(plan: planlib.Plan) -> list[tuple[object, ...]]:
    """What a reviewer reads: sections, then each task's id, title, units and targets."""
    sections = [(s.number, s.title) for s in plan.sections]
    tasks = [
        (
            t.id,
            t.title,
            t.lead_units,
            t.responsible_units,
            t.due,
            [(g.indicator, g.comparator, g.value, g.unit, g.aspirational) for g in t.targets],
        )
        for t in plan.tasks
    ]
    return [plan.title, sections, *tasks]


def _fpdf(path: Path, paragraphs: list[str]) -> Path:
    fpdf = pytest.importorskip("fpdf")
    from planlib.fonts import font_path

    class Paged(fpdf.FPDF):  # type: ignore[misc]
        def footer(self) -> None:  # a page number at each page's foot, as bureaus print
            self.set_y(-15)
            self.cell(0, 10, f"- {self.page_no()} -", align="C")

    pdf = Paged()
    pdf.add_font("cjk", fname=str(font_path()))
    pdf.set_font("cjk", size=11)
    pdf.add_page()
    for paragraph in paragraphs:
        pdf.multi_cell(pdf.epw, 7, paragraph, new_x="LMARGIN", new_y="NEXT", wrapmode="CHAR")
    pdf.output(str(path))
    return path


def _seed_files(tmp: Path) -> dict[str, Path]:
    paragraphs = seed_paragraphs()
    text = tmp / "seed.txt"
    text.write_text("\n".join(paragraphs) + "\n", encoding="utf-8")
    page = tmp / "seed.html"
    page.write_text(html_page(paragraphs), encoding="utf-8")
    return {
        "txt": text,
        "docx": make_docx(tmp / "seed.docx", paragraphs),
        "html": page,
        "pdf-weasyprint": make_pdf(tmp / "seed.pdf", paragraphs),
        "pdf-fpdf2": _fpdf(tmp / "seed_fpdf.pdf", paragraphs),
    }


@pytest.fixture(scope="module")
def seed_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return _seed_files(tmp_path_factory.mktemp("seed"))


@pytest.mark.parametrize("kind", ["docx", "html", "pdf-weasyprint", "pdf-fpdf2"])
def test_the_seed_gives_the_same_draft_in_every_format(
    seed_files: dict[str, Path], kind: str
) -> None:
    want = draft(planlib.extract_plan(seed_files["txt"], codes=False).plan)
    assert len(want) > 5
    assert draft(planlib.extract_plan(seed_files[kind], codes=False).plan) == want


def test_fpdf2_pdf_has_no_text_for_pdfminer_but_reads(seed_files: dict[str, Path]) -> None:
    """The case the PDFium fallback is for: pdfminer finds nothing in fpdf2's CJK font."""
    import pdfplumber

    with pdfplumber.open(seed_files["pdf-fpdf2"]) as pdf:
        plumber = "".join(p.extract_text() or "" for p in pdf.pages)
    from planlib.plan.extraction.pdf import garbled

    assert garbled(plumber)
    assert "工作要点" in planlib.read_plan_text(seed_files["pdf-fpdf2"])


def _breakdown_files(tmp: Path) -> dict[str, Path]:
    rows = [BREAKDOWN_HEADER, *BREAKDOWN_ROWS]
    files = {
        "xlsx": make_xlsx(tmp / "b.xlsx", rows, title_row=BREAKDOWN_TITLE),
        "docx": make_docx(tmp / "b.docx", [BREAKDOWN_TITLE, rows]),
    }
    for name, sep in (("tabs", "\t"), ("spaces", "   "), ("pipes", " | ")):
        path = tmp / f"b_{name}.txt"
        path.write_text("\n".join([BREAKDOWN_TITLE, *(sep.join(r) for r in rows)]) + "\n")
        files[name] = path
    return files


@pytest.fixture(scope="module")
def breakdown_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return _breakdown_files(tmp_path_factory.mktemp("breakdown"))


@pytest.mark.parametrize(
    "kind",
    ["docx", "pipes", "tabs", "spaces"],
)
def test_a_breakdown_table_gives_the_same_draft_in_every_format(
    breakdown_files: dict[str, Path], kind: str
) -> None:
    want = draft(planlib.extract_plan(breakdown_files["xlsx"], codes=False).plan)
    assert [t[1] for t in want[2:]] == [r[1] for r in BREAKDOWN_ROWS]
    assert all(t[2] for t in want[2:])  # every row has its lead unit
    assert draft(planlib.extract_plan(breakdown_files[kind], codes=False).plan) == want


def test_cells_listing_numbered_items_keep_their_row(tmp_path: Path) -> None:
    rows = [
        BREAKDOWN_HEADER,
        [
            "1",
            "推进学前教育普惠发展",
            "1.新建公办幼儿园5所；2.新增学位1500个；3.加强保教管理。",
            "学前教育科",
            "2025年12月底前",
        ],
        *BREAKDOWN_ROWS[1:],
    ]
    files = {
        "xlsx": make_xlsx(tmp_path / "n.xlsx", rows, title_row=BREAKDOWN_TITLE),
        "docx": make_docx(tmp_path / "n.docx", [BREAKDOWN_TITLE, rows]),
    }
    for kind, path in files.items():
        plan = planlib.extract_plan(path, codes=False).plan
        assert [t.title for t in plan.tasks] == [r[1] for r in rows[1:]], kind
        assert plan.tasks[0].lead_units == ("学前教育科",), kind
        assert {(g.value, g.unit) for g in plan.tasks[0].targets} == {(5, "所"), (1500, "个")}
