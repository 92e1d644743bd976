"""All-or-nothing loads: a bad file, kill -9 at random points, two loads at once, and readers
querying while loads replace the database file."""
from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from etl import atomic
from etl.load import load_files

ROOT = Path(__file__).resolve().parent.parent
BIG_ROWS = 20_000          # about two seconds of loading: long enough to kill it in the middle


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


STATE_SQL = """
select (select count(*) from cases) as cases,
       (select count(*) from ingestions) as ingestions,
       (select count(*) from rejects) as rejects,
       (select count(*) from procedures) as procedures,
       (select value from meta where key = 'data_version') as data_version,
       (select bit_xor(hash(case_id, status, channel, received_at, due_at, finished_at, handler, due_source,
                            source_file)) from cases) as cases_checksum,
       (select bit_xor(hash(file_name, rows_read, rows_inserted, rows_updated, rows_unchanged, rows_rejected))
          from ingestions) as ingestions_checksum
"""


def state(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rel = con.execute(STATE_SQL)
        return dict(zip([d[0] for d in rel.description], rel.fetchall()[0]))
    finally:
        con.close()


def write_cases_csv(path: Path, prefix: str, n: int, bad_last: bool = False) -> Path:
    lines = ["Mã hồ sơ,Mã thủ tục,Trạng thái,Kênh tiếp nhận,Ngày tiếp nhận,Ngày hẹn trả,Ngày kết thúc xử lý,"
             "Cán bộ xử lý"]
    for i in range(n):
        d, m = 1 + i % 28, 1 + (i // 28) % 12
        finished = "" if i % 3 == 0 else f"{d:02d}/{m:02d}/2025 16:00"
        lines.append(f"{prefix}-{i:07d},1.000001.000.00.00.H26,{'Đã xử lý xong' if finished else 'Đang xử lý'},"
                     f"{'Trực tuyến' if i % 2 else 'Trực tiếp'},{d:02d}/{m:02d}/2025 08:00,"
                     f"{d:02d}/{m:02d}/2025 17:00,{finished},Cán bộ {i % 17}")
    if bad_last:
        lines.append(f"{prefix}-BAD,1.000001.000.00.00.H26,Đang xử lý,Trực tiếp,31/02/2025 08:00,,,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def base_db(tmp_path, golden_db) -> Path:
    db = tmp_path / "w.duckdb"
    shutil.copyfile(golden_db[0], db)
    return db


def stale_copies(db: Path) -> list[Path]:
    """Copies a load left behind: its work copy, or the replaced file (removed in the background)."""
    atomic.wait_background()
    return sorted(db.parent.glob(db.name + ".tmp-*")) + sorted(db.parent.glob(db.name + ".old-*"))


# --- (a) a good file and an unreadable one: nothing is loaded ----------------------------------

def test_unreadable_file_leaves_the_database_byte_for_byte_unchanged(cli, base_db, golden_dir, tmp_path):
    bad = tmp_path / "hong.xlsx"
    bad.write_bytes((golden_dir / "bo_tthc.xlsx").read_bytes()[:2500])       # a truncated zip
    before = sha256(base_db)
    run = cli("load", golden_dir / "ho_so_utf8.csv", write_cases_csv(tmp_path / "moi.csv", "N", 5), bad,
              "--db", base_db)
    assert run.returncode == 2
    assert run.stderr == "Lỗi: hong.xlsx: tệp Excel bị hỏng (không giải nén được). Không có gì được nạp.\n"
    assert run.stdout == ""
    assert sha256(base_db) == before
    assert stale_copies(base_db) == []


# --- (b) kill -9 at random points ------------------------------------------------------------------

def test_kill_9_at_random_points_never_damages_the_database(base_db, tmp_path):
    big = write_cases_csv(tmp_path / "lon.csv", "K", BIG_ROWS, bad_last=True)
    cmd = [sys.executable, "-m", "etl", "load", str(big), "--db", str(base_db)]

    # One uninterrupted load on a copy: how long a load takes, and what a finished one leaves.
    probe = tmp_path / "probe" / "w.duckdb"
    probe.parent.mkdir()
    shutil.copyfile(base_db, probe)
    started = time.monotonic()
    subprocess.run(cmd[:-1] + [str(probe)], cwd=ROOT, check=True, capture_output=True)
    full_time = time.monotonic() - started
    finished_state = state(probe)

    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    current, current_sha = state(base_db), sha256(base_db)
    assert finished_state["cases"] == current["cases"] + BIG_ROWS
    interrupted = 0
    for trial in range(10):
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 0.85 * full_time))
        ran_out = proc.poll() is not None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        where = f"seed {seed}, trial {trial}"
        after = state(base_db)                       # the database opens
        if sha256(base_db) == current_sha:
            assert not ran_out, where
            assert after == current, where
            interrupted += 1
        else:                                        # killed after the new file was in place
            assert after["ingestions"] == current["ingestions"] + 1, where
            assert {k: after[k] for k in ("cases", "cases_checksum")} == \
                {k: finished_state[k] for k in ("cases", "cases_checksum")}, where
            current, current_sha = after, sha256(base_db)
    assert interrupted >= 5, f"seed {seed}: only {interrupted} of 10 kills landed during a load"

    # The next load succeeds and cleans up what the killed ones left.
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[0].startswith(f"lon.csv [csv, cases]: đọc {BIG_ROWS + 1}, ")
    after = state(base_db)
    assert after["ingestions"] == current["ingestions"] + 1
    assert {k: after[k] for k in ("cases", "cases_checksum")} == \
        {k: finished_state[k] for k in ("cases", "cases_checksum")}
    assert stale_copies(base_db) == []
    # the bad row is the file's last line, also when DuckDB reads the CSV in parallel
    con = duckdb.connect(str(base_db), read_only=True)
    try:
        assert con.execute("select row_number, reason from rejects where file_name = 'lon.csv' "
                           "order by ingestion_id desc limit 1").fetchall() == [
            (BIG_ROWS + 2, 'Ngày tiếp nhận "31/02/2025 08:00" không phải ngày hợp lệ')]
    finally:
        con.close()


# --- (c) two loads at once ---------------------------------------------------------------------------

def test_two_loads_at_once_both_finish_one_after_the_other(base_db, tmp_path):
    before = state(base_db)
    first = write_cases_csv(tmp_path / "mot.csv", "X", 5000)
    second = write_cases_csv(tmp_path / "hai.csv", "Y", 7)
    procs = []
    for path in (first, second):
        procs.append(subprocess.Popen([sys.executable, "-m", "etl", "load", str(path), "--db", str(base_db)],
                                      cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        time.sleep(0.3)
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    after = state(base_db)
    assert after["cases"] == before["cases"] + 5000 + 7
    assert after["ingestions"] == before["ingestions"] + 2
    assert int(after["data_version"]) == int(before["data_version"]) + 2
    con = duckdb.connect(str(base_db), read_only=True)
    try:
        rows = con.execute("select file_name, rows_inserted from ingestions order by ingestion_id desc limit 2"
                           ).fetchall()
        assert sorted(rows) == [("hai.csv", 7), ("mot.csv", 5000)]
        assert con.execute("select count(*) from cases where case_id like 'X-%' or case_id like 'Y-%'"
                           ).fetchall() == [(5007,)]
    finally:
        con.close()
    assert stale_copies(base_db) == []


def test_second_load_stops_when_the_lock_is_held_too_long(cli, base_db, tmp_path):
    before = sha256(base_db)
    with atomic.load_lock(base_db, timeout=0):
        started = time.monotonic()
        run = cli("load", write_cases_csv(tmp_path / "moi.csv", "Z", 3), "--db", base_db,
                  env={"TTHC_LOAD_LOCK_TIMEOUT_S": "0.5"})
        waited = time.monotonic() - started
    assert run.returncode == 2
    assert run.stderr == "Lỗi: Đang có một lần nạp khác vào w.duckdb; đã chờ 0.5 giây, hãy thử lại sau.\n"
    assert waited >= 0.5
    assert sha256(base_db) == before
    # and once the lock is free the same load goes through
    assert cli("load", tmp_path / "moi.csv", "--db", base_db).returncode == 0


# --- (d) readers while loads replace the file -----------------------------------------------------

READER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from core.db import ReadOnlyWarehouse

    db, stop, ready = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    sql = ("select (select count(*) from cases), (select count(*) from ingestions), "
           "(select value from meta where key = 'data_version')")
    wh = ReadOnlyWarehouse(db)
    seen, errors, queries = set(), [], 0
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        done = stop.exists()
        try:
            seen.add(tuple(wh.connection().execute(sql).fetchall()[0]))
            queries += 1
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        ready.touch()
        if done:
            break
    final = list(wh.connection().execute(sql).fetchall()[0])
    wh.close()
    print(json.dumps({"seen": sorted(seen), "errors": errors[:5], "queries": queries, "final": final}))
""")


def test_reader_always_sees_a_complete_load(base_db, tmp_path):
    files = [write_cases_csv(tmp_path / f"dot{k}.csv", f"R{k}", n) for k, n in enumerate((300, 5, 1200, 40))]
    start = state(base_db)
    expected = [(start["cases"], start["ingestions"], start["data_version"])]
    for k, n in enumerate((300, 5, 1200, 40), start=1):
        cases, ingestions, version = expected[-1]
        expected.append((cases + n, ingestions + 1, str(int(version) + 1)))

    stop, ready = tmp_path / "stop", tmp_path / "ready"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(base_db), str(stop), str(ready)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        deadline = time.monotonic() + 30
        while not ready.exists():
            assert reader.poll() is None, reader.communicate()
            assert time.monotonic() < deadline, "reader did not start"
            time.sleep(0.05)
        for path in files:                       # the loads run in this process, the reader in its own
            load_files(base_db, [path])
            time.sleep(0.2)
    finally:
        stop.touch()
    out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    report = json.loads(out)
    assert report["errors"] == []
    seen = [tuple(s) for s in report["seen"]]
    assert set(seen) <= set(expected), seen
    assert len(seen) >= 3, f"the reader saw too few loads to mean anything: {seen}"
    assert tuple(report["final"]) == expected[-1]   # it picked up the newest file without a restart


# --- (e) the load's copy of the file: a reflink where the file system has them, else a byte copy ----

def _reflinks(directory: Path) -> bool:
    """Whether `directory`'s file system clones files (FICLONE): XFS and Btrfs do, ext4 and tmpfs not.
    Its own ioctl, not atomic._copy: a _copy that never clones must fail the test below, not skip it."""
    import fcntl

    a, b = directory / "reflink-probe-a", directory / "reflink-probe-b"
    a.write_bytes(b"x" * 4096)
    try:
        with open(a, "rb") as s, open(b, "wb") as d:
            fcntl.ioctl(d.fileno(), atomic.FICLONE, s.fileno())
        return True
    except OSError:
        return False
    finally:
        a.unlink()
        b.unlink(missing_ok=True)


def test_without_reflinks_the_copy_is_byte_for_byte(base_db, tmp_path, monkeypatch):
    def no_clone(fd, request, arg=0):
        raise OSError(95, "Operation not supported")   # what ext4 answers

    monkeypatch.setattr(atomic.fcntl, "ioctl", no_clone)
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(b"a stale copy, longer than nothing")
    assert atomic._copy(base_db, copy) is False
    assert sha256(copy) == sha256(base_db)
    start = state(base_db)
    load_files(base_db, [write_cases_csv(tmp_path / "moi.csv", "B", 3)])
    assert state(base_db)["cases"] == start["cases"] + 3
    assert stale_copies(base_db) == []


def _reflink_dir(tmp_path: Path) -> Path:
    """TTHC_TEST_REFLINK_DIR (a folder on XFS or Btrfs), else pytest's own when it clones; else skip."""
    given = os.environ.get("TTHC_TEST_REFLINK_DIR")
    if given:
        d = Path(given) / f"tthc-test-{os.getpid()}"
        d.mkdir(parents=True, exist_ok=True)
        return d
    if _reflinks(tmp_path):
        return tmp_path
    pytest.skip("this file system has no reflinks (ext4, tmpfs); set TTHC_TEST_REFLINK_DIR to a folder on XFS or Btrfs")


def test_with_reflinks_the_copy_shares_the_blocks_and_a_load_still_works(golden_db, tmp_path):
    d = _reflink_dir(tmp_path)
    try:
        db = d / "w.duckdb"
        shutil.copyfile(golden_db[0], db)
        with duckdb.connect(str(db)) as con:   # 64 MB more, so that a byte copy would show in the free space
            con.execute("create table ballast as select range as i, md5(range::varchar) as h from range(1000000)")
        before_sha, size = sha256(db), db.stat().st_size
        os.sync()
        free = shutil.disk_usage(d).free
        copy = d / "copy.duckdb"
        assert atomic._copy(db, copy) is True
        os.sync()
        assert free - shutil.disk_usage(d).free < size / 4   # the blocks are shared, not written again
        assert sha256(copy) == before_sha
        copy.unlink()
        start = state(db)
        load_files(db, [write_cases_csv(tmp_path / "moi.csv", "C", 7)])
        assert state(db)["cases"] == start["cases"] + 7
        assert stale_copies(db) == []
    finally:
        if d != tmp_path:
            shutil.rmtree(d, ignore_errors=True)
