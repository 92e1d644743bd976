"""The one connection factory of the product.

Writers never touch the live database file: a load builds a new file and os.replace()s it over
the old one (etl/atomic.py). Readers therefore open the file read-only and reopen it when its
identity (inode, size, mtime) changes, which is how a dashboard sees a new load without a restart.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import duckdb

from core import settings


def default_db_path() -> Path:
    return Path(settings.get("db_path"))


def _readonly_config(memory_limit: str | None, threads: int | None) -> dict:
    return {
        "access_mode": "READ_ONLY",
        "autoinstall_known_extensions": "false",
        "autoload_known_extensions": "false",
        "allow_community_extensions": "false",
        "python_enable_replacements": "false",
        "memory_limit": memory_limit or settings.get("query_memory_limit"),
        "threads": str(threads or settings.get("query_threads")),
    }


def connect_readonly(path: str | os.PathLike, *, memory_limit: str | None = None,
                     threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """A locked-down read-only connection: no extensions, no file or network access outside
    the database, no replacement scans of Python variables, capped memory and threads, and
    configuration locked so user SQL cannot undo any of it."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"Không tìm thấy cơ sở dữ liệu {path}")
    con = duckdb.connect(str(path), config=_readonly_config(memory_limit, threads))
    # Within one process DuckDB hands back the cached instance of a path that is already open;
    # that instance was locked down by the first connection, so only check it.
    locked = con.execute("select current_setting('lock_configuration')").fetchall()[0][0]
    if not locked:
        con.execute("set enable_external_access = false")
        con.execute("set lock_configuration = true")
    state = con.execute("select current_setting('enable_external_access'), "
                        "current_setting('lock_configuration')").fetchall()[0]
    if state != (False, True):
        con.close()
        raise RuntimeError("read-only connection is not locked down")
    return con


def file_identity(path: str | os.PathLike) -> tuple | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


class ReadOnlyWarehouse:
    """Hands out a read-only connection to the current version of the database file.

    DuckDB caches instances per path inside a process, so the old connection must be closed
    before the replaced file is opened again, or the old instance would come back."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._identity: tuple | None = None

    def connection(self) -> duckdb.DuckDBPyConnection:
        """A cursor on the newest database version (cursors are safe to use per thread)."""
        with self._lock:
            identity = file_identity(self.path)
            if self._con is None or identity != self._identity:
                if self._con is not None:
                    self._con.close()
                    self._con = None
                self._con = connect_readonly(self.path)
                self._identity = identity
            return self._con.cursor()

    @property
    def identity(self) -> tuple | None:
        return file_identity(self.path)

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None
