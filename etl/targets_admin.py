"""The centre's own plan targets: edited on the dashboard's Chỉ tiêu page, kept in a file beside
the database, merged with the product's registry and loaded atomically.

Files
* ``etl/reference/targets.csv`` (setting reference_dir): the registry the product ships
  (docs/targets.md). Never written here.
* ``<database folder>/targets_centre.csv`` (``data/targets_centre.csv`` for the default database):
  the centre's plans, same header and rules as the registry. A plan_id present in this file
  replaces all of that plan's registry rows (an edited seed plan); a new plan_id adds a plan.

Every save writes the centre file atomically (temporary file + os.replace) and then rebuilds the
``targets`` table through etl.atomic.replacing + etl.warehouse.load_targets from the merged rows,
so readers see either the old or the new table, never half of it. When the reload fails the
previous centre file is put back. A database rebuilt from scratch (``python -m etl sample``)
loads only the registry: run ``python -m etl.targets_admin [--db PATH]`` afterwards to apply
the centre file again.
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Iterable

from core import settings
from etl import atomic, warehouse

COLUMNS = ["plan_id", "plan_name", "unit", "metric", "comparator", "value", "effective_from", "effective_to",
           "sector_scope", "measurable", "target_text", "citation"]
KNOWN_METRICS = ("on_time_rate", "progress_rate", "online_share", "full_online_case_share",
                 "full_online_procedure_share", "digitised_share", "e_result_share", "reuse_share",
                 "online_payment_share", "fee_procedure_online_payment_share", "satisfaction_rate",
                 "time_saving_mean", "pakn_on_time_rate")
COMPARATORS = (">=", ">", "<=", "<")
SCOPES = ("dat_dai_xay_dung_dau_tu",)
CENTRE_FILE = "targets_centre.csv"


class TargetsError(ValueError):
    """The rows cannot be saved; .problems lists every reason in Vietnamese."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def reference_path() -> Path:
    return Path(settings.get("reference_dir")) / "targets.csv"


def centre_path(db: str | os.PathLike) -> Path:
    return Path(db).resolve().parent / CENTRE_FILE


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN from a data editor
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    return " ".join(str(value).split())


def normalise(row: dict) -> dict:
    """A row as the CSV stores it: every column a trimmed string; dates ISO; booleans true/false."""
    out = {c: _text(row.get(c)) for c in COLUMNS}
    for c in ("effective_from", "effective_to"):
        out[c] = _iso_date(out[c]) or out[c]
    out["measurable"] = {"1": "true", "có": "true", "yes": "true", "true": "true",
                         "0": "false", "không": "false", "no": "false", "false": "false"}.get(
        out["measurable"].lower(), out["measurable"])
    return out


def _iso_date(text: str) -> str | None:
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text[:10], fmt).date().isoformat()
        except ValueError:
            continue
    return None


def read_rows(path: str | os.PathLike) -> list[dict]:
    """Rows of a targets CSV (UTF-8, BOM tolerated); a missing file has none."""
    path = Path(path)
    if not path.exists():
        return []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise TargetsError([f"Tệp {path.name} thiếu cột: {', '.join(missing)}"])
        return [normalise(r) for r in reader]


def validate(rows: Iterable[dict]) -> list[str]:
    """Every problem of the rows, in Vietnamese, with the row's number (1 = first row)."""
    problems: list[str] = []
    names: dict[str, str] = {}
    for n, raw in enumerate(rows, 1):
        r = normalise(raw)
        where = f"Dòng {n}"
        if not r["plan_id"]:
            problems.append(f"{where}: thiếu mã kế hoạch (plan_id)")
        if not r["plan_name"]:
            problems.append(f"{where}: thiếu tên kế hoạch")
        elif r["plan_id"]:
            first = names.setdefault(r["plan_id"], r["plan_name"])
            if first != r["plan_name"]:
                problems.append(f"{where}: kế hoạch {r['plan_id']} phải có cùng một tên trên mọi dòng "
                                f"(“{first}” và “{r['plan_name']}”)")
        if r["metric"] and r["metric"] not in KNOWN_METRICS:
            problems.append(f"{where}: chỉ số “{r['metric']}” không có trong danh mục chỉ số")
        if r["comparator"] and r["comparator"] not in COMPARATORS:
            problems.append(f"{where}: phép so sánh “{r['comparator']}” phải là ≥ (>=), >, ≤ (<=) hoặc <")
        if r["value"]:
            try:
                value = float(r["value"].replace(",", "."))
                if not 0 <= value <= 100:
                    problems.append(f"{where}: giá trị chỉ tiêu {r['value']} phải từ 0 đến 100 (%)")
            except ValueError:
                problems.append(f"{where}: giá trị chỉ tiêu “{r['value']}” không phải số")
        dates = {}
        for c, label in (("effective_from", "ngày bắt đầu áp dụng"), ("effective_to", "ngày hết hiệu lực")):
            if r[c] and not _iso_date(r[c]):
                problems.append(f"{where}: {label} “{r[c]}” không hợp lệ (dd/mm/yyyy)")
            dates[c] = _iso_date(r[c])
        if dates["effective_from"] and dates["effective_to"] and dates["effective_from"] > dates["effective_to"]:
            problems.append(f"{where}: ngày bắt đầu áp dụng sau ngày hết hiệu lực")
        if r["sector_scope"] and r["sector_scope"] not in SCOPES:
            problems.append(f"{where}: phạm vi lĩnh vực “{r['sector_scope']}” không hỗ trợ "
                            "(để trống hoặc dat_dai_xay_dung_dau_tu)")
        if r["sector_scope"] and r["metric"] and r["metric"] != "satisfaction_rate":
            problems.append(f"{where}: phạm vi đất đai, xây dựng, đầu tư chỉ dùng cho mức độ hài lòng")
        if r["measurable"] not in ("true", "false"):
            problems.append(f"{where}: cột “đo được” (measurable) phải là true hoặc false")
        elif r["measurable"] == "true":
            if not r["metric"]:
                problems.append(f"{where}: chỉ tiêu đo được phải chọn chỉ số")
            if not r["comparator"] or not r["value"]:
                problems.append(f"{where}: chỉ tiêu đo được phải có phép so sánh và giá trị")
        elif r["metric"]:
            problems.append(f"{where}: chỉ tiêu không đo được thì để trống chỉ số")
        if not r["target_text"]:
            problems.append(f"{where}: thiếu nội dung chỉ tiêu (lời văn của kế hoạch)")
        if not r["citation"]:
            problems.append(f"{where}: thiếu trích dẫn văn bản (số hiệu, ngày, mục)")
    return problems


def merged_rows(reference: list[dict], centre: list[dict]) -> list[dict]:
    """The registry with every plan the centre file has replaced by the centre's rows (in the
    registry's place), then the centre's new plans."""
    centre_plans: dict[str, list[dict]] = {}
    for r in centre:
        centre_plans.setdefault(r["plan_id"], []).append(r)
    out, done = [], set()
    for r in reference:
        pid = r["plan_id"]
        if pid in centre_plans:
            if pid not in done:
                out.extend(centre_plans[pid])
                done.add(pid)
            continue
        out.append(r)
    for pid, rows in centre_plans.items():
        if pid not in done:
            out.extend(rows)
    return out


def _csv_text(rows: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow(normalise(r))
    return buf.getvalue()


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def apply(db: str | os.PathLike, centre: str | os.PathLike | None = None,
          reference: str | os.PathLike | None = None) -> int:
    """Rebuild the targets table of `db` from the registry merged with the centre file, in one
    atomic replacement of the database. Returns the number of target rows loaded."""
    db = Path(db)
    centre = Path(centre) if centre else centre_path(db)
    rows = merged_rows(read_rows(reference or reference_path()), read_rows(centre))
    problems = validate(rows)
    if problems:
        raise TargetsError(problems)
    with tempfile.TemporaryDirectory(prefix="tthc-targets-") as tmp:
        merged = Path(tmp) / "targets_merged.csv"
        merged.write_text(_csv_text(rows), encoding="utf-8")
        with atomic.replacing(db) as con:
            has_table = con.execute("select count(*) from information_schema.tables "
                                    "where table_schema = 'main' and table_name = 'targets'").fetchall()[0][0]
            if not has_table:  # no database yet: the full schema first
                warehouse.create_schema(con)
            return warehouse.load_targets(con, merged)


def save_plan(db: str | os.PathLike, plan_id: str, rows: Iterable[dict],
              centre: str | os.PathLike | None = None, reference: str | os.PathLike | None = None) -> int:
    """Make `rows` the targets of plan `plan_id`: they replace the plan's rows in the centre file
    (every row must carry `plan_id`), then the targets table is reloaded (apply). An empty `rows`
    drops the centre's version of the plan, so the registry's rows apply again (a plan only the
    centre had is removed). Returns the number of target rows loaded."""
    db = Path(db)
    centre = Path(centre) if centre else centre_path(db)
    new_rows = [normalise(r) for r in rows]
    problems = validate(new_rows)
    problems += [f"Dòng {n}: mã kế hoạch {r['plan_id']} khác kế hoạch đang sửa {plan_id}"
                 for n, r in enumerate(new_rows, 1) if r["plan_id"] and r["plan_id"] != plan_id]
    if problems:
        raise TargetsError(problems)
    old_text = centre.read_text(encoding="utf-8-sig") if centre.exists() else None
    kept = [r for r in read_rows(centre) if r["plan_id"] != plan_id]
    _write_atomic(centre, _csv_text(kept + new_rows))
    try:
        return apply(db, centre, reference)
    except BaseException:
        if old_text is None:
            centre.unlink(missing_ok=True)
        else:
            _write_atomic(centre, old_text)
        raise


def centre_plan_ids(db: str | os.PathLike, centre: str | os.PathLike | None = None) -> set[str]:
    """Plans the centre file defines (edited seed plans and the centre's own)."""
    return {r["plan_id"] for r in read_rows(Path(centre) if centre else centre_path(db))}


def main(argv: list[str] | None = None) -> int:
    """python -m etl.targets_admin [--db PATH] [--centre FILE]: apply the centre's targets file."""
    p = argparse.ArgumentParser(prog="python -m etl.targets_admin",
                                description="Nạp lại bảng chỉ tiêu từ etl/reference/targets.csv và tệp chỉ tiêu "
                                            "của trung tâm (targets_centre.csv cạnh cơ sở dữ liệu).")
    p.add_argument("--db", type=Path, default=None)
    p.add_argument("--centre", type=Path, default=None)
    args = p.parse_args(argv)
    db = Path(args.db or settings.get("db_path"))
    try:
        n = apply(db, args.centre)
    except TargetsError as exc:
        print("Lỗi: " + "\n".join(exc.problems), file=sys.stderr)
        return 2
    except atomic.LoadBusy as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    print(f"Đã nạp {n} chỉ tiêu vào {db}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
