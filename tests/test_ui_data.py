"""ui.data.later: the pages' query calls on worker threads (docs/performance.md, round 7).

The pages start their independent queries with `data.later` and read them with `.result()`; these
tests check the value and the error reach the page, that no more than `page_query_workers` calls
run at once, and that the pages show the same figures with workers and without.
"""
from __future__ import annotations

import threading
import time

import pytest

from tests.test_app_pages import assert_clean, make_app, open_page, sample_db, texts  # noqa: F401 (fixture)
from ui import data
from ui.page import ERROR_TEXT


def test_later_gives_the_value_and_raises_the_error_where_it_is_read(monkeypatch):
    monkeypatch.setenv("TTHC_PAGE_QUERY_WORKERS", "2")
    names = []

    def ok(a, b):
        names.append(threading.current_thread().name)
        return a + b

    def boom():
        raise ValueError("truy vấn hỏng")

    assert data.later(ok, 2, 3).result(timeout=10) == 5
    assert names[0].startswith("tthc-query-") and names[0] != threading.current_thread().name
    failed = data.later(boom)
    with pytest.raises(ValueError, match="truy vấn hỏng"):
        failed.result(timeout=10)


def test_later_with_no_workers_runs_the_call_at_once_in_the_callers_thread(monkeypatch):
    monkeypatch.setenv("TTHC_PAGE_QUERY_WORKERS", "0")
    seen = []
    fut = data.later(lambda: seen.append(threading.current_thread().name) or "xong")
    assert fut.done() and fut.result() == "xong"
    assert seen == [threading.current_thread().name]


def test_later_runs_at_most_page_query_workers_calls_at_once(monkeypatch):
    monkeypatch.setenv("TTHC_PAGE_QUERY_WORKERS", "2")
    release = threading.Event()
    lock = threading.Lock()
    state = {"active": 0, "most": 0, "started": 0}

    def call(i):
        with lock:
            state["active"] += 1
            state["started"] += 1
            state["most"] = max(state["most"], state["active"])
        release.wait(timeout=30)
        with lock:
            state["active"] -= 1
        return i

    futures = [data.later(call, i) for i in range(4)]
    deadline = time.monotonic() + 10
    while state["started"] < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # give a third call the chance to start, were it allowed to
    assert state["started"] == 2
    release.set()
    assert [f.result(timeout=10) for f in futures] == [0, 1, 2, 3]
    assert state["most"] == 2


PAGES_WITH_WORKERS = ["pages/tong_quan.py", "pages/giao_ban.py", "pages/xu_huong.py", "pages/hai_long.py",
                      "pages/chi_so_766.py", "pages/chuyen_doi_so.py"]


def _shown(at) -> dict:
    return {
        "metrics": [(m.label, m.value, m.delta) for m in at.metric],
        "markdown": texts(at.markdown),
        "captions": texts(at.caption),
        "info": texts(at.info),
        "tables": [df.value.to_csv() for df in at.dataframe],
        "html": [h.proto.body for h in at.get("html")],
        "charts": [str(c.proto.spec) for c in at.get("vega_lite_chart")],
    }


@pytest.mark.parametrize("page", PAGES_WITH_WORKERS)
def test_pages_show_the_same_with_and_without_workers(sample_db, monkeypatch, page):  # noqa: F811
    shown = {}
    for workers in ("0", "2"):
        data.clear()  # every query computed again, on this many workers
        monkeypatch.setenv("TTHC_PAGE_QUERY_WORKERS", workers)
        at = open_page(make_app(sample_db, monkeypatch), page)
        assert_clean(at)
        shown[workers] = _shown(at)
    # Giao ban tuần draws no chart (its lists and 06a tables), Tổng quan only cards
    assert shown["0"]["metrics"] and (shown["0"]["charts"] or page.endswith(("tong_quan.py", "giao_ban.py")))
    assert shown["0"]["tables"] or shown["0"]["html"] or not page.endswith("giao_ban.py")
    assert shown["2"] == shown["0"]


def test_a_query_failing_on_a_worker_shows_in_its_own_section(sample_db, monkeypatch):  # noqa: F811
    monkeypatch.setenv("TTHC_PAGE_QUERY_WORKERS", "2")

    def boom(*args, **kwargs):
        raise RuntimeError("simulated failure")

    data.clear()
    monkeypatch.setattr(data, "kpis_by_sector", boom)
    at = open_page(make_app(sample_db, monkeypatch), "pages/xu_huong.py")
    assert not at.exception
    assert [e.value for e in at.error] == [f"Theo lĩnh vực: {ERROR_TEXT}"]
    assert "simulated failure" not in texts(at.error)
    # the sections after it still drew: the heat map and the projection
    assert "Dự báo tháng 12" in [m.label for m in at.metric]
    assert len(at.get("vega_lite_chart")) >= 3
