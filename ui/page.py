"""What every page does around its body: title, data freshness line, and the error guard.

A page file is::

    from ui import page

    def body(f):            # f: ui.state.Filters
        ...

    page.run("Tổng quan", body)

An unexpected exception in the body shows a Vietnamese st.error and goes with its traceback to
the server log only; the user never sees a traceback. Streamlit's own control flow (st.rerun,
st.stop) derives from BaseException and passes through.
"""
from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Callable

import streamlit as st

from ui import state
from ui.format import fmt_date, fmt_datetime

log = logging.getLogger("tthc.ui")
ROOT = Path(__file__).resolve().parent.parent

ERROR_TEXT = ("Không hiển thị được phần này do một lỗi ngoài dự kiến. Chi tiết kỹ thuật đã được ghi vào "
              "nhật ký của máy chủ. Hãy thử đổi bộ lọc hoặc tải lại trang; nếu lỗi lặp lại, báo cho quản trị viên.")


class UserMessage(Exception):
    """An expected condition the page explains in plain Vietnamese (shown as st.info)."""


def setup_logging() -> None:
    """The app's log lines ("tthc" and below) to stderr, the server's log, once per process."""
    logger = logging.getLogger("tthc")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def _at(value) -> str:
    """'00:23 ngày 22/11/2026'."""
    text = fmt_datetime(value)
    return text.replace(" ", " ngày ", 1) if " " in text else text


def freshness_line(f: state.Filters) -> str:
    if not f.has_db:
        return "Chưa có dữ liệu."
    fr = f.freshness
    if not fr.get("cases"):
        loaded = fr.get("last_load_at")
        return "Cơ sở dữ liệu chưa có hồ sơ nào" + (f" (lần nạp cuối lúc {fmt_datetime(loaded)})." if loaded else ".")
    return (f"Dữ liệu đến ngày {fmt_date(fr.get('data_end'))}, nạp lúc {_at(fr.get('last_load_at'))}.")


def guard(label: str | None = None):
    """Context manager for one section: an exception is logged and shown as st.error, and the rest
    of the page still renders."""
    return _Guard(label)


class _Guard:
    def __init__(self, label: str | None):
        self.label = label

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None or not issubclass(exc_type, Exception):
            return False
        if issubclass(exc_type, UserMessage):
            st.info(str(exc))
            return True
        log.error("page section %r failed", self.label, exc_info=(exc_type, exc, tb))
        st.error((f"{self.label}: " if self.label else "") + ERROR_TEXT)
        return True


def _through_app() -> None:
    """Make sure the page runs inside app.py's navigation.

    Streamlit still supports its legacy multipage mode for apps with a pages/ folder: until the
    first st.navigation call of the server process, a session that opens a deep link
    (/giao_ban) runs pages/giao_ban.py on its own, without app.py. Then run app.py here (its
    st.navigation switches Streamlit to the modern mode and runs this same page, the url paths
    being the file names) and stop this outer run."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        import runpy

        runpy.run_path(str(ROOT / "app.py"), run_name="__tthc_app__")
        st.stop()


def run(title: str, body: Callable[[state.Filters], None], *, needs_cases: bool = True,
        needs_db: bool = True, caption: str | None = None) -> None:
    _through_app()
    f = state.current()
    st.title(title)
    st.caption(freshness_line(f) + (f" {f.scope_text()}." if f.has_cases and needs_cases else ""))
    if caption:
        st.caption(caption)
    if needs_db and not f.has_db:
        st.info("Chưa có cơ sở dữ liệu. Hãy nạp tệp xuất danh sách hồ sơ ở trang **Dữ liệu**.")
        return
    if needs_cases and not f.has_cases:
        st.info("Chưa có hồ sơ nào trong cơ sở dữ liệu. Hãy nạp tệp xuất danh sách hồ sơ ở trang **Dữ liệu**.")
        return
    with guard():
        body(f)


def table_height(rows: int, max_rows: int = 25) -> int:
    """A st.dataframe height showing up to max_rows rows without an inner scroll bar."""
    return 35 * (min(rows, max_rows) + 1) + 3
