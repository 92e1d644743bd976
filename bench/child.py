"""One measured step, run in a fresh process: ``python -m bench.child STEP JSON_ARGS``.

The step's result is printed as one line ``BENCH_RESULT {json}`` on stdout; every result carries
``maxrss_mb``, the peak resident set size of this process (resource.getrusage ru_maxrss), so
each step's memory is measured alone. bench.cli starts the steps and collects the results.
"""
from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MARKER = "BENCH_RESULT "


def maxrss_mb() -> float:
    """Peak RSS of this process. VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the
    parent at fork, so a child of a big parent would report the parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _median(xs: list[float]) -> float | None:
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


# ---------------------------------------------------------------------------------------------
# ETL
# ---------------------------------------------------------------------------------------------
class _Phases:
    """Wall time spent in each ETL function, by wrapping the names etl.load calls (no edit of etl/)."""

    def __init__(self):
        self.t: dict[str, float] = {}

    def wrap(self, module, attr: str, label: str) -> None:
        fn = getattr(module, attr)

        def timed(*a, **k):
            t0 = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                self.t[label] = self.t.get(label, 0.0) + time.perf_counter() - t0

        setattr(module, attr, timed)


def step_load(args: dict) -> dict:
    from etl import atomic, load, warehouse, stage as stage_mod, readers

    # Only the week's load runs as a centre's does, taking the spare copy the last load left and
    # leaving one: the throughput runs load into fresh files that are deleted after.
    os.environ["TTHC_LOAD_SPARE_COPY"] = "true" if args.get("spare") else "false"
    ph = _Phases()
    ph.wrap(atomic, "_copy", "copy_db_file")   # a reflink or a byte copy of the warehouse file
    ph.wrap(atomic, "_take_spare", "take the spare copy")
    ph.wrap(warehouse, "create_schema", "create_schema")
    ph.wrap(load, "open_source", "open_source (lazy reader, header scan)")
    ph.wrap(load, "stage", "stage (read + parse + validate)")
    ph.wrap(stage_mod, "x_blank_fields", "stage: x_blank_fields pre-scan")
    ph.wrap(load, "merge", "merge")
    ph.wrap(load, "derive_due_dates", "derive_due_dates")
    ph.wrap(load, "_sha256", "sha256 of file")
    # an Excel sheet is read on a worker thread, overlapping the hashing and a new schema: the
    # read's own time, and how long the load then waited for it
    ph.wrap(load, "read_xlsx_sheet", "xlsx sheet read (worker thread)")
    ph.wrap(load, "_await_sheet", "xlsx sheet: wait for the read")
    ph.wrap(load, "load_into", "load_into (transaction)")
    ph.wrap(atomic, "_fsync_path", "fsync")
    if hasattr(warehouse, "refresh_facts"):   # materialised case facts (rebuilt by every load)
        ph.wrap(warehouse, "refresh_facts", "refresh_facts (all calls, some inside create_schema)")
    del readers
    paths = [Path(p) for p in args["files"]]
    t0 = time.perf_counter()
    results = load.load_files(Path(args["db"]), paths, fresh=args.get("fresh", False), progress=False)
    seconds = time.perf_counter() - t0
    phases = dict(ph.t)
    inner = phases.get("load_into (transaction)", 0.0)
    phases["commit: checkpoint, close, replace"] = (seconds - inner - phases.get("copy_db_file", 0.0)
                                                   - phases.get("fsync", 0.0))
    known = sum(v for k, v in phases.items() if k in ("create_schema", "open_source (lazy reader, header scan)",
                                                       "stage (read + parse + validate)", "merge",
                                                       "derive_due_dates", "sha256 of file",
                                                       "xlsx sheet: wait for the read"))
    phases["load_into: rejects, ingestions, other"] = inner - known   # includes refresh_facts outside create_schema
    return {"seconds": seconds, "phases_s": phases,
            "files": [{"file": r.file_name, "format": r.format, "kind": r.kind, "read": r.rows_read,
                       "inserted": r.rows_inserted, "updated": r.rows_updated, "unchanged": r.rows_unchanged,
                       "rejected": r.rows_rejected} for r in results],
            "rows_read": sum(r.rows_read for r in results),
            "db_mb": Path(args["db"]).stat().st_size / 2**20}


def step_settle(args: dict) -> dict:
    """The warehouse file as it stands between two loads: on disk (a copy the bench has just made
    would still be written back during the load), and with the spare copy the last load made
    unless args["spare"] is false."""
    from etl import atomic

    db = Path(args["db"])
    t0 = time.perf_counter()
    atomic._fsync_path(db)
    fsync_s = time.perf_counter() - t0
    made = spare_s = None
    if args.get("spare", True):
        os.environ["TTHC_LOAD_SPARE_COPY"] = "true"
        t0 = time.perf_counter()
        made = atomic.make_spare(db)
        spare_s = time.perf_counter() - t0
    return {"fsync_s": fsync_s, "spare_made": made, "spare_s": spare_s if made else None}


# ---------------------------------------------------------------------------------------------
# Raw readers: the ETL's floor
# ---------------------------------------------------------------------------------------------
def step_raw_csv(args: dict) -> dict:
    """DuckDB read_csv of the export into a table, all VARCHAR, with the ETL reader's options."""
    import duckdb

    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    width = args["columns"]
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    out = {}
    for label, parallel in (("etl_options", "false"), ("parallel", "true")):
        t0 = time.perf_counter()
        con.execute(f"create or replace table t as select * from read_csv($p, header = false, skip = 1, "
                    f"auto_detect = false, delim = ',', quote = '\"', escape = '\"', null_padding = true, "
                    f"strict_mode = false, parallel = {parallel}, columns = {columns}, encoding = 'utf-8', "
                    f"max_line_size = {64 << 20})", {"p": args["path"]})
        seconds = time.perf_counter() - t0
        rows = con.execute("select count(*) from t").fetchall()[0][0]
        out[label] = {"seconds": seconds, "rows": rows}
        con.execute("drop table t")
    return {"seconds": out["etl_options"]["seconds"], "rows": out["etl_options"]["rows"],
            "parallel_seconds": out["parallel"]["seconds"]}


def step_raw_xlsx(args: dict) -> dict:
    """fastexcel to Arrow, exactly as etl.readers.read_xlsx loads a sheet."""
    import fastexcel

    t0 = time.perf_counter()
    reader = fastexcel.read_excel(args["path"])
    sheet = reader.load_sheet(reader.sheet_names[0], header_row=None, dtypes="string", skip_rows=0)
    table = sheet.to_arrow()
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "rows": table.num_rows, "columns": table.num_columns}


def step_raw_jsonl(args: dict) -> dict:
    """DuckDB read_json_objects into a table (the ETL's JSON reader before field extraction)."""
    import duckdb

    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    t0 = time.perf_counter()
    con.execute("create table t as select json as j from read_json_objects($p, format = 'auto')", {"p": args["path"]})
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "rows": con.execute("select count(*) from t").fetchall()[0][0]}


# ---------------------------------------------------------------------------------------------
# Dashboard pages
# ---------------------------------------------------------------------------------------------
class _QueryTimer:
    """Times every SQL the metric layer runs (queries.loader.run), by query name."""

    def __init__(self):
        from queries import loader

        self.loader = loader
        self.orig = loader.run
        self.log: list[tuple[str, float, dict]] = []

        def run(con, name, params=None):
            t0 = time.perf_counter()
            try:
                return self.orig(con, name, params)
            finally:
                self.log.append((name, (time.perf_counter() - t0) * 1000, dict(params or {})))

        loader.run = run


def _run_page(con, calls) -> tuple[float | None, dict]:
    per_call, total, failed = {}, 0.0, False
    for label, call in calls:
        t0 = time.perf_counter()
        try:
            call(con)
            ms = (time.perf_counter() - t0) * 1000
            per_call[label] = ms
            total += ms
        except Exception as exc:  # a query the metric engineer is still finishing must not stop the bench
            per_call[label] = None
            per_call[label + " error"] = str(exc).splitlines()[0][:300]
            failed = True
    return (None if failed else total), per_call


def step_page_cold(args: dict) -> dict:
    t0 = time.perf_counter()
    from core.db import connect_readonly
    from bench import pages
    page_calls = pages.pages()[args["page"]]
    import_ms = (time.perf_counter() - t0) * 1000
    t1 = time.perf_counter()
    con = connect_readonly(args["db"])
    connect_ms = (time.perf_counter() - t1) * 1000
    total, per_call = _run_page(con, page_calls)
    con.close()
    return {"ms": None if total is None else connect_ms + total, "connect_ms": connect_ms,
            "import_ms": import_ms, "calls_ms": per_call}


def step_pages_warm(args: dict) -> dict:
    """All pages in one process, as the app serves them: a first pass (warming DuckDB's buffers),
    then `runs` passes; per page and per call the median of the passes. Also the headline figures
    (metrics.kpis for the year) and the bare-scan floor, both warm."""
    from core.db import connect_readonly
    from bench import pages
    from queries import metrics

    timer = _QueryTimer()
    con = connect_readonly(args["db"])
    page_calls = pages.pages()
    runs = max(1, int(args.get("runs", 3)))
    first: dict[str, float | None] = {}
    totals: dict[str, list] = {p: [] for p in page_calls}
    calls: dict[str, dict[str, list]] = {p: {} for p in page_calls}
    errors: dict[str, str] = {}
    budget_s = float(args.get("page_budget_s", 20.0))
    for p, c in page_calls.items():
        t, per = _run_page(con, c)
        first[p] = t
        errors.update({f"{p}: {k[:-6]}": v for k, v in per.items() if k.endswith(" error")})
    timer.log.clear()
    for _ in range(runs):
        for p, c in page_calls.items():
            if first[p] is not None and first[p] > budget_s * 1000 and totals[p]:
                continue   # a page that takes minutes is measured once more, not `runs` times
            t, per = _run_page(con, c)
            totals[p].append(t)
            for k, v in per.items():
                if not k.endswith(" error"):
                    calls[p].setdefault(k, []).append(v)
    by_query: dict[str, list] = {}
    for name, ms, _ in timer.log:
        by_query.setdefault(name, []).append(ms)

    # headline figures and the floor
    kpis_ms = []
    floor_ms = []
    params = pages.scan_floor_params()
    con.execute(pages.SCAN_FLOOR_SQL.replace("$start", "?").replace("$end", "?"),
                [params["start"], params["end"]]).fetchall()
    t0 = time.perf_counter()
    metrics.kpis(con, *pages.PERIOD)
    reps = max(runs, 5) if time.perf_counter() - t0 < 5 else 2
    for _ in range(reps):
        t0 = time.perf_counter()
        metrics.kpis(con, *pages.PERIOD)
        kpis_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        count = con.execute(pages.SCAN_FLOOR_SQL.replace("$start", "?").replace("$end", "?"),
                            [params["start"], params["end"]]).fetchall()[0][0]
        floor_ms.append((time.perf_counter() - t0) * 1000)
    k = metrics.kpis(con, *pages.PERIOD)
    cases = con.execute("select count(*) from cases").fetchall()[0][0]
    con.close()
    return {
        "page_ms": {p: (_median(v) if all(x is not None for x in v) and v else None) for p, v in totals.items()},
        "page_first_ms": first,
        "calls_ms": {p: {k2: _median(v) for k2, v in c.items()} for p, c in calls.items()},
        "query_ms": {name: {"median": _median(v), "n": len(v)} for name, v in sorted(by_query.items())},
        "errors": errors,
        "kpis_ms": _median(kpis_ms),
        "scan_floor_ms": _median(floor_ms),
        "scan_floor_count": count,
        "kpis_year": {x: k.get(x) for x in ("received", "resolved", "on_time_rate", "online_share")},
        "cases_in_db": cases,
    }


def step_explain(args: dict) -> dict:
    """EXPLAIN ANALYZE of every SQL a page runs (captured from queries.loader.run), one text file
    per query, written to args['outdir']; returns each query's total time as DuckDB reports it."""
    import re

    import duckdb

    from bench import pages
    from core.db import connect_readonly

    timer = _QueryTimer()
    con = connect_readonly(args["db"])
    for p, calls in pages.pages().items():
        _run_page(con, calls)
    captured = []
    seen = set()
    for name, ms, params in timer.log:
        key = (name, json.dumps(params, default=str, sort_keys=True))
        if key not in seen:
            seen.add(key)
            captured.append((name, params))
    con.close()
    plain = duckdb.connect(args["db"], read_only=True)
    plain.execute("set enable_progress_bar = false")
    outdir = Path(args["outdir"])
    outdir.mkdir(parents=True, exist_ok=True)
    out = {}
    for i, (name, params) in enumerate(captured):
        loader = timer.loader
        bound = {k: params[k] for k in loader.parameters(name)}
        text = "\n".join(str(r[1]) for r in plain.sql("explain analyze " + loader.routed_text(name, bound),
                                                       params=bound).fetchall())
        label = f"{i:02d}_{name}"
        (outdir / f"{label}.txt").write_text(f"-- {name} {json.dumps(bound, default=str)}\n{text}\n",
                                             encoding="utf-8")
        m = re.search(r"Total Time:\s*([0-9.]+)s", text)
        out[label] = {"params": {k: str(v) for k, v in bound.items()},
                      "total_s": float(m.group(1)) if m else None}
    plain.close()
    return {"queries": out, "outdir": str(outdir)}


# ---------------------------------------------------------------------------------------------
# pandas baseline
# ---------------------------------------------------------------------------------------------
def step_pandas(args: dict) -> dict:
    """What a pandas script would do with the same export: read the CSV (the columns the headline
    metrics need), type it, then compute received, resolved, on-time rate and online share for the
    period, in total and per sector (groupby). Read and compute are timed apart; the compute is
    the median of `runs` repetitions on the typed frame, which is what a pandas dashboard would
    redo per interaction."""
    from datetime import datetime

    import numpy as np
    import pandas as pd

    from bench import gen, pages

    status_codes = {v: k for k, v in gen.G.STATUS_B.items()}
    online_word = gen.G.CHANNEL_B["online"]
    cols = {"Tên lĩnh vực": "sector", "Hình thức nộp": "channel", "Ngày nhận hồ sơ": "received",
            "Hạn xử lý": "due", "Ngày hoàn thành": "finished", "Ngày trả": "returned", "Trạng thái hồ sơ": "status"}
    out: dict = {"pandas_version": pd.__version__}
    t0 = time.perf_counter()
    raw = pd.read_csv(args["csv"], usecols=list(cols), dtype=str, encoding="utf-8-sig", keep_default_na=True)
    out["read_csv_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    df = pd.DataFrame({
        "sector": raw["Tên lĩnh vực"].astype("category"),
        "online": raw["Hình thức nộp"].eq(online_word).to_numpy(),
        "status": raw["Trạng thái hồ sơ"].map(status_codes).astype("Int8"),
        **{cols[c]: pd.to_datetime(raw[c], format="%d/%m/%Y %H:%M:%S", errors="coerce")
           for c in ("Ngày nhận hồ sơ", "Hạn xử lý", "Ngày hoàn thành", "Ngày trả")},
    })
    del raw
    out["type_s"] = time.perf_counter() - t0
    start, end = (pd.Timestamp(datetime.combine(d, datetime.min.time())) for d in pages.PERIOD)

    def headline(df):
        s = df[~df["status"].isin([1, 3]).fillna(False).to_numpy()]
        rd = s["received"].dt.normalize()
        rec = ((rd >= start) & (rd <= end)).to_numpy()
        fd = s["finished"].fillna(s["returned"]).dt.normalize()
        res = ((fd >= start) & (fd <= end)).to_numpy()
        dd = s["due"].dt.normalize()
        on_time = res & ((s["status"] == 7).fillna(False).to_numpy() | dd.isna().to_numpy()
                         | (fd <= dd).fillna(False).to_numpy())
        g = pd.DataFrame({"sector": s["sector"].to_numpy(), "received": rec, "online": rec & s["online"].to_numpy(),
                          "resolved": res, "on_time": on_time}).groupby("sector", observed=True).sum()
        g["on_time_rate"] = 100.0 * g["on_time"] / g["resolved"].replace(0, np.nan)
        g["online_share"] = 100.0 * g["online"] / g["received"].replace(0, np.nan)
        t = g[["received", "online", "resolved", "on_time"]].sum()
        return {"received": int(t["received"]), "resolved": int(t["resolved"]),
                "on_time_rate": 100.0 * t["on_time"] / t["resolved"] if t["resolved"] else None,
                "online_share": 100.0 * t["online"] / t["received"] if t["received"] else None}, g

    times = []
    result = None
    for _ in range(max(3, int(args.get("runs", 3)))):
        t0 = time.perf_counter()
        result, _g = headline(df)
        times.append((time.perf_counter() - t0) * 1000)
    out["kpis_ms"] = _median(times)
    out["kpis_year"] = result
    out["rows"] = len(df)
    if args.get("xlsx"):
        t0 = time.perf_counter()
        x = pd.read_excel(args["xlsx"], header=None, skiprows=7, dtype=str, engine="openpyxl")
        out["read_excel_s"] = time.perf_counter() - t0
        out["read_excel_rows"] = len(x)
        out["read_excel_engine"] = "openpyxl"
    return out


def step_browser(args: dict) -> dict:
    """The metric pages rendered by `streamlit run app.py` in headless Chromium (bench/browser.py)."""
    from bench import browser

    return browser.step_browser(args)


STEPS = {
    "load": step_load, "settle": step_settle, "raw_csv": step_raw_csv, "raw_xlsx": step_raw_xlsx, "raw_jsonl": step_raw_jsonl,
    "page_cold": step_page_cold, "pages_warm": step_pages_warm, "explain": step_explain, "pandas": step_pandas,
    "browser": step_browser,
}


def main(argv: list[str]) -> int:
    step, args = argv[1], json.loads(argv[2])
    try:
        result = STEPS[step](args)
        result["ok"] = True
    except Exception as exc:
        result = {"ok": False, "error": f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:500],
                  "traceback": traceback.format_exc()[-3000:]}
    result["maxrss_mb"] = maxrss_mb()
    sys.stdout.write(MARKER + json.dumps(result, default=str) + "\n")
    sys.stdout.flush()
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
