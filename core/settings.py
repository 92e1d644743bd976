"""Every tunable of the product in one table: name, default, type and help text.

A setting is read from the environment variable ``TTHC_<NAME upper-case>`` when set,
otherwise its default applies. Command-line flags (``--db`` and friends) override both.
docs/settings.md lists every setting; tests/test_docs.py keeps the two in step.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    kind: Callable[[str], Any]
    help: str

    @property
    def env_var(self) -> str:
        return "TTHC_" + self.name.upper()


def _bool(text: str) -> bool:
    return text.strip().lower() in {"1", "true", "yes", "on"}


SETTINGS: tuple[Setting, ...] = (
    Setting("db_path", str(ROOT / "data" / "tthc.duckdb"), str,
            "Warehouse file used when a command gets no --db."),
    Setting("sample_dir", str(ROOT / "sample_data"), str,
            "Folder of sample exports that `python -m etl sample` loads."),
    Setting("mappings_dir", str(ROOT / "etl" / "mappings"), str,
            "Folder of header-alias YAML files; every *.yaml in it is read, later files add aliases."),
    Setting("reference_dir", str(ROOT / "etl" / "reference"), str,
            "Folder of reference data loaded with every build: holiday adjustments, plan targets, 766 weights."),
    Setting("salt_file", str(Path.home() / ".config" / "tthc" / "salt"), str,
            "File holding the secret salt for hashing applicant ID numbers. Kept outside the repository; "
            "when it does not exist no applicant key is stored at all."),
    Setting("office_close", "17:00", str,
            "Closing time of the centre; a case received after it starts counting on the next working day."),
    Setting("valid_year_min", 2000, int,
            "Earliest year a case date may have; an older date rejects the row as implausible (e.g. 1900)."),
    Setting("valid_year_max", 2100, int,
            "Latest year a case date may have; a later date rejects the row as implausible (e.g. 2200)."),
    Setting("calendar_first_year", 2020, int, "First year of the generated working-day calendar."),
    Setting("calendar_last_year", 2035, int, "Last year of the generated working-day calendar."),
    Setting("load_lock_timeout_s", 30.0, float,
            "How long a load waits for another load on the same database before stopping with a message."),
    Setting("progress_min_mb", 20.0, float,
            "Loads of at least this many megabytes show a progress bar when stderr is a terminal."),
    Setting("load_memory_limit", "1200MB", str,
            "DuckDB memory_limit of a load's connection; a bigger load spills to load_temp_dir instead of "
            "growing (a 5M-case load stays under 2 GB of RAM)."),
    Setting("load_temp_dir", "", str,
            "Folder where a load spills what does not fit in load_memory_limit; empty: a folder "
            "<database file>.spill next to the warehouse, removed after the load."),
    Setting("load_incremental_max_share", 0.5, float,
            "A load that changes more than this share of the cases (a first load) rebuilds case_facts and "
            "the monthly cubes in full rather than case by case, which costs about 1.5x per case."),
    Setting("load_compact_free_share", 0.25, float,
            "After a load, a warehouse file with more than this share of free space (left by a table "
            "rewritten whole, such as case_facts after a catalogue change) and at least "
            "load_compact_min_free_mb of it is rewritten without it, so later loads copy a smaller file; "
            "1 never rewrites."),
    Setting("load_compact_min_free_mb", 64.0, float,
            "Free space, in MB, below which a warehouse file is never rewritten (see load_compact_free_share)."),
    Setting("load_spare_copy", True, bool,
            "After a load, copy the new warehouse file in the background, so the next load starts from "
            "that copy instead of copying the file itself (a week's load at 5M cases on ext4: 1.1 s "
            "instead of 1.6-1.7 s). Costs a second copy of the file on disk."),
    Setting("load_keep_touched_max_rows", 100_000, int,
            "A file of up to this many rows keeps the existing records it touches in memory while it is "
            "merged (found once); a bigger one reads them through a view, so a re-exported year does not "
            "hold a copy of the table."),
    Setting("auth_mode", "demo", str,
            "demo (no login, everyone admin; serve on 127.0.0.1 only), password (bcrypt accounts in "
            ".streamlit/secrets.toml) or oidc (st.login); see docs/security.md."),
    Setting("query_timeout_s", 10.0, float, "Time limit for one ad-hoc SQL query before it is interrupted."),
    Setting("query_max_rows", 10_000, int, "Row cap for ad-hoc SQL results; more rows are cut and the user told so."),
    Setting("query_memory_limit", "1GB", str, "DuckDB memory_limit of read-only query connections."),
    Setting("query_threads", 2, int, "DuckDB threads of read-only query connections."),
    Setting("page_query_workers", 2, int,
            "Query calls a dashboard page runs at the same time on worker threads besides its own "
            "(ui.data.later); 0 runs every call in the page's thread, one after another."),
    Setting("page_prefetch", True, bool,
            "After a page's run, compute the other metric pages' opening queries for the same filters on "
            "one background thread (ui.openers.prefetch), so their first open finds them cached; and, when "
            "`python -m ui.serve` starts, every metric page's for the default view (ui.openers.warm_up)."),
    Setting("warm_up_watch_s", 10.0, float,
            "How often (seconds) `python -m ui.serve` looks at the warehouse file; when a load has "
            "replaced it, the new data's default view is warmed up as at the start "
            "(ui.openers.warm_up_if_new). 0 turns the watch off. Needs page_prefetch."),
    Setting("time_saving_threshold_pct", 20.0, float,
            "Default threshold (percent) for the time-saving share; seed 001 uses 20, seed 003 uses 30."),
    Setting("due_soon_working_days", 3, int, "Horizon of the due-soon list, in working days."),
    Setting("query_engine", "duckdb", str,
            "Engine of `python -m queries kpis|report06a` when no --engine is given: duckdb (the warehouse "
            "file) or spark (the Parquet export; docs/scale.md)."),
    Setting("parquet_dir", str(ROOT / "data" / "parquet"), str,
            "Folder of the Parquet export (`python -m etl export-parquet`) that the Spark engine reads; "
            "any path Spark can read (hdfs://, s3a://) when running on a cluster."),
    Setting("spark_master", "local[2]", str,
            "Spark master URL of the Spark engine: local[N] on one machine, spark://host:7077, yarn or "
            "k8s://... on a cluster; --master overrides it."),
    Setting("spark_driver_memory", "2g", str,
            "spark.driver.memory of the Spark engine's driver (in local mode also its executor): 1g ran out "
            "of heap on the 5M benchmark data."),
    Setting("spark_case_facts", "view", str,
            "Where the Spark engine gets case_facts: view (computes it from queries/views.sql's "
            "case_facts_view over the exported cases, like a load does) or stored (reads the exported table)."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str) -> Any:
    """Current value of a setting: environment override, else the default."""
    setting = _BY_NAME[name]
    raw = os.environ.get(setting.env_var)
    if raw is None or raw == "":
        return setting.default
    if setting.kind is bool:
        return _bool(raw)
    return setting.kind(raw)


def all_values() -> dict[str, Any]:
    return {s.name: get(s.name) for s in SETTINGS}
