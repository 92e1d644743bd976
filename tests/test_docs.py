"""Docs stay true: every setting and every warehouse table/column is documented."""
import re
from pathlib import Path

import duckdb

from core import settings
from etl import warehouse

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_documented():
    doc = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| `([a-z_0-9]+)` \|", doc, flags=re.M))
    names = {s.name for s in settings.SETTINGS}
    assert names - rows == set(), "settings missing from docs/settings.md"
    assert rows - names == set(), "docs/settings.md lists settings the code does not have"
    for s in settings.SETTINGS:
        assert s.help.strip(), s.name


def test_settings_env_override(monkeypatch):
    monkeypatch.setenv("TTHC_QUERY_MAX_ROWS", "17")
    assert settings.get("query_max_rows") == 17
    monkeypatch.delenv("TTHC_QUERY_MAX_ROWS")
    assert settings.get("query_max_rows") == 10_000


def _documented_columns() -> dict[str, set[str]]:
    doc = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    tables: dict[str, set[str]] = {}
    current = None
    for line in doc.splitlines():
        m = re.match(r"^## ([a-z_0-9]+)$", line)
        if m:
            current = m.group(1)
            tables[current] = set()
            continue
        m = re.match(r"^\| ([a-z_0-9]+) \|", line)
        if current and m and m.group(1) != "column":
            tables[current].add(m.group(1))
    return tables


def test_schema_doc_matches_database():
    con = duckdb.connect()
    warehouse.create_schema(con)
    actual: dict[str, set[str]] = {}
    for table, column in con.execute(
            "select table_name, column_name from information_schema.columns c "
            "join information_schema.tables t using (table_schema, table_name) "
            "where t.table_type = 'BASE TABLE' and t.table_schema = 'main'").fetchall():
        actual.setdefault(table, set()).add(column)
    documented = _documented_columns()
    assert set(actual) == set(documented)
    for table, cols in actual.items():
        assert cols == documented[table], table
