"""Streamlit entry point: the sidebar filters and the navigation between the pages.

    streamlit run app.py -- --db data/tthc.duckdb     # or TTHC_DB_PATH=... streamlit run app.py

docs/dashboard.md describes the pages, the URL parameters and the choice of "hôm nay".
"""
from __future__ import annotations

import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:  # `streamlit run` from another folder
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from ui import access, openers, page, state  # noqa: E402


PAGES = {
    "Điều hành": [
        ("pages/tong_quan.py", "Tổng quan", ":material/dashboard:", "tong_quan"),
        ("pages/giao_ban.py", "Giao ban tuần", ":material/groups:", "giao_ban"),
        ("pages/xu_huong.py", "Xu hướng", ":material/trending_up:", "xu_huong"),
        ("pages/hai_long.py", "Hài lòng", ":material/sentiment_satisfied:", "hai_long"),
        ("pages/chuyen_doi_so.py", "Chuyển đổi số", ":material/devices:", "chuyen_doi_so"),
        ("pages/chi_so_766.py", "Chỉ số 766", ":material/leaderboard:", "chi_so_766"),
    ],
    "Phân tích và quản trị": [
        ("pages/truy_van_sql.py", "Truy vấn SQL", ":material/terminal:", "truy_van_sql"),
        ("pages/du_lieu.py", "Dữ liệu", ":material/upload_file:", "du_lieu"),
        ("pages/chi_tieu.py", "Chỉ tiêu", ":material/flag:", "chi_tieu"),
    ],
}


def main() -> None:
    page.setup_logging()
    st.set_page_config(page_title="Hồ sơ TTHC", page_icon=":material/account_balance:", layout="wide")
    try:
        user = access.login_gate()
    except Exception:
        logging.getLogger("tthc.ui").exception("login failed")
        st.error("Không kiểm tra được đăng nhập. " + page.ERROR_TEXT)
        st.stop()
    if user is None:
        st.stop()
    nav = st.navigation({section: [st.Page(str(ROOT / path), title=title, icon=icon, url_path=url,
                                           default=(url == "tong_quan"))
                                   for path, title, icon, url in items]
                         for section, items in PAGES.items()})
    try:
        filters = state.sidebar()
    except Exception:
        logging.getLogger("tthc.ui").exception("sidebar failed")
        st.sidebar.error("Không đọc được bộ lọc từ cơ sở dữ liệu. " + page.ERROR_TEXT)
        filters = state.fallback()
    state.set_current(filters)
    nav.run()
    if filters.has_db:
        # the other metric pages' opening queries, for the same filters, while this page is read;
        # the page has drawn, so a failure here is only logged
        try:
            openers.prefetch(filters, nav.url_path)
        except Exception:
            logging.getLogger("tthc.ui").exception("prefetch not started")


main()
