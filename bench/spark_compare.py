"""DuckDB against Spark (local mode) on the same warehouse: the figures behind docs/scale.md.

    python -m bench.spark_compare --db bench-output/data/query_n1000000.duckdb \
        --out bench-output/spark-1m.json [--master local[2]] [--runs 3]

The warehouse is a query database kept by `python -m bench ... --keep-db` (bench/cli.py). Steps,
each timed with wall-clock seconds:
  1. copy it to --work and bring its views, macros and case_facts to the current queries/views.sql
     (etl.warehouse.create_schema), so both engines run today's metric SQL;
  2. export it with etl.export.export_parquet (python -m etl export-parquet);
  3. DuckDB: the queries below through queries.metrics on a read-only connection (setting
     query_threads), --runs times each;
  4. Spark: session start, then for case_facts=view (computed from case_facts_view on Spark, what a
     national run without a DuckDB load would do) and case_facts=stored (the exported table): connect,
     first query, then the queries --runs times each;
and checks that both engines print the same `kpis --format json` and II.06a.
The load average (os.getloadavg) is recorded before and after: the machine may be shared.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# (label, metrics function, kwargs): the dashboard's main figures over a year and a week
QUERIES = [
    ("kpis_ytd", "kpis", {"start": "2026-01-01", "end": "2026-11-15"}),
    ("kpis_week", "kpis", {"start": "2026-11-09", "end": "2026-11-15"}),
    ("report06a_week", "report06a", {"start": "2026-11-09", "end": "2026-11-15"}),
    ("kpis_by_month_ytd", "kpis_by_period", {"start": "2026-01-01", "end": "2026-11-15", "grain": "month"}),
]


def _say(msg: str) -> None:
    print(f"[spark_compare {datetime.now():%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


def _timed(fn, *a, **k):
    t0 = time.perf_counter()
    result = fn(*a, **k)
    return result, time.perf_counter() - t0


def _comparable(name: str, result):
    from queries.cli import kpi_json

    if name == "kpis":
        return kpi_json(result)
    rows = result.to_pylist()
    # floats summed in another order may differ in the last bits; the CLI prints 2 decimals
    return [{k: round(v, 9) if isinstance(v, float) else v for k, v in r.items()} for r in rows]


def _run_queries(con, runs: int) -> tuple[dict, dict]:
    from queries import metrics

    times, outputs = {}, {}
    for label, fn, kwargs in QUERIES:
        samples = []
        for _ in range(runs):
            result, seconds = _timed(getattr(metrics, fn), con, **kwargs)
            samples.append(seconds)
        outputs[label] = _comparable(fn, result)
        times[label] = {"median_s": statistics.median(samples), "min_s": min(samples), "runs": samples}
        _say(f"  {label}: median {times[label]['median_s']:.2f} s")
    return times, outputs


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.spark_compare", description=__doc__.splitlines()[0])
    p.add_argument("--db", type=Path, required=True, help="a warehouse (bench query database)")
    p.add_argument("--work", type=Path, default=ROOT / "bench-output" / "spark", help="work folder")
    p.add_argument("--out", type=Path, required=True, help="result JSON")
    p.add_argument("--master", default="local[2]")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--modes", default="view,stored",
                   help="spark_case_facts modes to measure, comma-separated (view: computed on Spark; stored)")
    p.add_argument("--skip-prepare", action="store_true", help="reuse the prepared copy and export in --work")
    args = p.parse_args(argv)

    from core.db import connect_readonly

    result: dict = {"started": datetime.now().isoformat(timespec="seconds"), "db": str(args.db),
                    "master": args.master, "runs": args.runs, "cpus": os.cpu_count(),
                    "platform": platform.platform(), "loadavg_before": os.getloadavg(), "steps": {}}
    args.work.mkdir(parents=True, exist_ok=True)
    db, parquet = args.work / "warehouse.duckdb", args.work / "parquet"

    if not args.skip_prepare:
        import duckdb

        from etl import warehouse
        from etl.export import export_parquet

        _say(f"copying {args.db} and refreshing its views and case_facts")
        shutil.copy(args.db, db)
        con = duckdb.connect(str(db))
        _, seconds = _timed(warehouse.create_schema, con)
        con.execute("checkpoint")
        con.close()
        result["steps"]["duckdb_refresh_schema_s"] = seconds
        _say("exporting to Parquet")
        _, seconds = _timed(export_parquet, db, parquet)
        result["steps"]["export_parquet_s"] = seconds
    result["warehouse_mb"] = db.stat().st_size / 1e6
    result["parquet_mb"] = _du(parquet) / 1e6
    con = connect_readonly(db)
    result["cases"] = con.execute("select count(*) from cases").fetchall()[0][0]
    result["case_facts"] = con.execute("select count(*) from case_facts").fetchall()[0][0]

    _say(f"DuckDB ({result['cases']} cases)")
    times, duck_out = _run_queries(con, args.runs)
    con.close()
    result["duckdb"] = times

    from queries import spark_engine

    _say(f"Spark {args.master}: session")
    _, result["steps"]["spark_session_start_s"] = _timed(spark_engine.spark_session, args.master)
    result["spark"] = {}
    result["identical_output"] = {}
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    for mode in modes:
        _say(f"Spark, case_facts={mode}")
        spark, connect_s = _timed(spark_engine.connect, parquet, master=args.master, case_facts=mode)
        from queries import metrics

        _, first_s = _timed(metrics.kpis, spark, "2026-01-01", "2026-01-31")
        _say(f"  connect {connect_s:.1f} s, first query {first_s:.1f} s")
        times, spark_out = _run_queries(spark, args.runs)
        spark.close()
        result["spark"][mode] = {"connect_s": connect_s, "first_query_s": first_s, "queries": times}
        result["identical_output"][mode] = {k: duck_out[k] == spark_out[k] for k in duck_out}
    result["loadavg_after"] = os.getloadavg()
    result["finished"] = datetime.now().isoformat(timespec="seconds")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    print(f"{result['cases']} cases, warehouse {result['warehouse_mb']:.0f} MB, Parquet {result['parquet_mb']:.0f} MB, "
          f"load avg before {result['loadavg_before'][0]:.2f} after {result['loadavg_after'][0]:.2f}")
    for k, v in result["steps"].items():
        print(f"{k:<28} {v:8.1f} s")
    print(f"{'query (median s)':<22} {'duckdb':>8}" + "".join(f" {'spark ' + m:>13}" for m in modes))
    for label, *_ in QUERIES:
        print(f"{label:<22} {result['duckdb'][label]['median_s']:8.2f}"
              + "".join(f" {result['spark'][m]['queries'][label]['median_s']:13.2f}" for m in modes))
    for mode in modes:
        print(f"spark {mode}: connect {result['spark'][mode]['connect_s']:.1f} s, first query "
              f"{result['spark'][mode]['first_query_s']:.1f} s, identical output: "
              f"{all(result['identical_output'][mode].values())}")
    return 0 if all(all(v.values()) for v in result["identical_output"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
