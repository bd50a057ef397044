"""A batch's front page (``index.html``) and its ``manifest.json``: every report with its status,
files and checksums, and every input file with its SHA-256 (reports themselves carry none).
"""

from __future__ import annotations

import hashlib
import html
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..checks import clean_text
from ..periods import when
from .context import ReportContext
from .jobs import ReportJob, ReportResult


def escape(text: str) -> str:
    """Text from data for the index page: cleaned of bidi and control characters, then escaped."""
    return html.escape(clean_text(str(text)))


if TYPE_CHECKING:
    from .runner import BatchOutcome

LOG_NAME = "planlib-report.log"
INTERRUPTED = "interrupted"
"""The status of a report a stopped batch (Ctrl-C, SIGTERM) did not make."""
_PARTIAL = "本批只生成了部分报告，下面只列出本批生成的；目录中此前生成的其他报告不在此列。"


def entry(job: ReportJob, result: ReportResult, out: Path) -> dict[str, Any]:
    files = {}
    for kind in ("ipynb", *job.formats):
        path = out / f"{job.key}.{kind}"
        # A failed report keeps a good earlier file if there is one; otherwise the file is null.
        files[kind] = path.name if (result.status == "ok" or path.exists()) else None
    code = {"county": job.parameters.get("county"), "city": job.parameters.get("org")}.get(job.kind)
    return {
        "key": job.key,
        "kind": job.kind,
        "county_code": str(code) if code else None,
        "county_name": job.title,
        "status": result.status,
        "files": files,
        # checksums of what this run wrote, so a report sent on can be checked against the batch
        "sha256": {k: hashlib.sha256(v).hexdigest() for k, v in result.files.items()},
        "error": result.error,
        "seconds": round(result.seconds, 2),
    }


def manifest(ctx: ReportContext, outcome: BatchOutcome) -> bytes:
    data = {
        "period": ctx.period,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "planlib_version": ctx.meta.get("planlib_version"),
        "inputs": [
            {"path": str(p), "sha256": str(s)}
            for p, s in zip(ctx.inputs["path"], ctx.inputs["sha256"], strict=True)
        ],
        "parts": outcome.parts or None,
        "interrupted": outcome.interrupted,
        "reports": outcome.entries,
    }
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _chips(counts: Any) -> str:
    """A report's targets by status, each a chip in the status palette."""
    from ..charts import style

    return " ".join(
        f'<span class="chip" style="{style.status_css(s)}">'
        f"{style.status_mark(s)}{escape(s)} {int(counts.get(s, 0))}</span>"
        for s in style.STATUSES
    )


def _status_cell(entry: dict[str, Any], table: Any, key: Any) -> str:
    if entry["status"] == INTERRUPTED:
        return '<span class="bad">未生成（本批已中断）</span>'
    if entry["status"] != "ok":
        return f'<span class="bad">生成失败：{escape(str(entry["error"]))}</span>'
    if key in table.index:
        return _chips(table.loc[key])
    return "已生成"


def _report_sections(ctx: ReportContext, outcome: BatchOutcome) -> list[str]:
    """A table per kind of report: code, name, targets by status (or why it failed), files."""
    a = ctx.assessment
    now = a[a["period"].astype(str) == ctx.period]
    counts = now.groupby("org_code")["status"].value_counts().unstack(fill_value=0)
    d = ctx.departments
    dept_counts = d.groupby("department")["city_status"].value_counts().unstack(fill_value=0)
    titles = {"city": "总览", "county": "县市区报告", "department": "处室报告"}
    sections = []
    for kind, heading in titles.items():
        rows = []
        for entry in (e for e in outcome.entries if e["kind"] == kind):
            links = " ".join(
                f'<a href="{escape(name)}">{kind_name.upper()}</a>'
                for kind_name, name in entry["files"].items()
                if name
            )
            code = entry["county_code"]
            # a department's own targets; a unit's targets by its code
            dept = kind == "department"
            key, table = (entry["county_name"], dept_counts) if dept else (code, counts)
            rows.append(
                f"<tr><td>{escape(str(code or ''))}</td><td>{escape(entry['county_name'])}</td>"
                f"<td>{_status_cell(entry, table, key)}</td><td>{links}</td></tr>"
            )
        if rows:
            sections.append(
                f"<h2>{heading}</h2><table><thead><tr><th>代码</th><th>名称</th>"
                f"<th>目标状态（达标/接近/未达标/无数据）</th><th>文件</th></tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table>"
            )
    return sections


def index_html(ctx: ReportContext, jobs: list[ReportJob], outcome: BatchOutcome) -> str:
    """The batch's front page: every report with its headline status, failures with the reason."""
    sections = _report_sections(ctx, outcome)
    label = ctx.period_label
    n_failed = len(outcome.failed)
    part = _PARTIAL if outcome.partial else ""
    n_stopped = sum(e["status"] == INTERRUPTED for e in outcome.entries)
    stopped = f"本批已中断，{n_stopped}份未生成。" if outcome.interrupted else ""
    made = escape(when(ctx.meta.get("generated_at")))
    summary = (
        f"{stopped}{part}共{len(outcome.entries)}份报告，成功{len(outcome.entries) - n_failed}份，"
        f"失败{n_failed - n_stopped}份。生成时间：{made}，"
        f"planlib {escape(str(ctx.meta.get('planlib_version')))}。明细见 "
        f'<a href="manifest.json">manifest.json</a>，运行日志见 <a href="{LOG_NAME}">{LOG_NAME}</a>。'
    )
    inputs = "".join(
        f"<tr><td>{escape(str(path))}</td><td class='mono'>{escape(str(sha))}</td></tr>"
        for path, sha in zip(ctx.inputs["path"], ctx.inputs["sha256"], strict=True)
    )
    sections.append(
        f"<h2>数据文件与校验值（{len(ctx.inputs)}个）</h2><table><thead><tr><th>文件</th>"
        f"<th>SHA-256</th></tr></thead><tbody>{inputs}</tbody></table>"
    )
    return f"""<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><title>{escape(label)}监测报告</title>
<style>
body {{ font-family: "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif; max-width: 960px;
       margin: 24px auto; padding: 0 16px; color: #212121; }}
table {{ border-collapse: collapse; width: 100%; font-size: 14px; }}
th {{ background: #eceff1; text-align: left; padding: 6px; }}
td {{ border-bottom: 1px solid #cfd8dc; padding: 6px; }}
.chip {{ display: inline-block; color: white; border-radius: 3px; padding: 0 6px; margin-right: 2px;
        font-size: 12px; }}
.bad {{ color: #c62828; }}
.mono {{ font-family: "DejaVu Sans Mono", monospace; font-size: 12px; }}
</style></head><body>
<h1>{escape(str(ctx.meta.get("plan_title") or ""))} · {escape(label)}监测报告</h1>
<p>{summary}</p>
{"".join(sections)}
</body></html>
"""
