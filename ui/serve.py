"""`python -m ui.serve [streamlit options] [-- app options]`: `streamlit run app.py`, with the
modules the pages need imported before the server answers its health check.

Streamlit imports an app's modules in the first script run of the process. Without this, whoever
opens the dashboard first after a start waits for pandas, pyarrow, DuckDB and the app's own
modules: 0.3-0.6 s of that first page (docs/performance.md, round 7). Here the server start pays
it instead. `make run`, the browser test and the benchmark all start the app this way.
"""
from __future__ import annotations

import importlib
import logging
import pkgutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Third-party modules first: they are most of the time (python -X importtime). The submodules are
# ones pandas and pyarrow import lazily, on a page's first Arrow-to-pandas conversion, to_dict or
# unstack (tests/test_serve.py lists what a first run still imports). A name a later version drops
# is skipped, not fatal.
THIRD_PARTY = ("pandas", "pyarrow", "duckdb", "pyarrow.pandas_compat", "pyarrow.vendored.version",
               "pandas.core.methods.to_dict", "pandas.core.reshape.reshape")
OWN_PACKAGES = ("core", "queries", "ui")
# Not the dashboard's: command-line entry points (a __main__ runs on import) and the Spark engine.
# Modules a page imports inside a function on purpose (the report's SVG renderer) stay lazy too.
NOT_PRELOADED = frozenset({"queries.__main__", "queries.cli", "queries.spark_engine", "ui.serve"})


def preload() -> list[str]:
    """Import THIRD_PARTY and the modules of OWN_PACKAGES; return the names imported, in order."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    names = list(THIRD_PARTY)
    for package in OWN_PACKAGES:
        pkg = importlib.import_module(package)
        names += [f"{package}.{m.name}" for m in pkgutil.iter_modules(pkg.__path__)
                  if not m.ispkg and f"{package}.{m.name}" not in NOT_PRELOADED]
    # st.cache_data checks its storage when it decorates; before the server's runtime exists it
    # warns once per function. The caches themselves are made at the first call, in the runtime.
    from streamlit.runtime.caching import cache_data_api

    quiet = logging.getLogger(cache_data_api.__name__)
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    done = []
    try:
        for name in names:
            try:
                importlib.import_module(name)
            except ImportError:
                if name not in THIRD_PARTY:
                    raise
                continue
            done.append(name)
    finally:
        quiet.setLevel(level)
    return done


def command(argv: list[str]) -> list[str]:
    """The streamlit CLI arguments this launcher runs."""
    return ["run", str(ROOT / "app.py"), *argv]


def main(argv: list[str] | None = None) -> None:
    preload()
    from streamlit.web import cli

    cli.main(command(list(sys.argv[1:] if argv is None else argv)), prog_name="streamlit")


if __name__ == "__main__":
    main()
