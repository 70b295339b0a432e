#!/usr/bin/env bash
# Soak test: `edgesight run` on a looping clip paced like a camera, publishing to a local
# mosquitto that is restarted every few minutes, while a persistent-session subscriber (QoS 1)
# records what arrives and the process's resident memory is sampled.
#
#   scripts/soak.sh [--minutes M] [--restart-every S] [--fps F]
#
#   --minutes M        length of the run (default 10)
#   --restart-every S  seconds between broker restarts; the broker stays down 10 s (default 120)
#   --fps F            frames per second of the source (default 15)
#
# Passes (exit 0) when edgesight published results, the subscriber received every seq from 0 to the last one edgesight
# published, nothing was dropped, and the resident memory after warm-up (the first 20% of the
# run, at least 60 s) grew by less than 5% (median of the last third of the samples against the
# median of the first third). Needs build/bin/edgesight (built when missing), mosquitto,
# mosquitto_sub and jq (scripts/setup.sh installs them) and ../shared.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
minutes=10 restart_every=120 fps=15
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --restart-every) restart_every="$2"; shift 2 ;;
    --fps) fps="$2"; shift 2 ;;
    *) echo "soak: unknown option $1" >&2; exit 2 ;;
  esac
done
for tool in mosquitto mosquitto_sub jq; do
  command -v "$tool" >/dev/null || { echo "soak: $tool is missing (scripts/setup.sh)" >&2; exit 2; }
done
edgesight="$root/build/bin/edgesight"
[ -x "$edgesight" ] || cmake --build "$root/build" -j "${ES_JOBS:-2}" --target edgesight
shared="${EDGESIGHT_SHARED_DIR:-$root/../shared}"
model="$shared/models/ir/face-detection-retail-0004/FP32/face-detection-retail-0004.xml"
clip="$shared/media/vtest_200f_h264.mp4"
for file in "$model" "$clip"; do
  [ -f "$file" ] || { echo "soak: $file is missing" >&2; exit 2; }
done

work="$(mktemp -d)"
broker_pid="" run_pid="" sub_pid=""
cleanup() {
  for pid in $run_pid $sub_pid $broker_pid; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "soak: logs and samples kept in $work"
}
trap cleanup EXIT

source "$root/scripts/lib/ports.sh"
port="$(free_port)"
cat > "$work/mosquitto.conf" <<EOF
listener $port 127.0.0.1
allow_anonymous true
persistence true
persistence_location $work/
max_queued_messages 0
EOF
start_broker() {
  mosquitto -c "$work/mosquitto.conf" >> "$work/mosquitto.log" 2>&1 &
  broker_pid=$!
  sleep 0.5
}
stop_broker() {
  kill "$broker_pid"
  wait "$broker_pid" 2>/dev/null || true
  broker_pid=""
}

cat > "$work/config.json" <<EOF
{
  "metrics": {"listen": ""},
  "pipelines": [{
    "name": "soak",
    "sources": [{"id": "clip", "uri": "$clip", "loop": true, "realtime": true, "fps": $fps}],
    "model": {"path": "$model", "decoder": "ssd", "threshold": 0.5},
    "outputs": [{"mqtt": {"uri": "tcp://127.0.0.1:$port", "persistence_dir": "$work/mqtt"}}]
  }]
}
EOF

start_broker
mosquitto_sub -h 127.0.0.1 -p "$port" -q 1 -c -i soak-subscriber \
  -t 'edgesight/+/soak/+/detections' > "$work/received.jsonl" 2> "$work/subscriber.log" &
sub_pid=$!
sleep 0.5
"$edgesight" run "$work/config.json" --json-summary "$work/summary.json" > "$work/run.log" 2>&1 &
run_pid=$!

seconds=$((minutes * 60))
warm_up=$((seconds / 5 > 60 ? seconds / 5 : 60))
echo "soak: $minutes min, broker restarted every $restart_every s, $fps fps, broker port $port"
: > "$work/rss.txt"
for ((t = 1; t <= seconds; t++)); do
  sleep 1
  kill -0 "$run_pid" 2>/dev/null || { echo "soak: edgesight exited early" >&2; cat "$work/run.log" >&2; exit 1; }
  (( t % 5 == 0 )) && echo "$t $(awk '/VmRSS/ {print $2}' "/proc/$run_pid/status")" >> "$work/rss.txt"
  if (( t % restart_every == 0 && t + 15 < seconds )); then
    echo "soak: t=${t}s broker down for 10 s"
    stop_broker
    sleep 10
    t=$((t + 10))
    start_broker
  fi
done

kill -TERM "$run_pid"
wait "$run_pid" || true
run_pid=""
published="$(jq '[.pipelines[0].outputs[0].published] | add' "$work/summary.json")"
dropped="$(jq '.pipelines[0].outputs[0].dropped' "$work/summary.json")"
# The subscriber catches up on what the broker still holds.
for _ in $(seq 60); do
  received="$(jq -s 'map(.seq) | unique | length' "$work/received.jsonl")"
  [ "$received" -ge "$published" ] && break
  sleep 1
done
missing="$(jq -s --argjson n "$published" '[range(0; $n)] - (map(.seq) | unique) | length' "$work/received.jsonl")"
duplicates="$(jq -s 'length - (map(.seq) | unique | length)' "$work/received.jsonl")"
growth="$(awk -v warm="$warm_up" '$1 >= warm {v[n++] = $2}
  function median(lo, hi,   m, i, j, t, a) {
    m = 0; for (i = lo; i < hi; i++) a[m++] = v[i]
    for (i = 0; i < m; i++) for (j = i + 1; j < m; j++) if (a[j] < a[i]) {t = a[i]; a[i] = a[j]; a[j] = t}
    return a[int(m / 2)]
  }
  END { if (n < 6) {print "nan"; exit} third = int(n / 3)
        printf "%.2f", 100 * (median(n - third, n) / median(0, third) - 1) }' "$work/rss.txt")"

echo "soak: published $published, dropped $dropped, received $received distinct seq," \
     "missing $missing, duplicates $duplicates (resent, same payload)"
echo "soak: resident memory after ${warm_up} s warm-up: ${growth}% growth (limit 5%)"
status=0
[ "$published" -gt 0 ] || { echo "soak: FAILED: nothing published (see $work/run.log)"; status=1; }
[ "$missing" -eq 0 ] || { echo "soak: FAILED: $missing seq missing"; status=1; }
[ "$dropped" -eq 0 ] || { echo "soak: FAILED: $dropped dropped"; status=1; }
awk -v g="$growth" 'BEGIN {exit !(g != "nan" && g < 5)}' || { echo "soak: FAILED: memory grew ${growth}%"; status=1; }
[ "$status" -eq 0 ] && echo "soak: passed"
exit "$status"
