"""Issue 28: an HTML report carries its own font. A reviewer's browser without a Chinese font
(no Chromium is installed by the project's set-up to look) must still find every character the
page shows in the font embedded in it, and the page's text must be set in that font."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from planlib import fonts
from planlib.reporting import runner
from planlib.reporting.executors import LocalExecutor
from planlib.reporting.render import font_css, page_text, with_font

FACE = re.compile(
    r'@font-face \{ font-family: "([^"]+)";[^}]*src: url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)'
)


def embedded(html: str) -> tuple[str, TTFont]:
    """The family name and the font of the page's embedded ``@font-face``."""
    found = FACE.search(html)
    assert found, "no embedded @font-face"
    return found.group(1), TTFont(io.BytesIO(base64.b64decode(found.group(2))))


def shown(html: str) -> set[str]:
    """Every character the page shows that is not plain ASCII."""
    return {c for c in page_text(html) if ord(c) > 0x7E and not c.isspace()}


def test_a_page_carries_exactly_the_glyphs_it_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLANLIB_CACHE_DIR", str(tmp_path))
    page = (
        '<!DOCTYPE html><html><head><style>.x{content:"略"}</style></head><body>'
        "<h1>云岭县教育局 2022年第二季度</h1><p>学前三年毛入园率 93.5% ✓达标 &amp; 还需12所</p>"
        '<img alt="" src="data:image/png;base64,iVBORw0KGgo="></body></html>'
    )
    out = with_font(page)
    family, font = embedded(out)
    assert family == fonts.FONT_FAMILY
    cmap = font.getBestCmap()
    assert all(ord(c) in cmap for c in "云岭县教育局年第二季度学前三毛入园率达标还需所✓93.5%")
    assert ord("略") not in cmap  # a style sheet's text is not shown
    assert len(cmap) < 60  # the page's glyphs, not the whole font's 30,000
    assert out.index("@font-face") < out.index("</head>")
    assert font_css(page) in out  # the same bytes twice: cut deterministically, kept by hash


def test_a_page_cut_from_the_batch_font_is_the_same_as_from_the_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLANLIB_CACHE_DIR", str(tmp_path))
    page = "<html><head></head><body><p>柳河县 新建智慧校园数 不低于14所</p></body></html>"
    batch = fonts.batch_font("柳河县新建智慧校园数不低于所城关区西山区0123456789 ")
    assert batch is not None and batch.parent == tmp_path / fonts.SUBSET_LAYOUT
    a = embedded(with_font(page, batch))[1].getBestCmap()
    b = embedded(with_font(page.replace("柳河县", "柳河縣"), batch))[1].getBestCmap()
    assert set(a) >= {ord(c) for c in "柳河县新建智慧校园数不低于所"}
    assert ord("縣") in b  # not in the batch font: cut from the whole font instead


@pytest.mark.slow
def test_every_html_report_reads_without_a_system_font(small_sample: Path, tmp_path: Path) -> None:
    outcome = runner.run_reports(
        small_sample, tmp_path / "out", "2022Q2", "all", "html", LocalExecutor(jobs=2)
    )
    assert outcome.exit_code == 0, outcome.failed
    pages = sorted((tmp_path / "out").glob("*.html"))
    pages = [p for p in pages if p.name != "index.html"]
    assert len(pages) >= 6
    for page in pages:
        html = page.read_text(encoding="utf-8")
        family, font = embedded(html)
        cmap = font.getBestCmap()
        missing = sorted(c for c in shown(html) if ord(c) not in cmap)
        assert not missing, (page.name, missing[:20])
        # the body's text is set in the embedded family, first
        assert re.search(rf'body \{{ font-family: "{family}"', html), page.name
        assert f'.pl {{ font-family: "{family}"' in html, page.name
        assert "file://" not in html and str(Path.home()) not in html  # no machine paths
