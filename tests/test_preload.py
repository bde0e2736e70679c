"""A DataSource copied by fork (gunicorn's preload_app: the master reads the data, then forks the
workers): the copy gets its own lock and watcher, and a worker forked after the folder changed
serves what a newly started worker would, never the master's older version."""

from __future__ import annotations

import json
import os
import select
import signal
import threading
import time
from pathlib import Path

import pytest

from components.data import DataSource, ParsedCache

DEBT_HEADER = "年度,地区,债务类型,余额\n"


def debt(*balances) -> str:
    return DEBT_HEADER + "".join(f"{2020 + i},A,一般债务,{b}\n" for i, b in enumerate(balances))


def put(folder: Path, text: str) -> None:
    """Replace debt.csv whole, dated a minute ago (settled)."""
    part = folder / ".debt.csv.part"
    part.write_text(text, encoding="utf-8")
    os.utime(part, (time.time() - 60, time.time() - 60))
    part.replace(folder / "debt.csv")


def source(folder: Path, cache: Path, **options) -> DataSource:
    return DataSource(folder, settle=0.2, cache=ParsedCache(folder, cache), **options)


def state(dataset) -> dict:
    return {"version": dataset.version, "balances": list(dataset.frame("debt")["balance"])}


def in_child(work) -> dict:
    """`work()` in a forked child; what it returned (JSON), or the child's error."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never back into pytest
        os.close(read)
        try:
            out = {"ok": work()}
        except BaseException as error:  # noqa: BLE001 - reported to the parent
            out = {"error": repr(error)}
        os.write(write, json.dumps(out).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        answered = select.select([pipe], [], [], 20)[0]
        out = json.loads(pipe.read() if answered else '{"error": "no answer in 20 s"}')
    if not answered:
        os.kill(pid, signal.SIGKILL)  # hung (a lock copied while held)
    os.waitpid(pid, 0)
    assert "error" not in out, out["error"]
    return out["ok"]


@pytest.fixture
def folder(tmp_path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    put(path, debt(4.5))
    return path


@pytest.fixture
def cache(tmp_path) -> Path:
    return tmp_path / "cache"


def test_a_worker_forked_with_nothing_changed_serves_the_masters_snapshot_itself(folder, cache):
    master = source(folder, cache)
    master.catch_up()  # what app.before_fork does: no watcher started
    loaded = master.get()
    assert in_child(lambda: master.get() is loaded) is True  # shared, not read again


def test_a_worker_forked_after_a_change_serves_the_new_version(folder, cache):
    master = source(folder, cache, watch=60)  # its get() would not look at the folder again
    master.refresh()
    put(folder, debt(9.5))
    running = source(folder, cache).get()  # a worker started meanwhile
    assert in_child(lambda: state(master.get())) == state(running) == {"version": running.version, "balances": [9.5]}


def test_a_worker_forked_while_a_broken_file_lies_there_serves_the_last_good_not_the_masters(folder, cache):
    master = source(folder, cache, watch=60)
    master.refresh()  # 4.5
    put(folder, debt(9.5))
    running = source(folder, cache)
    assert state(running.get())["balances"] == [9.5]
    put(folder, debt("九点五"))  # broken: the running worker keeps 9.5 and says why
    served = running.get()
    assert served.files["debt"].status == "stale"
    assert in_child(lambda: state(master.get())) == state(served)
    assert state(served)["balances"] == [9.5]


def test_the_master_catching_up_before_a_fork_takes_what_the_running_workers_serve(folder, cache):
    master = source(folder, cache, watch=60)
    master.catch_up()  # the first snapshot
    put(folder, debt(9.5))
    running = source(folder, cache)
    running.get()
    put(folder, debt("九点五"))
    served = running.get()
    master.catch_up()  # gunicorn's pre_fork: a worker is about to be restarted
    assert state(master.get()) == state(served) and state(served)["balances"] == [9.5]
    loaded = master.get()
    master.catch_up()  # nothing changed since: the same snapshot, not read again
    assert master.get() is loaded


def test_a_forked_worker_starts_its_own_watcher_and_follows_the_folder(folder, cache):
    master = source(folder, cache, watch=0.05)
    master.refresh()

    def child():
        first = state(master.get())
        put(folder, debt(7.5))
        deadline = time.monotonic() + 10
        while master.get().frame("debt")["balance"].tolist() != [7.5] and time.monotonic() < deadline:
            time.sleep(0.05)
        return [first["balances"], state(master.get())["balances"], master._watcher.is_alive()]

    assert in_child(child) == [[4.5], [7.5], True]
    assert master._watcher is None  # the master started none


def test_a_fork_while_the_lock_is_held_does_not_hang_the_worker(folder, cache):
    master = source(folder, cache)
    master.refresh()
    put(folder, debt(8.5))
    with master._lock:  # a thread of the parent in the middle of a refresh
        result = {}
        thread = threading.Thread(target=lambda: result.update(got=in_child(lambda: state(master.get()))))
        thread.start()
        thread.join(30)
    assert result.get("got", {}).get("balances") == [8.5]
