"""`python -m etl load FILE`: a file that cannot be read stops the load with exit 2 and one
Vietnamese line on stderr naming the file (no traceback); a header-only file is readable."""
from __future__ import annotations

import contextlib
import io
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest
import xlsxwriter

from etl.cli import main as cli_main

ROOT = Path(__file__).resolve().parent.parent
SUFFIX = ". Không có gì được nạp.\n"
NO_HEADER = ("không tìm thấy dòng tiêu đề có cột mã (Mã hồ sơ / Mã PAKN / Mã thủ tục); nếu nhà cung cấp đặt tên "
             "cột khác, hãy thêm tên đó vào etl/mappings")


def _xlsx(path: Path, rows: list[list]) -> None:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    for i, row in enumerate(rows):
        ws.write_row(i, 0, row)
    wb.close()


def make_inputs(folder: Path, golden_dir: Path) -> dict[str, Path]:
    files = {}

    def put(name: str, data: bytes) -> None:
        files[name] = folder / name
        files[name].write_bytes(data)

    put("rong.csv", b"")
    put("chi_bom.csv", b"\xef\xbb\xbf\r\n")
    put("chi_tieu_de.csv", "Mã hồ sơ,Trạng thái,Ngày tiếp nhận,Chủ hồ sơ\r\n".encode("utf-8"))
    _xlsx(folder / "chi_tieu_de.xlsx", [["STT", "Mã hồ sơ", "Trạng thái", "Ngày tiếp nhận"]])
    files["chi_tieu_de.xlsx"] = folder / "chi_tieu_de.xlsx"
    put("rac.xlsx", bytes(random.Random(7).randrange(256) for _ in range(4096)))
    put("cut.xlsx", (golden_dir / "ho_so_vendorA.xlsx").read_bytes()[:3000])
    with zipfile.ZipFile(folder / "zip_la.xlsx", "w") as zf:
        zf.writestr("xl/workbook.xml", "không phải XML")
    files["zip_la.xlsx"] = folder / "zip_la.xlsx"
    put("khong_tieu_de.csv", "Họ tên,Ngày sinh,Quê quán\r\nA,01/01/1990,Hà Nội\r\n".encode("utf-8"))
    _xlsx(folder / "khong_tieu_de.xlsx", [["DANH SÁCH"], ["Họ tên", "Tuổi"], ["A", 30]])
    files["khong_tieu_de.xlsx"] = folder / "khong_tieu_de.xlsx"
    put("hong.json", b'[{"MaHoSo": "1", "TrangThaiHoSo": 2,')
    return files


# The five cases run as real subprocesses; the extra ones through the same entry point
# in-process (cheaper), with the same checks.
SUBPROCESS = ("rong.csv", "chi_tieu_de.csv", "rac.xlsx", "cut.xlsx", "khong_tieu_de.csv")


@pytest.fixture(scope="module")
def runs(tmp_path_factory, golden_dir) -> dict[str, tuple[subprocess.CompletedProcess, Path]]:
    """Every input loaded by its own `python -m etl load` into its own new database."""
    folder = tmp_path_factory.mktemp("cli_errors")
    inputs = make_inputs(folder, golden_dir)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TTHC_SALT_FILE", str(folder / "no-salt"))
        procs = {}
        for name in SUBPROCESS:
            db = folder / f"{name}.duckdb"
            procs[name] = (subprocess.Popen([sys.executable, "-m", "etl", "load", str(inputs[name]), "--db", str(db)],
                                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True), db)
        out = {}
        for name, path in inputs.items():
            if name in SUBPROCESS:
                continue
            db = folder / f"{name}.duckdb"
            stdout, stderr = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
                code = cli_main(["load", str(path), "--db", str(db)])
            out[name] = (subprocess.CompletedProcess([], code, stdout.getvalue(), stderr.getvalue()), db)
        for name, (proc, db) in procs.items():
            stdout, stderr = proc.communicate(timeout=120)
            out[name] = (subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr), db)
    return out


@pytest.mark.parametrize("name, reason", [
    ("rong.csv", "tệp rỗng"),
    ("chi_bom.csv", "tệp rỗng"),
    ("cut.xlsx", "tệp Excel bị hỏng (không giải nén được)"),
    ("khong_tieu_de.csv", NO_HEADER),
    ("khong_tieu_de.xlsx", NO_HEADER),
])
def test_unreadable_file_exact_message(runs, name, reason):
    run, db = runs[name]
    assert (run.returncode, run.stdout, run.stderr) == (2, "", f"Lỗi: {name}: {reason}{SUFFIX}")
    assert not db.exists()


@pytest.mark.parametrize("name, start", [
    ("rac.xlsx", ""),                                  # random bytes named .xlsx
    ("zip_la.xlsx", "không mở được tệp Excel ("),      # a zip with a broken workbook inside
    ("hong.json", "không đọc được JSON ("),            # cut-off JSON
])
def test_unreadable_file_one_vietnamese_line(runs, name, start):
    run, db = runs[name]
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.startswith(f"Lỗi: {name}: {start}") and run.stderr.endswith(SUFFIX)
    assert run.stderr.count("\n") == 1
    assert "Traceback" not in run.stderr and "Error:" not in run.stderr.split("(")[0]
    assert not db.exists()


def test_garbage_is_not_called_a_spreadsheet_or_a_crash(runs):
    run, _ = runs["rac.xlsx"]
    reason = run.stderr[len("Lỗi: rac.xlsx: "):-len(SUFFIX)]
    assert reason in ("tệp không phải bảng tính, CSV hay JSON (nội dung nhị phân)",
                      "tệp văn bản không ở mã UTF-8 hay UTF-16; hãy lưu lại dạng CSV UTF-8")


@pytest.mark.parametrize("name, fmt", [("chi_tieu_de.csv", "csv"), ("chi_tieu_de.xlsx", "xlsx")])
def test_header_only_file_loads_zero_rows(runs, name, fmt):
    run, db = runs[name]
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        f"{name} [{fmt}, cases]: đọc 0, thêm 0, cập nhật 0, không đổi 0, loại 0", f"Đã nạp vào {db}."]
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("select file_name, rows_read, rows_inserted, rows_rejected from ingestions").fetchall() \
            == [(name, 0, 0, 0)]
        assert con.execute("select count(*) from cases").fetchall() == [(0,)]
    finally:
        con.close()


def test_missing_file(tmp_path, capsys):
    assert cli_main(["load", str(tmp_path / "khong_co.csv"), "--db", str(tmp_path / "w.duckdb")]) == 2
    out = capsys.readouterr()
    assert (out.out, out.err) == ("", f"Lỗi: {tmp_path / 'khong_co.csv'}: không tìm thấy tệp\n")


def test_progress_bar_only_on_a_terminal(capsys, monkeypatch):
    """A slow load draws a progress bar on a terminal; piped stderr gets only the messages."""
    from etl import load as load_module

    clock = iter([0.0, 100.0, 200.0, 300.0])
    monkeypatch.setattr(load_module.time, "monotonic", lambda: next(clock))
    bar = load_module.Progress(3, enabled=True)     # a big load, 100 s per step
    bar.step("a.csv: đọc")
    bar.step("a.csv: gộp")
    bar.close()
    assert capsys.readouterr().err == ""
