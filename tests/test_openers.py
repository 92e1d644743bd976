"""ui.openers: each metric page's opening calls in one place, and the prefetch of the other pages'
calls after a page's run (docs/performance.md, round 7)."""
from __future__ import annotations

import contextlib
import logging
import os
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.test_app_pages import assert_clean, make_app, open_page, sample_db  # noqa: F401 (fixture)
from ui import data, openers

METRIC_PAGES = {"tong_quan": "pages/tong_quan.py", "giao_ban": "pages/giao_ban.py",
                "xu_huong": "pages/xu_huong.py", "hai_long": "pages/hai_long.py",
                "chuyen_doi_so": "pages/chuyen_doi_so.py", "chi_so_766": "pages/chi_so_766.py"}


def test_the_openers_are_the_metric_pages_of_the_app():
    # importing app.py would run the app: its PAGES are read from the source
    text = (Path(openers.__file__).resolve().parent.parent / "app.py").read_text(encoding="utf-8")
    for url, path in METRIC_PAGES.items():
        assert f'("{path}",' in text and f'"{url}")' in text
    assert list(openers.OPENERS) == list(METRIC_PAGES)


@pytest.fixture
def counted(monkeypatch):
    """Counts the warehouse connections the cached calls open: one per computed (not cached) call."""
    seen = {"n": 0}
    lock = threading.Lock()
    real = data.connection

    @contextlib.contextmanager
    def counting(path):
        with lock:
            seen["n"] += 1
        with real(path) as con:
            yield con

    monkeypatch.setattr(data, "connection", counting)
    return seen


def _wait_prefetch() -> None:
    for _, fut in list(openers._started.values()):
        assert fut.result(timeout=120) == []   # no page's prefetch failed


@pytest.mark.parametrize("url", list(METRIC_PAGES))
@pytest.mark.parametrize("prefetch", ["1", "0"])
def test_after_another_page_a_page_opens_without_a_query_of_its_own(sample_db, monkeypatch, counted, url,  # noqa: F811
                                                                    prefetch):
    """With the prefetch, the page's every query was computed while the page before it was read:
    its own run computes none. Without it (the control), the same open computes some."""
    monkeypatch.setenv("TTHC_PAGE_PREFETCH", prefetch)
    monkeypatch.setenv("TTHC_PAGE_QUERY_WORKERS", "2")
    data.clear()
    openers.forget()
    first = "pages/giao_ban.py" if url != "giao_ban" else "pages/tong_quan.py"
    at = make_app(sample_db, monkeypatch)
    if first != "pages/tong_quan.py":
        data.clear()      # what Tổng quan's run computed and prefetched: gone
        openers.forget()
        at = open_page(at, first)
    assert_clean(at)
    _wait_prefetch()
    counted["n"] = 0
    at = open_page(at, METRIC_PAGES[url])
    assert_clean(at)
    assert len(at.title) == 1
    if prefetch == "1":
        assert counted["n"] == 0
    else:
        assert counted["n"] > 0


def _filters(**kw):
    base = dict(path="/x.duckdb", version=("v", 1), unit=None, sector=None, plan_id="P", period=("p",),
                previous=("q",), today=None, has_cases=True)
    return SimpleNamespace(**{**base, **kw})


def test_prefetch_runs_the_other_pages_once_per_filters_and_logs_a_failure(monkeypatch, caplog):
    monkeypatch.setenv("TTHC_PAGE_PREFETCH", "1")
    openers.forget()
    calls, threads, nice = [], set(), set()

    def opener(name, fail=False):
        def run(f, later):
            assert later is data.now            # every call in the prefetch's one thread
            calls.append((name, f.unit))
            threads.add(threading.get_native_id())
            nice.add(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
            if fail:
                raise RuntimeError("simulated")
        return run

    monkeypatch.setattr(openers, "OPENERS", {"a": opener("a"), "b": opener("b", fail=True), "c": opener("c")})
    fut = openers.prefetch(_filters(), "a")
    assert fut.result(timeout=10) == ["b"]
    assert calls == [("b", None), ("c", None)]
    assert "prefetch of page b failed" in caplog.text
    # the same filters again, from another page: nothing more
    assert openers.prefetch(_filters(), "c") is None
    # other filters, or the caches cleared: again
    assert openers.prefetch(_filters(unit="X"), "a").result(timeout=10) == ["b"]
    data.clear()
    assert openers.prefetch(_filters(), "a").result(timeout=10) == ["b"]
    assert len(calls) == 6
    # one thread for every prefetch, below the process's priority
    assert len(threads) == 1 and threading.get_native_id() not in threads
    assert nice == {min(os.getpriority(os.PRIO_PROCESS, 0) + openers.PREFETCH_NICE, 19)}
    # off, or an empty warehouse: never
    openers.forget()
    assert openers.prefetch(_filters(has_cases=False), "a") is None
    monkeypatch.setenv("TTHC_PAGE_PREFETCH", "0")
    assert openers.prefetch(_filters(), "a") is None
    assert len(calls) == 6


def test_a_prefetch_that_cannot_start_is_logged_and_the_page_stays_clean(sample_db, monkeypatch, caplog):  # noqa: F811
    monkeypatch.setenv("TTHC_PAGE_PREFETCH", "1")

    def broken(f, current):
        raise RuntimeError("simulated")

    monkeypatch.setattr(openers, "prefetch", broken)
    app_log = logging.getLogger("tthc")      # app.py's logger does not propagate to the root
    app_log.addHandler(caplog.handler)
    try:
        at = make_app(sample_db, monkeypatch)
    finally:
        app_log.removeHandler(caplog.handler)
    assert_clean(at)
    assert len(at.title) == 1
    assert "prefetch not started" in caplog.text and "simulated" in caplog.text


def _tour_computes_nothing(db, monkeypatch, counted):
    """A new session (Tổng quan), then every metric page: no page computes a query. Returns the
    view the new session started on."""
    counted["n"] = 0
    at = make_app(db, monkeypatch)
    assert_clean(at)
    view = at.session_state["_current_filters"]
    for url, script in METRIC_PAGES.items():
        at = open_page(at, script)
        assert_clean(at)
        assert counted["n"] == 0, url
    return view


def _replace(db: Path, source: Path) -> None:
    """What an atomic load does to the warehouse: a new file, moved over the old one."""
    import shutil

    shutil.copyfile(source, db.with_name("new.duckdb"))
    os.replace(db.with_name("new.duckdb"), db)


def test_warm_up_computes_what_a_new_sessions_tour_of_the_pages_needs(sample_db, monkeypatch, counted):  # noqa: F811
    """The server's warm-up (ui.serve): after it, a new session opened without URL parameters, and
    then every metric page, computes no query. So the default view (ui.state.default_view) is the
    sidebar's, and the warm-up covers the sidebar's lists too."""
    from ui import state

    monkeypatch.setenv("TTHC_PAGE_PREFETCH", "1")
    monkeypatch.setenv("TTHC_DB_PATH", str(sample_db))
    data.clear()
    openers.forget()
    fut = openers.warm_up()
    assert fut is not None and fut.result(timeout=120) == []
    assert openers.warm_up() is None                      # once per view and data version
    view = _tour_computes_nothing(sample_db, monkeypatch, counted)
    assert view == state.default_view(data.db_path())
    assert counted["n"] == 0                               # the default view's own calls were cached too
    # the control: with the caches cleared, the same tour computes
    data.clear()
    openers.forget()
    at = open_page(make_app(sample_db, monkeypatch), METRIC_PAGES["giao_ban"])
    assert counted["n"] > 0


def test_a_new_warehouse_file_is_warmed_up_again(sample_db, monkeypatch, counted, tmp_path):  # noqa: F811
    """A load outside the app replaces the file (a new data.version): warm_up_if_new warms the new
    file's default view up, so a new session's tour of the pages computes nothing; with the file
    unchanged it does nothing."""
    import shutil

    db = tmp_path / "tthc.duckdb"
    shutil.copyfile(sample_db, db)
    monkeypatch.setenv("TTHC_PAGE_PREFETCH", "1")
    monkeypatch.setenv("TTHC_DB_PATH", str(db))
    data.clear()
    openers.forget()
    seen, fut = openers.warm_up_if_new(None)
    assert seen == data.version(db) and fut.result(timeout=120) == []
    assert openers.warm_up_if_new(seen) == (seen, None)
    _replace(db, sample_db)
    now, fut = openers.warm_up_if_new(seen)
    assert now == data.version(db) != seen
    assert fut is not None and fut.result(timeout=120) == []
    _tour_computes_nothing(db, monkeypatch, counted)
    # the control: a file replaced without the warm-up is computed by the tour
    _replace(db, sample_db)
    openers.forget()
    at = open_page(make_app(db, monkeypatch), METRIC_PAGES["giao_ban"])
    assert counted["n"] > 0


def test_warm_up_is_off_with_the_prefetch(sample_db, monkeypatch):  # noqa: F811
    monkeypatch.setenv("TTHC_PAGE_PREFETCH", "0")
    monkeypatch.setenv("TTHC_DB_PATH", str(sample_db))
    openers.forget()
    assert openers.warm_up() is None


def test_chi_so_766_shares_tong_quans_index766(sample_db, monkeypatch):  # noqa: F811
    """Chỉ số 766 hands index766 the unit's kpis as Tổng quan does: after Tổng quan's opener, its
    own opener computes only the months (index766_by_month), and both pages show one score."""
    import traceback

    from ui import state

    monkeypatch.setenv("TTHC_DB_PATH", str(sample_db))
    data.clear()
    f = state.default_view(data.db_path())
    tq = openers.tong_quan(f, later=data.now)
    computed = []
    real = data.connection
    me = threading.current_thread()

    def tracing(path):
        if threading.current_thread() is me:   # not another test's prefetch, still at work
            computed.append(traceback.extract_stack()[-2].name)
        return real(path)

    monkeypatch.setattr(data, "connection", tracing)
    idx = openers.chi_so_766(f, later=data.now)
    assert computed == ["index766_by_month"]
    assert idx.idx == tq.index766.result() and idx.idx["total"] is not None


def test_giao_ban_shapes_its_lists_once_per_week_and_filters(sample_db, monkeypatch):  # noqa: F811
    """The late and due-soon lists and the counts by handler are cached with the queries
    (caselists.views): a second browser session's open of Giao ban tuần shapes nothing, and shows
    the same lists; another week is shaped anew."""
    from ui import caselists

    calls = []
    real = caselists.shape
    monkeypatch.setattr(caselists, "shape", lambda df, order: calls.append(len(order)) or real(df, order))
    monkeypatch.setenv("TTHC_PAGE_PREFETCH", "0")
    data.clear()
    openers.forget()
    first = open_page(make_app(sample_db, monkeypatch), METRIC_PAGES["giao_ban"])
    assert_clean(first)
    assert sorted(calls) == sorted([len(caselists.LATE_ORDER), len(caselists.DUE_ORDER)])
    second = open_page(make_app(sample_db, monkeypatch), METRIC_PAGES["giao_ban"])
    assert_clean(second)
    assert len(calls) == 2
    shown = [[d.value.to_dict("list") for d in at.dataframe] for at in (first, second)]
    assert len(shown[0]) == 3 and shown[0] == shown[1]
    from datetime import date

    second.selectbox(key="gb_week").set_value(date(2026, 10, 5)).run()     # another week
    assert_clean(second)
    assert len(calls) == 4
