"""Streamlit entry point. Until the dashboard lands this page shows what is loaded."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import streamlit as st

from core import settings
from core.db import ReadOnlyWarehouse


def _db_path() -> Path:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--db", default=None)
    args, _ = parser.parse_known_args(sys.argv[1:])
    return Path(args.db or settings.get("db_path"))


@st.cache_resource
def warehouse(path: str) -> ReadOnlyWarehouse:
    return ReadOnlyWarehouse(path)


st.set_page_config(page_title="Hồ sơ TTHC", layout="wide")
st.title("Kho dữ liệu hồ sơ thủ tục hành chính")
db = _db_path()
if not db.exists():
    st.warning(f"Chưa có cơ sở dữ liệu {db}. Hãy chạy `make run` hoặc `python -m etl sample`.")
else:
    con = warehouse(str(db)).connection()
    counts = con.sql("select (select count(*) from cases), (select count(*) from ingestions), "
                     "(select count(*) from rejects)").fetchall()[0]
    c1, c2, c3 = st.columns(3)
    c1.metric("Hồ sơ", f"{counts[0]:,}".replace(",", "."))
    c2.metric("Lần nạp tệp", counts[1])
    c3.metric("Dòng bị loại", f"{counts[2]:,}".replace(",", "."))
    st.dataframe(con.sql("select file_name, format, kind, rows_read, rows_inserted, rows_updated, "
                         "rows_unchanged, rows_rejected, finished_at from ingestions order by ingestion_id").df())
