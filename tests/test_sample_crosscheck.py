"""On the demo database: Biểu II.06a's totals equal the kpis counts for the same period, the
kpis CLI agrees with the Python API, and the sample's known quirks are accounted for."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from core.db import connect_readonly
from queries import metrics
from tests.test_app_pages import ROOT, sample_db  # noqa: F401 - the session fixture

PERIODS = [("2024-01-01", "2024-12-31"), ("2025-12-01", "2026-01-31"), ("2026-11-09", "2026-11-15"),
           ("2026-01-01", "2026-11-15")]


@pytest.mark.parametrize("start,end", PERIODS)
def test_report06a_totals_equal_kpis(sample_db, start, end):
    con = connect_readonly(sample_db)
    assert metrics.report06a_reconciliation(con, start, end) == []
    rows = metrics.report06a(con, start, end).to_pylist()
    assert len(rows) >= 2 and rows[-1]["received_total"] > 0


def test_kpis_cli_matches_api(sample_db):
    proc = subprocess.run([sys.executable, "-m", "queries", "kpis", "--db", str(sample_db), "--start", "2026-01-01",
                           "--end", "2026-11-15", "--format", "json"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    k = metrics.kpis(connect_readonly(sample_db), "2026-01-01", "2026-11-15")
    assert out["received"] == k["received"] and out["resolved_late"] == k["resolved_late"]
    assert out["on_time_rate"] == round(k["on_time_rate"], 2)


def test_sample_load_accounting(sample_db):
    # the same factory as every other reader: DuckDB refuses a second configuration for one file
    con = connect_readonly(sample_db)
    rows = con.execute("select file_name, rows_read, rows_inserted + rows_updated + rows_unchanged + rows_rejected, "
                       "rows_rejected from ingestions order by ingestion_id").fetchall()
    assert all(read == total for _, read, total, _ in rows)
    rejected = {name: rej for name, _, _, rej in rows}
    # the generator's injected quirks (sample_data/README.md): 5 / 10 / 4 rows rejected
    assert rejected["ho_so_2024_motcua.xlsx"] == 5
    assert rejected["ho_so_2025_vendorB.csv"] == 10
    assert rejected["dvcqg_2026.jsonl"] == 4
