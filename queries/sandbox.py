"""Ad-hoc SQL for analysts, one function for the SQL page and the command line.

Defence in depth (docs/security.md):
1. DuckDB's own parser splits the text; exactly one statement, of type SELECT (which covers WITH,
   VALUES, FROM-first, DESCRIBE, SHOW, SUMMARIZE) or EXPLAIN, is accepted.
2. It runs on a locked-down read-only connection (core.db.connect_readonly): no file or network
   access, no extensions, no Python replacement scans, capped memory and threads, configuration
   locked so the statement cannot undo any of it.
3. A timer interrupts the connection at the time limit; the result is fetched up to the row cap
   plus one row, so a cut result is known and said.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from core import settings
from core.db import connect_readonly

ALLOWED = {duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN}


@dataclass
class SandboxResult:
    table: pa.Table | None = None
    truncated: bool = False
    elapsed_ms: float = 0.0
    error: str | None = None
    columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


def check_sql(sql: str) -> str | None:
    """None when the text is one allowed statement, else the reason (Vietnamese)."""
    if not sql or not sql.strip():
        return "Chưa nhập câu lệnh SQL."
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        return "Lỗi cú pháp SQL: " + _first_line(exc)
    if not statements:
        return "Chưa nhập câu lệnh SQL."
    if len(statements) > 1:
        return f"Mỗi lần chỉ chạy một câu lệnh (nhận được {len(statements)})."
    kind = statements[0].type
    if kind not in ALLOWED:
        name = str(kind).split(".")[-1]
        return (f"Chỉ được đọc dữ liệu (SELECT, WITH, EXPLAIN, DESCRIBE, SUMMARIZE, SHOW); "
                f"câu lệnh loại {name} bị từ chối.")
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


def run_user_sql(db_path: str | Path, sql: str, timeout_s: float | None = None,
                 max_rows: int | None = None) -> SandboxResult:
    timeout_s = settings.get("query_timeout_s") if timeout_s is None else timeout_s
    max_rows = settings.get("query_max_rows") if max_rows is None else max_rows
    reason = check_sql(sql)
    if reason:
        return SandboxResult(error=reason)
    try:
        base = connect_readonly(db_path)
    except FileNotFoundError as exc:
        return SandboxResult(error=str(exc))
    except duckdb.Error as exc:
        return SandboxResult(error="Không mở được cơ sở dữ liệu: " + _first_line(exc))
    con = base.cursor()
    timed_out = threading.Event()

    def stop() -> None:
        timed_out.set()
        con.interrupt()

    timer = threading.Timer(timeout_s, stop)
    started = time.perf_counter()
    timer.start()
    try:
        reader = con.sql(sql).to_arrow_reader(min(max_rows + 1, 100_000) or 1)
        batches, n = [], 0
        for batch in reader:
            batches.append(batch)
            n += batch.num_rows
            if n > max_rows:
                break
        schema = reader.schema
        table = pa.Table.from_batches(batches, schema=schema) if batches else schema.empty_table()
        truncated = table.num_rows > max_rows
        if truncated:
            table = table.slice(0, max_rows)
        return SandboxResult(table, truncated, (time.perf_counter() - started) * 1000, None, table.column_names)
    except (duckdb.InterruptException, duckdb.Error, MemoryError) as exc:
        elapsed = (time.perf_counter() - started) * 1000
        if timed_out.is_set() or isinstance(exc, duckdb.InterruptException):
            msg = f"Truy vấn chạy quá {timeout_s:g} giây nên đã bị dừng."
        elif isinstance(exc, duckdb.OutOfMemoryException) or isinstance(exc, MemoryError):
            msg = "Truy vấn cần nhiều bộ nhớ hơn giới hạn cho phép: " + _first_line(exc)
        elif isinstance(exc, duckdb.PermissionException):
            msg = "Không được phép truy cập tệp hay mạng ngoài cơ sở dữ liệu: " + _first_line(exc)
        else:
            msg = "Lỗi khi chạy truy vấn: " + _first_line(exc)
        return SandboxResult(elapsed_ms=elapsed, error=msg)
    finally:
        timer.cancel()
        con.close()


TRUNCATED_NOTE = "kết quả bị cắt bớt"
