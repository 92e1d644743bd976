"""The metric layer on Apache Spark: the same queries/*.sql, run over the Parquet export.

Nothing here defines a figure. Every query, view and macro is read from the DuckDB .sql sources
(etl/macros.sql, queries/views.sql, queries/<name>.sql), parsed with sqlglot, and rewritten for
Spark mechanically:

  * DuckDB macros are expanded by AST substitution: scalar macros (rate_pct, sector_key, wd_*,
    ...) where they are called, table macros (case_period_facts, kpi_table) as subqueries;
  * $parameters are bound as typed literals in the AST (never formatted into SQL text);
  * CASE expressions over literals are folded, so a macro's branches that a parameter rules out
    do not have to type-check in Spark (DuckDB has one INTERVAL type, Spark two);
  * the few DuckDB functions Spark names differently are renamed (error, isoyear, week), Spark
    gets the TIME type, and nfc_normalize / strip_accents become small Python UDFs (Unicode
    normalisation of sector names; Spark has no built-in);
  * sqlglot writes the Spark SQL (read="duckdb", write=Spark with TIME kept as TIME).

The Parquet export's tables become temporary views with their warehouse columns and types; the views
of queries/views.sql are created over them in file order, and table case_facts is, as in a load
(etl.warehouse.refresh_facts), the view case_facts_view computed once and cached, and so are the
monthly cubes over it (MATERIALISED; setting spark_case_facts=stored reads the exported tables
instead).

SparkConnection quacks like the DuckDB connection queries.loader.run uses (``.execute(text,
params).to_arrow_table()``), so queries.metrics runs unchanged on it. docs/scale.md has the
what and why.
"""
from __future__ import annotations

import json
import os
import re
import sys
import threading
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.dialects.spark import Spark

from core import settings

ROOT = Path(__file__).resolve().parent.parent
# The files etl.warehouse.create_schema runs, in its order: macros first, then the views.
DEFINITION_FILES = (ROOT / "etl" / "macros.sql", ROOT / "queries" / "views.sql")
# Tables a load materialises from a view (etl.warehouse.refresh_facts: case_facts, then the monthly
# cubes over it, in views.sql's order).
MATERIALISED = {"case_facts": "case_facts_view", "case_month_cube": "case_month_cube_view",
                "time_saving_month_cube": "time_saving_month_cube_view"}
MANIFEST = "_manifest.json"


class Untranslatable(Exception):
    """A DuckDB construct in the .sql sources that this translation does not handle."""


class SparkUnavailable(Exception):
    """pyspark or Java is missing."""


class Spark4(Spark):
    """Spark SQL as Spark 4 reads it: TIME stays TIME (sqlglot's Spark writes TIMESTAMP, which would
    compare a case's clock time with a full timestamp); needs spark.sql.timeType.enabled."""

    class Generator(Spark.Generator):
        TYPE_MAPPING = {**Spark.Generator.TYPE_MAPPING, exp.DataType.Type.TIME: "TIME"}


# --- definitions: macros and views of the .sql sources -------------------------------------------
@dataclass(frozen=True)
class Macro:
    name: str
    params: tuple[str, ...]
    body: exp.Expression
    table: bool


@dataclass(frozen=True)
class Definitions:
    macros: dict[str, Macro]
    views: tuple[tuple[str, exp.Expression], ...]


def _parse(text: str, origin: str) -> list[exp.Expression]:
    try:
        return [s for s in sqlglot.parse(text, read="duckdb") if s is not None]
    except sqlglot.errors.ParseError as exc:
        raise Untranslatable(f"{origin}: sqlglot cannot parse it: {str(exc).splitlines()[0]}") from None


def _definitions_key() -> tuple:
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in DEFINITION_FILES)


@lru_cache(maxsize=4)
def _definitions(key: tuple) -> Definitions:
    macros: dict[str, Macro] = {}
    views: list[tuple[str, exp.Expression]] = []
    for path in DEFINITION_FILES:
        for stmt in _parse(path.read_text(encoding="utf-8"), path.name):
            kind = stmt.args.get("kind") if isinstance(stmt, exp.Create) else None
            if kind == "MACRO":
                udf = stmt.this
                name = udf.this.name.lower() if isinstance(udf.this, exp.Table) else udf.name.lower()
                params = tuple(p.name.lower() for p in udf.expressions)
                returns = stmt.find(exp.ReturnsProperty)
                table = bool(returns and returns.args.get("is_table"))
                macros[name] = Macro(name, params, stmt.expression, table)
            elif kind == "VIEW":
                views.append((stmt.this.name, stmt.expression))
            else:
                raise Untranslatable(f"{path.name}: statement not translated: {stmt.sql('duckdb')[:120]}")
    return Definitions(macros, tuple(views))


def definitions() -> Definitions:
    """The macros and views of the .sql sources as they are now on disk."""
    return _definitions(_definitions_key())


# --- AST rewriting --------------------------------------------------------------------------------
def _substitute(body: exp.Expression, params: tuple[str, ...], args: list[exp.Expression]) -> exp.Expression:
    """A macro's body with its parameters replaced by the call's arguments (DuckDB resolves an
    unqualified name to the macro parameter first, as here)."""
    if len(args) != len(params):
        raise Untranslatable(f"macro called with {len(args)} arguments, defined with {len(params)}")
    values = dict(zip(params, args))

    def swap(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and not node.table and node.name.lower() in values:
            arg = values[node.name.lower()].copy()
            return arg if isinstance(arg, (exp.Column, exp.Literal, exp.Null, exp.Boolean, exp.Cast,
                                           exp.Paren, exp.Subquery)) else exp.Paren(this=arg)
        return node

    return body.copy().transform(swap, copy=False)


_CTE_SEQ = iter(range(1, 1 << 62))


def _private_ctes(body: exp.Expression, prefix: str) -> exp.Expression:
    """The body's CTEs renamed apart (sqlglot's Spark output lifts every WITH to the top, where a
    macro's ``final`` would meet the query's ``final``). A reference keeps the old name as its alias,
    so qualified columns (``final.x``) still resolve."""
    with_ = body.args.get("with_") or body.args.get("with")
    if not with_:
        return body
    n = next(_CTE_SEQ)
    names = {}
    for cte in with_.expressions:
        old = cte.alias
        names[old.lower()] = f"__{prefix}_{n}_{old}"
        cte.set("alias", exp.TableAlias(this=exp.to_identifier(names[old.lower()])))
    for table in body.find_all(exp.Table):
        if isinstance(table.this, exp.Anonymous):
            # a table macro or query_table() given one of these CTEs by name (kpi_figures_of('joined'))
            for arg in table.this.expressions:
                if isinstance(arg, exp.Literal) and arg.is_string and arg.this.lower() in names:
                    arg.replace(exp.Literal.string(names[arg.this.lower()]))
            continue
        if not table.args.get("db") and isinstance(table.this, exp.Identifier) and table.name.lower() in names:
            if not table.args.get("alias"):
                table.set("alias", exp.TableAlias(this=exp.to_identifier(table.name)))
            table.set("this", exp.to_identifier(names[table.name.lower()]))
    return body


def _macro_call(node: exp.Expression, macros: Mapping[str, Macro]) -> Macro | None:
    if isinstance(node, exp.Anonymous):
        return macros.get(node.name.lower())
    return None


def expand_macros(tree: exp.Expression, macros: Mapping[str, Macro], depth: int = 0) -> exp.Expression:
    """Every DuckDB macro call replaced by its body, recursively (macros calling macros)."""
    if depth > 20:
        raise Untranslatable("macro expansion does not terminate (recursive macros?)")
    found = False

    def expand(node: exp.Expression) -> exp.Expression:
        nonlocal found
        if isinstance(node, (exp.Table, exp.Lateral)):
            macro = _macro_call(node.this, macros)
            if macro is None:
                return node
            if not macro.table:
                raise Untranslatable(f"scalar macro {macro.name} used as a table")
            found = True
            body = _private_ctes(_substitute(macro.body, macro.params, list(node.this.expressions)), macro.name)
            alias = node.args.get("alias") or exp.TableAlias(this=exp.to_identifier(macro.name))
            sub = exp.Subquery(this=body, alias=alias.copy())
            if isinstance(node, exp.Lateral):
                return exp.Lateral(this=exp.Subquery(this=body), alias=alias.copy())
            return sub
        macro = _macro_call(node, macros)
        if macro is not None:
            if macro.table:
                raise Untranslatable(f"table macro {macro.name} used as a scalar")
            found = True
            body = _substitute(macro.body, macro.params, list(node.expressions))
            return body if isinstance(body, (exp.Subquery, exp.Paren)) else exp.Paren(this=body)
        return node

    tree = tree.transform(expand, copy=True)
    return expand_macros(tree, macros, depth + 1) if found else tree


def _literal(value: Any) -> exp.Expression:
    """A typed SQL literal for a bound parameter (as DuckDB would type the Python value)."""
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, datetime):
        return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), exp.DataType.build("timestamp_ntz", dialect="spark"))
    if isinstance(value, date):
        return exp.cast(exp.Literal.string(value.isoformat()), "date")
    if isinstance(value, int):
        return exp.cast(exp.Literal.number(value), "bigint")
    if isinstance(value, float):
        return exp.cast(exp.Literal.string(repr(value)), "double")
    if isinstance(value, str):
        return exp.Literal.string(value)
    raise Untranslatable(f"cannot bind a parameter of type {type(value).__name__}")


def bind(tree: exp.Expression, params: Mapping[str, Any]) -> exp.Expression:
    """$name parameters replaced by literals in the AST."""
    def swap(node: exp.Expression) -> exp.Expression:
        if isinstance(node, (exp.Placeholder, exp.Parameter)):
            name = node.name
            if name not in params:
                raise Untranslatable(f"parameter ${name} is not bound")
            return _literal(params[name])
        return node

    return tree.transform(swap, copy=True)


def _constant(node: exp.Expression) -> Any:
    """The Python value of a literal (after binding), or a sentinel when it is not one."""
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Literal):
        return node.this if node.is_string else float(node.this)
    if isinstance(node, exp.Boolean):
        return node.this
    if isinstance(node, exp.Cast) and isinstance(node.this, exp.Literal) and node.this.is_string:
        return ("cast", node.this.this, node.to.sql())
    return _NOT_CONSTANT


_NOT_CONSTANT = object()


def fold(tree: exp.Expression) -> exp.Expression:
    """Fold comparisons of literals and CASEs whose branch is decided by literals (bound parameters)."""
    def simplify(node: exp.Expression) -> exp.Expression:
        if isinstance(node, (exp.EQ, exp.NEQ)):
            a, b = _constant(node.this), _constant(node.expression)
            if a is not _NOT_CONSTANT and b is not _NOT_CONSTANT and type(a) is type(b):
                return exp.Boolean(this=(a == b) == isinstance(node, exp.EQ))
        if isinstance(node, exp.Not):
            v = _constant(node.this)
            if isinstance(v, bool):
                return exp.Boolean(this=not v)
        if isinstance(node, exp.Case):
            subject = node.this
            value = _constant(subject) if subject is not None else None
            if subject is not None and value is _NOT_CONSTANT:
                return node
            for when in node.args.get("ifs") or []:
                cond = _constant(when.this)
                if cond is _NOT_CONSTANT:
                    return node
                if (subject is None and cond is True) or (subject is not None and cond == value):
                    return when.args["true"]
            default = node.args.get("default")
            return default if default is not None else exp.Null()
        return node

    return tree.transform(simplify, copy=True)


def _rename(fn: str):
    return lambda node: exp.Anonymous(this=fn, expressions=node.expressions)


def _empty_when_past(series: exp.GenerateSeries) -> exp.Expression:
    """DuckDB's generate_series is empty when start > stop (positive step); Spark's sequence fails
    there, even on rows a WHERE drops later. A negative literal step counts down and is kept."""
    step = series.args.get("step")
    if isinstance(step, exp.Neg) or (isinstance(step, exp.Literal) and step.this.startswith("-")):
        return series
    start, end = series.args["start"], series.args["end"]
    return exp.Case(ifs=[exp.If(this=exp.GT(this=start.copy(), expression=end.copy()),
                                true=exp.Array(expressions=[]))], default=series)


def spark_dialect_fixes(tree: exp.Expression) -> exp.Expression:
    """The DuckDB functions and clauses that Spark spells differently (same meaning)."""
    def fix(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Anonymous):
            name = node.name.lower()
            if name == "error":              # DuckDB error(msg) = Spark raise_error(msg)
                return exp.Anonymous(this="raise_error", expressions=node.expressions)
            if name == "isoyear":            # ISO-8601 week-numbering year
                return exp.Extract(this=exp.var("YEAROFWEEK"), expression=node.expressions[0])
            if name == "week":               # DuckDB week() is the ISO week
                return exp.Anonymous(this="weekofyear", expressions=node.expressions)
        if isinstance(node, exp.Week) and not node.args.get("mode"):
            return exp.Anonymous(this="weekofyear", expressions=[node.this])
        if (isinstance(node, exp.Table) and isinstance(node.this, exp.Anonymous)
                and node.this.name.lower() == "query_table"):
            # DuckDB query_table('name'): the table of that name (a macro's table parameter)
            args = node.this.expressions
            if len(args) != 1 or not (isinstance(args[0], exp.Literal) and args[0].is_string):
                raise Untranslatable("query_table() with anything but one literal table name")
            table = exp.to_table(args[0].this)
            table.set("alias", node.args.get("alias") or exp.TableAlias(this=exp.to_identifier(table.name)))
            return table
        if isinstance(node, (exp.Lateral, exp.Table)) and isinstance(node.this, exp.GenerateSeries):
            # DuckDB generate_series is a table function; Spark's sequence() makes an array that
            # explode() turns into rows (both include the stop value)
            node.set("this", exp.Explode(this=_empty_when_past(node.this)))
        if isinstance(node, exp.CTE) and node.args.get("materialized") is not None:
            node.set("materialized", None)   # a planner hint Spark does not parse
        return node

    return tree.transform(fix, copy=True)


def translate(sql: str, params: Mapping[str, Any] | None = None, origin: str = "query") -> str:
    """One DuckDB SELECT of the project (with $params bound to ``params``) as Spark SQL."""
    statements = _parse(sql, origin)
    if len(statements) != 1:
        raise Untranslatable(f"{origin}: expected one statement, got {len(statements)}")
    return _to_spark(statements[0], params or {}, origin)


def _to_spark(tree: exp.Expression, params: Mapping[str, Any], origin: str) -> str:
    tree = expand_macros(tree, definitions().macros)
    tree = fold(bind(tree, params))
    tree = spark_dialect_fixes(tree)
    leftover = [n.name for n in tree.find_all(exp.Anonymous) if n.name.lower() in definitions().macros]
    if leftover:
        raise Untranslatable(f"{origin}: macros left after expansion: {leftover}")
    try:
        return tree.sql(dialect=Spark4, unsupported_level=sqlglot.ErrorLevel.RAISE)
    except sqlglot.errors.UnsupportedError as exc:
        raise Untranslatable(f"{origin}: {exc}") from None


# --- Spark session and the Parquet export ----------------------------------------------------------
def _unicode_udfs() -> dict:
    """DuckDB's nfc_normalize and strip_accents for Spark, defined inside a function so that they
    are shipped to the executors by value: an executor needs Python, not this project's code."""
    def nfc_normalize(text):
        import unicodedata
        return None if text is None else unicodedata.normalize("NFC", text)

    def strip_accents(text):
        # DuckDB strip_accents: decompose, drop the combining marks (đ has none: sector_key maps it)
        import unicodedata
        if text is None:
            return None
        return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))

    return {"nfc_normalize": nfc_normalize, "strip_accents": strip_accents}


_SESSION_LOCK = threading.Lock()


def spark_session(master: str | None = None):
    """The process's SparkSession (created once; startup takes seconds). Master: ``master``, else
    setting spark_master."""
    import warnings

    # pyspark 4.3 warns about pandas 3 on import; this engine hands results over as Arrow, not pandas
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailable("pyspark is not installed: pip install -r requirements-spark.txt") from None
    if not _java_available():
        raise SparkUnavailable("Java is not installed (Spark needs Java 17): apt-get install openjdk-17-jre-headless")
    master = master or settings.get("spark_master")
    with _SESSION_LOCK:
        active = SparkSession.getActiveSession()
        if active is not None:
            return active
        builder = (SparkSession.builder.master(master).appName("tthc-metrics")
                   .config("spark.sql.timeType.enabled", "true")        # wd_base compares clock times
                   .config("spark.sql.session.timeZone", "UTC")          # warehouse times are zone-less
                   .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
                   .config("spark.ui.showConsoleProgress", "false")
                   .config("spark.driver.memory", settings.get("spark_driver_memory")))
        if master.startswith("local"):
            if not os.environ.get("PYSPARK_PYTHON"):
                builder = builder.config("spark.pyspark.python", sys.executable)   # this venv's Python
            # few cores: 200 shuffle partitions would be mostly scheduling overhead
            builder = builder.config("spark.sql.shuffle.partitions", "4").config("spark.ui.enabled", "false")
        spark = builder.getOrCreate()
        spark.sparkContext.setLogLevel("ERROR")
        return spark


def _java_available() -> bool:
    import shutil

    java_home = os.environ.get("JAVA_HOME")
    return bool(shutil.which("java") or (java_home and Path(java_home, "bin", "java").exists()))


# DuckDB column types (information_schema data_type) -> Spark SQL types.
_TYPES = {"VARCHAR": "string", "BOOLEAN": "boolean", "TINYINT": "tinyint", "SMALLINT": "smallint",
          "INTEGER": "int", "BIGINT": "bigint", "HUGEINT": "decimal(38,0)", "DOUBLE": "double", "FLOAT": "float",
          "DATE": "date", "TIMESTAMP": "timestamp_ntz", "TIME": "time", "UTINYINT": "smallint",
          "USMALLINT": "int", "UINTEGER": "bigint", "UBIGINT": "decimal(20,0)"}


def spark_type(duckdb_type: str) -> str:
    t = duckdb_type.upper()
    if t in _TYPES:
        return _TYPES[t]
    if re.fullmatch(r"DECIMAL\(\d+,\s*\d+\)", t):
        return t.lower().replace(" ", "")
    raise Untranslatable(f"no Spark type for DuckDB type {duckdb_type}")


def _join(base: str, *parts: str) -> str:
    """A path under the export folder, local or a URL (s3a://, hdfs://)."""
    return "/".join([base.rstrip("/"), *parts])


def read_manifest(parquet_dir: str) -> dict:
    if "://" in parquet_dir and not parquet_dir.startswith("file://"):
        from pyspark.sql import SparkSession  # remote storage: read the manifest through Spark

        spark = SparkSession.getActiveSession()
        text = "\n".join(r.value for r in spark.read.text(_join(parquet_dir, MANIFEST)).collect())
    else:
        path = Path(parquet_dir.removeprefix("file://")) / MANIFEST
        if not path.is_file():
            raise FileNotFoundError(f"no Parquet export in {parquet_dir} ({MANIFEST} missing): "
                                    "run python -m etl export-parquet first")
        text = path.read_text(encoding="utf-8")
    return json.loads(text)


class _Result:
    def __init__(self, df):
        self._df = df

    def to_arrow_table(self) -> pa.Table:
        return self._df.toArrow()

    def df(self):
        return self.to_arrow_table().to_pandas()


class SparkConnection:
    """The Parquet export as a Spark session with the warehouse's tables and views; ``sql`` runs a
    DuckDB-dialect query of queries/ through the translation (queries.loader.run calls it)."""

    def __init__(self, parquet_dir: str | os.PathLike, master: str | None = None, case_facts: str | None = None):
        self.parquet_dir = str(parquet_dir)
        self.case_facts = case_facts or settings.get("spark_case_facts")
        if self.case_facts not in ("view", "stored"):
            raise ValueError(f"spark_case_facts must be view or stored, not {self.case_facts!r}")
        base = spark_session(master)
        self.manifest = read_manifest(self.parquet_dir)
        # A session of its own (shared JVM and cache): temporary views of two exports never mix.
        self.spark = base.newSession()
        self._cached = []
        for name, fn in _unicode_udfs().items():
            self.spark.udf.register(name, fn, "string")
        self._register_tables()
        self._create_views()

    # tables of the export, with the warehouse's columns and types
    def _register_tables(self) -> None:
        for name, table in self.manifest["tables"].items():
            if name in MATERIALISED and self.case_facts == "view":
                continue   # computed from its view below, as a load does
            path = _join(self.parquet_dir, table["path"])
            reader = self.spark.read
            if table["partition_by"]:
                reader = reader.option("basePath", path).option("recursiveFileLookup", "false")
            try:
                df = reader.parquet(path)
            except Exception as exc:
                if table["rows"] == 0 and "UNABLE_TO_INFER_SCHEMA" in str(exc):
                    df = None   # an empty partitioned table: no files to read
                else:
                    raise
            columns = []
            for column, dtype in table["columns"]:
                target = spark_type(dtype)
                if df is None:
                    expr = f"cast(null as {target})"
                elif column in table["partition_by"]:
                    # DuckDB writes partition values as percent-encoded UTF-8; Spark decodes each %XX
                    # to one character, i.e. Latin-1: recover the bytes and decode them as UTF-8.
                    expr = f"cast(decode(encode(`{column}`, 'ISO-8859-1'), 'UTF-8') as {target})"
                else:
                    expr = f"cast(`{column}` as {target})"
                columns.append(f"{expr} as `{column}`")
            if df is None:
                view = self.spark.sql("select " + ", ".join(columns) + " where false")
            else:
                view = df.selectExpr(*columns)
            view.createOrReplaceTempView(name)

    def _create_views(self) -> None:
        """The views of queries/views.sql, each computed once when the connection opens: the export
        does not change under a connection. A local checkpoint keeps the rows on the executors
        (memory, spilling to disk) and cuts the plan, so a metric query is planned over a stored
        table, as DuckDB's is over table case_facts, not over the whole per-case derivation again
        (seconds of planning per query otherwise). case_facts is case_facts_view, as
        etl.warehouse.refresh_facts materialises it."""
        from pyspark import StorageLevel

        for name, body in definitions().views:
            df = self.spark.sql(_to_spark(body, {}, f"view {name}"))
            df = df.localCheckpoint(eager=True, storageLevel=StorageLevel.MEMORY_AND_DISK)
            self._cached.append(df)
            df.createOrReplaceTempView(name)
            for table, view in MATERIALISED.items():
                if view == name and self.case_facts == "view":
                    df.createOrReplaceTempView(table)

    def sql(self, query: str, params: Mapping[str, Any] | None = None) -> _Result:
        return _Result(self.spark.sql(translate(query, params)))

    def execute(self, query: str, params: Mapping[str, Any] | None = None) -> _Result:
        return self.sql(query, params)

    def close(self) -> None:
        for df in self._cached:
            df.unpersist()
        self._cached.clear()


def connect(parquet_dir: str | os.PathLike | None = None, master: str | None = None,
            case_facts: str | None = None) -> SparkConnection:
    """A SparkConnection on the Parquet export (default: setting parquet_dir)."""
    return SparkConnection(parquet_dir or settings.get("parquet_dir"), master=master, case_facts=case_facts)
