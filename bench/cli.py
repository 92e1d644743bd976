"""python -m bench: generate (or reuse) the data, run every measured step in its own process,
judge the goals, print the table and write the JSON. docs/performance.md explains the method."""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import report  # noqa: E402
from bench.child import MARKER  # noqa: E402

HUGE = 5_000_000
CSV_COLUMNS = 25   # vendor B's columns (sample_data/generate.py CSV_HEADERS)
REFERENCE_FILES = [ROOT / "sample_data" / "bo_tthc.xlsx", ROOT / "sample_data" / "pakn.xlsx"]


def parse_cases(text: str) -> int:
    t = text.strip().lower().replace("_", "").replace(",", "")
    mult = 1
    if t.endswith("k"):
        mult, t = 1_000, t[:-1]
    elif t.endswith("m"):
        mult, t = 1_000_000, t[:-1]
    value = int(float(t) * mult)
    if value < 100:
        raise argparse.ArgumentTypeError("--cases must be at least 100")
    return value


def _say(msg: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


def _median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


CODE_DIRS = ("bench", "core", "etl", "queries", "ui", "pages")   # ui, pages, app.py: the browser step's app
CODE_FILES = ("app.py",)


def code_version(root: Path = ROOT) -> dict:
    """What code a run measured: git HEAD and a hash of the working-tree files of CODE_DIRS
    (other engineers' uncommitted edits included), with the newest modification time."""
    import hashlib

    h = hashlib.sha256()
    newest = 0.0
    files = [f for d in CODE_DIRS for f in sorted((root / d).rglob("*"))] + [root / f for f in CODE_FILES]
    for f in files:
        if f.is_file() and "__pycache__" not in f.parts and f.suffix in (".py", ".sql", ".yaml", ".csv"):
            h.update(str(f.relative_to(root)).encode() + b"\0" + f.read_bytes())
            newest = max(newest, f.stat().st_mtime)
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True,
                              text=True).stdout.strip() or None
    except OSError:
        head = None
    return {"git_head": head, "tree_sha256": h.hexdigest()[:16],
            "newest_file_mtime": datetime.fromtimestamp(newest).isoformat(timespec="seconds") if newest else None}


def snapshot_code(workdir: Path) -> Path:
    """Copy CODE_DIRS to the work directory, so every step of a run imports the same code even when
    someone edits etl/ or queries/ meanwhile (the children run from the copy)."""
    version = code_version()
    dest = workdir / f"code-{version['tree_sha256']}"
    if not dest.exists():
        tmp = workdir / f"code-{version['tree_sha256']}.tmp-{os.getpid()}"
        for d in CODE_DIRS:
            shutil.copytree(ROOT / d, tmp / d, ignore=shutil.ignore_patterns("__pycache__"))
        for f in CODE_FILES:
            shutil.copy2(ROOT / f, tmp / f)
        (tmp / "sample_data").mkdir()
        shutil.copy2(ROOT / "sample_data" / "generate.py", tmp / "sample_data" / "generate.py")  # bench.gen's tables
        os.replace(tmp, dest)
    return dest


def _remove_db(db: Path) -> None:
    """A bench database and what loads leave next to it (its spare copy, lock, WAL)."""
    for path in [db, *db.parent.glob(db.name + ".*")]:
        if path.is_file():
            path.unlink(missing_ok=True)


class Runner:
    def __init__(self, workdir: Path, salt: bool, log: Path, code_root: Path = ROOT):
        self.code_root = code_root
        self.env = dict(os.environ)
        self.env["PYTHONPATH"] = str(code_root) + (os.pathsep + self.env["PYTHONPATH"] if self.env.get("PYTHONPATH") else "")
        if not salt:   # no applicant-key hashing unless asked: a fresh install has no salt file
            self.env["TTHC_SALT_FILE"] = str(workdir / "no-salt-file")
        else:
            salt_file = workdir / "bench-salt"
            salt_file.write_text("bench-salt-not-secret\n")
            self.env["TTHC_SALT_FILE"] = str(salt_file)
        self.log = log

    def __call__(self, step: str, args: dict) -> dict:
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "bench.child", step, json.dumps(args, default=str)],
                              cwd=self.code_root, env=self.env, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        with open(self.log, "a", encoding="utf-8") as fh:
            fh.write(f"=== {step} {json.dumps(args, default=str, ensure_ascii=False)}\n{proc.stderr[-5000:]}\n")
        result = None
        for line in proc.stdout.splitlines():
            if line.startswith(MARKER):
                result = json.loads(line[len(MARKER):])
        if result is None:
            result = {"ok": False, "error": f"child exited {proc.returncode} without a result: "
                                            f"{proc.stderr.strip().splitlines()[-1:] or ''}"}
        result["process_wall_s"] = wall
        if not result.get("ok"):
            _say(f"step {step} failed: {result.get('error')}")
        return result


def speed_probe(rounds: int = 5) -> dict:
    """How fast this machine is right now, on two fixed workloads: the median ms of `rounds` runs
    of a pure-Python loop (one core) and of a DuckDB aggregate over generated rows (all cores).
    Taken at the start and the end of a run, it tells a slow hour from a regression: in round 13 of
    docs/performance.md the same code ran every step 35-50 % slower in one hour than in the next, and
    a Python loop's time varied as much from one second to the next. Nothing is judged on it."""
    import duckdb

    def loop() -> None:
        total = 0
        for i in range(2_000_000):
            total += i

    con = duckdb.connect()
    try:
        con.execute("set threads = ?", [os.cpu_count() or 1])

        def duck() -> None:
            con.execute("select sum(i * i % 7) from range(20000000) t(i)").fetchall()

        out = {}
        for name, work in (("python_loop_ms", loop), ("duckdb_sum_ms", duck)):
            times = []
            for _ in range(rounds):
                t0 = time.perf_counter()
                work()
                times.append((time.perf_counter() - t0) * 1000)
            out[name] = round(statistics.median(times), 1)
        return out
    finally:
        con.close()


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import duckdb
    import pandas
    import pyarrow
    try:
        import fastexcel
        fe = getattr(fastexcel, "__version__", "?")
    except Exception:   # pragma: no cover
        fe = None
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "memory_gb": os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30,
            "duckdb": duckdb.__version__, "pandas": pandas.__version__, "pyarrow": pyarrow.__version__,
            "fastexcel": fe, "loadavg_start": round(os.getloadavg()[0], 2), "speed_start": speed_probe()}


def run(args) -> dict:
    from bench import gen, pages

    n = args.cases
    workdir = Path(args.workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    runs = args.runs
    notes: list[str] = []
    formats = args.formats or (["csv", "xlsx", "jsonl"] if n <= gen.XLSX_MAX_ROWS else ["csv", "jsonl"])
    if n > gen.XLSX_MAX_ROWS and not args.formats:
        notes.append(f"xlsx not run at {n:,} cases: one sheet holds 1,048,576 rows and the ETL reads one sheet; "
                     f"ask --formats csv,xlsx,jsonl for an xlsx of the first {gen.XLSX_MAX_ROWS:,} cases")
    if "xlsx" in formats and n > gen.XLSX_MAX_ROWS:
        notes.append(f"xlsx capped at its first {gen.XLSX_MAX_ROWS:,} cases (Excel's 1,048,576 rows per sheet; the "
                     "ETL reads the first sheet with a header)")
    gen_formats = sorted(set(formats) | {"csv"}, key=["csv", "xlsx", "jsonl"].index)
    log = workdir / f"bench_{n}.log"
    log.write_text("")
    code = code_version()
    code_root = snapshot_code(workdir) if args.snapshot else ROOT
    code["snapshot"] = str(code_root) if args.snapshot else None
    runner = Runner(workdir, args.salt, log, code_root)
    m = machine()
    result: dict = {"cases": n, "cores": m["cores"], "memory_gb": round(m["memory_gb"], 1), "runs": runs,
                    "formats": formats, "machine": m, "started_at": datetime.now().isoformat(timespec="seconds"),
                    "salted": bool(args.salt), "notes": notes, "code": code}

    t = time.perf_counter()
    _say(f"data for {n:,} cases in {workdir}")
    ds = gen.dataset(workdir, n, gen_formats)
    result["data"] = {"generation_s": ds.gen_seconds, "prepare_s": time.perf_counter() - t,
                      "files": {f: {"path": str(p), "rows": ds.rows[f], "mb": p.stat().st_size / 2**20}
                                for f, p in ds.files.items()},
                      "week_file": str(ds.week), "week_rows": gen.WEEK_ROWS, "week_updated": gen.WEEK_UPDATED}

    # --- ETL throughput: each format into a fresh database, `runs` times, each run followed by a
    # run of the raw reader alone (the ETL's floor), so the two are measured under the same load
    # of the machine, minutes apart at most ---------------------------------------------------
    rss: dict[str, float] = {}
    etl: dict = {}
    raw: dict = {}
    raw_steps = {"csv": ("raw_csv", {"columns": CSV_COLUMNS}), "xlsx": ("raw_xlsx", {}), "jsonl": ("raw_jsonl", {})}
    query_db = workdir / f"query_n{n}.duckdb"
    query_db.unlink(missing_ok=True)          # never reuse a database an earlier run kept
    for fmt in formats:
        db = workdir / f"etl_{fmt}_n{n}.duckdb"
        per_run, rs = [], []
        step, extra = raw_steps[fmt]
        for k in range(runs):
            for stale in (db, Path(str(db) + ".wal")):
                stale.unlink(missing_ok=True)
            _say(f"ETL {fmt}: run {k + 1}/{runs}")
            r = runner("load", {"db": str(db), "files": [str(ds.files[fmt])], "fresh": True})
            per_run.append(r)
            _say(f"raw reader {fmt}: run {k + 1}/{runs}")
            rs.append(runner(step, {"path": str(ds.files[fmt]), **extra}))
        ok = [r for r in per_run if r.get("ok")]
        secs = [r["seconds"] for r in ok]
        rows = ok[0]["rows_read"] if ok else None
        med = _median(secs)
        etl[fmt] = {"seconds": secs, "median_s": med, "rows": rows,
                    "rows_per_s": (rows / med) if ok and med else None,
                    "phases_s": ok[len(ok) // 2]["phases_s"] if ok else None,
                    "files": ok[0]["files"] if ok else None, "db_mb": ok[0]["db_mb"] if ok else None,
                    "maxrss_mb": max((r["maxrss_mb"] for r in per_run), default=None),
                    "error": None if ok else per_run[0].get("error")}
        rss[f"load_{fmt}"] = etl[fmt]["maxrss_mb"]
        result[f"etl_{fmt}_rows_per_s"] = etl[fmt]["rows_per_s"]
        if ok and not query_db.exists() and (fmt == "csv" or "csv" not in formats):
            os.replace(db, query_db)          # the first CSV run's database becomes the query database
        db.unlink(missing_ok=True)
        ok = [r for r in rs if r.get("ok")]
        med = _median([r["seconds"] for r in ok])
        raw[fmt] = {"seconds": [r["seconds"] for r in ok], "rows": ok[0]["rows"] if ok else None,
                    "rows_per_s": ok[0]["rows"] / med if ok and med else None,
                    "maxrss_mb": max((r["maxrss_mb"] for r in rs), default=None),
                    "error": None if ok else rs[0].get("error")}
        if fmt == "csv" and ok:
            raw[fmt]["parallel_rows_per_s"] = ok[0]["rows"] / _median([r["parallel_seconds"] for r in ok])
        result[f"raw_{fmt}_rows_per_s"] = raw[fmt]["rows_per_s"]
    result["etl"] = etl
    result["raw"] = raw

    # --- the query database: cases + catalogue + PAKN ------------------------------------------
    if not query_db.exists():
        _say("no format loaded: building the query database from the CSV")
        runner("load", {"db": str(query_db), "files": [str(ds.files["csv"])], "fresh": True})
    r = runner("load", {"db": str(query_db), "files": [str(p) for p in REFERENCE_FILES]})
    result["reference_load"] = {"seconds": r.get("seconds"), "phases_s": r.get("phases_s"), "ok": r.get("ok"),
                                "db_mb": r.get("db_mb")}

    # --- incremental: the week's export into the full database --------------------------------
    # As a centre meets it: the warehouse file at rest, with the spare copy its last load left
    # (etl/atomic.py). Then the same without the spare, as the first load after one is lost.
    inc_db = workdir / f"incremental_n{n}.duckdb"
    for key, spare in (("incremental", True), ("incremental_no_spare", False)):
        inc, settled = [], []
        for k in range(runs):
            _remove_db(inc_db)
            shutil.copyfile(query_db, inc_db)
            settled.append(runner("settle", {"db": str(inc_db), "spare": spare}))
            _say(f"incremental week load{'' if spare else ' without a spare copy'}: run {k + 1}/{runs}")
            inc.append(runner("load", {"db": str(inc_db), "files": [str(ds.week)], "spare": True}))
        inc_ok = [r for r in inc if r.get("ok")]
        result[key] = {"seconds": [r["seconds"] for r in inc_ok],
                       "phases_s": inc_ok[len(inc_ok) // 2]["phases_s"] if inc_ok else None,
                       "files": inc_ok[0]["files"] if inc_ok else None,
                       "maxrss_mb": max((r["maxrss_mb"] for r in inc), default=None),
                       "spare_s": [r.get("spare_s") for r in settled],
                       "error": None if inc_ok else inc[0].get("error")}
        result[f"{key}_load_s"] = _median(result[key]["seconds"])
    rss["incremental"] = max(result[k]["maxrss_mb"] or 0 for k in ("incremental", "incremental_no_spare")) or None
    _remove_db(inc_db)

    # --- dashboard pages: cold (fresh process each) and warm (one process) --------------------
    page_names = list(pages.pages().keys())
    cold: dict = {}
    for page in page_names:
        rs = []
        cold_runs = runs if args.cold_runs is None else args.cold_runs
        if cold_runs <= 0:
            continue
        for k in range(cold_runs):
            _say(f"page cold: {page} run {k + 1}/{cold_runs}")
            rs.append(runner("page_cold", {"db": str(query_db), "page": page}))
        ok = [r for r in rs if r.get("ok") and r.get("ms") is not None]
        cold[page] = {"ms": _median([r["ms"] for r in ok]), "runs_ms": [r["ms"] for r in ok],
                      "connect_ms": _median([r["connect_ms"] for r in ok]),
                      "import_ms": _median([r["import_ms"] for r in ok]),
                      "calls_ms": ok[0]["calls_ms"] if ok else (rs[0].get("calls_ms") or rs[0].get("error")),
                      "maxrss_mb": max((r["maxrss_mb"] for r in rs), default=None)}
    if not cold:
        notes.append("cold page runs skipped (--cold-runs 0)")
    result["page_cold_ms"] = {p: c["ms"] for p, c in cold.items()}
    result["page_cold"] = cold
    _say("pages warm")
    w = runner("pages_warm", {"db": str(query_db), "runs": max(runs, 3), "page_budget_s": args.page_budget_s})
    result["page_warm_ms"] = w.get("page_ms") or {p: None for p in page_names}
    result["pages_warm"] = {k: w.get(k) for k in ("page_first_ms", "calls_ms", "query_ms", "errors",
                                                  "scan_floor_count", "kpis_year", "cases_in_db", "error")}
    result["scan_floor_ms"] = w.get("scan_floor_ms")
    result["ours_kpis_ms"] = w.get("kpis_ms")
    rss["app_pages_warm"] = w.get("maxrss_mb")
    rss["app_page_cold_max"] = max((c["maxrss_mb"] or 0 for c in cold.values()), default=None)

    # --- the pages in a browser: streamlit + headless Chromium (bench/browser.py) ---------------
    from bench import browser

    why_not = browser.missing()
    if args.browser is False:
        why_not = "--no-browser"
    elif why_not and args.browser:
        why_not = f"--browser asked but {why_not}"
    if why_not:
        notes.append(f"browser render not measured: {why_not}")
        for key in ("cold", "warm", "click", "return", "first"):
            result[f"page_browser_{key}_ms"] = {}
        result["page_browser"] = {"skipped": why_not}
    else:
        _say("pages in the browser (streamlit + chromium)")
        app_root = code_root if (code_root / "app.py").exists() else ROOT
        b = runner("browser", {"db": str(query_db), "app_root": str(app_root), "warm_runs": runs,
                               "log": str(workdir / f"streamlit_n{n}.log"), "timeout_s": args.browser_timeout_s})
        bp = b.get("pages") or {}
        result["page_browser_cold_ms"] = {p: v.get("cold_ms") for p, v in bp.items()}
        result["page_browser_warm_ms"] = {p: v.get("warm_ms") for p, v in bp.items()}
        result["page_browser_click_ms"] = {p: v.get("click_ms") for p, v in bp.items()}
        result["page_browser_return_ms"] = {p: v.get("return_ms") for p, v in bp.items()}
        result["page_browser_first_ms"] = {p: v.get("first_ms") for p, v in bp.items()}
        result["page_browser"] = {k: v for k, v in b.items() if k not in ("ok", "maxrss_mb", "traceback")}
        result["page_browser"]["error"] = b.get("error")
        result["page_browser"]["bench_child_maxrss_mb"] = b.get("maxrss_mb")   # the Playwright driver side
        rss["app_streamlit"] = b.get("streamlit_vmhwm_mb")

    # --- pandas baseline ------------------------------------------------------------------------
    if n <= args.pandas_max_cases:
        _say("pandas baseline")
        pargs = {"csv": str(ds.files["csv"]), "runs": max(runs, 3)}
        if "xlsx" in ds.files and ds.rows["xlsx"] <= args.pandas_xlsx_max_rows:
            pargs["xlsx"] = str(ds.files["xlsx"])
        elif "xlsx" in ds.files:
            notes.append(f"pandas read_excel (openpyxl) skipped above {args.pandas_xlsx_max_rows:,} rows "
                         "(--pandas-xlsx-max-rows): minutes per run")
        p = runner("pandas", pargs)
        result["pandas"] = p
        result["pandas_kpis_ms"] = p.get("kpis_ms")
        rss["pandas"] = p.get("maxrss_mb")
    else:
        notes.append(f"pandas baseline skipped above {args.pandas_max_cases:,} cases (--pandas-max-cases)")
        result["pandas_kpis_ms"] = None

    # --- EXPLAIN ANALYZE (optional) -------------------------------------------------------------
    if args.explain:
        _say("explain analyze")
        result["explain"] = runner("explain", {"db": str(query_db), "outdir": str(workdir / f"explain_n{n}")})

    loads = [v for k, v in rss.items() if k.startswith("load_") or k == "incremental"]
    result["rss_mb_by_step"] = rss
    result["peak_rss_load_mb"] = max((v for v in loads if v is not None), default=None)
    app = [v for k, v in rss.items() if k.startswith("app_")]
    result["peak_rss_app_mb"] = max((v for v in app if v is not None), default=None)
    result["peak_rss_mb"] = max((v for v in loads + app if v is not None), default=None)
    result["query_db_mb"] = query_db.stat().st_size / 2**20 if query_db.exists() else None
    for lock in workdir.glob(f"*_n{n}.duckdb.lock"):
        lock.unlink(missing_ok=True)
    if not args.keep_db:
        query_db.unlink(missing_ok=True)
    result["machine"]["loadavg_end"] = round(os.getloadavg()[0], 2)
    result["machine"]["speed_end"] = speed_probe()
    result["finished_at"] = datetime.now().isoformat(timespec="seconds")
    result["goals"] = report.goals(result)
    result["goals_passed"] = sum(1 for g in result["goals"] if g["pass"])
    result["goals_failed"] = sum(1 for g in result["goals"] if g["pass"] is False)
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--cases", type=parse_cases, required=True, help="number of cases: 100k, 1M, 5M (20M with --huge)")
    p.add_argument("--out", required=True, help="JSON result file")
    p.add_argument("--formats", type=lambda s: [f.strip() for f in s.split(",") if f.strip()], default=None,
                   help="csv,xlsx,jsonl (default: all three up to 1M cases, csv,jsonl above)")
    p.add_argument("--runs", type=int, default=3, help="runs per measured step; the median is reported (default 3)")
    p.add_argument("--workdir", default=str(ROOT / "bench-output" / "data"),
                   help="where generated files are cached and databases built (default bench-output/data)")
    p.add_argument("--huge", action="store_true", help=f"allow more than {HUGE:,} cases (20M: tens of GB of files)")
    p.add_argument("--salt", action="store_true", help="load with a salt file (applicant ID hashing on)")
    p.add_argument("--no-snapshot", dest="snapshot", action="store_false",
                   help="run the steps on the live tree instead of a copy taken at the start")
    p.add_argument("--explain", action="store_true", help="also write EXPLAIN ANALYZE of every page query")
    p.add_argument("--keep-db", action="store_true", help="keep the query database in the workdir")
    p.add_argument("--page-budget-s", type=float, default=20.0,
                   help="a page whose first warm pass takes longer is timed once more, not --runs times")
    p.add_argument("--cold-runs", type=int, default=None, help="cold runs per page (default --runs; 0 skips)")
    p.add_argument("--browser", action=argparse.BooleanOptionalAction, default=None,
                   help="open the pages in headless Chromium through streamlit (default: on when "
                        "/usr/bin/chromium and playwright exist)")
    p.add_argument("--browser-timeout-s", type=float, default=300.0,
                   help="longest wait for one page to render in the browser (default 300)")
    p.add_argument("--pandas-max-cases", type=parse_cases, default=5_000_000)
    p.add_argument("--pandas-xlsx-max-rows", type=parse_cases, default=100_000)
    args = p.parse_args(argv)
    if args.cases > HUGE and not args.huge:
        p.error(f"--cases above {HUGE:,} needs --huge")
    bad = [f for f in (args.formats or []) if f not in ("csv", "xlsx", "jsonl")]
    if bad:
        p.error(f"unknown format(s): {', '.join(bad)}")
    if args.runs < 1:
        p.error("--runs must be at least 1")
    result = run(args)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    print(report.table(result))
    print(f"\nwritten {out}")
    return 0
