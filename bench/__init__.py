"""Benchmark of issue 6: ETL throughput, dashboard query times and memory at 100k-20M cases.

    python -m bench --cases 1000000 --out bench-output/bench-1m.json [--formats csv,xlsx,jsonl]
                    [--runs 3] [--workdir bench-output/data]

bench.gen writes realistic exports (vectorised, after sample_data/generate.py), bench.child runs
each measured step in a fresh process (its peak RSS is that process's ru_maxrss), bench.cli puts
it together, bench.report judges the goals. docs/performance.md explains the method and results.
"""
