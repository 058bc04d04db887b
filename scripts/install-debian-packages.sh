#!/usr/bin/env bash
# Installs the Debian packages that building and testing Switchyard need: the OpenSSL, zlib and LMDB
# development files, plus the openssl, curl, readelf and cc tools some tests run.
set -euo pipefail

packages=(libssl-dev zlib1g-dev liblmdb-dev openssl curl ca-certificates binutils gcc)

if [ "$(id -u)" -eq 0 ]; then
    run=()
elif command -v sudo >/dev/null 2>&1; then
    run=(sudo)
else
    echo "error: installing packages needs root; run this script as root or install sudo" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${run[@]}" apt-get update
"${run[@]}" apt-get install -y --no-install-recommends "${packages[@]}"
