"""Vietnamese number and date formatting for everything the dashboard shows.

Vietnamese writes the thousands separator as a dot and the decimal mark as a comma
(1.234; 98,5 %), dates day first (21/11/2026). A missing figure is never shown as 0: it reads
"không có dữ liệu" (DOMAIN.md: "A metric whose input is absent ... shows không có dữ liệu").
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

NO_DATA = "không có dữ liệu"
DASH = "–"


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, pandas NaT / NA
    except (TypeError, ValueError):  # pd.NA raises on bool()
        return True


def _group(digits: str) -> str:
    """'1234567' -> '1.234.567'."""
    out = []
    while len(digits) > 3:
        out.insert(0, digits[-3:])
        digits = digits[:-3]
    out.insert(0, digits)
    return ".".join(out)


def fmt_number(value: Any, decimals: int = 0, missing: str = NO_DATA, strip_zeros: bool = False) -> str:
    """1234.5 -> '1.234,5' (decimals=1); -0.04 with decimals=1 -> '0,0' (no negative zero)."""
    if _missing(value):
        return missing
    number = round(float(value), decimals)
    if number == 0:
        number = 0.0  # no "-0,0"
    sign = "-" if number < 0 else ""
    text = f"{abs(number):.{decimals}f}"
    whole, _, frac = text.partition(".")
    if strip_zeros and frac:
        frac = frac.rstrip("0")
    return sign + _group(whole) + ("," + frac if frac else "")


def fmt_int(value: Any, missing: str = NO_DATA) -> str:
    """1234 -> '1.234'."""
    return fmt_number(value, 0, missing=missing)


def fmt_pct(value: Any, decimals: int = 1, missing: str = NO_DATA) -> str:
    """98.5 -> '98,5 %' (value already in percent). None -> 'không có dữ liệu'."""
    if _missing(value):
        return missing
    return fmt_number(value, decimals) + " %"


def fmt_pp(value: Any, decimals: int = 1, missing: str = DASH) -> str:
    """A difference of two percentages in percentage points, always signed: '+1,2 điểm %'."""
    if _missing(value):
        return missing
    number = round(float(value), decimals)
    sign = "+" if number > 0 else ("−" if number < 0 else "±")
    return f"{sign}{fmt_number(abs(number), decimals)} điểm %"


def fmt_signed_int(value: Any, missing: str = DASH) -> str:
    """+12 / −3 / ±0 for a change in a count."""
    if _missing(value):
        return missing
    number = int(round(float(value)))
    sign = "+" if number > 0 else ("−" if number < 0 else "±")
    return sign + fmt_int(abs(number))


def fmt_score(value: Any, decimals: int = 2, missing: str = NO_DATA) -> str:
    """A 766 score: 19.03 -> '19,03'; whole numbers lose their zeros: 20.0 -> '20'."""
    return fmt_number(value, decimals, missing=missing, strip_zeros=True)


def fmt_date(value: Any, missing: str = DASH) -> str:
    """date(2026, 11, 21) -> '21/11/2026'."""
    if _missing(value):
        return missing
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        value = value.to_pydatetime()
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def fmt_datetime(value: Any, missing: str = DASH, seconds: bool = False) -> str:
    """datetime(2026, 11, 21, 8, 5) -> '08:05 21/11/2026' (time first, as Vietnamese forms write it)."""
    if _missing(value):
        return missing
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if not isinstance(value, datetime):
        return fmt_date(value, missing)
    clock = f"{value.hour:02d}:{value.minute:02d}" + (f":{value.second:02d}" if seconds else "")
    return f"{clock} {fmt_date(value)}"


def fmt_period(start: date, end: date) -> str:
    """'09/11/2026 – 15/11/2026', or one date when start == end."""
    if start == end:
        return fmt_date(start)
    return f"{fmt_date(start)} – {fmt_date(end)}"


def fmt_month(value: date) -> str:
    """'11/2026'."""
    return f"{value.month:02d}/{value.year}"


def fmt_bucket(start: date, end: date, grain: str) -> str:
    """A chart label for a week, month or quarter bucket: 'Tuần 09/11–15/11/2026', '11/2026', 'Quý IV/2026'."""
    if grain == "week":
        return f"{start.day:02d}/{start.month:02d}–{fmt_date(end)}"
    if grain == "quarter":
        quarter = (start.month - 1) // 3 + 1
        return f"Quý {('I', 'II', 'III', 'IV')[quarter - 1]}/{start.year}"
    return fmt_month(start)


def fmt_filesize(n_bytes: int) -> str:
    """1536 -> '1,5 KB'."""
    units = ["B", "KB", "MB", "GB"]
    size, unit = float(n_bytes), 0
    while size >= 1024 and unit < len(units) - 1:
        size /= 1024
        unit += 1
    return f"{fmt_number(size, 0 if unit == 0 else 1, strip_zeros=True)} {units[unit]}"


COMPARATOR_SIGNS = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}


def fmt_target(comparator: str | None, value: Any) -> str:
    """('>=', 95) -> '≥ 95 %'; ('>', 98) -> '> 98 %'."""
    if _missing(value):
        return DASH
    sign = COMPARATOR_SIGNS.get(comparator or "", "")
    return f"{sign} {fmt_number(value, 1, strip_zeros=True)} %".strip()
