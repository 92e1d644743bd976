"""Roles are checked on the server: a viewer cannot run SQL, upload or edit targets, an analyst
can run SQL but not upload, in password mode nobody sees a page before logging in."""
from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from core import auth
from core.db import file_identity
from tests.test_app_pages import APP, TIMEOUT, sample_db  # noqa: F401 - the session fixture
from ui import uploads

VIEWER = auth.User("xem", "viewer")
ANALYST = auth.User("phantich", "analyst")
ADMIN = auth.User("quantri", "admin")


def test_permissions_table():
    assert not VIEWER.can("run_sql") and not VIEWER.can("upload") and not VIEWER.can("edit_targets")
    assert VIEWER.can("view")
    assert ANALYST.can("run_sql") and ANALYST.can("download_case_lists") and not ANALYST.can("upload")
    assert ADMIN.can("upload") and ADMIN.can("edit_targets") and ADMIN.can("run_sql")
    with pytest.raises(auth.PermissionDenied):
        auth.require(VIEWER, "run_sql")
    with pytest.raises(auth.PermissionDenied):
        auth.require(None, "view")
    assert auth.require(ADMIN, "upload") is ADMIN


def test_bcrypt_accounts():
    users = {"lan": {"password_hash": auth.hash_password("đúng-mật-khẩu"), "role": "analyst"}}
    assert auth.check_password(users, "lan", "đúng-mật-khẩu") == auth.User("lan", "analyst")
    assert auth.check_password(users, "lan", "sai") is None
    assert auth.check_password(users, "khong-co", "đúng-mật-khẩu") is None
    assert auth.check_password({"x": {"password_hash": "not-a-hash"}}, "x", "y") is None


class _Upload:
    def __init__(self, name, data):
        self.name, self._data = name, data

    def getbuffer(self):
        return memoryview(self._data)


CSV = "Mã hồ sơ,Ngày tiếp nhận,Trạng thái\nR1,02/01/2026 08:00,Đang xử lý\n"


@pytest.fixture
def db_copy(sample_db, tmp_path):
    path = tmp_path / "tthc.duckdb"
    shutil.copyfile(sample_db, path)
    return path


def test_upload_action_refuses_viewer_and_analyst(db_copy):
    before = file_identity(db_copy)
    for user in (None, VIEWER, ANALYST):
        outcome = uploads.load_uploads(db_copy, [_Upload("moi.csv", CSV.encode())], user=user)
        assert not outcome.ok and "không có quyền" in outcome.message
        assert file_identity(db_copy) == before
    assert uploads.load_uploads(db_copy, [_Upload("moi.csv", CSV.encode())], user=ADMIN).ok
    assert file_identity(db_copy) != before


def _app(db, monkeypatch, user: auth.User | None) -> AppTest:
    monkeypatch.setenv("TTHC_DB_PATH", str(db))
    monkeypatch.setenv("TTHC_AUTH_MODE", "password")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets["auth"] = {"users": {"lan": {"password_hash": auth.hash_password("mk-lan"), "role": "viewer"}}}
    if user is not None:
        at.session_state["_auth_user"] = user
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at: AppTest) -> str:
    return " ".join([m.value for m in at.markdown] + [w.value for w in at.warning] + [t.value for t in at.title]
                    + [e.value for e in at.error] + [h.value for h in at.header] + [s.value for s in at.subheader])


def test_password_mode_asks_for_login_first(sample_db, monkeypatch):
    at = _app(sample_db, monkeypatch, None)
    assert "Đăng nhập" in [t.value for t in at.title]
    assert len(at.text_input) == 2 and not at.metric
    at.text_input[0].input("lan")
    at.text_input[1].input("sai-mat-khau")
    at.button[0].click().run()
    assert any("không đúng" in e.value for e in at.error)
    at.text_input[0].input("lan")
    at.text_input[1].input("mk-lan")
    at.button[0].click().run()
    assert at.session_state["_auth_user"] == auth.User("lan", "viewer")


def test_viewer_cannot_run_sql_or_upload(sample_db, monkeypatch):
    at = _app(sample_db, monkeypatch, VIEWER)
    at.switch_page("pages/truy_van_sql.py").run()
    assert not at.exception
    assert "không có quyền" in _texts(at)
    assert not at.text_area and not [b for b in at.button if "Chạy" in b.label]
    at.switch_page("pages/du_lieu.py").run()
    assert not at.exception
    assert "không có quyền" in _texts(at)
    assert not [b for b in at.button if "Nạp" in str(b.label)]


def test_analyst_runs_sql_but_cannot_upload(sample_db, monkeypatch):
    at = _app(sample_db, monkeypatch, ANALYST)
    at.switch_page("pages/truy_van_sql.py").run()
    assert at.text_area, "the analyst gets the SQL editor"
    at.text_area[0].input("select count(*) as n from cases")
    [b for b in at.button if "Chạy" in b.label][0].click().run()
    assert not at.exception
    assert at.session_state["sql_result"][1].ok
    at.switch_page("pages/du_lieu.py").run()
    assert "không có quyền" in _texts(at)
