"""The dashboard's pages opened in a real browser: issue 6's "a page opened in the browser
(Playwright) at 5M cases renders in <= 2 s".

`python -m ui.serve` (`streamlit run app.py` with the pages' modules imported first, as `make run`
and tests/test_browser.py start it) on a free local port against the query database
(TTHC_AUTH_MODE=demo), headless Debian Chromium driven by Playwright, then every metric
page opened twice, each time in a fresh browser context (new session, empty HTTP cache):

* cold: the first open of the page after the server started, `warm_runs` server starts (the median;
  until round 7 one start, a single open). The pages are opened in the fixed
  order of PAGES and share cached calls (the sidebar's units/sectors/plans, kpis(year) on Tổng
  quan, Chuyển đổi số and Hài lòng, ...), so a page's cold open computes only what the pages
  before it did not; Tổng quan's also pays the server's first script run (opening the database,
  the first queries; since round 7 the imports are done at the server's start). Since round 7
  each page's run also prefetches the other metric pages' opening queries (ui.openers). That is
  what the first user after a restart sees, in this order; `first` below is the worst case.
* warm: after all cold opens, each page again (st.cache_data hits), `warm_runs` times, median.
* click: then one browser context kept open, as in a meeting: Tổng quan opened once, then each page
  reached by clicking its link in the sidebar (Streamlit's own navigation: no reload of the
  front-end, whose bundle and Vega chunk a fresh context fetches and compiles every time), in the
  order of PAGES after Tổng quan and Tổng quan last, `warm_runs` rounds, median. The queries are
  cache hits by then (the cold opens ran them), so this is a click in an app somebody has already
  used since the last load; the first round's first chart page also pays the Vega chunk.
* return: a returning visitor, as a leader opening the dashboard's link again next week: one
  context kept open that first opens every page twice, in new tabs, so its HTTP cache holds
  Streamlit's hashed bundles (served `immutable`) and Chromium has kept their compiled code; then
  each page in a new tab (a new session, the front-end started again from the cache),
  `warm_runs` rounds, median. The server's caches are warm, as for warm.
* first: each page opened first after a start of its own server, in a fresh context: no page
  before it has run its shared calls or prefetched its queries (ui.openers, round 7). The worst
  case of a first open; one run per page.

Rendered time: from the start of page.goto until the page is complete, i.e. it has an h1, no
"Running..." status widget (stStatusWidget) and no skeleton (stSkeleton), and the counts of
charts (stVegaLiteChart boxes, and those whose svg has drawn a data mark), tables (stDataFrame,
stTable), metric cards and exception and error boxes no longer change. A script injected before the page's own (add_init_script)
records in the page the wall-clock time of every change of those counts (MutationObserver, plus
a 25 ms timer as a backstop); Python polls it every 50 ms and stops once the page has been
complete and unchanged for QUIET_S. The rendered time is the time of the last change, the quiet
window excluded. An stException, or an st.error box (the pages catch a failing query and show
one), is recorded as the page's error; the time is still reported.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from statistics import median

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# (title = the key used by bench/pages.py, url path): the metric pages, in the order they are opened
PAGES = [
    ("Tổng quan", ""),                 # the default page lives at /
    ("Giao ban tuần", "giao_ban"),
    ("Xu hướng", "xu_huong"),
    ("Chuyển đổi số", "chuyen_doi_so"),
    ("Hài lòng", "hai_long"),
    ("Chỉ số 766", "chi_so_766"),
]

QUIET_S = 1.0
POLL_S = 0.05

FIELDS = ("h1", "running", "skeleton", "charts", "chart_boxes", "tables", "metrics", "exceptions", "error_boxes")

# Runs in the page before Streamlit's own scripts; window.__bench = the last change of the counts.
INIT_JS = """
(() => {
  if (window.top !== window) return;
  const q = s => document.querySelectorAll(s).length;
  // a Vega view's svg exists before its data is drawn: count the charts with a data mark item
  // (a canvas-rendered view draws as it creates its canvas: counted once it has a size)
  const drawn = () => Array.from(document.querySelectorAll("[data-testid='stVegaLiteChart'] svg.marks"))
                           .filter(s => s.querySelector('.role-mark > *')).length
                    + Array.from(document.querySelectorAll("[data-testid='stVegaLiteChart'] canvas.marks"))
                           .filter(c => c.width > 0 && c.height > 0).length;
  const sig = () => [q('h1'), q("[data-testid='stStatusWidget']"), q("[data-testid='stSkeleton']"),
                     drawn(), q("[data-testid='stVegaLiteChart']"),
                     q("[data-testid='stDataFrame']") + q("[data-testid='stTable']"),
                     q("[data-testid='stMetric']"), q("[data-testid='stException']"),
                     q("[data-testid='stAlertContentError']")].join(',');
  window.__bench = {sig: null, t: Date.now(), changes: 0, log: []};
  const tick = () => {
    const s = sig(), b = window.__bench;
    if (s !== b.sig) {
      const t = Date.now();
      if (b.log.length < 200) b.log.push([t, s]);
      window.__bench = {sig: s, t: t, changes: b.changes + 1, log: b.log};
    }
  };
  new MutationObserver(tick).observe(document, {childList: true, subtree: true, attributes: true,
                                                attributeFilter: ['class', 'data-testid']});
  setInterval(tick, 25);
})();
"""


def missing() -> str | None:
    """Why the browser step cannot run here (None: it can)."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} not found (apt-get install -y chromium)"
    import importlib.util
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install -r requirements-dev.txt)"
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _proc_status_mb(pid: int) -> dict:
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key = line.split(":", 1)[0]
            if key in ("VmHWM", "VmRSS"):
                out[key] = int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return out


class Server:
    """`python -m ui.serve` (`streamlit run app.py`, as `make run` and tests/test_browser.py start it)."""

    def __init__(self, app_root: Path, db: str, log_path: Path, start_timeout_s: float = 120.0):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.log = open(log_path, "w+", encoding="utf-8")
        env = dict(os.environ, TTHC_AUTH_MODE="demo", TTHC_DB_PATH=db)
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ui.serve", "--server.headless", "true",
             "--server.address", "127.0.0.1", "--server.port", str(self.port),
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", "--", "--db", db],
            cwd=app_root, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + start_timeout_s
        while True:
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200 and r.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                tail = self.log_tail()
                self.stop()
                raise RuntimeError(f"streamlit did not start: {tail[-500:]}")
            time.sleep(0.1)
        self.start_s = time.perf_counter() - t0

    def log_tail(self, chars: int = 3000) -> str:
        self.log.flush()
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""

    def memory(self) -> dict:
        return _proc_status_mb(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def _state(page) -> dict | None:
    b = page.evaluate("() => window.__bench ? Object.assign({}, window.__bench, {log: null}) : null")
    if not b or b.get("sig") is None:
        return None
    return {"t": b["t"], "changes": b["changes"], **dict(zip(FIELDS, (int(x) for x in b["sig"].split(","))))}


def _settle(page, p0: float, timeout_s: float, title: str | None = None) -> tuple[dict | None, float | None]:
    """Poll the page until it is complete (an h1, the one titled `title` when given, or an
    exception; nothing running, no skeleton) and its counts have not changed for QUIET_S: its last
    state and the poll's own time (ms after p0) of that state's first sighting; (last state, None)
    after timeout_s."""
    seen_sig, seen_at, seen_first_ms = None, None, None
    st = None
    while True:
        try:
            st = _state(page) or st
        except Exception:   # a navigation inside the page (Streamlit's multipage) between polls
            pass
        now = time.perf_counter()
        if st is not None:
            sig = tuple(st[k] for k in FIELDS)
            if sig != seen_sig:
                seen_sig, seen_at, seen_first_ms = sig, now, (now - p0) * 1000
            shown = st["h1"] > 0 if title is None else (
                st["h1"] > 0 and page.locator("h1").first.inner_text().strip() == title)
            complete = (shown or st["exceptions"] > 0) and st["running"] == 0 and st["skeleton"] == 0
            quiet = now - seen_at >= QUIET_S and time.time_ns() / 1e6 - st["t"] >= QUIET_S * 1000
            if complete and quiet:
                return st, seen_first_ms
        if now - p0 > timeout_s:
            return st, None
        time.sleep(POLL_S)


def _shown(page, st: dict) -> dict:
    """What the complete page shows: its counts, its h1 and the first exception or error box."""
    out = {**{k: st[k] for k in ("charts", "chart_boxes", "tables", "metrics")},
           "h1": page.locator("h1").first.inner_text().strip() if st["h1"] else None, "error": None}
    if st["exceptions"]:
        out["error"] = "stException: " + page.locator("[data-testid='stException']").first.inner_text()[:300]
    elif st["error_boxes"]:   # the pages catch a failing query and show st.error instead
        out["error"] = "st.error: " + page.locator("[data-testid='stAlertContentError']").first.inner_text()[:300]
    return out


def _context(browser):
    context = browser.new_context(viewport={"width": 1500, "height": 1100}, locale="vi-VN")
    context.add_init_script(INIT_JS)
    return context


def open_page(browser, url: str, timeout_s: float, context=None) -> dict:
    """One open of `url` in a fresh context, or in a new tab of `context` (kept open); the
    rendered time and what the page shows."""
    own = context is None
    context = _context(browser) if own else context
    page = None
    try:
        page = context.new_page()
        t0_ms = time.time_ns() / 1e6
        p0 = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        st, seen_first_ms = _settle(page, p0, timeout_s)
        if seen_first_ms is None:
            return {"ms": None, "error": f"not complete after {timeout_s:.0f} s (last state {st})"}
        rendered_ms = st["t"] - t0_ms
        if not 0 < rendered_ms <= seen_first_ms + 1000:   # clocks disagree: keep the poll's own time
            rendered_ms = seen_first_ms
        log = page.evaluate("() => window.__bench.log")
        return {"ms": rendered_ms, "polled_ms": seen_first_ms, "changes": st["changes"],
                # every change of the counts: "ms after goto start: h1,running,skeleton,...", as FIELDS
                "timeline": [f"{t - t0_ms:.0f}: {sig}" for t, sig in log], **_shown(page, st)}
    finally:
        if own:
            context.close()
        elif page is not None:
            page.close()


def _wait_complete(page, title: str, t0_ms: float, timeout_s: float) -> dict:
    """Wait, after a click at wall-clock t0_ms, until the page titled `title` is complete and quiet
    (_settle); its render time and what it shows."""
    st, seen_first_ms = _settle(page, time.perf_counter(), timeout_s, title)
    if seen_first_ms is None:
        return {"ms": None, "h1": None, "error": f"not complete after {timeout_s:.0f} s (last state {st})"}
    return {"ms": max(st["t"] - t0_ms, 0.0), **_shown(page, st)}


def click_pages(browser, url: str, rounds: int, timeout_s: float) -> dict[str, dict]:
    """Each page reached by a click on its sidebar link in one open app (see the module's doc):
    {title: {"click_runs_ms": [...], "error": ...}}."""
    order = PAGES[1:] + PAGES[:1]
    out = {title: {"click_runs_ms": [], "error": None} for title, _ in order}
    context = _context(browser)
    try:
        page = context.new_page()
        t0_ms = time.time_ns() / 1e6
        page.goto(url + "/", wait_until="commit", timeout=timeout_s * 1000)
        first = _wait_complete(page, PAGES[0][0], t0_ms, timeout_s)
        if first["ms"] is None:
            for v in out.values():
                v["error"] = "the app did not open: " + first["error"]
            return out
        for _ in range(rounds):
            for title, _path in order:
                link = page.locator("[data-testid='stSidebarNav'] a").filter(has_text=title).first
                t0_ms = time.time_ns() / 1e6
                link.click(timeout=timeout_s * 1000)
                r = _wait_complete(page, title, t0_ms, timeout_s)
                out[title]["click_runs_ms"].append(r["ms"])
                if r["error"] and not out[title]["error"]:
                    out[title]["error"] = "click: " + r["error"]
                if r["ms"] is None:      # lost: reload the app before the next click
                    t0_ms = time.time_ns() / 1e6
                    page.goto(url + "/", wait_until="commit", timeout=timeout_s * 1000)
                    _wait_complete(page, PAGES[0][0], t0_ms, timeout_s)
    finally:
        context.close()
    return out


def return_pages(browser, url: str, rounds: int, timeout_s: float) -> dict[str, dict]:
    """A returning visitor (see the module's doc): one context that first opens every page twice,
    then each page in a new tab, `rounds` times: {title: {"return_runs_ms": [...], "error": ...}}."""
    out = {title: {"return_runs_ms": [], "error": None} for title, _ in PAGES}
    context = _context(browser)
    try:
        # Chromium keeps a script's compiled code from its third load on; two opens of every page
        # fetch every chunk the pages use twice
        for _ in range(2):
            for _title, path in PAGES:
                open_page(browser, f"{url}/{path}", timeout_s, context)
        for _ in range(rounds):
            for title, path in PAGES:
                r = open_page(browser, f"{url}/{path}", timeout_s, context)
                out[title]["return_runs_ms"].append(r["ms"])
                if r["error"] and not out[title]["error"]:
                    out[title]["error"] = "return: " + r["error"]
    finally:
        context.close()
    return out


def after_starts(browser, app_root: Path, db: str, log_path: Path, timeout_s: float,
                 starts: list[list[tuple[str, str]]], label: str) -> dict[str, dict]:
    """One server start per entry of `starts`, each opening its pages (title, url path) in order
    in fresh contexts, then stopping: {title: {"ms": ..., "error": ...}}. [PAGES] is one more
    round of cold opens; [[page] for page in PAGES] opens each page first after its own start."""
    out = {}
    for group in starts:
        server = Server(app_root, db, log_path)
        try:
            for title, path in group:
                r = open_page(browser, f"{server.url}/{path}", timeout_s)
                out[title] = {"ms": r["ms"], "error": r["error"] and f"{label}: " + r["error"]}
        finally:
            server.stop()
    return out


def step_browser(args: dict) -> dict:
    """args: db, app_root, log (streamlit's output), warm_runs (default 1), timeout_s (per open)."""
    from playwright.sync_api import sync_playwright

    app_root = Path(args["app_root"])
    timeout_s = float(args.get("timeout_s", 300))
    warm_runs = max(1, int(args.get("warm_runs", 1)))
    server = Server(app_root, str(args["db"]), Path(args["log"]))
    pages: dict[str, dict] = {}
    mem: dict = {}
    try:
        with sync_playwright() as p:
            t0 = time.perf_counter()
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            launch_s = time.perf_counter() - t0
            try:
                for title, path in PAGES:
                    r = open_page(browser, f"{server.url}/{path}", timeout_s)
                    pages[title] = {"path": "/" + path, "cold_runs_ms": [r["ms"]], "cold": r, "warm_runs_ms": [],
                                    "error": r["error"]}
                for _ in range(warm_runs):
                    for title, path in PAGES:
                        r = open_page(browser, f"{server.url}/{path}", timeout_s)
                        pages[title]["warm_runs_ms"].append(r["ms"])
                        pages[title]["warm"] = r
                        if r["error"] and not pages[title]["error"]:
                            pages[title]["error"] = "warm: " + r["error"]
                for title, c in click_pages(browser, server.url, warm_runs, timeout_s).items():
                    pages[title]["click_runs_ms"] = c["click_runs_ms"]
                    if c["error"] and not pages[title]["error"]:
                        pages[title]["error"] = c["error"]
                for title, c in return_pages(browser, server.url, warm_runs, timeout_s).items():
                    pages[title]["return_runs_ms"] = c["return_runs_ms"]
                    if c["error"] and not pages[title]["error"]:
                        pages[title]["error"] = c["error"]
            finally:
                browser.close()
        mem = server.memory()          # VmHWM of the streamlit process, just before stopping it
    finally:
        alive = server.proc.poll() is None
        tail = server.log_tail(1500)
        server.stop()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            # cold is a median like every other figure: warm_runs - 1 more server starts
            cold_log = Path(args["log"]).with_suffix(".cold.log")
            for _ in range(warm_runs - 1):
                for title, c in after_starts(browser, app_root, str(args["db"]), cold_log, timeout_s,
                                             [PAGES], "cold").items():
                    pages[title]["cold_runs_ms"].append(c["ms"])
                    pages[title]["error"] = pages[title]["error"] or c["error"]
            first_log = Path(args["log"]).with_suffix(".first.log")
            for title, c in after_starts(browser, app_root, str(args["db"]), first_log, timeout_s,
                                         [[page] for page in PAGES], "first").items():
                pages[title]["first_ms"] = c["ms"]
                pages[title]["error"] = pages[title]["error"] or c["error"]
        finally:
            browser.close()
    for v in pages.values():
        colds = v["cold_runs_ms"]
        v["cold_ms"] = median(colds) if None not in colds else None
        ok = [x for x in v["warm_runs_ms"] if x is not None]
        v["warm_ms"] = median(ok) if ok and len(ok) == len(v["warm_runs_ms"]) else None
        clicks = v.get("click_runs_ms") or []
        v["click_ms"] = median(clicks) if clicks and None not in clicks else None
        returns = v.get("return_runs_ms") or []
        v["return_ms"] = median(returns) if returns and None not in returns else None
        last = v.get("warm") or v["cold"]
        v.update({k: last.get(k) for k in ("charts", "chart_boxes", "tables", "metrics", "h1")})
    return {"pages": pages, "order": [t for t, _ in PAGES], "server_start_s": server.start_s,
            "browser_launch_s": launch_s, "streamlit_vmhwm_mb": mem.get("VmHWM"),
            "streamlit_vmrss_end_mb": mem.get("VmRSS"), "server_alive_at_end": alive,
            "server_log_tail": None if alive else tail, "quiet_s": QUIET_S, "poll_s": POLL_S}
