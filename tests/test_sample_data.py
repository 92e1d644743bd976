"""The sample exports: deterministic, current, and realistic in the ways the dashboard shows.

Everything here reads the files directly (no ETL), so a failure points at the generator.
"""
from __future__ import annotations

import csv
import importlib.util
import io
import json
import re
import sys
import unicodedata
import zipfile
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"

_spec = importlib.util.spec_from_file_location("sample_data_generate", SAMPLE / "generate.py")
gen = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = gen      # dataclasses look their module up there
_spec.loader.exec_module(gen)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    a, b = tmp_path_factory.mktemp("sample_a"), tmp_path_factory.mktemp("sample_b")
    return a, gen.generate(a), b, gen.generate(b)


@pytest.fixture(scope="module")
def out(generated) -> Path:
    return generated[0]


# --- readers ---------------------------------------------------------------------------------
def norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text)).split()).casefold()


@pytest.fixture(scope="module")
def xlsx_2024(out):
    """Header (bottom row, top row where merged vertically) and data rows of the 2024 export."""
    wb = openpyxl.load_workbook(out / "ho_so_2024_motcua.xlsx", read_only=True)
    rows = list(wb.active.iter_rows(values_only=True))
    wb.close()
    top, bottom = rows[5], rows[6]
    # keys in NFC (one header is written in NFD); line breaks and double spaces kept as written
    header = [unicodedata.normalize("NFC", b if b is not None else t) for t, b in zip(top, bottom)]
    data, blank, total = [], 0, None
    for r in rows[7:]:
        if all(v is None for v in r):
            blank += 1
        elif r[0] == "Tổng cộng":
            total = r
        else:
            data.append(dict(zip(header, r)))
    return {"top": top, "bottom": bottom, "header": header, "raw_header": [b or t for t, b in zip(top, bottom)], "rows": data, "blank": blank, "total": total,
            "title": rows[:5]}


@pytest.fixture(scope="module")
def csv_2025(out):
    raw = (out / "ho_so_2025_vendorB.csv").read_bytes()
    text = raw.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return {"raw": raw, "header": reader.fieldnames, "rows": list(reader)}


@pytest.fixture(scope="module")
def jsonl_2026(out):
    return [json.loads(line) for line in (out / "dvcqg_2026.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def ratings(out):
    raw = (out / "danh_gia_hai_long.txt").read_bytes()
    lines = raw.decode("utf-16").split("\r\n")
    return {"raw": raw, "header": lines[0].split("\t"), "rows": [ln.split("\t") for ln in lines[1:] if ln]}


def sheet_rows(path: Path) -> list[tuple]:
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = list(wb.active.iter_rows(values_only=True))
    wb.close()
    return rows


def parse_dmy(text: str | None) -> date | None:
    try:
        return datetime.strptime(text[:10], "%d/%m/%Y").date() if text else None
    except ValueError:   # 31/02/2025, injected on purpose
        return None


def parse_dvc(text: str | None) -> datetime | None:
    return None if not text else datetime.strptime(text, "%Y%m%d%H%M%S")


# --- determinism -----------------------------------------------------------------------------
def test_generation_is_byte_identical(generated):
    a, summary_a, b, summary_b = generated
    for name in gen.FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert summary_a == summary_b


def test_committed_files_match_the_generator(out):
    """The files in sample_data/ are what generate.py writes today (with today's holiday table)."""
    stale = [n for n in gen.FILES if not (SAMPLE / n).exists() or (SAMPLE / n).read_bytes() != (out / n).read_bytes()]
    assert not stale, f"stale sample files {stale}: run `python sample_data/generate.py`"


def test_xlsx_properties_are_pinned(out):
    for name in ("bo_tthc.xlsx", "ho_so_2024_motcua.xlsx", "pakn.xlsx"):
        with zipfile.ZipFile(out / name) as z:
            assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
            core = z.read("docProps/core.xml").decode()
            assert re.search(r"<dcterms:created[^>]*>20\d\d-\d\d-\d\dT", core)


def test_folder_is_small(out):
    sizes = {n: (out / n).stat().st_size for n in gen.FILES}
    assert sizes["ho_so_2024_motcua.xlsx"] < 2_000_000
    assert sum(sizes.values()) < 12_000_000


# --- formats ---------------------------------------------------------------------------------
def aliases() -> set[str]:
    spec = yaml.safe_load((ROOT / "etl" / "mappings" / "default.yaml").read_text(encoding="utf-8"))
    words = set(spec["ignore"])
    for group in ("fields", "personal"):
        for names in spec[group].values():
            words.update(names)
    return {norm(w) for w in words}


XLSX_GROUPS = {"Thủ tục hành chính", "Thông tin người nộp", "Thời gian", "Xử lý", "Chuyển đổi số", "Trễ hạn"}
DVCQG_STRUCTURED = {"DanhSachLePhi", "DanhSachGiayToKetQua", "TaiLieuNop"}


def test_every_header_is_a_known_alias(xlsx_2024, csv_2025, jsonl_2026, ratings, out):
    known = aliases()
    assert all(norm(h) in known for h in xlsx_2024["raw_header"])
    groups = {h for t, b in zip(xlsx_2024["top"], xlsx_2024["bottom"]) if b is not None for h in [t] if h}
    assert groups == XLSX_GROUPS
    # group cells are not aliases, except "Thủ tục hành chính" (procedure_name) over the code and name
    assert {g for g in groups if norm(g) in known} == {"Thủ tục hành chính"}
    assert all(norm(h) in known for h in csv_2025["header"])
    keys = set().union(*(o.keys() for o in jsonl_2026)) - DVCQG_STRUCTURED
    assert all(norm(k) in known for k in keys), keys - {k for k in keys if norm(k) in known}
    assert all(norm(h) in known for h in ratings["header"])
    catalogue = sheet_rows(out / "bo_tthc.xlsx")[2]
    pakn = sheet_rows(out / "pakn.xlsx")[3]
    assert all(norm(h) in known for h in catalogue + pakn if h is not None)


def test_xlsx_2024_layout(xlsx_2024, out):
    assert xlsx_2024["title"][2][0] == "DANH SÁCH HỒ SƠ TIẾP NHẬN"
    assert xlsx_2024["title"][3][0] == "Từ ngày 01/01/2024 đến ngày 31/12/2024"
    assert xlsx_2024["blank"] == 2
    assert xlsx_2024["total"][1] == len(xlsx_2024["rows"])
    headers = xlsx_2024["raw_header"]
    assert any("\n" in h for h in headers) and any("  " in h for h in headers)
    assert any(not unicodedata.is_normalized("NFC", h) for h in headers)
    with zipfile.ZipFile(out / "ho_so_2024_motcua.xlsx") as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    merged = set(re.findall(r'<mergeCell ref="([A-Z]+\d+:[A-Z]+\d+)"', sheet))
    assert {"A6:A7", "B6:B7", "D6:E6", "K6:N6"} <= merged
    row = xlsx_2024["rows"][0]
    assert isinstance(row["Ngày tiếp nhận"], datetime)          # a real Excel date
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", row["Ngày hẹn trả"])
    assert {r["Đơn vị tiếp nhận"] for r in xlsx_2024["rows"]} == {gen.UNIT}


def test_csv_2025_format(csv_2025):
    raw = csv_2025["raw"]
    assert raw.startswith(b"\xef\xbb\xbf")
    # records end in CRLF; the two quoted multi-line "Lý do trễ hạn" values hold a bare LF
    assert raw.count(b"\r\n") == len(csv_2025["rows"]) + 1
    assert raw.count(b"\n") - raw.count(b"\r\n") == 2
    rows = csv_2025["rows"]
    assert {r["Đơn vị tiếp nhận"] for r in rows} == {gen.UNIT}
    dates = [r["Ngày nộp hồ sơ"] for r in rows]
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d", d) for d in dates)
    assert {r["Hồ sơ có thành phần số hóa"] for r in rows} == {"0", "1"}


def test_jsonl_and_ratings_format(jsonl_2026, ratings):
    for o in jsonl_2026:
        assert o["KenhThucHien"] in (1, 2, 3) and 1 <= o["TrangThaiHoSo"] <= 10
        assert o["DonViTiepNhan"] == gen.UNIT
        for key in ("NgayNopHoSo", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTra"):
            assert o.get(key) is None or re.fullmatch(r"20\d{12}", o[key])
    assert ratings["raw"].startswith(b"\xff\xfe")
    assert ratings["header"] == ["Mã hồ sơ", "Mức độ hài lòng", "Ngày đánh giá"]
    ids = {o.get("MaHoSo") for o in jsonl_2026}
    assert all(r[0] in ids for r in ratings["rows"])
    assert {r[1] for r in ratings["rows"]} == {"Rất hài lòng", "Hài lòng", "Không hài lòng"}


# --- realism ---------------------------------------------------------------------------------
def test_row_counts(xlsx_2024, csv_2025, jsonl_2026, ratings, out):
    assert 5_500 <= len(xlsx_2024["rows"]) <= 8_000
    assert 6_000 <= len(csv_2025["rows"]) <= 9_000
    assert 6_500 <= len(jsonl_2026) <= 9_000
    total = len(xlsx_2024["rows"]) + len(csv_2025["rows"]) + len(jsonl_2026) - gen.OVERLAP_CASES
    assert 20_000 <= total <= 25_000
    assert 0.4 <= len(ratings["rows"]) / len(jsonl_2026) <= 0.75
    assert 200 <= len(sheet_rows(out / "pakn.xlsx")) - 4 <= 500
    assert 35 <= len(sheet_rows(out / "bo_tthc.xlsx")) - 3 <= 50


def test_december_2025_cases_are_in_both_files(csv_2025, jsonl_2026):
    pending = {r["Số hồ sơ"]: r for r in csv_2025["rows"] if r["Trạng thái hồ sơ"] == "Đang giải quyết"}
    assert len(pending) == gen.OVERLAP_CASES
    assert all(r["Ngày nhận hồ sơ"][3:10] == "12/2025" and not r["Ngày hoàn thành"] for r in pending.values())
    final = {o["MaHoSo"]: o for o in jsonl_2026 if o.get("MaHoSo") in pending}
    assert len(final) == gen.OVERLAP_CASES
    assert all(o["TrangThaiHoSo"] in (9, 10) and o["NgayKetThucXuLy"].startswith("202601") for o in final.values())
    # the JSONL holds nothing else received before 2026
    earlier = [o for o in jsonl_2026 if o.get("NgayTiepNhan", "2026") < "2026" and o.get("MaHoSo") not in pending]
    assert not earlier


def test_online_share_rises(xlsx_2024, jsonl_2026):
    share_2024 = sum(r["Kênh tiếp nhận"] == "Trực tuyến" for r in xlsx_2024["rows"]) / len(xlsx_2024["rows"])
    received = [o for o in jsonl_2026 if o.get("NgayTiepNhan", "").startswith("2026")]
    share_2026 = sum(o["KenhThucHien"] == 2 for o in received) / len(received)
    assert 0.35 <= share_2024 <= 0.55
    assert share_2026 >= 0.75 and share_2026 - share_2024 >= 0.25
    late_2026 = [o for o in received if o["NgayTiepNhan"] >= "20260901"]
    assert sum(o["KenhThucHien"] == 2 for o in late_2026) / len(late_2026) >= 0.8
    postal = sum(o["KenhThucHien"] == 3 for o in received) / len(received)
    assert 0.01 <= postal <= 0.06


def late_by_sector(rows, sector, due, finish) -> dict[str, tuple[int, int]]:
    counts: dict[str, list[int]] = {}
    for r in rows:
        d, f = parse_dmy(r[due]), parse_dmy(r[finish])
        if d is None or f is None:
            continue
        c = counts.setdefault(r[sector], [0, 0])
        c[0] += f > d
        c[1] += 1
    return {k: (v[0], v[1]) for k, v in counts.items()}


def test_late_cases_concentrate_in_land(xlsx_2024, csv_2025):
    for counts in (late_by_sector(xlsx_2024["rows"], "Lĩnh vực", "Ngày hẹn trả", "Ngày kết thúc\nxử lý"),
                   late_by_sector(csv_2025["rows"], "Tên lĩnh vực", "Hạn xử lý", "Ngày hoàn thành")):
        land_late, land_all = counts.pop("Đất đai")
        assert 0.05 <= land_late / land_all <= 0.18
        build_late, build_all = counts.pop("Xây dựng")
        assert 0.03 <= build_late / build_all <= 0.18
        other_late, other_all = sum(v[0] for v in counts.values()), sum(v[1] for v in counts.values())
        assert other_late / other_all < 0.01
        assert land_late / land_all > 5 * other_late / other_all


def test_late_cases_carry_reason_and_apology(csv_2025):
    done = [r for r in csv_2025["rows"] if r["Trạng thái hồ sơ"] in ("Đã trả", "Hoàn thành")]
    late = [r for r in done if parse_dmy(r["Ngày hoàn thành"]) and parse_dmy(r["Hạn xử lý"])
            and parse_dmy(r["Ngày hoàn thành"]) > parse_dmy(r["Hạn xử lý"])]
    assert sum(bool(r["Lý do trễ hạn"]) for r in late) / len(late) >= 0.8
    assert sum(r["Đã gửi thư xin lỗi"] == "Đã" for r in late) / len(late) >= 0.7


def test_weekday_pattern(jsonl_2026):
    days = Counter(parse_dvc(o["NgayTiepNhan"]).weekday() for o in jsonl_2026 if o.get("NgayTiepNhan"))
    assert days[0] > days[1] > days[4] and days[6] == 0
    assert 0 < days[5] < 0.02 * sum(days.values())
    hours = [parse_dvc(o["NgayTiepNhan"]).hour for o in jsonl_2026 if o.get("NgayTiepNhan")]
    assert 0 < sum(h >= 17 for h in hours) < 0.02 * len(hours)


def test_pending_at_the_end(jsonl_2026):
    pending = [o for o in jsonl_2026 if o["TrangThaiHoSo"] in (2, 4, 5, 6)]
    assert len(pending) >= 30
    assert all("NgayKetThucXuLy" not in o and not o.get("NgayTra") for o in pending)
    assert all(o["NgayTiepNhan"] >= "20260801" for o in pending)
    overdue = [o for o in pending if o["TrangThaiHoSo"] in (2, 4) and o.get("NgayHenTra")
               and o["NgayHenTra"] < "20261115"]
    assert len(overdue) >= 5
    assert {o["TrangThaiHoSo"] for o in pending} == {2, 4, 5, 6}


def test_catalogue_leaves_out_two_procedures(out, xlsx_2024, csv_2025, jsonl_2026):
    catalogue = {r[1] for r in sheet_rows(out / "bo_tthc.xlsx")[3:]}
    used = ({r["Mã thủ tục"] for r in xlsx_2024["rows"]} | {r["Mã TTHC"] for r in csv_2025["rows"]}
            | {o["MaTTHC"] for o in jsonl_2026})
    left_out = {p.code for p in gen.PROCEDURES if not p.in_catalogue}
    assert len(left_out) == 2 and used - catalogue == left_out


# --- injected quirks: exact counts (the ETL's data-quality tests rely on them) ---------------
def test_quirk_counts_in_the_files(generated, xlsx_2024, csv_2025, jsonl_2026):
    summary = generated[1]
    plan = gen.QUIRK_PLAN
    for file, (empty, before, nodue, nodue_unknown) in plan.items():
        q = summary["quirks"][file]
        assert [len(q.get(k, [])) for k in ("empty_id", "finish_before_receipt", "no_due_statutory_known",
                                            "no_due_unknown_procedure")] == [empty, before, nodue, nodue_unknown]
    assert sum(not r["Mã hồ sơ"] for r in xlsx_2024["rows"]) == plan["2024"][0]
    assert sum(not r["Số hồ sơ"] for r in csv_2025["rows"]) == plan["2025"][0]
    assert sum(not o.get("MaHoSo") for o in jsonl_2026) == plan["2026"][0]
    assert sum(not r["Ngày hẹn trả"] for r in xlsx_2024["rows"]) == sum(plan["2024"][2:])
    assert sum(not r["Hạn xử lý"] for r in csv_2025["rows"] if r["Ngày nhận hồ sơ"]) == sum(plan["2025"][2:])
    assert sum(not o.get("NgayHenTra") for o in jsonl_2026 if o.get("NgayTiepNhan")) == sum(plan["2026"][2:])
    bad = [v for r in csv_2025["rows"] for v in r.values() if v.startswith("31/02/2025")]
    assert len(bad) == len(gen.IMPOSSIBLE_DATES_2025)
    before_2024 = [r for r in xlsx_2024["rows"] if r["Ngày kết thúc\nxử lý"]
                   and parse_dmy(r["Ngày kết thúc\nxử lý"]) < r["Ngày tiếp nhận"].date()]
    assert len(before_2024) == plan["2024"][1]
    before_2026 = [o for o in jsonl_2026 if o.get("NgayKetThucXuLy") and o.get("NgayTiepNhan")
                   and o["NgayKetThucXuLy"][:8] < o["NgayTiepNhan"][:8]]
    assert len(before_2026) == plan["2026"][1]
