"""Working-day calendar: public holidays, announced adjustments and working-day arithmetic.

A working day (ngày làm việc) is Monday-Friday that is not a public holiday, plus any make-up
working day the government announces. Holidays come from two places:

* the rule (``rule_holidays``): Labour Code 2019 art. 112(1), weekend holidays moved to the next
  working day by art. 111(3) (nghỉ bù);
* ``etl/reference/holiday_adjustments.csv``: what the government actually announced (bridged days,
  make-up Saturdays, another choice of Tết days), editable by the centre. A row there replaces
  every rule row of the same day.

docs/calendar.md explains the conventions; etl/macros.sql mirrors the arithmetic in SQL.
"""
from __future__ import annotations

import csv
from datetime import date, datetime, time, timedelta
from pathlib import Path

from core import settings
from core.lunar import lunar_to_solar

HOLIDAY, WORKDAY = "holiday", "workday"
ADJUSTMENTS_FILE = "holiday_adjustments.csv"

HolidayRow = tuple[date, str, str, str]  # (day, kind, name, source)


def _quoc_khanh_adjacent(year: int) -> date:
    """The day next to 2/9 that the rule gives off (the law says "before or after"; the Prime
    Minister picks it each year). Default: drop a neighbour that is a weekend day, then prefer the
    one touching a weekend (Monday 1/9 or Friday 3/9), then the day before. This reproduces the
    choices of 2021-2025: 3/9 Fri, 1/9 Thu, 1/9 Fri, 3/9 Tue, 1/9 Mon."""
    candidates = [d for d in (date(year, 9, 1), date(year, 9, 3)) if d.weekday() < 5]
    bridging = [d for d in candidates if d.weekday() in (0, 4)]
    return (bridging or candidates)[0]


def rule_holidays(year: int) -> list[tuple[date, str]]:
    """Public holidays of a year by rule, with their compensatory days, sorted by day.

    Tết Âm lịch is taken as the last day of the lunar year plus mùng 1-4, the usual government
    choice (the Prime Minister decides each year; announced deviations go in the adjustments file).
    Before 2021 the Labour Code 2012 applied: Quốc khánh was one day only.
    """
    tet = lunar_to_solar(1, 1, year)
    days = [(date(year, 1, 1), "Tết Dương lịch")]
    days += [(tet + timedelta(days=i), "Tết Âm lịch") for i in range(-1, 4)]
    days += [
        (lunar_to_solar(10, 3, year), "Giỗ Tổ Hùng Vương (10/3 âm lịch)"),
        (date(year, 4, 30), "Ngày Chiến thắng (30/4)"),
        (date(year, 5, 1), "Ngày Quốc tế lao động (1/5)"),
        (date(year, 9, 2), "Quốc khánh (2/9)"),
    ]
    if year >= 2021:
        days.append((_quoc_khanh_adjacent(year), "Quốc khánh (ngày liền kề)"))
    days.sort()
    # Nghỉ bù: each holiday on a Saturday or Sunday gives one day off on the next weekday that
    # is neither a holiday nor already a compensatory day.
    taken = {d for d, _ in days}
    compensatory = []
    for d, name in days:
        if d.weekday() >= 5:
            c = d + timedelta(days=1)
            while c.weekday() >= 5 or c in taken:
                c += timedelta(days=1)
            taken.add(c)
            compensatory.append((c, f"Nghỉ bù {name}"))
    return sorted(days + compensatory)


def _parse_day(text: str) -> date:
    text = text.strip()
    if "/" in text:  # 26/04/2025, as a spreadsheet in Vietnamese locale writes it
        d, m, y = (int(p) for p in text.split("/"))
        return date(y, m, d)
    return date.fromisoformat(text)


def read_adjustments(path: str | Path) -> list[HolidayRow]:
    """Rows of the adjustments CSV (header day,kind,name,source). The output source is 'centre' when
    the file says so, else 'announced' (the file's source column holds the citation)."""
    rows = []
    with open(path, encoding="utf-8-sig", newline="") as f:
        for line, rec in enumerate(csv.DictReader(f), start=2):
            if not (rec.get("day") or "").strip():
                continue
            kind = (rec.get("kind") or "").strip().lower()
            if kind not in (HOLIDAY, WORKDAY):
                raise ValueError(f"{path}:{line}: kind must be 'holiday' or 'workday', not {kind!r}")
            try:
                day = _parse_day(rec["day"])
            except ValueError:
                raise ValueError(f"{path}:{line}: bad day {rec['day']!r}, expected YYYY-MM-DD") from None
            source = "centre" if (rec.get("source") or "").strip().lower() == "centre" else "announced"
            rows.append((day, kind, (rec.get("name") or "").strip() or kind, source))
    return rows


def build_holiday_rows(first_year: int, last_year: int, adjustments_csv_path: str | Path | None) -> list[HolidayRow]:
    """Rows of table ``holidays`` for the years: rule rows, with adjustment rows replacing the rule
    rows of the same day. A missing adjustments file means rules only."""
    rows = [(d, HOLIDAY, name, "rule") for y in range(first_year, last_year + 1) for d, name in rule_holidays(y)]
    adjustments = []
    if adjustments_csv_path is not None and Path(adjustments_csv_path).exists():
        adjustments = [r for r in read_adjustments(adjustments_csv_path) if first_year <= r[0].year <= last_year]
    overridden = {r[0] for r in adjustments}
    return sorted([r for r in rows if r[0] not in overridden] + adjustments)


def calendar_rows(first_year: int, last_year: int, holiday_rows: list[HolidayRow]) -> list[tuple[date, bool, int]]:
    """Rows of table ``work_calendar``: (day, is_working, wd_index) for every day of the years, where
    wd_index counts the working days from the calendar start up to and including the day.
    A 'workday' row wins over a 'holiday' row of the same day."""
    off = {r[0] for r in holiday_rows if r[1] == HOLIDAY}
    on = {r[0] for r in holiday_rows if r[1] == WORKDAY}
    rows, index = [], 0
    d, end = date(first_year, 1, 1), date(last_year, 12, 31)
    while d <= end:
        working = d in on or (d.weekday() < 5 and d not in off)
        index += working
        rows.append((d, working, index))
        d += timedelta(days=1)
    return rows


def parse_time(text: str) -> time:
    """'17:00' -> time(17, 0)."""
    h, m = text.strip().split(":")
    return time(int(h), int(m))


class WorkCalendar:
    """Working-day arithmetic over a fixed range of years. Days outside the range raise ValueError
    (the SQL macros return NULL there)."""

    def __init__(self, first_year: int, last_year: int, holiday_rows: list[HolidayRow],
                 office_close: time = time(17, 0)):
        self.first_year, self.last_year = first_year, last_year
        self.office_close = office_close
        self.start = date(first_year, 1, 1)
        self.rows = calendar_rows(first_year, last_year, holiday_rows)
        self._working = [d for d, working, _ in self.rows if working]  # wd_index i is _working[i - 1]

    @classmethod
    def default(cls) -> "WorkCalendar":
        first, last = settings.get("calendar_first_year"), settings.get("calendar_last_year")
        adjustments = Path(settings.get("reference_dir")) / ADJUSTMENTS_FILE
        return cls(first, last, build_holiday_rows(first, last, adjustments), parse_time(settings.get("office_close")))

    def _row(self, d: date) -> tuple[date, bool, int]:
        i = (d - self.start).days
        if not 0 <= i < len(self.rows):
            raise ValueError(f"{d} is outside the calendar {self.first_year}-{self.last_year}")
        return self.rows[i]

    def _day_of_index(self, index: int) -> date:
        if not 1 <= index <= len(self._working):
            raise ValueError(f"working day #{index} is outside the calendar {self.first_year}-{self.last_year}")
        return self._working[index - 1]

    def is_working(self, d: date) -> bool:
        return self._row(d)[1]

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after d."""
        return self._day_of_index(self._row(d)[2] + 1)

    def base_day(self, received: datetime, office_close: time | None = None) -> date:
        """Day the count starts from: the received date if it is a working day and the case came in
        at or before closing time, else the next working day."""
        close = self.office_close if office_close is None else office_close
        _, working, index = self._row(received.date())
        return self._day_of_index(index + (0 if working and received.time() <= close else 1))

    def add_working_days(self, received: datetime, n: int, office_close: time | None = None) -> date:
        """Due date: the day n working days after the base day (n=0 gives the base day)."""
        return self._day_of_index(self._row(self.base_day(received, office_close))[2] + n)

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in (a, b]; negative when b < a. E.g. days late = between(due, finished)."""
        return self._row(b)[2] - self._row(a)[2]
