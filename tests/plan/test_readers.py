"""Plan documents as bureaus publish them: Word, PDF, Excel, CSV, web pages and text, told
apart by content; the seed plan gives the same draft from each; a damaged file is a Chinese
error naming the file, never a traceback."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from cli_run import planlib_cli
from plan_documents import FIXTURES, make_docx, make_pdf, make_xlsx, seed_paragraphs

import planlib
from planlib.plan.extraction.readers import read_document, sniff

SEED = FIXTURES / "seed_2022.txt"


@pytest.fixture(scope="module")
def seed() -> planlib.Extraction:
    return planlib.extract_plan(SEED)


@pytest.fixture(scope="module")
def seed_docx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_docx(tmp_path_factory.mktemp("docx") / "plan.docx", seed_paragraphs())


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_pdf(tmp_path_factory.mktemp("pdf") / "plan.pdf", seed_paragraphs())


def test_the_seed_as_word_gives_the_same_draft(seed: planlib.Extraction, seed_docx: Path) -> None:
    result = planlib.extract_plan(seed_docx)
    assert result.plan == seed.plan
    assert (len(result.plan.tasks), len(result.plan.targets)) == (5, 16)
    assert [w.message for w in result.warnings] == [w.message for w in seed.warnings]


def test_the_seed_as_pdf_gives_the_same_draft(seed: planlib.Extraction, seed_pdf: Path) -> None:
    document = read_document(seed_pdf)
    assert document.kind == "pdf"
    assert "- 1 -" in document.text  # the page number is in the text layer ...
    result = planlib.extract_plan(seed_pdf)
    assert result.plan == seed.plan  # ... and out of the plan
    assert (len(result.plan.tasks), len(result.plan.targets)) == (5, 16)
    assert [w.message for w in result.warnings] == [w.message for w in seed.warnings]


def test_kinds_are_told_by_content_not_suffix(
    seed_docx: Path, seed_pdf: Path, tmp_path: Path
) -> None:
    for source, kind in ((seed_docx, "docx"), (seed_pdf, "pdf")):
        renamed = tmp_path / f"{kind}.txt"
        renamed.write_bytes(source.read_bytes())
        assert read_document(renamed).kind == kind
    page = tmp_path / "page.txt"
    page.write_text("<!DOCTYPE html><html><body><p>一段</p></body></html>", encoding="utf-8")
    assert read_document(page).kind == "html"
    assert sniff(b"\xd0\xcf\x11\xe0rest") == "ole"


def test_document_titles_come_from_file_metadata(tmp_path: Path) -> None:
    path = make_docx(
        tmp_path / "a.docx",
        ["1.加强党建。内容。（牵头科室：党办）"],
        title="某县教育局2024年工作要点",
    )
    p = planlib.extract_plan(path).plan
    assert (p.title, p.year) == ("某县教育局2024年工作要点", 2024)


def test_a_saved_web_page_gives_text_and_tables(tmp_path: Path) -> None:
    page = """<!DOCTYPE html><html><head><meta charset="gbk">
<meta name="ArticleTitle" content="XX县教育局2023年工作要点">
<title>XX县教育局2023年工作要点 - XX县人民政府</title><script>var a = "1.不是任务。";</script>
</head><body><div class="nav"><a href="/">首页</a> <a href="/zw">政务公开</a></div>
<div class="crumb">当前位置：首页 &gt; 政务公开 &gt; 计划总结</div>
<table class="meta"><tr><td>索引号：</td><td>11330000/2023-00012</td><td>成文日期：</td><td>2023-02-10</td></tr></table>
<div class="content"><h1>XX县教育局2023年工作要点</h1>
<p>2023年，全县教育工作要坚持稳中求进。</p>
<p><strong>一、</strong>办好公平教育</p>
<p>1.扩大学前资源。新建公办幼儿园<span>3</span>所，学前三年毛入园率达到<b>92%</b>。（牵头股室：学前股）</p>
<p>2.巩固义务教育。义务教育巩固率达到99%。<br>（牵头股室：基教股；配合股室：计财股）</p>
</div><div class="footer">主办：XX县人民政府 &nbsp; 打印本页 &nbsp; 关闭窗口</div></body></html>"""
    path = tmp_path / "page.html"
    path.write_bytes(page.encode("gbk"))
    result = planlib.extract_plan(path)
    p = result.plan
    assert p.title == "XX县教育局2023年工作要点"
    assert [s.title for s in p.sections] == ["办好公平教育"]
    assert [t.title for t in p.tasks] == ["扩大学前资源", "巩固义务教育"]
    assert p.task("1.2").responsible_units == ("计财股",)
    assert [(g.indicator, g.value) for _, g in p.targets] == [
        ("新建公办幼儿园", 3),
        ("学前三年毛入园率", 92),
        ("义务教育巩固率", 99),
    ]
    text = read_document(path).text
    assert "不是任务" not in text  # scripts are not text


def _cut(path: Path, tmp_path: Path, name: str) -> Path:
    raw = path.read_bytes()
    out = tmp_path / name
    out.write_bytes(raw[: len(raw) // 2])
    return out


def _broken_zip_member(path: Path, tmp_path: Path, name: str, member: str) -> Path:
    out = tmp_path / name
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item, b"<not xml" if item.filename == member else data)
    return out


def _damaged(tmp_path: Path, seed_docx: Path, seed_pdf: Path) -> list[tuple[Path, str]]:
    xlsx = make_xlsx(tmp_path / "ok.xlsx", [["序号", "工作任务"], ["1", "推进"]])
    ole = tmp_path / "old.doc"
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    zipped = tmp_path / "other.docx"
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("readme.txt", "hello")
    return [
        (_cut(seed_docx, tmp_path, "cut.docx"), "Word"),
        (_broken_zip_member(seed_docx, tmp_path, "bad.docx", "word/document.xml"), "Word"),
        (_cut(seed_pdf, tmp_path, "cut.pdf"), "PDF"),
        (_cut(xlsx, tmp_path, "cut.xlsx"), "Excel"),
        (_broken_zip_member(xlsx, tmp_path, "bad.xlsx", "xl/workbook.xml"), "Excel"),
        (ole, "另存为"),
        (zipped, "压缩文件"),
    ]


def test_every_reader_reports_a_damaged_file_in_chinese(
    tmp_path: Path, seed_docx: Path, seed_pdf: Path
) -> None:
    for path, word in _damaged(tmp_path, seed_docx, seed_pdf):
        with pytest.raises(planlib.PlanlibError) as err:
            planlib.extract_plan(path)
        assert str(path) in str(err.value) and word in str(err.value), (path, str(err.value))


def test_a_pdf_without_a_text_layer_asks_for_ocr(tmp_path: Path) -> None:
    weasyprint = pytest.importorskip("weasyprint")
    path = tmp_path / "scan.pdf"
    weasyprint.HTML(string="<div style='height:5cm;background:#888'></div>").write_pdf(str(path))
    with pytest.raises(planlib.PlanlibError, match="没有文字层"):
        planlib.extract_plan(path)


def test_the_command_reads_word_and_exits_1_on_a_damaged_file(
    tmp_path: Path, seed_docx: Path
) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return planlib_cli("plan", "extract", *args, timeout=120)

    ok = run(str(seed_docx), "--format", "json")
    assert ok.returncode == 0, ok.stderr
    assert "5 项任务、16 个量化目标" in ok.stderr
    text = run(str(seed_docx), "--text")
    assert text.stdout.splitlines()[0] == "市教育局 2022 年工作要点"
    bad = run(str(_cut(seed_docx, tmp_path, "cut.docx")))
    assert bad.returncode == 1
    assert "cut.docx" in bad.stderr and "Traceback" not in bad.stderr


def test_word_automatic_numbering_is_read_as_the_items_numbers(
    seed: planlib.Extraction, tmp_path: Path
) -> None:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    for paragraph in seed_paragraphs():
        item = re.match(r"^(\d+)\.", paragraph)
        if item:  # the number is Word's, not typed
            document.add_paragraph(paragraph[item.end() :], style="List Number")
        else:
            document.add_paragraph(paragraph)
    path = tmp_path / "numbered.docx"
    document.save(str(path))
    lines = read_document(path).text.splitlines()
    assert "1.推进区域教育中心建设。" in [line[:13] for line in lines]
    assert planlib.extract_plan(path).plan == seed.plan


@pytest.mark.parametrize(
    ("n", "fmt", "shown"),
    [(1, "chineseCounting", "一"), (12, "chineseCountingThousand", "十二"),
     (23, "japaneseCounting", "二十三"), (3, "decimal", "3"), (2, "decimalEnclosedCircle", "②")],
)  # fmt: skip
def test_word_number_formats(n: int, fmt: str, shown: str) -> None:
    from planlib.plan.extraction.office import _format

    assert _format(n, fmt) == shown


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("", True),
        ("(cid:12)(cid:845)(cid:77)(cid:1203)" * 20, True),
        ("\ufffd\ufffd市教育局\ufffd\ufffd\ufffd" * 10, True),
        ("\ue001\ue002\ue003工作要点" * 10, True),
        ("Hxq Wkh Jvvq Kfxz Pqrs Lmno Abcd Efgh Ijkl Mnop Qrst Uvwx Yzab " * 3, True),
        ("市教育局2022年工作要点\n一、总体要求\n1.办好教育。学前三年毛入学率达到93.5%。", False),
        ("Annual plan 2022: 市教育局工作要点 (English summary kept)", False),
    ],
)
def test_a_garbled_text_layer_is_told_apart(text: str, bad: bool) -> None:
    from planlib.plan.extraction.pdf import garbled

    assert garbled(text) is bad


def test_a_document_in_traditional_script_is_read_as_simplified(tmp_path: Path) -> None:
    """The whole text and its title converted; the original kept; a simplified text untouched."""
    from planlib.plan.extraction.readers import read_document
    from planlib.plan.extraction.script import simplified

    original = "縣教育局2024年工作要點\n一、總體要求\n1.辦好人民滿意的教育。新建學校3所。（牽頭單位：計劃財務科）\n"
    path = tmp_path / "要點.txt"
    path.write_text(original, encoding="utf-8")
    document = read_document(path)
    assert document.text.startswith("县教育局2024年工作要点\n一、总体要求\n1.办好人民满意的教育")
    assert document.original == original.rstrip("\n") or document.original == original
    simple = "县教育局2024年工作要点\n一、总体要求\n1.办好人民满意的教育。"
    assert simplified(simple) is None
    assert (
        simplified("引用一个繁體字的简体文本，其余均为简体汉字书写，共计三十余字的一段话。") is None
    )
