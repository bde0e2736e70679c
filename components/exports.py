"""The exports of a view, by format (components/office/): a PowerPoint deck with native charts,
the published tables as an Excel workbook, the 预算说明 as a Word document, an A4 PDF report.

The serving (export_serving.py) and the tests look the builders up here at call time.
"""

from __future__ import annotations

from components.office.chromium import (
    CHROMIUM_FLAGS,
    RENDER_TIMEOUT,
    RENDERER,
    ChartRenderer,
    ExportError,
    browser_path,
)
from components.office.pdf import pdf_bytes, report_html, table_html
from components.office.slides import pptx_bytes
from components.office.tables import section_tables, view_tables
from components.office.word import docx_bytes
from components.office.workbook import workbook_bytes

__all__ = [
    "CHROMIUM_FLAGS",
    "RENDERER",
    "RENDER_TIMEOUT",
    "ChartRenderer",
    "ExportError",
    "browser_path",
    "docx_bytes",
    "pdf_bytes",
    "pptx_bytes",
    "report_html",
    "section_tables",
    "table_html",
    "view_tables",
    "workbook_bytes",
]
