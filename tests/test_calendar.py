"""Lunar conversion, holiday rules and working-day arithmetic, in Python and in the SQL macros."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings, strategies as st

from core.calendar import (WorkCalendar, build_holiday_rows, calendar_rows, read_adjustments,
                           rule_holidays)
from core.lunar import lunar_to_solar, solar_to_lunar

ROOT = Path(__file__).resolve().parent.parent
ADJUSTMENTS = ROOT / "etl" / "reference" / "holiday_adjustments.csv"
FIRST, LAST = 2020, 2035


@cache
def calendar() -> WorkCalendar:
    return WorkCalendar(FIRST, LAST, build_holiday_rows(FIRST, LAST, ADJUSTMENTS))


@cache
def rule_only_calendar() -> WorkCalendar:
    return WorkCalendar(FIRST, LAST, build_holiday_rows(FIRST, LAST, None))


# --- lunar calendar -------------------------------------------------------------------------

TET = {  # mùng 1 tháng Giêng, Vietnamese calendar (UTC+7)
    1985: date(1985, 1, 21),  # China (UTC+8): 20/02/1985, a whole month later
    2007: date(2007, 2, 17),  # China: 18/02/2007
    2020: date(2020, 1, 25), 2021: date(2021, 2, 12), 2022: date(2022, 2, 1),
    2023: date(2023, 1, 22), 2024: date(2024, 2, 10), 2025: date(2025, 1, 29),
    2026: date(2026, 2, 17), 2027: date(2027, 2, 6), 2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 2),  # new moon 02/02 23:08 UTC+7; China (00:08 UTC+8): 03/02/2030
    2031: date(2031, 1, 23), 2032: date(2032, 2, 11), 2033: date(2033, 1, 31),
    2034: date(2034, 2, 19), 2035: date(2035, 2, 8),
}


@pytest.mark.parametrize("year, day", sorted(TET.items()))
def test_tet(year, day):
    assert lunar_to_solar(1, 1, year) == day
    assert solar_to_lunar(day) == (1, 1, year, False)
    assert solar_to_lunar(day - timedelta(days=1))[1:] == (12, year - 1, False)


@pytest.mark.parametrize("year, day", [
    (2020, date(2020, 4, 2)), (2021, date(2021, 4, 21)), (2022, date(2022, 4, 10)),
    (2023, date(2023, 4, 29)), (2024, date(2024, 4, 18)), (2025, date(2025, 4, 7)),
    (2026, date(2026, 4, 26)),
])
def test_gio_to_hung_vuong(year, day):
    assert lunar_to_solar(10, 3, year) == day


def test_leap_months():
    assert solar_to_lunar(date(2025, 7, 25)) == (1, 6, 2025, True)  # tháng 6 nhuận Ất Tỵ
    assert lunar_to_solar(15, 7, 2025) == date(2025, 9, 6)  # Vu Lan, late because of the leap month
    assert lunar_to_solar(15, 8, 2025) == date(2025, 10, 6)  # Trung thu
    assert lunar_to_solar(1, 2, 2023, leap=True) == date(2023, 3, 22)  # tháng 2 nhuận Quý Mão
    assert solar_to_lunar(date(2023, 3, 21)) == (30, 2, 2023, False)


def test_impossible_lunar_dates_raise():
    with pytest.raises(ValueError):
        lunar_to_solar(1, 6, 2024, leap=True)  # 2024 has no leap month
    with pytest.raises(ValueError):
        lunar_to_solar(1, 5, 2025, leap=True)  # 2025's leap month is the 6th
    with pytest.raises(ValueError):
        lunar_to_solar(30, 12, 2025)  # tháng Chạp Ất Tỵ has 29 days: Tết 2026 follows 29 Chạp
    assert lunar_to_solar(29, 12, 2025) == date(2026, 2, 16)


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_solar_lunar_round_trip(d):
    day, month, year, leap = solar_to_lunar(d)
    assert 1 <= day <= 30 and 1 <= month <= 12 and year in (d.year - 1, d.year)
    assert lunar_to_solar(day, month, year, leap) == d


# --- holidays -------------------------------------------------------------------------------

def test_rule_holidays_2026():
    assert rule_holidays(2026) == [
        (date(2026, 1, 1), "Tết Dương lịch"),
        (date(2026, 2, 16), "Tết Âm lịch"),
        (date(2026, 2, 17), "Tết Âm lịch"),
        (date(2026, 2, 18), "Tết Âm lịch"),
        (date(2026, 2, 19), "Tết Âm lịch"),
        (date(2026, 2, 20), "Tết Âm lịch"),
        (date(2026, 4, 26), "Giỗ Tổ Hùng Vương (10/3 âm lịch)"),
        (date(2026, 4, 27), "Nghỉ bù Giỗ Tổ Hùng Vương (10/3 âm lịch)"),
        (date(2026, 4, 30), "Ngày Chiến thắng (30/4)"),
        (date(2026, 5, 1), "Ngày Quốc tế lao động (1/5)"),
        (date(2026, 9, 1), "Quốc khánh (ngày liền kề)"),
        (date(2026, 9, 2), "Quốc khánh (2/9)"),
    ]


def test_compensatory_days_follow_the_holiday_block():
    days = dict(rule_holidays(2023))
    # Giỗ Tổ on Saturday 29/4, 30/4 on Sunday, 1/5 on Monday: two days off owed, Tuesday and Wednesday.
    assert days[date(2023, 5, 2)] == "Nghỉ bù Giỗ Tổ Hùng Vương (10/3 âm lịch)"
    assert days[date(2023, 5, 3)] == "Nghỉ bù Ngày Chiến thắng (30/4)"
    assert date(2023, 5, 4) not in days


@pytest.mark.parametrize("year, adjacent", [
    (2021, date(2021, 9, 3)), (2022, date(2022, 9, 1)), (2023, date(2023, 9, 1)),
    (2024, date(2024, 9, 3)), (2025, date(2025, 9, 1)),
])
def test_quoc_khanh_adjacent_day_matches_past_choices(year, adjacent):
    assert dict(rule_holidays(year))[adjacent] == "Quốc khánh (ngày liền kề)"


def test_quoc_khanh_one_day_before_2021():
    assert [d for d, name in rule_holidays(2020) if name.startswith("Quốc khánh")] == [date(2020, 9, 2)]


def test_adjustments_override_rule_rows():
    rows = build_holiday_rows(2025, 2025, ADJUSTMENTS)
    by_day = {r[0]: r for r in rows}
    assert by_day[date(2025, 2, 3)][1:] == ("workday", "Đi làm: nghỉ bù Tết đã chuyển lên 28 tháng Chạp", "announced")
    assert by_day[date(2025, 1, 27)][1] == "holiday" and by_day[date(2025, 1, 27)][3] == "announced"
    assert by_day[date(2025, 4, 26)][1] == "workday"
    assert by_day[date(2025, 1, 29)] == (date(2025, 1, 29), "holiday", "Tết Âm lịch", "rule")
    assert len([r for r in rows if r[0] == date(2025, 2, 3)]) == 1
    assert all(r[0].year == 2025 for r in rows)


def test_adjustments_file_parsing(tmp_path):
    good = tmp_path / "adj.csv"
    good.write_text("\ufeffday,kind,name,source\n26/04/2025,Workday,Làm bù,centre\n\n2025-05-02,holiday,Nghỉ,x\n",
                    encoding="utf-8")
    assert read_adjustments(good) == [(date(2025, 4, 26), "workday", "Làm bù", "centre"),
                                      (date(2025, 5, 2), "holiday", "Nghỉ", "announced")]
    bad = tmp_path / "bad.csv"
    bad.write_text("day,kind,name,source\n2025-05-02,nghỉ,Nghỉ,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match=":2: kind"):
        read_adjustments(bad)


# Days off of civil servants as announced, Saturday/Sunday included: (first, last).
ANNOUNCED_BREAKS = [
    (date(2020, 1, 23), date(2020, 1, 29)),
    (date(2021, 2, 10), date(2021, 2, 16)),
    (date(2021, 9, 2), date(2021, 9, 5)),
    (date(2022, 1, 29), date(2022, 2, 6)),
    (date(2022, 9, 1), date(2022, 9, 4)),
    (date(2023, 1, 20), date(2023, 1, 26)),
    (date(2023, 4, 29), date(2023, 5, 3)),
    (date(2023, 9, 1), date(2023, 9, 4)),
    (date(2024, 2, 8), date(2024, 2, 14)),
    (date(2024, 4, 27), date(2024, 5, 1)),
    (date(2024, 8, 31), date(2024, 9, 3)),
    (date(2025, 1, 25), date(2025, 2, 2)),
    (date(2025, 4, 30), date(2025, 5, 4)),
    (date(2025, 8, 30), date(2025, 9, 2)),
    (date(2026, 1, 1), date(2026, 1, 4)),
    (date(2026, 2, 14), date(2026, 2, 22)),
    (date(2026, 4, 30), date(2026, 5, 3)),
]


@pytest.mark.parametrize("first, last", ANNOUNCED_BREAKS)
def test_announced_breaks(first, last):
    cal = calendar()
    assert cal.is_working(first - timedelta(days=1)) or (first - timedelta(days=1)).weekday() >= 5
    assert [cal.is_working(first + timedelta(days=i)) for i in range((last - first).days + 1)] == \
        [False] * ((last - first).days + 1)
    assert cal.is_working(last + timedelta(days=1))


def test_make_up_saturdays_are_working_days():
    cal = calendar()
    for d in (date(2024, 5, 4), date(2025, 4, 26), date(2026, 1, 10)):
        assert d.weekday() == 5 and cal.is_working(d)
    assert not cal.is_working(date(2025, 4, 19))  # an ordinary Saturday


# --- working-day arithmetic -----------------------------------------------------------------

CLOSE = time(17, 0)


def test_calendar_rows_index():
    rows = calendar_rows(2025, 2025, build_holiday_rows(2025, 2025, ADJUSTMENTS))
    assert len(rows) == 365
    assert rows[0] == (date(2025, 1, 1), False, 0)  # Tết Dương lịch
    assert rows[1] == (date(2025, 1, 2), True, 1)
    # 261 weekdays, less 12 weekday holidays (1/1, 27-31/1, 7/4, 30/4, 1/5, 2/5, 1/9, 2/9), plus Saturday 26/4
    assert rows[-1] == (date(2025, 12, 31), True, 250)
    for (_, _, prev), (_, working, index) in zip(rows, rows[1:]):
        assert index == prev + working


def test_one_day_late_across_a_weekend():
    cal = calendar()
    due = cal.add_working_days(datetime(2025, 3, 13, 9, 0), 1, CLOSE)
    assert due == date(2025, 3, 14)  # Friday
    assert cal.working_days_between(due, date(2025, 3, 17)) == 1  # finished Monday: one day late
    assert cal.working_days_between(due, date(2025, 3, 16)) == 0  # finished Sunday: not late
    assert cal.working_days_between(date(2025, 3, 17), due) == -1


def test_across_tet():
    received = datetime(2025, 1, 24, 10, 0)  # Friday before the 9-day Tết break
    assert calendar().add_working_days(received, 1, CLOSE) == date(2025, 2, 3)
    assert calendar().add_working_days(received, 2, CLOSE) == date(2025, 2, 4)
    # The rule alone puts Tết on 28/01-01/02 and its compensatory day on Monday 3/2.
    assert rule_only_calendar().add_working_days(received, 1, CLOSE) == date(2025, 1, 27)
    assert rule_only_calendar().add_working_days(received, 2, CLOSE) == date(2025, 2, 4)
    assert calendar().working_days_between(date(2025, 1, 24), date(2025, 2, 3)) == 1


def test_received_after_closing_time():
    cal = calendar()
    assert cal.base_day(datetime(2025, 3, 7, 17, 30), CLOSE) == date(2025, 3, 10)
    assert cal.add_working_days(datetime(2025, 3, 7, 17, 30), 1, CLOSE) == date(2025, 3, 11)  # Tuesday
    assert cal.add_working_days(datetime(2025, 3, 7, 17, 0), 1, CLOSE) == date(2025, 3, 10)  # at closing: same day
    assert cal.add_working_days(datetime(2025, 3, 7, 16, 59), 0, CLOSE) == date(2025, 3, 7)
    assert cal.base_day(datetime(2025, 3, 8, 9, 0), CLOSE) == date(2025, 3, 10)  # Saturday


def test_make_up_saturday_counts():
    cal = calendar()
    assert cal.add_working_days(datetime(2025, 4, 25, 10, 0), 1, CLOSE) == date(2025, 4, 26)
    assert cal.add_working_days(datetime(2025, 4, 26, 9, 0), 0, CLOSE) == date(2025, 4, 26)
    assert cal.add_working_days(datetime(2025, 4, 25, 10, 0), 4, CLOSE) == date(2025, 5, 5)
    assert cal.next_working_day(date(2025, 4, 29)) == date(2025, 5, 5)


def test_outside_the_calendar_raises():
    with pytest.raises(ValueError):
        calendar().is_working(date(2019, 12, 31))
    with pytest.raises(ValueError):
        calendar().add_working_days(datetime(2035, 12, 28, 9, 0), 10, CLOSE)


def test_default_uses_settings(monkeypatch):
    monkeypatch.setenv("TTHC_CALENDAR_FIRST_YEAR", "2024")
    monkeypatch.setenv("TTHC_CALENDAR_LAST_YEAR", "2025")
    monkeypatch.setenv("TTHC_OFFICE_CLOSE", "16:30")
    monkeypatch.setenv("TTHC_REFERENCE_DIR", str(ADJUSTMENTS.parent))
    cal = WorkCalendar.default()
    assert (cal.first_year, cal.last_year, cal.office_close) == (2024, 2025, time(16, 30))
    assert cal.base_day(datetime(2025, 3, 7, 16, 45)) == date(2025, 3, 10)
    assert cal.is_working(date(2025, 4, 26))


# --- SQL macros equal the Python ------------------------------------------------------------

@cache
def db() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute((ROOT / "etl" / "schema.sql").read_text(encoding="utf-8"))
    rows = calendar().rows
    con.execute("insert into work_calendar select unnest(?), unnest(?), unnest(?)",
                [[r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]])
    con.execute((ROOT / "etl" / "macros.sql").read_text(encoding="utf-8"))
    return con


def test_sql_examples():
    assert db().execute("select wd_add(timestamp '2025-01-24 10:00', 1, time '17:00'), "
                        "wd_add(timestamp '2025-03-07 17:30', 1, '17:00'), "
                        "wd_base(date '2025-04-26', '17:00'), "
                        "wd_between(date '2025-03-14', date '2025-03-17'), "
                        "wd_add(timestamp '2025-03-07 17:00', 1, '17:00'), "
                        "wd_add(timestamp '2040-01-01 09:00', 1, '17:00')").fetchone() == \
        (date(2025, 2, 3), date(2025, 3, 11), date(2025, 4, 26), 1, date(2025, 3, 10), None)


def python_or_none(f, *args):
    """The Python result, or None where it raises for leaving the calendar (SQL gives NULL)."""
    try:
        return f(*args)
    except ValueError:
        return None


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31, 23, 59, 59)),
       st.integers(min_value=0, max_value=40), st.one_of(st.none(), st.times()))
def test_sql_macros_equal_python(received, n, close):
    close = received.time() if close is None else close  # received exactly at closing time
    base, due = db().execute("select wd_base(?, ?), wd_add(?, ?, ?)", [received, close, received, n, close]).fetchone()
    assert base == python_or_none(calendar().base_day, received, close)
    assert due == python_or_none(calendar().add_working_days, received, n, close)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
       st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)))
def test_sql_between_equals_python(a, b):
    assert db().execute("select wd_between(?, ?)", [a, b]).fetchone()[0] == calendar().working_days_between(a, b)
