"""Smoke run of the benchmark (issue 6: "CI runs only a 100k smoke run"): `python -m bench --cases 100000
--runs 1` end to end, every format and step (about 2 minutes on a quiet 2-core machine).

Checks the JSON's shape only: every required key, numbers > 0, pages as objects, goals judged.
Never a timing threshold: CI machines differ; `make bench` measures, this only proves it runs.
The browser step (streamlit + headless Chromium) runs too when /usr/bin/chromium and playwright
exist, which is most of the run's time on a busy machine; without them the JSON must say why.
"""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BROWSER_PAGES = {"Tổng quan", "Giao ban tuần", "Xu hướng", "Chuyển đổi số", "Hài lòng", "Chỉ số 766"}

NUMBERS = ("etl_csv_rows_per_s", "etl_xlsx_rows_per_s", "etl_jsonl_rows_per_s", "raw_xlsx_rows_per_s",
           "raw_csv_rows_per_s", "incremental_load_s", "incremental_no_spare_load_s", "scan_floor_ms", "ours_kpis_ms", "pandas_kpis_ms",
           "peak_rss_mb", "peak_rss_load_mb", "peak_rss_app_mb", "memory_gb")


def test_bench_smoke(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--cases", "100000", "--runs", "1", "--out", str(out),
         "--workdir", str(tmp_path / "work")],
        cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(out.read_text(encoding="utf-8"))

    assert result["cases"] == 100_000
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
    assert result["etl"]["csv"]["rows"] == 100_000
    assert result["incremental"]["files"][0]["read"] == 3000
    # the week's load took the spare copy the bench left as a last load would, and did not copy the
    # file; without a spare it copied it; and no spare copy is left behind in the work folder
    assert "copy_db_file" not in result["incremental"]["phases_s"], result["incremental"]["phases_s"]
    assert all(isinstance(s, float) and s > 0 for s in result["incremental"]["spare_s"])
    assert result["incremental_no_spare"]["phases_s"]["copy_db_file"] > 0
    assert result["incremental_no_spare"]["files"] == result["incremental"]["files"]
    assert not list((tmp_path / "work").rglob("*.spare-*"))

    goals = result["goals"]
    assert isinstance(goals, list) and goals
    for goal in goals:
        assert {"id", "goal", "value", "threshold", "pass", "applies"} <= set(goal)
        assert goal["pass"] in (True, False), goal
    assert "bench:" in proc.stdout and "goals" in proc.stdout
    # the machine's speed at both ends of the run, to read the figures by
    for when in ("speed_start", "speed_end"):
        speed = result["machine"][when]
        assert set(speed) == {"python_loop_ms", "duckdb_sum_ms"}, when
        assert all(isinstance(v, float) and v > 0 for v in speed.values()), (when, speed)
    assert "machine speed (ms, lower is faster; start / end): Python loop" in proc.stdout
    assert "the same without a spare copy s (vs with)" in proc.stdout

    # the pages in the browser: shape only, never a time
    for key in ("page_browser_cold_ms", "page_browser_warm_ms", "page_browser_click_ms", "page_browser_return_ms",
                "page_browser_first_ms", "page_browser"):
        assert isinstance(result[key], dict), key
    if Path("/usr/bin/chromium").exists() and importlib.util.find_spec("playwright") is not None:
        details = result["page_browser"]
        assert details.get("error") is None, details.get("error")
        assert set(result["page_browser_cold_ms"]) == BROWSER_PAGES
        assert set(result["page_browser_warm_ms"]) == BROWSER_PAGES
        assert set(result["page_browser_click_ms"]) == BROWSER_PAGES
        assert set(result["page_browser_return_ms"]) == BROWSER_PAGES
        assert set(result["page_browser_first_ms"]) == BROWSER_PAGES
        for page in BROWSER_PAGES:
            # every page reached by its sidebar link and opened by a returning browser too (one
            # that never completes is None)
            for key in ("page_browser_cold_ms", "page_browser_warm_ms", "page_browser_click_ms",
                        "page_browser_return_ms", "page_browser_first_ms"):
                ms = result[key][page]
                assert isinstance(ms, (int, float)) and not isinstance(ms, bool), (key, page)
            d = details["pages"][page]
            assert d["error"] is None, (page, d["error"])
            assert len(d["cold_runs_ms"]) == result["runs"], (page, d["cold_runs_ms"])   # one per server start
            assert isinstance(d["charts"], int) and isinstance(d["tables"], int), page
            if page in ("Xu hướng", "Chỉ số 766"):   # every chart box counted once its marks are drawn
                assert d["charts"] >= 1 and d["charts"] == d["chart_boxes"], (page, d)
            assert d["h1"] == page, (page, d["h1"])
        assert isinstance(result["rss_mb_by_step"]["app_streamlit"], (int, float))
        assert any(g["id"] == "page_browser_cold_ms" for g in goals)
        assert all(f"browser render ms {k}" in proc.stdout for k in ("cold", "click", "return"))
    else:
        assert result["page_browser"].get("skipped"), result["page_browser"]
        assert any("browser render not measured" in n for n in result["notes"])


def test_speed_probe_times_both_workloads_and_the_report_shows_them():
    from bench import cli, report

    speed = cli.speed_probe(rounds=1)
    assert set(speed) == {"python_loop_ms", "duckdb_sum_ms"}
    assert all(isinstance(v, float) and v > 0 for v in speed.values()), speed
    run = {"machine": {"speed_start": speed, "speed_end": {"python_loop_ms": 80.0, "duckdb_sum_ms": 150.0}}}
    shown = report._speed(run)
    assert shown == f"Python loop {report._fmt(speed['python_loop_ms'])} / 80.0, DuckDB sum {report._fmt(speed['duckdb_sum_ms'])} / 150"
    # a result file from before the probe existed still prints
    assert report._speed({"machine": {}}) == "Python loop - / -, DuckDB sum - / -"
