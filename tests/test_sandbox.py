"""The ad-hoc SQL sandbox: hostile input is refused with a clear message and changes nothing."""
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from etl.load import load_files
from queries.sandbox import check_sql, run_user_sql

ROOT = Path(__file__).resolve().parent.parent

CSV = """Mã hồ sơ,Tên thủ tục,Lĩnh vực,Kênh tiếp nhận,Ngày tiếp nhận,Ngày hẹn trả,Ngày kết thúc xử lý,Trạng thái
S1,Đăng ký khai sinh,Hộ tịch,Trực tuyến,02/01/2025 08:00,03/01/2025,03/01/2025 10:00,Đã xử lý xong
S2,Cấp GCN,Đất đai,Trực tiếp,02/01/2025 09:00,10/01/2025,,Đang xử lý
S3,Chứng thực bản sao,Chứng thực,Trực tiếp,03/01/2025 09:00,03/01/2025,03/01/2025 11:00,Đã trả kết quả
"""


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    d = tmp_path_factory.mktemp("sandbox")
    src = d / "cases.csv"
    src.write_text(CSV, encoding="utf-8")
    path = d / "w.duckdb"
    load_files(path, [src])
    (d / "other.duckdb").write_bytes(b"")
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


HOSTILE = [
    "COPY cases TO '/tmp/tthc_leak.csv'",
    "COPY cases FROM '/etc/passwd'",
    "EXPORT DATABASE '/tmp/tthc_export'",
    "ATTACH '/tmp/tthc_other.duckdb' AS o",
    "DETACH main",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_csv_auto('/etc/hostname')",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM read_blob('/etc/passwd')",
    "SELECT * FROM read_json('/etc/passwd')",
    "SELECT * FROM read_parquet('/tmp/x.parquet')",
    "SELECT * FROM glob('/etc/*')",
    "SELECT * FROM sniff_csv('/etc/passwd')",
    "SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')",
    "SET threads = 8",
    "SET enable_external_access = true",
    "RESET memory_limit",
    "PRAGMA database_list",
    "CREATE TABLE t AS SELECT 1",
    "CREATE TEMP TABLE t AS SELECT 1",
    "CREATE MACRO m() AS 1",
    "CREATE TEMP MACRO m() AS 1",
    "INSERT INTO cases (case_id) VALUES ('X')",
    "UPDATE cases SET unit = 'x'",
    "DELETE FROM cases",
    "DROP TABLE cases",
    "SELECT 1; DROP TABLE cases",
    "/* harmless */ DROP TABLE cases",
    "-- select 1\nDROP TABLE cases",
    "SELECT 'a; DROP TABLE cases'; DROP TABLE cases",
    "SELECT 1 /* ; */ ; DELETE FROM cases",
    "CHECKPOINT",
    "VACUUM",
    "BEGIN TRANSACTION",
    "USE memory",
    "CALL pragma_version()",
    "SELECT count(*) FROM range(100000000000) a",          # never ends: the time limit stops it
    "SELECT list(i) FROM range(400000000) t(i)",           # needs more memory than the cap
    "SELECT * FROM secret_frame_variable",                 # a Python variable in the caller's frame
    "SELECT getenv('HOME')",
    "",
]


@pytest.mark.parametrize("sql", HOSTILE)
def test_hostile_input_refused_and_database_unchanged(db, sql):
    secret_frame_variable = [{"leak": 1}]  # noqa: F841 - must not be reachable by name
    before = digest(db)
    result = run_user_sql(db, sql, timeout_s=2, max_rows=100)
    assert not result.ok, f"accepted: {sql!r}"
    assert result.table is None
    assert result.error and "\n" not in result.error
    assert digest(db) == before
    assert not Path("/tmp/tthc_leak.csv").exists()


def test_messages_say_why(db):
    assert "một câu lệnh" in run_user_sql(db, "SELECT 1; SELECT 2").error
    assert "bị từ chối" in run_user_sql(db, "DROP TABLE cases").error
    assert "quá 1 giây" in run_user_sql(db, "SELECT count(*) FROM range(100000000000) a", timeout_s=1).error
    assert "bộ nhớ" in run_user_sql(db, "SELECT list(i) FROM range(400000000) t(i)").error
    assert "tệp" in run_user_sql(db, "SELECT * FROM read_text('/etc/passwd')").error


def test_allowed_statements_work(db):
    for sql in ["SELECT case_id FROM cases ORDER BY case_id", "WITH x AS (SELECT 1 AS a) SELECT * FROM x",
                "DESCRIBE cases", "SUMMARIZE cases", "SHOW TABLES", "EXPLAIN SELECT * FROM cases",
                "FROM cases SELECT count(*)"]:
        result = run_user_sql(db, sql)
        assert result.ok, (sql, result.error)
        assert result.table.num_rows > 0
    first = run_user_sql(db, "SELECT case_id FROM cases ORDER BY case_id")
    assert first.table.column("case_id").to_pylist() == ["S1", "S2", "S3"]
    assert first.truncated is False


def test_row_cap_fetches_one_more_to_know_it_was_cut(db):
    cut = run_user_sql(db, "SELECT * FROM range(25)", max_rows=10)
    assert cut.table.num_rows == 10 and cut.truncated is True
    exact = run_user_sql(db, "SELECT * FROM range(10)", max_rows=10)
    assert exact.table.num_rows == 10 and exact.truncated is False


def test_check_uses_the_parser_not_a_regex():
    # A keyword inside a string or comment is not a statement.
    assert check_sql("SELECT 'DROP TABLE cases' AS x") is None
    assert check_sql("SELECT 1 -- ; DELETE FROM cases") is None
    assert check_sql("SELECT 1; DELETE FROM cases") is not None


def _cli(db, *args):
    return subprocess.run([sys.executable, "-m", "queries", "sql", "--db", str(db), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_cli_prints_csv(db):
    proc = _cli(db, "SELECT case_id, channel FROM cases ORDER BY case_id")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["case_id,channel", "S1,online", "S2,direct", "S3,direct"]


def test_cli_refusal_is_one_line_and_exit_2(db):
    before = digest(db)
    for sql in ("DROP TABLE cases", "SELECT 1; SELECT 2", "COPY cases TO '/tmp/tthc_leak.csv'"):
        proc = _cli(db, sql)
        assert proc.returncode == 2 and proc.stdout == ""
        assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    proc = _cli(db, "--timeout", "1", "SELECT count(*) FROM range(100000000000) a")
    assert proc.returncode == 2 and "quá 1 giây" in proc.stderr
    assert digest(db) == before


def test_cli_row_cap_says_it_was_cut(db):
    proc = _cli(db, "--max-rows", "2", "SELECT * FROM range(5)")
    assert proc.returncode == 0
    assert proc.stdout.splitlines() == ["range", "0", "1"]
    assert "kết quả bị cắt bớt" in proc.stderr
