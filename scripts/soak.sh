#!/usr/bin/env bash
# Soak test: `edgesight run` with two pipelines, a looping clip paced like a camera and a live
# RTSP camera (build/tests/rtsp_camera_process), publishing to a local mosquitto. The broker is
# restarted every few minutes, the camera drops out now and then, and every minute the config is
# reloaded with the camera pipeline's threshold changed, so that pipeline restarts while the other
# runs on. A persistent-session subscriber (QoS 1) records what arrives and the process's
# resident memory is sampled.
#
#   scripts/soak.sh [--minutes M] [--restart-every S] [--camera-every S] [--reload-every S]
#                   [--fps F]
#
#   --minutes M         length of the run (default 10)
#   --restart-every S   seconds between broker restarts; the broker stays down 10 s (default 120)
#   --camera-every S    seconds between camera outages; the camera stays down 10 s (default 150)
#   --reload-every S    seconds between reloads (SIGHUP) (default 60)
#   --fps F             frames per second of the clip (default 15)
#
# Passes (exit 0) when edgesight published results, the subscriber received every seq from 0 to
# the last one the clip pipeline published and the camera's seq without a gap, nothing was
# dropped, and the resident memory after warm-up (the first 20% of the run, at least 60 s) grew
# by less than 5% (median of the last third of the samples against the median of the first
# third). Needs build/bin/edgesight and build/tests/rtsp_camera_process (built when missing),
# mosquitto, mosquitto_sub and jq (scripts/setup.sh installs them) and ../shared.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
minutes=10 restart_every=120 camera_every=150 reload_every=60 fps=15
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --restart-every) restart_every="$2"; shift 2 ;;
    --camera-every) camera_every="$2"; shift 2 ;;
    --reload-every) reload_every="$2"; shift 2 ;;
    --fps) fps="$2"; shift 2 ;;
    *) echo "soak: unknown option $1" >&2; exit 2 ;;
  esac
done
for tool in mosquitto mosquitto_sub jq; do
  command -v "$tool" >/dev/null || { echo "soak: $tool is missing (scripts/setup.sh)" >&2; exit 2; }
done
edgesight="$root/build/bin/edgesight"
camera="$root/build/tests/rtsp_camera_process"
[ -x "$edgesight" ] && [ -x "$camera" ] ||
  cmake --build "$root/build" -j "${ES_JOBS:-2}" --target edgesight rtsp_camera_process
shared="${EDGESIGHT_SHARED_DIR:-$root/../shared}"
model="$shared/models/ir/face-detection-retail-0004/FP32/face-detection-retail-0004.xml"
clip="$shared/media/vtest_200f_h264.mp4"
for file in "$model" "$clip"; do
  [ -f "$file" ] || { echo "soak: $file is missing" >&2; exit 2; }
done

work="$(mktemp -d)"
broker_pid="" run_pid="" sub_pid="" camera_pid=""
cleanup() {
  for pid in $run_pid $sub_pid $broker_pid $camera_pid; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "soak: logs and samples kept in $work"
}
trap cleanup EXIT

source "$root/scripts/lib/ports.sh"
port="$(free_port)"
camera_port="$(free_port $((port + 1)))"
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
  kill "$broker_pid" 2>/dev/null || echo "soak: the broker had exited (see $work/mosquitto.log)"
  wait "$broker_pid" 2>/dev/null || true
  broker_pid=""
}

start_camera() {
  "$camera" "$camera_port" >> "$work/camera.log" 2>&1 &
  camera_pid=$!
  sleep 0.5
}
stop_camera() {
  kill "$camera_pid" 2>/dev/null || echo "soak: the camera had exited (see $work/camera.log)"
  wait "$camera_pid" 2>/dev/null || true
  camera_pid=""
}

# write_config THRESHOLD: the camera pipeline's threshold, which each reload changes.
write_config() {
  cat > "$work/config.json.new" <<EOF
{
  "metrics": {"listen": ""},
  "pipelines": [{
    "name": "soak",
    "sources": [{"id": "clip", "uri": "$clip", "loop": true, "realtime": true, "fps": $fps}],
    "model": {"path": "$model", "decoder": "ssd", "threshold": 0.5},
    "outputs": [{"mqtt": {"uri": "tcp://127.0.0.1:$port", "persistence_dir": "$work/mqtt"}}]
  }, {
    "name": "camera",
    "sources": [{"id": "cam", "uri": "rtsp://127.0.0.1:$camera_port/test"}],
    "model": {"path": "$model", "decoder": "ssd", "threshold": $1},
    "outputs": [{"mqtt": {"uri": "tcp://127.0.0.1:$port", "persistence_dir": "$work/mqtt-camera"}}]
  }]
}
EOF
  mv "$work/config.json.new" "$work/config.json"
}
write_config 0.5

start_broker
start_camera
mosquitto_sub -h 127.0.0.1 -p "$port" -q 1 -c -i soak-subscriber \
  -t 'edgesight/+/+/+/detections' > "$work/received.jsonl" 2> "$work/subscriber.log" &
sub_pid=$!
sleep 0.5
# As the systemd unit runs it (systemd/edgesight@.service).
MALLOC_ARENA_MAX=2 "$edgesight" run "$work/config.json" --json-summary "$work/summary.json" > "$work/run.log" 2>&1 &
run_pid=$!

seconds=$((minutes * 60))
warm_up=$((seconds / 5 > 60 ? seconds / 5 : 60))
echo "soak: $minutes min, broker restarted every $restart_every s, camera down every" \
     "$camera_every s, reload every $reload_every s, $fps fps, broker port $port"
reloads=0
: > "$work/rss.txt"
for ((t = 1; t <= seconds; t++)); do
  sleep 1
  kill -0 "$run_pid" 2>/dev/null || { echo "soak: edgesight exited early" >&2; cat "$work/run.log" >&2; exit 1; }
  (( t % 5 == 0 )) && echo "$t $(awk '/VmRSS/ {print $2}' "/proc/$run_pid/status")" >> "$work/rss.txt"
  if (( t % reload_every == 0 && t + 15 < seconds )); then
    reloads=$((reloads + 1))
    write_config "0.$(( reloads % 2 ? 55 : 50 ))"
    kill -HUP "$run_pid"
  fi
  if (( t % camera_every == 0 && t + 15 < seconds )); then
    echo "soak: t=${t}s camera down for 10 s"
    stop_camera
    ( sleep 10; exec "$camera" "$camera_port" >> "$work/camera.log" 2>&1 ) &
    camera_pid=$!
  fi
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
published="$(jq '.pipelines[] | select(.pipeline == "soak") | .outputs[0].published' "$work/summary.json")"
dropped="$(jq '[.pipelines[].outputs[0].dropped] | add' "$work/summary.json")"
seqs_of() { jq -s --arg source "$1" '[.[] | select(.source == $source) | .seq] | unique' "$work/received.jsonl"; }
# The subscriber catches up on what the broker still holds.
for _ in $(seq 60); do
  received="$(seqs_of clip | jq length)"
  [ "$received" -ge "$published" ] && break
  sleep 1
done
missing="$(seqs_of clip | jq --argjson n "$published" '[range(0; $n)] - . | length')"
camera_received="$(seqs_of cam | jq length)"
camera_missing="$(seqs_of cam | jq 'if length == 0 then 0 else .[-1] + 1 - length end')"
duplicates="$(jq -s 'length - (map([.source, .seq]) | unique | length)' "$work/received.jsonl")"
growth="$(awk -v warm="$warm_up" '$1 >= warm {v[n++] = $2}
  function median(lo, hi,   m, i, j, t, a) {
    m = 0; for (i = lo; i < hi; i++) a[m++] = v[i]
    for (i = 0; i < m; i++) for (j = i + 1; j < m; j++) if (a[j] < a[i]) {t = a[i]; a[i] = a[j]; a[j] = t}
    return a[int(m / 2)]
  }
  END { if (n < 6) {print "nan"; exit} third = int(n / 3)
        printf "%.2f", 100 * (median(n - third, n) / median(0, third) - 1) }' "$work/rss.txt")"

echo "soak: clip published $published, received $received distinct seq, missing $missing;" \
     "camera received $camera_received distinct seq, missing $camera_missing;" \
     "dropped $dropped, duplicates $duplicates (resent, same payload), $reloads reloads"
echo "soak: resident memory after ${warm_up} s warm-up: ${growth}% growth (limit 5%)"
status=0
[ "$published" -gt 0 ] || { echo "soak: FAILED: nothing published (see $work/run.log)"; status=1; }
[ "$missing" -eq 0 ] || { echo "soak: FAILED: $missing seq missing"; status=1; }
[ "$camera_received" -gt 0 ] || { echo "soak: FAILED: nothing from the camera"; status=1; }
[ "$camera_missing" -eq 0 ] || { echo "soak: FAILED: $camera_missing camera seq missing"; status=1; }
[ "$dropped" -eq 0 ] || { echo "soak: FAILED: $dropped dropped"; status=1; }
awk -v g="$growth" 'BEGIN {exit !(g != "nan" && g < 5)}' || { echo "soak: FAILED: memory grew ${growth}%"; status=1; }
[ "$status" -eq 0 ] && echo "soak: passed"
exit "$status"
