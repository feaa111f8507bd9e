#!/usr/bin/env bash
# CPU time of an idle `pkgm watch`, measured over 60 s and extrapolated to an hour.
#
#   bench/watch_idle.sh                 # default interval (5m)
#   INTERVAL=10s bench/watch_idle.sh    # with drift checks every 10 s
#   SECONDS_IDLE=60 PKGM=target/release/pkgm bench/watch_idle.sh
#
# Starts watch on a manifest with nothing to install (offline, no index), waits for the
# start cycle, then reads the CPU time of every thread of the process from
# /proc/PID/task/*/schedstat (nanoseconds on the CPU) before and after the idle period.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
pkgm=${PKGM:-${CARGO_TARGET_DIR:-$root/target}/release/pkgm}
interval=${INTERVAL:-5m}
idle=${SECONDS_IDLE:-60}
[[ -x "$pkgm" ]] || cargo build --release --quiet --manifest-path "$root/Cargo.toml"

work=$(mktemp -d)
trap 'kill "$watch_pid" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir "$work/conf"
cat > "$work/conf/manifest.yaml" <<'EOF'
apiVersion: pkgm/v1
kind: Manifest
metadata:
  name: idle
  revision: 1
environment:
  venv: ../.venv
  no_index: true
packages: {}
EOF
python3 -m venv "$work/.venv"

cpu_ns() {
  local total=0 ns
  for stat in /proc/"$1"/task/*/schedstat; do
    read -r ns _ < "$stat" || continue
    total=$((total + ns))
  done
  echo "$total"
}

PKGM_STATE="$work/state.db" "$pkgm" watch "$work/conf/manifest.yaml" --allow-unsigned \
  --interval "$interval" 2> "$work/log" &
watch_pid=$!
for _ in $(seq 600); do grep -q "start: " "$work/log" && break; sleep 0.1; done
grep -q "start: " "$work/log" || { echo "watch never finished its start cycle:" >&2; cat "$work/log" >&2; exit 1; }
sleep 1
before=$(cpu_ns "$watch_pid")
sleep "$idle"
after=$(cpu_ns "$watch_pid")
cycles=$(grep -c "interval: " "$work/log" || true)
used_us=$(( (after - before) / 1000 ))
echo "pkgm watch, interval $interval: ${used_us} µs CPU in ${idle} s idle ($cycles interval cycles)"
echo "extrapolated to an hour: $(( used_us * 3600 / idle / 1000 )) ms CPU per hour"
kill -TERM "$watch_pid"
wait "$watch_pid" && echo "exit code after SIGTERM: 0"
grep -v "^warning: using " "$work/log" | tail -n 3
