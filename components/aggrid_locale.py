"""AG Grid's own zh-CN texts (filter menus, pagination), from @ag-grid-community/locale (MIT)."""

import json
from functools import cache
from pathlib import Path

LOCALE_FILE = Path(__file__).with_name("ag_grid_locale_zh_cn.json")


@cache
def ag_grid_locale() -> dict[str, str]:
    return json.loads(LOCALE_FILE.read_text(encoding="utf-8"))


# Every list on the dashboard: sortable, filterable, wrapped, paged in Chinese.
DEFAULT_COLUMN = {"sortable": True, "filter": True, "resizable": True, "wrapText": True, "autoHeight": True}
# A list that comes a page at a time (rowModelType "infinite") cannot size its rows to their text
# (AG Grid warns and ignores autoHeight): rows of two lines and wrapped headers instead, so that a long
# name (基层医疗卫生机构与省直中医院联体运营) is not cut off mid-word at a projector's width.
PAGED_COLUMN = {
    **{k: v for k, v in DEFAULT_COLUMN.items() if k != "autoHeight"},
    "wrapHeaderText": True,
    "autoHeaderHeight": True,
    "cellStyle": {"lineHeight": "1.4", "paddingTop": "6px", "paddingBottom": "6px"},
}
PAGED_ROW_HEIGHT = 58  # px: two lines of 14 px text at line height 1.4, and the padding


def grid_options(no_rows: str, page_size: int, **more) -> dict:
    """dashGridOptions with the zh-CN texts, `no_rows` where the list is empty, `page_size` rows a page."""
    return {
        "localeText": {**ag_grid_locale(), "noRowsToShow": no_rows},
        "domLayout": "autoHeight",
        "pagination": True,
        "paginationPageSize": page_size,
        "paginationPageSizeSelector": False,
        **more,
    }
