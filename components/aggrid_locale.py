"""AG Grid's own zh-CN texts (filter menus, pagination), from @ag-grid-community/locale (MIT)."""

import json
from functools import cache
from pathlib import Path

LOCALE_FILE = Path(__file__).with_name("ag_grid_locale_zh_cn.json")


@cache
def ag_grid_locale() -> dict[str, str]:
    return json.loads(LOCALE_FILE.read_text(encoding="utf-8"))
