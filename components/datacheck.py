"""数据检查: an official drops in CSV files and sees every error, every finding and the charts
they would produce, before publishing them. Nothing touches the data folder.

The files travel as base64 in one callback and are validated in memory by the same
loader as the folder (dataset.load_bytes); nothing is written to disk, run, or shown
as HTML. Size limits are kept by the browser (so an oversized file is not even sent)
and again by the server (which trusts no browser).
"""

from __future__ import annotations

import base64
import binascii

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, dcc, html

from components import checks, debt, ids, performance, transfers
from components.data import SCHEMAS, Dataset, DataSource, Loaded, dataset_of, load_bytes
from components.filters import regions_of, years_of
from components.layout import (
    make_empty_state,
    make_graph,
    make_indicator_cards,
    make_notes_card,
    section_rows,
)
from components.page_end import make_problem_table
from components.pages import SECTION_PAGES
from components.sections import debt as debt_model
from components.sections import transfers as transfers_model

PAGE = "check"
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_TOTAL_BYTES = 30 * 1024 * 1024  # per check: at most three files of the largest size
MAX_FILES = 12
# base64 makes 3 bytes 4; the rest of the request is small.
MAX_REQUEST_BYTES = MAX_TOTAL_BYTES * 4 // 3 + 1024 * 1024
MB = 1024 * 1024
MAX_PREVIEW_ITEMS = 500
MAX_NAME_CHARS = 200


def layout(_dataset: Dataset, _search: str) -> html.Div:
    files = "、".join(s.file for s in SCHEMAS.values())
    return html.Div(
        [
            html.H1("数据检查", className="page-title"),
            html.P(
                "把要发布的 CSV 文件或 Excel 工作簿（.xlsx，读第一个工作表）拖到下面的框里，或点击选择（可一次选多个）。这里逐行列出错误和提示、核对文件中的数字，"
                "并预览看板会画出的图表。文件只在本次检查中使用：不保存，也不改变看板正在使用的数据。",
                className="mb-2",
            ),
            dcc.Upload(
                id=ids.CHECK_UPLOAD,
                children=html.Div(
                    [
                        html.Div(
                            ["把 CSV 或 .xlsx 文件拖到这里，或", html.Span("点击选择文件", className="upload-link")]
                        ),
                        html.Div(
                            f"单个文件不超过 {MAX_FILE_BYTES // MB} MB。文件名为 {files} 之一，或表头与其中一种相符。",
                            className="small text-muted mt-1",
                        ),
                    ]
                ),
                multiple=True,
                accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                className="upload-zone mb-3",
                className_active="upload-zone active",
            ),
            dcc.Store(id=ids.CHECK_FILES),
            dcc.Loading(html.Div(id=ids.CHECK_REPORT), type="default"),
        ]
    )


# ---------------------------------------------------------------- reading what the browser sent


def read_upload(item) -> tuple[str, bytes | None, str | None]:
    """(file name, bytes or None, why not) for one file as sent by the browser."""
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        return "（未知文件）", None, "上传的数据不完整，请重新选择文件"
    name = item["name"][:MAX_NAME_CHARS]
    size = item.get("size") if isinstance(item.get("size"), int) else 0
    if item.get("skipped") == "size" or size > MAX_FILE_BYTES:
        return name, None, too_big(size)
    if item.get("skipped") == "total":
        return name, None, f"本次上传的文件合计超过 {MAX_TOTAL_BYTES // MB} MB，这个文件未检查：请分批上传"
    if item.get("skipped") == "count":
        return name, None, f"一次最多检查 {MAX_FILES} 个文件，这个文件未检查：请分批上传"
    contents = item.get("contents")
    head, _, data = contents.partition(",") if isinstance(contents, str) else ("", "", "")
    if not head.startswith("data:") or not head.endswith(";base64"):
        return name, None, "上传的数据不完整，请重新选择文件"
    if len(data) * 3 // 4 > MAX_FILE_BYTES + 2:  # checked before decoding: the browser is not trusted
        return name, None, too_big(len(data) * 3 // 4)
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return name, None, "上传的数据不完整，请重新选择文件"
    if len(raw) > MAX_FILE_BYTES:
        return name, None, too_big(len(raw))
    return name, raw, None


def too_big(size: int) -> str:
    return f"文件有 {size / MB:.1f} MB，超过 {MAX_FILE_BYTES // MB} MB 的上限，未检查：请只保留要发布的表格后再上传"


# ---------------------------------------------------------------- the report (pure)


def report(items: list) -> list:
    """What the page shows for the files sent: per file its verdict and problems, then a preview."""
    if not isinstance(items, list) or not items:
        return []
    loaded: list[Loaded] = []
    refused: list[tuple[str, str]] = []
    for i, item in enumerate(items):
        # The browser marks files beyond the limit; a request that does not is cut short here.
        over = i >= MAX_FILES and isinstance(item, dict)
        name, raw, why = read_upload({**item, "skipped": "count"} if over else item)
        if raw is None:
            refused.append((name, why))
        else:
            loaded.append(load_bytes(name, raw))
    dataset = dataset_of(loaded)
    out = [make_refusal(name, why) for name, why in refused]
    kinds: dict[str, str] = {}
    for item in loaded:
        if item.schema is None:  # not a file of the contract: one line says why
            out.append(make_refusal(item.name, "；".join(p.message for p in item.problems)))
            continue
        out.append(make_file_card(item, dataset, kinds.get(item.schema.name)))
        kinds.setdefault(item.schema.name, item.name)
    out += make_preview(dataset)
    return out


def make_refusal(name: str, why: str) -> dbc.Alert:
    return dbc.Alert([html.Span(name, className="fw-semibold"), "：", why], color="danger", className="check-file")


def verdict(item: Loaded) -> tuple[str, str]:
    """(text, colour) of a file's verdict."""
    errors = [p for p in item.problems if p.level == "error"]
    if item.frame is None:
        return f"有 {len(errors)} 处错误：放进数据文件夹也不会载入，看板会继续使用原来的文件", "danger"
    return f"可以载入：{len(item.frame)} 行，编码 {item.encoding}", "success"


def make_file_card(item: Loaded, dataset: Dataset, duplicate: str | None) -> dbc.Card:
    text, colour = verdict(item)
    kind = (
        f"按表头识别为{item.schema.label}，放进数据文件夹时请命名为 {item.schema.file}"
        if item.by_header
        else item.schema.label
    )
    header = [
        html.Span(item.name, className="fw-semibold me-2"),
        html.Span(kind, className="text-muted me-2"),
        dbc.Badge(text, color=colour, className="check-verdict"),
    ]
    errors = [p for p in item.problems if p.level == "error"]
    warnings = [p for p in item.problems if p.level == "warning"]
    findings = [f for f in checks.findings(dataset) if f.file == item.name]
    body = []
    if duplicate:
        body.append(
            dbc.Alert(f"与 {duplicate} 是同一种数据，预览只用 {duplicate}。", color="warning", className="py-2")
        )
    for title, problems in (("错误", errors), ("提示", warnings), ("数据核验：数字不一致（已考虑四舍五入）", findings)):
        if problems:
            body += [
                html.Div(f"{title}（{len(problems)}）", className="fw-semibold mt-2"),
                make_problem_table(problems, with_file=False),
            ]
    if not body:
        body.append(html.Div("没有发现问题。", className="text-success"))
    return dbc.Card([dbc.CardHeader(header), dbc.CardBody(body)], className="mb-3 check-file")


def make_preview(dataset: Dataset) -> list:
    """The charts the loaded files would produce, each section at its latest year and first region."""
    parts = []
    for title, main, build in (
        ("税收返还和转移支付", ("transfers",), preview_transfers),
        ("政府债务", ("debt",), preview_debt),
        ("预算绩效管理", ("evaluations", "grades"), preview_performance),
    ):
        frames = [dataset.frame(n) for n in main]
        years = years_of(*frames)
        if not years:
            continue
        year, regions = years[0], regions_of(*frames)
        scope = (
            f"{year}年 {regions[0]}（文件中共 {len(years)} 个年度、{len(regions)} 个地区，预览最近年度的第一个地区）"
        )
        parts += [html.H4(f"预览：{title}", className="mt-4 mb-1"), html.P(scope, className="small text-muted")]
        parts += build(dataset, year, regions[0])
    for section in (page.section for page in SECTION_PAGES):
        indicators = section_rows(dataset, "indicators", section, None, None)
        notes = section_rows(dataset, "notes", section, None, None)
        if len(indicators) or len(notes):
            parts.append(html.H4(f"预览：{section}的指标与文字说明", className="mt-4 mb-1"))
            parts += [dbc.Row(make_indicator_cards(indicators))] + make_notes_card(notes)
    if not parts and any(s.status == "loaded" for s in dataset.files.values()):
        parts.append(make_empty_state("文件可以载入，但没有可预览的数据行。"))
    return parts


def preview_transfers(dataset: Dataset, year: int, region: str) -> list:
    m = transfers_model.model(dataset, year, region)
    cats = transfers_model.chart_frame(m)
    # A 10 MB file may list 100,000 items: a table that long would stall the browser, not inform.
    table = (
        transfers.make_table(m)
        if len(m.items) <= MAX_PREVIEW_ITEMS
        else make_empty_state(f"明细项目有 {len(m.items):,} 项，预览略去明细表。")
    )
    return [
        dbc.Row(transfers.make_kpis(m)),
        dbc.Row(
            [
                dbc.Col(
                    graph("transfers-bars", transfers.fig_budget_vs_prior(cats, m.unit), "预算数与上年执行数"), lg=6
                ),
                dbc.Col(graph("transfers-waterfall", transfers.fig_waterfall(cats, m.unit), "增减分解"), lg=6),
            ]
        ),
        dbc.Card(dbc.CardBody(table), className="mb-3"),
    ]


def preview_debt(dataset: Dataset, year: int, region: str) -> list:
    m = debt_model.model(dataset, year, region)
    return [
        dbc.Row(debt.make_kpis(m)),
        dbc.Row(
            [
                dbc.Col(graph("debt-composition", debt.fig_composition(m), "年末债务余额构成"), lg=6),
                dbc.Col(graph("debt-flows", debt.fig_flows(m), "新增债券与还本付息"), lg=6),
            ]
        ),
    ]


def preview_performance(dataset: Dataset, year: int, region: str) -> list:
    m = performance.model(dataset, year, region)
    return [
        dbc.Row(performance.make_kpis(m)),
        dbc.Row(
            [
                dbc.Col(graph("performance-grades", performance.fig_grades(m), "评价等级分布"), lg=6),
                dbc.Col(graph("performance-types", performance.fig_target_types(m), "评价对象类型"), lg=6),
            ]
        ),
    ]


def graph(name: str, figure, title: str) -> dbc.Card:
    return make_graph(ids.check_preview(name), figure, f"数据检查_{title}", title)


# ---------------------------------------------------------------- callbacks


def client_config() -> dict:
    """The upload limits the browser applies before sending (readUploads in assets/clientside.js)."""
    return {"upload_limits": {"file": MAX_FILE_BYTES, "total": MAX_TOTAL_BYTES, "files": MAX_FILES}}


def register_callbacks(app, _source: DataSource) -> None:
    # In the browser: an oversized file is named, not sent (the server checks again).
    app.clientside_callback(
        ClientsideFunction(namespace="dashboard", function_name="readUploads"),
        Output(ids.CHECK_FILES, "data"),
        Input(ids.CHECK_UPLOAD, "contents"),
        State(ids.CHECK_UPLOAD, "filename"),
        State(ids.CLIENT_CONFIG, "data"),
        prevent_initial_call=True,
    )

    @app.callback(Output(ids.CHECK_REPORT, "children"), Input(ids.CHECK_FILES, "data"), prevent_initial_call=True)
    def check_files(items):
        return report(items or [])
