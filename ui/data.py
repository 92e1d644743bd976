"""The pages' only way to the warehouse: cached calls into the queries layer.

* The database is opened read-only through core.db.ReadOnlyWarehouse, one per path, held in
  st.cache_resource. It reopens the file when a load has replaced it.
* Every result is cached with st.cache_data keyed by the call's parameters AND the database
  version, core.db.file_identity(path) (inode, size, mtime): a load changes the identity, so the
  next interaction computes fresh figures without a restart, and moving between pages with the
  same filters reuses what is already computed.
* Results are plain Python / pandas objects, so they pickle into the cache.
"""
from __future__ import annotations

import argparse
import logging
import sys
import threading
from concurrent.futures import Future
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterator

import pandas as pd
import streamlit as st

from core import settings
from core.db import ReadOnlyWarehouse, file_identity

log = logging.getLogger("tthc.ui")

CACHE_TTL_S = 3600
MAX_ENTRIES = 2000


def db_path() -> Path:
    """`streamlit run app.py -- --db PATH`, else the setting db_path (env TTHC_DB_PATH)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--db", default=None)
    args, _ = parser.parse_known_args(sys.argv[1:])
    return Path(args.db or settings.get("db_path")).expanduser().resolve()


@st.cache_resource(show_spinner=False)
def _warehouse(path: str) -> ReadOnlyWarehouse:
    return ReadOnlyWarehouse(path)


def version(path: Path | str) -> tuple | None:
    """The database version the caches are keyed by (None: no database file)."""
    return file_identity(path)


@contextmanager
def connection(path: Path | str) -> Iterator[Any]:
    """A read-only cursor on the newest version of the database, closed afterwards."""
    con = _warehouse(str(path)).connection()
    try:
        yield con
    finally:
        try:
            con.close()
        except Exception:  # pragma: no cover - closing a cursor of a replaced file
            log.debug("closing cursor failed", exc_info=True)


_workers_lock = threading.Lock()
_workers: dict[int, threading.BoundedSemaphore] = {}


def later(func: Callable, *args) -> Future:
    """Start `func(*args)`, a cached call of this module, on a worker thread now and return its
    Future: `.result()` gives the value, or raises the call's error where the page reads it (inside
    its page.guard). The page's independent queries then run while it computes and lays out the
    others: on 2 cores, Xu hướng's first open spends about a fifth less in queries
    (docs/performance.md, round 7). At most `page_query_workers` calls run at once in the whole
    process; with 0 the call runs here, now. The script run's context goes with the thread, as
    Streamlit's multithreading guide says, for st.cache_data; the call must not draw anything.
    Two calls of the same cached function with the same arguments compute once: the second waits
    for the first (st.cache_data's per-value lock)."""
    n = int(settings.get("page_query_workers"))
    if n <= 0:
        return now(func, *args)
    fut: Future = Future()

    def run() -> None:
        if not fut.set_running_or_notify_cancel():
            return
        try:
            fut.set_result(func(*args))
        except BaseException as exc:  # handed to whoever reads the result
            fut.set_exception(exc)
    with _workers_lock:
        gate = _workers.setdefault(n, threading.BoundedSemaphore(n))

    def gated() -> None:
        with gate:
            run()

    from streamlit.runtime.scriptrunner import add_script_run_ctx
    thread = threading.Thread(target=gated, name=f"tthc-query-{getattr(func, '__name__', 'call')}", daemon=True)
    add_script_run_ctx(thread)
    thread.start()
    return fut


def now(func: Callable, *args) -> Future:
    """`func(*args)` run here, now, as a done Future: `later`'s stand-in where a caller wants every
    call in its own thread (the prefetch's thread, `page_query_workers` = 0)."""
    fut: Future = Future()
    fut.set_running_or_notify_cancel()
    try:
        fut.set_result(func(*args))
    except Exception as exc:  # handed to whoever reads the result
        fut.set_exception(exc)
    return fut


def _df(table) -> pd.DataFrame:
    return table.to_pandas() if table is not None else pd.DataFrame()


def _cached(func):
    return st.cache_data(show_spinner=False, ttl=CACHE_TTL_S, max_entries=MAX_ENTRIES)(func)


# ----------------------------------------------------------------------------- warehouse facts

@_cached
def freshness(path: str, ver: tuple | None) -> dict:
    from queries import loader
    with connection(path) as con:
        return loader.run(con, "freshness", {}).to_pylist()[0]


@_cached
def units(path: str, ver: tuple | None) -> list[str]:
    from queries import loader
    with connection(path) as con:
        return [r["unit"] for r in loader.run(con, "filter_units", {}).to_pylist()]


@_cached
def sectors(path: str, ver: tuple | None, unit: str | None) -> list[str]:
    from queries import loader
    with connection(path) as con:
        return [r["sector"] for r in loader.run(con, "filter_sectors", {"unit": unit}).to_pylist()]


@_cached
def plans(path: str, ver: tuple | None) -> list[dict]:
    from queries import loader
    with connection(path) as con:
        return loader.run(con, "plans", {}).to_pylist()


@_cached
def plan_targets(path: str, ver: tuple | None, plan_id: str | None) -> list[dict]:
    """Every target row of the plan (of all plans when None), NULLs as None."""
    from queries import loader
    with connection(path) as con:
        return loader.run(con, "plan_targets", {"plan_id": plan_id}).to_pylist()


@_cached
def ingestion_history(path: str, ver: tuple | None) -> pd.DataFrame:
    from queries import loader
    with connection(path) as con:
        return _df(loader.run(con, "ingestion_history", {}))


@_cached
def rejects(path: str, ver: tuple | None, ingestion_id: int | None = None,
            min_ingestion_id: int | None = None) -> pd.DataFrame:
    from queries import loader
    with connection(path) as con:
        return _df(loader.run(con, "rejects_list", {"ingestion_id": ingestion_id,
                                                   "min_ingestion_id": min_ingestion_id}))


@_cached
def schema_columns(path: str, ver: tuple | None) -> pd.DataFrame:
    from queries import loader
    with connection(path) as con:
        return _df(loader.run(con, "schema_columns", {}))


# ----------------------------------------------------------------------------- metrics

@_cached
def kpis(path: str, ver: tuple | None, start: date, end: date, unit: str | None, sector: str | None,
         threshold: float | None) -> dict:
    from queries import metrics
    with connection(path) as con:
        return metrics.kpis(con, start, end, unit=unit, sector=sector, threshold_pct=threshold)


@_cached
def kpis_by_period(path: str, ver: tuple | None, start: date, end: date, unit: str | None,
                   sector: str | None, threshold: float | None, grain: str) -> pd.DataFrame:
    from queries import metrics
    with connection(path) as con:
        return _df(metrics.kpis_by_period(con, start, end, unit=unit, sector=sector,
                                          threshold_pct=threshold, grain=grain))


@_cached
def kpis_by_sector_period(path: str, ver: tuple | None, start: date, end: date, unit: str | None,
                          threshold: float | None, grain: str = "month") -> pd.DataFrame:
    from queries import metrics
    with connection(path) as con:
        return _df(metrics.kpis_by_sector_period(con, start, end, unit=unit, threshold_pct=threshold, grain=grain))


@_cached
def kpis_by_sector(path: str, ver: tuple | None, start: date, end: date, unit: str | None,
                   threshold: float | None) -> pd.DataFrame:
    from queries import metrics
    with connection(path) as con:
        return _df(metrics.kpis_by_sector(con, start, end, unit=unit, threshold_pct=threshold))


@_cached
def report06a(path: str, ver: tuple | None, start: date, end: date, unit: str | None) -> pd.DataFrame:
    from queries import metrics
    with connection(path) as con:
        return _df(metrics.report06a(con, start, end, unit=unit))


@_cached
def late_cases(path: str, ver: tuple | None, start: date, end: date, unit: str | None,
               sector: str | None) -> pd.DataFrame:
    from queries import metrics
    with connection(path) as con:
        return _df(metrics.late_cases(con, start, end, unit=unit, sector=sector))


@_cached
def due_soon(path: str, ver: tuple | None, start: date, end: date, unit: str | None, sector: str | None,
             days: int | None = None) -> pd.DataFrame:
    from queries import metrics
    with connection(path) as con:
        return _df(metrics.due_soon(con, start, end, unit=unit, sector=sector, days=days))


@_cached
def data_quality(path: str, ver: tuple | None, start: date, end: date, unit: str | None,
                 sector: str | None) -> pd.DataFrame:
    from queries import metrics
    with connection(path) as con:
        return _df(metrics.data_quality(con, start, end, unit=unit, sector=sector))


@_cached
def ratings_distribution(path: str, ver: tuple | None, start: date, end: date, unit: str | None,
                         sector: str | None) -> pd.DataFrame:
    from queries import loader
    with connection(path) as con:
        return _df(loader.run(con, "ratings_distribution",
                              {"start": start, "end": end, "unit": unit, "sector": sector}))


# ----------------------------------------------------------------------------- targets and 766

@_cached
def applicable_targets(path: str, ver: tuple | None, plan_id: str, on_date: date) -> list[dict]:
    """The plan's target rows for a period ending on `on_date` (in effect first, then one row of
    each target not in effect), as queries.targets.evaluate selects them."""
    from queries import targets
    with connection(path) as con:
        return targets.applicable_targets(con, plan_id, on_date, include_not_in_effect=True)


def time_saving_threshold(rows: list[dict]) -> float | None:
    """The threshold of time_saving_share for a period whose target rows are `rows`, as
    queries.targets.evaluate takes it (None: the setting's default)."""
    from queries import targets
    return targets.time_saving_threshold(rows)


def evaluate(path: str, ver: tuple | None, plan_id: str, start: date, end: date, unit: str | None,
             values: dict | None = None) -> list[dict]:
    """queries.targets.evaluate() built from the cached pieces: the same rows and the same
    judgement (targets.judge), with the period's kpis taken from the cache."""
    from queries import targets
    rows = applicable_targets(path, ver, plan_id, end)
    if values is None:
        values = kpis(path, ver, start, end, unit, None, time_saving_threshold(rows))
    return [targets.judge(r, values) for r in rows]


def projection_basis(path: str, ver: tuple | None, plan_id: str, year: int, as_of: date,
                     unit: str | None) -> dict:
    """What queries.targets.projection() computes before it fits, from the cached calls: the
    year-to-date kpis, the months (Xu hướng's own trend call when its trend is 1 January .. as_of
    by month for the whole unit, so the page computes them once) and the plan's rows on
    31 December. The same for every metric; `projection` then fits one."""
    from queries import targets
    start, as_of = targets.projection_window(year, as_of)
    threshold = time_saving_threshold(applicable_targets(path, ver, plan_id, as_of))
    return {"plan_id": plan_id, "year": int(year), "as_of": as_of,
            "ytd": kpis(path, ver, start, as_of, unit, None, threshold),
            "monthly": records(kpis_by_period(path, ver, start, as_of, unit, None, threshold, "month")),
            "year_rows": applicable_targets(path, ver, plan_id, date(int(year), 12, 31))}


def projection(basis: dict, metric: str, sector_scope: str | None) -> dict:
    """queries.targets.projection()'s result for `metric`, from projection_basis()."""
    from queries import targets
    return targets.projection_from(basis["plan_id"], metric, sector_scope, basis["year"], basis["as_of"],
                                   basis["ytd"], basis["monthly"], basis["year_rows"])


def records(df: pd.DataFrame) -> list[dict]:
    """A cached frame's rows as dicts with None, not NaN, for a missing value (as Arrow's to_pylist)."""
    return df.astype(object).where(df.notna(), None).to_dict("records")


@_cached
def index766(path: str, ver: tuple | None, start: date, end: date, unit: str | None,
             kpi_values: dict | None = None) -> dict:
    """kpi_values: the page's kpis of the same period and unit (no sector filter), so they are not
    computed twice."""
    from queries import index766 as idx
    with connection(path) as con:
        return idx.index766(con, start, end, unit=unit, kpi_values=kpi_values)


@_cached
def index766_by_month(path: str, ver: tuple | None, start: date, end: date, unit: str | None) -> list[dict]:
    from queries import index766 as idx
    with connection(path) as con:
        return idx.index766_by_month(con, start, end, unit=unit)


_generation = [0]


def generation() -> int:
    """How many times clear() ran in this process: part of the prefetch's key (ui.openers)."""
    return _generation[0]


def clear() -> None:
    """Drop every cached result (after a load or a targets edit in this process)."""
    st.cache_data.clear()
    _generation[0] += 1


def period_threshold(f) -> float | None:
    """The plan's time-saving target in force at the period's end (None without a plan)."""
    rows = applicable_targets(f.path, f.version, f.plan_id, f.end) if f.plan_id else []
    return time_saving_threshold(rows)


def period_figures(f, with_evaluation: bool = True,
                   later: Callable = later) -> tuple[float | None, dict, dict, list[dict]]:
    """What the metric pages start from: the plan's time-saving threshold in force at the period's
    end, this and the previous period's kpis (the previous on a worker thread meanwhile), and
    (optionally) this period's target evaluation."""
    threshold = period_threshold(f)
    prev = later(kpis, f.path, f.version, f.previous.start, f.previous.end, f.unit, f.sector, threshold)
    cur = kpis(f.path, f.version, f.start, f.end, f.unit, f.sector, threshold)
    evaluated = (evaluate(f.path, f.version, f.plan_id, f.start, f.end, f.unit, values=cur)
                 if with_evaluation and f.plan_id else [])
    return threshold, cur, prev.result(), evaluated
