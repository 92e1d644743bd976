"""Every dashboard page on the sample database, through Streamlit's AppTest: no exception, its key
elements, and output that follows the filters. The sample database is built once per session
with `python -m etl sample --db <tmp>` (fixture `sample_db`, also used by tests/test_browser.py).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from html import unescape
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core.auth import DEMO_USER
from core.db import file_identity
from ui.labels import METRICS, TREND_GROUPS

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TIMEOUT = 180

PAGES = {
    "pages/tong_quan.py": "Tổng quan",
    "pages/giao_ban.py": "Giao ban tuần",
    "pages/xu_huong.py": "Xu hướng",
    "pages/hai_long.py": "Hài lòng",
    "pages/chuyen_doi_so.py": "Chuyển đổi số",
    "pages/chi_so_766.py": "Chỉ số 766",
    "pages/truy_van_sql.py": "Truy vấn SQL",
    "pages/du_lieu.py": "Dữ liệu",
    "pages/chi_tieu.py": "Chỉ tiêu",
}


def build_sample_db(folder: Path) -> Path:
    db = folder / "sample.duckdb"
    env = dict(os.environ, TTHC_SALT_FILE=str(folder / "no-salt"), TTHC_DB_PATH=str(db))
    proc = subprocess.run([sys.executable, "-m", "etl", "sample", "--db", str(db)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"building the sample database failed:\n{proc.stdout}\n{proc.stderr}"
    return db


_BUILT: list[Path] = []


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """The demo database from sample_data/, built once per test session (tests/test_browser.py
    imports this fixture; the module-level cache keeps it to one build)."""
    if not _BUILT:
        _BUILT.append(build_sample_db(tmp_path_factory.mktemp("sample_db")))
    return _BUILT[0]


@pytest.fixture
def db_copy(sample_db, tmp_path) -> Path:
    """A private copy for tests that write (uploads, targets)."""
    path = tmp_path / "tthc.duckdb"
    shutil.copyfile(sample_db, path)
    return path


def make_app(db: Path, monkeypatch, query: dict | None = None) -> AppTest:
    monkeypatch.setenv("TTHC_DB_PATH", str(db))
    monkeypatch.setenv("TTHC_AUTH_MODE", "demo")
    # no background prefetch racing the tests' own queries and cache clears (tests/test_openers.py)
    monkeypatch.setenv("TTHC_PAGE_PREFETCH", os.environ.get("TTHC_PAGE_PREFETCH", "0"))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_page(at: AppTest, page: str) -> AppTest:
    at.switch_page(page)
    at.run()
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def metric(at: AppTest, label: str) -> str:
    for m in at.metric:
        if m.label == label:
            return m.value
    raise AssertionError(f"no metric {label!r}: {[m.label for m in at.metric]}")


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


# ----------------------------------------------------------------------------- every page

@pytest.mark.parametrize("page, title", list(PAGES.items()))
def test_page_renders_without_error(sample_db, monkeypatch, page, title):
    at = open_page(make_app(sample_db, monkeypatch), page)
    assert_clean(at)
    assert [t.value for t in at.title] == [title]
    caption = texts(at.caption)
    assert re.search(r"Dữ liệu đến ngày \d\d/\d\d/\d{4}, nạp lúc \d\d:\d\d ngày \d\d/\d\d/\d{4}\.", caption), caption


def test_overview_has_cards_targets_and_766(sample_db, monkeypatch):
    at = open_page(make_app(sample_db, monkeypatch), "pages/tong_quan.py")
    assert_clean(at)
    labels = [m.label for m in at.metric]
    from ui.labels import COUNTS, HEADLINE, METRICS
    for key in HEADLINE:
        assert METRICS[key].label in labels
    for label in COUNTS.values():
        assert label in labels
    assert "Chỉ số 766 (phần đo được)" in labels
    assert re.fullmatch(r"[\d,]+ / [\d,]+", metric(at, "Chỉ số 766 (phần đo được)"))
    assert any(re.fullmatch(r"Đạt \d+/\d+ chỉ tiêu", s.value) for s in at.subheader), texts(at.subheader)
    rate = metric(at, "Tỷ lệ giải quyết đúng hạn")
    assert re.fullmatch(r"\d{1,3},\d %", rate), rate           # Vietnamese decimal comma
    assert "Chỉ tiêu:" in texts(at.caption)


def test_sector_filter_changes_the_figures_and_the_url(sample_db, monkeypatch):
    at = open_page(make_app(sample_db, monkeypatch), "pages/tong_quan.py")
    before = (metric(at, "Tiếp nhận"), metric(at, "Tỷ lệ giải quyết đúng hạn"))
    at.selectbox(key="f_sector").set_value("Đất đai").run()
    assert_clean(at)
    after = (metric(at, "Tiếp nhận"), metric(at, "Tỷ lệ giải quyết đúng hạn"))
    assert after != before
    assert at.query_params.get("linh_vuc") == "Đất đai"
    assert "lĩnh vực Đất đai" in texts(at.caption)


def test_period_and_unit_change_the_figures(sample_db, monkeypatch):
    at = open_page(make_app(sample_db, monkeypatch), "pages/tong_quan.py")
    month = metric(at, "Tiếp nhận")
    at.selectbox(key="f_preset").set_value("tu_dau_nam").run()
    assert_clean(at)
    assert metric(at, "Tiếp nhận") != month
    assert at.query_params.get("ky") == "tu_dau_nam"
    units = at.selectbox(key="f_unit").options
    assert len(units) >= 2  # "Tất cả đơn vị" and the sample's unit


def test_a_bookmarked_url_restores_the_view(sample_db, monkeypatch):
    query = {"ky": "tuan_truoc", "linh_vuc": "Hộ tịch", "ke_hoach": "003"}
    at = make_app(sample_db, monkeypatch, query)
    assert at.selectbox(key="f_preset").value == "tuan_truoc"
    assert at.selectbox(key="f_sector").value == "Hộ tịch"
    assert at.selectbox(key="f_plan").value == "003"
    assert "02/11/2026 – 08/11/2026" in texts(at.sidebar.caption)
    for k, v in query.items():
        assert at.query_params.get(k) == v
    custom = make_app(sample_db, monkeypatch, {"ky": "tuy_chon", "tu_ngay": "2026-03-01", "den_ngay": "2026-03-31"})
    assert "01/03/2026 – 31/03/2026" in texts(custom.sidebar.caption)
    bad = make_app(sample_db, monkeypatch, {"ky": "khong_co", "linh_vuc": "Không có lĩnh vực này",
                                            "ke_hoach": "999", "tu_ngay": "hôm qua"})
    assert bad.selectbox(key="f_preset").value == "thang_nay"
    assert bad.selectbox(key="f_sector").value == "__all__"


def test_the_reference_day_choice(sample_db, monkeypatch):
    at = make_app(sample_db, monkeypatch)
    assert at.radio(key="f_today").value == "du_lieu"
    assert "ngày cuối của dữ liệu" in texts(at.sidebar.caption)
    at.radio(key="f_today").set_value("thuc").run()
    assert_clean(at)
    assert at.query_params.get("moc") == "thuc"


@pytest.mark.parametrize("page", list(PAGES))
def test_an_empty_period_gives_a_message_not_an_error(sample_db, monkeypatch, page):
    at = make_app(sample_db, monkeypatch, {"ky": "tuy_chon", "tu_ngay": "2021-01-01", "den_ngay": "2021-01-31"})
    open_page(at, page)
    assert_clean(at)
    if page in ("pages/tong_quan.py", "pages/chuyen_doi_so.py", "pages/xu_huong.py"):
        assert "Không có hồ sơ nào" in texts(at.info)


def test_a_metric_without_input_reads_no_data(sample_db, monkeypatch):
    # The 2024 export carries no "reused data" column: reuse_share has no input then.
    at = make_app(sample_db, monkeypatch, {"ky": "tuy_chon", "tu_ngay": "2024-01-01", "den_ngay": "2024-01-31"})
    open_page(at, "pages/tong_quan.py")
    assert_clean(at)
    assert metric(at, "Tỷ lệ khai thác, sử dụng lại dữ liệu số hóa") == "không có dữ liệu"
    assert "Không có dữ liệu" in texts(at.get("badge")) or "không có dữ liệu" in texts(at.caption)


def test_giao_ban_tables_lists_and_downloads(sample_db, monkeypatch):
    at = open_page(make_app(sample_db, monkeypatch), "pages/giao_ban.py")
    assert_clean(at)
    html = "\n".join(h.proto.body for h in at.get("html"))
    assert html.count("<table class='f06a'>") == 2          # this week and the previous week
    assert html.count("Tổng cộng") == 3                    # ... and the comparison of the two
    for header in ("Tiếp nhận", "Đã giải quyết", "Đang giải quyết", "(13)", "Đang quá hạn (13): tuần trước"):
        assert header in html
    subheaders = texts(at.subheader)
    assert re.search(r"Hồ sơ trễ hạn \(\d+\)", subheaders)
    assert re.search(r"Hồ sơ sắp đến hạn trong 3 ngày làm việc tới \(\d+\)", subheaders)
    late = next(d.value for d in at.dataframe if "Cán bộ xử lý" in d.value.columns and "Loại" in d.value.columns)
    assert {"Mã hồ sơ", "Cán bộ xử lý", "Phòng ban xử lý", "Hạn trả", "Số ngày làm việc trễ"} <= set(late.columns)
    handlers = next(d.value for d in at.dataframe if "Tổng" in d.value.columns)
    counts = handlers[["Đã giải quyết quá hạn", "Đang quá hạn", "Sắp đến hạn"]]
    assert (handlers["Tổng"] == counts.sum(axis=1)).all() and handlers["Tổng"].is_monotonic_decreasing
    assert handlers["Tổng"].sum() == len(late) + int(re.search(r"tới \((\d+)\)", subheaders).group(1))
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Biểu II.06a (.xlsx, sẵn để in)", "Danh sách trễ hạn, sắp đến hạn (.xlsx)",
                      "Báo cáo giao ban để in (.html)"]
    first = metric(at, "Tiếp nhận")
    week = at.selectbox(key="gb_week")
    week.set_value(date(2026, 10, 5)).run()
    assert_clean(at)
    assert metric(at, "Tiếp nhận") != first


def test_giao_ban_builds_its_workbooks_only_when_clicked(sample_db, monkeypatch):
    """Writing the lists with openpyxl on every run took most of the page's time at 5M cases."""
    from ui import exports
    built = []
    monkeypatch.setattr(exports, "xlsx_bytes", lambda *a, **k: built.append("lists") or b"")
    monkeypatch.setattr(exports, "report06a_xlsx", lambda *a, **k: built.append("06a") or b"")
    at = open_page(make_app(sample_db, monkeypatch), "pages/giao_ban.py")
    assert_clean(at)
    assert len(at.get("download_button")) == 3
    assert built == []


def chart_titles(at: AppTest) -> list[str]:
    return [json.loads(c.proto.spec).get("title") for c in at.get("vega_lite_chart")]


def test_trends_charts_and_grain(sample_db, monkeypatch):
    at = open_page(make_app(sample_db, monkeypatch), "pages/xu_huong.py")
    assert_clean(at)
    assert [t.label for t in at.tabs] == list(TREND_GROUPS)
    # only the open tab's metric charts are drawn, then by sector, the heat map, the projection
    first = chart_titles(at)
    assert "Tỷ lệ giải quyết đúng hạn" in first and "Tỷ lệ hồ sơ trực tuyến" not in first
    assert len(first) == 4 + 3
    assert "Dự báo đến cuối năm 2026" in texts(at.subheader)
    assert "Dự báo tháng 12" in [m.label for m in at.metric]
    at.session_state["xh_group"] = "Chuyển đổi số"
    at.run()
    assert_clean(at)
    digital = chart_titles(at)
    assert {METRICS[k].label for k in TREND_GROUPS["Chuyển đổi số"]} <= set(digital)
    assert "Tỷ lệ giải quyết đúng hạn" not in digital
    at.button_group(key="xh_grain").set_value("week").run()
    assert_clean(at)
    weekly = chart_titles(at)                                # the tab stays open across a grain change
    assert "Tỷ lệ hồ sơ trực tuyến" in weekly and "Tỷ lệ giải quyết đúng hạn" not in weekly
    at.selectbox(key="xh_metric").set_value("online_share").run()
    assert_clean(at)


def test_satisfaction_page(sample_db, monkeypatch):
    at = open_page(make_app(sample_db, monkeypatch), "pages/hai_long.py")
    assert_clean(at)
    labels = [m.label for m in at.metric]
    assert {"Mức độ hài lòng", "Mức độ hài lòng: đất đai, xây dựng, đầu tư", "Tỷ lệ PAKN xử lý đúng hạn"} <= set(labels)
    assert len(at.get("vega_lite_chart")) >= 3
    ratings = next(t for t in html_tables(at) if "Tỷ lệ hài lòng" in t.columns)
    assert ratings["Tỷ lệ hài lòng"].str.fullmatch(r"\d+(,\d)? %|không có dữ liệu").all()
    overall = metric(at, "Mức độ hài lòng")
    at.selectbox(key="f_sector").set_value("Đất đai").run()
    assert_clean(at)
    assert metric(at, "Mức độ hài lòng") != overall


def test_digital_page(sample_db, monkeypatch):
    at = open_page(make_app(sample_db, monkeypatch), "pages/chuyen_doi_so.py")
    assert_clean(at)
    labels = [m.label for m in at.metric]
    for label in ("Tỷ lệ hồ sơ trực tuyến", "Tỷ lệ số hóa hồ sơ", "Tỷ lệ cấp kết quả điện tử",
                  "Tỷ lệ giao dịch thanh toán trực tuyến"):
        assert label in labels
    assert len(at.get("vega_lite_chart")) >= 3


def html_tables(at: AppTest) -> list[pd.DataFrame]:
    """The pages' report tables (ui.tables, st.html), read back as text frames."""
    frames = []
    for h in at.get("html"):
        for table in re.findall(r"<table[^>]*>.*?</table>", h.proto.body, flags=re.S):
            head = [unescape(c) for c in re.findall(r"<th[^>]*>(.*?)</th>", table.split("</thead>")[0])]
            rows = [[unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
                    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>", 1)[-1], flags=re.S)]
            if rows and len(rows[0]) == len(head):
                frames.append(pd.DataFrame(rows, columns=head))
    return frames


def test_766_page_shows_not_measured_items(sample_db, monkeypatch):
    at = open_page(make_app(sample_db, monkeypatch), "pages/chi_so_766.py")
    assert_clean(at)
    items = next(t for t in html_tables(at) if "Tiêu chí" in t.columns and "Điểm" in t.columns)
    assert "chưa đo được" in set(items["Điểm"])
    assert (items["Điểm"] != "chưa đo được").any()
    assert any(len(r) > 40 for r in items["Cách chấm / lý do"])     # long rules shown whole, not cut
    by_month = next(t for t in html_tables(at) if "Tối đa" in t.columns)
    assert "Tổng điểm đo được" in set(by_month["Tiêu chí"])
    assert at.get("vega_lite_chart")


@pytest.mark.parametrize("script", ["pages/hai_long.py", "pages/chi_so_766.py"])
def test_report_tables_are_html_so_the_page_loads_no_grid(sample_db, monkeypatch, script):
    """The small, formatted tables of these pages are static HTML (ui.tables): st.dataframe's grid is
    ~1.2 MB of JavaScript the browser compiles on a page's first open (docs/performance.md, round 8)."""
    at = open_page(make_app(sample_db, monkeypatch), script)
    assert_clean(at)
    assert not at.dataframe
    assert html_tables(at)


def test_sql_page_runs_examples_and_refuses_writes(sample_db, monkeypatch):
    at = open_page(make_app(sample_db, monkeypatch), "pages/truy_van_sql.py")
    assert_clean(at)
    assert any(e.label.startswith("cases (bảng") for e in at.expander)
    # case_facts is materialised at load (a table); the view it copies is listed too
    assert any(e.label.startswith("case_facts (bảng") for e in at.expander)
    assert any(e.label.startswith("case_facts_view (view") for e in at.expander)
    at.button(key="sql_run").click().run()
    assert_clean(at)
    assert re.search(r"\d+ dòng · \d+ ms", texts(at.success)), texts(at.success)
    assert [b.proto.label for b in at.get("download_button")] == ["Tải .csv", "Tải .xlsx"]
    example = at.selectbox(key="sql_example")
    example.set_value(example.options[5]).run()
    assert "ingestions" in at.text_area(key="sql_text").value
    at.text_area(key="sql_text").set_value("delete from cases").run()
    at.button(key="sql_run").click().run()
    assert "bị từ chối" in texts(at.error)
    at.text_area(key="sql_text").set_value("selec 1").run()
    at.button(key="sql_run").click().run()
    assert "Lỗi" in texts(at.error)
    assert not at.exception


def test_data_page_history_rejects_quality(sample_db, monkeypatch):
    at = open_page(make_app(sample_db, monkeypatch), "pages/du_lieu.py")
    assert_clean(at)
    frames = [d.value for d in at.dataframe]
    history = next(f for f in frames if "Lần nạp" in f.columns and "Dòng đọc" in f.columns)
    assert len(history) >= 5
    rejects = next(f for f in frames if "Lý do" in f.columns)
    assert rejects["Lý do"].str.len().min() > 0
    quality = next(f for f in frames if "Kiểm tra" in f.columns)
    assert len(quality) > 5
    assert "Tải danh sách dòng bị loại (.xlsx)" in [b.proto.label for b in at.get("download_button")]


def test_targets_page_lists_citations_and_creates_a_plan(db_copy, monkeypatch):
    at = open_page(make_app(db_copy, monkeypatch), "pages/chi_tieu.py")
    assert_clean(at)
    evaluation = next(d.value for d in at.dataframe if "Trích dẫn" in d.value.columns)
    assert evaluation["Trích dẫn"].str.len().min() > 10
    assert {"Đạt", "Chưa đo được"} <= set(evaluation["Trạng thái"])
    form_inputs = {t.label: t for t in at.text_input}
    form_inputs["Mã kế hoạch"].set_value("101")
    form_inputs["Tên kế hoạch"].set_value("Kế hoạch thử nghiệm 2026")
    at.text_area[0].set_value("Tỷ lệ hồ sơ giải quyết đúng hạn đạt 95%")
    form_inputs["Trích dẫn (số hiệu, ngày ban hành, mục)"].set_value("Kế hoạch số 9/KH-UBND ngày 01/02/2026, mục 1")
    next(b for b in at.button if b.label == "Tạo kế hoạch").click().run()
    assert_clean(at)
    assert "Đã lưu 1 chỉ tiêu của kế hoạch 101" in texts(at.success)
    assert any(o.startswith("101 · ") for o in at.selectbox(key="f_plan").options)
    assert (db_copy.parent / "targets_centre.csv").exists()


def test_targets_page_reports_invalid_input(db_copy, monkeypatch):
    at = open_page(make_app(db_copy, monkeypatch), "pages/chi_tieu.py")
    form_inputs = {t.label: t for t in at.text_input}
    form_inputs["Mã kế hoạch"].set_value("102")
    next(b for b in at.button if b.label == "Tạo kế hoạch").click().run()
    assert not at.exception
    errors = texts(at.error)
    assert "Chưa lưu được" in errors and "thiếu tên kế hoạch" in errors and "thiếu trích dẫn" in errors


# ----------------------------------------------------------------------------- uploads and freshness

def _upload(name: str, data: bytes):
    class Upload:
        def __init__(self):
            self.name = name

        def getbuffer(self):
            return memoryview(data)
    return Upload()


CSV = ("Mã hồ sơ,Tên thủ tục hành chính,Lĩnh vực,Đơn vị tiếp nhận,Ngày tiếp nhận,Ngày hẹn trả,Ngày kết thúc xử lý,"
       "Trạng thái,Kênh tiếp nhận,Cán bộ xử lý\n"
       "UP-0001,Đăng ký khai sinh,Hộ tịch,UBND xã Bình Minh,10/11/2026 08:00,12/11/2026 17:00,11/11/2026 09:00,"
       "Đã trả kết quả,Trực tuyến,Nguyễn Văn Thử\n"
       "UP-0002,Đăng ký khai sinh,Hộ tịch,UBND xã Bình Minh,32/11/2026 08:00,12/11/2026 17:00,,Đang xử lý,"
       "Trực tiếp,Nguyễn Văn Thử\n")


def test_uploads_load_all_or_nothing_with_vietnamese_messages(db_copy):
    from ui import uploads

    before = file_identity(db_copy)
    bad = uploads.load_uploads(db_copy, [_upload("hong.xlsx", b"not really a workbook")], user=DEMO_USER)
    assert not bad.ok and "Không" in bad.message and "Traceback" not in bad.message
    assert file_identity(db_copy) == before
    mixed = uploads.load_uploads(db_copy, [_upload("ok.csv", CSV.encode("utf-8")),
                                           _upload("hong.xlsx", b"garbage")], user=DEMO_USER)
    assert not mixed.ok and file_identity(db_copy) == before    # all or nothing
    good = uploads.load_uploads(db_copy, [_upload("../../thu/ho_so_moi.csv", CSV.encode("utf-8-sig"))], user=DEMO_USER)
    assert good.ok, good.message
    assert good.files[0]["file_name"] == "ho_so_moi.csv"       # the original name, no folder
    assert good.files[0]["rows_read"] == 2 and good.files[0]["rows_rejected"] == 1
    assert file_identity(db_copy) != before
    assert not uploads.load_uploads(db_copy, [], user=DEMO_USER).ok


def test_a_new_load_is_seen_without_restart(db_copy, monkeypatch):
    from ui import uploads

    at = open_page(make_app(db_copy, monkeypatch), "pages/du_lieu.py")
    loads = len(next(d.value for d in at.dataframe if "Dòng đọc" in d.value.columns))
    assert uploads.load_uploads(db_copy, [_upload("ho_so_moi.csv", CSV.encode("utf-8"))], user=DEMO_USER).ok
    at.run()
    assert_clean(at)
    history = next(d.value for d in at.dataframe if "Dòng đọc" in d.value.columns and "Lần nạp" in d.value.columns)
    assert len(history) == loads + 1
    assert "ho_so_moi.csv" in set(history["Tệp"])


def test_without_a_database_every_page_explains(tmp_path, monkeypatch):
    missing = tmp_path / "chua_co.duckdb"
    at = make_app(missing, monkeypatch)
    for page in PAGES:
        open_page(at, page)
        assert_clean(at)
    open_page(at, "pages/tong_quan.py")
    assert "Chưa có cơ sở dữ liệu" in texts(at.info)
    open_page(at, "pages/du_lieu.py")
    assert "Nạp dữ liệu" in [b.label for b in at.button]


def test_an_unexpected_error_shows_a_vietnamese_message(sample_db, monkeypatch):
    from ui import data

    def boom(*args, **kwargs):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(data, "kpis", boom)
    at = open_page(make_app(sample_db, monkeypatch), "pages/tong_quan.py")
    assert not at.exception
    assert "Không hiển thị được phần này" in texts(at.error)
    assert "simulated failure" not in texts(at.error)
