# Sourced by the scripts that start the app under X (Xvfb): waiting for its window and its first
# painted screen, without fixed sleeps.

# wait_window PID [SECONDS]: until a visible window titled "Segment Builder" exists (0), the
# process ends (1), or the time runs out (2).
wait_window() {
  local pid="$1" deadline=$((SECONDS + ${2:-120}))
  until xdotool search --onlyvisible --name '^Segment Builder$' >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || return 1
    [ "$SECONDS" -lt "$deadline" ] || return 2
    sleep 0.5
  done
}

# wait_painted FILE [SECONDS]: screenshots the screen into FILE until the builder has painted
# (over 30 colours below the top 150 pixels: the "Opening the data…" line alone leaves that
# area blank), or fails when the time runs out.
wait_painted() {
  local file="$1" deadline=$((SECONDS + ${2:-60})) colours
  while :; do
    if import -window root "$file" 2>/dev/null; then
      colours="$(identify -format '%k' "$file[1280x600+0+150]" 2>/dev/null || echo 0)"
      [ "$colours" -gt 30 ] && return 0
    fi
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}
