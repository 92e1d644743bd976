"""Run a named query from queries/<name>.sql with bound parameters.

Every figure has exactly one definition: the .sql file. Parameters are DuckDB named parameters
($start, $end, $unit, ...) bound at execution, never formatted into the SQL text.
"""
from __future__ import annotations

import re
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import duckdb
import pyarrow as pa

QUERIES_DIR = Path(__file__).resolve().parent
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
# run() uses execute(), not con.sql(text, params=...): the latter binds the statement twice (once to
# type the relation, once to run it), 10-20 ms of planning per metric query (docs/performance.md).
# DuckDB warns that Arrow output from execute() copies the result once more: nothing on results of
# a few thousand rows at most, so the warning is silenced for that message only.
warnings.filterwarnings("ignore", message="Arrow output on a DB-API result", category=UserWarning)


@lru_cache(maxsize=None)
def sql_text(name: str) -> str:
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file() or path.parent != QUERIES_DIR:
        raise KeyError(f"no query named {name!r}")
    return path.read_text(encoding="utf-8")


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
    return con.execute(sql_text(name), bound).to_arrow_table()


def run_df(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None):
    return run(con, name, params).to_pandas()
