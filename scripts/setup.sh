#!/usr/bin/env bash
# Installs what the project needs and is missing: Debian packages (apt-get)
# for building, and — with `--python` — the Python packages the tests use for
# golden values and parity (pip). Idempotent and quiet when nothing is missing.
set -euo pipefail
need=()
# libsqlite3-dev: the inspection record of evaluate serve (GRDB); curl: its integration tests.
for pkg in pkg-config libpng-dev libopenblas-dev libhdf5-dev libxgboost-dev libtiff-dev libjpeg62-turbo-dev libssl-dev libsqlite3-dev curl; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if ((${#need[@]})); then
    echo "setup: installing ${need[*]}" >&2
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [[ "${1:-}" == "--python" ]]; then
    missing=()
    python3 -c "import numpy" 2>/dev/null || missing+=(numpy)
    python3 -c "import scipy" 2>/dev/null || missing+=(scipy)
    python3 -c "import sklearn" 2>/dev/null || missing+=(scikit-learn)
    python3 -c "import xgboost" 2>/dev/null || missing+=(xgboost-cpu)
    python3 -c "import h5py" 2>/dev/null || missing+=(h5py)
    python3 -c "import pandas" 2>/dev/null || missing+=(pandas)
    if ((${#missing[@]})); then
        echo "setup: pip installing ${missing[*]}" >&2
        python3 -m pip install -q "${missing[@]}"
    fi
fi
