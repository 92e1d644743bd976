"""Plan targets judged on a small hand-built warehouse (queries/targets.py, docs/index766.md).

Unit 'U1', 2025: 50 cases resolved in March, 49 early and 1 late (on-time rate exactly 98.0 %),
45 received online (online share 90.0 %), no digitisation flag, no rating.
Unit 'P1', 2026: cases resolved in January (20, 18 in time = 90 %), February (60, 48 = 80 %) and
March (20, 17 = 85 %), none in April: a weighted linear trend of -2.5 points a month from 88
(December: 58.0 %), against 60.0 % unweighted.
Unit 'Q1', 2029 (T1's 30 % time-saving target is in effect): in each of March, June and July,
cases with a statutory 20 working days finished after 10, 15 or 18 working days (50, 25, 10 %
saved), so the time-saving share differs between the plan's 30 % and the default 20 %.
Plan 'T1' is made up here; plan '003' is the seed registry's (etl/reference/targets.csv).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from core import db as coredb
from etl.warehouse import create_schema, refresh_facts
from queries import targets

ROOT = Path(__file__).resolve().parent.parent

TARGET_ROWS = [
    # metric, comparator, value, from, to, scope, measurable, text
    ("on_time_rate", ">", 98, "2025-01-01", "2030-12-31", None, True, "T1 đúng hạn trên 98%"),
    ("on_time_rate", ">=", 98, "2025-01-01", "2030-12-31", None, True, "T1 đúng hạn từ 98% trở lên"),
    ("online_share", ">=", 85, "2025-01-01", "2028-12-31", None, True, "T1 trực tuyến 85% (2025-2028)"),
    ("online_share", ">=", 95, "2029-01-01", "2030-12-31", None, True, "T1 trực tuyến 95% (2029-2030)"),
    ("digitised_share", ">=", 90, "2025-01-01", "2030-12-31", None, True, "T1 số hóa 90%"),
    ("satisfaction_rate", ">=", 90, "2025-01-01", "2030-12-31", "dat_dai_xay_dung_dau_tu", True,
     "T1 hài lòng đất đai 90%"),
    ("time_saving_mean", ">=", 30, "2029-01-01", "2030-12-31", None, True, "T1 giảm 30% thời gian (2029-2030)"),
    (None, ">=", 100, "2025-01-01", "2030-12-31", None, False, "T1 100% cán bộ được bồi dưỡng"),
]


def _case(case_id, unit, received, due, finished, channel="direct"):
    return (case_id, unit, channel, 10, received, due, finished)


def _cases() -> list[tuple]:
    rows = []
    for i in range(50):  # U1, March 2025: 49 early, 1 late; 45 online
        finished = datetime(2025, 3, 25, 10) if i == 0 else datetime(2025, 3, 10, 10)
        rows.append(_case(f"U1-{i:02d}", "U1", datetime(2025, 3, 3, 9), datetime(2025, 3, 20, 17), finished,
                          "online" if i < 45 else "direct"))
    # P1, 2026: (month, resolved, of which in time)
    for month, n, ok in ((1, 20, 18), (2, 60, 48), (3, 20, 17)):
        for i in range(n):
            finished = datetime(2026, month, 12, 10) if i < ok else datetime(2026, month, 27, 10)
            rows.append(_case(f"P1-{month}-{i:02d}", "P1", datetime(2026, month, 5, 9),
                              datetime(2026, month, 20, 17), finished))
    return rows


def _saving_cases() -> list[tuple]:
    # received on a Monday; finished 14, 21 and 24 days later: 10, 15 and 18 working days taken
    rows = []
    for month, monday, finish_days in ((3, 5, (19, 26, 26, 29)), (6, 4, (18, 25, 28, 28)), (7, 2, (16, 23, 23, 26))):
        received = datetime(2029, month, monday, 9)
        for i, day in enumerate(finish_days):
            rows.append((f"Q1-{month}-{i}", "Q1", "online", 10, received, received + timedelta(days=28),
                         datetime(2029, month, day, 9), 20))
    return rows


@pytest.fixture(scope="module")
def db_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("targets") / "w.duckdb"
    con = duckdb.connect(str(path))
    create_schema(con)
    con.executemany("insert into cases (case_id, unit, channel, status, received_at, due_at, finished_at)"
                    " values (?, ?, ?, ?, ?, ?, ?)", _cases())
    con.executemany("insert into cases (case_id, unit, channel, status, received_at, due_at, finished_at,"
                    " statutory_days) values (?, ?, ?, ?, ?, ?, ?, ?)", _saving_cases())
    con.executemany("insert into targets values ('T1', 'Kế hoạch thử', 'Xã Thử', ?, ?, ?, ?, ?, ?, ?, ?,"
                    " 'Kế hoạch thử số 1/KH-UBND, mục II')",
                    [(m, c, v, date.fromisoformat(f), date.fromisoformat(t), s, ms, tx)
                     for m, c, v, f, t, s, ms, tx in TARGET_ROWS])
    refresh_facts(con)
    con.close()
    return path


@pytest.fixture()
def con(db_path):
    c = coredb.connect_readonly(db_path)  # the dashboard's locked-down read-only connection
    yield c
    c.close()


def _by_text(results: list[dict]) -> dict[str, dict]:
    return {r["target_text"]: r for r in results}


# ------------------------------------------------------------------ evaluate

def test_boundary_greater_than_is_not_met_at_equality(con):
    res = _by_text(targets.evaluate(con, "T1", date(2025, 1, 1), date(2025, 12, 31), unit="U1"))
    gt, ge = res["T1 đúng hạn trên 98%"], res["T1 đúng hạn từ 98% trở lên"]
    assert gt["actual"] == 98.0 and ge["actual"] == 98.0
    assert (gt["status"], gt["met"], gt["gap"], gt["status_vi"]) == ("not_met", False, 0.0, "chưa đạt")
    assert (ge["status"], ge["met"], ge["gap"], ge["status_vi"]) == ("met", True, 0.0, "đạt")


def test_phase_picked_by_period_end(con):
    y2025 = _by_text(targets.evaluate(con, "T1", date(2025, 1, 1), date(2025, 12, 31), unit="U1"))
    online = y2025["T1 trực tuyến 85% (2025-2028)"]
    assert (online["status"], online["target"], online["actual"], online["gap"]) == ("met", 85.0, 90.0, 5.0)
    assert "T1 trực tuyến 95% (2029-2030)" not in y2025          # the other phase of the same target
    saving = y2025["T1 giảm 30% thời gian (2029-2030)"]
    assert (saving["status"], saving["in_effect"], saving["actual"], saving["met"]) == ("not_in_effect", False, None, None)

    y2029 = _by_text(targets.evaluate(con, "T1", date(2029, 1, 1), date(2029, 12, 31), unit="U1"))
    assert "T1 trực tuyến 85% (2025-2028)" not in y2029
    online = y2029["T1 trực tuyến 95% (2029-2030)"]
    assert (online["status"], online["target"], online["actual"], online["gap"]) == ("no_data", 95.0, None, None)
    assert y2029["T1 giảm 30% thời gian (2029-2030)"]["status"] == "no_data"
    # the phase is chosen by the period's end: 2025-2028 keeps the first phase, mid-2028 to mid-2029
    # takes the second
    first = _by_text(targets.evaluate(con, "T1", date(2025, 1, 1), date(2028, 12, 31), unit="U1"))
    assert first["T1 trực tuyến 85% (2025-2028)"]["actual"] == 90.0
    assert "T1 trực tuyến 95% (2029-2030)" not in first
    straddle = _by_text(targets.evaluate(con, "T1", date(2028, 7, 1), date(2029, 6, 30), unit="U1"))
    assert straddle["T1 trực tuyến 95% (2029-2030)"]["status"] == "no_data"
    assert "T1 trực tuyến 85% (2025-2028)" not in straddle


def test_missing_input_is_no_data_never_zero(con):
    res = _by_text(targets.evaluate(con, "T1", date(2025, 1, 1), date(2025, 12, 31), unit="U1"))
    for text in ("T1 số hóa 90%", "T1 hài lòng đất đai 90%"):
        r = res[text]
        assert (r["status"], r["status_vi"], r["actual"], r["met"], r["gap"]) == \
            ("no_data", "không có dữ liệu", None, None, None)
    other = _by_text(targets.evaluate(con, "T1", date(2025, 1, 1), date(2025, 12, 31), unit="NOBODY"))
    assert other["T1 đúng hạn từ 98% trở lên"]["status"] == "no_data"


def test_not_measurable_listed_with_text(con):
    res = targets.evaluate(con, "T1", date(2025, 1, 1), date(2025, 12, 31), unit="U1")
    r = _by_text(res)["T1 100% cán bộ được bồi dưỡng"]
    assert (r["status"], r["status_vi"], r["actual"], r["citation"]) == \
        ("not_measurable", "chưa đo được", None, "Kế hoạch thử số 1/KH-UBND, mục II")
    assert [x["status"] for x in res] == ["not_met", "met", "met", "no_data", "no_data", "not_measurable",
                                          "not_in_effect"]


def test_seed003_registry_phases(con):
    y2025 = targets.evaluate(con, "003", date(2025, 1, 1), date(2025, 12, 31), unit="U1")
    y2029 = targets.evaluate(con, "003", date(2029, 1, 1), date(2029, 12, 31), unit="U1")

    def measurable(rows, metric, scope=None):
        return [(r["status"], r["target"], r["comparator"], r["effective_from"]) for r in rows
                if r["metric"] == metric and r["sector_scope"] == scope]

    assert measurable(y2025, "on_time_rate") == [("met", 95.0, ">=", date(2025, 1, 1))]
    assert [r["gap"] for r in y2025 if r["metric"] == "on_time_rate"] == [3.0]
    assert measurable(y2029, "on_time_rate") == [("no_data", 95.0, ">=", date(2025, 1, 1))]
    assert measurable(y2025, "online_share") == [("not_in_effect", 90.0, ">=", date(2029, 1, 1))]
    assert measurable(y2029, "online_share") == [("no_data", 90.0, ">=", date(2029, 1, 1))]
    assert measurable(y2025, "satisfaction_rate", "dat_dai_xay_dung_dau_tu") == \
        [("not_in_effect", 90.0, ">=", date(2027, 1, 1))]
    assert {r["status"] for r in y2025 if not r["measurable"]} <= {"not_measurable", "not_in_effect"}
    assert all("02/KH-UBND" in r["citation"] for r in y2025)


def test_metric_kpis_does_not_compute_is_no_data_with_note():
    row = {"plan_id": "X", "plan_name": "X", "metric": "full_online_procedure_share", "sector_scope": None,
           "comparator": ">=", "value": 100.0, "effective_from": None, "effective_to": None, "in_effect": True,
           "measurable": True, "target_text": "x", "citation": "y"}
    r = targets.judge(row, {"on_time_rate": 99.0})
    assert (r["status"], r["actual"], r["note"]) == ("no_data", None, "chỉ số full_online_procedure_share chưa được tính")
    land = targets.judge(row | {"metric": "satisfaction_rate", "sector_scope": "dat_dai_xay_dung_dau_tu",
                                "comparator": ">=", "value": 90.0},
                         {"satisfaction_rate": 50.0, "satisfaction_rate_land_group": 90.0})
    assert (land["status"], land["actual"], land["gap"]) == ("met", 90.0, 0.0)   # the land-group figure, not 50


def test_unknown_plan_is_an_error(con):
    with pytest.raises(LookupError):
        targets.evaluate(con, "NOPE", date(2025, 1, 1), date(2025, 12, 31))


def test_applicable_targets_only_rows_in_effect(con):
    rows = targets.applicable_targets(con, "T1", date(2029, 6, 30))
    assert [r["target_text"] for r in rows] == [
        "T1 đúng hạn trên 98%", "T1 đúng hạn từ 98% trở lên", "T1 trực tuyến 95% (2029-2030)", "T1 số hóa 90%",
        "T1 hài lòng đất đai 90%", "T1 giảm 30% thời gian (2029-2030)", "T1 100% cán bộ được bồi dưỡng"]


# ------------------------------------------------------------------ projection

def test_projection_weighted_linear_trend(con):
    p = targets.projection(con, "T1", "on_time_rate", 2026, date(2026, 4, 30), unit="P1")
    assert [(m["month"], m["value"], m["weight"]) for m in p["months"]] == \
        [(1, 90.0, 20), (2, 80.0, 60), (3, 85.0, 20), (4, None, 0)]
    assert p["months_used"] == 3 and p["weighted"] is True
    assert p["ytd_value"] == pytest.approx(83.0, abs=1e-9)        # (18 + 48 + 17) / 100
    assert p["slope_pp_per_month"] == pytest.approx(-2.5, abs=1e-9)
    assert p["intercept"] == pytest.approx(88.0, abs=1e-9)
    assert p["projected_december"] == pytest.approx(58.0, abs=1e-9)  # 88 - 2.5 * 12; April (no data) skipped
    assert p["method_vi"].endswith("Số tháng đã dùng: 3.") and p["method_en"].endswith("Months used: 3.")
    assert "weighted by each month's denominator" in p["method_en"] and "December" in p["method_en"]
    assert [(t["target"], t["comparator"], t["projected_met"], round(t["projected_gap"], 9))
            for t in p["targets"]] == [(98.0, ">", False, -40.0), (98.0, ">=", False, -40.0)]


def test_projection_unweighted_fit_and_clamp():
    rows = [{"period_start": date(2026, m, 1), "on_time_rate": v} for m, v in ((1, 90.0), (2, 80.0), (3, 85.0))]
    p = targets.project_series(rows, "on_time_rate", date(2026, 3, 31))
    assert p["weighted"] is False
    assert p["projected_december"] == pytest.approx(60.0, abs=1e-9)   # mean 85 at month 2, slope -2.5
    assert p["method_en"].startswith("Least-squares linear trend unweighted")
    # a month without data is skipped, not taken as 0: points (1, 90), (3, 85), (4, 80) -> December 55
    gap = [{"period_start": date(2026, m, 1), "on_time_rate": v} for m, v in ((1, 90.0), (2, None), (3, 85.0), (4, 80.0))]
    p = targets.project_series(gap, "on_time_rate", date(2026, 4, 30))
    assert (p["months_used"], p["projected_december"]) == (3, pytest.approx(55.0, abs=1e-9))
    rising = [{"period_start": date(2026, m, 1), "online_share": 50.0 + 10 * m} for m in (1, 2, 3)]
    assert targets.project_series(rising, "online_share", date(2026, 3, 31))["projected_december"] == 100.0


def test_projection_needs_three_months(con):
    p = targets.projection(con, "T1", "on_time_rate", 2026, date(2026, 2, 28), unit="P1")
    assert (p["months_used"], p["projected_december"]) == (2, None)
    assert p["reason"] == "cần ít nhất 3 tháng có dữ liệu, có 2"
    assert p["ytd_value"] == pytest.approx(82.5, abs=1e-9)        # (18 + 48) / 80


def test_projection_counts_the_time_saving_share_at_the_plans_threshold(con):
    """The year-to-date value and the monthly points of the time-saving share are counted at the
    plan's target in effect (30 % in 2029), as evaluate() counts the year to date; the setting's
    default (20 %) would count the 25 % cases too."""
    from queries import metrics

    end = date(2029, 7, 31)
    at_plan = metrics.kpis_by_period(con, date(2029, 1, 1), end, unit="Q1", threshold_pct=30,
                                     grain="month").to_pylist()
    at_default = metrics.kpis_by_period(con, date(2029, 1, 1), end, unit="Q1", grain="month").to_pylist()
    plan_values = [r["time_saving_share"] for r in at_plan]
    assert plan_values != [r["time_saving_share"] for r in at_default]   # the fixture tells them apart
    p = targets.projection(con, "T1", "time_saving_share", 2029, end, unit="Q1")
    assert [m["value"] for m in p["months"]] == plan_values
    assert plan_values == [None, None, 25.0, None, None, 25.0, 25.0]   # 1 of 4 saved 30 % or more
    ytd = _by_text(targets.evaluate(con, "T1", date(2029, 1, 1), end, unit="Q1"))
    assert ytd["T1 giảm 30% thời gian (2029-2030)"]["actual"] == pytest.approx(
        metrics.kpis(con, date(2029, 1, 1), end, unit="Q1", threshold_pct=30)["time_saving_mean"])
    assert p["ytd_value"] == pytest.approx(metrics.kpis(con, date(2029, 1, 1), end, unit="Q1",
                                                        threshold_pct=30)["time_saving_share"])
    report = targets.targets_report(con, "T1", 2029, unit="Q1", today=end)
    saving = _by_text(report["targets"])["T1 giảm 30% thời gian (2029-2030)"]
    assert [m["value"] for m in saving["projection"]["months"]] == [
        r["time_saving_mean"] for r in at_plan]
    share = targets.projection_from("T1", "time_saving_share", None, 2029, end,
                                    metrics.kpis(con, date(2029, 1, 1), end, unit="Q1", threshold_pct=30),
                                    at_plan, [])
    assert share["months"] == p["months"] and share["projected_december"] == p["projected_december"]


def test_the_dashboards_projection_is_the_queries_layers(db_path):
    """ui.data.projection, built from the dashboard's cached calls (projection_basis), gives targets.projection()'s
    result for every projectable metric, months without data (None, not NaN) included."""
    from ui import data

    con = coredb.connect_readonly(db_path)
    try:
        for metric, scope in [(m, None) for m in targets.DENOMINATORS if not m.endswith("_land_group")] + \
                [("satisfaction_rate", "dat_dai_xay_dung_dau_tu")]:
            for unit, as_of in (("P1", date(2026, 4, 30)), ("Q1", date(2029, 7, 31)), (None, date(2026, 3, 31))):
                want = targets.projection(con, "T1", metric, as_of.year, as_of, unit=unit, sector_scope=scope)
                basis = data.projection_basis(str(db_path), ("test",), "T1", as_of.year, as_of, unit)
                got = data.projection(basis, metric, scope)
                assert got == want, (metric, unit)
    finally:
        con.close()


# ------------------------------------------------------------------ the CLI report

def test_report_year_in_progress_ends_at_last_data_date(con, db_path, capsys):
    report = targets.targets_report(con, "T1", 2026, unit="P1", today=date(2026, 11, 22))
    assert (report["start"], report["end"], report["in_progress"]) == (date(2026, 1, 1), date(2026, 3, 27), True)
    gt = _by_text(report["targets"])["T1 đúng hạn trên 98%"]
    assert (gt["status"], gt["actual"], gt["gap"]) == ("not_met", 83.0, -15.0)
    assert gt["projection"]["projected_december"] == pytest.approx(58.0, abs=1e-9)
    # today before the last data date: the period ends today
    early = targets.targets_report(con, "T1", 2026, unit="P1", today=date(2026, 2, 28))
    assert early["end"] == date(2026, 2, 28)
    assert _by_text(early["targets"])["T1 đúng hạn trên 98%"]["actual"] == pytest.approx(82.5, abs=1e-9)

    args = argparse.Namespace(db=str(db_path), plan="T1", year=2026, unit="P1", format="table",
                              as_of=date(2026, 11, 22))
    assert targets.main_targets(args) == 0
    out = capsys.readouterr().out
    assert "01/01/2026 - 27/03/2026 (năm chưa kết thúc)" in out
    assert "chưa đạt" in out and "83.00" in out and "-15.00" in out and "58.00" in out


def test_cli_targets_json(db_path):
    proc = subprocess.run([sys.executable, "-m", "queries", "targets", "--db", str(db_path), "--plan", "T1",
                           "--year", "2025", "--unit", "U1", "--format", "json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert (report["plan_id"], report["start"], report["end"], report["in_progress"]) == \
        ("T1", "2025-01-01", "2025-12-31", False)
    got = [(t["target_text"], t["status"], t["actual"], t["met"], t["gap"]) for t in report["targets"]]
    assert got == [
        ("T1 đúng hạn trên 98%", "not_met", 98.0, False, 0.0),
        ("T1 đúng hạn từ 98% trở lên", "met", 98.0, True, 0.0),
        ("T1 trực tuyến 85% (2025-2028)", "met", 90.0, True, 5.0),
        ("T1 số hóa 90%", "no_data", None, None, None),
        ("T1 hài lòng đất đai 90%", "no_data", None, None, None),
        ("T1 100% cán bộ được bồi dưỡng", "not_measurable", None, None, None),
        ("T1 giảm 30% thời gian (2029-2030)", "not_in_effect", None, None, None),
    ]
    assert all(t["citation"] == "Kế hoạch thử số 1/KH-UBND, mục II" for t in report["targets"])
    assert all("projection" not in t for t in report["targets"])   # a finished year has no projection


def test_cli_unknown_plan_exits_2(db_path):
    proc = subprocess.run([sys.executable, "-m", "queries", "targets", "--db", str(db_path), "--plan", "NOPE",
                           "--year", "2025", "--format", "json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "NOPE" in proc.stderr
