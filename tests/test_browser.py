"""The dashboard in a real browser: `python -m ui.serve` (`streamlit run app.py`, as `make run`
starts it) on a free local port, headless Debian Chromium driven by Playwright. Every page opens
without an exception box and with its heading, the II.06a .xlsx downloads with the right header
cells, the meeting report downloads, and a screenshot of each page goes to test-output/
(git-ignored).

Needs /usr/bin/chromium (`apt-get install -y chromium`; `make test` installs it) and the
playwright package (requirements-dev.txt). Without them the test fails in CI (CI=true) and is
skipped, with the reason, elsewhere.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.test_app_pages import PAGES, sample_db  # noqa: F401  (session fixture)

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
OUT = ROOT / "test-output"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _missing(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the browser test must run)")
    print(f"test_browser skipped: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        _missing(f"{CHROMIUM} not found; install it with `apt-get install -y chromium` (or run `make test`)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed (pip install -r requirements-dev.txt)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            yield b
        finally:
            b.close()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(sample_db, tmp_path_factory):  # noqa: F811
    db = tmp_path_factory.mktemp("browser") / "tthc.duckdb"
    shutil.copyfile(sample_db, db)
    port = _free_port()
    log = open(tmp_path_factory.mktemp("browser-log") / "streamlit.log", "w+")
    env = dict(os.environ, TTHC_AUTH_MODE="demo", TTHC_DB_PATH=str(db))
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.serve", "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none", "--", "--db", str(db)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200 and r.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail("streamlit did not start:\n" + log.read()[-3000:])
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.seek(0)
        server_log = log.read()
        log.close()
        OUT.mkdir(exist_ok=True)
        (OUT / "streamlit.log").write_text(server_log, encoding="utf-8")


def _settle(page, timeout_s: float = 120) -> None:
    """Wait until the script run is over (no 'Running…' status) and the page stops changing."""
    page.wait_for_selector("[data-testid='stAppViewContainer']", timeout=timeout_s * 1000)
    deadline = time.monotonic() + timeout_s
    quiet = 0
    while time.monotonic() < deadline:
        running = page.locator("[data-testid='stStatusWidget']").count() > 0 or \
            page.locator("[data-testid='stSkeleton']").count() > 0
        quiet = 0 if running else quiet + 1
        if quiet >= 4:
            return
        time.sleep(0.5)
    raise AssertionError("the page kept running for more than %s s" % timeout_s)


def _open(browser, url: str):
    context = browser.new_context(viewport={"width": 1500, "height": 1100}, accept_downloads=True, locale="vi-VN")
    page = context.new_page()
    page.goto(url)
    _settle(page)
    return context, page


def _screenshot(page, name: str) -> None:
    OUT.mkdir(exist_ok=True)
    height = page.evaluate("""() => { let h = 1100; document.querySelectorAll('*').forEach(e => {
        if (e.scrollHeight > e.clientHeight + 10 && getComputedStyle(e).overflowY != 'visible'
            && e.tagName != 'HTML') h = Math.max(h, e.scrollHeight); }); return h }""")
    page.set_viewport_size({"width": 1500, "height": min(int(height) + 60, 12000)})
    time.sleep(1.0)
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("script, title", list(PAGES.items()))
def test_page_in_browser(browser, server, script, title):
    name = Path(script).stem
    path = "" if name == "tong_quan" else name  # the default page lives at /
    context, page = _open(browser, f"{server}/{path}")
    try:
        assert page.locator("[data-testid='stException']").count() == 0, page.locator(
            "[data-testid='stException']").first.inner_text()
        heading = page.locator("h1").first
        assert heading.inner_text().strip() == title
        assert "Dữ liệu đến ngày" in page.locator("[data-testid='stMain']").inner_text()
        assert page.get_by_text("Page not found").count() == 0
        assert page.locator("[data-testid='stSidebarNav']").inner_text().count("Giao ban tuần") == 1
        _screenshot(page, name)
    finally:
        context.close()


# at least `min` chart boxes, each with a data mark drawn in its svg (a Vega view's svg exists first)
ALL_CHARTS_DRAWN = """min => {
    const boxes = document.querySelectorAll("[data-testid='stVegaLiteChart']");
    const drawn = Array.from(document.querySelectorAll("[data-testid='stVegaLiteChart'] svg.marks"))
                       .filter(s => s.querySelector('.role-mark > *'));
    return boxes.length >= min && drawn.length === boxes.length; }"""


def test_charts_draw_in_the_browser(browser, server):
    """Xu hướng's Vega-Lite charts all draw their marks, with Vietnamese axis labels and no error in
    the browser's console; another theme's tab draws its charts when clicked."""
    context = browser.new_context(viewport={"width": 1500, "height": 1100}, locale="vi-VN")
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{server}/xu_huong")
        _settle(page)
        page.wait_for_function(ALL_CHARTS_DRAWN, arg=7, timeout=60_000)
        labels = page.evaluate("""() => Array.from(document.querySelectorAll(
            "[data-testid='stVegaLiteChart'] .role-axis-label text")).map(t => t.textContent)""")
        assert any(re.fullmatch(r"\d+ %", t) for t in labels), labels[:40]
        assert "T1/26" in labels
        assert not [t for t in labels if "NaN" in t or re.search(r"\d,\d{3}\b", t)], labels
        # another theme's tab: its charts are drawn on the click (the tabs are lazy)
        before = page.locator("[data-testid='stVegaLiteChart']").count()
        page.get_by_role("tab", name="Chuyển đổi số").click()
        page.wait_for_function(ALL_CHARTS_DRAWN, arg=before + 1, timeout=60_000)
        titles = page.evaluate("""() => Array.from(document.querySelectorAll(
            "[data-testid='stVegaLiteChart'] .role-title-text")).map(t => t.textContent)""")
        assert "Tỷ lệ hồ sơ trực tuyến" in titles, titles
        # resources this offline machine cannot fetch (web fonts) are not the charts' errors
        assert not [e for e in errors if not e.startswith("Failed to load resource")], errors
    finally:
        context.close()


def test_giao_ban_downloads(browser, server):
    from openpyxl import load_workbook

    context, page = _open(browser, f"{server}/giao_ban")
    try:
        with page.expect_download(timeout=60_000) as info:
            page.get_by_role("button", name="Biểu II.06a (.xlsx, sẵn để in)").click()
        download = info.value
        assert download.suggested_filename.startswith("Bieu_II06a_") and download.suggested_filename.endswith(".xlsx")
        wb = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
        ws = wb.active
        assert ws["A1"].value == "Biểu II.06a"
        assert ws["A2"].value.startswith("TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH")
        assert ws["A3"].value.startswith("Kỳ báo cáo: từ ngày ")
        assert [ws.cell(5, c).value for c in (1, 2, 3, 7, 11)] == [
            "TT", "Lĩnh vực", "Tiếp nhận", "Đã giải quyết", "Đang giải quyết"]
        assert [ws.cell(6, c).value for c in range(3, 14)] == [
            "Tổng số", "Trực tuyến", "Trực tiếp và dịch vụ bưu chính", "Từ kỳ trước chuyển qua",
            "Tổng số", "Trước hạn", "Đúng hạn", "Quá hạn", "Tổng số", "Trong hạn", "Quá hạn"]
        assert [ws.cell(7, c).value for c in range(1, 14)] == [f"({n})" for n in range(1, 14)]
        assert any(ws.cell(r, 2).value == "Tổng cộng" for r in range(8, ws.max_row + 1))

        with page.expect_download(timeout=120_000) as info:
            page.get_by_role("button", name="Báo cáo giao ban để in (.html)").click()
        report = Path(info.value.path()).read_text(encoding="utf-8")
        assert "Báo cáo giao ban tuần" in report and "Tổng cộng" in report
        assert "<svg" in report and "Tỷ lệ giải quyết đúng hạn 12 tuần gần nhất" in report
        assert "Số hồ sơ theo cán bộ xử lý" in report   # the handlers' chart: in the report, not on the page
        assert "<script" not in report  # charts as inline SVG: the file opens offline
        OUT.mkdir(exist_ok=True)
        (OUT / "bao_cao_giao_ban.html").write_text(report, encoding="utf-8")
    finally:
        context.close()


def test_sidebar_choice_reaches_the_url(browser, server):
    context, page = _open(browser, f"{server}/?ky=tuan_truoc&linh_vuc=%C4%90%E1%BA%A5t%20%C4%91ai")
    try:
        main = page.locator("[data-testid='stMain']").inner_text()
        assert "Kỳ 02/11/2026 – 08/11/2026" in main and "lĩnh vực Đất đai" in main
        page.get_by_role("link", name="Xu hướng").click()
        _settle(page)
        assert page.locator("h1").first.inner_text().strip() == "Xu hướng"
        assert "lĩnh vực Đất đai" in page.locator("[data-testid='stMain']").inner_text()
        assert "ky=tuan_truoc" in page.url and "linh_vuc=" in page.url
    finally:
        context.close()


CONTRAST = """() => {
    const rgb = s => s.match(/[\\d.]+/g).map(Number);
    const lum = ([r, g, b]) => { const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
                                 return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
    const app = getComputedStyle(document.querySelector("[data-testid='stApp']"));
    const out = [];
    for (const cell of document.querySelectorAll("table.tthc th, table.tthc td, table.f06a th")) {
        const s = getComputedStyle(cell);
        const bg = rgb(s.backgroundColor), text = rgb(s.color), page = rgb(app.backgroundColor);
        const a = bg.length > 3 ? bg[3] : 1;
        // the cell's own background laid over the page's
        const under = [0, 1, 2].map(i => a * bg[i] + (1 - a) * page[i]);
        const [hi, lo] = [lum(text), lum(under)].sort((x, y) => y - x);
        out.push((hi + 0.05) / (lo + 0.05));
    }
    return out; }"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_report_tables_are_readable_in_either_theme(browser, server, scheme):
    """The HTML report tables (ui/tables.py) take the theme's text colour; their header and total
    shading must not make it unreadable when the browser asks for a dark theme."""
    context = browser.new_context(viewport={"width": 1500, "height": 1100}, locale="vi-VN", color_scheme=scheme)
    page = context.new_page()
    try:
        page.goto(f"{server}/hai_long")
        _settle(page)
        ratios = page.evaluate(CONTRAST)
        assert ratios, "no report table on Hài lòng"
        assert min(ratios) >= 4.5, (scheme, sorted(ratios)[:5])
    finally:
        context.close()
