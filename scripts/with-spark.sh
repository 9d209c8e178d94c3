#!/usr/bin/env bash
# Runs a command beside a throwaway Spark Connect server (pyspark from target/spark-venv, made by
# scripts/setup.sh), listening only on loopback, removed afterwards with its warehouse. The Spark
# tests find it through SEGMENT_SPARK_URL (sc://127.0.0.1:PORT) and skip when it is unset.
# Usage: bash scripts/with-spark.sh [--cluster] COMMAND...
#   --cluster  a standalone master and two one-core workers behind the server (SEGMENT_SPARK_CLUSTER=1),
#              so the pushdown runs on more than one executor; ~60 s to start, ~2.2 GB.
# SEGMENT_SPARK_DRIVER_MEMORY sets the server's (driver's) heap, 1g unless set (e.g. 4g for the
# benchmarks at 10M profiles); SEGMENT_SPARK_SHUFFLE_PARTITIONS the partitions of a shuffle, 4
# unless set (small data starts fewer tasks; at 10M profiles a sort of 4 partitions outgrew a
# 4 GB heap); with --cluster, SEGMENT_SPARK_WORKER_MEMORY each worker's and its executor's
# memory, 1g unless set.
set -euo pipefail
cd "$(dirname "$0")/.."

cluster=0
if [ "${1:-}" = --cluster ]; then cluster=1; shift; fi
if [ "$#" -eq 0 ]; then echo "usage: with-spark.sh [--cluster] COMMAND..." >&2; exit 2; fi

venv="$PWD/target/spark-venv"
if [ ! -x "$venv/bin/python" ] || ! command -v java >/dev/null 2>&1; then
  echo "with-spark: pyspark or Java is not installed (run scripts/setup.sh)" >&2
  exit 1
fi
# The launch scripts want SPARK_HOME = the pyspark package, and loopback addresses only.
SPARK_HOME="$("$venv/bin/python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')"
export SPARK_HOME PYSPARK_PYTHON="$venv/bin/python" SPARK_LOCAL_IP=127.0.0.1
free_port() { "$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

dir="$(mktemp -d "${TMPDIR:-/tmp}/segment-builder-spark.XXXXXX")"
pids=()
stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap stop EXIT
# Waits for a port (or for its process to die: then the log says why).
wait_port() {
  local port="$1" pid="$2" log="$3" seconds="$4"
  for _ in $(seq "$seconds"); do
    port_open "$port" && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "with-spark: the process stopped before listening; its log:" >&2; tail -n 30 "$log" >&2; exit 1
    fi
    sleep 1
  done
  echo "with-spark: nothing listens on $port after ${seconds}s; the log:" >&2; tail -n 30 "$log" >&2; exit 1
}

master="local[2]"
worker_memory="${SEGMENT_SPARK_WORKER_MEMORY:-1g}"
executor_conf=()
if [ "$cluster" -eq 1 ]; then
  mport="$(free_port)"
  "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.master.Master --host 127.0.0.1 \
    --port "$mport" --webui-port "$(free_port)" >"$dir/master.log" 2>&1 &
  pids+=("$!")
  wait_port "$mport" "$!" "$dir/master.log" 120
  for i in 1 2; do
    mkdir -p "$dir/worker$i"
    "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 \
      --cores 1 --memory "$worker_memory" --webui-port "$(free_port)" --work-dir "$dir/worker$i" \
      "spark://127.0.0.1:$mport" >"$dir/worker$i.log" 2>&1 &
    pids+=("$!")
  done
  master="spark://127.0.0.1:$mport"
  executor_conf=(--conf spark.executor.memory="$worker_memory")
  export SEGMENT_SPARK_CLUSTER=1
fi

driver_memory="${SEGMENT_SPARK_DRIVER_MEMORY:-1g}"
port="$(free_port)"
"$SPARK_HOME/bin/spark-submit" --class org.apache.spark.sql.connect.service.SparkConnectServer \
  --master "$master" --driver-memory "$driver_memory" "${executor_conf[@]}" \
  --conf spark.driver.host=127.0.0.1 \
  --conf spark.connect.grpc.binding.address=127.0.0.1 \
  --conf spark.connect.grpc.binding.port="$port" \
  --conf spark.ui.enabled=false \
  --conf spark.sql.shuffle.partitions="${SEGMENT_SPARK_SHUFFLE_PARTITIONS:-4}" \
  --conf spark.sql.session.timeZone=UTC \
  --conf spark.sql.warehouse.dir="$dir/warehouse" \
  --conf "spark.driver.extraJavaOptions=-Dderby.system.home=$dir" \
  >"$dir/server.log" 2>&1 &
pids+=("$!")
wait_port "$port" "$!" "$dir/server.log" 180
export SEGMENT_SPARK_URL="sc://127.0.0.1:$port"
echo "with-spark: Spark $("$venv/bin/python" -c 'import pyspark; print(pyspark.__version__)') Connect on $SEGMENT_SPARK_URL ($master, driver $driver_memory)"
"$@"
