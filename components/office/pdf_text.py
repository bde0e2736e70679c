"""The PDF's text as a reader searches and copies it: 执行, not 执⾏.

Noto Sans CJK draws a Kangxi radical (⾏ U+2F8F) and its ideograph (行 U+884C) with one glyph, and
Chromium's PDF writer names the glyph by the first code point it finds for it: the radical. So
「执行」 copied out of the report, or searched for, is 「执⾏」. Each font's ToUnicode map is
rewritten here: a radical or compatibility ideograph becomes the ideograph it stands for (its
NFKC form), which is what the page's text was.
"""

from __future__ import annotations

import io
import re
import unicodedata

from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, StreamObject

HEX = re.compile(rb"<([0-9A-Fa-f]{2,8})>")
BLOCKS = re.compile(rb"(beginbfchar|beginbfrange)(.*?)(endbfchar|endbfrange)", re.S)


# The simplified radicals (CJK Radicals Supplement) have no NFKC form: the ideograph each one is.
SIMPLIFIED = {
    0x2E9F: "母", 0x2EA0: "民", 0x2EC4: "西", 0x2EC5: "见", 0x2EC6: "角", 0x2EC8: "讠", 0x2EC9: "贝",
    0x2ECB: "车", 0x2ECF: "阝", 0x2ED1: "長", 0x2ED3: "长", 0x2ED4: "门", 0x2ED6: "阝", 0x2ED7: "雨",
    0x2ED8: "青", 0x2EDA: "页", 0x2EDB: "风", 0x2EDC: "飞", 0x2EDD: "食", 0x2EE2: "马", 0x2EE3: "骨",
    0x2EE4: "鬼", 0x2EE5: "鱼", 0x2EE6: "鸟", 0x2EE8: "麦", 0x2EE9: "黄", 0x2EEC: "齐", 0x2EEE: "齿",
    0x2EF0: "龙", 0x2EF3: "龟",
}  # fmt: skip


def _plain(code: int) -> int:
    """The ideograph a radical (⾏) or compatibility ideograph stands for; other code points as they are."""
    if code in SIMPLIFIED:
        return ord(SIMPLIFIED[code])
    if 0x2E80 <= code <= 0x2FDF or 0xF900 <= code <= 0xFAFF or 0x2F800 <= code <= 0x2FA1F:
        text = unicodedata.normalize("NFKC", chr(code))
        if len(text) == 1:
            return ord(text)
    return code


def _destination(match: re.Match) -> bytes:
    hex_text = match.group(1)
    if len(hex_text) != 4:
        return match.group(0)
    code = int(hex_text, 16)
    return b"<%04X>" % _plain(code)


def _rewrite(cmap: bytes) -> bytes:
    """Every destination code of the map's bfchar and bfrange lines (the last <…> of each line)."""

    def block(m: re.Match) -> bytes:
        lines = []
        for line in m.group(2).split(b"\n"):
            codes = list(HEX.finditer(line))
            if len(codes) >= 2:
                last = codes[-1]
                line = line[: last.start()] + _destination(last) + line[last.end() :]
            lines.append(line)
        return m.group(1) + b"\n".join(lines) + m.group(3)

    return BLOCKS.sub(block, cmap)


def plain_text(pdf: bytes) -> bytes:
    """The PDF with each font's ToUnicode map naming ideographs, not radicals (the page's fonts
    and those of the charts, which are drawn as form XObjects with fonts of their own)."""
    # Incremental: only the rewritten maps are appended, the rest of the file is kept as it is.
    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    changed = 0
    for obj in [writer.get_object(i + 1) for i in range(len(writer._objects))]:
        if not isinstance(obj, DictionaryObject) or "/ToUnicode" not in obj:
            continue
        stream = obj["/ToUnicode"].get_object()
        if not isinstance(stream, StreamObject):
            continue
        before = stream.get_data()
        after = _rewrite(before)
        if after != before:
            stream.set_data(after)
            changed += 1
    if not changed:
        return pdf
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
