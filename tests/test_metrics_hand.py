"""Every metric of the metric layer on the hand-built fixture (tests/fixtures/hand_cases.py), with
the arithmetic beside each expected number.

P1 = February 2026 (01/02 Sun .. 28/02 Sat; Tết 16/02-20/02), P2 = the week 02/03 (Mon) .. 08/03 (Sun).
Counts are compared exactly; a rate is compared with the same arithmetic in Python (100 * a / b, as
rate_pct computes it) to 1e-9, i.e. floating-point noise only.

The reusable cross-check "II.06a totals equal the kpis counts" is
queries.metrics.report06a_reconciliation(con, start, end, unit=None) -> list of differences ([] = ok);
tests/test_metrics_hand.py::assert_report06a_consistent(con, start, end, unit=None) asserts it.
"""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import unicodedata
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pytest

from queries import loader, metrics
from queries.cli import KPI_JSON_COUNTS, KPI_JSON_RATES
from queries.report06a_xlsx import write_report06a_xlsx
from tests.fixtures import hand_cases

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "queries"
P1 = (date(2026, 2, 1), date(2026, 2, 28))
P2 = (date(2026, 3, 2), date(2026, 3, 8))


@pytest.fixture(scope="module")
def con():
    c = hand_cases.build()
    yield c
    c.close()


def approx(x):
    return pytest.approx(x, abs=1e-9)


def assert_figures(actual: dict, expected: dict) -> None:
    for key, value in expected.items():
        if value is None or isinstance(value, int):
            assert actual[key] == value, key
        else:
            assert actual[key] == approx(value), key


def assert_report06a_consistent(con, start, end, unit=None) -> None:
    """II.06a's sub-totals add up and its total row equals kpis() (reuse on the sample database)."""
    assert metrics.report06a_reconciliation(con, start, end, unit) == []


# --- kpis ---------------------------------------------------------------------------------------

def test_kpis_p1(con):
    k = metrics.kpis(con, *P1, threshold_pct=20)
    assert_figures(k, {
        # received in P1: C01 C02 C03 C05 C06 C08 C09 C10 C11 C13 C17 C20 C21 C22 C23 (C18 status 1, C19
        # status 3 excluded; C04 C07 C12 C26 received in January)
        "received": 15,
        # finish date in P1: C01 C02 C03 C04 C05 C06 C07 C09 C11 C12 C21 C22
        "resolved": 12,
        # C02 (05/02 < 10/02), C06 stopped (10/02 < 27/02), C09 (13/02 < statutory due 23/02), C12 (02/02 < 03/02)
        "resolved_early": 4,
        # C01 (09/02 = due), C05 withdrawn, C11 no due date, C21 (10/02 = due), C22 (12/02 = due)
        "resolved_on_time": 5,
        # C03 (09/02 > 06/02), C04 (24/02 > 13/02), C07 stopped (03/02 > 26/01)
        "resolved_late": 3,
        # C08 C10 C13 C17 C20 (C23 finished without any time: not pending)
        "pending": 5,
        # C08 awaiting a supplement, C10 due 02/03, C17 due 05/03
        "pending_in_time": 3,
        # C13 due 25/02, C20 due 26/02 (< 28/02)
        "pending_overdue": 2,
        "on_time_rate": 100 * (4 + 5) / 12,                      # (4 early + 5 on time) / 12 = 75.00
        "progress_rate": 100 * (4 + 5 + 3) / (12 + 5),           # (4 + 5 + 3 in time) / (12 + 5) = 70.59
        "online_share": 100 * 5 / 15,                            # online C01 C05 C10 C17 C21 / 15 = 33.33
        # eligible (HT01, CT01) received: C01 C02 C05 C09 C10 C17 C20 C21 C23 = 9; online C01 C05 C10 C17 C21
        "full_online_case_share": 100 * 5 / 9,                   # 55.56
        # flag known: C01 C02 C03 C05 C06 C08 C09 C10 C13 C17 C21 = 11 (C11 C20 C22 C23 NULL);
        # true: C01 C03 C05 C08 C10 C13 C17
        "digitised_share": 100 * 7 / 11,                         # 63.64
        # resolved with a result, flag known: C01 C02 C03 C04 C09 C12 C21 (C05 withdrawn, C06 C07 stopped,
        # C11 C22 NULL); all electronic but C03
        "e_result_share": 100 * 6 / 7,                           # 85.71
        # known: C01 C02 C03 C09 C10 C17 C21; true C01 C10 C17
        "reuse_share": 100 * 3 / 7,                              # 42.86
        # fee > 0 and payment known: C05 online, C06 online, C09 counter, C13 counter
        "online_payment_share": 100 * 2 / 4,                     # 50.00
        # fee-bearing procedures: CT01 (C05 online), XD01 (C06 online), DD01 (C13 counter only)
        "fee_procedure_online_payment_share": 100 * 2 / 3,       # 66.67
        # ratings of resolved cases: C01 3, C02 2, C03 1, C04 [2, 3] (ratings table beats cases.rating 1),
        # C12 [3], C21 [1] -> 7 ratings, 5 satisfied (C13's rating: not resolved)
        "satisfaction_rate": 100 * 5 / 7,                        # 71.43
        # đất đai / xây dựng / đầu tư: C04 [2, 3], C12 [3] (C06 C07 unrated)
        "satisfaction_rate_land_group": 100 * 3 / 3,             # 100.00
        # per case 100 * (statutory - taken) / statutory: C01 (5-5)/5 = 0, C02 (5-2)/5 = 60, C03 0,
        # C04 (10-13)/10 = -30, C05 (2-6)/2 = -200, C06 (15-6)/15 = 60, C07 (15-22)/15 = -46.67,
        # C09 (2-1)/2 = 50 (count from 12/02, received after closing), C12 (10-9)/10 = 10, C21 0;
        # C11 and C22 have no statutory time. Sum = -96.67 over 10 cases
        "time_saving_mean": (0 + 60 + 0 - 30 - 200 + 60 + 100 * (15 - 22) / 15 + 50 + 10 + 0) / 10,  # -9.67
        "time_saving_share": 100 * 3 / 10,                       # >= 20 %: C02 C06 C09 -> 30.00
        # PAKN due in P1: F1 on time, F2 late, F5 on time (F6 no due date)
        "pakn_on_time_rate": 100 * 2 / 3,                        # 66.67
        # counts behind the rates
        "received_online": 5, "received_direct": 9, "received_postal": 0, "received_channel_unknown": 1,
        "carried_over": 3,                                       # C04 C07 C12
        "resolved_withdrawn": 1, "resolved_stopped": 2,          # C05; C06 C07
        "full_online_eligible_received": 9, "full_online_received_online": 5,
        "digitised_known": 11, "digitised": 7, "e_result_known": 7, "e_result": 6,
        "reuse_known": 7, "reused": 3, "fee_cases_payment_known": 4, "fee_cases_paid_online": 2,
        "fee_procedures": 3, "fee_procedures_paid_online": 2,
        "ratings": 7, "ratings_satisfied": 5, "ratings_land_group": 3, "ratings_land_group_satisfied": 3,
        "time_saving_cases": 10, "time_saving_cases_at_threshold": 3,
        "pakn_due": 3, "pakn_on_time": 2,
    })


def test_kpis_p2(con):
    k = metrics.kpis(con, *P2, threshold_pct=20)
    assert_figures(k, {
        "received": 4,                                           # C14 C15 C16 C25 (C27 comes 10/03)
        "resolved": 3,                                           # C10 03/03, C17 04/03, C25 returned 04/03
        "resolved_early": 1,                                     # C17 (04/03 < 05/03)
        "resolved_on_time": 1,                                   # C25 (04/03 = due, finish = return time)
        "resolved_late": 1,                                      # C10 (03/03 > statutory due 02/03)
        "pending": 6,                                            # C08 C13 C14 C15 C16 C20
        "pending_in_time": 4,                                    # C08 (waits), C14 10/03, C15 18/03, C16 11/03
        "pending_overdue": 2,                                    # C13 (25/02), C20 (26/02)
        "on_time_rate": 100 * (1 + 1) / 3,                       # 66.67
        "progress_rate": 100 * (1 + 1 + 4) / (3 + 6),            # 66.67
        "online_share": 100 * 1 / 4,                             # C14 -> 25.00
        "full_online_case_share": 100 * 0 / 2,                   # eligible C16 C25 (CT01), both direct -> 0.00
        "digitised_share": 100 * 2 / 4,                          # C14 C25 of C14 C15 C16 C25 -> 50.00
        "e_result_share": 100 * 1 / 2,                           # C17 yes, C10 no, C25 NULL -> 50.00
        "reuse_share": None,                                     # no case received in P2 carries the flag
        "online_payment_share": 100 * 1 / 2,                     # C25 online, C16 counter (C15 not known)
        "fee_procedure_online_payment_share": 100 * 1 / 1,       # CT01 (C25); DD01's payment not known
        "satisfaction_rate": 100 * 1 / 1,                        # C17 rated 3 (C10, C25 unrated)
        "satisfaction_rate_land_group": None,                    # no land-group case resolved in P2
        # C10 (5-6)/5 = -20, C17 (5-4)/5 = 20, C25 (2-2)/2 = 0
        "time_saving_mean": (-20 + 20 + 0) / 3,                  # 0.00
        "time_saving_share": 100 * 1 / 3,                        # C17 at exactly 20 % -> 33.33
        "pakn_on_time_rate": 100 * 1 / 2,                        # F3 on its due day; F4 unresolved
        "carried_over": 5,                                       # C08 C10 C13 C17 C20
        "reuse_known": 0, "ratings": 1, "ratings_land_group": 0, "time_saving_cases": 3, "pakn_due": 2,
    })


def test_kpis_unit_sector_and_threshold_filters(con):
    bm = metrics.kpis(con, *P1, unit="BM")
    assert_figures(bm, {
        "received": 13,                                          # 15 less C21 and C23 (unit HL)
        "resolved": 11, "resolved_on_time": 4,                   # 12 less C21
        "on_time_rate": 100 * (4 + 4) / 11,                      # 72.73
        "satisfaction_rate": 100 * 5 / 6,                        # C21's rating 1 gone
        "pakn_on_time_rate": 100 * 1 / 2,                        # F1 on time, F2 late (F5 is HL)
    })
    land = metrics.kpis(con, *P1, sector="Đất đai")
    assert_figures(land, {
        "received": 1, "carried_over": 2,                        # C13; C04 C12
        "resolved": 2, "resolved_early": 1, "resolved_late": 1,  # C12 early, C04 late
        "pending": 1, "pending_overdue": 1,                      # C13
        "on_time_rate": 100 * 1 / 2,
        "satisfaction_rate": 100 * 3 / 3,                        # [2, 3] + [3]
        "pakn_on_time_rate": 100 * 1 / 1,                        # F1
    })
    # the sector filter ignores the Unicode form: 'Xây dựng' in NFD matches C06 (NFC) and C07 (NFD)
    xd = metrics.kpis(con, *P1, sector=unicodedata.normalize("NFD", "Xây dựng"))
    assert (xd["resolved"], xd["resolved_early"], xd["resolved_late"]) == (2, 1, 1)
    # threshold: >= 10 % adds C12 (exactly 10 %): 4 / 10; >= 30 %: C02 C06 C09 -> 3 / 10
    assert metrics.kpis(con, *P1, threshold_pct=10)["time_saving_share"] == approx(100 * 4 / 10)
    assert metrics.kpis(con, *P1, threshold_pct=30)["time_saving_share"] == approx(100 * 3 / 10)


def test_threshold_default_comes_from_settings(con, monkeypatch):
    monkeypatch.setenv("TTHC_TIME_SAVING_THRESHOLD_PCT", "10")
    assert metrics.kpis(con, *P1)["time_saving_threshold_pct"] == 10.0


RATES = ("on_time_rate", "progress_rate", "online_share", "full_online_case_share", "digitised_share",
         "e_result_share", "reuse_share", "online_payment_share", "fee_procedure_online_payment_share",
         "satisfaction_rate", "satisfaction_rate_land_group", "time_saving_mean", "time_saving_share",
         "pakn_on_time_rate")


def test_kpis_has_every_metric_of_the_brief(con):
    counts = ("received", "resolved", "resolved_early", "resolved_on_time", "resolved_late", "pending",
              "pending_in_time", "pending_overdue")
    assert list(metrics.kpis(con, *P1))[:len(counts) + len(RATES)] == list(counts[:8]) + list(RATES)


def test_absent_input_is_none_not_zero(con):
    # P2: every case received carries no reuse flag -> None, while its count is 0
    k = metrics.kpis(con, *P2)
    assert k["reuse_share"] is None and k["reuse_known"] == 0
    # an empty period: every rate None, every count 0
    empty = metrics.kpis(con, date(2025, 6, 1), date(2025, 6, 30))   # before any case
    assert all(empty[c] is None for c in RATES)
    assert empty["received"] == empty["resolved"] == empty["pending"] == 0
    # a warehouse whose files never carried the digitised flag: None, not 0 %
    fresh = duckdb.connect()
    try:
        from etl.warehouse import create_schema
        create_schema(fresh)
        fresh.execute("insert into cases (case_id, status, channel, received_at) "
                      "values ('A', 4, 'direct', timestamp '2026-02-03 09:00')")
        from etl.warehouse import refresh_facts
        refresh_facts(fresh)
        f = metrics.kpis(fresh, *P1)
        assert f["received"] == 1 and f["online_share"] == 0.0
        assert f["digitised_share"] is None and f["e_result_share"] is None and f["satisfaction_rate"] is None
        assert f["pakn_on_time_rate"] is None and f["online_payment_share"] is None
    finally:
        fresh.close()


def test_kpis_rejects_bad_input(con):
    with pytest.raises(ValueError):
        metrics.kpis(con, "2026-02-30", "2026-03-01")
    with pytest.raises(ValueError):
        metrics.kpis(con, P1[1], P1[0])
    with pytest.raises(ValueError):
        metrics.kpis_by_period(con, *P1, grain="day")


# --- breakdowns -----------------------------------------------------------------------------------

COUNTS = ("received", "resolved", "resolved_early", "resolved_on_time", "resolved_late", "pending",
          "pending_in_time", "pending_overdue", "carried_over", "digitised_known", "digitised", "ratings",
          "ratings_satisfied", "time_saving_cases", "pakn_due", "pakn_on_time")


@pytest.mark.parametrize("period", [P1, P2])
def test_kpis_by_sector_adds_up_and_matches_kpis(con, period):
    rows = metrics.kpis_by_sector(con, *period).to_pylist()
    total = metrics.kpis(con, *period)
    for c in COUNTS:
        assert sum(r[c] for r in rows) == total[c], c
    for r in rows:
        if r["sector"] is not None:
            assert metrics.kpis(con, *period, sector=r["sector"]) == {k: v for k, v in r.items() if k != "sector"}


@pytest.mark.parametrize("grain", ["week", "month"])
def test_kpis_by_sector_period_rows_equal_kpis_by_sector_of_their_period(con, grain):
    rows = metrics.kpis_by_sector_period(con, P1[0], P2[1], grain=grain).to_pylist()
    periods = sorted({(r["period_start"], r["period_end"]) for r in rows})
    assert len(periods) > 1
    for p_start, p_end in periods:
        mine = [{k: v for k, v in r.items() if k not in ("bucket", "bucket_start", "bucket_end", "period_start",
                                                          "period_end")}
                for r in rows if (r["period_start"], r["period_end"]) == (p_start, p_end)]
        assert mine == metrics.kpis_by_sector(con, p_start, p_end).to_pylist()


def test_kpis_by_sector_p1(con):
    rows = {r["sector"]: r for r in metrics.kpis_by_sector(con, *P1).to_pylist()}
    # order: Chứng thực, Đất đai (Đ with D), Hộ tịch, Văn hóa, Xây dựng, no sector last
    assert list(rows) == ["Chứng thực", "Đất đai", "Hộ tịch", "Văn hóa", "Xây dựng", None]
    assert (rows["Hộ tịch"]["received"], rows["Hộ tịch"]["resolved"], rows["Hộ tịch"]["pending"]) == (9, 4, 4)
    assert rows["Hộ tịch"]["on_time_rate"] == approx(100 * 3 / 4)      # C01 C02 C21 of C01 C02 C03 C21
    assert rows["Xây dựng"]["resolved"] == 2                               # C06 (NFC) and C07 (NFD), one row
    assert rows["Văn hóa"]["on_time_rate"] == approx(100.0)                # C11, no due date
    assert rows[None]["pakn_due"] == 0 and rows["Hộ tịch"]["pakn_due"] == 2  # F2, F5


def test_kpis_by_period_weeks_p1(con):
    rows = metrics.kpis_by_period(con, *P1, grain="week").to_pylist()
    assert [(r["bucket"], r["period_start"], r["period_end"], r["received"]) for r in rows] == [
        ("2026-W05", date(2026, 2, 1), date(2026, 2, 1), 0),     # Mon 26/01 - Sun 01/02, clipped to 01/02
        ("2026-W06", date(2026, 2, 2), date(2026, 2, 8), 8),     # C01 C02 C03 C05 C06 C11 C21 C23
        ("2026-W07", date(2026, 2, 9), date(2026, 2, 15), 5),    # C08 C09 C13 C20 C22
        ("2026-W08", date(2026, 2, 16), date(2026, 2, 22), 0),   # Tết
        ("2026-W09", date(2026, 2, 23), date(2026, 2, 28), 2),   # C10 C17; Mon 23/02 - Sun 01/03, clipped
    ]
    assert sum(r["received"] for r in rows) == 15
    # a bucket is kpis of its period: same figures, column for column
    for r in rows:
        k = metrics.kpis(con, r["period_start"], r["period_end"])
        assert {c: r[c] for c in k} == k


@pytest.mark.parametrize("grain, buckets", [("month", ["2026-01", "2026-02", "2026-03"]), ("quarter", ["2026-Q1"])])
def test_kpis_by_period_months_quarters(con, grain, buckets):
    rows = metrics.kpis_by_period(con, date(2026, 1, 15), date(2026, 3, 8), grain=grain).to_pylist()
    assert [r["bucket"] for r in rows] == buckets
    for r in rows:
        k = metrics.kpis(con, r["period_start"], r["period_end"])
        assert {c: r[c] for c in k} == k
    if grain == "month":
        feb = rows[1]
        assert (feb["received"], feb["resolved"], feb["pending"]) == (15, 12, 5)   # = P1


# --- Biểu II.06a ----------------------------------------------------------------------------------

COLS06A = list(metrics.REPORT06A_COLUMNS)


def _rows06a(con, period, unit=None):
    return [tuple(r[c] for c in COLS06A) for r in metrics.report06a(con, *period, unit).to_pylist()]


def test_report06a_p1(con):
    # (1) tt (2) sector (3) = (4) online + (5) direct/postal/unknown + (6) carried over;
    # (7) = (8) early + (9) on time + (10) late; (11) = (12) in time + (13) overdue
    assert _rows06a(con, P1) == [
        (1, "Chứng thực", 2, 1, 1, 0, 2, 1, 1, 0, 0, 0, 0),    # C05 online withdrawn; C09 early
        (2, "Đất đai", 3, 0, 1, 2, 2, 1, 0, 1, 1, 0, 1),       # C13 new + C04 C12 carried; C12 early, C04 late
        (3, "Hộ tịch", 9, 4, 5, 0, 4, 1, 2, 1, 4, 3, 1),       # C23 neither resolved nor pending: 9 = 4 + 4 + 1
        (4, "Văn hóa", 1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0),       # C11 no due date: on time
        (5, "Xây dựng", 2, 0, 1, 1, 2, 1, 0, 1, 0, 0, 0),      # C06 stopped early, C07 carried, stopped late
        (6, "Chưa xác định lĩnh vực", 1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0),  # C22, no channel: column (5)
        (None, "Tổng cộng", 18, 5, 10, 3, 12, 4, 5, 3, 5, 3, 2),
    ]


def test_report06a_p2(con):
    assert _rows06a(con, P2) == [
        (1, "Chứng thực", 2, 0, 2, 0, 1, 0, 1, 0, 1, 1, 0),    # C16 C25 new; C25 on time; C16 pending
        (2, "Đất đai", 2, 0, 1, 1, 0, 0, 0, 0, 2, 1, 1),       # C15 new, C13 carried; C15 in time, C13 overdue
        (3, "Hộ tịch", 5, 1, 0, 4, 2, 1, 0, 1, 3, 2, 1),       # C14 + C08 C10 C17 C20; C17 early, C10 late
        (None, "Tổng cộng", 9, 1, 3, 5, 3, 1, 1, 1, 6, 4, 2),
    ]


def test_report06a_identities(con):
    dq_p1 = {r["check_id"]: r["cases"] for r in metrics.data_quality(con, *P1).to_pylist()}
    for period, unit in [(P1, None), (P1, "BM"), (P2, None), (P2, "BM")]:
        rows = metrics.report06a(con, *period, unit).to_pylist()
        for r in rows:
            assert r["received_total"] == r["received_online"] + r["received_direct_postal"] + r["carried_over"]
            assert r["resolved_total"] == r["resolved_early"] + r["resolved_on_time"] + r["resolved_late"]
            assert r["pending_total"] == r["pending_in_time"] + r["pending_overdue"]
        total = rows[-1]
        assert total["tt"] is None and total["sector"] == "Tổng cộng"
        for c in COLS06A[2:]:
            assert total[c] == sum(r[c] for r in rows[:-1]), c
        gap = total["received_total"] - total["resolved_total"] - total["pending_total"]
        if (period, unit) == (P1, None):
            # C23 (HL) finished without a time left the pipeline: 18 = 12 + 5 + 1, flagged by data_quality
            assert gap == 1 == dq_p1["finished_without_time"]
        else:
            assert gap == 0                                      # (3) = (7) + (11)


@pytest.mark.parametrize("period, unit", [(P1, None), (P1, "BM"), (P1, "HL"), (P2, None)])
def test_report06a_totals_equal_kpis(con, period, unit):
    assert_report06a_consistent(con, *period, unit)


# --- lists and data quality -----------------------------------------------------------------------

def test_late_cases(con):
    p1 = metrics.late_cases(con, *P1).to_pylist()
    assert [(r["kind"], r["case_id"], r["days_late"]) for r in p1] == [
        ("resolved_late", "C07", 6),      # due Mon 26/01, stopped Tue 03/02: 27 28 29 30/01, 02 03/02
        ("resolved_late", "C04", 2),      # due Fri 13/02, finished Tue 24/02: Tết 16-20/02 off, 23 24/02
        ("pending_overdue", "C13", 2),    # due Wed 25/02, end Sat 28/02: 26 27/02
        ("resolved_late", "C03", 1),      # due Fri 06/02, finished Mon 09/02 across the weekend
        ("pending_overdue", "C20", 1),    # due Thu 26/02: 27/02
    ]
    c04 = p1[1]
    assert (c04["handler"], c04["department"], c04["late_reason"], c04["apology_sent"], c04["sector"],
            c04["procedure_code"], c04["finish_date"], c04["due_date"]) == (
        "Lê Văn C", "Địa chính - Xây dựng", "Nghỉ Tết Nguyên đán", False, "Đất đai", "DD01",
        date(2026, 2, 24), date(2026, 2, 13))
    p2 = metrics.late_cases(con, *P2).to_pylist()
    assert [(r["kind"], r["case_id"], r["days_late"]) for r in p2] == [
        ("pending_overdue", "C13", 7),    # 26 27/02, 02-06/03
        ("pending_overdue", "C20", 6),    # 27/02, 02-06/03
        ("resolved_late", "C10", 1),      # statutory due Mon 02/03, finished 03/03
    ]
    assert p2[2]["due_origin"] == "statutory" and p2[2]["apology_sent"] is True
    # the list is kpis' resolved_late + pending_overdue
    for period in (P1, P2):
        k = metrics.kpis(con, *period)
        assert len(metrics.late_cases(con, *period)) == k["resolved_late"] + k["pending_overdue"]


def test_due_soon(con):
    # end Sat 28/02, 3 working days (setting due_soon_working_days): C10 due Mon 02/03 (1 day);
    # C17 due Thu 05/03 is 4 working days away; C08 is past its due date, waiting for a supplement
    assert [(r["case_id"], r["working_days_left"]) for r in metrics.due_soon(con, *P1).to_pylist()] == [("C10", 1)]
    assert [(r["case_id"], r["working_days_left"]) for r in metrics.due_soon(con, *P1, days=4).to_pylist()] == [
        ("C10", 1), ("C17", 4)]
    # end Sun 08/03: C14 due Tue 10/03 (2), C16 due Wed 11/03 (3); C15 due 18/03 (8) is not listed
    assert [(r["case_id"], r["working_days_left"]) for r in metrics.due_soon(con, *P2).to_pylist()] == [
        ("C14", 2), ("C16", 3)]


def test_statutory_due_date_and_close_time(con):
    row = con.execute("select due_date, due_origin, timeliness, working_days_taken from case_facts "
                      "where case_id = 'C09'").fetchall()
    # received Wed 11/02 17:30, after closing: count from Thu 12/02; + 2 working days = Fri 13/02, Tết, Mon 23/02.
    # Finished Fri 13/02: early, 1 working day taken (12/02 -> 13/02)
    assert row == [(date(2026, 2, 23), "statutory", "early", 1)]


def test_data_quality(con):
    p1 = {r["check_id"]: r["cases"] for r in metrics.data_quality(con, *P1).to_pylist()}
    assert p1 == {
        "not_received": 2,                # C18 (status 1, submitted 05/02), C19 (status 3)
        "no_status": 1,                   # C20
        "unknown_status": 0,
        "no_received_date": 0,
        "due_statutory_at_load": 2,       # C09, C10 (no due date in the file; ETL: received + statutory days)
        "no_due_date_statutory_known": 0,
        "no_due_date_no_statutory": 1,    # C11: neither due date nor statutory time
        "no_sector": 1,                   # C22
        "sector_not_in_catalogue": 1,     # C11 'Văn hóa'
        "no_procedure": 1,                # C22
        "procedure_not_in_catalogue": 1,  # C11 'XX99'
        "no_channel": 1,                  # C22
        "finished_without_time": 1,       # C23
        "finish_time_open_status": 0,
        "finish_before_received": 0,
        "due_before_received": 0,
        "late_without_reason": 2,         # C07 (resolved late), C20 (overdue)
        "late_without_apology": 4,        # C04 C13 (false), C07 C20 (not recorded); C03 sent one
        "feedback_no_due": 1,             # F6
        "ratings_unknown_case": 1,        # rating of 'C99'
    }
    p2 = {r["check_id"]: r["cases"] for r in metrics.data_quality(con, *P2).to_pylist()}
    assert {k: v for k, v in p2.items() if v} == {
        "no_status": 1,                   # C20, still pending
        "due_statutory_at_load": 1,       # C10
        "late_without_reason": 1,         # C20
        "late_without_apology": 2,        # C13 (false), C20
        "ratings_unknown_case": 1,
    }
    # without a procedure catalogue the catalogue checks cannot be made: NULL, not 0
    fresh = duckdb.connect()
    try:
        from etl.warehouse import create_schema
        create_schema(fresh)
        dq = {r["check_id"]: r["cases"] for r in metrics.data_quality(fresh, *P1).to_pylist()}
        assert dq["procedure_not_in_catalogue"] is None and dq["sector_not_in_catalogue"] is None
        assert dq["no_status"] == 0
    finally:
        fresh.close()


# --- the .sql files and the Python around them ------------------------------------------------------

SQL_IN_PYTHON = re.compile(r"(?i)\bselect\s[^\n]*\sfrom\s|\binsert\s+into\b|\bdelete\s+from\b"
                           r"|\bcreate\s+(or\s+replace\s+)?(temp\s+)?(table|view|macro)\b")


@pytest.mark.parametrize("path", sorted(QUERIES.glob("*.sql")), ids=lambda p: p.name)
def test_sql_files_have_header_and_no_formatting(path):
    text = path.read_text(encoding="utf-8")
    header = []
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        header.append(line)
    for key in ("-- grain:", "-- params:", "-- rule:"):
        assert any(h.startswith(key) for h in header), f"{path.name}: header line {key!r} missing"
    assert "{" not in text and "}" not in text, f"{path.name}: braces (string formatting?)"
    assert not re.search(r"%\(?\w*\)?s\b|%[dr]\b", text), f"{path.name}: %-placeholder"


METRIC_SQL = ["kpis", "kpis_by_sector", "kpis_by_period", "kpis_by_sector_period", "report06a", "late_cases", "due_soon", "data_quality"]


def test_kpi_formulas_are_written_once():
    # kpis, kpis_by_sector and kpis_by_period share one definition: the kpi_table macro
    views = (QUERIES / "views.sql").read_text(encoding="utf-8")
    assert views.count("rate_pct(resolved_early + resolved_on_time, resolved) as on_time_rate") == 1
    for name in ("kpis", "kpis_by_sector", "kpis_by_period", "kpis_by_sector_period"):
        assert "rate_pct(" not in loader.sql_text(name) and "kpi_table(" in loader.sql_text(name)


@pytest.mark.parametrize("name", METRIC_SQL)
def test_metric_sql_reads_case_facts_and_ends_with_final(name):
    text = loader.sql_text(name)
    code = "\n".join(line.split("--", 1)[0] for line in text.splitlines())
    # the per-case rules of views.sql (directly, or through its kpi_table macro), never the raw table
    assert "case_period_facts(" in code or "period_cases(" in code or "kpi_table(" in code
    assert not re.search(r"\bfrom\s+cases\b|\bjoin\s+cases\b", code) or name == "data_quality"
    assert code.strip().endswith("select * from final")


@pytest.mark.parametrize("path", sorted(QUERIES.glob("*.py")), ids=lambda p: p.name)
def test_no_sql_in_python_modules(path):
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        assert not SQL_IN_PYTHON.search(line), f"{path.name}:{number}: SQL belongs in a .sql file: {line.strip()}"


# --- xlsx and the command line -------------------------------------------------------------------------

def _check_xlsx(data, period=P1):
    wb = openpyxl.load_workbook(data)
    ws = wb.active
    assert {str(r) for r in ws.merged_cells.ranges} >= {
        "A5:A6", "B5:B6", "C5:F5", "G5:J5", "K5:M5", "A2:M2", "A3:M3"}
    assert (ws["A5"].value, ws["B5"].value, ws["C5"].value, ws["G5"].value, ws["K5"].value) == (
        "TT", "Lĩnh vực", "Tiếp nhận", "Đã giải quyết", "Đang giải quyết")
    assert [ws.cell(6, c).value for c in range(3, 14)] == [
        "Tổng số", "Trực tuyến", "Trực tiếp và dịch vụ bưu chính", "Từ kỳ trước chuyển qua",
        "Tổng số", "Trước hạn", "Đúng hạn", "Quá hạn", "Tổng số", "Trong hạn", "Quá hạn"]
    assert [ws.cell(7, c).value for c in range(1, 14)] == [f"({n})" for n in range(1, 14)]
    assert "01/02/2026" in ws["A3"].value and "28/02/2026" in ws["A3"].value
    assert [ws.cell(8, c).value for c in range(1, 14)] == [1, "Chứng thực", 2, 1, 1, 0, 2, 1, 1, 0, 0, 0, 0]
    last = ws.max_row
    assert [ws.cell(last, c).value for c in range(1, 14)] == [None, "Tổng cộng", 18, 5, 10, 3, 12, 4, 5, 3, 5, 3, 2]
    assert ws["C8"].border.left.style == "thin" and ws["B6"].border.bottom.style == "thin"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9                               # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert (ws.page_setup.fitToWidth or 1) == 1                            # 1 is the OOXML default, omitted
    assert int(ws.page_setup.fitToHeight) == 0                             # as many pages tall as needed
    assert ws.print_title_rows == "$5:$7"                                  # header rows on every page


def test_report06a_xlsx_to_buffer(con):
    buf = io.BytesIO()
    write_report06a_xlsx(metrics.report06a(con, *P1), *P1, None, buf)
    buf.seek(0)
    _check_xlsx(buf)


@pytest.fixture(scope="module")
def db_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("hand") / "hand.duckdb"
    c = duckdb.connect(str(path))
    hand_cases.build(c)
    c.close()
    return path


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "queries", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_cli_kpis_json(db_file):
    r = _cli("kpis", "--db", db_file, "--start", "2026-02-01", "--end", "2026-02-28", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.strip().splitlines()) == 1
    out = json.loads(r.stdout)
    assert list(out) == list(KPI_JSON_COUNTS + KPI_JSON_RATES)
    assert set(out) == {"received", "resolved", "resolved_early", "resolved_on_time", "resolved_late", "pending",
                        "pending_overdue", "on_time_rate", "progress_rate", "online_share", "digitised_share",
                        "e_result_share", "online_payment_share", "satisfaction_rate"}
    assert all(type(out[k]) is int for k in KPI_JSON_COUNTS)
    assert all(type(out[k]) is float for k in KPI_JSON_RATES)
    assert out == {"received": 15, "resolved": 12, "resolved_early": 4, "resolved_on_time": 5, "resolved_late": 3,
                   "pending": 5, "pending_overdue": 2, "on_time_rate": 75.0, "progress_rate": 70.59,
                   "online_share": 33.33, "digitised_share": 63.64, "e_result_share": 85.71,
                   "online_payment_share": 50.0, "satisfaction_rate": 71.43}
    # a rate without input is null; unit and sector filters pass through
    r = _cli("kpis", "--db", db_file, "--start", "2026-03-02", "--end", "2026-03-08", "--format", "json",
             "--unit", "BM", "--sector", "Đất đai")
    out = json.loads(r.stdout)
    assert out["received"] == 1 and out["satisfaction_rate"] is None and out["e_result_share"] is None


def test_cli_kpis_table(db_file):
    r = _cli("kpis", "--db", db_file, "--start", "2026-03-02", "--end", "2026-03-08", "--sector", "Đất đai")
    assert r.returncode == 0, r.stderr
    assert "không có dữ liệu" in r.stdout and "Tiếp nhận / received" in r.stdout


def test_cli_report06a_xlsx_and_json(db_file, tmp_path):
    out = tmp_path / "b.xlsx"
    r = _cli("report06a", "--db", db_file, "--start", "2026-02-01", "--end", "2026-02-28", "--format", "xlsx",
             "--out", out)
    assert r.returncode == 0, r.stderr
    _check_xlsx(out)
    r = _cli("report06a", "--db", db_file, "--start", "2026-03-02", "--end", "2026-03-08", "--format", "json")
    rows = json.loads(r.stdout)
    assert rows[-1]["sector"] == "Tổng cộng" and rows[-1]["received_total"] == 9


@pytest.mark.parametrize("args", [
    ("kpis", "--start", "2026-02-30", "--end", "2026-03-01"),
    ("kpis", "--start", "01/02/2026", "--end", "2026-03-01"),
    ("kpis", "--start", "2026-03-01", "--end", "2026-02-01"),
    ("report06a", "--start", "2026-02-01", "--end", "2026-02-28", "--format", "xlsx", "--out", "/nonexistent/d/x.xlsx"),
])
def test_cli_bad_input_exits_2_with_one_line(db_file, args):
    r = _cli(args[0], "--db", db_file, *args[1:])
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_cli_bad_database_exits_2(tmp_path):
    for path in (tmp_path / "missing.duckdb", Path(__file__)):
        r = _cli("kpis", "--db", path, "--start", "2026-02-01", "--end", "2026-02-28")
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
