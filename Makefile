# SegAD in Swift — see README.md.
#   make demo        the whole method on real ELPV solar cells (default)
#   make test        the test suite
#   make pipeline    your own maps (pipelines/pipeline.mk)
#   make visa        the reference VisA protocol from cached maps (pipelines/visa.mk)
#   make vad-highshot VAD_ROOT=DIR   the VAD benchmarks (also vad-lowshot, vad-oneclass, vad-ablation; pipelines/vad.mk)
SHELL := /bin/bash
.DEFAULT_GOAL := demo
.DELETE_ON_ERROR:
CONFIG ?= release
BIN ?= .build/$(CONFIG)
ARTIFACTS ?= artifacts
# OpenMP threads that spin while idle slow parallel fits badly on 2 cores.
export OMP_WAIT_POLICY ?= PASSIVE
export OPENBLAS_NUM_THREADS ?= 1

.PHONY: setup build test clean
setup:
	@bash scripts/setup.sh

# The stage binaries: built once; stage rules depend on them order-only.
$(BIN)/extract-maps $(BIN)/segment-stats $(BIN)/train-brf $(BIN)/evaluate: | setup
	swift build -c $(CONFIG) 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]|^Building|^Compiling|^Write' ; test -x $@

build: setup
	swift build -c $(CONFIG)

test:
	@bash scripts/setup.sh --python
	swift test --parallel --num-workers 2 2>&1 | tee test.log | grep -E '^(Test Suite|Executed|.*error|.*failed)' | tail -n 40; exit $${PIPESTATUS[0]}

clean:
	rm -rf $(ARTIFACTS)

include pipelines/segad.mk
include pipelines/pipeline.mk
include pipelines/visa.mk
include pipelines/vad.mk
