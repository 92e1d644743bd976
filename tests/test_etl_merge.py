"""Merge rules (DOMAIN.md, end of "House rules") in both load orders, and idempotent re-loads."""
from __future__ import annotations

import shutil
from datetime import datetime as D
from pathlib import Path

import pytest

from etl.load import load_files

HEADER = ["Mã hồ sơ", "Trạng thái", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày kết thúc xử lý", "Ngày trả kết quả",
          "Cán bộ xử lý", "Lý do trễ hạn"]
BUSINESS = ("case_id, status, received_at, due_at, finished_at, returned_at, handler, late_reason, due_source")
STAMPS = ("source_file", "first_loaded_at", "last_loaded_at")


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path.write_text("\n".join(",".join(r) for r in [header] + rows) + "\n", encoding="utf-8")
    return path


def business(fetch, db) -> dict[str, dict]:
    return {r["case_id"]: r for r in fetch(db, f"select {BUSINESS} from cases order by case_id")}


def counts(fetch, db) -> list[tuple]:
    return [(r["file_name"], r["rows_read"], r["rows_inserted"], r["rows_updated"], r["rows_unchanged"],
             r["rows_rejected"]) for r in fetch(db, "select * from ingestions order by ingestion_id")]


def row(case_id, status, received="06/01/2025 08:00", due="09/01/2025 17:00", finished="", returned="",
        handler="", late=""):
    return [case_id, status, received, due, finished, returned, handler, late]


# --- an older export with the case pending, a newer one with it finished ----------------------

@pytest.fixture()
def exports(tmp_path):
    older = write_csv(tmp_path / "older.csv", HEADER, [
        row("M-1", "Đang xử lý", handler="Nguyễn Văn An"),
        row("M-2", "Đang xử lý", handler="Nguyễn Văn An"),
    ])
    newer = write_csv(tmp_path / "newer.csv", HEADER, [
        # finished, returned, handled by someone else, due date extended
        row("M-1", "Đã trả kết quả", due="10/01/2025 17:00", finished="08/01/2025 15:00",
            returned="09/01/2025 10:00", handler="Lê Thị Cúc"),
        row("M-3", "Đang xử lý", received="07/01/2025 08:00", due="10/01/2025 17:00", handler="Lê Thị Cúc"),
    ])
    return older, newer


FINAL = {
    "M-1": dict(case_id="M-1", status=10, received_at=D(2025, 1, 6, 8), due_at=D(2025, 1, 10, 17),
                finished_at=D(2025, 1, 8, 15), returned_at=D(2025, 1, 9, 10), handler="Lê Thị Cúc", late_reason=None,
                due_source="file"),
    "M-2": dict(case_id="M-2", status=4, received_at=D(2025, 1, 6, 8), due_at=D(2025, 1, 9, 17), finished_at=None,
                returned_at=None, handler="Nguyễn Văn An", late_reason=None, due_source="file"),
    "M-3": dict(case_id="M-3", status=4, received_at=D(2025, 1, 7, 8), due_at=D(2025, 1, 10, 17), finished_at=None,
                returned_at=None, handler="Lê Thị Cúc", late_reason=None, due_source="file"),
}


def test_newer_then_older_keeps_the_finished_state(tmp_path, fetch, exports):
    older, newer = exports
    db = tmp_path / "w.duckdb"
    load_files(db, [newer])
    load_files(db, [older])
    assert business(fetch, db) == FINAL
    assert counts(fetch, db) == [("newer.csv", 2, 2, 0, 0, 0), ("older.csv", 2, 1, 0, 1, 0)]
    # the older file changed nothing of M-1, so M-1 still comes from the newer file
    assert fetch(db, "select source_file from cases where case_id = 'M-1'") == [{"source_file": "newer.csv"}]


def test_older_then_newer_ends_the_same(tmp_path, fetch, exports):
    older, newer = exports
    db = tmp_path / "w.duckdb"
    load_files(db, [older])
    load_files(db, [newer])
    assert business(fetch, db) == FINAL
    assert counts(fetch, db) == [("older.csv", 2, 2, 0, 0, 0), ("newer.csv", 2, 1, 1, 0, 0)]


@pytest.mark.parametrize("order", ["P,F", "F,P"])
def test_finished_beats_pending_even_without_dates(tmp_path, fetch, order):
    """A status-only list saying "Đã trả kết quả" outranks a pending state whatever its dates."""
    files = {
        "P": write_csv(tmp_path / "p.csv", HEADER, [row("M-5", "Đang xử lý", received="20/01/2025 08:00",
                                                        due="23/01/2025 17:00", handler="Nguyễn Văn An")]),
        "F": write_csv(tmp_path / "f.csv", ["Mã hồ sơ", "Trạng thái"], [["M-5", "Đã trả kết quả"]]),
    }
    db = tmp_path / "w.duckdb"
    for name in order.split(","):
        load_files(db, [files[name]])
    assert business(fetch, db) == {"M-5": dict(
        case_id="M-5", status=10, received_at=D(2025, 1, 20, 8), due_at=D(2025, 1, 23, 17), finished_at=None,
        returned_at=None, handler="Nguyễn Văn An", late_reason=None, due_source="file")}


# --- absent columns and blank cells never erase -----------------------------------------------

@pytest.mark.parametrize("order", ["A,B", "B,A"])
def test_absent_column_and_blank_cell_do_not_erase(tmp_path, fetch, order):
    # A (older, pending) has the handler and a late reason; B (newer, finished) has no handler
    # column at all, and blank cells for the due date and the late reason.
    a = write_csv(tmp_path / "a.csv", HEADER, [
        row("M-10", "Đang xử lý", handler="Nguyễn Văn An", late="Chờ xác minh nguồn gốc đất")])
    header_b = [h for h in HEADER if h != "Cán bộ xử lý"]
    b = write_csv(tmp_path / "b.csv", header_b, [
        ["M-10", "Đã xử lý xong", "06/01/2025 08:00", "", "13/01/2025 09:00", "", ""]])
    db = tmp_path / "w.duckdb"
    files = {"A": a, "B": b}
    load_files(db, [files[n] for n in order.split(",")])
    assert business(fetch, db) == {"M-10": dict(
        case_id="M-10", status=9, received_at=D(2025, 1, 6, 8), due_at=D(2025, 1, 9, 17),
        finished_at=D(2025, 1, 13, 9), returned_at=None, handler="Nguyễn Văn An",
        late_reason="Chờ xác minh nguồn gốc đất", due_source="file")}


# --- ties: the file loaded later wins -------------------------------------------------------------

@pytest.mark.parametrize("order, handler", [("T1,T2", "Lê Thị Cúc"), ("T2,T1", "Nguyễn Văn An")])
def test_tie_goes_to_the_later_load(tmp_path, fetch, order, handler):
    files = {
        "T1": write_csv(tmp_path / "t1.csv", HEADER, [row("M-20", "Đang xử lý", handler="Nguyễn Văn An")]),
        "T2": write_csv(tmp_path / "t2.csv", HEADER, [row("M-20", "Đang xử lý", handler="Lê Thị Cúc")]),
    }
    db = tmp_path / "w.duckdb"
    first, second = order.split(",")
    load_files(db, [files[first]])
    load_files(db, [files[second]])
    assert fetch(db, "select handler, source_file from cases") == [
        {"handler": handler, "source_file": files[second].name}]
    assert counts(fetch, db)[1] == (files[second].name, 1, 0, 1, 0, 0)


# --- the same case twice in one file: applied in file order ---------------------------------------

DUPES = [
    row("D-1", "Đang xử lý", handler="Nguyễn Văn An"),                                   # pending, then
    row("D-1", "Đã trả kết quả", finished="08/01/2025 15:00", returned="09/01/2025 10:00",
        handler="Lê Thị Cúc"),                                                            # finished: wins
    row("D-2", "Đã trả kết quả", finished="08/01/2025 15:00", returned="09/01/2025 10:00",
        handler="Lê Thị Cúc"),                                                            # finished, then
    row("D-2", "Đang xử lý", handler="Nguyễn Văn An"),                                   # pending: loses
    row("D-3", "Đang xử lý", handler="Nguyễn Văn An"),                                   # a tie:
    row("D-3", "Đang xử lý", handler="Lê Thị Cúc"),                                      # the later row wins
]


def test_same_case_twice_in_one_file_is_applied_in_file_order(tmp_path, fetch):
    db = tmp_path / "w.duckdb"
    [result] = load_files(db, [write_csv(tmp_path / "dupes.csv", HEADER, DUPES)])
    finished = dict(status=10, finished_at=D(2025, 1, 8, 15), returned_at=D(2025, 1, 9, 10), handler="Lê Thị Cúc")
    pending = dict(status=4, finished_at=None, returned_at=None, handler="Lê Thị Cúc")
    common = dict(received_at=D(2025, 1, 6, 8), due_at=D(2025, 1, 9, 17), late_reason=None, due_source="file")
    assert business(fetch, db) == {"D-1": dict(case_id="D-1", **finished, **common),
                                   "D-2": dict(case_id="D-2", **finished, **common),
                                   "D-3": dict(case_id="D-3", **pending, **common)}
    # three new cases; D-1's and D-3's second rows changed them, D-2's did not
    assert (result.rows_read, result.rows_inserted, result.rows_updated, result.rows_unchanged,
            result.rows_rejected) == (6, 3, 2, 1, 0)


# --- idempotency -------------------------------------------------------------------------------------

def snapshot(fetch, db) -> dict[str, list]:
    """Full content of every data table, ordered, nothing left out."""
    return {t: fetch(db, f"select * from {t} order by all")
            for t in ("cases", "procedures", "ratings", "feedback", "meta")}


def test_reloading_the_golden_files_changes_nothing(tmp_path, fetch, golden_db, golden_dir, make_golden):
    db = tmp_path / "w.duckdb"
    shutil.copyfile(golden_db[0], db)
    before = snapshot(fetch, db)
    load_files(db, [golden_dir / n for n in make_golden.FILES])
    after = snapshot(fetch, db)
    rows = fetch(db, "select * from ingestions order by ingestion_id")
    n = len(make_golden.FILES)
    assert len(rows) == 2 * n
    for first, again in zip(rows[:n], rows[n:]):
        assert again["file_name"] == first["file_name"]
        assert (again["rows_inserted"], again["rows_updated"]) == (0, 0), again
        assert again["rows_read"] == first["rows_read"]
        assert again["rows_rejected"] == first["rows_rejected"]
        assert again["rows_unchanged"] == first["rows_read"] - first["rows_rejected"]
    data_version = [r for r in after["meta"] if r["key"] == "data_version"]
    assert data_version == [{"key": "data_version", "value": "2"}]   # one bump per load, nothing else
    after["meta"] = [r for r in after["meta"] if r["key"] != "data_version"]
    before["meta"] = [r for r in before["meta"] if r["key"] != "data_version"]
    assert after == before


def test_reloading_a_file_with_repeated_cases_changes_nothing(tmp_path, fetch):
    db = tmp_path / "w.duckdb"
    path = write_csv(tmp_path / "dupes.csv", HEADER, DUPES)
    load_files(db, [path])
    before = fetch(db, "select * from cases order by all")
    [again] = load_files(db, [path])
    assert (again.rows_read, again.rows_inserted, again.rows_updated, again.rows_unchanged) == (6, 0, 0, 6)
    assert fetch(db, "select * from cases order by all") == before
