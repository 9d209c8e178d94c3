# Sourced by the scripts: `quiet LABEL COMMAND...` runs COMMAND with its output appended to a log
# under target/logs/ and prints one line; on failure it prints the log's tail and fails.
# QUIET_LOG names the log (default: the calling script's name); VERBOSE=1 shows everything.
quiet() {
  local label="$1" log rc=0
  shift
  log="target/logs/${QUIET_LOG:-$(basename "$0" .sh)}.log"
  mkdir -p target/logs
  if [ "${VERBOSE:-0}" = 1 ]; then
    echo "== $label"
    "$@"
    return
  fi
  printf '%s ... ' "$label"
  printf '\n== %s (%s)\n' "$label" "$(date +%H:%M:%S)" >>"$log"
  "$@" >>"$log" 2>&1 || rc=$?
  if [ "$rc" -eq 0 ]; then
    echo "ok"
  else
    echo "failed (exit $rc; full log: $log)"
    tail -n 40 "$log" >&2
    return "$rc"
  fi
}
