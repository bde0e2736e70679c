"""Generated files thrown at the loader: it never crashes or hangs, every error names file and
line, and a well-formed table reads back exactly, whatever its encoding, column order or case."""

from __future__ import annotations

import csv
import io
import math
import time
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components import checks, vocab
from components.data import (
    MISSING_MARKS,
    MONEY_FACTORS,
    SCHEMAS,
    clean,
    dataset_of,
    load_bytes,
    parse_bytes,
)

# Enough examples to find what the hand-written tests missed (a giant cell crashed the csv
# module; an unclosed quote swallowed the rest of a file), few enough for about 30 s in all.
EXAMPLES = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ENCODINGS = ["utf-8", "utf-8-sig", "gbk", "gb18030"]
TAGS_AND_FORMULAS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<b>粗</b>",
    '=HYPERLINK("http://example.com","点此")',
    "=1+2",
    "+SUM(A1:A9)",
    "@cmd",
    "&lt;b&gt;",
]


def check_reported(problems, file: str, raw: bytes) -> None:
    """Every problem names the file; every error names a line that exists (or the one after the last)."""
    last = raw.count(b"\n") + raw.count(b"\r") + 1  # \r-only files count their lines by \r
    for problem in problems:
        assert problem.file == file
        if problem.level == "error":
            assert problem.line is not None and 1 <= problem.line <= last + 1, problem
        assert len(problem.message) < 400, "a message quotes a cell in part only"


# ---------------------------------------------------------------- anything at all


@EXAMPLES
@given(raw=st.binary(max_size=3000), name=st.sampled_from(sorted(SCHEMAS)))
def test_random_bytes_never_crash_and_every_error_names_file_and_line(raw, name):
    schema = SCHEMAS[name]
    frame, problems, _ = parse_bytes(schema, raw)
    assert frame is not None or any(p.level == "error" for p in problems)
    check_reported(problems, schema.file, raw)


NAMES = [name for s in SCHEMAS.values() for c in s.columns for name in (c.name, c.alias)]


def misspell(draw, name: str) -> str:
    i = draw(st.integers(0, len(name) - 1))
    return name[:i] + draw(st.sampled_from(["", "x", "　", "（", name[i] * 2])) + name[i + 1 :]


@st.composite
def csvish(draw) -> bytes:
    """Text shaped like the contract's tables: real, shuffled, misspelled and unknown headers over
    cells of numbers, marks, synonyms, tags, formulas, quotes and line breaks."""
    header = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=12))
    header = [misspell(draw, h) if draw(st.booleans()) and draw(st.booleans()) else h for h in header]
    cell = st.one_of(
        st.sampled_from(sorted(MISSING_MARKS) + ["0", "1,722", "4.50", "-59.15%", "1.2E+03", "2023年", "亿元"]),
        st.sampled_from([*vocab.CATEGORIES, *vocab.DEBT_TYPES, *vocab.GRADES, "合计", "返还性收入", "优秀"]),
        st.from_regex(r"[+-]?\d{1,7}(\.\d{1,4})?%?", fullmatch=True),
        st.sampled_from(TAGS_AND_FORMULAS + ['"', '""', "\n", "\r\n", ",", "\t", "\\"]),
        st.text(max_size=15),
    )
    rows = draw(st.lists(st.lists(cell, max_size=14), max_size=25))
    out = io.StringIO()
    writer = csv.writer(
        out, quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONE])), escapechar="\\"
    )
    for row in [header, *rows]:
        writer.writerow(row if row != [""] else [])  # the csv module cannot write [""] unquoted
    text = out.getvalue()
    if draw(st.booleans()):  # cut anywhere, as a half-written file would be
        text = text[: draw(st.integers(0, len(text)))]
    return text.encode(draw(st.sampled_from(["utf-8", "gb18030"])), errors="replace")


@EXAMPLES
@given(raw=csvish(), name=st.sampled_from(sorted(SCHEMAS)))
def test_table_shaped_text_never_crashes_and_what_loads_can_be_checked(raw, name):
    loaded = load_bytes(name + ".csv", raw)
    check_reported(loaded.problems, name + ".csv", raw)
    dataset = dataset_of([loaded])
    for finding in checks.findings(dataset):  # the checks take whatever the loader lets through
        assert finding.file == name + ".csv" and finding.lines


# ---------------------------------------------------------------- a well-formed table reads back exactly

PLAIN_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029"),
    max_size=12,
)
NOTE = st.one_of(PLAIN_TEXT, st.sampled_from(TAGS_AND_FORMULAS), st.text(alphabet="甲乙,\"'\n\r\t <>=&", max_size=12))
KEY_TEXT = PLAIN_TEXT.map(clean).filter(lambda t: t and t not in MISSING_MARKS and t.lower() != "nan")


@st.composite
def amount(draw) -> tuple[str, Decimal | None]:
    """A number as a person or Excel prints it, with its value; or a mark for "not stated"."""
    if draw(st.integers(0, 5)) == 0:
        return draw(st.sampled_from(sorted(MISSING_MARKS))), None
    value = Decimal(draw(st.integers(-(10**9), 10**9))) / 10 ** draw(st.integers(0, 2))
    text = f"{value:,}" if draw(st.booleans()) and abs(value) >= 1000 else f"{value}"
    return text, value


@st.composite
def transfers_table(draw):
    """(header, rows, expected rows) for transfers.csv: the text and what it must read as."""
    keys = st.tuples(
        st.integers(1949, 2100), KEY_TEXT, st.one_of(st.sampled_from(vocab.CATEGORIES), KEY_TEXT), PLAIN_TEXT
    )
    unique = draw(
        st.lists(
            keys,
            min_size=1,
            max_size=8,
            unique_by=lambda k: (k[0], k[1], vocab.CATEGORY_SYNONYMS.get(k[2], k[2]), clean_text(k[3])),
        )
    )
    rows, expected = [], []
    for year, region, category, item in unique:
        (budget, b_value), (prior, p_value) = draw(amount()), draw(amount())
        unit = draw(st.sampled_from(["", "元", "万元", "亿元"]))
        note = draw(NOTE)
        year_text = draw(st.sampled_from([f"{year}", f"{year}年", f" {year} "]))
        rows.append(
            {
                "年度": year_text,
                "地区": region,
                "类别": category,
                "项目": item,
                "预算数": budget,
                "上年执行数": prior,
                "单位": unit,
                "说明": note,
            }
        )
        factor = Decimal(str(MONEY_FACTORS[unit or "万元"]))
        expected.append(
            {
                "year": year,
                "region": region,
                "category": vocab.CATEGORY_SYNONYMS.get(category, category),
                "item": clean_text(item),
                "budget": None if b_value is None else float(b_value * factor),
                "prior_actual": None if p_value is None else float(p_value * factor),
                "note": clean_text(note),
            }
        )
    return rows, expected


def clean_text(text: str) -> str:
    text = clean(text)
    return "" if text in MISSING_MARKS else text


def header_name(draw, chinese: str) -> str:
    """The Chinese name or the English alias in any case, with spaces around."""
    col = next(c for c in SCHEMAS["transfers"].columns if c.name == chinese)
    name = draw(st.sampled_from([col.name, col.alias, col.alias.upper(), col.alias.title()]))
    return draw(st.sampled_from(["", " ", "\u3000"])) + name + draw(st.sampled_from(["", " "]))


@EXAMPLES
@given(data=st.data(), table=transfers_table(), encoding=st.sampled_from(ENCODINGS))
def test_a_well_formed_table_reads_back_exactly_in_any_encoding_order_and_case(data, table, encoding):
    rows, expected = table
    columns = data.draw(st.permutations(list(rows[0])))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([header_name(data.draw, c) for c in columns])
    for row in rows:
        writer.writerow([row[c] for c in columns])
    text = out.getvalue()
    try:
        raw = text.encode(encoding)
    except UnicodeEncodeError:  # GBK lacks some characters; GB18030 has them all
        raw = text.encode("gb18030")
    frame, problems, _ = parse_bytes(SCHEMAS["transfers"], raw)
    assert [p for p in problems if p.level == "error"] == [], problems
    for got, want in zip(frame.to_dict("records"), expected, strict=True):
        for key, value in want.items():
            if key in ("budget", "prior_actual"):
                assert (value is None and math.isnan(got[key])) or got[key] == pytest.approx(value), key
            else:
                assert got[key] == value, key


@EXAMPLES
@given(
    missing=st.sampled_from(["年度", "地区", "类别"]),
    spelled=st.sampled_from(["年 度", "年度度", "Yeer", "地 区", "类別", "catgory"]),
)
def test_a_misspelled_required_header_is_named_on_the_header_line_and_nothing_loads(missing, spelled):
    header = ["年度", "地区", "类别", "预算数"]
    header[header.index(missing)] = spelled
    raw = (",".join(header) + "\n2023,A,税收返还,1\n").encode()
    frame, problems, _ = parse_bytes(SCHEMAS["transfers"], raw)
    assert frame is None
    assert any(p.line == 1 and p.column == missing and "缺少必需列" in p.message for p in problems)
    assert any(p.level == "warning" and spelled.strip() in p.message for p in problems)


# ---------------------------------------------------------------- huge cells, many rows


@pytest.mark.parametrize("size,loads", [(100_000, True), (131_072, True), (131_073, False), (2_000_000, False)])
def test_huge_cells_load_up_to_the_csv_limit_and_are_an_error_on_their_line_beyond(size, loads):
    raw = f"年度,地区,类别,说明\n2023,A,税收返还,{'说' * size}\n2023,A,专项转移支付,x\n".encode()
    started = time.monotonic()
    loaded = load_bytes("transfers.csv", raw)
    assert time.monotonic() - started < 5
    assert (loaded.frame is not None) is loads
    if not loads:
        (problem,) = loaded.problems
        assert problem.line == 2 and "超过" in problem.message


def test_a_huge_header_cell_is_not_a_slow_regex():
    raw = ("年度,地区,类别,a" + " " * 100_000 + "b)\n2023,A,税收返还\n").encode()
    started = time.monotonic()
    loaded = load_bytes("transfers.csv", raw)
    assert time.monotonic() - started < 2
    (warning,) = loaded.problems
    assert warning.level == "warning" and len(warning.message) < 200


def test_a_hundred_thousand_rows_load_and_are_checked_in_seconds():
    lines = ["年度,地区,类别,项目,预算数,上年执行数,增减额,说明"]
    categories = vocab.CATEGORIES
    for i in range(100_000):
        budget, prior = i % 997 + 0.25, i % 991 + 0.5
        lines.append(f"2023,甲区,{categories[i % 3]},项目{i},{budget},{prior},{budget - prior:.2f},<b>{i}</b>")
    lines.append("2023,甲区,税收返还,项目6,1,2,,重复")  # a duplicate at the very end is still found
    raw = ("\n".join(lines) + "\n").encode()
    started = time.monotonic()
    loaded = load_bytes("transfers.csv", raw)
    assert loaded.frame is None
    (problem,) = loaded.problems
    assert problem.line == 100_002 and "第8行" in problem.message
    good = load_bytes("transfers.csv", raw.rsplit(b"\n", 2)[0] + b"\n")
    assert len(good.frame) == 100_000
    assert checks.findings(dataset_of([good])) == []
    assert time.monotonic() - started < 45
