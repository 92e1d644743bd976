"""Smoke run of the benchmark (issue 6): `python -m bench --cases 2000 --runs 1` end to end.

Checks the JSON's shape only: every required key, numbers > 0, pages as objects, goals judged.
Never a timing threshold: CI machines differ; `make bench` measures, this only proves it runs.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

NUMBERS = ("etl_csv_rows_per_s", "etl_xlsx_rows_per_s", "etl_jsonl_rows_per_s", "raw_xlsx_rows_per_s",
           "raw_csv_rows_per_s", "incremental_load_s", "scan_floor_ms", "ours_kpis_ms", "pandas_kpis_ms",
           "peak_rss_mb", "peak_rss_load_mb", "peak_rss_app_mb", "memory_gb")


def test_bench_smoke(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--cases", "2000", "--runs", "1", "--out", str(out),
         "--workdir", str(tmp_path / "work")],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(out.read_text(encoding="utf-8"))

    assert result["cases"] == 2000
    assert isinstance(result["cores"], int) and result["cores"] > 0
    for key in NUMBERS:
        assert isinstance(result[key], (int, float)) and not isinstance(result[key], bool), key
        assert result[key] > 0, key
    for key in ("page_warm_ms", "page_cold_ms"):
        pages = result[key]
        assert isinstance(pages, dict) and pages, key
        assert {"Tổng quan", "Giao ban tuần", "Xu hướng"} <= set(pages), key
        for page, ms in pages.items():
            assert isinstance(ms, (int, float)) and ms > 0, (key, page)
    assert result["etl"]["csv"]["rows"] == 2000
    assert result["incremental"]["files"][0]["read"] == 3000

    goals = result["goals"]
    assert isinstance(goals, list) and goals
    for goal in goals:
        assert {"id", "goal", "value", "threshold", "pass", "applies"} <= set(goal)
        assert goal["pass"] in (True, False), goal
    assert "bench:" in proc.stdout and "goals" in proc.stdout
