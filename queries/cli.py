"""Command line of the metric layer: ``python -m queries <command> ...``.

  kpis      the period's headline figures (--format table | json)
  report06a Biểu II.06a (--format table | json | xlsx, --out FILE)
  (kpis and report06a: --engine spark --parquet DIR runs the same SQL on Apache Spark; docs/scale.md)
  targets   plan targets against the figures, provided by queries/targets.py when present

Input errors (bad dates, missing database, unwritable output) print one line and exit 2.
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import sys
from datetime import date
from pathlib import Path

import duckdb

from core import settings
from core.db import connect_readonly
from queries import metrics

# `kpis --format json` prints exactly these keys: counts as integers, rates in percent rounded to 2
# decimals, null when not measurable.
KPI_JSON_COUNTS = ("received", "resolved", "resolved_early", "resolved_on_time", "resolved_late",
                   "pending", "pending_overdue")
KPI_JSON_RATES = ("on_time_rate", "progress_rate", "online_share", "digitised_share", "e_result_share",
                  "online_payment_share", "satisfaction_rate")

# labels of `kpis --format table`
KPI_LABELS = {
    "received": "Tiếp nhận / received",
    "resolved": "Đã giải quyết / resolved",
    "resolved_early": "  trước hạn / early",
    "resolved_on_time": "  đúng hạn / on time",
    "resolved_late": "  quá hạn / late",
    "pending": "Đang giải quyết / pending",
    "pending_overdue": "  quá hạn / overdue",
    "on_time_rate": "Tỷ lệ đúng hạn / on-time rate",
    "progress_rate": "Điểm tiến độ (DVCQG) / progress score basis",
    "online_share": "Tỷ lệ trực tuyến / online share",
    "digitised_share": "Tỷ lệ số hóa hồ sơ / digitised share",
    "e_result_share": "Tỷ lệ kết quả điện tử / e-result share",
    "online_payment_share": "Tỷ lệ thanh toán trực tuyến / online payment share",
    "satisfaction_rate": "Mức độ hài lòng / satisfaction",
}
NO_DATA = "không có dữ liệu"


class UsageError(Exception):
    """A bad argument: one line on stderr, exit status 2."""


def _period(args: argparse.Namespace) -> tuple[date, date]:
    """The --start/--end dates; ValueError (exit 2) when bad."""
    p = metrics.period(metrics.as_date(args.start, "--start"), metrics.as_date(args.end, "--end"))
    return p["start"], p["end"]


def _connect(args: argparse.Namespace):
    """The warehouse file (DuckDB), or with --engine spark the Parquet export on Spark, which runs
    the same queries/*.sql translated (queries/spark_engine.py, docs/scale.md)."""
    if getattr(args, "engine", "duckdb") == "spark":
        return _connect_spark(args)
    path = Path(args.db)
    if not path.is_file():
        raise UsageError(f"Không tìm thấy cơ sở dữ liệu / database not found: {path}")
    try:
        return connect_readonly(path)
    except duckdb.Error as exc:
        raise UsageError(f"Không mở được cơ sở dữ liệu / cannot open database {path}: "
                         f"{str(exc).splitlines()[0]}") from None


def _connect_spark(args: argparse.Namespace):
    from queries import spark_engine

    parquet = args.parquet or settings.get("parquet_dir")
    if "://" not in parquet and not (Path(parquet) / spark_engine.MANIFEST).is_file():
        raise UsageError(f"Không tìm thấy bản xuất Parquet / no Parquet export in {parquet} "
                         "(python -m etl export-parquet --db ... --out ...)")
    try:
        return spark_engine.connect(parquet, master=args.master)
    except spark_engine.SparkUnavailable as exc:
        raise UsageError(f"Không chạy được Spark / Spark unavailable: {exc}") from None


def kpi_json(figures: dict) -> dict:
    """The `kpis --format json` object from metrics.kpis()."""
    out = {k: int(figures[k]) for k in KPI_JSON_COUNTS}
    return out | {k: None if figures[k] is None else round(float(figures[k]), 2) for k in KPI_JSON_RATES}


def _kpi_table(figures: dict, start: date, end: date, unit: str | None, sector: str | None) -> str:
    scope = f"{start.isoformat()} .. {end.isoformat()}  đơn vị/unit: {unit or 'tất cả/all'}"
    if sector:
        scope += f"  lĩnh vực/sector: {sector}"
    data = kpi_json(figures)
    width = max(len(v) for v in KPI_LABELS.values())
    lines = [scope]
    for key, label in KPI_LABELS.items():
        value = data[key]
        if key in KPI_JSON_RATES:
            text = NO_DATA if value is None else f"{value:.2f} %"
        else:
            text = str(value)
        lines.append(f"{label:<{width}}  {text:>16}")
    return "\n".join(lines)


def _report_table(rows: list[dict]) -> str:
    cols = list(metrics.REPORT06A_COLUMNS)
    heads = [f"({metrics.REPORT06A_COLUMNS[c][0]})" for c in cols]
    cells = [["" if r[c] is None else str(r[c]) for c in cols] for r in rows]
    widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(heads)]
    legend = "; ".join(f"({n}) {g}{' - ' + s if s else ''}" for n, g, s in metrics.REPORT06A_COLUMNS.values())

    def fmt(row: list[str]) -> str:
        return "  ".join(v.ljust(w) if i == 1 else v.rjust(w) for i, (v, w) in enumerate(zip(row, widths)))

    return "\n".join([fmt(heads)] + [fmt(r) for r in cells] + [legend])


def cmd_kpis(args: argparse.Namespace) -> int:
    start, end = _period(args)
    con = _connect(args)
    try:
        figures = metrics.kpis(con, start, end, unit=args.unit, sector=args.sector)
    finally:
        con.close()
    if args.format == "json":
        print(json.dumps(kpi_json(figures), ensure_ascii=False))
    else:
        print(_kpi_table(figures, start, end, args.unit, args.sector))
    return 0


def cmd_report06a(args: argparse.Namespace) -> int:
    start, end = _period(args)
    con = _connect(args)
    try:
        table = metrics.report06a(con, start, end, unit=args.unit)
    finally:
        con.close()
    if args.format == "xlsx":
        from queries.report06a_xlsx import write_report06a_xlsx

        out = Path(args.out or f"bieu_II06a_{start.isoformat()}_{end.isoformat()}.xlsx")
        try:
            write_report06a_xlsx(table, start, end, args.unit, out)
        except OSError as exc:
            raise UsageError(f"Không ghi được tệp / cannot write {out}: {exc.strerror or exc}") from None
        print(out)
        return 0
    text = (json.dumps(table.to_pylist(), ensure_ascii=False, indent=1) if args.format == "json"
            else _report_table(table.to_pylist()))
    if args.out:
        try:
            Path(args.out).write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"Không ghi được tệp / cannot write {args.out}: {exc.strerror or exc}") from None
        print(args.out)
    else:
        print(text)
    return 0


# --- targets: provided by queries/targets.py (another module), wired here when it exists ---------
def cmd_targets(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("queries.targets") is None:
        raise UsageError("Chưa có mô-đun chỉ tiêu / queries.targets is not installed")
    targets = importlib.import_module("queries.targets")
    return int(targets.main_targets(args) or 0)


def cmd_sql(args: argparse.Namespace) -> int:
    """Ad-hoc SQL through the same sandbox as the SQL page: CSV on stdout, or one line and exit 2."""
    import csv

    from queries.sandbox import TRUNCATED_NOTE, run_user_sql

    result = run_user_sql(args.db, args.sql, timeout_s=args.timeout, max_rows=args.max_rows)
    if not result.ok:
        print(f"Lỗi: {result.error}", file=sys.stderr)
        return 2
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(result.table.column_names)
    for row in zip(*(col.to_pylist() for col in result.table.columns)):
        writer.writerow(["" if v is None else v for v in row])
    if result.truncated:
        print(f"{TRUNCATED_NOTE}: chỉ in {result.table.num_rows} dòng đầu", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m queries", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser, period: bool = True) -> None:
        p.add_argument("--db", default=settings.get("db_path"), help="warehouse file (default: setting db_path)")
        if period:
            p.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
            p.add_argument("--end", required=True, help="last day, YYYY-MM-DD (inclusive)")
        p.add_argument("--unit", default=None, help="unit code (default: all units)")

    def engine(p: argparse.ArgumentParser) -> None:
        p.add_argument("--engine", choices=("duckdb", "spark"), default=settings.get("query_engine"),
                       help="duckdb: the warehouse file (--db); spark: the Parquet export (--parquet) on "
                            "Apache Spark, same metric SQL (default: setting query_engine; docs/scale.md)")
        p.add_argument("--parquet", default=None,
                       help="with --engine spark: folder of `python -m etl export-parquet` (default: setting parquet_dir)")
        p.add_argument("--master", default=None,
                       help="with --engine spark: Spark master URL, e.g. local[4], spark://host:7077, yarn "
                            "(default: setting spark_master)")

    p = sub.add_parser("kpis", help="headline figures of a period")
    common(p)
    p.add_argument("--sector", default=None, help="sector name (default: all sectors)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    engine(p)
    p.set_defaults(func=cmd_kpis)

    p = sub.add_parser("report06a", help="Biểu II.06a of a period")
    common(p)
    p.add_argument("--format", choices=("table", "json", "xlsx"), default="table")
    p.add_argument("--out", default=None, help="output file (xlsx default: bieu_II06a_START_END.xlsx)")
    engine(p)
    p.set_defaults(func=cmd_report06a)

    # targets: queries.targets.main_targets(args) reads these arguments
    p = sub.add_parser("targets", help="plan targets against the figures (queries/targets.py)")
    common(p, period=False)
    p.add_argument("--plan", required=True, help="plan id, e.g. 001")
    p.add_argument("--year", required=True, type=int, help="year, e.g. 2026")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_targets)

    p = sub.add_parser("sql", help="ad-hoc read-only SQL (the SQL page's sandbox), CSV output")
    p.add_argument("--db", default=settings.get("db_path"), help="warehouse file (default: setting db_path)")
    p.add_argument("--timeout", type=float, default=None, help="seconds (default: setting query_timeout_s)")
    p.add_argument("--max-rows", type=int, default=None, help="row cap (default: setting query_max_rows)")
    p.add_argument("sql", help="one SELECT / WITH / EXPLAIN / DESCRIBE / SUMMARIZE / SHOW statement")
    p.set_defaults(func=cmd_sql)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (UsageError, ValueError) as exc:
        print(f"Lỗi / error: {exc}", file=sys.stderr)
        return 2
    except duckdb.Error as exc:
        print(f"Lỗi truy vấn / query error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    except Exception as exc:
        # Spark's errors (pyspark.errors, py4j) and untranslatable SQL: one line, like DuckDB's
        if type(exc).__module__.split(".")[0] not in ("pyspark", "py4j", "queries"):
            raise
        print(f"Lỗi truy vấn / query error: {(str(exc).strip().splitlines() or [type(exc).__name__])[0]}",
              file=sys.stderr)
        return 1
