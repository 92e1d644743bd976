"""Load export files into the warehouse: read, stage, merge, account, all-or-nothing."""
from __future__ import annotations

import hashlib
import re
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from core import settings
from etl import atomic, warehouse
from etl.mapping import Mapping, load_mapping
from etl.merge import derive_due_dates, merge
from etl.readers import ReadError, detect_format, open_source, read_xlsx_sheet
from etl.stage import stage


class LoadError(Exception):
    """A file could not be read at all; nothing of this load was committed."""

    def __init__(self, file_name: str, reason: str):
        super().__init__(f"{file_name}: {reason}")
        self.file_name, self.reason = file_name, reason


@dataclass
class FileResult:
    file_name: str
    format: str
    kind: str
    rows_read: int
    rows_inserted: int
    rows_updated: int
    rows_unchanged: int
    rows_rejected: int
    unknown_headers: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.file_name} [{self.format}, {self.kind}]: đọc {self.rows_read}, thêm {self.rows_inserted}, "
                f"cập nhật {self.rows_updated}, không đổi {self.rows_unchanged}, loại {self.rows_rejected}")


class Progress:
    """A one-line progress bar on stderr, shown only for loads big or slow enough to need one."""

    def __init__(self, total_steps: int, enabled: bool):
        # Only on a terminal: piped or logged stderr gets the one-line messages and nothing else.
        self.tty = sys.stderr.isatty()
        self.total, self.done, self.start = max(total_steps, 1), 0, time.monotonic()
        self.enabled = enabled and self.tty

    def step(self, label: str) -> None:
        self.done += 1
        if not self.enabled and self.tty and time.monotonic() - self.start > 3:
            self.enabled = True
        if self.enabled:
            filled = int(30 * self.done / self.total)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total} {label[:50]:<50}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


_READ_AHEAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tthc-read-ahead")


def _read_ahead(path: Path, mapping: Mapping) -> Future | None:
    """read_xlsx_sheet(path) on the worker thread when the file is an Excel workbook, else None
    (DuckDB reads the other formats itself, on every core, inside the staging statement)."""
    try:
        if detect_format(path) != "xlsx":
            return None
    except (OSError, ReadError):
        return None     # open_source says what is wrong with the file, in the loop
    return _READ_AHEAD.submit(read_xlsx_sheet, path, mapping)


def _await_sheet(ahead: Future | None):
    """The sheet _read_ahead read (its ReadError raised here), or None."""
    return ahead.result() if ahead is not None else None


def read_salt() -> str | None:
    path = Path(settings.get("salt_file"))
    try:
        salt = path.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return salt or None


def load_into(con, paths: list[Path], mapping: Mapping | None = None, unit: str | None = None,
              progress: bool | None = None) -> list[FileResult]:
    """Load files into an open read-write warehouse connection, in one transaction.
    Raises LoadError (and rolls back) when a file cannot be read at all."""
    mapping = mapping or load_mapping()
    salt = read_salt()
    results: list[FileResult] = []
    bar = Progress(len(paths) * 3, bool(progress))
    load_started = datetime.now()  # rows this load changes carry this time or later
    # Every file is read and staged (temp tables only) before the transaction: DuckDB cannot spill
    # a temp table written inside a transaction to disk (a 5M-case file ran out of the load's
    # memory_limit), and a failed parallel read there would abort the transaction. The
    # warehouse itself changes only inside the transaction below.
    staged_files = []
    # fastexcel reads a whole sheet on one core, with the GIL released, before any of it can be
    # staged: the first file's sheet is read on a worker thread while this thread hashes the files
    # and gives a new warehouse its schema (docs/performance.md, round 10).
    ahead = _read_ahead(Path(paths[0]), mapping) if paths else None
    try:
        hashes = {n: _sha256(Path(p)) for n, p in enumerate(paths) if Path(p).is_file()}
        schema_made = not warehouse.has_schema(con)
        if schema_made:
            # Committed before staging, which must run outside a transaction (above). A load that
            # fails then leaves an empty warehouse with its schema, as etl.load.build_empty makes.
            con.execute("begin transaction")
            warehouse.create_schema(con)
            con.execute("commit")
        for n, path in enumerate(paths):
            path = Path(path)
            started = datetime.now()
            try:
                sheet = _await_sheet(ahead) if n == 0 else None
                src = open_source(con, path, mapping, name=f"_raw{n}", sheet=sheet)
            except ReadError as exc:
                raise LoadError(path.name, str(exc)) from exc
            bar.step(f"{path.name}: đọc")
            try:
                staged = stage(con, src, mapping, f"_stg{n}", unit_override=unit, salt=salt)
            except duckdb.Error as exc:
                # The readers are lazy: a file that breaks half-way fails here, not when opened.
                raise LoadError(path.name, "không đọc được nội dung tệp ("
                                + str(exc).strip().splitlines()[0][:200] + ")") from exc
            bar.step(f"{path.name}: kiểm tra {staged.rows_read} dòng")
            # The source is read: let go of it (an XLSX sheet's Arrow table, the reader's view).
            _drop_staging(con, n + 1, only=n, keep_tables=True)
            staged_files.append((path, started, src, staged))
    except BaseException:
        _drop_staging(con, len(paths))
        bar.close()
        raise
    con.execute("begin transaction")
    try:
        if not schema_made:
            warehouse.create_schema(con)  # inside the transaction: one commit, not one per statement
        for n, (path, started, src, staged) in enumerate(staged_files):
            ingestion_id = con.execute("select coalesce(max(ingestion_id), 0) + 1 from ingestions").fetchall()[0][0]
            con.execute(
                f"insert into rejects select $id, $file, _row, _raw, _reason from _stg{n} "
                f"where _reason is not null order by _row",
                {"id": ingestion_id, "file": path.name})
            counts = merge(con, staged, path.name, started)
            bar.step(f"{path.name}: gộp")
            result = FileResult(path.name, src.format, src.kind, staged.rows_read, counts.inserted,
                                counts.updated, counts.unchanged, staged.rows_rejected, src.unknown_headers)
            assert result.rows_read == (result.rows_inserted + result.rows_updated + result.rows_unchanged
                                        + result.rows_rejected), result
            message = ("Bỏ qua cột không nhận ra: " + ", ".join(src.unknown_headers)) if src.unknown_headers else None
            con.execute(
                "insert into ingestions values ($id, $file, $sha, $fmt, $kind, $read, $ins, $upd, $unch, $rej, "
                "$started, $finished, 'ok', $msg)",
                {"id": ingestion_id, "file": path.name, "sha": hashes.get(n) or _sha256(path), "fmt": src.format, "kind": src.kind,
                 "read": result.rows_read, "ins": result.rows_inserted, "upd": result.rows_updated,
                 "unch": result.rows_unchanged, "rej": result.rows_rejected, "started": started,
                 "finished": datetime.now(), "msg": message})
            con.execute(f"drop table if exists _stg{n}")
            for view in (f"_raw{n}",):
                try:
                    con.unregister(view)
                except Exception:
                    pass
                # The readers' create_view() makes a persistent view that re-reads the source file,
                # personal columns included: it must not stay in the warehouse.
                con.execute(f"drop view if exists {view}")
            results.append(result)
        # only this load's cases, unless what derived due dates depend on changed with it
        derive_due_dates(con, settings.get("office_close"),
                         since=load_started if warehouse.facts_current(con) else None)
        warehouse.refresh_facts(con, since=load_started)
        warehouse.bump_data_version(con)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        # The rollback brings back the staging objects dropped in the transaction.
        _drop_staging(con, len(paths))
        raise
    finally:
        bar.close()
    return results


def _drop_staging(con, n_files: int, only: int | None = None, keep_tables: bool = False) -> None:
    """Drop what staging made outside the transaction: temp tables, and the readers' views, which
    re-read the source file, personal columns included, and must not stay in the warehouse."""
    for n in range(n_files) if only is None else [only]:
        tables = [] if keep_tables else [f"drop table if exists _stg{n}", f"drop table if exists _stg{n}_cells"]
        for statement in tables + [f"drop view if exists _raw{n}"]:
            try:
                con.execute(statement)
            except duckdb.Error:
                pass
        try:
            con.unregister(f"_raw{n}")
        except Exception:
            pass


def load_files(db: Path, paths: list[Path], unit: str | None = None, fresh: bool = False,
               progress: bool | None = None) -> list[FileResult]:
    """Load files into the database at `db` atomically: all files or nothing."""
    mapping = load_mapping()
    if progress is None:
        total = sum(Path(p).stat().st_size for p in paths if Path(p).exists())
        progress = total >= settings.get("progress_min_mb") * 1024 * 1024
    with atomic.replacing(Path(db), fresh=fresh) as con:
        return load_into(con, [Path(p) for p in paths], mapping, unit=unit, progress=progress)


def build_empty(db: Path) -> None:
    with atomic.replacing(Path(db)) as con:
        warehouse.create_schema(con)


SAMPLE_PATTERNS = ("*.xlsx", "*.csv", "*.jsonl", "*.json", "*.txt")


def sample_files(directory: Path | None = None) -> list[Path]:
    """Sample exports in load order: the catalogue first, then cases oldest first, then the rest."""
    directory = Path(directory or settings.get("sample_dir"))
    files = sorted({p for pat in SAMPLE_PATTERNS for p in directory.glob(pat)})
    files = [p for p in files if p.name.lower() != "readme.txt"]

    def order(p: Path) -> tuple:
        # Oldest export first, as a centre would have loaded them over time.
        name = p.name.lower()
        year = re.search(r"(19|20)\d\d", name)
        group = 0 if "tthc" in name else 1 if "ho_so" in name or "dvcqg" in name else 2
        return (group, year.group(0) if year else "", name)

    return sorted(files, key=order)
