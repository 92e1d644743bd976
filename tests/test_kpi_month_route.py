"""For a period of whole calendar months, queries.loader runs kpis.sql with kpi_month_table (the
monthly cubes alone) in place of kpi_table. These tests check that the two return the same row,
value for value and type for type, on the sample warehouse, for single months, quarters, years,
spans across years and the whole history, with the unit, sector and threshold filters; that the
loader picks the cheaper macro exactly for such periods (also for index766_figures' one-period form);
and that kpi_month_table refuses any other."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

import duckdb
import pytest

from core.db import connect_readonly
from queries import loader, metrics
from tests.test_app_pages import sample_db  # noqa: F401  (session fixture: the demo warehouse)


@pytest.fixture(scope="module")
def con(sample_db):  # noqa: F811
    c = connect_readonly(sample_db)
    yield c
    c.close()


def _month_end(d: date) -> date:
    return (d.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _whole_month_periods(con) -> list[tuple[date, date]]:
    first, last = con.execute("select min(received_date), max(received_date) from case_facts").fetchall()[0]
    months = []
    m = first.replace(day=1)
    while m <= last:
        months.append(m)
        m = _month_end(m) + timedelta(days=1)
    periods = [(m, _month_end(m)) for m in months]                          # every single month
    periods += [(months[i], _month_end(months[i + 2])) for i in range(0, len(months) - 2, 3)]  # quarters
    periods += [(date(y, 1, 1), date(y, 12, 31)) for y in {m.year for m in months}]            # years
    periods += [(months[0], _month_end(months[-1])),                        # the whole history
                (date(2025, 11, 1), date(2026, 2, 28)),                     # across a year end
                (months[-1], _month_end(months[-1]) + timedelta(days=62)),  # ending after the data
                (date(2020, 1, 1), date(2020, 12, 31))]                     # before any case
    return periods


def _both(con, start, end, unit=None, sector=None, threshold=20.0):
    params = {"start": start, "end": end, "unit": unit, "sector": sector, "threshold_pct": threshold}
    general = con.execute(loader.sql_text("kpis"), params).to_arrow_table()
    routed = loader.run(con, "kpis", params)
    return general, routed


def test_the_month_route_returns_kpi_tables_row_for_every_whole_month_period(con):
    periods = _whole_month_periods(con)
    assert len(periods) > 20
    compared = 0
    for start, end in periods:
        general, routed = _both(con, start, end)
        assert routed.schema == general.schema, (start, end)
        assert routed.to_pylist() == general.to_pylist(), (start, end)
        compared += general.column("received")[0].as_py() > 0
    assert compared > 15          # the periods held cases: the comparison compared figures


def test_the_month_route_with_unit_sector_and_threshold_filters(con):
    unit = con.execute("select unit from case_facts group by unit order by count(*) desc limit 1").fetchall()[0][0]
    sector = con.execute("select sector from case_facts group by sector order by count(*) desc limit 1"
                         ).fetchall()[0][0]
    for start, end in _whole_month_periods(con)[-7:]:
        for kwargs in ({"unit": unit}, {"sector": unicodedata.normalize("NFD", sector)},
                       {"unit": unit, "sector": sector, "threshold": 35.0}, {"threshold": 0.0},
                       {"unit": "Không có đơn vị này"}):
            general, routed = _both(con, start, end, **kwargs)
            assert routed.schema == general.schema, (start, end, kwargs)
            assert routed.to_pylist() == general.to_pylist(), (start, end, kwargs)


def test_the_loader_routes_whole_months_only(con):
    whole = [(date(2025, 1, 1), date(2025, 12, 31)), (date(2025, 2, 1), date(2025, 2, 28)),
             (date(2024, 2, 1), date(2024, 2, 29))]
    other = [(date(2025, 1, 2), date(2025, 12, 31)), (date(2025, 1, 1), date(2025, 12, 30)),
             (date(2025, 2, 1), date(2025, 2, 27)), (date(2025, 6, 2), date(2025, 6, 8)),
             ("2025-01-01", "2025-12-31")]          # not dates: metrics.period() converts before this
    for start, end in whole:
        assert "kpi_month_table(" in loader.routed_text("kpis", {"start": start, "end": end})
    for start, end in other:
        text = loader.routed_text("kpis", {"start": start, "end": end})
        assert "kpi_month_table(" not in text and "kpi_table(" in text
    # other queries keep kpi_table whatever the period
    assert loader.routed_text("kpis_by_period", {"start": date(2025, 1, 1), "end": date(2025, 12, 31)}) \
        == loader.sql_text("kpis_by_period")

    # run() executes the routed text
    seen = []

    class Spy:
        def execute(self, text, params):
            seen.append(text)
            return con.execute(text, params)

    metrics.kpis(Spy(), date(2025, 3, 1), date(2025, 5, 31))
    metrics.kpis(Spy(), date(2025, 3, 1), date(2025, 5, 30))
    assert "kpi_month_table(" in seen[0] and "kpi_month_table(" not in seen[1]


def test_month_routed_queries_call_kpi_table_once_for_the_period():
    for name in loader.MONTH_ROUTED:
        text = " ".join(loader._strip_comments(loader.sql_text(name)).split())
        calls = re.findall(r"\bkpi_table\((.*?), (?:'all'|case [^)]*? end), false\)", text)
        assert len(calls) == 1 and text.count("kpi_table(") == 1, name
        start, end = [a.strip() for a in calls[0].split(",")][:2]
        assert "$start" in start and "$end" in end, (name, start, end)


def test_the_766_figures_of_a_whole_month_period_are_the_same_on_either_macro(con):
    unit = con.execute("select unit from case_facts group by unit order by count(*) desc limit 1").fetchall()[0][0]
    compared = 0
    for start, end in _whole_month_periods(con)[-8:]:
        for u in (None, unit):
            params = {"start": start, "end": end, "unit": u, "grain": "period"}
            assert "kpi_month_table(" in loader.routed_text("index766_figures", params)
            general = con.execute(loader.sql_text("index766_figures"), params).to_arrow_table()
            routed = loader.run(con, "index766_figures", params)
            assert routed.schema == general.schema and routed.to_pylist() == general.to_pylist(), (start, end, u)
            compared += general.column("tthc_cases")[0].as_py() > 0
        # a row per month stays on kpi_table, which the month macro refuses
        by_month = {"start": start, "end": end, "unit": None, "grain": "month"}
        assert loader.routed_text("index766_figures", by_month) == loader.sql_text("index766_figures")
        assert loader.run(con, "index766_figures", by_month).num_rows >= 1
    assert compared > 4


@pytest.mark.parametrize("start,end,grain,by_sector", [
    ("2025-01-02", "2025-12-31", "all", False),
    ("2025-01-01", "2025-12-30", "all", False),
    ("2025-01-01", "2025-12-31", "month", False),
    ("2025-01-01", "2025-12-31", "all", True),
])
def test_kpi_month_table_refuses_any_other_period(con, start, end, grain, by_sector):
    with pytest.raises(duckdb.Error, match="kpi_month_table: one period of whole months"):
        con.execute("select * from kpi_month_table(cast($s as date), cast($e as date), null, null, 20, $g, $b)",
                    {"s": start, "e": end, "g": grain, "b": by_sector}).fetchall()
