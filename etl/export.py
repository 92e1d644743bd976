"""Export the warehouse as Hive-partitioned Parquet for engines beyond one machine (docs/scale.md).

    python -m etl export-parquet --db PATH --out DIR

Layout of DIR:
  _manifest.json              every table: its folder or file, columns with DuckDB types, partitioning
  cases/year=Y/month=M/unit=U/data_0.parquet       case-level tables, partitioned by the received
  case_facts/year=Y/month=M/unit=U/data_0.parquet  date's year and month and by unit
  <table>.parquet             every other (small) table as one file

year and month are added for the partitioning only (from received_at; a case without one lands in
__HIVE_DEFAULT_PARTITION__); unit is moved from the files into the folder names, which DuckDB writes
percent-encoded (UTF-8 bytes). queries/spark_engine.py reads the manifest and restores every table's
columns, order and types.

Idempotent and all-or-nothing: the export is written to a temporary folder beside DIR and then put
in place by renames, so DIR is always either the previous complete export or the new one; the same
warehouse gives the same files (rows ordered, one file per partition).
"""
from __future__ import annotations

import ctypes
import fcntl
import json
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import duckdb

from etl.atomic import sql_literal as _literal

MANIFEST = "_manifest.json"
MANIFEST_FORMAT = 1

# Case-level tables: partitioned by year and month of this timestamp and by unit. Every other table
# is small (catalogue, calendar, ratings, PAKN, bookkeeping) and is written as one file.
PARTITIONED = {"cases": "received_at", "case_facts": "received_at"}
PARTITION_COLUMNS = ("year", "month", "unit")


class ExportError(Exception):
    """A problem the user can fix (missing database, output folder not ours): one line, exit 2."""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@contextmanager
def _lock(out: Path):
    out.parent.mkdir(parents=True, exist_ok=True)
    fh = open(out.parent / f".{out.name}.lock", "a+")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ExportError(f"another export into {out} is running") from None
        yield
    finally:
        fh.close()


def _check_target(out: Path) -> None:
    """Replace only an earlier export (or nothing): never delete a folder this command did not write."""
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MANIFEST).is_file())):
        raise ExportError(f"{out} exists and is not a Parquet export of this product ({MANIFEST} missing); "
                          "choose another --out")


def _open(db: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the warehouse attached read-only. Not core.db.connect_readonly: that
    connection forbids writing files by design (the SQL sandbox), and COPY must write them."""
    if not db.is_file():
        raise ExportError(f"database not found: {db}")
    con = duckdb.connect(config={"autoinstall_known_extensions": "false",
                                 "autoload_known_extensions": "false"})
    try:
        con.execute(f"attach {_literal(str(db))} as w (read_only)")
    except duckdb.Error as exc:
        con.close()
        raise ExportError(f"cannot open database {db}: {str(exc).splitlines()[0]}") from None
    return con


def _tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[list[str]]]:
    rows = con.execute(
        "select c.table_name, c.column_name, c.data_type from information_schema.columns c "
        "join information_schema.tables t using (table_catalog, table_schema, table_name) "
        "where c.table_catalog = 'w' and c.table_schema = 'main' and t.table_type = 'BASE TABLE' "
        "order by c.table_name, c.ordinal_position").fetchall()
    tables: dict[str, list[list[str]]] = {}
    for table, column, dtype in rows:
        tables.setdefault(table, []).append([column, dtype])
    return tables


def _write(con: duckdb.DuckDBPyConnection, tables: dict[str, list[list[str]]], tmp: Path) -> dict:
    manifest: dict = {"format": MANIFEST_FORMAT, "tables": {}}
    meta = {k: v for k, v in con.execute("select key, value from w.main.meta").fetchall()} if "meta" in tables else {}
    manifest["warehouse"] = {k: meta[k] for k in ("schema_version", "created_at", "data_version") if k in meta}
    for table, columns in tables.items():
        names = [c for c, _ in columns]
        order = ", ".join(_quote(n) for n in names)   # every column: a deterministic row order
        source = f"w.main.{_quote(table)}"
        entry: dict = {"columns": columns}
        if table in PARTITIONED and "unit" in names and PARTITIONED[table] in names:
            stamp = _quote(PARTITIONED[table])
            query = (f"select *, year({stamp}) as year, month({stamp}) as month from {source} order by {order}")
            path = tmp / table
            con.execute(f"copy ({query}) to {_literal(str(path))} (format parquet, "
                        f"partition_by ({', '.join(PARTITION_COLUMNS)}), filename_pattern 'data_{{i}}')")
            path.mkdir(exist_ok=True)   # a table without rows still gets its folder
            entry |= {"path": table, "partition_by": list(PARTITION_COLUMNS),
                      "derived_partition_columns": ["year", "month"], "partition_from": PARTITIONED[table]}
        else:
            path = tmp / f"{table}.parquet"
            con.execute(f"copy (select * from {source} order by {order}) to {_literal(str(path))} (format parquet)")
            entry |= {"path": path.name, "partition_by": []}
        entry["rows"] = con.execute(f"select count(*) from {source}").fetchall()[0][0]
        manifest["tables"][table] = entry
    return manifest


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def _swap_in(tmp: Path, out: Path) -> None:
    """Put the finished export ``tmp`` at ``out``. Readers see the old export or the new one, never a
    mix: an atomic exchange where the OS offers it, else two renames (``out`` is briefly absent)."""
    if not out.exists():
        os.rename(tmp, out)
        return
    if _exchange(tmp, out):
        shutil.rmtree(tmp, ignore_errors=True)   # tmp now holds the previous export
        return
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    os.rename(out, old)
    try:
        os.rename(tmp, out)
    except BaseException:
        os.rename(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def export_parquet(db: Path, out: Path) -> dict:
    """Write the warehouse at ``db`` as Parquet under ``out`` (replacing an earlier export there);
    returns the manifest."""
    db, out = Path(db), Path(out)
    with _lock(out):
        _check_target(out)
        for stale in out.parent.glob(f".{out.name}.tmp-*"):   # left by a killed export
            shutil.rmtree(stale, ignore_errors=True)
        for stale in out.parent.glob(f".{out.name}.old-*"):
            shutil.rmtree(stale, ignore_errors=True)
        tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
        con = _open(db)
        try:
            tmp.mkdir()
            manifest = _write(con, _tables(con), tmp)
            (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                        encoding="utf-8")
            _swap_in(tmp, out)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        finally:
            con.close()
    return manifest
