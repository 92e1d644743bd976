"""The sidebar's choices (unit, period, sector, plan), shared by every page and kept in the URL.

The choices live in st.session_state (widget keys ``f_*``) and are mirrored into the URL query
parameters on every run, so a leader can bookmark or send a view:

    ?don_vi=UBND+xã+Bình+Minh&ky=tuan_truoc&linh_vuc=Đất+đai&ke_hoach=001&moc=du_lieu
    ?ky=tuy_chon&tu_ngay=2026-01-01&den_ngay=2026-06-30

A new session (an opened link) starts from the URL; invalid values fall back to the defaults.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import streamlit as st

from ui import data, periods
from ui.format import fmt_date, fmt_period

QP = {"unit": "don_vi", "preset": "ky", "start": "tu_ngay", "end": "den_ngay", "sector": "linh_vuc",
      "plan": "ke_hoach", "today": "moc"}
TODAY_SOURCES = {"du_lieu": "Ngày cuối của dữ liệu", "thuc": "Ngày hôm nay (thực)"}
ALL = "__all__"


@dataclass
class Filters:
    db: Path
    version: tuple | None
    unit: str | None = None
    sector: str | None = None
    plan_id: str | None = None
    plan_name: str | None = None
    period: periods.Period | None = None
    previous: periods.Period | None = None
    today: date | None = None
    today_source: str = "du_lieu"
    data_end: date | None = None
    freshness: dict = field(default_factory=dict)

    @property
    def path(self) -> str:
        return str(self.db)

    @property
    def has_db(self) -> bool:
        return self.version is not None

    @property
    def has_cases(self) -> bool:
        return bool(self.freshness.get("cases"))

    @property
    def start(self) -> date:
        return self.period.start

    @property
    def end(self) -> date:
        return self.period.end

    def scope_text(self) -> str:
        parts = [f"Kỳ {fmt_period(self.start, self.end)}",
                 self.unit or "tất cả đơn vị",
                 f"lĩnh vực {self.sector}" if self.sector else "tất cả lĩnh vực"]
        return " · ".join(parts)


def _parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


def _init_from_url(units: list[str], plans: list[dict], default_plan: str | None) -> None:
    """Seed the widget state from the URL, once per session."""
    ss = st.session_state
    if ss.get("_filters_seeded"):
        return
    qp = st.query_params
    unit = qp.get(QP["unit"])
    ss["f_unit"] = unit if unit in units else ALL
    preset = qp.get(QP["preset"])
    ss["f_preset"] = preset if preset in periods.PRESETS else periods.DEFAULT_PRESET
    ss["_f_start"] = _parse_date(qp.get(QP["start"]))
    ss["_f_end"] = _parse_date(qp.get(QP["end"]))
    ss["_f_sector"] = qp.get(QP["sector"]) or ALL
    plan = qp.get(QP["plan"])
    ss["f_plan"] = plan if plan in {p["plan_id"] for p in plans} else default_plan
    today = qp.get(QP["today"])
    ss["f_today"] = today if today in TODAY_SOURCES else "du_lieu"
    ss["_filters_seeded"] = True


def default_plan(plans: list[dict], units: list[str]) -> str | None:
    """The plan of the commune the data belongs to (its name inside a unit name), else the first."""
    if not plans:
        return None
    for p in plans:
        name = (p.get("unit") or "").strip().lower()
        if name and any(name in (u or "").lower() for u in units):
            return p["plan_id"]
    return plans[0]["plan_id"]


def _view_base(path: Path) -> tuple[Filters, list[str], list[dict]]:
    """A view of `path` with its version and freshness, and the units and plans the sidebar lists.
    Without a database: the default period up to the real date, and no lists."""
    ver = data.version(path)
    f = Filters(db=path, version=ver)
    if ver is None:
        f.today, f.today_source = date.today(), "thuc"
        f.period = periods.preset_period(periods.DEFAULT_PRESET, f.today)
        f.previous = periods.previous_period(f.period)
        return f, [], []
    f.freshness = data.freshness(f.path, ver)
    f.data_end = f.freshness.get("data_end")
    return f, data.units(f.path, ver), data.plans(f.path, ver)


def default_view(path: Path | None = None) -> Filters:
    """The view a new session opened without URL parameters starts on: sidebar()'s defaults, built
    outside any session (the server warms it up at its start, ui.openers.warm_up). It also asks
    for the lists the sidebar shows, so that they are cached too. tests/test_openers.py checks that
    it equals what a new session's sidebar returns."""
    f, units, plans = _view_base(data.db_path() if path is None else path)
    if not f.has_db:
        return f
    f.today_source = "du_lieu" if f.data_end else "thuc"
    f.today = f.data_end or date.today()
    f.period = periods.preset_period(periods.DEFAULT_PRESET, f.today)
    f.previous = periods.previous_period(f.period)
    data.sectors(f.path, f.version, None)
    f.plan_id = default_plan(plans, units)
    f.plan_name = {p["plan_id"]: p["plan_name"] for p in plans}.get(f.plan_id)
    return f


def sidebar() -> Filters:
    """Draw the sidebar filters and return the chosen view. Never raises for a missing or empty
    database: the pages say so."""
    path = data.db_path()
    f, units, plans = _view_base(path)
    ver = f.version
    side = st.sidebar
    if ver is None:
        side.warning(f"Chưa có cơ sở dữ liệu `{path.name}`. Hãy nạp tệp ở trang **Dữ liệu**.")
        return f

    plan_ids = [p["plan_id"] for p in plans]
    plan_names = {p["plan_id"]: p["plan_name"] for p in plans}
    _init_from_url(units, plans, default_plan(plans, units))
    ss = st.session_state

    side.header("Bộ lọc")
    unit_options = [ALL] + units
    if ss.get("f_unit") not in unit_options:
        ss["f_unit"] = ALL
    side.selectbox("Đơn vị", unit_options, key="f_unit",
                   format_func=lambda u: "Tất cả đơn vị" if u == ALL else u)
    f.unit = None if ss["f_unit"] == ALL else ss["f_unit"]

    # reference day of the presets
    real_today = date.today()
    if f.data_end is None:
        ss["f_today"] = "thuc"
    side.radio("Mốc “hôm nay” của các kỳ", list(TODAY_SOURCES), key="f_today", horizontal=False,
               format_func=lambda k: (f"{TODAY_SOURCES[k]} ({fmt_date(f.data_end if k == 'du_lieu' else real_today)})"),
               help="Các kỳ “tuần này”, “tháng này”… tính đến mốc này. Mặc định là ngày cuối của dữ liệu "
                    "đã nạp (hợp với dữ liệu mẫu và dữ liệu xuất định kỳ); chọn ngày thực khi dữ liệu "
                    "được nạp hằng ngày.")
    f.today_source = ss["f_today"]
    f.today = f.data_end if (f.today_source == "du_lieu" and f.data_end) else real_today

    side.selectbox("Kỳ", list(periods.PRESETS), key="f_preset", format_func=periods.PRESETS.get)
    preset = ss["f_preset"]
    if preset == "tuy_chon":
        base = periods.preset_period(periods.DEFAULT_PRESET, f.today)
        if ss.get("f_start") is None:
            ss["f_start"] = ss.get("_f_start") or base.start
        if ss.get("f_end") is None:
            ss["f_end"] = ss.get("_f_end") or base.end
        c1, c2 = side.columns(2)
        c1.date_input("Từ ngày", key="f_start", format="DD/MM/YYYY")
        c2.date_input("Đến ngày", key="f_end", format="DD/MM/YYYY")
        ss["_f_start"], ss["_f_end"] = ss["f_start"], ss["f_end"]
        f.period = periods.preset_period(preset, f.today, ss["f_start"], ss["f_end"])
    else:
        f.period = periods.preset_period(preset, f.today)
    f.previous = periods.previous_period(f.period)
    side.caption(f"{periods.PRESETS[preset]}: **{fmt_period(f.start, f.end)}** "
                 f"(mốc {fmt_date(f.today)}, {TODAY_SOURCES[f.today_source].lower()}). "
                 f"Tuần tính từ thứ Hai đến Chủ nhật.")

    sector_list = data.sectors(f.path, ver, f.unit)
    sector_options = [ALL] + sector_list
    if "f_sector" not in ss:
        ss["f_sector"] = ss.get("_f_sector") if ss.get("_f_sector") in sector_options else ALL
    if ss["f_sector"] not in sector_options:
        ss["f_sector"] = ALL
    side.selectbox("Lĩnh vực", sector_options, key="f_sector",
                   format_func=lambda s: "Tất cả lĩnh vực" if s == ALL else s)
    ss["_f_sector"] = ss["f_sector"]
    f.sector = None if ss["f_sector"] == ALL else ss["f_sector"]

    if plan_ids:
        if ss.get("f_plan") not in plan_ids:
            ss["f_plan"] = default_plan(plans, units)
        side.selectbox("Chỉ tiêu theo kế hoạch", plan_ids, key="f_plan",
                       format_func=lambda p: f"{p} · {plan_names.get(p, '')}")
        f.plan_id = ss["f_plan"]
        f.plan_name = plan_names.get(f.plan_id)
    else:
        side.info("Chưa có kế hoạch nào trong bảng chỉ tiêu.")

    _write_url(f)
    side.caption("Đường dẫn trên thanh địa chỉ giữ các lựa chọn này: có thể đánh dấu hoặc gửi cho người khác.")
    return f


def _write_url(f: Filters) -> None:
    wanted = {QP["preset"]: f.period.preset}
    if f.unit:
        wanted[QP["unit"]] = f.unit
    if f.period.preset == "tuy_chon":
        wanted[QP["start"]] = f.start.isoformat()
        wanted[QP["end"]] = f.end.isoformat()
    if f.sector:
        wanted[QP["sector"]] = f.sector
    if f.plan_id:
        wanted[QP["plan"]] = f.plan_id
    if f.today_source != "du_lieu":
        wanted[QP["today"]] = f.today_source
    current = {k: st.query_params.get(k) for k in st.query_params.keys()}
    if current != wanted:
        st.query_params.from_dict(wanted)


def set_current(f: Filters) -> None:
    st.session_state["_current_filters"] = f


def current() -> Filters:
    f = st.session_state.get("_current_filters")
    if f is None:  # a page run on its own (never through app.py): compute without drawing twice
        f = sidebar()
        set_current(f)
    return f


def fallback() -> Filters:
    """The view when the sidebar could not be built (the pages then say there is no data)."""
    path = data.db_path()
    f = Filters(db=path, version=data.version(path), today=date.today(), today_source="thuc")
    f.period = periods.preset_period(periods.DEFAULT_PRESET, f.today)
    f.previous = periods.previous_period(f.period)
    return f
