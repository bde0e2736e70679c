"""A server's memory, counted three ways, and a direct measurement of this dashboard's workers.

    .venv/bin/python scripts/peers/memory.py [--workers 2] [--data bench-data/city] [--preload 0|1]

A server here is a process tree (a gunicorn master and its workers, or Streamlit's one process):

- RSS: VmRSS summed over the tree. A page shared by several processes (a shared library, or
  what a worker inherited copy-on-write from a master that loaded the app before forking) is
  counted once per process: it overstates a tree of several processes.
- PSS: Pss of /proc/PID/smaps_rollup summed; the kernel divides each page among all the
  processes that map it. Exact for a server alone on the machine; with other servers running
  from the same virtualenv (the benchmark's two dashboards, or Streamlit and Vizro from
  .venv-peers) their shared libraries are divided among them too, so each looks smaller.
- 去重 (distinct): the physical pages mapped by any process of the tree, each counted once
  (/proc/PID/pagemap; needs root, else None): what the server would hold if it ran alone.

The direct measurement starts gunicorn (gunicorn.conf.py) on the city data and prints each
process's RSS, PSS and anonymous memory, and the three sums, after start and after every
page and filter has been opened by each worker in turn (on a kept-alive connection that
worker holds, found in /proc/net/tcp).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
PAGE = 4096
PRESENT = np.uint64(1 << 63)
PFN_MASK = np.uint64((1 << 55) - 1)
MB = 1024 * 1024
SETTLE_SECONDS = 5.0


def tree_pids(pid: int) -> list[int]:
    """The process and all its descendants."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        with contextlib.suppress(OSError):
            todo += [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
            found.append(p)
    return found


def rollup_mb(pid: int) -> dict[str, float]:
    """Rss, Pss, Pss_Anon, Anonymous, Private_Dirty… of one process (MB), from /proc/PID/smaps_rollup."""
    out = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            key, value, *_ = line.split()
            out[key.rstrip(":")] = int(value) / 1024
    return out


def frames(pid: int) -> np.ndarray | None:
    """Physical page numbers of the process's resident pages (None when the kernel hides them)."""
    found = []
    with contextlib.suppress(OSError), open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/pagemap", "rb") as pm:
        for line in maps:
            start, end = (int(x, 16) for x in line.split()[0].split("-"))
            if start >= 0xFFFFFFFFFF600000:  # [vsyscall]: not in pagemap
                continue
            pm.seek(start // PAGE * 8)
            entries = np.frombuffer(pm.read((end - start) // PAGE * 8), dtype=np.uint64)
            found.append(entries[(entries & PRESENT) != 0] & PFN_MASK)
    if not found:
        return None
    pfns = np.concatenate(found)
    return None if len(pfns) and not pfns.any() else pfns  # all zero: no CAP_SYS_ADMIN


def tree_memory_mb(pid: int) -> dict[str, float | None]:
    """{"rss", "pss", "distinct"} of the process tree, in MB (see the module's docstring)."""
    pids = tree_pids(pid)
    rollups = [rollup_mb(p) for p in pids]
    pages = [frames(p) for p in pids]
    distinct = None if any(f is None for f in pages) else len(np.unique(np.concatenate(pages))) * PAGE / MB
    return {
        "rss": sum(r.get("Rss", 0.0) for r in rollups),
        "pss": sum(r.get("Pss", 0.0) for r in rollups),
        "distinct": distinct,
    }


def worker_holding(port: int, server_port: int, workers: list[int]) -> int | None:
    """Which worker holds the server end of the loopback connection from `port` (/proc/net/tcp)."""
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = (int(a.split(":")[1], 16) for a in fields[1:3])
        if local == server_port and remote == port:
            inode = fields[9]
    for pid in workers:
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) == f"socket:[{inode}]":
                        return pid
    return None


def one_connection_per_worker(base: str, workers: list[int], tries: int = 64) -> dict:
    """{worker pid: a kept-alive HTTP connection that this worker answers}, one for each worker."""
    host, port = base.removeprefix("http://").split(":")
    found = {}
    for _ in range(tries):
        connection = http.client.HTTPConnection(host, int(port), timeout=300)
        connection.request("GET", "/_data-version")
        connection.getresponse().read()
        pid = worker_holding(connection.sock.getsockname()[1], int(port), workers)
        if pid is None or pid in found:
            connection.close()
        else:
            found[pid] = connection
        if len(found) == len(workers):
            return found
    raise RuntimeError(f"only {len(found)} of {len(workers)} workers answered {tries} new connections")


def post(connection: http.client.HTTPConnection, body: dict) -> int:
    connection.request("POST", "/_dash-update-component", json.dumps(body), {"Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    return response.status


def describe(pid: int, label: str) -> dict:
    """Print each process of the tree and the sums; return the sums."""
    for p in tree_pids(pid):
        r = rollup_mb(p)
        print(
            f"    {'主进程' if p == pid else '工作进程'} {p}: RSS {r.get('Rss', 0):6.1f}  PSS {r.get('Pss', 0):6.1f}  "
            f"独占 {r.get('Private_Clean', 0) + r.get('Private_Dirty', 0):6.1f}  "
            f"匿名 {r.get('Anonymous', 0):6.1f}  匿名 PSS {r.get('Pss_Anon', 0):6.1f} MB"
        )
    total = tree_memory_mb(pid)
    distinct = "—" if total["distinct"] is None else f"{total['distinct']:.0f}"
    print(f"  {label}：RSS 合计 {total['rss']:.0f} MB，PSS 合计 {total['pss']:.0f} MB，去重 {distinct} MB", flush=True)
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data", type=Path, default=None, help="默认 bench-data/city")
    parser.add_argument(
        "--preload", choices=("0", "1"), default=None, help="GUNICORN_PRELOAD（默认按 gunicorn.conf.py）"
    )
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from app import create_app
    from scripts.bench_lib import folder_of, gunicorn, requests_for

    data = args.data or folder_of("city")
    results = {}
    with tempfile.TemporaryDirectory(prefix="memory-") as tmp:
        env = {"DATA_DIR": str(data), "DATA_CACHE_DIR": str(Path(tmp) / "cache")}
        os.environ["DATA_CACHE_DIR"] = env["DATA_CACHE_DIR"]  # the parsed cache warm, as after a first start
        bodies = [r.body for r in requests_for(create_app(data).server.test_client())]
        if args.preload is not None:
            env["GUNICORN_PRELOAD"] = args.preload
        with gunicorn("app:server", args.workers, env, Path(tmp)) as server:
            print(f"数据 {data}；{args.workers} 个工作进程；预加载 {args.preload or '按 gunicorn.conf.py'}", flush=True)
            time.sleep(SETTLE_SECONDS)  # every worker booted
            results["started"] = describe(server.proc.pid, "启动后")

            connections = one_connection_per_worker(server.base, server.worker_pids())
            for connection in connections.values():  # one worker after the other: each opens everything
                assert all(post(connection, body) in (200, 204) for body in bodies)
                connection.close()
            results["all_pages"] = describe(
                server.proc.pid, f"每个工作进程依次打开全部页面和筛选后（{len(bodies)} 个请求）"
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
