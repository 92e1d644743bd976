"""Schema creation: case_facts is materialised once per load, and older warehouses migrate."""
import duckdb

from etl import warehouse
from queries import metrics


def test_old_warehouse_with_case_facts_view_migrates():
    con = duckdb.connect()
    warehouse.create_schema(con)
    con.execute("insert into cases (case_id, status, channel, received_at) "
                "values ('A', 4, 'online', timestamp '2026-02-03 09:00')")
    # as warehouses built before the materialisation: case_facts was a view
    con.execute("drop table case_facts")
    con.execute("create view case_facts as select * from case_facts_view")
    warehouse.create_schema(con)
    kind = con.execute("select table_type from information_schema.tables where table_name = 'case_facts'").fetchall()
    assert kind == [("BASE TABLE",)]
    assert metrics.kpis(con, "2026-02-01", "2026-02-28")["received"] == 1


def test_create_schema_keeps_the_facts_until_the_load_refreshes_them(monkeypatch):
    con = duckdb.connect()
    warehouse.create_schema(con)
    calls = []
    monkeypatch.setattr(warehouse, "refresh_facts", lambda c: calls.append(c))
    warehouse.create_schema(con)          # an existing, current table is not rebuilt again
    assert calls == []
