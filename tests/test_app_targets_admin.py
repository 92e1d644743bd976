"""etl.targets_admin: the Chỉ tiêu page's save path (centre file + atomic reload of targets)."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb
import pytest

from core.db import ReadOnlyWarehouse
from etl import atomic, targets_admin
from etl.load import build_empty

NEW_ROW = {"plan_id": "101", "plan_name": "Kế hoạch CCHC 2027 xã Thử Nghiệm", "unit": "Thử Nghiệm",
           "metric": "on_time_rate", "comparator": ">=", "value": 99.5, "effective_from": date(2027, 1, 1),
           "effective_to": date(2027, 12, 31), "sector_scope": "", "measurable": True,
           "target_text": "Tỷ lệ hồ sơ giải quyết đúng hạn đạt từ 99,5% trở lên",
           "citation": "Kế hoạch số 01/KH-UBND ngày 05/01/2027, mục II.1"}


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("targets") / "base.duckdb"
    build_empty(db)
    return db


@pytest.fixture
def db(empty_db, tmp_path) -> Path:
    path = tmp_path / "tthc.duckdb"
    path.write_bytes(empty_db.read_bytes())
    return path


def _targets(db: Path, plan_id: str | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        sql = "select plan_id, metric, comparator, value, effective_from from targets"
        if plan_id:
            return con.execute(sql + " where plan_id = ? order by rowid", [plan_id]).fetchall()
        return con.execute(sql + " order by rowid").fetchall()
    finally:
        con.close()


def test_the_registry_passes_the_editor_rules():
    rows = targets_admin.read_rows(targets_admin.reference_path())
    assert len(rows) > 100
    assert targets_admin.validate(rows) == []


def test_centre_file_lives_beside_the_database(tmp_path):
    assert targets_admin.centre_path(tmp_path / "x" / "tthc.duckdb") == (tmp_path / "x" / "targets_centre.csv").resolve()


def test_new_plan_is_saved_and_loaded(db):
    reference = len(_targets(db))
    n = targets_admin.save_plan(db, "101", [NEW_ROW])
    assert n == reference + 1
    assert _targets(db, "101") == [("101", "on_time_rate", ">=", 99.5, date(2027, 1, 1))]
    text = targets_admin.centre_path(db).read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(targets_admin.COLUMNS)
    assert "Kế hoạch CCHC 2027 xã Thử Nghiệm" in text
    # applying again (e.g. after a rebuild) gives the same table
    assert targets_admin.apply(db) == reference + 1


def test_editing_a_seed_plan_replaces_its_rows_and_reset_restores_them(db):
    original = _targets(db, "001")
    assert len(original) > 5
    edited = dict(NEW_ROW, plan_id="001", plan_name="Kế hoạch đã sửa", effective_from="01/01/2026",
                  effective_to="31/12/2030", value="98.5")
    targets_admin.save_plan(db, "001", [edited])
    assert _targets(db, "001") == [("001", "on_time_rate", ">=", 98.5, date(2026, 1, 1))]
    assert targets_admin.centre_plan_ids(db) == {"001"}
    targets_admin.save_plan(db, "001", [])
    assert _targets(db, "001") == original
    assert targets_admin.centre_plan_ids(db) == set()


@pytest.mark.parametrize("change, fragment", [
    ({"value": 120}, "từ 0 đến 100"),
    ({"value": "abc"}, "không phải số"),
    ({"comparator": "=>"}, "phép so sánh"),
    ({"metric": "made_up_rate"}, "không có trong danh mục"),
    ({"target_text": ""}, "thiếu nội dung"),
    ({"citation": " "}, "thiếu trích dẫn"),
    ({"effective_from": date(2028, 1, 1)}, "sau ngày hết hiệu lực"),
    ({"effective_to": "31/13/2027"}, "không hợp lệ"),
    ({"measurable": True, "metric": ""}, "phải chọn chỉ số"),
    ({"sector_scope": "dat_dai_xay_dung_dau_tu"}, "chỉ dùng cho mức độ hài lòng"),
    ({"plan_id": "102"}, "khác kế hoạch đang sửa"),
])
def test_invalid_rows_are_refused_and_nothing_changes(db, change, fragment):
    before = _targets(db)
    with pytest.raises(targets_admin.TargetsError) as err:
        targets_admin.save_plan(db, "101", [dict(NEW_ROW, **change)])
    assert any(fragment in p for p in err.value.problems), err.value.problems
    assert all(p.startswith("Dòng ") for p in err.value.problems)
    assert _targets(db) == before
    assert not targets_admin.centre_path(db).exists()


def test_a_failed_reload_puts_the_previous_centre_file_back(db, monkeypatch):
    targets_admin.save_plan(db, "101", [NEW_ROW])
    centre = targets_admin.centre_path(db)
    saved = centre.read_text(encoding="utf-8")

    @contextmanager
    def busy(*args, **kwargs):
        raise atomic.LoadBusy("Đang có một lần nạp khác.")
        yield  # pragma: no cover

    monkeypatch.setattr(atomic, "replacing", busy)
    with pytest.raises(atomic.LoadBusy):
        targets_admin.save_plan(db, "101", [dict(NEW_ROW, value=50)])
    assert centre.read_text(encoding="utf-8") == saved
    assert _targets(db, "101")[0][3] == 99.5


def test_a_reader_sees_the_new_targets_without_reopening(db):
    wh = ReadOnlyWarehouse(db)
    try:
        con = wh.connection()
        assert con.execute("select count(*) from targets where plan_id = '101'").fetchall()[0][0] == 0
        con.close()
        targets_admin.save_plan(db, "101", [NEW_ROW])
        con = wh.connection()
        assert con.execute("select count(*) from targets where plan_id = '101'").fetchall()[0][0] == 1
        con.close()
    finally:
        wh.close()


def test_cli_applies_the_centre_file(db, capsys):
    targets_admin.save_plan(db, "101", [NEW_ROW])
    assert targets_admin.main(["--db", str(db)]) == 0
    assert "Đã nạp" in capsys.readouterr().out
    targets_admin.centre_path(db).write_text("plan_id,plan_name\n1,x\n", encoding="utf-8")
    assert targets_admin.main(["--db", str(db)]) == 2
    assert "thiếu cột" in capsys.readouterr().err


def test_editor_frame_round_trip(db):
    import pandas as pd

    from ui import targets_edit

    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute("select * from targets where plan_id = '003' order by rowid")
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r)) for r in cur.fetchall()]
    finally:
        con.close()
    frame = targets_edit.editor_frame(rows)
    blank = pd.DataFrame([{c: None for c in frame.columns}]).astype({"measurable": "object"})
    blank.loc[0, "measurable"] = False
    edited = pd.concat([frame, blank], ignore_index=True)
    back = targets_edit.rows_from_editor(edited, "003", rows[0]["plan_name"], rows[0]["unit"])
    assert len(back) == len(rows)                       # the empty added row is dropped
    assert targets_admin.validate(back) == []
    assert [targets_admin.normalise(r) for r in back] == [targets_admin.normalise(r) for r in rows]
