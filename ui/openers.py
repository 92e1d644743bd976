"""The query calls each metric page opens with, written once for the page and for the prefetch.

A page calls its opener with its widgets' values and draws from what it returns: values computed
in the page's thread and futures (`ui.data.later`) it reads where each section draws, so a failing
call shows its error in its own section. After a page's run, `prefetch` calls the other metric
pages' openers with the same sidebar filters and their widgets' defaults, one after another on a
background thread of lower priority, so a page opened next finds its results in st.cache_data: in
a meeting, the room clicks from page to page with the same filters (docs/performance.md, round 7).
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Callable

from core import settings
from ui import caselists, data, periods

log = logging.getLogger("tthc.ui")


def _months(start: date, end: date) -> list[tuple[date, date]]:
    out, cur = [], date(start.year, start.month, 1)
    while cur <= end:
        nxt = periods.shift_months(cur, 1)
        out.append((max(cur, start), min(end, nxt - timedelta(days=1))))
        cur = nxt
    return out


# ----------------------------------------------------------------------------- the pages

def tong_quan(f, later: Callable = data.later) -> SimpleNamespace:
    _, cur, prev, _ = data.period_figures(f, with_evaluation=False, later=later)
    evaluated = data.evaluate(f.path, f.version, f.plan_id, f.start, f.end, f.unit, values=cur) if f.plan_id else []
    # cur passed when it is the unit's, to spare index766 its own kpis call
    index766 = later(data.index766, f.path, f.version, f.start, f.end, f.unit, cur if f.sector is None else None)
    return SimpleNamespace(cur=cur, prev=prev, evaluated=evaluated, index766=index766)


def default_week(f) -> date:
    """The Monday of Giao ban tuần's week when the user has not chosen one."""
    if f.period.preset in ("tuan_nay", "tuan_truoc"):
        return periods.week_start(f.start)
    return periods.week_start(f.end)


def giao_ban(f, monday: date | None = None, later: Callable = data.later) -> SimpleNamespace:
    monday = default_week(f) if monday is None else monday
    end = min(monday + timedelta(days=6), f.today) if monday <= f.today else monday + timedelta(days=6)
    prev_start, prev_end = monday - timedelta(days=7), monday - timedelta(days=1)
    days = int(settings.get("due_soon_working_days"))
    # four on worker threads while this thread runs the other two
    prev06 = later(data.report06a, f.path, f.version, prev_start, prev_end, f.unit)
    prev = later(data.kpis, f.path, f.version, prev_start, prev_end, f.unit, f.sector, None)
    late = later(data.late_cases, f.path, f.version, monday, end, f.unit, f.sector)
    due = later(data.due_soon, f.path, f.version, monday, end, f.unit, f.sector, days)
    cur06 = data.report06a(f.path, f.version, monday, end, f.unit)
    cur = data.kpis(f.path, f.version, monday, end, f.unit, f.sector, None)
    late, due = late.result(), due.result()
    late_view, due_view, by_handler = caselists.views(f.path, f.version, monday, end, f.unit, f.sector, days,
                                                      late, due)
    return SimpleNamespace(monday=monday, end=end, prev_start=prev_start, prev_end=prev_end, days=days,
                           cur06=cur06, cur=cur, prev06=prev06.result(), prev=prev.result(),
                           late_view=late_view, due_view=due_view, by_handler=by_handler)


TREND_RANGES = {"nam": "Từ đầu năm đến cuối kỳ", "12t": "12 tháng gần nhất", "ky": "Kỳ đã chọn"}


def trend_range(f, choice: str) -> tuple[date, date]:
    """Xu hướng's window: the year to the period's end, the 12 months to it, or the period."""
    if choice == "12t":
        return periods.shift_months(date(f.end.year, f.end.month, 1), -11), f.end
    if choice == "ky":
        return f.start, f.end
    return periods.trend_window(f.period)


def xu_huong(f, grain: str = "month", choice: str = "nam", later: Callable = data.later) -> SimpleNamespace:
    start, end = trend_range(f, choice)
    rows = data.applicable_targets(f.path, f.version, f.plan_id, end) if f.plan_id else []
    threshold = data.time_saving_threshold(rows)
    target_rows = data.plan_targets(f.path, f.version, f.plan_id) if f.plan_id else []
    months = _months(start, end)[-12:]
    # the sections below the trend need their queries: they run on worker threads while the trend
    # is computed and drawn
    by_sector = later(data.kpis_by_sector, f.path, f.version, start, end, f.unit, threshold)
    # one query for the heat map's 12 months, not one per month
    heat = later(data.kpis_by_sector_period, f.path, f.version, months[0][0], end, f.unit, threshold, "month")
    basis = later(data.projection_basis, f.path, f.version, f.plan_id, end.year, end, f.unit) if f.plan_id else None
    trend = data.kpis_by_period(f.path, f.version, start, end, f.unit, f.sector, threshold, grain)
    return SimpleNamespace(start=start, end=end, target_rows=target_rows, months=months, trend=trend,
                           by_sector=by_sector, heat=heat, basis=basis)


def hai_long(f, later: Callable = data.later) -> SimpleNamespace:
    threshold, cur, prev, evaluated = data.period_figures(f, later=later)
    start, end = periods.trend_window(f.period)
    # the two distributions and the months run on worker threads while the cards are drawn
    dist_period = later(data.ratings_distribution, f.path, f.version, f.start, f.end, f.unit, f.sector)
    dist_year = later(data.ratings_distribution, f.path, f.version, start, end, f.unit, f.sector)
    monthly = later(data.kpis_by_period, f.path, f.version, start, end, f.unit, f.sector, threshold, "month")
    target_rows = data.plan_targets(f.path, f.version, f.plan_id) if f.plan_id else []
    return SimpleNamespace(start=start, end=end, cur=cur, prev=prev, evaluated=evaluated, target_rows=target_rows,
                           dist_period=dist_period, dist_year=dist_year, monthly=monthly)


def chuyen_doi_so(f, later: Callable = data.later) -> SimpleNamespace:
    threshold, cur, prev, evaluated = data.period_figures(f, later=later)
    start, end = periods.trend_window(f.period)
    monthly = later(data.kpis_by_period, f.path, f.version, start, end, f.unit, f.sector, threshold, "month")
    target_rows = data.plan_targets(f.path, f.version, f.plan_id) if f.plan_id else []
    return SimpleNamespace(start=start, end=end, cur=cur, prev=prev, evaluated=evaluated, target_rows=target_rows,
                           monthly=monthly)


def chi_so_766(f, later: Callable = data.later) -> SimpleNamespace:
    start, end = periods.trend_window(f.period)
    months = later(data.index766_by_month, f.path, f.version, start, end, f.unit)  # meanwhile
    # the unit's kpis as Tổng quan has them (period_figures without a sector): the same index766
    # call then, computed once for both pages, and the same score on both
    cur = data.kpis(f.path, f.version, f.start, f.end, f.unit, None, data.period_threshold(f))
    idx = data.index766(f.path, f.version, f.start, f.end, f.unit, cur)
    return SimpleNamespace(start=start, end=end, idx=idx, months=months)


# url path of the page (app.PAGES) -> its opener, in the sidebar's order: the order of the prefetch
OPENERS: dict[str, Callable] = {"tong_quan": tong_quan, "giao_ban": giao_ban, "xu_huong": xu_huong,
                                "hai_long": hai_long, "chuyen_doi_so": chuyen_doi_so, "chi_so_766": chi_so_766}


# ----------------------------------------------------------------------------- the prefetch

_lock = threading.Lock()
_started: OrderedDict[str, tuple[float, Future]] = OrderedDict()
_KEEP = 64
# The prefetch's thread yields to the pages' own: 10 above the process's nice value (at most 19)
# on Linux, where a thread has its own.
PREFETCH_NICE = 10


def _key(f) -> str:
    # data.generation(): a targets edit clears the caches without changing the file's identity
    return repr((f.path, f.version, data.generation(), f.unit, f.sector, f.plan_id, f.period, f.previous, f.today))


def _lower_priority() -> None:
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(os.getpriority(os.PRIO_PROCESS, tid) + PREFETCH_NICE, 19))
    except (AttributeError, OSError):  # not Linux: the thread keeps the process's priority
        log.debug("prefetch thread priority unchanged", exc_info=True)


# one worker thread for every prefetch of the process; it starts at the first submit
_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tthc-prefetch", initializer=_lower_priority)


def prefetch(f, current: str | None) -> Future | None:
    """Queue the metric pages' openers other than `current`'s for filters `f`, once per filters and
    data version (setting `page_prefetch`). One thread in the process runs them, one after another
    and at a lower priority, so prefetches never take more than that thread from the pages' own
    queries. Returns the Future of the queued work (None when off or already queued for these
    filters); its result is the list of pages that failed. A failure is logged, never shown: the
    page computes again, and shows its error, when opened.

    The thread has no script run context, unlike ui.data.later's: the run that queued the work has
    ended, and st.cache_data, waiting on a value another thread computes, would stop the thread
    with it. Without a context it waits; the caches are the process's either way."""
    if not settings.get("page_prefetch") or not f.has_cases:
        return None

    def run() -> list[str]:
        failed = []
        for name, opener in OPENERS.items():
            if name == current:
                continue
            try:
                opener(f, later=data.now)
            except Exception:
                failed.append(name)
                log.warning("prefetch of page %s failed", name, exc_info=True)
        return failed

    key = _key(f)
    with _lock:
        seen = _started.get(key)
        # the results live as long as st.cache_data keeps them (data.CACHE_TTL_S)
        if seen is not None and time.monotonic() - seen[0] < data.CACHE_TTL_S:
            return None
        fut = _POOL.submit(run)
        _started[key] = (time.monotonic(), fut)
        _started.move_to_end(key)
        while len(_started) > _KEEP:
            _started.popitem(last=False)
    return fut


def warm_up(path=None) -> Future | None:
    """Every metric page's openers for the view a new session starts on (ui.state.default_view),
    queued like a prefetch (setting `page_prefetch`). ui.serve calls it once the server runs, so
    the first visitor after a start finds the default view's queries computed or being computed
    instead of computing them all while the browser waits (docs/performance.md, round 8). It does
    not delay the start: the server answers while the one low-priority thread works."""
    from ui import state

    if not settings.get("page_prefetch"):
        return None
    return prefetch(state.default_view(path), current=None)


def warm_up_if_new(seen: tuple | None, path=None) -> tuple[tuple | None, Future | None]:
    """warm_up again when the warehouse file is not the one `seen` (its data.version): a load done
    outside the app (`python -m etl load`, a scheduled job) replaces the file, and the first
    visitor afterwards would otherwise compute every query of the new data while the browser
    waits. Returns the version now seen and the warm-up's Future (None when nothing changed, or
    when warm_up does nothing). ui.serve calls it every `warm_up_watch_s` seconds."""
    path = data.db_path() if path is None else path
    now = data.version(path)
    if now is None or now == seen:
        return seen, None
    return now, warm_up(path)


def forget() -> None:
    """Drop the record of started prefetches (data.clear's companion, for tests)."""
    with _lock:
        _started.clear()
