"""Times SQL on DuckDB for the count benchmark: loads the CSV exports into an in-memory
database, runs each query `runs` times, prints {name: [seconds...]} as JSON.
Usage: python3 duckdb_bench.py DIR QUERIES.json RUNS"""
import json
import os
import sys
import time

import duckdb

directory, queries_path, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
con = duckdb.connect()
started = time.perf_counter()
for table in ("profiles", "events", "orders"):
    # TABLE.csv.zst when the benchmark compressed its export, else TABLE.csv.
    path = f"{directory}/{table}.csv"
    if not os.path.exists(path):
        path += ".zst"
    con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv_auto('{path}', header=true)")
load_seconds = time.perf_counter() - started
queries = json.load(open(queries_path))
out = {"_load_seconds": load_seconds}
for name, sql in queries.items():
    timings = []
    count = None
    try:
        for _ in range(runs + 1):
            t = time.perf_counter()
            count = con.execute(sql).fetchone()[0]
            timings.append(time.perf_counter() - t)
            if len(timings) == 1 and timings[0] > 3:
                # A very slow query is timed once (its first run kept as the only sample).
                timings.append(timings[0])
                break
    except duckdb.Error as error:  # a shape the DuckDB dialect spells wrongly for these tables
        out[name] = {"error": str(error).splitlines()[0]}
        continue
    out[name] = {"count": count, "seconds": timings[1:]}
print(json.dumps(out))
