#!/usr/bin/env bash
# Installs edgesight as a systemd service: build/bin/edgesight to /usr/local/bin, the
# edgesight@.service unit to /etc/systemd/system, and the demo configs configs/demo*.json (each
# kept when already there) with configs/labels to /etc/edgesight/. Idempotent; run as root or as
# a user with sudo.
# Usage: scripts/install.sh [--prefix DIR] [--dry-run] [--binary FILE]
#   --prefix DIR  install under DIR (a staging root) instead of /; no root needed, no daemon-reload
#   --dry-run     print what would be done, change nothing
#   --binary FILE the edgesight binary to install (default build/bin/edgesight)
# Then: systemctl enable --now edgesight@demo (or edgesight@demo-faces)
set -euo pipefail
cd "$(dirname "$0")/.."

prefix=""
dry_run=0
binary=build/bin/edgesight
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || { echo "install: --prefix needs a folder" >&2; exit 2; }
              prefix="${2%/}"; shift 2 ;;
    --prefix=*) prefix="${1#--prefix=}"; prefix="${prefix%/}"; shift ;;
    --dry-run) dry_run=1; shift ;;
    --binary) [ $# -ge 2 ] || { echo "install: --binary needs a file" >&2; exit 2; }
              binary="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install: unknown option $1 (expected --prefix DIR or --dry-run)" >&2; exit 2 ;;
  esac
done

unit=systemd/edgesight@.service
[ -x "$binary" ] || { echo "install: $binary not found or not executable; build first (scripts/setup.sh)" >&2; exit 2; }

run() {
  if [ "$dry_run" -eq 1 ]; then echo "would run: $*"; return; fi
  if [ -n "$prefix" ] || [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

run install -d -m 0755 "$prefix/usr/local/bin" "$prefix/etc/systemd/system" "$prefix/etc/edgesight"
run install -m 0755 "$binary" "$prefix/usr/local/bin/edgesight"
run install -m 0644 "$unit" "$prefix/etc/systemd/system/edgesight@.service"
# The examples' files beside the repository become absolute paths (the service starts in
# /etc/edgesight), and their file outputs go to the instance's StateDirectory, the only place
# the service may write.
for example in configs/demo*.json; do
  name="$(basename "$example" .json)"
  config="$prefix/etc/edgesight/$name.json"
  if [ -e "$config" ]; then
    echo "install: $config exists; left as it is"
  elif [ "$dry_run" -eq 1 ]; then
    echo "would write: $config (from $example)"
  else
    repo="$(pwd)"
    tmp="$(mktemp)"
    sed -E -e "s#\"path\": \"[^\"]*\.jsonl\"#\"path\": \"/var/lib/edgesight/$name/detections.jsonl\"#" \
           -e "s#\"\.\./#\"$repo/#g" "$example" >"$tmp"
    run install -m 0644 "$tmp" "$config"
    rm -f "$tmp"
  fi
done
for labels in configs/labels/*; do
  run install -D -m 0644 "$labels" "$prefix/etc/edgesight/labels/$(basename "$labels")"
done

if [ -z "$prefix" ] && [ -d /run/systemd/system ]; then
  run systemctl daemon-reload
else
  echo "install: systemd is not running here (or --prefix given); skipped systemctl daemon-reload"
fi
echo "install: done; start a pipeline config /etc/edgesight/NAME.json with: systemctl enable --now edgesight@NAME"
