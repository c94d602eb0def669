#!/usr/bin/env bash
# Seeded random-mutation fuzzing of the .npy, PNG, TIFF, JPEG, manifest and
# checkpoint readers and of the artifact gate (pipeline, detector state, maps,
# features, model JSON), in process, COUNT inputs each (default 100000).
#
#   scripts/reliability/fuzz.sh [--release] [COUNT] [SEED] [CONFIG]
#
# --release is CONFIG release (the build users run: parsers keep their checks
# in release: docs/reliability.md, section 6, class 9).
#
# CONFIG debug (default) or release; both keep Swift's overflow and bounds
# checks in the readers (release builds only SegADKernels and SegADDetectors
# with -Ounchecked), so an arithmetic trap shows up as a crash. The script
# builds what it runs (release: `swift build -c release --build-tests
# -Xswiftc -enable-testing`). Prints one "fuzz READER: …" line per reader
# (inputs, accepted, refused, slowest input, peak RSS growth); the figures are
# in docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
RELEASE=
if [[ ${1:-} == --release ]]; then RELEASE=release; shift; fi
export SEGAD_FUZZ_COUNT=${1:-100000}
export SEGAD_FUZZ_SEED=${2:-20240607}
# The artifact kinds without byte mutations of the written files unless asked
# (SEGAD_FUZZ_ARTIFACT_BYTES=1): libhdf5 1.10 can crash on a byte-mutated
# variable-length string (docs/reliability.md, 7.2).
export SEGAD_FUZZ_ARTIFACT_BYTES=${SEGAD_FUZZ_ARTIFACT_BYTES:-0}
CONFIG=${RELEASE:-${3:-debug}}
swift build -c "$CONFIG" --build-tests $([[ $CONFIG == release ]] && echo -Xswiftc -enable-testing) 2>&1 | grep -E 'error' || true
swift test -c "$CONFIG" --skip-build --filter 'EndToEndTests.FuzzTests' 2>&1 | grep -E '^fuzz |error|passed|failed'
