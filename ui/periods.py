"""Period presets of the sidebar, pure functions (tests/test_app_format.py).

Weeks run Monday to Sunday. A preset is computed against a reference day ("hôm nay"): by
default the last date of the loaded data, optionally the real calendar date (docs/dashboard.md).
A period in progress ends on the reference day (this week = Monday .. today), so the figures
never count days that have not happened yet. The previous period, used for the "change" of the
overview cards, has the same shape one step earlier: last week's Monday .. the same weekday,
last month's 1st .. the same day of month, and so on; a custom period is compared with the
period of the same length right before it.
"""
from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

PRESETS: dict[str, str] = {
    "tuan_nay": "Tuần này",
    "tuan_truoc": "Tuần trước",
    "thang_nay": "Tháng này",
    "quy_nay": "Quý này",
    "tu_dau_nam": "Từ đầu năm",
    "tuy_chon": "Tùy chọn",
}
DEFAULT_PRESET = "thang_nay"

GRAINS: dict[str, str] = {"week": "Tuần", "month": "Tháng", "quarter": "Quý"}


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    preset: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def week_start(day: date) -> date:
    """The Monday of the week holding `day`."""
    return day - timedelta(days=day.weekday())


def week_of(day: date) -> tuple[date, date]:
    """Monday .. Sunday of the week holding `day`."""
    monday = week_start(day)
    return monday, monday + timedelta(days=6)


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def shift_months(day: date, months: int) -> date:
    """The same day of month `months` later (earlier when negative), clipped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def preset_period(preset: str, today: date, start: date | None = None, end: date | None = None) -> Period:
    """The period of a preset for reference day `today`. 'tuy_chon' uses start/end (swapped
    when given in the wrong order; missing ones default to this month)."""
    if preset == "tuan_nay":
        return Period(week_start(today), today, preset)
    if preset == "tuan_truoc":
        monday = week_start(today) - timedelta(days=7)
        return Period(monday, monday + timedelta(days=6), preset)
    if preset == "thang_nay":
        return Period(today.replace(day=1), today, preset)
    if preset == "quy_nay":
        return Period(quarter_start(today), today, preset)
    if preset == "tu_dau_nam":
        return Period(date(today.year, 1, 1), today, preset)
    if preset == "tuy_chon":
        if start is None or end is None:
            base = preset_period(DEFAULT_PRESET, today)
            start, end = start or base.start, end or base.end
        if end < start:
            start, end = end, start
        return Period(start, end, preset)
    raise ValueError(f"unknown period preset {preset!r}")


def previous_period(period: Period) -> Period:
    """The comparison period: the same shape one week / month / quarter / year earlier, or for a
    custom period the same number of days right before it."""
    s, e = period.start, period.end
    if period.preset in ("tuan_nay", "tuan_truoc"):
        return Period(s - timedelta(days=7), e - timedelta(days=7), period.preset)
    if period.preset == "thang_nay":
        return Period(shift_months(s, -1), shift_months(e, -1), period.preset)
    if period.preset == "quy_nay":
        return Period(shift_months(s, -3), shift_months(e, -3), period.preset)
    if period.preset == "tu_dau_nam":
        return Period(shift_months(s, -12), shift_months(e, -12), period.preset)
    length = period.days
    return Period(s - timedelta(days=length), s - timedelta(days=1), period.preset)


def previous_label(period: Period) -> str:
    return {
        "tuan_nay": "cùng kỳ tuần trước",
        "tuan_truoc": "tuần trước đó",
        "thang_nay": "cùng kỳ tháng trước",
        "quy_nay": "cùng kỳ quý trước",
        "tu_dau_nam": "cùng kỳ năm trước",
    }.get(period.preset, f"{period.days} ngày liền trước")


def trend_window(period: Period) -> tuple[date, date]:
    """The window of the trend charts: from 1 January of the period end's year to the period
    end, or the chosen period itself when it reaches further back."""
    start = min(period.start, date(period.end.year, 1, 1))
    return start, period.end


def recent_weeks(today: date, count: int = 12) -> list[tuple[date, date]]:
    """The `count` Monday-Sunday weeks up to the one holding `today`, newest first."""
    monday = week_start(today)
    return [(monday - timedelta(days=7 * i), monday - timedelta(days=7 * i) + timedelta(days=6))
            for i in range(count)]
