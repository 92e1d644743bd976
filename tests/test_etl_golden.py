"""Golden files, one per export format and quirk (tests/golden/make_golden.py): each loads into a
fresh warehouse with exact values, exact row accounting, and the format told from the content."""
from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal

import pytest

from etl.load import load_files
from etl.readers import detect_format

D = datetime
LOAD_COLUMNS = ("first_loaded_at", "last_loaded_at", "loaded_at")


def rows_by_key(fetch, db, table, key) -> dict[str, dict]:
    out = {}
    for row in fetch(db, f"select * from {table}"):
        assert all(row.get(c) is None or isinstance(row[c], datetime) for c in LOAD_COLUMNS)
        out[row[key]] = {k: v for k, v in row.items() if k not in LOAD_COLUMNS}
    return out


def case(**values) -> dict:
    """A full cases row; unnamed columns are NULL."""
    row = dict.fromkeys(
        ["case_id", "unit", "procedure_code", "procedure_name", "sector_code", "sector", "channel", "status",
         "submitted_at", "received_at", "due_at", "finished_at", "returned_at", "handler", "department",
         "statutory_days", "fee_amount", "paid_online", "digitised", "e_result", "data_reused", "rating",
         "late_reason", "apology_sent", "due_source", "applicant_key", "source_file"])
    row.update(values)
    return row


P1, P2, P3, P4 = (f"1.00000{i}.000.00.00.H26" for i in range(1, 5))
VENDOR = {
    "H26.01-250106-0001": case(
        case_id="H26.01-250106-0001", procedure_code=P1, procedure_name="Đăng ký khai sinh", sector="Hộ tịch",
        channel="direct", status=10, received_at=D(2025, 1, 6, 8, 30), due_at=D(2025, 1, 9, 12, 0),
        finished_at=D(2025, 1, 8, 16, 15), returned_at=D(2025, 1, 9), handler="Nguyễn Văn An",
        fee_amount=Decimal("0.00"), paid_online=False, digitised=True, e_result=True, rating=3,
        apology_sent=False, due_source="file", source_file="ho_so_vendorA.xlsx"),
    "H26.01-250107-0002": case(
        case_id="H26.01-250107-0002", procedure_code=P3, procedure_name="Cấp giấy phép xây dựng nhà ở riêng lẻ",
        sector="Xây dựng", channel="online", status=9, received_at=D(2025, 1, 7, 14, 0),
        due_at=D(2025, 1, 20, 17, 0), finished_at=D(2025, 1, 22, 9, 5), handler="Lê Thị Cúc",
        fee_amount=Decimal("75000.00"), paid_online=True, digitised=False, e_result=False, rating=1,
        late_reason="Chờ ý kiến phòng Kinh tế, Hạ tầng", apology_sent=True, due_source="file",
        source_file="ho_so_vendorA.xlsx"),
    # no due date, no fee; yes/no blanks: Có/Không column -> unknown, x/blank column -> no
    "H26.01-250108-0003": case(
        case_id="H26.01-250108-0003", procedure_code=P2, procedure_name="Chứng thực bản sao từ bản chính",
        sector="Chứng thực", channel="postal", status=4, received_at=D(2025, 1, 8, 10, 0),
        handler="Phạm Văn Dũng", e_result=False, source_file="ho_so_vendorA.xlsx"),
    # a handler named Tổng is a case, not a total row
    "H26.01-250109-0004": case(
        case_id="H26.01-250109-0004", procedure_code=P1, procedure_name="Đăng ký khai sinh", sector="Hộ tịch",
        channel="online", status=2, received_at=D(2025, 1, 9, 17, 30), handler="Tổng Thị Hoa",
        fee_amount=Decimal("0.00"), paid_online=False, digitised=True, e_result=False,
        source_file="ho_so_vendorA.xlsx"),
    # received as text dd/mm/yyyy, due as an integer serial
    "H26.01-250110-0005": case(
        case_id="H26.01-250110-0005", procedure_code=P4, procedure_name="Đăng ký kết hôn", sector="Hộ tịch",
        channel="postal", status=7, received_at=D(2025, 1, 10), due_at=D(2025, 1, 22),
        finished_at=D(2025, 1, 13, 10, 0), handler="Nguyễn Văn An", fee_amount=Decimal("2000.00"),
        paid_online=False, digitised=False, e_result=False, due_source="file", source_file="ho_so_vendorA.xlsx"),
}


def ingestion(fetch, db, file_name) -> dict:
    rows = fetch(db, "select * from ingestions where file_name = ? order by ingestion_id", [file_name])
    assert len(rows) == 1, rows
    return rows[0]


def assert_accounting(fetch, db, golden_dir, file_name, fmt, kind, read, ins, upd, unch, rej, message=None):
    row = ingestion(fetch, db, file_name)
    got = {k: row[k] for k in ("format", "kind", "rows_read", "rows_inserted", "rows_updated", "rows_unchanged",
                               "rows_rejected", "status", "message")}
    assert got == {"format": fmt, "kind": kind, "rows_read": read, "rows_inserted": ins, "rows_updated": upd,
                   "rows_unchanged": unch, "rows_rejected": rej, "status": "ok", "message": message}
    assert read == ins + upd + unch + rej
    assert row["sha256"] == hashlib.sha256((golden_dir / file_name).read_bytes()).hexdigest()
    assert row["started_at"] <= row["finished_at"]


# --- the golden files are what the generator writes -------------------------------------------

def test_generator_is_deterministic_and_files_are_committed(tmp_path, make_golden, golden_dir):
    written = make_golden.generate(tmp_path)
    assert [p.name for p in written] == list(make_golden.FILES)
    for path in written:
        assert path.read_bytes() == (golden_dir / path.name).read_bytes(), \
            f"{path.name} differs from the committed golden file: run tests/golden/make_golden.py"
    again = make_golden.generate(tmp_path / "again")
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in written]


@pytest.mark.parametrize("name, fmt", [
    ("ho_so_vendorA.xlsx", "xlsx"), ("bo_tthc.xlsx", "xlsx"), ("ho_so_utf8.csv", "csv"),
    ("ho_so_bom_semicolon.csv", "csv"), ("ho_so_unicode.txt", "csv"), ("dvcqg.json", "json"),
    ("dvcqg.jsonl", "jsonl"), ("dvcqg_lines_named.csv", "jsonl"), ("danh_gia.csv", "csv"), ("pakn.xlsx", "xlsx"),
])
def test_format_is_told_from_content(golden_dir, name, fmt):
    assert detect_format(golden_dir / name) == fmt


# --- vendor xlsx layout ----------------------------------------------------------------------------

def test_vendor_xlsx_alone(tmp_path, fetch, golden_dir):
    """Loaded without a catalogue, the cases without a due date keep it NULL (due_source NULL)."""
    db = tmp_path / "w.duckdb"
    results = load_files(db, [golden_dir / "ho_so_vendorA.xlsx"])
    assert rows_by_key(fetch, db, "cases", "case_id") == VENDOR
    assert_accounting(fetch, db, golden_dir, "ho_so_vendorA.xlsx", "xlsx", "cases", 5, 5, 0, 0, 0)
    assert [(r.file_name, r.format, r.kind, r.rows_read, r.rows_inserted, r.rows_updated, r.rows_unchanged,
             r.rows_rejected) for r in results] == [("ho_so_vendorA.xlsx", "xlsx", "cases", 5, 5, 0, 0, 0)]
    assert fetch(db, "select count(*) as n from rejects") == [{"n": 0}]


def cases_of(fetch, db, prefix: str) -> dict[str, dict]:
    return {k: v for k, v in rows_by_key(fetch, db, "cases", "case_id").items() if k.startswith(prefix)}


def test_vendor_xlsx_with_catalogue_derives_due_dates(golden_db, fetch):
    db, _ = golden_db
    expected = {k: dict(v) for k, v in VENDOR.items()}
    # Chứng thực: "Trong ngày" -> received 08/01 10:00, before closing: due the same day.
    expected["H26.01-250108-0003"].update(due_at=D(2025, 1, 8), due_source="statutory")
    # Khai sinh: 3 working days; received Thu 09/01 17:30, after closing: counts from Fri 10/01.
    expected["H26.01-250109-0004"].update(due_at=D(2025, 1, 15), due_source="statutory")
    assert cases_of(fetch, db, "H26.") == expected


def test_catalogue(golden_db, fetch):
    db, _ = golden_db
    base = {"sector_code": None, "source_file": "bo_tthc.xlsx"}
    assert rows_by_key(fetch, db, "procedures", "procedure_code") == {
        P1: dict(base, procedure_code=P1, procedure_name="Đăng ký khai sinh", sector="Hộ tịch", statutory_days=3,
                 fee_amount=Decimal("0.00"), full_online_eligible=True),
        P2: dict(base, procedure_code=P2, procedure_name="Chứng thực bản sao từ bản chính", sector="Chứng thực",
                 statutory_days=0, fee_amount=Decimal("2000.00"), full_online_eligible=False),
        P3: dict(base, procedure_code=P3, procedure_name="Cấp giấy phép xây dựng nhà ở riêng lẻ", sector="Xây dựng",
                 statutory_days=15, fee_amount=Decimal("75000.00"), full_online_eligible=True),
        P4: dict(base, procedure_code=P4, procedure_name="Đăng ký kết hôn", sector="Hộ tịch", statutory_days=5,
                 fee_amount=Decimal("0.00"), full_online_eligible=False),
    }


# --- CSV variants ------------------------------------------------------------------------------

def test_csv_utf8(golden_db, fetch):
    db, _ = golden_db
    common = dict(unit="UBND xã Bình Minh", due_source="file", source_file="ho_so_utf8.csv")
    assert cases_of(fetch, db, "B-") == {
        "B-2025-0201": case(case_id="B-2025-0201", procedure_code=P2, procedure_name="Chứng thực bản sao từ bản chính",
                            sector="Chứng thực", channel="direct", status=10, received_at=D(2025, 2, 3, 8, 5, 9),
                            due_at=D(2025, 2, 3, 17, 0), finished_at=D(2025, 2, 3, 15, 20),
                            returned_at=D(2025, 2, 3, 16, 45, 30), handler="Nguyễn Văn An",
                            fee_amount=Decimal("2000.00"), digitised=True, e_result=False, **common),
        "B-2025-0202": case(case_id="B-2025-0202", procedure_code=P3,
                            procedure_name="Cấp giấy phép xây dựng nhà ở riêng lẻ", sector="Xây dựng",
                            channel="online", status=5, received_at=D(2025, 2, 4, 9, 0), due_at=D(2025, 2, 25, 17, 0),
                            handler="Lê Thị Cúc", fee_amount=Decimal("75000.00"), digitised=False, e_result=False,
                            late_reason='Thiếu bản vẽ, chờ "bổ sung"', **common),
        "B-2025-0203": case(case_id="B-2025-0203", procedure_code=P4, procedure_name="Đăng ký kết hôn",
                            sector="Hộ tịch", channel="postal", status=9, received_at=D(2025, 2, 5, 14, 10),
                            due_at=D(2025, 2, 12, 17, 0), finished_at=D(2025, 2, 12, 10, 0), handler="Phạm Văn Dũng",
                            fee_amount=Decimal("0.00"), digitised=True, e_result=True, **common),
    }


def test_csv_bom_semicolon(golden_db, fetch):
    db, _ = golden_db
    common = dict(status=10, due_source="file", source_file="ho_so_bom_semicolon.csv")
    assert cases_of(fetch, db, "C-") == {
        "C-2025-0301": case(case_id="C-2025-0301", procedure_code=P3,
                            procedure_name="Cấp giấy phép xây dựng nhà ở riêng lẻ", sector="Xây dựng",
                            channel="online", received_at=D(2025, 3, 3, 8, 0), due_at=D(2025, 3, 24),
                            finished_at=D(2025, 3, 20, 16, 0), handler="Lê Thị Cúc",
                            fee_amount=Decimal("1500000.00"), paid_online=True, **common),
        "C-2025-0302": case(case_id="C-2025-0302", procedure_code=P1, procedure_name="Đăng ký khai sinh",
                            sector="Hộ tịch", channel="direct", received_at=D(2025, 3, 4, 9, 30), due_at=D(2025, 3, 7),
                            finished_at=D(2025, 3, 6, 11, 0), handler="Nguyễn Văn An",
                            fee_amount=Decimal("50000.00"), paid_online=False, **common),
    }


def test_utf16_unicode_text(golden_db, fetch):
    db, _ = golden_db
    common = dict(sector="Hộ tịch", due_source="file", source_file="ho_so_unicode.txt")
    assert cases_of(fetch, db, "U-") == {
        "U-2025-0401": case(case_id="U-2025-0401", procedure_code=P1, procedure_name="Đăng ký khai sinh",
                            channel="online", status=10, submitted_at=D(2025, 3, 31, 22, 10),
                            received_at=D(2025, 4, 1, 7, 40), due_at=D(2025, 4, 4, 17, 0),
                            finished_at=D(2025, 4, 3, 9, 0), handler="Nguyễn Văn An", **common),
        "U-2025-0402": case(case_id="U-2025-0402", procedure_code=P4, procedure_name="Đăng ký kết hôn",
                            channel="direct", status=8, submitted_at=D(2025, 4, 2, 8, 0),
                            received_at=D(2025, 4, 2, 8, 0), due_at=D(2025, 4, 9, 17, 0), handler="Phạm Văn Dũng",
                            **common),
    }


def test_rows_kept_from_the_rejects_file(golden_db, fetch):
    db, _ = golden_db
    assert cases_of(fetch, db, "R-") == {
        # no due date in the file: 3 working days from Mon 03/02/2025 08:00 -> Thu 06/02/2025
        "R-0001": case(case_id="R-0001", procedure_code=P1, procedure_name="Đăng ký khai sinh", status=4,
                       received_at=D(2025, 2, 3, 8, 0), due_at=D(2025, 2, 6), due_source="statutory",
                       source_file="ho_so_loi.csv"),
        "R-0006": case(case_id="R-0006", procedure_code=P2, procedure_name="Chứng thực bản sao từ bản chính",
                       status=10, received_at=D(2025, 2, 7, 8, 0), due_at=D(2025, 2, 7, 17, 0),
                       finished_at=D(2025, 2, 7, 10, 0), due_source="file", source_file="ho_so_loi.csv"),
    }


# --- DVCQG sync format ----------------------------------------------------------------------

def test_dvcqg_json_array(golden_db, fetch):
    db, _ = golden_db
    common = dict(source_file="dvcqg.json")
    assert cases_of(fetch, db, "G-") == {
        "G-2025-0501": case(case_id="G-2025-0501", procedure_code=P3,
                            procedure_name="Cấp giấy phép xây dựng nhà ở riêng lẻ", sector_code="XD",
                            sector="Xây dựng", channel="online", status=10, submitted_at=D(2025, 5, 5, 7, 15),
                            received_at=D(2025, 5, 5, 8, 0), due_at=D(2025, 5, 26, 17, 0),
                            finished_at=D(2025, 5, 23, 10, 30), returned_at=D(2025, 5, 26, 9, 0),
                            department="Bộ phận Địa chính - Xây dựng", fee_amount=Decimal("75000.00"),
                            paid_online=True, digitised=True, e_result=True, data_reused=True, due_source="file",
                            **common),
        # no NgayHenTra; Khai sinh is 3 working days from Tue 06/05/2025 09:15 -> Fri 09/05/2025
        "G-2025-0502": case(case_id="G-2025-0502", procedure_code=P1, procedure_name="Đăng ký khai sinh",
                            sector_code="HT", sector="Hộ tịch", channel="direct", status=4,
                            submitted_at=D(2025, 5, 6, 9, 0), received_at=D(2025, 5, 6, 9, 15),
                            due_at=D(2025, 5, 9), due_source="statutory",
                            department="Bộ phận Tư pháp - Hộ tịch", paid_online=False, digitised=False,
                            e_result=False, data_reused=False, **common),
        # a procedure no catalogue knows and an empty NgayHenTra: no due date at all
        "G-2025-0503": case(case_id="G-2025-0503", procedure_code="9.999999.000.00.00.H26",
                            procedure_name="Thủ tục chưa có trong danh mục", sector_code="KH", sector="Khác",
                            channel="postal", status=5, submitted_at=D(2025, 5, 7, 10, 0),
                            received_at=D(2025, 5, 7, 10, 0), department="Bộ phận Tư pháp - Hộ tịch",
                            fee_amount=Decimal("30000.00"), paid_online=True, digitised=True, e_result=False,
                            data_reused=False, **common),
    }


def test_dvcqg_jsonl(golden_db, fetch):
    db, _ = golden_db
    common = dict(department="Bộ phận Tư pháp - Hộ tịch", due_source="file", source_file="dvcqg.jsonl")
    assert cases_of(fetch, db, "L-") == {
        "L-2025-0601": case(case_id="L-2025-0601", procedure_code=P2, procedure_name="Chứng thực bản sao từ bản chính",
                            sector_code="CT", sector="Chứng thực", channel="online", status=10,
                            submitted_at=D(2025, 6, 2, 7, 30), received_at=D(2025, 6, 2, 8, 0),
                            due_at=D(2025, 6, 2, 17, 0), finished_at=D(2025, 6, 2, 11, 30),
                            returned_at=D(2025, 6, 2, 14, 0), fee_amount=Decimal("2000.00"), paid_online=True,
                            digitised=True, e_result=True, data_reused=True, **common),
        "L-2025-0602": case(case_id="L-2025-0602", procedure_code=P4, procedure_name="Đăng ký kết hôn",
                            sector_code="HT", sector="Hộ tịch", channel="direct", status=9,
                            submitted_at=D(2025, 6, 3, 8, 0), received_at=D(2025, 6, 3, 8, 0),
                            due_at=D(2025, 6, 10, 17, 0), finished_at=D(2025, 6, 11, 9, 0), paid_online=False,
                            digitised=False, e_result=False, data_reused=False, **common),
    }


def test_every_case_is_accounted_for(golden_db, fetch):
    db, _ = golden_db
    prefixes = ("H26.", "B-", "C-", "U-", "G-", "L-", "R-")
    ids = [r["case_id"] for r in fetch(db, "select case_id from cases")]
    assert len(ids) == len(set(ids)) == 5 + 3 + 2 + 2 + 3 + 2 + 2
    assert all(i.startswith(prefixes) for i in ids)


# --- ratings and PAKN lists --------------------------------------------------------------------

def test_ratings_list(golden_db, fetch):
    db, _ = golden_db
    src = {"source_file": "danh_gia.csv"}
    assert rows_by_key(fetch, db, "ratings", "case_id") == {
        "H26.01-250106-0001": dict(src, case_id="H26.01-250106-0001", rating=3, rated_at=D(2025, 1, 9, 10, 0)),
        "H26.01-250107-0002": dict(src, case_id="H26.01-250107-0002", rating=1, rated_at=D(2025, 1, 23)),
        "B-2025-0201": dict(src, case_id="B-2025-0201", rating=2, rated_at=D(2025, 2, 3, 17, 0)),
    }


def test_pakn_list(golden_db, fetch):
    db, _ = golden_db
    src = {"source_file": "pakn.xlsx", "unit": "UBND xã Bình Minh"}
    assert rows_by_key(fetch, db, "feedback", "feedback_id") == {
        "PA-2025-001": dict(src, feedback_id="PA-2025-001", sector="Giao thông", received_at=D(2025, 3, 3, 9, 0),
                            due_at=D(2025, 3, 17), resolved_at=D(2025, 3, 14, 15, 30), rating=2),
        "PA-2025-002": dict(src, feedback_id="PA-2025-002", sector="Đất đai", received_at=D(2025, 3, 10, 14, 0),
                            due_at=D(2025, 3, 24), resolved_at=None, rating=None),
    }
    # the sheet's first row is blank: the rejected row is row 6 as Excel shows it
    assert fetch(db, "select row_number, reason from rejects where file_name = 'pakn.xlsx'") == [
        {"row_number": 6, "reason": "Thiếu Mã PAKN"}]


# --- the accounting the CLI prints is the one it stores -----------------------------------------

EXPECTED_LINES = {
    "bo_tthc.xlsx": "bo_tthc.xlsx [xlsx, procedures]: đọc 4, thêm 4, cập nhật 0, không đổi 0, loại 0",
    "ho_so_vendorA.xlsx": "ho_so_vendorA.xlsx [xlsx, cases]: đọc 5, thêm 5, cập nhật 0, không đổi 0, loại 0",
    "ho_so_utf8.csv": "ho_so_utf8.csv [csv, cases]: đọc 3, thêm 3, cập nhật 0, không đổi 0, loại 0",
    "ho_so_bom_semicolon.csv":
        "ho_so_bom_semicolon.csv [csv, cases]: đọc 2, thêm 2, cập nhật 0, không đổi 0, loại 0",
    "ho_so_unicode.txt": "ho_so_unicode.txt [csv, cases]: đọc 2, thêm 2, cập nhật 0, không đổi 0, loại 0",
    "dvcqg.json": "dvcqg.json [json, cases]: đọc 3, thêm 3, cập nhật 0, không đổi 0, loại 0",
    "dvcqg.jsonl": "dvcqg.jsonl [jsonl, cases]: đọc 2, thêm 2, cập nhật 0, không đổi 0, loại 0",
    # the same objects again under another name: nothing new
    "dvcqg_lines_named.csv":
        "dvcqg_lines_named.csv [jsonl, cases]: đọc 2, thêm 0, cập nhật 0, không đổi 2, loại 0",
    "danh_gia.csv": "danh_gia.csv [csv, ratings]: đọc 3, thêm 3, cập nhật 0, không đổi 0, loại 0",
    "pakn.xlsx": "pakn.xlsx [xlsx, feedback]: đọc 3, thêm 2, cập nhật 0, không đổi 0, loại 1",
    "ho_so_loi.csv": "ho_so_loi.csv [csv, cases]: đọc 6, thêm 2, cập nhật 0, không đổi 0, loại 4",
    # the same rows again from the xlsx: the two good cases are unchanged, the four bad ones rejected
    "ho_so_loi.xlsx": "ho_so_loi.xlsx [xlsx, cases]: đọc 6, thêm 0, cập nhật 0, không đổi 2, loại 4",
}


def test_cli_prints_and_stores_the_accounting(golden_db, fetch, golden_dir, make_golden):
    db, run = golden_db
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""      # no progress bar either: stderr is not a terminal here
    assert run.stdout.splitlines() == [EXPECTED_LINES[n] for n in make_golden.FILES] + [f"Đã nạp vào {db}."]
    stored = fetch(db, "select * from ingestions order by ingestion_id")
    assert [r["file_name"] for r in stored] == list(make_golden.FILES)
    assert [r["ingestion_id"] for r in stored] == list(range(1, len(make_golden.FILES) + 1))
    for r in stored:
        printed = (f"{r['file_name']} [{r['format']}, {r['kind']}]: đọc {r['rows_read']}, thêm {r['rows_inserted']}, "
                   f"cập nhật {r['rows_updated']}, không đổi {r['rows_unchanged']}, loại {r['rows_rejected']}")
        assert printed == EXPECTED_LINES[r["file_name"]]
        assert r["rows_read"] == r["rows_inserted"] + r["rows_updated"] + r["rows_unchanged"] + r["rows_rejected"]
        assert r["status"] == "ok" and r["message"] is None
        assert r["sha256"] == hashlib.sha256((golden_dir / r["file_name"]).read_bytes()).hexdigest()
        assert r["started_at"] <= r["finished_at"]
    counts = fetch(db, "select (select count(*) from cases) as cases, (select count(*) from ratings) as ratings, "
                       "(select count(*) from feedback) as feedback, (select count(*) from procedures) as procs, "
                       "(select count(*) from rejects) as rejects")
    assert counts == [{"cases": 19, "ratings": 3, "feedback": 2, "procs": 4, "rejects": 9}]
