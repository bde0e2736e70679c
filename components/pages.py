"""The one registry of the dashboard's pages: path, title, section, filters, files, year rule.

Navigation, routing, the URL's parameters, the footer's files, the guard's allowed values and
briefing mode's way back to a page all read it; nothing else lists the pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from components.data import SCHEMAS


@dataclass(frozen=True)
class Page:
    key: str
    path: str
    title: str  # the nav label
    section: str | None = None  # its rows of indicators.csv and notes.csv (转移支付 · 政府债务 · 绩效管理)
    files: tuple[str, ...] = ()  # the files whose rows it shows; () for the 数据检查 page
    params: tuple[str, ...] = ()  # its own multi-select filters, each a URL parameter that may repeat
    # The default year rule: the page offers the years of these files and opens at the newest
    # one not after the year asked for (the newest overall when none is asked or none is earlier).
    year_files: tuple[str, ...] = ()

    @property
    def filtered(self) -> bool:
        """Whether it takes year, region and unit (and shows the folder's data at all)."""
        return bool(self.files)


FILTER_LABELS = {"category": "类别", "debt_type": "债务类型", "method": "评价方式", "target_type": "对象类型", "grade": "等级"}
FILTER_LABELS["agency"] = "预算单位"  # 绩效监控

PAGES: tuple[Page, ...] = (  # report order
    Page("overview", "/", "总览", None, tuple(SCHEMAS), (), tuple(SCHEMAS)),
    Page("transfers", "/transfers", "转移支付", "转移支付", ("transfers",), ("category",), ("transfers",)),
    Page("debt", "/debt", "政府债务", "政府债务", ("debt",), ("debt_type",), ("debt",)),
    Page(
        "performance",
        "/performance",
        "绩效管理",
        "绩效管理",
        ("evaluations", "grades"),
        ("method", "target_type", "grade"),
        ("evaluations", "grades"),
    ),
    Page("monitor", "/monitor", "绩效监控", "绩效监控", ("targets", "execution"), ("agency",), ("targets", "execution")),
    Page("check", "/check", "数据检查"),
)
BY_KEY = {page.key: page for page in PAGES}
BY_PATH = {page.path: page for page in PAGES}
BY_SECTION = {page.section: page for page in PAGES if page.section}
SECTION_PAGES = tuple(page for page in PAGES if page.section)  # the sections (绩效监控 the fourth), in report order

PRESENT_PATH = "/present"
EXPORTS = {  # kind → (path, label); each takes the page's own query
    "pptx": ("/export/slides.pptx", "演示文稿（PPTX）"),
    "pdf": ("/export/report.pdf", "A4 报告（PDF）"),
    "xlsx": ("/export/data.xlsx", "数据表（Excel）"),
    "docx": ("/export/report.docx", "预算说明（Word）"),
}


def page_of_section(section: str) -> Page:
    """The page a slide of this section returns to (总览 and the closing slide: the overview's or
    绩效管理's, as the deck names them)."""
    return BY_SECTION.get(section) or (BY_KEY["overview"] if section == "总览" else BY_KEY["performance"])
