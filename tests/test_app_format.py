"""The dashboard's pure helpers: Vietnamese formatting, period presets, target judging."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from ui import format as vf
from ui import judging, periods


@pytest.mark.parametrize("value, text", [
    (0, "0"), (7, "7"), (999, "999"), (1234, "1.234"), (1234567, "1.234.567"), (-1234, "-1.234"),
    (None, "không có dữ liệu"), (float("nan"), "không có dữ liệu"),
])
def test_fmt_int(value, text):
    assert vf.fmt_int(value) == text


@pytest.mark.parametrize("value, decimals, text", [
    (98.5, 1, "98,5 %"), (98.456, 1, "98,5 %"), (100, 1, "100,0 %"), (0, 1, "0,0 %"), (1234.5, 1, "1.234,5 %"),
    (-0.04, 1, "0,0 %"), (57.0, 0, "57 %"), (None, 1, "không có dữ liệu"),
])
def test_fmt_pct(value, decimals, text):
    assert vf.fmt_pct(value, decimals) == text


def test_no_data_is_never_zero():
    assert vf.fmt_pct(None) != vf.fmt_pct(0)
    assert vf.fmt_pct(None) == vf.NO_DATA == "không có dữ liệu"


@pytest.mark.parametrize("value, text", [(1.23, "+1,2 điểm %"), (-6.63, "−6,6 điểm %"), (0.01, "±0,0 điểm %"),
                                         (None, "–")])
def test_fmt_pp(value, text):
    assert vf.fmt_pp(value) == text


@pytest.mark.parametrize("value, text", [(19.03, "19,03"), (20.0, "20"), (4.5, "4,5"), (None, "không có dữ liệu")])
def test_fmt_score(value, text):
    assert vf.fmt_score(value) == text


def test_dates():
    assert vf.fmt_date(date(2026, 11, 21)) == "21/11/2026"
    assert vf.fmt_date(datetime(2026, 1, 2, 15, 4)) == "02/01/2026"
    assert vf.fmt_date("2026-03-09") == "09/03/2026"
    assert vf.fmt_date(None) == "–"
    assert vf.fmt_datetime(datetime(2026, 11, 21, 8, 5, 9)) == "08:05 21/11/2026"
    assert vf.fmt_datetime(datetime(2026, 11, 21, 8, 5, 9), seconds=True) == "08:05:09 21/11/2026"
    assert vf.fmt_period(date(2026, 11, 9), date(2026, 11, 15)) == "09/11/2026 – 15/11/2026"
    assert vf.fmt_period(date(2026, 11, 9), date(2026, 11, 9)) == "09/11/2026"
    assert vf.fmt_month(date(2026, 3, 1)) == "03/2026"


def test_bucket_labels():
    assert vf.fmt_bucket(date(2026, 11, 9), date(2026, 11, 15), "week") == "09/11–15/11/2026"
    assert vf.fmt_bucket(date(2026, 10, 1), date(2026, 12, 31), "quarter") == "Quý IV/2026"
    assert vf.fmt_bucket(date(2026, 2, 1), date(2026, 2, 28), "month") == "02/2026"


def test_target_and_size():
    assert vf.fmt_target(">=", 95) == "≥ 95 %"
    assert vf.fmt_target(">", 98.0) == "> 98 %"
    assert vf.fmt_target(">=", 99.5) == "≥ 99,5 %"
    assert vf.fmt_target(None, None) == "–"
    assert vf.fmt_filesize(1536) == "1,5 KB"


# ----------------------------------------------------------------------------- periods

SUNDAY = date(2026, 11, 15)
FRIDAY = date(2026, 11, 13)


def test_weeks_run_monday_to_sunday():
    assert periods.week_of(SUNDAY) == (date(2026, 11, 9), date(2026, 11, 15))
    assert periods.week_of(date(2026, 11, 9)) == (date(2026, 11, 9), date(2026, 11, 15))
    assert periods.week_start(date(2026, 11, 16)) == date(2026, 11, 16)


def test_presets_end_on_the_reference_day():
    p = periods.preset_period
    assert (p("tuan_nay", FRIDAY).start, p("tuan_nay", FRIDAY).end) == (date(2026, 11, 9), FRIDAY)
    assert (p("tuan_truoc", FRIDAY).start, p("tuan_truoc", FRIDAY).end) == (date(2026, 11, 2), date(2026, 11, 8))
    assert (p("thang_nay", FRIDAY).start, p("thang_nay", FRIDAY).end) == (date(2026, 11, 1), FRIDAY)
    assert (p("quy_nay", FRIDAY).start, p("quy_nay", FRIDAY).end) == (date(2026, 10, 1), FRIDAY)
    assert (p("tu_dau_nam", FRIDAY).start, p("tu_dau_nam", FRIDAY).end) == (date(2026, 1, 1), FRIDAY)
    custom = p("tuy_chon", FRIDAY, date(2026, 6, 30), date(2026, 1, 1))
    assert (custom.start, custom.end) == (date(2026, 1, 1), date(2026, 6, 30))  # swapped into order
    with pytest.raises(ValueError):
        p("nam_sau", FRIDAY)


def test_previous_periods():
    prev = periods.previous_period
    assert prev(periods.preset_period("tuan_nay", FRIDAY)) == periods.Period(
        date(2026, 11, 2), date(2026, 11, 6), "tuan_nay")
    assert prev(periods.preset_period("thang_nay", date(2026, 3, 31))) == periods.Period(
        date(2026, 2, 1), date(2026, 2, 28), "thang_nay")          # clipped to February's end
    assert prev(periods.preset_period("quy_nay", FRIDAY)) == periods.Period(
        date(2026, 7, 1), date(2026, 8, 13), "quy_nay")
    assert prev(periods.preset_period("tu_dau_nam", FRIDAY)) == periods.Period(
        date(2025, 1, 1), date(2025, 11, 13), "tu_dau_nam")
    custom = periods.preset_period("tuy_chon", FRIDAY, date(2026, 1, 11), date(2026, 1, 20))
    assert prev(custom) == periods.Period(date(2026, 1, 1), date(2026, 1, 10), "tuy_chon")


def test_trend_window_and_recent_weeks():
    assert periods.trend_window(periods.preset_period("tuan_nay", FRIDAY)) == (date(2026, 1, 1), FRIDAY)
    long = periods.preset_period("tuy_chon", FRIDAY, date(2025, 7, 1), date(2026, 2, 1))
    assert periods.trend_window(long) == (date(2025, 7, 1), date(2026, 2, 1))
    weeks = periods.recent_weeks(FRIDAY, 3)
    assert weeks == [(date(2026, 11, 9), date(2026, 11, 15)), (date(2026, 11, 2), date(2026, 11, 8)),
                     (date(2026, 10, 26), date(2026, 11, 1))]


# ----------------------------------------------------------------------------- judging

ROW = dict(plan_id="X", plan_name="Kế hoạch X", unit=None, metric="on_time_rate", comparator=">", value=98.0,
           effective_from=date(2025, 1, 1), effective_to=date(2030, 12, 31), sector_scope=None, measurable=True,
           target_text="trên 98%", citation="KH số 1")
PHASED = dict(ROW, metric="online_share", comparator=">=", value=90.0, effective_from=date(2029, 1, 1),
              target_text="90% từ 2029")
LAND = dict(ROW, metric="satisfaction_rate", comparator=">=", value=90.0, sector_scope="dat_dai_xay_dung_dau_tu")


def test_judge_value_met_not_met_and_no_data():
    rows = [ROW, PHASED, LAND]
    assert judging.judge_value(rows, "on_time_rate", 98.5, date(2026, 6, 30)).status == "met"
    assert judging.judge_value(rows, "on_time_rate", 98.0, date(2026, 6, 30)).status == "not_met"  # '>' strict
    assert judging.judge_value(rows, "on_time_rate", None, date(2026, 6, 30)).status == "no_data"
    later = judging.judge_value(rows, "online_share", 95.0, date(2026, 6, 30))
    assert later.status == "not_in_effect" and "01/01/2029" in later.target_text
    assert judging.judge_value(rows, "online_share", 95.0, date(2029, 6, 30)).status == "met"
    assert judging.judge_value(rows, "satisfaction_rate_land_group", 89.9, date(2026, 1, 1)).status == "not_met"
    assert judging.judge_value(rows, "satisfaction_rate", 99.0, date(2026, 1, 1)).status == "no_target"


def test_combine_and_tally():
    assert judging.combine(["met", "not_met"]) == "not_met"
    assert judging.combine(["met", "no_data"]) == "met"
    assert judging.combine(["no_data"]) == "no_data"
    assert judging.combine([]) == "no_target"
    counts = judging.tally([{"status": "met"}, {"status": "met"}, {"status": "not_met"},
                            {"status": "not_measurable"}])
    assert counts["met"] == 2 and counts["not_met"] == 1 and counts["not_measurable"] == 1
