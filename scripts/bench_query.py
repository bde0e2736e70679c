"""Region comparison + trend per view, pandas against DuckDB (issue 12, Scale), in process.

    python scripts/bench_query.py city            # bench-data/city (made if absent)
    python scripts/bench_query.py /tmp/prov --repeat 15 --rss

For each page: the median and p95 of trend_charts() (the comparison and the trend a view shows)
computed (no remembered views) and remembered per snapshot, each engine in turn on the same
rotating (year, region) views; the once-per-snapshot 等级 count table; with --rss, one
process's RSS after opening every page and changing each filter, QUERY_DUCKDB=0 and =1.
Set DATA_CACHE_DIR to keep the Parquet entries somewhere of your own.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from components import debt, performance, transfers  # noqa: E402
from components.data import DataSource  # noqa: E402
from components.filters import regions_of, years_of  # noqa: E402
from scripts.bench_lib import folder_of, ms, stats  # noqa: E402

PAGES = {
    "transfers": (transfers, ([], "万元", "")),
    "debt": (debt, ([], "亿元")),
    "performance": (performance, ([],)),
}
RSS = """
import json, sys, app
from scripts.bench_lib import requests_for
client = app.create_app(sys.argv[1]).server.test_client()
for r in requests_for(client):
    assert client.post('/_dash-update-component', json=r.body).status_code in (200, 204)
status = dict(line.split(':', 1) for line in open('/proc/self/status'))
print(json.dumps({k: int(status[k].split()[0]) // 1024 for k in ('VmRSS', 'VmHWM')}))
"""


def timed(call, *args) -> float:
    start = time.perf_counter()
    call(*args)
    return time.perf_counter() - start


def views_of(dataset, n: int) -> list[tuple[int, str]]:
    frame = dataset.frame("transfers")
    years, regions = years_of(frame), regions_of(frame)
    return [(years[i % len(years)], regions[(i * 7) % len(regions)]) for i in range(n)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", help="seed | city | province | a folder")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--rss", action="store_true")
    args = parser.parse_args(argv)
    folder = folder_of(args.data) if args.data in ("seed", "city", "province") else Path(args.data)
    served = DataSource(folder, settle=0).get()
    print(f"{folder}：Parquet 条目 {sorted(served.entries)}")
    engines = {"pandas": {}, "duckdb": dict(served.entries)}

    tables = {name: [] for name in engines}
    for _ in range(max(3, args.repeat // 3)):
        for name, entries in engines.items():
            tables[name].append(timed(performance.grade_table, replace(served, entries=entries)))
    for name, samples in tables.items():
        print(f"等级计数表（每个快照一次） {name:6}  中位 {ms(stats(samples)[0])} ms")

    views = views_of(served, args.repeat)
    for memo in (0, 256):
        datasets = {name: replace(served, entries=e, view_cache_size=memo) for name, e in engines.items()}
        for dataset in datasets.values():  # what every view shares is built before timing
            dataset.keys("transfers")
            dataset.derived("performance.grade_table", performance.grade_table)
            if memo:
                for module, picks in PAGES.values():
                    for year, region in views:
                        module.trend_charts(dataset, year, region, *picks)
        for page, (module, picks) in PAGES.items():
            samples = {name: [] for name in datasets}
            for year, region in views:
                for name, dataset in datasets.items():
                    samples[name].append(timed(module.trend_charts, dataset, year, region, *picks))
            line = "  ".join(f"{n} {ms(stats(s)[0])} / {ms(stats(s)[1])} ms" for n, s in samples.items())
            print(f"{'记住的' if memo else '计算的'} {page:12} 对比+趋势 中位/p95：{line}")

    if args.rss:
        for flag in ("0", "1"):
            env = {**os.environ, "QUERY_DUCKDB": flag, "VIEW_CACHE_SIZE": "256"}
            out = subprocess.run([sys.executable, "-c", RSS, str(folder)], cwd=ROOT, env=env, capture_output=True, text=True)
            print(f"QUERY_DUCKDB={flag} 打开各页并改变每个筛选后的进程内存（MB）：{out.stdout.strip() or out.stderr[-500:]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
