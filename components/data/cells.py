"""One cell: cleaning, numbers, years, units; one file's bytes: decoding."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date
from decimal import Decimal

from components.data.schema import MISSING_MARKS, MONEY_FACTORS, MONEY_UNIT_SYNONYMS, CellError, clean, shown

# ---------------------------------------------------------------- cell parsers

_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:\.\d+)?[eE][+-]?\d+$")
_YEAR = re.compile(r"^(\d{4})(?:年度?)?$")
# 2023/1/15 too: what Excel writes for a date cell in a CSV on Chinese Windows
_DATE = re.compile(r"^(\d{4})(?:([-/])(\d{1,2})(?:\2(\d{1,2}))?|年(\d{1,2})月(?:(\d{1,2})日)?)$")
DATE_EXPECTED = "日期，如 2023-01-15、2023年1月15日 或 2023年1月"
NUMBER_EXPECTED = "数字（如 1722、1,722.50 或 -59.15），空白或“-”表示未公布"




def is_missing_mark(text: str) -> bool:
    return clean(text) in MISSING_MARKS


def parse_number(text: str, percent: bool = False) -> float | None:
    """A published number; None when the cell says "not stated". Raises CellError."""
    raw = clean(text)
    if raw in MISSING_MARKS:
        return None
    s = unicodedata.normalize("NFKC", raw).replace(" ", "").replace("\u2212", "-")
    if s.endswith("%"):
        if not percent:
            raise CellError(f"「{shown(raw)}」带百分号，但这一列不是百分比", "不带 % 的数字")
        s = s[:-1]
    if _NUMBER.match(s):
        return float(s.replace(",", ""))
    if _SCIENTIFIC.match(s):
        raise CellError(
            f"「{shown(raw)}」是科学计数法（Excel 列宽不够时会这样保存，可能丢失精度）",
            "完整数字：请在 Excel 中把该列设为“数值”格式后重新保存",
        )
    raise CellError(f"「{shown(raw)}」不是数字", NUMBER_EXPECTED)


def printed(text: str) -> str:
    """A number's printed text, normalised: what the document shows, without thousands
    separators, spaces, a leading + or a trailing % ("1,722.00" → "1722.00"); "" when not stated.
    Only for a cell parse_number() accepted."""
    raw = clean(text)
    if raw in MISSING_MARKS:
        return ""
    s = unicodedata.normalize("NFKC", raw).replace(" ", "").replace("\u2212", "-").replace(",", "")
    return s.removesuffix("%").removeprefix("+")


def parse_date(text: str) -> str:
    """2023-01-15, 2023年1月15日 or 2023年1月 → "2023-01-15" or "2023-01". Raises CellError."""
    s = unicodedata.normalize("NFKC", clean(text)).replace(" ", "")
    m = _DATE.match(s)
    if m and 1949 <= int(m.group(1)) <= 2100:
        year, month, day = int(m.group(1)), int(m.group(3) or m.group(5)), m.group(4) or m.group(6)
        try:
            return date(year, month, int(day)).isoformat() if day else date(year, month, 1).isoformat()[:7]
        except ValueError:
            pass
    raise CellError(f"「{shown(text)}」不是日期", DATE_EXPECTED)


def printed_column(alias: str) -> str:
    """The column holding a number's printed text (normalised by printed())."""
    return f"_p_{alias}"


def half_unit(text: str) -> float:
    """Half a unit of the last printed digit: 4.50 stands for anything in [4.495, 4.505).

    NaN for a bare zero: tables of 4.50 and 56.21 print nothing as "0", which shows no
    precision of its own; the checks give it that of the figures it is compared with.
    """
    s = unicodedata.normalize("NFKC", clean(text)).rstrip("%").strip()
    if "." in s:
        return 0.5 * 10 ** -(len(s) - s.index(".") - 1)
    return math.nan if s.lstrip("+-").strip("0") == "" else 0.5


def margin(alias: str) -> str:
    """The column holding a number's rounding margin (same unit as the number)."""
    return f"_m_{alias}"


def parse_year(text: str) -> int:
    s = unicodedata.normalize("NFKC", clean(text))
    m = _YEAR.match(s)
    if not m or not 1949 <= int(m.group(1)) <= 2100:
        raise CellError(f"「{shown(text)}」不是年度", "四位年份，如 2023 或 2023年")
    return int(m.group(1))


def money_unit(text: str) -> str | None:
    s = unicodedata.normalize("NFKC", clean(text)).replace(" ", "")
    s = MONEY_UNIT_SYNONYMS.get(s, s)
    return s if s in MONEY_FACTORS else None


# ---------------------------------------------------------------- decoding


def line_of(raw: bytes, offset: int) -> int:
    """The line (from 1) on which byte `offset` stands."""
    return raw.count(b"\n", 0, offset) + 1


def decode(raw: bytes) -> tuple[str, str]:
    """Text and encoding name. UTF-8 (with or without BOM), then GB18030 (⊃ GBK).

    A file that is neither raises CellError with the line of the first bad byte.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CellError("文件是 UTF-16 编码", "UTF-8 或 GBK：在 Excel 中另存为“CSV UTF-8（逗号分隔）”", 1)
    if (nul := raw.find(b"\x00")) >= 0:
        raise CellError("文件含有空字节，不是文本 CSV 文件", "逗号分隔的文本文件（.csv）", line_of(raw, nul))
    try:
        return raw.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "GBK/GB18030"
    except UnicodeDecodeError as exc:
        raise CellError(
            f"文件编码无法识别（第 {exc.start + 1} 个字节起既不是 UTF-8 也不是 GBK）",
            "UTF-8 或 GBK：在 Excel 中另存为“CSV UTF-8（逗号分隔）”",
            line_of(raw, exc.start),
        ) from None


def rescaled(text: str, unit: str, into: str) -> str:
    """A printed number in `unit` written in the larger unit `into`, exactly ("2326", 万元, 亿元 → "0.2326");
    a 0 stays as printed (「没有还本」 is 0 in any unit, not 0.0000)."""
    shift = round(math.log10(MONEY_FACTORS[unit] / MONEY_FACTORS[into]))
    number = Decimal(text) if text and shift else None
    return format(number.scaleb(shift), "f") if number else text
