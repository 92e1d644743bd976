"""kpi_table reads a period's whole months from the monthly cubes (case_month_cube,
time_saving_month_cube), the other days from case_events, and the states (carried over, pending)
from the cube's monthly changes, by week plus the events' daily changes, else from case_facts.
These tests check that every count it returns equals the same count taken case by
case from case_period_facts (the per-case period flags of DOMAIN.md's house rules), on the sample
warehouse, for periods that are whole months, that cut months, that hold no whole month (weeks),
that span years, with the unit, sector and threshold filters and per sector."""
from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from core.db import connect_readonly
from queries import metrics
from tests.test_app_pages import sample_db  # noqa: F401  (session fixture: the demo warehouse)

# The counts of kpi_table, each as the per-case condition it counts in case_period_facts: the oracle
# the cube path must equal. Ratings sum the per-case counts of resolved cases.
ORACLE = {
    "received": "count_if(received_in_period)",
    "received_online": "count_if(received_in_period and channel = 'online')",
    "received_direct": "count_if(received_in_period and channel = 'direct')",
    "received_postal": "count_if(received_in_period and channel = 'postal')",
    "received_channel_unknown": "count_if(received_in_period and channel is null)",
    "carried_over": "count_if(carried_over)",
    "resolved": "count_if(resolved_in_period)",
    "resolved_early": "count_if(resolved_in_period and timeliness = 'early')",
    "resolved_on_time": "count_if(resolved_in_period and timeliness = 'on_time')",
    "resolved_late": "count_if(resolved_in_period and timeliness = 'late')",
    "resolved_withdrawn": "count_if(resolved_in_period and status = 7)",
    "resolved_stopped": "count_if(resolved_in_period and status = 8)",
    "pending": "count_if(pending_at_end)",
    "pending_in_time": "count_if(pending_in_time)",
    "pending_overdue": "count_if(pending_overdue)",
    "full_online_eligible_received": "count_if(received_in_period and full_online_eligible)",
    "full_online_received_online": "count_if(received_in_period and full_online_eligible and channel = 'online')",
    "digitised_known": "count_if(received_in_period and digitised is not null)",
    "digitised": "count_if(received_in_period and digitised)",
    "e_result_known": "count_if(resolved_in_period and produced_result and e_result is not null)",
    "e_result": "count_if(resolved_in_period and produced_result and e_result)",
    "reuse_known": "count_if(received_in_period and data_reused is not null)",
    "reused": "count_if(received_in_period and data_reused)",
    "fee_cases_payment_known": "count_if(received_in_period and fee_bearing and paid_online is not null)",
    "fee_cases_paid_online": "count_if(received_in_period and fee_bearing and paid_online)",
    "fee_procedures": "count(distinct procedure_key) filter (where received_in_period and fee_bearing "
                      "and paid_online is not null)",
    "fee_procedures_paid_online": "count(distinct procedure_key) filter (where received_in_period and "
                                  "fee_bearing and paid_online)",
    "ratings": "coalesce(sum(ratings_n) filter (where resolved_in_period), 0)",
    "ratings_satisfied": "coalesce(sum(ratings_satisfied_n) filter (where resolved_in_period), 0)",
    "ratings_land_group": "coalesce(sum(ratings_n) filter (where resolved_in_period and is_land_group), 0)",
    "ratings_land_group_satisfied": "coalesce(sum(ratings_satisfied_n) filter (where resolved_in_period "
                                    "and is_land_group), 0)",
    "time_saving_cases": "count_if(resolved_in_period and time_saving_pct is not null)",
    "time_saving_cases_at_threshold": "count_if(resolved_in_period and time_saving_pct >= $threshold)",
    "time_saving_mean": "avg(time_saving_pct) filter (where resolved_in_period)",
}


def oracle(con, start: date, end: date, unit=None, sector=None, threshold=20.0, by_sector=False) -> dict:
    """{sector or None: {count: value}} from case_period_facts, case by case."""
    group = "sector" if by_sector else "null"
    # count_if of a group whose conditions are all NULL is NULL; kpi_table reports 0
    sql = (f"select {group} as grp, " + ", ".join(
        f"{e} as {k}" if k == "time_saving_mean" else f"coalesce({e}, 0) as {k}" for k, e in ORACLE.items())
           + " from case_period_facts($start, $end) where (received_in_period or carried_over or "
             "resolved_in_period or pending_at_end) and ($unit is null or unit = $unit) and "
             "($sector is null or sector = nfc_normalize($sector)) group by grp")
    cur = con.execute(sql, {"start": start, "end": end, "unit": unit, "sector": sector, "threshold": threshold})
    cols = [d[0] for d in cur.description]
    return {r[0]: dict(zip(cols[1:], r[1:])) for r in cur.fetchall()}


def assert_rows_equal(rows: list[dict], expected: dict, label: str) -> None:
    got = {r.get("sector"): r for r in rows}
    # kpi_table lists a sector when it has any case or PAKN figure; the oracle only case figures
    with_cases = {k: r for k, r in got.items()
                  if r["received"] or r["resolved"] or r["pending"] or r["carried_over"]}
    assert set(with_cases) == set(expected), label
    for key, want in expected.items():
        row = got[key]
        for col, value in want.items():
            if col == "time_saving_mean":
                assert (row[col] is None) == (value is None), (label, key, col)
                if value is not None:
                    assert row[col] == pytest.approx(value, rel=1e-9), (label, key, col)
            else:
                assert row[col] == value, (label, key, col, row[col], value)


def _periods(con) -> list[tuple[date, date]]:
    first, last = con.execute("select min(received_date), max(received_date) from case_facts").fetchall()[0]
    fixed = [
        (date(2025, 1, 1), date(2025, 12, 31)),     # whole months only
        (date(2026, 1, 1), last),                    # year to date: whole months + a partial one
        (date(2025, 3, 15), date(2025, 11, 20)),     # partial months at both ends
        (date(2025, 12, 29), date(2026, 1, 4)),      # a week across the year
        (date(2025, 6, 2), date(2025, 6, 8)),        # a week, no whole month
        (date(2025, 2, 1), date(2025, 2, 28)),       # one whole month
        (first, last + timedelta(days=40)),          # everything, ending after the data
    ]
    rng = random.Random(20261202)
    span = (last - first).days
    for _ in range(6):
        a = first + timedelta(days=rng.randrange(span))
        fixed.append((a, min(a + timedelta(days=rng.randrange(1, 200)), last)))
    return fixed


@pytest.fixture(scope="module")
def con(sample_db):  # noqa: F811
    # the app's own read-only connection: the same file can't be opened with two configurations
    c = connect_readonly(sample_db)
    yield c
    c.close()


def test_the_cube_path_equals_the_per_case_flags_for_every_kind_of_period(con):
    for start, end in _periods(con):
        rows = [metrics.kpis(con, start, end)]
        assert_rows_equal([rows[0] | {"sector": None}], oracle(con, start, end), f"kpis {start}..{end}")


def test_unit_sector_threshold_filters_and_per_sector(con):
    unit = con.execute("select unit from case_facts group by unit order by count(*) desc limit 1").fetchall()[0][0]
    sector = con.execute("select sector from case_facts group by sector order by count(*) desc limit 1"
                         ).fetchall()[0][0]
    for start, end in _periods(con)[:5]:
        label = f"{start}..{end}"
        k = metrics.kpis(con, start, end, unit=unit, threshold_pct=30)
        assert_rows_equal([k | {"sector": None}], oracle(con, start, end, unit=unit, threshold=30), label)
        k = metrics.kpis(con, start, end, sector=sector, threshold_pct=12.5)
        assert_rows_equal([k | {"sector": None}], oracle(con, start, end, sector=sector, threshold=12.5), label)
        rows = metrics.kpis_by_sector(con, start, end, unit=unit).to_pylist()
        assert_rows_equal(rows, oracle(con, start, end, unit=unit, by_sector=True), label + " by sector")


@pytest.mark.parametrize("grain", ["week", "month", "quarter"])
def test_every_bucket_equals_the_per_case_flags_of_its_period(con, grain):
    start, end = date(2025, 1, 20), date(2025, 9, 10) if grain == "week" else date(2026, 2, 14)
    table = metrics.kpis_by_period(con, start, end, grain=grain).to_pylist()
    assert len(table) > 2
    for row in table:
        want = oracle(con, row["period_start"], row["period_end"])
        assert_rows_equal([row | {"sector": None}], want, f"{grain} {row['bucket']}")
    per_sector = metrics.kpis_by_sector_period(con, start, end, grain=grain).to_pylist()
    for bucket in {r["bucket"] for r in per_sector}:
        rows = [r for r in per_sector if r["bucket"] == bucket]
        want = oracle(con, rows[0]["period_start"], rows[0]["period_end"], by_sector=True)
        assert_rows_equal(rows, want, f"{grain} {bucket} by sector")
