"""Shared fixtures of the ETL tests (fixtures only)."""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path, monkeypatch):
    """No test reads the developer's salt or writes the default database."""
    monkeypatch.setenv("TTHC_SALT_FILE", str(tmp_path / "no-salt-here"))
    monkeypatch.setenv("TTHC_DB_PATH", str(tmp_path / "default.duckdb"))
    monkeypatch.delenv("TTHC_LOAD_LOCK_TIMEOUT_S", raising=False)


@pytest.fixture(scope="session")
def golden_dir() -> Path:
    return GOLDEN


@pytest.fixture(scope="session")
def make_golden():
    """The golden generator module (tests/golden/make_golden.py)."""
    spec = importlib.util.spec_from_file_location("make_golden", GOLDEN / "make_golden.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def fetch():
    """fetch(db, sql, params) -> list of dicts, over a read-only connection closed afterwards."""
    def _fetch(db: Path, sql: str, params=None) -> list[dict]:
        con = duckdb.connect(str(db), read_only=True)
        try:
            rel = con.execute(sql, params or [])
            cols = [d[0] for d in rel.description]
            return [dict(zip(cols, row)) for row in rel.fetchall()]
        finally:
            con.close()
    return _fetch


@pytest.fixture(scope="session")
def cli():
    """cli(*args, env=None) -> CompletedProcess of `python -m etl ARGS` run from the repository."""
    def _cli(*args, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
        full_env = dict(os.environ, **(env or {}))
        return subprocess.run([sys.executable, "-m", "etl", *map(str, args)], cwd=ROOT, env=full_env,
                              capture_output=True, text=True, timeout=timeout)
    return _cli


@pytest.fixture(scope="session")
def golden_db(tmp_path_factory, make_golden, cli):
    """Every golden file loaded by one `python -m etl load` into a fresh database, in the order of
    make_golden.FILES (catalogue first): (db, completed process). Tests must not modify it."""
    db = tmp_path_factory.mktemp("golden_all") / "w.duckdb"
    env = {"TTHC_SALT_FILE": str(db.parent / "no-salt"), "TTHC_LOAD_LOCK_TIMEOUT_S": "30"}
    run = cli("load", *[GOLDEN / n for n in make_golden.FILES], "--db", db, env=env)
    return db, run
