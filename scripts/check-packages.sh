#!/usr/bin/env bash
# Checks that a fresh Debian 12 machine running scripts/setup.sh gets every file this build used:
# each file is mapped to the Debian package that owns it (dpkg -S), and each owner must be among
# the packages apt installs for setup's list on an empty system (Depends and Pre-Depends, no
# Recommends, alternatives chosen by apt's own resolver) or among the packages every Debian
# system has (Priority: required).
#
#   scripts/check-packages.sh [--omit PACKAGE]... [BUILD_DIR]
#
#   BUILD_DIR         a configured and built tree (default build/)
#   --omit PACKAGE    check as if PACKAGE were not in setup's list
#
# The files: what the configure step found (every absolute PATH/FILEPATH entry of CMakeCache.txt,
# the package configuration files in the *_DIR folders, so also the programs the tests and
# scripts run), every system header the compiler read (ninja's dependency log) and every library
# on a link line. Exit 0 when all are provided; 1 naming each missing package with a file it
# owns, or each file no package owns.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
omit=()
build="$root/build"
while [ $# -gt 0 ]; do
  case "$1" in
    --omit) omit+=("$2"); shift 2 ;;
    -*) echo "check-packages: unknown option $1" >&2; exit 2 ;;
    *) build="$1"; shift ;;
  esac
done
build="$(cd "$build" && pwd)"
cache="$build/CMakeCache.txt"
[ -f "$cache" ] || { echo "check-packages: $cache not found: configure first" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

mapfile -t listed < <("$root/scripts/setup.sh" --print-packages |
  grep -vxF -f <(printf '%s\n' "${omit[@]}" ""))

# What apt would install for the list on a system with nothing installed.
apt-get -s -o Dir::State::status=/dev/null install --no-install-recommends "${listed[@]}" \
  > "$work/simulation" 2>&1 || { cat "$work/simulation" >&2; exit 1; }
{
  awk '$1 == "Inst" { print $2 }' "$work/simulation"
  dpkg-query -W -f='${Package} ${Priority}\n' | awk '$2 == "required" { print $1 }'
} | sort -u > "$work/provided"

outside_trees() { grep -v -e "^$root/" -e "^$build/" | grep '^/' || true; }
{
  sed -n 's/^[A-Za-z0-9_.-]*:\(FILEPATH\|PATH\)=//p' "$cache" | grep -v NOTFOUND | outside_trees |
    while read -r path; do
      if [ -d "$path" ]; then
        find "$path" -maxdepth 1 \( -name '*onfig.cmake' -o -name '*-config-version.cmake' \)
      elif [ -e "$path" ]; then
        echo "$path"
      fi
    done
  if [ -f "$build/build.ninja" ]; then
    ninja -C "$build" -t deps 2>/dev/null | sed -n 's/^    //p' | outside_trees
    ninja -C "$build" -t commands 2>/dev/null | tr ' ' '\n' | grep -E '\.(so|a)(\.[0-9.]+)?$' |
      outside_trees
  fi
} | sort -u > "$work/files"

# The owner of each file. Merged-/usr systems list some files under /lib, and alternatives and
# other links resolve to the file a package ships: those are looked up one by one.
xargs -r realpath -s < "$work/files" | sort -u > "$work/paths"
xargs -r dpkg -S < "$work/paths" 2>/dev/null | sed 's/:[a-z0-9_]*\(, \|: \)/\1/g; s/: /\t/' \
  > "$work/owners" || true
cut -f2 "$work/owners" | sort -u | comm -23 "$work/paths" - > "$work/unlooked"
: > "$work/unowned"
while read -r file; do
  owner=""
  for candidate in "$(readlink -f "$file")" "${file#/usr}"; do
    owner="$(dpkg -S "$candidate" 2>/dev/null | head -1 | sed 's/:[a-z0-9_]*\(, \|: \)/\1/g; s/: .*//')"
    [ -n "$owner" ] && break
  done
  if [ -n "$owner" ]; then
    printf '%s\t%s\n' "$owner" "$file" >> "$work/owners"
  else
    echo "$file" >> "$work/unowned"
  fi
done < "$work/unlooked"

status=0
# A file shared by several packages ("a, b: /path") is provided when any of them is.
while IFS=$'\t' read -r owners file; do
  provided=0
  IFS=', ' read -r -a names <<< "$owners"
  for name in "${names[@]}"; do grep -qx "$name" "$work/provided" && provided=1; done
  if [ "$provided" -eq 0 ]; then
    echo "check-packages: $owners is not installed by scripts/setup.sh (nor a Depends of it): $file" >&2
    status=1
  fi
done < <(sort -u -t$'\t' -k1,1 "$work/owners")
while read -r file; do
  echo "check-packages: $file belongs to no Debian package" >&2
  status=1
done < "$work/unowned"
if [ "$status" -eq 0 ]; then
  echo "check-packages: $(wc -l < "$work/files") files from $(cut -f1 "$work/owners" | sort -u | wc -l) packages, all installed by scripts/setup.sh"
fi
exit "$status"
