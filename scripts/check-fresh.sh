#!/usr/bin/env bash
# Builds a clean Debian 12 root (mmdebstrap, minbase: only the packages every Debian system has),
# copies this checkout's committed files into it and, inside it, runs scripts/setup.sh --no-build,
# the CMake configure step and scripts/check-packages.sh; with --full, scripts/test.sh (the whole
# build and test suite) instead. What a user's new machine would meet, before it reaches a user.
#
#   scripts/check-fresh.sh [--full] [--keep DIR]
#
#   --full      build and run every test inside the root (long: a full build on this machine)
#   --keep DIR  leave the root in DIR (default: a temporary folder, removed at the end)
#
# Needs root (mmdebstrap's root mode) and the Debian package registry; installs mmdebstrap when
# missing. Uses this machine's apt sources. Exit code: that of the last step run inside the root.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
full=0 keep=""
while [ $# -gt 0 ]; do
  case "$1" in
    --full) full=1; shift ;;
    --keep) keep="$2"; shift 2 ;;
    *) echo "check-fresh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "check-fresh: run as root (mmdebstrap's root mode)" >&2; exit 2; }
if ! command -v mmdebstrap >/dev/null; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends mmdebstrap
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
target="${keep:-$work/root}"
git -C "$root" archive --format=tar --prefix=edgesight/ HEAD > "$work/edgesight.tar"
# The tests read ../shared beside the checkout.
if [ "$full" -eq 1 ] && [ -d "$root/../shared" ]; then
  tar -C "$root/.." -rf "$work/edgesight.tar" shared
fi

steps='scripts/setup.sh --no-build && cmake -S . -B build -G Ninja && scripts/check-packages.sh build'
[ "$full" -eq 1 ] && steps='scripts/test.sh'

sources=()
for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  [ -s "$file" ] && sources+=("$file")
done

# Daemons that packages start on install (mosquitto) must not start inside the root.
mmdebstrap --variant=minbase \
  --customize-hook='printf "#!/bin/sh\nexit 101\n" > "$1/usr/sbin/policy-rc.d"; chmod +x "$1/usr/sbin/policy-rc.d"' \
  --customize-hook="tar -C \"\$1/root\" -xf '$work/edgesight.tar'" \
  --customize-hook="chroot \"\$1\" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root bash -c 'cd /root/edgesight && $steps'" \
  bookworm "$target" "${sources[@]}"
echo "check-fresh: passed in a clean Debian 12 root"
