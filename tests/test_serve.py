"""ui.serve: the launcher imports, before the server listens, every module the pages need, so the
first page opened after a start imports none (docs/performance.md, round 7)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# the cache age Streamlit's own static handler gives: the wrapper is handed the same
from streamlit.web.server.starlette.starlette_server_config import STATIC_ASSET_CACHE_MAX_AGE_SECONDS as MAX_AGE_S

from tests.test_app_pages import sample_db  # noqa: F401 (fixture)
from ui import serve

ROOT = Path(__file__).resolve().parent.parent

# In a fresh interpreter: preload, then run the app's metric pages as the server would, and list
# the modules that the script runs still imported.
PROBE = r"""
import json, sys
from ui import serve
serve.preload()
from streamlit.testing.v1 import AppTest
before = set(sys.modules)
at = AppTest.from_file(str(serve.ROOT / "app.py"), default_timeout=120)
at.run()
errors = [str(e.value) for e in at.exception]
for page in ["pages/giao_ban.py", "pages/xu_huong.py", "pages/hai_long.py", "pages/chuyen_doi_so.py",
             "pages/chi_so_766.py"]:
    at.switch_page(page)
    at.run()
    errors += [str(e.value) for e in at.exception] + [str(e.value) for e in at.error]
print(json.dumps({"new": sorted(set(sys.modules) - before), "errors": errors,
                  "titles": [t.value for t in at.title]}))
"""


def test_the_first_page_runs_import_nothing_the_launcher_could_have(sample_db):  # noqa: F811
    env = dict(os.environ, TTHC_DB_PATH=str(sample_db), TTHC_AUTH_MODE="demo")
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["errors"] == [] and result["titles"] == ["Chỉ số 766"]
    heavy = [m for m in result["new"]
             if m.split(".")[0] in {"pandas", "pyarrow", "duckdb", "numpy", *serve.OWN_PACKAGES}]
    assert heavy == [], heavy


def test_preload_covers_the_own_packages_except_the_named_entry_points():
    names = serve.preload()
    assert names[:3] == ["pandas", "pyarrow", "duckdb"]
    assert {"ui.data", "ui.charts", "queries.metrics", "queries.targets", "core.db"} <= set(names)
    assert not serve.NOT_PRELOADED & set(names)
    assert all(name in sys.modules for name in names)


def test_the_launcher_runs_streamlit_run_on_the_app_with_the_given_options():
    """Its own Streamlit options first, so that the command line's win (a later option does)."""
    assert serve.command(["--server.port", "8600", "--", "--db", "x.duckdb"]) == [
        "run", str(ROOT / "app.py"), "--runner.magicEnabled", "false", "--server.port", "8600", "--", "--db",
        "x.duckdb"]


def test_no_page_relies_on_streamlit_magic():
    """The launcher turns magic off (serve.STREAMLIT_OPTIONS): a bare expression in a page, which
    magic would write to the screen, would then show nothing. Docstrings are not written either way."""
    import ast

    files = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
    assert len(files) > 5
    bare = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Expr):
                continue
            value = node.value
            if not isinstance(value, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom)) and not (
                    isinstance(value, ast.Constant) and isinstance(value.value, str)):
                bare.append(f"{path.name}:{node.lineno}")
    assert bare == []


FREEZE_PROBE = r"""
import gc, json
from ui import serve
serve.preload()
before = len(gc.get_objects(generation=2))
serve.freeze_imports()
print(json.dumps({"before": before, "after": len(gc.get_objects(generation=2)), "frozen": gc.get_freeze_count()}))
"""


def test_the_launcher_leaves_the_imported_modules_objects_out_of_later_collections():
    """After serve.freeze_imports, the oldest generation, which Streamlit's full collection after
    each script run walks, no longer holds the objects the imports made."""
    out = subprocess.run([sys.executable, "-c", FREEZE_PROBE], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["before"] > 20_000
    assert got["frozen"] >= got["before"]
    assert got["after"] < got["before"] / 100


def _static_dir() -> str:
    from streamlit import file_util

    return file_util.get_static_dir()


def _accepted_nodelay(listener) -> int:
    """TCP_NODELAY of a connection accepted on `listener` (Streamlit's non-blocking listening socket)."""
    import select
    import socket

    with socket.create_connection(listener.getsockname()[:2], timeout=5):
        assert select.select([listener], [], [], 5)[0], "no connection to accept"
        conn, _ = listener.accept()
        with conn:
            return conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_the_server_sends_without_waiting_for_acks_on_the_connections_it_accepts(monkeypatch):
    """Streamlit's own socket leaves Nagle's algorithm on (each response after the first on a
    kept-alive connection then waits ~40 ms for the browser's delayed ACK); serve.tcp_nodelay turns it
    off. If the first assertion fails, Streamlit has fixed it and tcp_nodelay can go."""
    from streamlit.web.server.starlette import starlette_server

    monkeypatch.setattr(starlette_server, "_bind_socket", starlette_server._bind_socket)   # restored after
    plain, _ = starlette_server._bind_server_socket("127.0.0.1", "127.0.0.1", 0, 8)
    with plain:
        assert _accepted_nodelay(plain) == 0
    assert serve.tcp_nodelay() is True
    assert serve.tcp_nodelay() is True             # a second call does not wrap it twice
    assert not getattr(starlette_server._bind_socket.__closure__[0].cell_contents, "tthc_nodelay", False)
    listener, _ = starlette_server._bind_server_socket("127.0.0.1", "127.0.0.1", 0, 8)
    with listener:
        assert _accepted_nodelay(listener) == 1


def _asgi(app, path: str, method: str = "GET") -> tuple[int, dict, bytes]:
    """One request through an ASGI app: status, headers (lower-case names), body."""
    import asyncio

    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(), "root_path": "",
             "query_string": b"", "headers": [(b"host", b"127.0.0.1")], "scheme": "http",
             "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 5000), "http_version": "1.1",
             "asgi": {"version": "3.0"}}
    out = {"status": None, "headers": {}, "body": b""}

    sent = []

    async def receive():   # the request once, then no disconnect until the response is done
        if not sent:
            sent.append(1)
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()

    async def send(message):
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
            out["headers"] = {k.decode().lower(): v.decode() for k, v in message.get("headers", [])}
        elif message["type"] == "http.response.body":
            out["body"] += message.get("body", b"")

    asyncio.run(app(scope, receive, send))
    return out["status"], out["headers"], out["body"]


def test_front_end_files_from_memory_have_streamlits_bytes_and_headers_and_nothing_else_is_taken():
    """serve.MemoryStatic answers `/static/...` with the file's bytes and the content type and cache
    header Streamlit's own static handler gives the same file (one file of each kind the folder
    has); any other path, an unknown file, a path out of the folder and a POST go to the app it wraps."""
    from streamlit import file_util
    from streamlit.web.server.starlette.starlette_static_routes import create_streamlit_static_handler

    static_dir = file_util.get_static_dir()
    theirs = create_streamlit_static_handler(directory=static_dir, base_url=None)
    seen = []

    async def app(scope, receive, send):
        seen.append((scope["method"], scope["path"]))
        await send({"type": "http.response.start", "status": 418, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    ours = serve.MemoryStatic(app, static_dir, None, MAX_AGE_S)
    assert len(ours.paths) > 100
    one_of_each = {}
    for name in sorted(ours.paths):
        one_of_each.setdefault(Path(name).suffix, name)
    assert {".js", ".css", ".woff2"} <= set(one_of_each)
    for name in one_of_each.values():
        status, headers, body = _asgi(ours, "/static/" + name)
        assert seen == [], name                       # answered without the wrapped app
        assert status == 200 and body == (Path(static_dir) / "static" / name).read_bytes(), name
        t_status, t_headers, t_body = _asgi(theirs, "/static/" + name)
        assert t_status == 200 and t_body == body
        for key in ("content-type", "cache-control", "content-length"):
            assert headers[key] == t_headers[key], (name, key)
        head_status, head_headers, head_body = _asgi(ours, "/static/" + name, "HEAD")
        assert (head_status, head_body, head_headers["content-length"]) == (200, b"", headers["content-length"])
    assert "immutable" in headers["cache-control"]
    js = one_of_each[".js"]
    for method, path in [("GET", "/"), ("GET", "/giao_ban"), ("GET", "/static/js/no-such-file.js"),
                         ("GET", "/static/../index.html"), ("GET", "/static/%2E%2E/index.html"),
                         ("GET", "/static//" + js), ("POST", "/static/" + js), ("GET", "/_stcore/health")]:
        seen.clear()
        assert _asgi(ours, path, method)[0] == 418, path
        assert seen == [(method, path)], path


def test_front_end_files_from_memory_under_a_base_url_and_wired_into_streamlits_app(monkeypatch):
    """Under server.baseUrlPath the files are served at `/<base>/static/...` only; static_from_memory
    wraps the app Streamlit's server creates, once however often it is called."""
    from streamlit import file_util
    from streamlit.web.server.starlette import starlette_server

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 418, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    ours = serve.MemoryStatic(app, file_util.get_static_dir(), "/tthc/", MAX_AGE_S)
    name = next(n for n in sorted(ours.paths) if n.endswith(".js"))
    assert _asgi(ours, "/tthc/static/" + name)[0] == 200
    assert _asgi(ours, "/static/" + name)[0] == 418

    monkeypatch.setattr(starlette_server, "create_starlette_app", lambda runtime: app)   # restored after
    assert serve.static_from_memory() is True
    assert serve.static_from_memory() is True
    created = starlette_server.create_starlette_app(None)
    assert isinstance(created, serve.MemoryStatic) and created.app is app     # wrapped once, not twice
    assert _asgi(created, "/static/" + name)[0] == 200


def test_the_launcher_warms_up_the_default_view_once_the_server_runs(sample_db, tmp_path):  # noqa: F811
    """Started as `make run` starts it, the server logs the warm-up's end (ui.openers.warm_up) and
    no failed page; when a load then replaces the warehouse file, it warms the new one up."""
    import shutil
    import socket
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = tmp_path / "tthc.duckdb"
    shutil.copyfile(sample_db, db)
    log_path = tmp_path / "serve.log"
    env = dict(os.environ, TTHC_AUTH_MODE="demo", TTHC_DB_PATH=str(db), TTHC_PAGE_PREFETCH="1",
               TTHC_WARM_UP_WATCH_S="0.3")
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ui.serve", "--server.headless", "true", "--server.address", "127.0.0.1",
             "--server.port", str(port), "--browser.gatherUsageStats", "false", "--server.fileWatcherType",
             "none", "--", "--db", str(db)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

    def wait_for(marker: str) -> str:
        deadline = time.monotonic() + 120
        text = ""
        while marker not in text and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
            text = log_path.read_text(encoding="utf-8", errors="replace")
        return text

    try:
        text = wait_for("warm-up:")
        assert "warm-up: the default view's queries of every metric page" in text, text[-3000:]
        assert "server socket: TCP_NODELAY set" in text   # main() wired serve.tcp_nodelay into the real server
        assert "front-end files: served from memory" in text   # and serve.static_from_memory
        import urllib.request

        name = next(n for n in sorted(serve.MemoryStatic(None, _static_dir(), None, MAX_AGE_S).paths) if n.endswith(".js"))
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/{name}", timeout=10) as r:
            assert r.read() == (Path(_static_dir()) / "static" / name).read_bytes()
        assert "failed" not in text.split("warm-up:", 1)[1].splitlines()[0]
        assert "after a new warehouse file" not in text
        # what an atomic load does: a new file, moved over the old one
        shutil.copyfile(sample_db, tmp_path / "new.duckdb")
        os.replace(tmp_path / "new.duckdb", db)
        text = wait_for("warm-up after a new warehouse file:")
        line = text.split("warm-up after a new warehouse file:", 1)
        assert len(line) == 2, text[-3000:]
        assert "the default view's queries of every metric page" in line[1].splitlines()[0]
        assert "failed" not in line[1].splitlines()[0]
        assert "Traceback" not in text
    finally:
        proc.terminate()
        proc.wait(timeout=15)
