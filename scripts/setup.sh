#!/usr/bin/env bash
# Installs the Debian packages edgesight needs and builds it into build/ (binary: build/bin/edgesight).
# Idempotent; run as root or as a user with sudo.
#   scripts/setup.sh [--no-build] [cmake args...]
#   scripts/setup.sh --print-packages    the packages it installs, one a line, and exits
# Every package the build, the tests, the demo and the scripts use is in this list or in the
# Depends of one that is (installs skip Recommends); scripts/check-packages.sh checks the build.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build ccache pkg-config
  clang libclang-rt-14-dev libomp-14-dev llvm lld
  libfmt-dev libspdlog-dev libcli11-dev nlohmann-json3-dev doctest-dev
  libpugixml-dev libprotobuf-dev protobuf-compiler libonnx-dev
  libopencv-dev libdnnl-dev libtbb-dev opencv-doc
  ocl-icd-opencl-dev pocl-opencl-icd libssl-dev openssl
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav
  libgstrtspserver-1.0-dev gstreamer1.0-tools
  libpaho-mqttpp-dev libpaho-mqtt-dev mosquitto mosquitto-clients libcpp-httplib-dev
  jq bc time
  python3-onnx python3-numpy
  systemd
  nodejs
)
# Debian's nodejs leaves npm to a package of its own; other builds of Node.js bring it along.
npm_owner="$(dpkg -S "$(command -v npm || echo /usr/bin/npm)" 2>/dev/null | cut -d: -f1)"
[ -n "$npm_owner" ] && [ "$npm_owner" != npm ] || packages+=(npm)

if [ "${1:-}" = "--print-packages" ]; then
  printf '%s\n' "${packages[@]}"
  exit 0
fi

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_if_needed apt-get update
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

if [ "${1:-}" = "--no-build" ]; then exit 0; fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
cmake --build build -j "${ES_JOBS:-2}"
echo "setup: built build/bin/edgesight"
