"""Aggregates across regions or years, computed by DuckDB from a file's Parquet entry.

A region comparison or a trend reads one year of every region (or every year of one region):
DuckDB reads just those columns and row groups of the entry that cache.py keeps on disk, so
the workers share the file through the OS page cache instead of each scanning its own frame.
Money is summed as DECIMAL from the printed texts, so a sum is exact, as Figure sums are.

Every function returns None where it cannot answer exactly as the frame would: no entry
(files given as bytes, no writable cache folder), an entry changed since the snapshot was
composed, a figure without its printed text, QUERY_DUCKDB=0, or any DuckDB error. The caller
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
MEMORY_LIMIT = "256MB"  # per connection: one query reads one column set of one year or region
NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"  # a printed text as cells.printed() normalises it
log = logging.getLogger(__name__)
_local = threading.local()


def enabled() -> bool:
    return os.environ.get("QUERY_DUCKDB", "1") != "0"


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
    found = (getattr(dataset, "entries", None) or {}).get(name)
    if found is None:
        return None
    path, size, modified = found
    try:
        st = Path(path).stat()
    except OSError:
        return None
    return path if (st.st_size, st.st_mtime_ns) == (size, modified) else None


def run(dataset, name: str, sql: str, params: list) -> pd.DataFrame | None:
    """`sql` over the file's rows as table `t` (with `rn`, the row's position in the frame)."""
    path = entry(dataset, name)
    if path is None:
        return None
    source = "(SELECT *, file_row_number AS rn FROM read_parquet(?, file_row_number = true))"
    try:
        # DECIMAL arrives as text (a DataFrame would hold it as a float)
        return _connection().execute(re.sub(r"\bFROM t\b", f"FROM {source} t", sql), [path, *params]).df()
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
    """For transfers' budgets_by: (own, parts, first) of the rows of one year or one region.

    own    the rows of each (by, key) that has a row of its own (item ""), in file order
    parts  the line items of every other (by, key), grouped by their printed unit, whether
           stated, zero or not, and printed decimals: the exact DECIMAL sum, how many, the
           first row, and all lines of the (by, key) in file order
    first  each value of `by` with the first row it has (合计 rows aside)

    None where an item is stated without its printed text (its precision would be guessed).
    """
    where, params = _where(year, region)
    text, value = f'"_p_{alias}"', f'"{alias}"'
    sql = f"""
    WITH r AS (SELECT "{by}" AS b, "{key}" AS k, item, unit, line, rn, {value} AS v, {text} AS p
               FROM t WHERE {where} AND "{key}" <> ?),
    own AS (SELECT DISTINCT b, k FROM r WHERE item = ''),
    items AS (
        SELECT r.*, coalesce(p, '') <> '' AS stated,
               CASE WHEN coalesce(p, '') = '' THEN 0 WHEN strpos(p, '.') = 0 THEN 0
                    ELSE length(p) - strpos(p, '.') END AS d
        FROM r ANTI JOIN own USING (b, k) WHERE item <> ''),
    checked AS (SELECT count(*) FILTER (WHERE (NOT stated AND v IS NOT NULL)
                        OR (stated AND (NOT regexp_matches(p, '{NUMBER}') OR d > {SCALE}))) AS bad FROM items),
    lines AS (SELECT b, k, list(line ORDER BY rn) AS lines FROM items GROUP BY b, k)
    SELECT 'part' AS kind, i.b, i.k, i.unit, i.stated, i.d,
           CASE WHEN i.stated THEN CAST(i.p AS DECIMAL(38, {SCALE})) = 0 ELSE false END AS zero,
           CAST(sum(CASE WHEN i.stated THEN CAST(i.p AS DECIMAL(38, {SCALE})) END) AS VARCHAR) AS total,
           count(*) AS n, min(i.rn) AS rn, any_value(l.lines) AS lines, any_value(c.bad) AS bad
    FROM items i JOIN lines l USING (b, k) CROSS JOIN checked c
    GROUP BY ALL
    ORDER BY rn
    """
    parts = run(dataset, name, sql, [*params, total])
    if parts is None or (len(parts) and int(parts["bad"].iloc[0])):
        return None
    columns = [by, key, "item", "unit", "line", alias, f"_m_{alias}", f"_p_{alias}"]
    own = run(
        dataset,
        name,
        f"SELECT {', '.join(f'{chr(34)}{c}{chr(34)}' for c in columns)} FROM t "
        f"WHERE {where} AND \"{key}\" <> ? AND item = '' ORDER BY rn",
        [*params, total],
    )
    first = run(
        dataset, name, f'SELECT "{by}" AS b, min(rn) AS rn FROM t WHERE {where} AND "{key}" <> ? GROUP BY 1 ORDER BY 2',
        [*params, total],
    )
    if own is None or first is None:
        return None
    return own, parts, list(first["b"])


def counts(dataset, name: str, keys: list[str], exclude: str = "grade") -> pd.DataFrame | None:
    """frame[frame[exclude] != ""].groupby(keys, sort=False).size(), as a frame with `count`."""
    listed = ", ".join(f'"{c}"' for c in keys)
    sql = f"""SELECT {listed}, count(*) AS "count" FROM t WHERE "{exclude}" <> ''
              GROUP BY {listed} ORDER BY min(rn)"""
    return run(dataset, name, sql, [])
