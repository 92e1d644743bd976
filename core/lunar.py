"""Vietnamese lunar calendar (âm lịch) conversion.

Hồ Ngọc Đức's algorithm (https://www.informatik.uni-leipzig.de/~duc/amlich/), which follows
Jean Meeus' "Astronomical Algorithms": a lunar month starts on the day of the new moon, month 11
holds the winter solstice, and in a 13-month year the first month without a major solar term
(trung khí) is the leap month.

The day boundary is midnight in UTC+7. Vietnam has used UTC+7 since 1968 while China uses UTC+8,
so a new moon shortly after 16:00 UTC falls on different days and the calendars differ in some
years (Tết 2007: 17/02 in Vietnam, 18/02 in China; Tết 1985: 21/01 vs 20/02).
Valid for 1900-2100; dates are proleptic Gregorian.
"""
from __future__ import annotations

import math
from datetime import date

TIME_ZONE = 7.0  # hours east of UTC; the Vietnamese calendar's meridian (105°E)

_JD_OFFSET = 1721425  # Julian day number of date.fromordinal(1) minus 1
_SYNODIC_MONTH = 29.530588853
_JD_NEW_MOON_1900 = 2415021.076998695  # new moon of 1900-01-01, the origin of the month count k


def _jd(d: date) -> int:
    return d.toordinal() + _JD_OFFSET


def _date(jd: int) -> date:
    return date.fromordinal(jd - _JD_OFFSET)


def _new_moon(k: int) -> float:
    """Julian date (UT) of the k-th new moon after 1900-01-01 (Meeus, chapter 49, short series)."""
    t = k / 1236.85
    t2, t3 = t * t, t * t * t
    dr = math.pi / 180
    jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    jd1 += 0.00033 * math.sin((166.56 + 132.87 * t - 0.009173 * t2) * dr)
    m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3  # sun's mean anomaly
    mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3  # moon's mean anomaly
    f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3  # moon's argument of latitude
    c1 = (0.1734 - 0.000393 * t) * math.sin(m * dr) + 0.0021 * math.sin(2 * dr * m)
    c1 = c1 - 0.4068 * math.sin(mpr * dr) + 0.0161 * math.sin(dr * 2 * mpr)
    c1 = c1 - 0.0004 * math.sin(dr * 3 * mpr)
    c1 = c1 + 0.0104 * math.sin(dr * 2 * f) - 0.0051 * math.sin(dr * (m + mpr))
    c1 = c1 - 0.0074 * math.sin(dr * (m - mpr)) + 0.0004 * math.sin(dr * (2 * f + m))
    c1 = c1 - 0.0004 * math.sin(dr * (2 * f - m)) - 0.0006 * math.sin(dr * (2 * f + mpr))
    c1 = c1 + 0.0010 * math.sin(dr * (2 * f - mpr)) + 0.0005 * math.sin(dr * (2 * mpr + m))
    if t < -11:  # delta T (TT - UT), in days
        delta_t = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
    else:
        delta_t = -0.000278 + 0.000265 * t + 0.000262 * t2
    return jd1 + c1 - delta_t


def _sun_longitude(jdn: float) -> float:
    """Sun's apparent longitude in radians, 0..2π, at Julian date jdn (UT)."""
    t = (jdn - 2451545.0) / 36525
    t2 = t * t
    dr = math.pi / 180
    m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2
    l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2
    dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * math.sin(dr * m)
    dl += (0.019993 - 0.000101 * t) * math.sin(dr * 2 * m) + 0.000290 * math.sin(dr * 3 * m)
    lon = (l0 + dl) * dr
    return lon - 2 * math.pi * math.floor(lon / (2 * math.pi))


def _new_moon_day(k: int) -> int:
    """Julian day number of the local (UTC+7) day holding the k-th new moon."""
    return math.floor(_new_moon(k) + 0.5 + TIME_ZONE / 24)


def _sun_sector(day_number: int) -> int:
    """Which of the 12 major solar terms (30° sectors) the sun is in at local midnight starting the day."""
    return math.floor(_sun_longitude(day_number - 0.5 - TIME_ZONE / 24) / math.pi * 6)


def _month11(year: int) -> int:
    """Julian day number of the start of lunar month 11 (the month holding the winter solstice)."""
    off = _jd(date(year, 12, 31)) - 2415021
    k = math.floor(off / _SYNODIC_MONTH)
    nm = _new_moon_day(k)
    if _sun_sector(nm) >= 9:  # that new moon is after the solstice: month 11 began one month earlier
        nm = _new_moon_day(k - 1)
    return nm


def _leap_month_offset(a11: int) -> int:
    """In a 13-month year starting at month 11 (a11), the offset of the leap month: the first
    month whose start lies in the same solar-term sector as the next one (no major term)."""
    k = math.floor((a11 - _JD_NEW_MOON_1900) / _SYNODIC_MONTH + 0.5)
    i = 1
    arc = _sun_sector(_new_moon_day(k + i))
    while True:
        last = arc
        i += 1
        arc = _sun_sector(_new_moon_day(k + i))
        if arc == last or i >= 14:
            return i - 1


def solar_to_lunar(d: date) -> tuple[int, int, int, bool]:
    """(day, month, year, leap) of the Vietnamese lunar date of a solar date."""
    day_number = _jd(d)
    k = math.floor((day_number - _JD_NEW_MOON_1900) / _SYNODIC_MONTH)
    month_start = _new_moon_day(k + 1)
    if month_start > day_number:
        month_start = _new_moon_day(k)
    a11 = _month11(d.year)
    b11 = a11
    if a11 >= month_start:
        lunar_year = d.year
        a11 = _month11(d.year - 1)
    else:
        lunar_year = d.year + 1
        b11 = _month11(d.year + 1)
    lunar_day = day_number - month_start + 1
    diff = math.floor((month_start - a11) / 29)  # months since month 11
    leap = False
    lunar_month = diff + 11
    if b11 - a11 > 365:  # 13 lunar months between two months 11: there is a leap month
        leap_diff = _leap_month_offset(a11)
        if diff >= leap_diff:
            lunar_month = diff + 10
            leap = diff == leap_diff
    if lunar_month > 12:
        lunar_month -= 12
    if lunar_month >= 11 and diff < 4:  # months 11 and 12 belong to the previous lunar year
        lunar_year -= 1
    return lunar_day, lunar_month, lunar_year, leap


def lunar_to_solar(day: int, month: int, year: int, leap: bool = False) -> date:
    """Solar date of a Vietnamese lunar date; ValueError when that lunar date does not exist
    (day 30 of a 29-day month, or a leap month the year does not have)."""
    if not (1 <= month <= 12 and 1 <= day <= 30):
        raise ValueError(f"no lunar date {day}/{month}/{year}")
    if month < 11:
        a11, b11 = _month11(year - 1), _month11(year)
    else:
        a11, b11 = _month11(year), _month11(year + 1)
    k = math.floor(0.5 + (a11 - _JD_NEW_MOON_1900) / _SYNODIC_MONTH)
    off = (month - 11) % 12
    if b11 - a11 > 365:
        leap_off = _leap_month_offset(a11)
        if leap or off >= leap_off:
            off += 1
    result = _date(_new_moon_day(k + off) + day - 1)
    # Converting back catches the impossible dates instead of silently rolling over.
    if solar_to_lunar(result) != (day, month, year, bool(leap)):
        raise ValueError(f"no lunar date {day}/{month}{' nhuận' if leap else ''}/{year}")
    return result
