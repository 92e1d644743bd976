"""Small report-style tables drawn as static HTML (st.html), not as st.dataframe's grid.

A report table here is small and already formatted: a row per sector, per group or per criterion,
numbers as Vietnamese text ("1.234", "95,3 %"). Such a table is read top to bottom, or printed,
like the forms it mirrors. Case lists, which people scroll, sort and search, stay st.dataframe.

Why: st.dataframe's grid is about 1.2 MB of JavaScript, which a browser fetches and compiles the
first time a page shows one. A page whose only tables are small opens 0.1-0.25 s faster without it
(docs/performance.md, round 8). An HTML table also shows every row and wraps long text (a
criterion's rule) instead of cutting it at the column's width.
"""
from __future__ import annotations

from typing import Iterable

import pandas as pd
import streamlit as st

from ui import exports

# One look for every report table on the pages: Biểu II.06a (class f06a, ui.exports.report06a_html)
# and the tables below (class tthc). Greys with transparency, so the text stays readable in
# Streamlit's dark theme too (the text colour is the theme's).
CSS = """<style>
div.tthc-wrap { overflow-x: auto; max-width: 100%; }
table.f06a, table.tthc { border-collapse: collapse; width: 100%; font-size: 0.8rem; color: inherit; }
table.tthc { font-size: 0.875rem; }
table.f06a th, table.f06a td, table.tthc th, table.tthc td { border: 1px solid rgba(128, 128, 128, 0.35);
  padding: 2px 6px; }
table.f06a th, table.tthc th { background: rgba(128, 128, 128, 0.12); text-align: center; font-weight: 600; }
table.tthc th { text-align: left; }
table.tthc td:not(.num) { min-width: 9em; }
table.f06a td.num, table.tthc td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.tthc th.num { text-align: right; }
table.f06a tr.total td, table.tthc tr.total td { font-weight: 700; background: rgba(128, 128, 128, 0.12); }
</style>"""


def _boxed(table_html: str) -> str:
    """A table's HTML with the CSS, inside a horizontally scrolling box."""
    return CSS + "<div class='tthc-wrap'>" + table_html + "</div>"


def html(df: pd.DataFrame, numeric: Iterable[str] = (), total_rows: Iterable[int] = (),
         empty_text: str = "Không có dữ liệu.") -> str:
    """The table as HTML (class tthc), boxed with its CSS; numeric columns right-aligned, rows whose
    position is in `total_rows` in bold."""
    return _boxed(exports.table_html(df, numeric=numeric, css_class="tthc", total_rows=total_rows,
                                     empty_text=empty_text))


def show(df: pd.DataFrame, numeric: Iterable[str] = (), total_rows: Iterable[int] = (),
         empty_text: str = "Không có dữ liệu.", container=None) -> None:
    (container or st).html(html(df, numeric=numeric, total_rows=total_rows, empty_text=empty_text))


def show_html(table_html: str, container=None) -> None:
    """An HTML table built elsewhere (Biểu II.06a), with the same look."""
    (container or st).html(_boxed(table_html))
