"""Snapshots of what users see: report HTML and the ``compute``/``assess`` CSV of the sample city.

They pin behaviour through refactors: a change that alters a report or a CSV shows up here as a
diff. When a change is meant (a judgement rule, a new column), update them deliberately with
``pytest tests/test_snapshots.py --snapshot-update`` and read the diff before committing.

Embedded chart PNGs are replaced by their pixel size: the charts are pinned by their own tests, and
a byte-exact PNG would tie the snapshot to one matplotlib/FreeType build.
"""

from __future__ import annotations

import base64
import dataclasses
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

import planlib

GENERATED_AT = "2023-01-05T00:00:00+00:00"
_IMG = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')
_CELL_ID = re.compile(r'id="cell-id=[0-9a-f-]+"')  # papermill gives its injected cell a new id
_SHA256 = re.compile(r"\b[0-9a-f]{64}\b")  # an .xlsx carries the time it was written
_FONT = re.compile(r"url\(data:font/[a-z0-9]+;base64,[A-Za-z0-9+/=]+\)")  # the embedded subset


class TextSnapshot(SingleFileSnapshotExtension):
    """One readable file per snapshot (HTML or CSV), so a diff reads like the output."""

    _write_mode = WriteMode.TEXT
    file_extension = "txt"


def _png_size(match: re.Match[str]) -> str:
    data = base64.b64decode(match.group(1))
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    return f'src="[png {width}x{height}]"'


def normalise_html(html: str, data_dir: Path) -> str:
    """The page with run-specific parts replaced: image bytes, the embedded font subset (its
    bytes follow the text), cell ids, checksums, the data path."""
    html = _SHA256.sub("<sha256>", _CELL_ID.sub('id="cell-id"', _IMG.sub(_png_size, html)))
    html = _FONT.sub("url([embedded font])", html)
    return html.replace(str(data_dir), "<DATA>")


@pytest.fixture(scope="module")
def sample_city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default sample city (what ``make reports`` renders)."""
    out = tmp_path_factory.mktemp("snap") / "sample"
    planlib.make_sample(out)
    return out


def _cli(*args: str) -> str:
    r = subprocess.run(
        [sys.executable, "-m", "planlib", *args], capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("command", "period"),
    [("compute", "2022Q4"), ("assess", "2022Q4"), ("assess", "2022Q2"), ("ledger", "2022Q2")],
)
def test_cli_csv(sample_city: Path, snapshot, command: str, period: str) -> None:
    out = _cli(command, str(sample_city), "--period", period, "--format", "csv")
    assert out.count("\n") > 5
    assert out == snapshot(extension_class=TextSnapshot)


@pytest.mark.slow
@pytest.mark.parametrize("period", ["2022Q2", "2022Q4"])
def test_report_html(sample_city: Path, snapshot, period: str) -> None:
    """The city overview, a county and a department report, rendered on a real kernel."""
    from planlib.reporting.context import build_context
    from planlib.reporting.jobs import render_job
    from planlib.reporting.runner import plan_jobs

    ctx = build_context(sample_city, period)
    ctx = dataclasses.replace(ctx, meta={**ctx.meta, "generated_at": GENERATED_AT})
    jobs = plan_jobs(ctx, ["990102"], ("html",))
    wanted = {"city", "990102", "dept-财务处"}
    chosen = [j for j in jobs if j.key in wanted]
    assert {j.key for j in chosen} == wanted
    data = ctx.to_bytes()
    for job in chosen:
        result = render_job(job, data)
        assert result.status == "ok", result.error
        html = normalise_html(result.files["html"].decode("utf-8"), sample_city)
        assert "数据来源" in html and "manifest" not in html
        assert html == snapshot(name=job.key, extension_class=TextSnapshot)


_HAN = "\u4e00-\u9fff"
_SPACED = re.compile(rf"\d [{_HAN}]|[{_HAN}] \d")


def _text(html: str) -> str:
    """The words a reader sees: tags, styles and scripts removed."""
    html = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", "\n", html)


def test_report_wording_has_no_space_between_digits_and_han() -> None:
    """公文 style, checked over every pinned report page: 15项, 3所, 并列第2位, never "15 项"."""
    pages = sorted((Path(__file__).parent / "__snapshots__" / "test_snapshots").glob("*html*"))
    assert len(pages) == 6
    for page in pages:
        text = _text(page.read_text(encoding="utf-8"))
        found = sorted({m.group(0) for m in _SPACED.finditer(text)})
        assert not found, f"{page.name}: {found}"
        assert "（并列） 位" not in text and "列第 " not in text
