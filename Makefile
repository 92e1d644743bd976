# The two commands a newcomer needs: `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
DB     ?= data/tthc.duckdb
PORT   ?= 8501

.PHONY: run test install install-dev sample clean chromium java bench bench-smoke

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements-spark.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

# Builds the demo database from sample_data/ only when none exists.
sample: install
	$(PY) -m etl sample --db $(DB) --if-missing

# Demo mode: no login, listening on this machine only. `python -m ui.serve` is `streamlit run
# app.py` with the pages' modules imported before the server listens (ui/serve.py).
run: sample
	$(PY) -m ui.serve --server.address 127.0.0.1 --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false --client.toolbarMode viewer -- --db $(DB)

# The browser test (tests/test_browser.py) drives Debian's chromium; install it when it is missing.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
		echo "installing chromium for the browser test"; \
		$$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	fi

# The Spark engine's tests (tests/test_spark_engine.py, docs/scale.md) need a Java runtime; install
# Debian's Java 17 when no java is found.
java:
	@if ! command -v java >/dev/null 2>&1 && [ ! -x "$${JAVA_HOME:-/nonexistent}/bin/java" ]; then \
		if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
		echo "installing Java 17 for the Spark engine tests"; \
		$$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y openjdk-17-jre-headless; \
	fi

# pytest exits 5 when it collects nothing; that means the suite is broken, so it fails here too.
test: install-dev chromium java
	@$(PY) -m pytest -q -p no:cacheprovider; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "no tests were collected: failing"; exit 1; fi; exit $$rc

clean:
	rm -rf $(VENV) test-output

# Benchmark (docs/performance.md). `make bench` is the official 1M run; CI runs only the tiny
# pytest smoke (tests/test_bench_smoke.py).
bench: install-dev
	$(PY) -m bench --cases 1M --out bench-output/bench-1m.json

bench-smoke: install-dev
	$(PY) -m bench --cases 100k --runs 1 --out bench-output/bench-smoke.json
