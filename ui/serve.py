"""`python -m ui.serve [streamlit options] [-- app options]`: `streamlit run app.py`, with the
modules the pages need imported before the server answers its health check.

Streamlit imports an app's modules in the first script run of the process. Without this, whoever
opens the dashboard first after a start waits for pandas, pyarrow, DuckDB and the app's own
modules: 0.3-0.6 s of that first page (docs/performance.md, round 7). Here the server start pays
it instead. Once the server runs, it also queues the default view's queries of every metric page
(ui.openers.warm_up) on one low-priority thread, without delaying the start, and again whenever a
load replaces the warehouse file. It also turns Nagle's algorithm off on the server's connections
(`tcp_nodelay`) and serves Streamlit's front-end files from memory (`static_from_memory`). `make
run`, the browser test and the benchmark all start the app this way.
"""
from __future__ import annotations

import importlib
import logging
import mimetypes
import pkgutil
import socket
import sys
import threading
import time
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


log = logging.getLogger("tthc.ui")


def warm_up_when_running(timeout_s: float = 300.0) -> threading.Thread:
    """A thread that waits for Streamlit's runtime to start (its caches are the runtime's) and then
    queues ui.openers.warm_up; afterwards it looks at the warehouse file every `warm_up_watch_s`
    seconds and warms the new file's default view up (ui.openers.warm_up_if_new). It logs what it
    did and never stops the server."""
    def warm(seen, at_start: bool):
        from ui import openers

        t0 = time.perf_counter()
        try:
            seen, fut = openers.warm_up_if_new(seen)
            if fut is None:
                if at_start:
                    log.info("warm-up: nothing to do (prefetch off, or no cases)")
                return seen
            failed = fut.result()
            log.info("warm-up%s: the default view's queries of every metric page in %.2f s%s",
                     "" if at_start else " after a new warehouse file", time.perf_counter() - t0,
                     f"; failed: {', '.join(failed)}" if failed else "")
        except Exception:
            log.warning("warm-up failed; the pages compute their queries when opened", exc_info=True)
        return seen

    def run() -> None:
        from streamlit.runtime import Runtime, RuntimeState

        from core import settings
        from ui import page

        page.setup_logging()
        deadline = time.monotonic() + timeout_s
        while not (Runtime.exists() and Runtime.instance().state != RuntimeState.INITIAL):
            if time.monotonic() > deadline:
                log.warning("warm-up skipped: the server did not start within %.0f s", timeout_s)
                return
            time.sleep(0.05)
        seen = warm(None, at_start=True)
        interval = float(settings.get("warm_up_watch_s"))
        while interval > 0 and settings.get("page_prefetch"):
            time.sleep(interval)
            seen = warm(seen, at_start=False)

    thread = threading.Thread(target=run, name="tthc-warm-up", daemon=True)
    thread.start()
    return thread


def tcp_nodelay() -> bool:
    """Make the sockets the server accepts send at once (TCP_NODELAY); False when it cannot.

    Streamlit binds its listening socket itself, with `proto` 0, and asyncio turns Nagle's
    algorithm off only on accepted sockets whose `proto` is IPPROTO_TCP (uvicorn issue #3149 is the
    same bug). With Nagle on, each response after the first on a kept-alive connection waits about
    40 ms for the browser's delayed ACK, and a fresh browser fetches some 140 files over six
    connections. Set on the listening socket, the option is inherited by the accepted ones (Linux).
    The measured gain: 0.08-0.24 s on every page's first open (docs/performance.md, round 12)."""
    try:
        from streamlit.web.server.starlette import starlette_server
        bind = starlette_server._bind_socket
    except (ImportError, AttributeError):   # a Streamlit without it: the server runs as it would
        log.warning("TCP_NODELAY not set: this Streamlit binds its socket in a way ui.serve does not know")
        return False
    if getattr(bind, "tthc_nodelay", False):
        return True

    def bind_nodelay(*args, **kwargs):
        sock = bind(*args, **kwargs)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        log.info("server socket: TCP_NODELAY set")
        return sock

    bind_nodelay.tthc_nodelay = True
    starlette_server._bind_socket = bind_nodelay
    return True


class MemoryStatic:
    """ASGI wrapper of Streamlit's app: its hashed front-end files (`<base url>/static/...`) answered
    from memory, in one send each; every other request goes to Streamlit's app as before.

    Streamlit's own static handler (Starlette's FileResponse behind six middlewares) stats, opens
    and reads each file on worker threads in 64 kB chunks, and a browser without the files in its
    cache fetches some 130 of them per page. On 2 cores that work competes with the browser: served
    from memory, 31 of 36 paired first opens of the metric pages at 5M cases were faster, by 109 ms
    at the median (docs/performance.md, round 15). Only files found under the static folder at the
    start are served (a dictionary lookup, so no path outside it), with the headers Streamlit gives
    them (tests/test_serve.py compares). Each file is read at its first request and kept: at most the
    folder's 25 MB, about 8 MB for the pages this app has."""

    def __init__(self, app, static_dir: str, base_url: str | None, max_age_s: int):
        self.app = app
        base = (base_url or "").strip("/")
        self.prefix = f"/{base}/static/" if base else "/static/"
        self.cache_control = f"public, immutable, max-age={max_age_s}".encode()
        root = Path(static_dir) / "static"
        # hashed bundles only: Streamlit serves HTML and manifests with `no-cache`, so they stay its own
        self.paths = {p.relative_to(root).as_posix(): p for p in root.rglob("*")
                      if p.is_file() and p.suffix not in (".html", ".json")}
        self.cache: dict[str, tuple[list, bytes]] = {}

    def _entry(self, name: str) -> tuple[list, bytes] | None:
        hit = self.cache.get(name)
        if hit is None and name in self.paths:
            body = self.paths[name].read_bytes()
            kind = mimetypes.guess_type(name)[0] or "text/plain"    # as Starlette's FileResponse
            if kind.startswith("text/"):
                kind += "; charset=utf-8"
            headers = [(b"content-type", kind.encode()), (b"content-length", str(len(body)).encode()),
                       (b"cache-control", self.cache_control)]
            hit = self.cache[name] = (headers, body)
        return hit

    async def __call__(self, scope, receive, send):
        if (scope["type"] == "http" and scope["method"] in ("GET", "HEAD")
                and scope["path"].startswith(self.prefix)):
            hit = self._entry(scope["path"][len(self.prefix):])
            if hit is not None:
                await send({"type": "http.response.start", "status": 200, "headers": hit[0]})
                await send({"type": "http.response.body", "body": hit[1] if scope["method"] == "GET" else b""})
                return
        await self.app(scope, receive, send)


def static_from_memory() -> bool:
    """Serve Streamlit's front-end files from memory (MemoryStatic); False when this Streamlit
    builds its app in a way this launcher does not know (then the server runs as it would)."""
    try:
        from streamlit import config, file_util
        from streamlit.web.server.starlette import starlette_server
        from streamlit.web.server.starlette.starlette_server_config import STATIC_ASSET_CACHE_MAX_AGE_SECONDS
        create = starlette_server.create_starlette_app
    except (ImportError, AttributeError):
        log.warning("front-end files served by Streamlit: it builds its app in a way ui.serve does not know")
        return False
    if getattr(create, "tthc_static", False):
        return True

    def create_app(runtime):
        app = MemoryStatic(create(runtime), file_util.get_static_dir(), config.get_option("server.baseUrlPath"),
                           STATIC_ASSET_CACHE_MAX_AGE_SECONDS)
        log.info("front-end files: served from memory (%d files under %s)", len(app.paths), app.prefix)
        return app

    create_app.tthc_static = True
    starlette_server.create_starlette_app = create_app
    return True


# Streamlit options the launcher sets; the command line can override them (the later one wins).
# Magic rewrites a page's syntax tree whenever Streamlit compiles it again, which it does after the
# last browser session has closed (its script cache is emptied then): 15 ms of CPU for Giao ban
# tuần, 3 ms without. No page writes a bare expression to the screen (tests/test_serve.py checks).
STREAMLIT_OPTIONS = ("--runner.magicEnabled", "false")


def command(argv: list[str]) -> list[str]:
    """The streamlit CLI arguments this launcher runs."""
    return ["run", str(ROOT / "app.py"), *STREAMLIT_OPTIONS, *argv]


def freeze_imports() -> None:
    """Leave the objects alive now (the imported modules', about 100k) out of every later garbage
    collection (gc.freeze): Streamlit runs a full collection after each script run
    (`runner.postScriptGC`), which took 30-40 ms with them, holding the GIL while the server's
    event loop waited to send the page. They live as long as the process anyway. At exit they are
    unfrozen, so that the interpreter's last collection still sees them."""
    import atexit
    import gc

    gc.collect()
    gc.freeze()
    atexit.register(gc.unfreeze)


def main(argv: list[str] | None = None) -> None:
    preload()
    from ui import page

    page.setup_logging()
    tcp_nodelay()
    static_from_memory()
    freeze_imports()
    warm_up_when_running()
    from streamlit.web import cli

    cli.main(command(list(sys.argv[1:] if argv is None else argv)), prog_name="streamlit")


if __name__ == "__main__":
    main()
