"""Aggregates across regions or years, computed by DuckDB from a file's Parquet entry.

A region comparison or a trend reads one year of every region (or every year of one region):
DuckDB reads just those columns and row groups of the entry that cache.py keeps on disk, so
the workers share the file through the OS page cache instead of each scanning its own frame.
Money is summed as DECIMAL from the printed texts, so a sum is exact, as Figure sums are.

Every function returns None where it cannot answer exactly as the frame would: no entry
(files given as bytes, no writable cache folder), an entry changed since the snapshot was
composed, a data set too small to need it (QUERY_DUCKDB_MIN_ROWS), a figure without its printed
text, QUERY_DUCKDB=0, or any DuckDB error. The caller
then computes the same from the frame with pandas.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from pathlib import Path

import pandas as pd

SCALE = 12  # decimals DuckDB keeps while summing: a printed figure with more is left to pandas
MIN_ROWS = 500_000  # QUERY_DUCKDB_MIN_ROWS: a data set this large is queried with DuckDB
MEMORY_LIMIT = "256MB"  # per connection: one query reads one column set of one year or region
NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"  # a printed text as cells.printed() normalises it
log = logging.getLogger(__name__)
_local = threading.local()


def enabled() -> bool:
    return os.environ.get("QUERY_DUCKDB", "1") != "0"


def min_rows() -> int:
    """Below this many rows in all (a city: 60,000), the frames in memory answer as fast, and
    DuckDB would only add its own memory (about 40 MB a worker); a province has 2.4 million."""
    try:
        return max(0, int(os.environ.get("QUERY_DUCKDB_MIN_ROWS", MIN_ROWS)))
    except ValueError:
        return MIN_ROWS


def _connection():
    """One in-memory connection per thread and process (a connection must not cross a fork),
    on one thread and a bounded memory: a page's query is small and there are several workers."""
    if getattr(_local, "pid", None) != os.getpid():
        import duckdb  # only where a query runs: importing the app loads no DuckDB

        con = duckdb.connect(":memory:", config={"threads": 1, "memory_limit": MEMORY_LIMIT})
        con.execute("SET parquet_metadata_cache = true")
        _local.con, _local.pid = con, os.getpid()
    return _local.con


def entry(dataset, name: str) -> str | None:
    """The file's Parquet entry, if it is still the one the snapshot was composed with."""
    if not enabled():
        return None
    frames = getattr(dataset, "frames", None) or {}
    if sum(len(frame) for frame in frames.values()) < min_rows():
        return None
    found = (getattr(dataset, "entries", None) or {}).get(name)
    if found is None:
        return None
    path, size, modified = found
    try:
        st = Path(path).stat()
    except OSError:
        return None
    return path if (st.st_size, st.st_mtime_ns) == (size, modified) else None


def run(dataset, name: str, sql: str, params: list, records: bool = False):
    """`sql` over the file's rows as table `t` (with `rn`, the row's position in the frame): a
    DataFrame, or with `records` a list of dicts (DECIMAL as Decimal, LIST as list)."""
    path = entry(dataset, name)
    if path is None:
        return None
    source = "(SELECT *, file_row_number AS rn FROM read_parquet(?, file_row_number = true))"
    try:
        result = _connection().execute(re.sub(r"\bFROM t\b", f"FROM {source} t", sql), [path, *params])
        if not records:
            return result.df()
        names = [column[0] for column in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]
    except Exception as exc:  # noqa: BLE001 - any failure of DuckDB is answered by pandas
        log.warning("DuckDB 查询 %s 失败，改用 pandas：%s", name, str(exc)[:300])
        return None


def _where(year, region) -> tuple[str, list]:
    clauses, params = [], []
    for column, value in (("year", year), ("region", region)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    return " AND ".join(clauses) or "TRUE", params


def rows(dataset, name: str, columns: list[str], year=None, region=None) -> pd.DataFrame | None:
    """select(frame, year, region)[columns], in the frame's order, read from the entry."""
    where, params = _where(year, region)
    listed = ", ".join(f'"{c}"' for c in columns)
    out = run(dataset, name, f"SELECT {listed} FROM t WHERE {where} ORDER BY rn", params)
    return None if out is None else out.reset_index(drop=True)


def item_sums(dataset, name: str, by: str, key: str, alias: str, year=None, region=None, total: str = "合计"):
    """For transfers' budgets_by, in one pass over the rows of one year or one region (合计 aside):

    kind "own"   each row of a (by, key) of its own (item ""), with the columns figure_of reads
    kind "part"  the line items of every other (by, key), by printed unit, whether stated, zero
                 or not, and printed decimals: their exact DECIMAL sum, how many, their lines
                 and rows (rns) in file order, and the smallest that is not 0 (`smallest`)

    each with `first`, the first row of its value of `by`. None where an item is stated
    without its printed text, or with more decimals than SCALE (its sum would not be exact).
    """
    where, params = _where(year, region)
    number = f"CAST(p AS DECIMAL(38, {SCALE}))"
    sql = f"""
    WITH r AS (
        SELECT "{by}" AS b, "{key}" AS k, item, unit, line, rn, "{alias}" AS v, "_m_{alias}" AS m,
               coalesce("_p_{alias}", '') AS p,
               bool_or(item = '') OVER (PARTITION BY "{by}", "{key}") AS has_own,
               min(rn) OVER (PARTITION BY "{by}") AS first
        FROM t WHERE {where} AND "{key}" <> ?),
    checked AS (
        SELECT *, p <> '' AS stated, CASE WHEN strpos(p, '.') = 0 THEN 0 ELSE length(p) - strpos(p, '.') END AS d,
               (p = '' AND v IS NOT NULL) OR (p <> '' AND NOT regexp_full_match(p, '{NUMBER}')) AS bad
        FROM r WHERE item <> '' AND NOT has_own),
    items AS (
        SELECT *, bad OR d > {SCALE} AS inexact,
               CASE WHEN stated AND NOT bad AND d <= {SCALE} THEN {number} END AS exact
        FROM checked)
    SELECT 'own' AS kind, b, k, unit, line, v, m, p, first, NULL AS stated, NULL AS d, NULL AS zero,
           NULL AS total, 1 AS n, [line] AS lines, [rn] AS rns, rn AS pos, false AS inexact, NULL AS smallest
    FROM r WHERE item = ''
    UNION ALL
    SELECT 'part', b, k, unit, NULL, NULL, NULL, NULL, min(first), stated, d, exact = 0 AS zero,
           sum(exact), count(*), list(line ORDER BY rn), list(rn ORDER BY rn), min(rn), bool_or(inexact),
           min(abs(exact)) FILTER (WHERE exact <> 0) AS smallest
    FROM items GROUP BY b, k, unit, stated, d, zero
    ORDER BY pos
    """
    got = run(dataset, name, sql, [*params, total], records=True)
    if got is None or any(r["inexact"] for r in got):
        return None
    return got


def counts(dataset, name: str, keys: list[str], exclude: str = "grade") -> pd.DataFrame | None:
    """frame[frame[exclude] != ""].groupby(keys, sort=False).size(), as a frame with `count`."""
    listed = ", ".join(f'"{c}"' for c in keys)
    sql = f"""SELECT {listed}, count(*) AS "count" FROM t WHERE "{exclude}" <> ''
              GROUP BY {listed} ORDER BY min(rn)"""
    return run(dataset, name, sql, [])
