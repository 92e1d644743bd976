"""The 766 index (queries/index766.py, queries/index766_figures.sql, docs/index766.md) on a small
hand-built warehouse, with the weights of etl/reference/index766.yaml.

Unit 'A', March 2026, 20 cases C01..C20 of an eligible (toàn trình) procedure, received 02/03,
due 20/03: C01-C19 finished 10/03 (early), C20 finished 25/03 (late) -> progress 95 %.
  online C01-C12 (toàn trình 60 %); digitised C01-C08 of 20 (40 %); e-result known for C01-C10, true
  for C01-C05 (50 %); reuse never carried; fee on C01-C04, paid online C01-C03 (75 %);
  C05 rated "Không hài lòng" -> not dissatisfied and not late: 18 of 20 (90 %).
Unit 'A', April 2026, D01-D10 received 01/04, due 20/04, direct: D01-D09 finished 10/04, D10 24/04
  (late) -> progress 90 %, toàn trình 0 %; D09 and D10 rated 1 -> 8 of 10 (80 %); no other flag.
Unit 'B': no case; two PAKN due in March: F1 on time (rated 3), F2 late (rated 1).
"""
from __future__ import annotations

import copy
from datetime import date, datetime

import duckdb
import pytest

from etl.warehouse import create_schema, refresh_facts
from queries import index766 as idx

UNMEASURABLE = {"cong_khai_minh_bach", "chung_thuc_dien_tu", "ket_noi_kho_du_lieu", "du_lieu_dan_cu_1",
                "du_lieu_dan_cu_2"}


def _cases() -> list[tuple]:
    rows = []
    for i in range(1, 21):
        rows.append((f"C{i:02d}", "A", "P01", "online" if i <= 12 else "direct", 10,
                     datetime(2026, 3, 2, 9), datetime(2026, 3, 20, 17),
                     datetime(2026, 3, 25, 10) if i == 20 else datetime(2026, 3, 10, 10),
                     i <= 8, (i <= 5) if i <= 10 else None, None,
                     10000 if i <= 4 else None, (i <= 3) if i <= 4 else None, 3 if i == 6 else None))
    for i in range(1, 11):
        rows.append((f"D{i:02d}", "A", "P01", "direct", 10, datetime(2026, 4, 1, 9), datetime(2026, 4, 20, 17),
                     datetime(2026, 4, 24, 10) if i == 10 else datetime(2026, 4, 10, 10),
                     None, None, None, None, None, 1 if i >= 9 else None))
    return rows


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    create_schema(c)
    c.executemany("insert into cases (case_id, unit, procedure_code, channel, status, received_at, due_at,"
                  " finished_at, digitised, e_result, data_reused, fee_amount, paid_online, rating)"
                  " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", _cases())
    c.execute("insert into procedures (procedure_code, procedure_name, full_online_eligible)"
              " values ('P01', 'Thủ tục thử', true)")
    c.execute("insert into ratings (case_id, rating) values ('C05', 1)")
    c.executemany("insert into feedback (feedback_id, unit, received_at, due_at, resolved_at, rating)"
                  " values (?, 'B', ?, ?, ?, ?)",
                  [("F1", datetime(2026, 3, 2), datetime(2026, 3, 10), datetime(2026, 3, 9), 3),
                   ("F2", datetime(2026, 3, 2), datetime(2026, 3, 12), datetime(2026, 3, 20), 1)])
    refresh_facts(c)
    yield c
    c.close()


def _items(result: dict) -> dict[str, dict]:
    return {i["id"]: i for g in result["groups"] for i in g["items"]}


def _groups(result: dict) -> dict[str, tuple]:
    return {g["id"]: (g["score"], g["reachable_max"]) for g in result["groups"]}


# ------------------------------------------------------------------ scoring rules (pure)

def test_rules_on_constructed_inputs():
    config = idx.load_config()
    r = idx.score(config, {"progress_rate": 95.0, "digitised_share": 40.0, "e_result_share": 50.0,
                           "reuse_share": 100.0, "full_online_case_share": 85.0, "online_payment_share": 75.0,
                           "pakn_on_time_rate": 100.0, "pakn_satisfaction_rate": 80.0,
                           "tthc_satisfaction_766": 45.0})
    scores = {k: v["score"] for k, v in _items(r).items()}
    assert scores == {
        "cong_khai_minh_bach": None,
        "tien_do_giai_quyet": 19.0,       # 20 x 95 / 100
        "ket_qua_dien_tu": 3.0,           # proportional: 6 x 50 / 100
        "so_hoa_thanh_phan": 2.0,         # 40 % with full marks at 80 %: half of 4
        "chung_thuc_dien_tu": None,
        "tai_su_dung": 2.0,               # 100 % >= 80 %: full, never above the maximum
        "ket_noi_kho_du_lieu": None,
        "du_lieu_dan_cu_1": None,
        "du_lieu_dan_cu_2": None,
        "toan_trinh": 12.0,               # 85 % >= 80 %
        "thanh_toan_truc_tuyen": 7.5,
        "pakn_dung_han": 6.0,
        "pakn_hai_long": 4.8,
        "tthc_hai_long": 3.0,             # 45 % with full marks at 90 %
    }
    assert (r["total"], r["reachable_max"], r["max"]) == (59.3, 72.0, 100.0)
    for item_id in UNMEASURABLE:
        item = _items(r)[item_id]
        assert (item["measured"], item["status"], item["label"]) == (False, "not_measurable", "chưa đo được")
        assert item["reason"]
    assert _groups(r)["cong_khai_minh_bach"] == (None, 0.0)
    assert _groups(r)["so_hoa"] == (7.0, 12.0)


def test_missing_rates_are_left_out_never_scored():
    config = idx.load_config()
    r = idx.score(config, {"progress_rate": 95.0, "pakn_on_time_rate": None, "tthc_satisfaction_766": None})
    items = _items(r)
    assert items["tien_do_giai_quyet"]["score"] == 19.0
    for item_id in ("so_hoa_thanh_phan", "pakn_dung_han", "pakn_hai_long", "tthc_hai_long", "toan_trinh"):
        assert (items[item_id]["score"], items[item_id]["measured"], items[item_id]["status"],
                items[item_id]["label"]) == (None, False, "no_data", "không có dữ liệu")
    assert (r["total"], r["reachable_max"], r["pct_of_reachable"]) == (19.0, 20.0, 95.0)
    # PAKN loaded but none to score in the period: the PAKN items get full marks (when_no_data: full)
    r = idx.score(config, {"progress_rate": 95.0}, nothing_to_score={"pakn_on_time_rate", "pakn_satisfaction_rate"})
    assert (_items(r)["pakn_dung_han"]["score"], _items(r)["pakn_dung_han"]["status"]) == (6.0, "nothing_to_score")
    assert (r["total"], r["reachable_max"]) == (31.0, 32.0)
    # nothing measured at all: no total, not 0
    r = idx.score(config, {})
    assert (r["total"], r["reachable_max"], r["pct_of_reachable"]) == (None, 0.0, None)


def test_weights_come_from_the_configuration():
    config = copy.deepcopy(idx.load_config())
    item = next(i for g in config["groups"] for i in g["items"] if i["id"] == "so_hoa_thanh_phan")
    item["full_at_pct"] = 50
    assert _items(idx.score(config, {"digitised_share": 40.0}))["so_hoa_thanh_phan"]["score"] == 3.2
    item["max"] = 10
    assert _items(idx.score(config, {"digitised_share": 40.0}))["so_hoa_thanh_phan"]["score"] == 8.0


def test_config_item_needs_exactly_one_rule(tmp_path):
    bad = tmp_path / "index766.yaml"
    bad.write_text("groups:\n  - id: g\n    name_vi: G\n    max: 4\n    items:\n"
                   "      - {id: x, name_vi: X, max: 4, measurable: true, metric: digitised_share,"
                   " full_at_pct: 80, scale: proportional}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="mục x"):
        idx.load_config(bad)


# ------------------------------------------------------------------ on the warehouse

def test_march_unit_a(con):
    r = idx.index766(con, date(2026, 3, 1), date(2026, 3, 31), unit="A")
    items = _items(r)
    assert {k: (v["value"], v["score"]) for k, v in items.items() if v["measured"]} == {
        "tien_do_giai_quyet": (95.0, 19.0),
        "ket_qua_dien_tu": (50.0, 3.0),
        "so_hoa_thanh_phan": (40.0, 2.0),
        "toan_trinh": (60.0, 9.0),
        "thanh_toan_truc_tuyen": (75.0, 7.5),
        "pakn_dung_han": (None, 6.0),          # PAKN loaded, none for unit A: full marks
        "pakn_hai_long": (None, 6.0),
        "tthc_hai_long": (90.0, 6.0),          # 18 of 20: exactly the 90 % threshold
    }
    assert (items["tai_su_dung"]["status"], items["tai_su_dung"]["score"]) == ("no_data", None)
    assert {k for k, v in items.items() if v["status"] == "not_measurable"} == UNMEASURABLE
    assert _groups(r) == {"cong_khai_minh_bach": (None, 0.0), "tien_do": (19.0, 20.0), "so_hoa": (5.0, 10.0),
                          "dich_vu_truc_tuyen": (16.5, 22.0), "hai_long": (18.0, 18.0)}
    assert (r["total"], r["reachable_max"], r["pct_of_reachable"]) == (58.5, 70.0, 83.57)


def test_kpi_values_handed_in_give_the_same_score(con):
    from queries import metrics
    start, end = date(2026, 3, 1), date(2026, 3, 31)
    own = idx.index766(con, start, end, unit="A")
    # the page's kpis carry the plan's time-saving threshold: no 766 item depends on it
    handed = idx.index766(con, start, end, unit="A",
                          kpi_values=metrics.kpis(con, start, end, unit="A", threshold_pct=55))
    assert handed == own and own["total"] > 0


def test_by_month_and_whole_period(con):
    months = idx.index766_by_month(con, date(2026, 3, 1), date(2026, 4, 30), unit="A")
    assert [(m["period_start"], m["period_end"], m["total"], m["reachable_max"]) for m in months] == [
        (date(2026, 3, 1), date(2026, 3, 31), 58.5, 70.0),
        (date(2026, 4, 1), date(2026, 4, 30), 35.33, 50.0),
    ]
    april = _items(months[1])
    assert (april["tien_do_giai_quyet"]["score"], april["toan_trinh"]["score"],
            april["tthc_hai_long"]["score"]) == (18.0, 0.0, 5.33)     # 90 %, 0 % (measured), 80 % of 90
    assert all(april[i]["status"] == "no_data"
               for i in ("ket_qua_dien_tu", "so_hoa_thanh_phan", "thanh_toan_truc_tuyen"))
    # the two months as one period: computed from the cases, not averaged from the months
    both = idx.index766(con, date(2026, 3, 1), date(2026, 4, 30), unit="A")
    assert {k: v["score"] for k, v in _items(both).items() if v["measured"]} == {
        "tien_do_giai_quyet": 18.67, "ket_qua_dien_tu": 3.0, "so_hoa_thanh_phan": 2.0, "toan_trinh": 6.0,
        "thanh_toan_truc_tuyen": 7.5, "pakn_dung_han": 6.0, "pakn_hai_long": 6.0, "tthc_hai_long": 5.78}
    assert (both["total"], both["reachable_max"]) == (54.95, 70.0)
    table = idx.by_month_table(months)
    assert table.column("total").to_pylist() == [58.5, 35.33]
    assert table.column("so_hoa").to_pylist() == [5.0, None]
    assert table.column("cong_khai_minh_bach").to_pylist() == [None, None]
    # a period starting mid-month: the first month is clipped to it
    clipped = idx.index766_by_month(con, date(2026, 3, 15), date(2026, 4, 10), unit="A")
    assert [(m["period_start"], m["period_end"]) for m in clipped] == \
        [(date(2026, 3, 15), date(2026, 3, 31)), (date(2026, 4, 1), date(2026, 4, 10))]
    assert _items(clipped[0])["tien_do_giai_quyet"]["value"] == 0.0   # only C20 (late) resolved 15-31/03


def test_unit_without_cases_scores_only_pakn(con):
    r = idx.index766(con, date(2026, 3, 1), date(2026, 3, 31), unit="B")
    measured = {k: (v["value"], v["score"]) for k, v in _items(r).items() if v["measured"]}
    assert measured == {"pakn_dung_han": (50.0, 3.0), "pakn_hai_long": (50.0, 3.0)}
    assert _items(r)["tthc_hai_long"]["status"] == "no_data"
    assert (r["total"], r["reachable_max"]) == (6.0, 12.0)


def test_tthc_satisfaction_figure(con):
    from queries import loader

    rows = loader.run(con, "index766_figures", {"start": date(2026, 3, 1), "end": date(2026, 4, 30),
                                                "unit": "A", "grain": "month"}).to_pylist()
    assert [(r["period_start"], r["tthc_cases"], r["tthc_good"], r["tthc_satisfaction_766"]) for r in rows] == [
        (date(2026, 3, 1), 20, 18, 90.0), (date(2026, 4, 1), 10, 8, 80.0)]
    assert [(r["feedback_due_rows"], r["feedback_rated_rows"], r["pakn_rated"]) for r in rows] == [(2, 2, 0), (2, 2, 0)]
