"""Where the time goes, statement by statement.

    python -m bench.profile etl FILE [FILE...]        # every SQL statement of a load, timed
    python -m bench.profile queries DB [--out DIR]     # each page query's EXPLAIN ANALYZE, hottest operators

`etl` runs etl.load.load_into on a scratch database through a connection proxy that times every
execute()/sql() the ETL issues (the readers are lazy: the file is read inside the stage statement).
`queries` runs the benchmark's pages once, then EXPLAIN ANALYZE of each SQL they ran, and prints
the operators that take most of each query's time. Neither edits etl/ or queries/.
"""
from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


class TimedConnection:
    """Forwards to a DuckDB connection, timing execute() and the eager part of sql()."""

    def __init__(self, con):
        self._con = con
        self.log: list[tuple[float, str]] = []

    def __getattr__(self, name):
        return getattr(self._con, name)

    def _record(self, t0: float, sql: str) -> None:
        self.log.append((time.perf_counter() - t0, " ".join(str(sql).split())[:160]))

    def execute(self, sql, params=None):
        t0 = time.perf_counter()
        try:
            return self._con.execute(sql, params) if params is not None else self._con.execute(sql)
        finally:
            self._record(t0, sql)

    def sql(self, sql, params=None):
        t0 = time.perf_counter()
        try:
            return self._con.sql(sql, params=params) if params is not None else self._con.sql(sql)
        finally:
            self._record(t0, "[sql] " + sql)


def profile_etl(files: list[Path]) -> None:
    import duckdb

    from etl import load

    with tempfile.TemporaryDirectory() as tmp:
        con = duckdb.connect(str(Path(tmp) / "p.duckdb"))
        timed = TimedConnection(con)
        t0 = time.perf_counter()
        results = load.load_into(timed, files, progress=False)
        t1 = time.perf_counter()
        con.execute("checkpoint")
        t2 = time.perf_counter()
        con.close()
    total = t1 - t0
    print(f"load_into {total:.2f} s, checkpoint {t2 - t1:.2f} s, rows read {sum(r.rows_read for r in results):,}")
    for dt, text in sorted(timed.log, reverse=True)[:25]:
        print(f"{dt:8.3f} s {100 * dt / total:5.1f} %  {text}")


def profile_queries(db: Path, out: Path | None) -> None:
    from bench.child import step_explain

    out = out or Path(tempfile.mkdtemp(prefix="bench-explain-"))
    result = step_explain({"db": str(db), "outdir": str(out)})
    for label, info in result["queries"].items():
        text = (out / f"{label}.txt").read_text(encoding="utf-8")
        ops = []
        # operator boxes print their name on one line and "(0.12s)" a few lines below
        name = None
        for line in text.splitlines():
            cell = line.strip("│┌┐└┘─ ").strip()
            if re.fullmatch(r"[A-Z_]{3,}( [A-Z_]+)*", cell or ""):
                name = cell
            m = re.search(r"\(([0-9.]+)s\)", line)
            if m and name:
                ops.append((float(m.group(1)), name))
                name = None
        top = ", ".join(f"{n} {t:.3f}s" for t, n in sorted(ops, reverse=True)[:4])
        print(f"{label:<28} total {info['total_s']}s  {info['params']}\n    hottest: {top}")
    print(f"plans in {out}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.profile")
    sub = p.add_subparsers(dest="what", required=True)
    e = sub.add_parser("etl")
    e.add_argument("files", nargs="+", type=Path)
    q = sub.add_parser("queries")
    q.add_argument("db", type=Path)
    q.add_argument("--out", type=Path)
    args = p.parse_args(argv)
    if args.what == "etl":
        profile_etl(args.files)
    else:
        profile_queries(args.db, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
