"""python -m etl: load exports into the warehouse, or build the demo database."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core import settings
from etl import atomic
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
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    db = Path(args.db or settings.get("db_path"))
    try:
        if args.command == "sample":
            if args.if_missing and db.exists():
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
