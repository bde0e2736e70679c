"""Several gunicorn workers, killed and restarted while a broken file lies in the folder:
every worker keeps serving the same last good figures, so open pages see one state."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).with_name("gunicorn")
DEBT = "年度,地区,债务类型,余额\n2022,A,一般债务,{}\n2022,A,专项债务,56.21\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def versions(base: str, count: int = 24) -> set[str]:
    """The data version as `count` requests see it (spread over the workers by the kernel)."""
    seen = set()
    for _ in range(count):
        with requests.Session() as session:  # a new connection each time: any worker may answer
            seen.add(session.get(base + "/_data-version", timeout=5).json()["version"])
    return seen


def until(condition, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except requests.RequestException:
            pass
        time.sleep(0.2)
    return False


def workers_of(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


@contextlib.contextmanager
def gunicorn(tmp_path: Path, workers: int) -> Iterator[tuple[subprocess.Popen, str, Path]]:
    """gunicorn with the production settings on a data folder holding DEBT at 4.50, answering;
    yields (master, base URL, data folder) and stops it afterwards."""
    data, cache = tmp_path / "data", tmp_path / "cache"
    data.mkdir()
    (data / "debt.csv").write_text(DEBT.format("4.50"), encoding="utf-8")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATA_DIR": str(data), "DATA_CACHE_DIR": str(cache)}
    command = [str(GUNICORN), "-c", "gunicorn.conf.py", "--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
    with open(tmp_path / "server.log", "wb") as log:
        master = subprocess.Popen([*command, "app:server"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            assert until(lambda: requests.get(base + "/", timeout=5).ok), (tmp_path / "server.log").read_text()
            assert until(lambda: len(versions(base)) == 1)
            yield master, base, data
        finally:
            master.terminate()
            try:
                master.wait(timeout=15)
            except subprocess.TimeoutExpired:
                master.kill()
                master.wait(timeout=10)


def write_balance(data: Path, balance: str) -> None:
    """debt.csv replaced whole (as an editor's save does), with this 一般债务 balance."""
    part = data / ".debt.csv.part"
    part.write_text(DEBT.format(balance), encoding="utf-8")
    part.replace(data / "debt.csv")


def kill_workers(master: subprocess.Popen, workers: int) -> None:
    """SIGKILL every worker; back once the master has restarted as many and they answer."""
    killed = workers_of(master.pid)
    assert len(killed) == workers
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    assert until(lambda: len(set(workers_of(master.pid)) - set(killed)) == workers)


@pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed")
def test_workers_killed_while_a_file_is_broken_come_back_with_the_last_good_version(tmp_path):
    with gunicorn(tmp_path, 3) as (master, base, data):
        (good,) = versions(base)
        write_balance(data, "四点五")
        assert until(lambda: versions(base) == {v for v in versions(base) if v != good} and len(versions(base)) == 1)
        (broken,) = versions(base)
        kill_workers(master, 3)
        assert until(lambda: requests.get(base + "/_data-version", timeout=5).ok)
        # Every restarted worker serves the last good figures with the same banner: one version.
        assert versions(base, 36) == {broken}


@pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed")
def test_workers_forked_after_the_data_changed_never_serve_the_masters_older_copy(tmp_path):
    """The master read the data before forking (preload_app); workers restarted after two
    changes, the last one broken, serve what the running ones served, not the master's copy."""
    with gunicorn(tmp_path, 2) as (master, base, data):
        seen = versions(base)
        for balance in ("9.50", "九点五"):  # a good change, then a broken one
            write_balance(data, balance)
            assert until(lambda: len(versions(base) - seen) == 1 and len(versions(base)) == 1)
            (now,) = versions(base)
            seen.add(now)
        kill_workers(master, 2)
        assert until(lambda: requests.get(base + "/_data-version", timeout=5).ok)
        assert versions(base, 24) == {now}  # 9.50 with the banner about 九点五; never 4.50
