"""`python -m etl export-parquet`: Hive-partitioned Parquet, idempotent, never half-written
(etl/export.py). No Spark here: DuckDB reads the export back."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pytest

from etl import export
from etl.export import ExportError, export_parquet
from tests.fixtures import hand_cases


def _warehouse(tmp_path: Path) -> Path:
    """The hand-built warehouse of tests/fixtures/hand_cases.py as a file."""
    db = tmp_path / "hand.duckdb"
    con = duckdb.connect(str(db))
    hand_cases.build(con)
    con.close()
    return db


def _files(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_export_layout_and_round_trip(tmp_path):
    db = _warehouse(tmp_path)
    out = tmp_path / "pq"
    manifest = export_parquet(db, out)
    assert json.loads((out / "_manifest.json").read_text(encoding="utf-8")) == manifest
    cases = manifest["tables"]["cases"]
    assert cases["partition_by"] == ["year", "month", "unit"]
    parts = {p.relative_to(out / "cases").parent.as_posix() for p in (out / "cases").rglob("*.parquet")}
    assert parts and all(p.count("/") == 2 and p.startswith("year=") for p in parts)
    assert manifest["tables"]["work_calendar"]["path"] == "work_calendar.parquet"
    con = duckdb.connect()
    con.execute(f"attach '{db}' as w (read_only)")
    for name, table in manifest["tables"].items():
        cols = ", ".join(f'"{c}"' for c, _ in table["columns"])
        path = out / table["path"]
        source = (f"read_parquet('{path}/**/*.parquet', hive_partitioning = true)" if table["partition_by"]
                  else f"read_parquet('{path}')")
        if table["rows"] == 0:
            continue
        got = con.execute(f"select {cols} from {source} order by all").fetchall()
        want = con.execute(f"select {cols} from w.main.{name} order by all").fetchall()
        assert got == want, name
        assert table["rows"] == len(want)


def test_export_is_idempotent(tmp_path):
    db = _warehouse(tmp_path)
    out = tmp_path / "pq"
    export_parquet(db, out)
    first = _files(out)
    export_parquet(db, out)
    assert _files(out) == first            # same files, byte for byte
    assert len(first) > 10
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name or ".old-" in p.name]


def test_a_failed_export_leaves_the_previous_one(tmp_path, monkeypatch):
    db = _warehouse(tmp_path)
    out = tmp_path / "pq"
    export_parquet(db, out)
    before = _files(out)

    def broken(con, tables, tmp):
        (tmp / "half-written.parquet").write_bytes(b"x")
        raise RuntimeError("disk full")

    monkeypatch.setattr(export, "_write", broken)
    with pytest.raises(RuntimeError):
        export_parquet(db, out)
    assert _files(out) == before
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]


def test_refuses_to_replace_a_folder_it_did_not_write(tmp_path):
    db = _warehouse(tmp_path)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("precious")
    with pytest.raises(ExportError):
        export_parquet(db, out)
    assert (out / "thesis.docx").read_text() == "precious"


def test_cli_export(tmp_path, cli):
    db = _warehouse(tmp_path)
    run = cli("export-parquet", "--db", db, "--out", tmp_path / "pq")
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "pq" / "_manifest.json").is_file()
    missing = cli("export-parquet", "--db", tmp_path / "nope.duckdb", "--out", tmp_path / "pq2")
    assert missing.returncode == 2 and "nope.duckdb" in missing.stderr
