"""What ends every page and what sits above it: the data banner (files left out or held back),
the 数据核验 panel with its markers, and the footer (file times and cited documents)."""

from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from components import checks, ids
from components.data import SCHEMAS, Dataset, Problem
from components.pages import BY_KEY
from components.theme import fmt_datetime


def make_data_banner(dataset: Dataset) -> list:
    """Which files were left out and why; which replaced files were rejected."""
    alerts = []
    for state in dataset.files.values():
        if state.notice:  # a newer version held back: it looks cut short
            alerts.append(
                dbc.Alert(
                    f"{state.schema.file}（{state.schema.label}）的{state.notice}",
                    color="warning",
                    className="data-held",
                )
            )
        if state.status not in ("rejected", "stale"):
            continue
        errors = [p for p in dataset.errors if p.file == state.schema.file]
        head = (
            f"{state.schema.file}（{state.schema.label}）未载入：文件有错误，这部分暂不显示。"
            if state.status == "rejected"
            else f"{state.schema.file}（{state.schema.label}）的新版本有错误，仍显示上一版数据。"
        )
        alerts.append(
            dbc.Alert(
                [
                    html.Div(head, className="fw-semibold"),
                    html.Ul(
                        [html.Li(str(p)) for p in errors[:10]]
                        + (
                            [html.Li(f"……另有 {len(errors) - 10} 处错误，运行 python app.py check 查看全部")]
                            if len(errors) > 10
                            else []
                        ),
                        className="mb-0 small",
                    ),
                ],
                color="danger",
                className="data-error",
            )
        )
    return alerts


def page_frames(dataset: Dataset, page: str) -> dict[str, pd.DataFrame]:
    """The rows a page shows, per file (indicators.csv and notes.csv: its section's rows only)."""
    section = BY_KEY[page].section
    frames = {name: dataset.frame(name) for name in BY_KEY[page].files}
    if section:
        for name in ("indicators", "notes"):
            rows = dataset.frame(name)
            rows = rows[rows["section"] == section]
            if len(rows):
                frames[name] = rows
    return frames


def described(dataset: Dataset, sources) -> list[str]:
    """Each source document with its 发布机关 and 发布日期 as sources.csv gives them (only what it states)."""
    known = {row["source"]: row for row in dataset.frame("sources").to_dict("records")}
    out = []
    for source in sources:
        row = known.get(source, {})
        date = row.get("published_text") or row.get("published") or ""
        said = [x for x in (row.get("publisher") or "", f"{date}发布" if date else "") if x]
        out.append(source + (f"（{'，'.join(said)}）" if said else ""))
    return out


def make_footer(dataset: Dataset, page: str = "overview") -> html.Footer:
    """When the page's own files were last changed and which documents its rows cite."""
    if not BY_KEY[page].filtered:
        text = "上传的文件只用于本次检查：不保存，也不改变看板正在使用的数据。"
        return html.Footer(html.Small(text, className="text-muted"), className="mt-4 page-footer")
    frames = page_frames(dataset, page)
    states = [dataset.files[name] for name in frames]
    updated = max((s.modified for s in states if s.modified is not None and s.status != "rejected"), default=None)
    sources = dict.fromkeys(s for frame in frames.values() for s in frame["source"].unique() if s)  # first-seen order
    parts = [f"数据文件修改时间：{fmt_datetime(updated)}" if updated else "数据文件修改时间：无数据文件"]
    if sources:
        parts.append("来源：" + "；".join(described(dataset, sources)))
    return html.Footer(html.Small(" ｜ ".join(parts), className="text-muted"), className="mt-4 page-footer")


# ---------------------------------------------------------------- checks of the published figures


def make_finding_marker(target: str, findings: Sequence[Problem]) -> list:
    """A small warning beside a card or chart; hovering, focusing or tapping it explains (as text)."""
    if not findings:
        return []
    badge = ids.finding_badge(target)
    count = f" {len(findings)} 处" if len(findings) > 1 else ""
    return [
        html.Button(
            f"⚠ 数字不一致{count}",
            id=badge,
            type="button",
            className="finding-marker",
            title="数据核验：点击或悬停查看",
        ),
        dbc.Popover(
            [
                dbc.PopoverHeader("数据核验：文件所列数字之间不一致"),
                dbc.PopoverBody(
                    [
                        html.Ul([html.Li(str(f)) for f in findings], className="mb-1 ps-3"),
                        html.Div("已考虑四舍五入；数据照常显示，请核对原文件。", className="text-muted"),
                    ]
                ),
            ],
            target=badge,
            trigger="hover focus",
            placement="bottom",
            className="finding-popover",
        ),
    ]


def page_findings(dataset: Dataset, page: str) -> tuple[list[Problem], list[Problem]]:
    """(findings, loader warnings) about the files a page shows."""
    files = {dataset.names.get(n, SCHEMAS[n].file) for n in page_frames(dataset, page)}
    findings = [f for f in checks.findings(dataset) if page == "overview" or f.section == page]
    return findings, [w for w in dataset.warnings if w.file in files]


def make_findings_panel(dataset: Dataset, page: str) -> html.Details:
    """数据核验: every finding about the page's files, with file and line; collapsed to one line."""
    findings, warnings = page_findings(dataset, page)
    checked = "；".join(text for key, text in checks.CHECKED.items() if page == "overview" or key == page)
    said = f"发现 {len(findings)} 处数字不一致" if findings else "未发现数字不一致"
    summary = [f"数据核验：{said}", html.Span("（点击展开）", className="expand-hint")]
    body = [
        html.P(
            f"核对内容：{checked}。比较时考虑了四舍五入：只有原文件的数字无论怎样舍入都对不上时才列出。",
            className="small",
        )
    ]
    if findings:
        body.append(make_problem_table(findings))
    if warnings:
        body += [html.Div("文件提示", className="fw-semibold small mt-2"), make_problem_table(warnings)]
    return html.Details(
        [html.Summary(summary, className="card-header"), html.Div(body, className="card-body")],
        id=ids.FINDINGS_PANEL,
        className="card mb-3 findings-panel" + (" has-findings" if findings else ""),
    )


def make_problem_table(problems: Sequence[Problem], with_file: bool = True) -> dbc.Table:
    """(File,) line, column and message per problem, as plain text."""
    rows = [
        html.Tr(
            ([html.Td(p.file)] if with_file else [])
            + [
                html.Td("、".join(map(str, getattr(p, "lines", ()) or ([p.line] if p.line else []))) or "—"),
                html.Td(p.column or "—"),
                html.Td(p.message),
            ]
        )
        for p in problems
    ]
    heads = (["文件"] if with_file else []) + ["行", "列", "说明"]
    head = html.Thead(html.Tr([html.Th(h) for h in heads]))
    return dbc.Table([head, html.Tbody(rows)], size="sm", bordered=False, responsive=True, className="problem-table")


def make_page_end(dataset: Dataset, page: str) -> list:
    """What ends a page's main content (its footer follows the main landmark: see routing.render)."""
    return [make_findings_panel(dataset, page)]
