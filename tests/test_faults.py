"""Fault injection: files and folders that used to take the site down or serve wrong data.

Each test asserts what a viewer would see: the page keeps answering at once, and no good
figure is lost or replaced by a wrong one.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components import page_end
from components.data import SCHEMAS, DataSource, ParsedCache, load_bytes, parse_bytes
from components.data.cache import content_hash
from components.data.source import HOLD_SECONDS
from tests.helpers import eventually

DEBT_HEADER = "年度,地区,债务类型,余额\n"
TRANSFERS = "年度,地区,类别,项目,预算数,上年执行数,增减额,增减率,单位,说明,来源\n"
GOOD_ROW = "2023,A,税收返还,,1722,,,,,,\n"


def debt(*balances) -> str:
    return DEBT_HEADER + "".join(f"{2020 + i},A,一般债务,{b}\n" for i, b in enumerate(balances))


def put(folder: Path, name: str, text: str | bytes, moment: float | None = None) -> Path:
    """Replace the file whole (write, date, rename), as a careful writer would."""
    part = folder / f".{name}.part"
    part.write_bytes(text.encode() if isinstance(text, str) else text)
    moment = time.time() - 60 if moment is None else moment
    os.utime(part, (moment, moment))
    return part.replace(folder / name)


def source(folder: Path, cache: Path, **options) -> DataSource:
    return DataSource(folder, settle=options.pop("settle", 0.2), cache=ParsedCache(folder, cache), **options)


def balances(dataset) -> list[float]:
    return list(dataset.frame("debt")["balance"])



@pytest.fixture
def folder(tmp_path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def cache(tmp_path) -> Path:
    return tmp_path / "cache"


def timed(call):
    start = time.perf_counter()
    value = call()
    return value, time.perf_counter() - start


# ---------------------------------------------------------------- the request path never waits


def test_a_file_dated_in_the_future_is_served_at_once_with_a_warning(folder, cache):
    put(folder, "debt.csv", debt(4.5), time.time() + 3600)  # an hour ahead: clock skew on a share
    live = source(folder, cache, settle=0.3, watch=0.05)
    dataset, seconds = timed(live.get)
    assert seconds < 3 and balances(dataset) == [4.5]  # it used to wait the hour out
    assert any("比服务器时钟快" in p.message for p in dataset.warnings)
    put(folder, "debt.csv", debt(5.5), time.time() + 7200)
    assert eventually(lambda: balances(live.get()) == [5.5], 5)  # settled by our own clock
    _, seconds = timed(live.get)
    assert seconds < 0.05


def test_a_request_gets_the_last_snapshot_at_once_while_a_huge_file_is_parsed(folder, cache):
    put(folder, "transfers.csv", TRANSFERS + GOOD_ROW)
    live = source(folder, cache, watch=0.05)
    before = live.get()
    # Excel's formatted empty rows: 200,000 of them used to cost ~30 µs each, on every worker.
    put(folder, "transfers.csv", TRANSFERS + GOOD_ROW.replace("1722", "1800") + ",,,,,,,,,,\n" * 200_000)
    waits = []
    deadline = time.monotonic() + 20
    while live.get().version == before.version and time.monotonic() < deadline:
        waits.append(timed(live.get)[1])
        time.sleep(0.01)
    dataset = live.get()
    assert dataset.version != before.version, "the new version was never taken up"
    assert list(dataset.frame("transfers")["budget"]) == [1800.0]
    assert max(waits, default=0) < 0.05  # no request waited for the parse


def test_200000_blank_rows_load_in_linear_time():
    raw = (TRANSFERS + GOOD_ROW + ",,,,,,,,,,\n" * 200_000).encode()
    (frame, problems, _), seconds = timed(lambda: parse_bytes(SCHEMAS["transfers"], raw))
    assert len(frame) == 1 and problems == [] and seconds < 3


def test_a_header_of_100000_columns_is_one_quick_error_and_the_old_version_stays(folder, cache):
    put(folder, "transfers.csv", TRANSFERS + GOOD_ROW)
    live = source(folder, cache)
    assert live.get().files["transfers"].status == "loaded"
    put(folder, "transfers.csv", ",".join(f"列{i}" for i in range(100_000)) + "\n" + GOOD_ROW)
    dataset, seconds = timed(live.get)
    assert seconds < 3 and dataset.files["transfers"].status == "stale"
    assert list(dataset.frame("transfers")["budget"]) == [1722.0]
    (problem,) = [p for p in dataset.problems if p.file == "transfers.csv"]
    assert "超过 200 列" in problem.message and problem.line == 1
    uploaded, seconds = timed(lambda: load_bytes("上传.csv", ",".join("x" * 3 for _ in range(1_000_000)).encode()))
    assert seconds < 3 and uploaded.frame is None


def test_50000_bad_rows_give_a_bounded_report():
    raw = (TRANSFERS + "2023,A,税收返还,,abc,,,,,,\n" * 50_000).encode()
    loaded, seconds = timed(lambda: load_bytes("transfers.csv", raw))
    assert seconds < 5 and loaded.frame is None
    assert len(loaded.problems) <= 61 and "其余未检查" in loaded.problems[-1].message
    many = TRANSFERS.rstrip("\n") + "," + ",".join(f"多余{i}" for i in range(150)) + "\n" + GOOD_ROW
    warned = load_bytes("transfers.csv", many.encode())
    assert warned.frame is not None and len(warned.problems) <= 61
    assert "另有 90 处" in warned.problems[-1].message


def test_10_mb_of_empty_lines_is_read_quickly():
    raw = (TRANSFERS + GOOD_ROW).encode() + b"\r\n" * 5_000_000
    loaded, seconds = timed(lambda: load_bytes("上传.csv", raw))
    assert seconds < 5 and len(loaded.frame) == 1
    nothing, seconds = timed(lambda: load_bytes("transfers.csv", b"\n" * 10_000_000))
    assert seconds < 2 and nothing.frame is None and "文件为空" in nothing.problems[0].message


# ---------------------------------------------------------------- restarts and the shared cache


def test_a_worker_restarted_while_a_broken_file_is_present_serves_the_last_good(folder, cache):
    put(folder, "debt.csv", debt(4.5, 5.5))
    running = source(folder, cache)
    assert balances(running.get()) == [4.5, 5.5]
    put(folder, "debt.csv", debt(4.5, "五十"))
    old = running.get()
    restarted = source(folder, cache).get()  # a new process on the same folder and cache
    assert balances(restarted) == balances(old) == [4.5, 5.5]
    assert restarted.files["debt"].status == old.files["debt"].status == "stale"
    assert restarted.version == old.version  # open pages see one state, whichever worker answers
    assert page_end.make_data_banner(restarted)  # and the same banner says why


def test_a_worker_that_missed_a_version_serves_the_same_last_good_as_the_others(folder, cache):
    """Edited, then broken within a second: one worker took the edit up, another first saw the
    broken file. Both serve the edit (the last good version any of them took up), never the older."""
    put(folder, "debt.csv", debt(4.5, 5.5))
    quick, late = source(folder, cache), source(folder, cache)
    assert balances(quick.get()) == balances(late.get()) == [4.5, 5.5]
    put(folder, "debt.csv", debt(4.5, 6.5))
    assert balances(quick.get()) == [4.5, 6.5]  # `late` does not look meanwhile
    put(folder, "debt.csv", debt(4.5, "五十"))
    served = [quick.get(), late.get()]
    assert [balances(d) for d in served] == [[4.5, 6.5], [4.5, 6.5]]
    assert [d.files["debt"].status for d in served] == ["stale", "stale"]
    assert served[0].version == served[1].version  # one state, whichever worker answers


def test_a_rewrite_with_the_same_size_and_time_is_served_anew(folder, cache):
    path = put(folder, "debt.csv", debt(4.5), 1_000_000)
    running = source(folder, cache)
    assert balances(running.get()) == [4.5]
    path.write_text(debt(9.5), encoding="utf-8")  # in place: same size
    os.utime(path, (1_000_000, 1_000_000))  # and the old time set back
    assert balances(running.get()) == [9.5]
    assert balances(source(folder, cache).get()) == [9.5]  # a restart does not bring 4.5 back


def test_a_corrupted_or_substituted_cache_entry_is_discarded_and_rebuilt(folder, cache):
    put(folder, "debt.csv", debt(4.5))
    put(folder, "transfers.csv", TRANSFERS + GOOD_ROW)
    assert balances(source(folder, cache).get()) == [4.5]
    (entry,) = cache.glob("*-debt-*.parquet")
    (other,) = cache.glob("*-transfers-*.parquet")
    shutil.copyfile(other, entry)  # a valid Parquet file of other figures
    assert balances(source(folder, cache).get()) == [4.5]
    entry.write_bytes(entry.read_bytes()[:100])  # cut short, as by a full disk
    assert balances(source(folder, cache).get()) == [4.5]
    assert source(folder, cache).get().problems == ()
    (part := cache / f".{entry.name}.999999999.part").write_bytes(b"half")  # a killed writer's leftover
    source(folder, cache).get()
    assert not part.exists()


def test_a_bad_entry_of_a_file_changed_meanwhile_never_serves_the_new_bytes_as_the_old(folder, cache, monkeypatch):
    # Where an entry is stored the file's bytes are let go while it is read; if it then fails its
    # check they are read again, and a file rewritten in between is not parsed under the old hash.
    put(folder, "debt.csv", debt(4.5))
    assert balances(source(folder, cache).get()) == [4.5]
    (entry,) = cache.glob("*-debt-*.parquet")
    entry.write_bytes(entry.read_bytes()[:100])
    real = ParsedCache.read

    def rewritten_meanwhile(self, schema, digest, found=None):
        def rewrite():  # once the bytes are let go
            found()
            put(folder, "debt.csv", debt(9.5))

        return real(self, schema, digest, rewrite if found and schema.name == "debt" else found)

    monkeypatch.setattr(ParsedCache, "read", rewritten_meanwhile)
    stored, write = [], ParsedCache.write
    monkeypatch.setattr(ParsedCache, "write", lambda self, schema, digest, parsed: stored.append(
        (digest, list(parsed[0]["balance"]) if schema.name == "debt" else None)) or write(self, schema, digest, parsed))
    running = source(folder, cache)
    running.get()
    old, new = content_hash(debt(4.5).encode()), content_hash(debt(9.5).encode())
    assert (old, [9.5]) not in stored and (new, [9.5]) in stored  # 9.5 only ever under its own hash
    monkeypatch.setattr(ParsedCache, "read", real)
    assert eventually(lambda: balances(running.get()) == [9.5])  # the new file, once it is looked at again


# ---------------------------------------------------------------- files cut short


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def test_a_file_cut_to_less_than_half_is_held_back_until_it_stays_unchanged(folder, cache):
    clock = Clock()
    put(folder, "debt.csv", debt(*range(1, 40)), clock.now - 60)
    running = source(folder, cache, clock=clock)
    assert len(balances(running.get())) == 39
    put(folder, "debt.csv", debt(1, 2), clock.now - 60)  # half written, or a full disk
    held = running.get()
    assert len(balances(held)) == 39 and "没有写完整" in held.files["debt"].notice
    banner = page_end.make_data_banner(held)
    assert banner and "仍显示上一版" in str(banner)
    clock.now += HOLD_SECONDS + 1  # nobody saved again: it is what the official meant
    assert balances(running.get()) == [1, 2] and running.get().files["debt"].notice == ""


def test_a_last_row_cut_mid_row_is_an_error_and_the_old_figures_stay(folder, cache):
    put(folder, "transfers.csv", TRANSFERS + GOOD_ROW)
    running = source(folder, cache)
    assert running.get().files["transfers"].status == "loaded"
    put(folder, "transfers.csv", TRANSFERS + GOOD_ROW + GOOD_ROW.replace("税收返还", "专项转移支付") + "2023,A,一般")
    dataset = running.get()
    assert dataset.files["transfers"].status == "stale" and list(dataset.frame("transfers")["budget"]) == [1722]
    assert "没有写完整" in dataset.errors[0].message and dataset.errors[0].line == 4


def test_a_zero_byte_file_is_an_error_not_an_empty_section(folder, cache):
    put(folder, "debt.csv", debt(4.5))
    running = source(folder, cache)
    assert balances(running.get()) == [4.5]
    put(folder, "debt.csv", b"")
    dataset = running.get()
    assert balances(dataset) == [4.5] and dataset.files["debt"].status == "stale"
    assert "文件为空" in dataset.errors[0].message
    assert page_end.make_data_banner(dataset)


def test_a_hand_made_file_without_a_final_line_break_still_loads(folder, cache):
    put(folder, "debt.csv", debt(4.5, 5.5).rstrip("\n"))
    assert balances(source(folder, cache).get()) == [4.5, 5.5]


# ---------------------------------------------------------------- linear time in every shape

SHAPES = {
    "good": GOOD_ROW,
    "blank": ",,,,,,,,,,\n",
    "empty": "\n",
    "bad": "2023,A,税收返还,,abc,,,,,,\n",
    "wide": "2023,A,税收返还,,1,,,,,," + ",x" * 20 + "\n",
    "other": "2023,A,上解支出,,1,,,,,,\n",
}


def _file(shapes: list[str], rows: int) -> bytes:
    body = "".join(SHAPES[s].replace("税收返还", f"类别{i}") for i, s in zip(range(rows), shapes * rows, strict=False))
    return (TRANSFERS + body).encode()


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(sorted(SHAPES)), min_size=1, max_size=4))
def test_no_mix_of_row_shapes_makes_the_loader_worse_than_linear(shapes):
    small, large = _file(shapes, 2_000), _file(shapes, 16_000)
    parse = lambda raw: min(timed(lambda: parse_bytes(SCHEMAS["transfers"], raw))[1] for _ in range(3))  # noqa: E731
    ratio = parse(large) / max(parse(small), 0.02)  # below 20 ms the clock is noise
    assert ratio < 8 * 3, f"{shapes}: 8× the rows took {ratio:.1f}× the time"  # quadratic would be ~64×


def test_workers_that_see_a_changed_file_together_parse_it_once(folder, cache, monkeypatch):
    import threading

    from components.data import source as source_module

    put(folder, "transfers.csv", TRANSFERS + GOOD_ROW + ",,,,,,,,,,\n" * 50_000)
    parsed = []
    real = source_module.parse_bytes

    def counting(*args, **kwargs):
        parsed.append(1)
        time.sleep(0.3)  # long enough for the others to be waiting on the file's lock
        return real(*args, **kwargs)

    monkeypatch.setattr(source_module, "parse_bytes", counting)
    workers = [source(folder, cache) for _ in range(3)]
    threads = [threading.Thread(target=w.get) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(parsed) == 1  # the others read what the first stored
    assert {w.get().version for w in workers} == {workers[0].get().version}
    assert all(list(w.get().frame("transfers")["budget"]) == [1722.0] for w in workers)
