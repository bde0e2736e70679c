"""The briefing deck: one slide per chart in the budget report's order, for /present and the exports.

The same slides feed briefing mode, the PowerPoint deck and the PDF report, so what is said on
the projector, in the deck and on paper is the same sentence.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import pandas as pd

from components import debt, ids, monitor, monitor_export, overview, palette, performance, transfers
from components.data import Dataset
from components.filters import latest_up_to, regions_of, select, years_of
from components.layout import section_rows
from components.pages import BY_KEY, SECTION_PAGES, Page, page_of_section
from components.plotdict import Fig
from components.sections import debt as debt_model
from components.sections import performance as performance_model
from components.sections import transfers as transfers_model
from components.state import ViewState, from_url, parse_query
from components.theme import (
    FONT,
    MISSING,
    UNIT_FACTORS,
    fmt_datetime,
)

SECTIONS = ("总览", "转移支付", "政府债务", "绩效管理", "存在的问题与下一步")
MIN_FONT = 24  # px: readable from the back of a room at 1920×1080
CONTRAST = {"paper": "#000000", "ink": "#FFFFFF", "grid": "#4B5563"}
OPENING_FILES = ("transfers", "debt", "evaluations", "grades", "indicators")
NOTE_GROUPS = ("存在的问题", "下一步")  # notes.csv titles that open with these close the deck


@dataclass(frozen=True)
class Slide:
    section: str
    title: str
    sentences: list[str]
    figure: Fig | None = None
    source: str = ""
    points: list[tuple[str, str]] = field(default_factory=list)  # (heading, text) on text slides

    @property
    def page(self) -> Page:
        """The dashboard page this slide's section returns to."""
        return page_of_section(self.section)


@dataclass(frozen=True)
class Deck:
    title: str
    region: str | None
    year: int | None
    slides: list[Slide]
    data_date: str
    query: dict[str, list[str]]
    views: dict[str, ViewState] = field(default_factory=dict)  # each section's view (its own year), by page key


def sources_of(*frames: pd.DataFrame) -> str:
    found: dict[str, None] = {}
    for frame in frames:
        if "source" in frame:
            found.update(dict.fromkeys(s for s in frame["source"] if s))
    return "；".join(found) or "数据文件未注明来源"


def section_view(dataset: Dataset, query, page: str, year, region, unit) -> ViewState | None:
    """The section's view in a deck of `year`: its latest year up to that one, the page's own
    filters from the URL as far as the data has them; None when the section has no such year."""
    sy = overview.section_year(dataset, BY_KEY[page].year_files, region, year)
    if sy is None:
        return None
    module = {"transfers": transfers, "debt": debt, "performance": performance, "monitor": monitor}[page]
    options = dataset.derived(f"{page}.options", module.filter_options)
    state, _notices = from_url(query, page, [sy], [region] if region else [], options)
    return state.with_(unit=unit if unit in UNIT_FACTORS else None)


def transfer_slides(dataset: Dataset, state: ViewState | None, year) -> list[Slide]:
    if state is None:
        return [Slide("转移支付", "税收返还和转移支付", [f"{year}年及以前暂无转移支付数据。"])]
    ty, region, selected = state.year, state.region, list(state.get("category"))
    frame = dataset.frame("transfers")
    m = transfers.model_for(dataset, ty, region, selected, state.unit)
    said = transfers.sentences(m)
    cats = transfers_model.chart_frame(m)
    source = sources_of(select(frame, ty, region))
    return [
        Slide(
            "转移支付",
            f"{ty}年{m.subject}：{transfers.titles(m.amount)['bars']}",
            said[ids.TRANSFERS_BARS],
            transfers.fig_budget_vs_prior(cats, m.unit),
            source,
        ),
        Slide(
            "转移支付",
            f"{ty}年{m.subject}：比上年执行数的增减",
            said[ids.TRANSFERS_WATERFALL],
            transfers.fig_waterfall(cats, m.unit),
            source,
        ),
        *trend_slides("转移支付", transfers.trend_charts(dataset, ty, region, selected, m.unit, m.subset), source),
    ]


def trend_slides(section: str, charts: list[tuple], source: str) -> list[Slide]:
    """The page's trend and region comparison, one slide each (the chart's title says what it shows)."""
    return [Slide(section, title, [], figure, source) for _id, figure, _file, title in charts]


def debt_slides(dataset: Dataset, state: ViewState | None, year) -> list[Slide]:
    if state is None:
        return [Slide("政府债务", "政府债务", [f"{year}年及以前暂无政府债务数据。"])]
    dy, region, selected = state.year, state.region, list(state.get("debt_type"))
    m = debt_model.model(dataset, dy, region, selected, state.unit)
    said = debt.sentences(m)
    source = "；".join(m.sources) or "数据文件未注明来源"
    return [
        Slide("政府债务", f"{dy}年末{m.subset or '政府债务'}余额构成", said[ids.DEBT_COMPOSITION], debt.fig_composition(m), source),
        Slide("政府债务", f"{dy}年{m.subset}新增债券与还本付息", said[ids.DEBT_FLOWS], debt.fig_flows(m), source),
        *trend_slides("政府债务", debt.trend_charts(dataset, dy, region, selected, m.unit), source),
    ]


def performance_slides(dataset: Dataset, state: ViewState | None, year) -> list[Slide]:
    if state is None:
        return [Slide("绩效管理", "预算绩效管理", [f"{year}年及以前暂无绩效评价数据。"])]
    py, region = state.year, state.region
    methods, target_types, grade = (list(state.get(n)) for n in ("method", "target_type", "grade"))
    m = performance.model(dataset, py, region, methods, target_types, grade, state.unit)
    said = performance.sentences(m)
    source = "；".join(m.sources) or "数据文件未注明来源"
    part = f"（{m.subset}）" if m.subset else ""
    types = Slide(
        "绩效管理",
        f"{py}年{'、'.join(x.name for x in m.methods) or '绩效评价'}对象类型{part}",
        said[ids.PERF_TYPES],
        performance.fig_target_types(m, target_types),
        source,
    )
    return [
        Slide("绩效管理", f"{py}年绩效评价结果等级分布{part}", said[ids.PERF_GRADES], performance.fig_grades(m, grade), source),
        *([types] if m.named or m.empty else []),  # a file that lists no evaluation has no types to show
        *trend_slides("绩效管理", performance.trend_charts(dataset, py, region, methods), source),
    ]


def monitor_slides(dataset: Dataset, state: ViewState | None, year) -> list[Slide]:
    """绩效监控 (monitor_export.slide_parts); none when the folder has no targets or execution."""
    if state is None:
        return [Slide(monitor_export.SECTION, "绩效运行监控", [f"{year}年及以前暂无绩效运行监控数据。"])]
    parts = monitor_export.slide_parts(dataset, state)
    return [Slide(monitor_export.SECTION, *part) for part in parts] or [
        Slide(monitor_export.SECTION, "绩效运行监控", [f"{state.year}年暂无绩效运行监控数据。"])
    ]


def latest_notes(dataset: Dataset, year, region) -> pd.DataFrame:
    """notes.csv rows of the latest year up to `year` for the region, as every section reads its own."""
    notes = dataset.frame("notes")
    ny = overview.section_year(dataset, ("notes",), region, year)
    return select(notes, ny, region) if ny is not None else notes.iloc[0:0]


def closing_slide(dataset: Dataset, year, region) -> Slide:
    """存在的问题与下一步: the headings of the notes that open with those words, as the report lists them."""
    rows = latest_notes(dataset, year, region)
    rows = rows[rows["title"].str.startswith(NOTE_GROUPS)]
    if rows.empty:
        return Slide("存在的问题与下一步", "存在的问题与下一步工作", ["文件未列出存在的问题与下一步工作思路。"])
    points = []
    for row in rows.itertuples():
        heading, _, text = row.title.partition("：")
        points.append((heading, text or row.text))
    return Slide(
        "存在的问题与下一步",
        f"{rows['year'].iloc[0]}年预算绩效管理存在的问题与下一步工作思路",
        [],
        source=sources_of(rows),
        points=points,
    )


def opening_slide(dataset: Dataset, year, region, unit) -> Slide:
    """总览: each section's headline sentence for the latest year up to the one chosen."""
    t_said = overview.transfer_cards(dataset, year, region, unit)[2]
    _c, _f, d_said = overview.debt_cards(dataset, year, region, unit)
    _c, _f, p_said = overview.performance_cards(dataset, year, region, unit)
    py = overview.section_year(dataset, ("indicators",), region, year)
    indicators = section_rows(dataset, "indicators", "绩效管理", py, region) if py else dataset.frame("indicators")[:0]
    said = t_said + d_said + p_said
    parts = performance_model.indicator_parts(indicators, unit if unit in UNIT_FACTORS else None)
    extra = "，".join(parts) + "。" if parts else ""
    return Slide(
        "总览",
        f"{region or ''}{year or ''}年财政预算公开要点",
        said + ([extra] if extra else []),
        # Every file its sentences come from: a grades.csv-only folder still names its document.
        source=sources_of(*(select(dataset.frame(n), region=region) for n in OPENING_FILES)),
    )


def view_state(dataset: Dataset, search: str) -> tuple[dict[str, list[str]], ViewState]:
    """The query and the deck's view (year, region, unit), without building any slide.

    Opened from a section page (`start=debt`), the URL's year is that section's year: the deck is
    the newest one whose section shows that year (from /debt?year=2022 of a 2023 budget
    explanation, whose debt figures are of 2022: the 2023 deck), never a deck of the year before."""
    query = parse_query(search)
    frames = [dataset.keys(n) for n in ("transfers", "debt", "evaluations", "grades", "indicators", "notes", "targets", "execution")]
    years, regions = years_of(*frames), regions_of(*frames)
    state, _notices = from_url(query, "overview", years, regions)
    start = BY_KEY.get((query.get("start") or [""])[0])
    if start is not None and start.section and "year" in query and state.year is not None:
        state = state.with_(year=deck_year(dataset, start, state.region, state.year, years))
    return query, state


def deck_year(dataset: Dataset, page: Page, region, year: int, years: list[int]) -> int:
    """The newest deck year in which `page`'s section shows `year` (`year` itself when none does)."""
    shown = overview.section_year(dataset, page.year_files, region, year)
    same = [y for y in years if overview.section_year(dataset, page.year_files, region, y) == shown]
    return latest_up_to(same, None) or year


def title_of(region: str | None, year: int | None) -> str:
    return f"{region or ''}{year or ''}年财政预算公开"


def deck_title(dataset: Dataset, search: str) -> str:
    """The deck's title alone (an export's file name, e.g. for HEAD): cheap, no figures."""
    _query, state = view_state(dataset, search)
    return title_of(state.region, state.year)


def deck(dataset: Dataset, search: str) -> Deck:
    """Every slide for the view named by the URL's query (year, region, unit and page filters)."""
    query, state = view_state(dataset, search)
    loaded = [s.modified for s in dataset.files.values() if s.modified is not None and s.status != "rejected"]
    data_date = fmt_datetime(max(loaded)) if loaded else MISSING
    year, region, unit = state.year, state.region, state.unit
    opening = opening_slide(dataset, year, region, unit)
    slides, left_out = [opening], []
    views = {page.key: section_view(dataset, query, page.key, year, region, unit) for page in SECTION_PAGES}
    makers = (transfer_slides, debt_slides, performance_slides, monitor_slides)
    for page, make in zip(SECTION_PAGES, makers, strict=True):
        made = make(dataset, views[page.key], year)
        if all(slide.figure is None and not slide.points for slide in made):
            # A section with no data for the view: one line on the cover, never an empty slide.
            left_out += [sentence for slide in made for sentence in slide.sentences]
        else:
            slides += made
    if left_out:
        opening.sentences[:] = [s for s in opening.sentences if s not in left_out]
        opening.sentences.append("本演示未包含：" + "".join(left_out))
    closing = closing_slide(dataset, year, region)
    if closing.points or closing.figure is not None:
        slides.append(closing)
    found = {key: view for key, view in views.items() if view is not None}
    return Deck(title_of(region, year), region, year, slides, data_date, query, found)


def projector(fig: Fig, contrast: bool = False, height: int | None = None) -> Fig:
    """A copy of a chart for a projector or a slide: no text under 24 px; white on black when asked.
    Plain dicts (no go.Figure), so /present loads no validators; the view's own figure is untouched."""
    fig = copy.deepcopy(fig)
    fig.update_layout(font=dict(family=FONT, size=MIN_FONT), legend_font_size=MIN_FONT)
    if height:
        fig.update_layout(height=height)
    fig.update_traces(textfont_size=MIN_FONT, selector=lambda t: t.type in ("bar", "pie"))
    fig.update_xaxes(tickfont_size=MIN_FONT, title_font_size=MIN_FONT)
    fig.update_yaxes(tickfont_size=MIN_FONT, title_font_size=MIN_FONT)
    notes = fig["layout"].get("annotations", [])
    for note in notes:
        font = note.setdefault("font", {})
        font["size"] = max(font.get("size") or 0, MIN_FONT)
        # The small print inside annotations (sizes set in span styles) goes too.
        note["text"] = note.get("text", "").replace("font-size:12px", f"font-size:{MIN_FONT}px")
    if contrast:
        fig.update_layout(
            paper_bgcolor=CONTRAST["paper"],
            plot_bgcolor=CONTRAST["paper"],
            font_color=CONTRAST["ink"],
        )
        fig.update_xaxes(linecolor=CONTRAST["ink"], gridcolor=CONTRAST["grid"])
        fig.update_yaxes(linecolor=CONTRAST["ink"], gridcolor=CONTRAST["grid"], zerolinecolor=CONTRAST["ink"])
        for note in notes:
            note["font"]["color"] = CONTRAST["ink"]
        palette.recolour(fig)  # each mark in its counterpart that holds 6:1 on black
        fig.update_traces(marker_line_color=CONTRAST["paper"], selector=dict(type="pie"))
    return fig
