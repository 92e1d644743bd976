"""Run a named query from queries/<name>.sql with bound parameters.

Every figure has exactly one definition: the .sql file. Parameters are DuckDB named parameters
($start, $end, $unit, ...) bound at execution, never formatted into the SQL text.
"""
from __future__ import annotations

import re
import warnings
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping

import duckdb
import pyarrow as pa

QUERIES_DIR = Path(__file__).resolve().parent
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
# run() uses execute(), not con.sql(text, params=...): the latter binds the statement twice (once to
# type the relation, once to run it), 10-20 ms of planning per metric query (docs/performance.md).
# DuckDB warns that Arrow output from execute() copies the result once more: nothing on results of
# a few thousand rows at most, so the warning is silenced for that message only.
warnings.filterwarnings("ignore", message="Arrow output on a DB-API result", category=UserWarning)

# Queries that call kpi_table once, for the period $start..$end, and for which parameters that call is
# one period (grain 'all', not by sector). For a period of whole calendar months they run
# kpi_month_table instead: the same rows (same formulas, kpi_figures_of; tests/test_kpi_month_route.py),
# counted from the monthly cubes alone and planned in about half the time (docs/performance.md,
# round 5). Only the macro's name changes; values stay bound.
MONTH_ROUTED: dict[str, Callable[[Mapping[str, Any]], bool]] = {
    "kpis": lambda params: True,
    "index766_figures": lambda params: params.get("grain") != "month",   # 'month' = a row per month
}
_KPI_TABLE = re.compile(r"\bkpi_table\(")


@lru_cache(maxsize=None)
def sql_text(name: str) -> str:
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file() or path.parent != QUERIES_DIR:
        raise KeyError(f"no query named {name!r}")
    return path.read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def _month_route_text(name: str) -> str:
    text = sql_text(name)
    if len(_KPI_TABLE.findall(_strip_comments(text))) != 1:
        raise ValueError(f"query {name} is month-routed but does not call kpi_table exactly once")
    return _KPI_TABLE.sub("kpi_month_table(", text)


def whole_months(start: Any, end: Any) -> bool:
    """True when [start, end] is a run of whole calendar months (start the 1st, end a month's last day)."""
    if not (isinstance(start, date) and isinstance(end, date)) or start > end:
        return False
    return start.day == 1 and (end + timedelta(days=1)).day == 1


def routed_text(name: str, params: Mapping[str, Any]) -> str:
    """The SQL that run() executes for this query and these parameters."""
    one_period = MONTH_ROUTED.get(name)
    if one_period is not None and whole_months(params.get("start"), params.get("end")) and one_period(params):
        return _month_route_text(name)
    return sql_text(name)


def available() -> list[str]:
    return sorted(p.stem for p in QUERIES_DIR.glob("*.sql"))


def _strip_comments(sql: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())


@lru_cache(maxsize=None)
def parameters(name: str) -> frozenset[str]:
    """The named parameters a query uses (a query gets exactly these, no more, no fewer)."""
    return frozenset(_PARAM.findall(_strip_comments(sql_text(name))))


def run(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None) -> pa.Table:
    params = dict(params or {})
    wanted = parameters(name)
    missing = wanted - params.keys()
    if missing:
        raise TypeError(f"query {name} needs parameters {sorted(missing)}")
    bound = {k: params[k] for k in wanted}
    return con.execute(routed_text(name, bound), bound).to_arrow_table()


def run_df(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None):
    return run(con, name, params).to_pandas()
