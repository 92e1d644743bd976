"""Atomic replacement of the warehouse file.

DuckDB lets one process write a file and then refuses every other process, readers included.
So a load never opens the live file for writing: it copies it, applies the load to the copy,
CHECKPOINTs and closes it, fsyncs, and os.replace()s it over the live file. A reader either has
the old file open (and keeps reading it) or opens the new one; a load killed at any point leaves
the live file untouched and at most a stale copy, which the next load removes.
A lock file serialises loads: a second load waits up to load_lock_timeout_s, then stops.

The copy is a reflink where the file system has them (XFS, Btrfs): it shares the file's blocks, and
the load writes and fsyncs only the ones it changes. Elsewhere (ext4) it is a byte copy, and the
load's first checkpoint waits for the whole copy to reach the disk (docs/performance.md, round 12).

The copy is ready before the load starts (a "spare"): after a load replaces the live file, a
background thread copies the new file and flushes the copy to disk, and the next load takes that
copy instead of making one. On ext4 this takes the byte copy (0.16 s at 5M cases) and most of
the final checkpoint's wait for the copy to reach the disk (0.57 -> 0.22 s) out of a week's load:
1.58-1.69 s -> 1.07-1.10 s (docs/performance.md, round 14). The spare's name carries the live
file's identity when it was copied (device, inode, size, modification and change times); a load
takes it only when the live file still has that identity, so a file changed in place since (by
another program) is copied afresh. The spare doubles the warehouse's space on disk (setting
load_spare_copy turns it off).

DuckDB reuses the blocks a load frees but never gives them back, and every later load copies them:
a catalogue loaded after 5M cases rewrites case_facts whole and leaves the file 880 MB instead of
560. So a copy with too much free space (load_compact_free_share, load_compact_min_free_mb) is
rewritten without it (COPY FROM DATABASE, 8.5-9.7 s at 5M) before it replaces the live file.
"""
from __future__ import annotations

import fcntl
import logging
import os
import shutil
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import duckdb

from core import settings

log = logging.getLogger("tthc.etl")


class LoadBusy(Exception):
    pass


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


FICLONE = 0x40049409   # linux/fs.h: _IOW(0x94, 9, int), the reflink ioctl


def _copy(src: Path, dst: Path) -> bool:
    """`src` copied to `dst` for a load to change (see the module's doc); True when it is a reflink."""
    with open(src, "rb") as s, open(dst, "wb") as d:
        try:
            fcntl.ioctl(d.fileno(), FICLONE, s.fileno())
            return True
        except OSError:   # EOPNOTSUPP on ext4 and tmpfs, EXDEV across file systems
            pass
    # Into a new file: ext4 flushes a file that was truncated and written again when it is closed
    # (auto_da_alloc), which made the byte copy 0.2 s slower at 5M cases.
    dst.unlink()
    shutil.copyfile(src, dst)
    return False


@contextmanager
def load_lock(db: Path, timeout: float | None = None):
    timeout = settings.get("load_lock_timeout_s") if timeout is None else timeout
    db.parent.mkdir(parents=True, exist_ok=True)
    fh = open(db.with_name(db.name + ".lock"), "a+")
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LoadBusy(
                        f"Đang có một lần nạp khác vào {db.name}; đã chờ {timeout:g} giây, hãy thử lại sau.")
                time.sleep(0.1)
        yield
    finally:
        fh.close()  # closing releases the lock


def _bloated(con: duckdb.DuckDBPyConnection) -> bool:
    """The file holds more free space than the settings allow (see the module's doc)."""
    _, _, block_size, total, _, free, *_ = con.execute("pragma database_size").fetchall()[0]
    return (total > 0 and free / total > settings.get("load_compact_free_share")
            and free * block_size >= settings.get("load_compact_min_free_mb") * 2**20)


def _compacted(tmp: Path, spill: Path) -> Path:
    """`tmp` rewritten without its free blocks into a sibling file, which is returned; `tmp` itself
    when the rewrite fails (the load is kept, only the space is not given back)."""
    out = tmp.with_name(tmp.name + "-compact")
    con = duckdb.connect(config={"memory_limit": str(settings.get("load_memory_limit")),
                                 "temp_directory": str(spill)})
    try:
        # Values are bound where DuckDB allows it; ATTACH takes only a literal path, so the paths
        # (our own, never user input) are quoted.
        con.execute(f"attach {sql_literal(str(tmp))} as src (read_only)")
        con.execute(f"attach {sql_literal(str(out))} as dst")
        con.execute("copy from database src to dst")
        con.execute("checkpoint dst")
        con.close()
    except duckdb.Error:
        con.close()
        out.unlink(missing_ok=True)
        Path(str(out) + ".wal").unlink(missing_ok=True)
        return tmp
    tmp.unlink()
    return out


def sql_literal(text: str) -> str:
    """A SQL string literal, for the statements that take no bound parameter (ATTACH, COPY TO)."""
    return "'" + text.replace("'", "''") + "'"


SPARE = ".spare-"


def _identity(path: Path) -> str:
    """The file's version as the file system shows it: a load puts a new inode in its place, and a
    write in place changes its size or times (a link or rename changes ctime: the spare is then
    only discarded, never wrongly taken)."""
    st = os.stat(path)
    return f"{st.st_dev}-{st.st_ino}-{st.st_size}-{st.st_mtime_ns}-{st.st_ctime_ns}"


def _siblings(db: Path, suffix: str) -> list[Path]:
    """The files named `db`'s name + `suffix` + anything: by prefix, not glob(), which would read a
    database named with [ or * as a pattern."""
    prefix = db.name + suffix
    return [p for p in db.parent.iterdir() if p.name.startswith(prefix)]


def _spares(db: Path) -> list[Path]:
    return _siblings(db, SPARE)


def _take_spare(db: Path, tmp: Path) -> bool:
    """Move the spare copy of `db` to `tmp` when it is a copy of `db` as it is now; True if it was.
    Any other spare (an older file's, a partial one a killed copy left) is removed. Called with
    the load lock held."""
    current = db.with_name(db.name + SPARE + _identity(db))
    taken = False
    for spare in _spares(db):
        if spare == current:
            try:
                os.replace(spare, tmp)
                taken = True
            except OSError:
                pass
        else:
            spare.unlink(missing_ok=True)
    return taken


def make_spare(db: Path) -> bool:
    """Copy `db` for the next load to start from, flushed to disk (see the module's doc); True when
    a spare was made. Gives up at once when a load holds the lock: that load replaces the file and
    makes its own spare after. Never raises: without a spare the next load copies the file."""
    if not settings.get("load_spare_copy") or not db.exists():
        return False
    partial = db.with_name(db.name + SPARE + "partial")
    try:
        with load_lock(db, timeout=0):
            for old in _spares(db):
                old.unlink(missing_ok=True)
            before = _identity(db)
            _copy(db, partial)
            _fsync_path(partial)
            if _identity(db) != before:      # written in place during the copy: not a copy of `before`
                partial.unlink(missing_ok=True)
                return False
            os.replace(partial, db.with_name(db.name + SPARE + before))
            _fsync_path(db.parent)
            return True
    except LoadBusy:                        # a load came first
        return False
    except Exception:                       # a full disk, say: the next load copies the file itself
        log.warning("no spare copy of %s made", db.name, exc_info=True)
        partial.unlink(missing_ok=True)
        return False


def _remove_stale(db: Path) -> None:
    for suffix in (".tmp-", ".old-"):
        for stale in _siblings(db, suffix):
            stale.unlink(missing_ok=True)


def _replace(tmp: Path, db: Path) -> None:
    """os.replace(tmp, db), leaving the old file's removal to a background thread: freeing the
    blocks of a 900 MB file took 0.19 s of a week's 2 s load, and nobody waits for it. A second
    link keeps the old file until the thread unlinks it (a reader that still has it open keeps
    it longer, as before); a process killed first leaves it to the next load's _remove_stale."""
    old = db.with_name(f"{db.name}.old-{os.getpid()}-{threading.get_ident()}")
    try:
        os.link(db, old)
    except OSError:       # no database yet, or a file system without hard links
        old = None
    os.replace(tmp, db)
    if old is not None:
        _in_background(old.unlink, "tthc-old-db-unlink", missing_ok=True)


_background: list[threading.Thread] = []


def _in_background(target, name: str, *args, **kwargs) -> None:
    # not daemon threads: a command-line load's process exits once they are done
    thread = threading.Thread(target=target, args=args, kwargs=kwargs, name=name)
    thread.start()
    _background.append(thread)


def wait_background() -> None:
    """Wait for what loads left to background threads: removing the replaced files, making spares."""
    while _background:
        _background.pop().join()


@contextmanager
def replacing(db: Path, fresh: bool = False, lock_timeout: float | None = None):
    """Yield a read-write connection to a copy of `db` (or an empty file when `fresh` or when
    there is no database yet); on normal exit the copy replaces `db` atomically."""
    db = Path(db)
    spare_used = False     # the file was replaced, or a failed load used up its spare: make the next
    try:
        with load_lock(db, lock_timeout):
            _remove_stale(db)
            tmp = db.with_name(f"{db.name}.tmp-{os.getpid()}")
            if db.exists() and not fresh:
                spare_used = _take_spare(db, tmp)
                if not spare_used:
                    _copy(db, tmp)
            spill = Path(settings.get("load_temp_dir") or db.with_name(db.name + ".spill"))
            # A load's memory is bounded (DuckDB's default is 80 % of RAM: a 5M-case load reached
            # 13 GB); what does not fit spills to disk. Passed as config, not formatted into SQL.
            con = duckdb.connect(str(tmp), config={"memory_limit": str(settings.get("load_memory_limit")),
                                                   "temp_directory": str(spill)})
            try:
                yield con
                con.execute("checkpoint")
                bloated = _bloated(con)
                con.close()
                con = None
                if bloated:
                    tmp = _compacted(tmp, spill)
                _fsync_path(tmp)
                _replace(tmp, db)
                _fsync_path(db.parent)
                spare_used = True
            finally:
                if con is not None:
                    con.close()
                tmp.unlink(missing_ok=True)
                Path(str(tmp) + ".wal").unlink(missing_ok=True)
                if not settings.get("load_temp_dir"):
                    # DuckDB removes its spill files on close; the folder is ours.
                    shutil.rmtree(spill, ignore_errors=True)
    finally:
        if spare_used and settings.get("load_spare_copy"):
            # after the lock is released: make_spare takes it itself
            _in_background(make_spare, "tthc-spare-copy", db)
