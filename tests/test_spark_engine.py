"""The Spark engine (queries/spark_engine.py, docs/scale.md) gives exactly the DuckDB figures.

The sample warehouse is built once (`python -m etl sample`), exported with `python -m etl
export-parquet`, and read by one Spark session (local mode) for the whole module: Spark starts in
tens of seconds. The metric SQL is the same queries/*.sql on both sides, translated for Spark, so
these tests fail when a construct in those files stops translating. Skipped, with the reason, only
where no Java runtime exists (`make test` installs one).
"""
from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import duckdb
import pytest

from core.db import connect_readonly
from queries import metrics
from queries.cli import kpi_json

ROOT = Path(__file__).resolve().parent.parent
UNIT = "UBND xã Bình Minh"
# unit names that need escaping in Hive partition folders: Vietnamese letters, space runs, / = % ? '
ODD_UNITS = ("Phường Đông Hòa / khu 2 = 50% ?", "Xã Ea H'leo  (cũ)")

# (start, end, unit, sector): a full year, a year to date, a week, a month of one unit, a sector typed
# in NFD form (compared after NFC), and a unit without cases
KPI_CASES = [
    ("2025-01-01", "2025-12-31", None, None),
    ("2026-01-01", "2026-11-15", None, None),
    ("2026-11-09", "2026-11-15", None, None),
    ("2026-10-01", "2026-10-31", UNIT, None),
    ("2026-01-01", "2026-11-15", None, unicodedata.normalize("NFD", "Đất đai")),
    ("2026-01-01", "2026-11-15", "Không có đơn vị này", None),
]
REPORT_CASES = [("2025-01-01", "2025-12-31", None), ("2026-11-09", "2026-11-15", None),
                ("2026-10-01", "2026-10-31", UNIT)]


def _java() -> str | None:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and Path(java_home, "bin", "java").exists():
        return str(Path(java_home, "bin", "java"))
    return shutil.which("java")


@pytest.fixture(scope="module", autouse=True)
def _needs_java():
    if _java() is None:
        pytest.skip("Spark parity tests skipped: no Java runtime found (java not on PATH, JAVA_HOME unset); "
                    "`make test` installs openjdk-17-jre-headless")


def _run(*args: str, env: dict | None = None, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=dict(os.environ, **(env or {})),
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("spark_sample")
    db = folder / "sample.duckdb"
    proc = _run("-m", "etl", "sample", "--db", str(db), env={"TTHC_SALT_FILE": str(folder / "no-salt")})
    assert proc.returncode == 0, proc.stderr
    return db


@pytest.fixture(scope="module")
def export_dir(warehouse, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("spark_export") / "parquet"
    proc = _run("-m", "etl", "export-parquet", "--db", str(warehouse), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "cases:" in proc.stdout
    return out


@pytest.fixture(scope="module")
def duck(warehouse):
    con = connect_readonly(warehouse)
    yield con
    con.close()


@pytest.fixture(scope="module")
def spark(export_dir):
    from queries import spark_engine

    con = spark_engine.connect(export_dir, master="local[2]")
    yield con
    con.close()


def _same_figures(a: dict, b: dict) -> list[str]:
    """Keys whose values differ; floats may differ in the last bits (Spark sums in another order)."""
    assert set(a) == set(b)
    bad = []
    for k in a:
        x, y = a[k], b[k]
        if isinstance(x, float) and isinstance(y, float):
            if not math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-12):
                bad.append(f"{k}: {x} != {y}")
        elif x != y or type(x) is not type(y):
            bad.append(f"{k}: {x!r} != {y!r}")
    return bad


@pytest.mark.parametrize("start,end,unit,sector", KPI_CASES)
def test_kpis_identical(duck, spark, start, end, unit, sector):
    a = metrics.kpis(duck, start, end, unit=unit, sector=sector)
    b = metrics.kpis(spark, start, end, unit=unit, sector=sector)
    assert kpi_json(a) == kpi_json(b)            # what `kpis --format json` prints
    assert _same_figures(a, b) == []             # and every other figure of kpis.sql
    if unit is None and sector is None:
        assert a["received"] > 0 and a["resolved"] > 0   # the comparison compared something


@pytest.mark.parametrize("start,end,unit", REPORT_CASES)
def test_report06a_identical(duck, spark, start, end, unit):
    a = metrics.report06a(duck, start, end, unit=unit).to_pylist()
    b = metrics.report06a(spark, start, end, unit=unit).to_pylist()
    assert len(a) > 2 and a[-1]["sector"] == "Tổng cộng"
    assert a == b


def test_kpis_by_period_and_sector_identical(duck, spark):
    for grain in ("week", "month"):
        a = metrics.kpis_by_period(duck, "2026-09-01", "2026-11-15", grain=grain).to_pylist()
        b = metrics.kpis_by_period(spark, "2026-09-01", "2026-11-15", grain=grain).to_pylist()
        assert len(a) == len(b) > 1
        assert [_same_figures(x, y) for x, y in zip(a, b)] == [[]] * len(a)
    a = metrics.kpis_by_sector(duck, "2026-01-01", "2026-11-15").to_pylist()
    b = metrics.kpis_by_sector(spark, "2026-01-01", "2026-11-15").to_pylist()
    assert [r["sector"] for r in a] == [r["sector"] for r in b] and len(a) > 3
    assert [_same_figures(x, y) for x, y in zip(a, b)] == [[]] * len(a)


def test_case_facts_computed_on_spark_equal_the_stored_table(duck, spark):
    """Spark computes case_facts from case_facts_view (working days, timeliness, sector keys) over
    the exported cases; the warehouse stores what DuckDB computed at load. Row for row equal."""
    query = "select * from case_facts order by case_id"
    a = duck.sql(query).to_arrow_table().to_pylist()
    b = spark.sql(query).to_arrow_table().to_pylist()
    assert len(a) == len(b) > 10_000
    assert a[0].keys() == b[0].keys()
    bad = [(x["case_id"], _same_figures(x, y)) for x, y in zip(a, b) if x != y]
    assert [(cid, diff) for cid, diff in bad if diff] == []


def test_cli_spark_engine_prints_what_duckdb_prints(warehouse, export_dir, spark, capsys):
    """`python -m queries kpis|report06a --engine spark` prints byte for byte what the DuckDB engine
    prints. In this process (queries.cli.main), so that the module's Spark session is reused."""
    from queries import cli

    period = ["--start", "2026-11-09", "--end", "2026-11-15", "--format", "json"]
    for command in ("kpis", "report06a"):
        assert cli.main([command, *period, "--db", str(warehouse)]) == 0
        duck_out = capsys.readouterr().out
        assert cli.main([command, *period, "--engine", "spark", "--parquet", str(export_dir)]) == 0
        spark_out = capsys.readouterr().out
        assert spark_out == duck_out
        if command == "kpis":
            assert len(json.loads(spark_out)) == 14


def test_cli_spark_engine_without_export_exits_2(tmp_path):
    proc = _run("-m", "queries", "kpis", "--start", "2026-01-01", "--end", "2026-01-31", "--engine", "spark",
                "--parquet", str(tmp_path / "nothing"), timeout=120)
    assert proc.returncode == 2
    assert "export-parquet" in proc.stderr


def test_unit_names_survive_partition_folders(warehouse, tmp_path):
    """Units with Vietnamese letters and / = % ? ' in their names come back from the partition
    folders exactly, and their figures match."""
    from queries import spark_engine

    db = tmp_path / "odd.duckdb"
    shutil.copy(warehouse, db)
    con = duckdb.connect(str(db))
    for i, unit in enumerate(ODD_UNITS):
        for table in ("cases", "case_facts"):
            con.execute(f"update {table} set unit = ? where hash(case_id) % 5 = ?", [unit, i])
    con.close()
    out = tmp_path / "parquet"
    from etl.export import export_parquet

    export_parquet(db, out)
    assert any("%" in p.name for p in (out / "cases").rglob("unit=*"))   # the names were escaped
    duck = connect_readonly(db)
    spark = spark_engine.connect(out, master="local[2]", case_facts="stored")
    try:
        query = "select unit, count(*) as n from cases group by unit order by unit"
        expected = duck.sql(query).to_arrow_table().to_pylist()
        assert {r["unit"] for r in expected} == {UNIT, *ODD_UNITS}
        assert spark.sql(query).to_arrow_table().to_pylist() == expected
        for unit in ODD_UNITS:
            assert kpi_json(metrics.kpis(duck, "2026-01-01", "2026-11-15", unit=unit)) == \
                kpi_json(metrics.kpis(spark, "2026-01-01", "2026-11-15", unit=unit))
    finally:
        spark.close()
        duck.close()
