"""python -m etl: load exports into the warehouse, or build the demo database."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core import settings
from etl import atomic, warehouse
from etl.load import LoadError, load_files, sample_files
from etl.mapping import MappingError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m etl", description="Nạp tệp xuất hồ sơ TTHC vào kho dữ liệu DuckDB.")
    sub = p.add_subparsers(dest="command", required=True)
    load = sub.add_parser("load", help="nạp các tệp .xlsx/.csv/.json/.jsonl")
    load.add_argument("files", nargs="+", type=Path)
    load.add_argument("--db", type=Path, default=None, help="tệp cơ sở dữ liệu (mặc định: setting db_path)")
    load.add_argument("--unit", default=None, help="đơn vị tiếp nhận cho tệp không có cột đơn vị")
    sample = sub.add_parser("sample", help="dựng cơ sở dữ liệu mẫu từ sample_data/")
    sample.add_argument("--db", type=Path, default=None)
    sample.add_argument("--if-missing", action="store_true", help="chỉ dựng khi chưa có cơ sở dữ liệu")
    sub.add_parser("upgrade", help="cập nhật kho dữ liệu do phiên bản cũ dựng (macro, view, case_facts); "
                   "giữ nguyên dữ liệu").add_argument("--db", type=Path, default=None)
    export = sub.add_parser("export-parquet",
                            help="xuất kho dữ liệu ra Parquet phân vùng Hive (year, month, unit) cho Spark; docs/scale.md")
    export.add_argument("--db", type=Path, default=None, help="tệp cơ sở dữ liệu (mặc định: setting db_path)")
    export.add_argument("--out", type=Path, default=None, help="thư mục đích (mặc định: setting parquet_dir)")
    return p


def _export(db: Path, out: Path) -> int:
    from etl.export import ExportError, export_parquet

    if db.exists() and warehouse.outdated(db):
        # Spark runs today's .sql files; an export of facts computed under older ones would disagree
        print(f"Lỗi: {db} do phiên bản cũ dựng; chạy `python -m etl upgrade --db {db}` trước khi xuất.",
              file=sys.stderr)
        return 2
    try:
        manifest = export_parquet(db, out)
    except ExportError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    for name, table in sorted(manifest["tables"].items()):
        layout = f"phân vùng {', '.join(table['partition_by'])}" if table["partition_by"] else "một tệp"
        print(f"{name}: {table['rows']} dòng ({layout})")
    print(f"Đã xuất {db} ra {out}.")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    db = Path(args.db or settings.get("db_path"))
    if args.command == "export-parquet":
        return _export(db, Path(args.out or settings.get("parquet_dir")))
    try:
        if args.command == "upgrade":
            if not db.exists():
                print(f"Lỗi: không có {db}", file=sys.stderr)
                return 2
            if not warehouse.outdated(db):
                print(f"{db} đã đúng phiên bản; không cần cập nhật.")
                return 0
            warehouse.upgrade(db)
            print(f"Đã cập nhật {db}.")
            return 0
        if args.command == "sample":
            if args.if_missing and db.exists():
                if warehouse.outdated(db):
                    # built by an older version: its stored macros and case_facts are rebuilt, the
                    # data kept (the app would otherwise fail on a missing macro)
                    warehouse.upgrade(db)
                    print(f"Đã có {db}; đã cập nhật cấu trúc và số liệu tính sẵn theo phiên bản này.")
                else:
                    print(f"Đã có {db}; không dựng lại.")
                return 0
            files = sample_files()
            if not files:
                print(f"Lỗi: không có tệp mẫu trong {settings.get('sample_dir')}", file=sys.stderr)
                return 2
            results = load_files(db, files, fresh=True)
        else:
            missing = [f for f in args.files if not f.is_file()]
            if missing:
                print(f"Lỗi: {missing[0]}: không tìm thấy tệp", file=sys.stderr)
                return 2
            results = load_files(db, args.files, unit=args.unit)
    except LoadError as exc:
        print(f"Lỗi: {exc.file_name}: {exc.reason}. Không có gì được nạp.", file=sys.stderr)
        return 2
    except (atomic.LoadBusy, MappingError) as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    for r in results:
        print(r.summary())
        if r.unknown_headers:
            print(f"  bỏ qua cột không nhận ra: {', '.join(r.unknown_headers)}")
    print(f"Đã nạp vào {db}.")
    return 0
