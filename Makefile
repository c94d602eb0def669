# SegAD in Swift — see README.md.
#   make demo        the whole method on real ELPV solar cells (default)
#   make test        the test suite
#   make pipeline    your own maps (pipelines/pipeline.mk)
#   make visa        the reference VisA protocol from cached maps (pipelines/visa.mk)
#   make vad-highshot VAD_ROOT=DIR   the VAD benchmarks (also vad-lowshot, vad-oneclass, vad-ablation; pipelines/vad.mk)
#   make images IMAGES=DIR   your own folder of good/ and bad/ images (pipelines/images.mk)
#   make install [PREFIX=/usr/local]   the five executables into PREFIX/bin
#   make weights     the EfficientNet-Lite0 backbone weights only
SHELL := /bin/bash
.DEFAULT_GOAL := demo
.DELETE_ON_ERROR:
CONFIG ?= release
BIN ?= .build/$(CONFIG)
ARTIFACTS ?= artifacts
# OpenMP threads that spin while idle slow parallel fits badly on 2 cores.
export OMP_WAIT_POLICY ?= PASSIVE
export OPENBLAS_NUM_THREADS ?= 1

# The real data into .cache/: the ELPV cells and the EfficientNet-Lite0
# weights, each its own download (`make weights` fetches the weights alone).
# DATA_CACHE and FETCH_DATA exist for tests (a fresh tree whose fetch copies
# local files instead of downloading; FETCH_DATA gets `elpv` or `weights`).
DATA_CACHE ?= .cache
FETCH_DATA ?= bash scripts/fetch-data.sh
# Paths never reach a shell as code: shq, and the checks of user paths
# (docs/reliability.md, 7.1), before any rule names a path.
include pipelines/safe.mk
# CLUSTER=slurm: stage recipes as Slurm steps (docs/cluster.md).
include pipelines/cluster.mk
$(DATA_CACHE)/elpv/labels.csv:
	$(FETCH_DATA) elpv
$(DATA_CACHE)/weights/efficientnet-lite0.pth:
	$(FETCH_DATA) weights

.PHONY: weights install
weights: $(DATA_CACHE)/weights/efficientnet-lite0.pth

.PHONY: setup build test clean
setup:
	@bash scripts/setup.sh

# Set-up runs once per checkout (a stamp under .build/), so a finished
# `make demo` run has nothing left to do.
SETUP_STAMP := .build/setup.stamp
$(SETUP_STAMP):
	@bash scripts/setup.sh && mkdir -p $(@D) && touch $@

# The stage binaries, rebuilt when a source changes (so a `git pull` never
# runs stale binaries); stage rules depend on them order-only, so a rebuilt
# tool reruns no stage. A BIN given on the command line (tests) is used as is.
STAGE_BINARIES := $(BIN)/extract-maps $(BIN)/segment-stats $(BIN)/train-brf $(BIN)/evaluate $(BIN)/build-dataset
ifeq ($(origin BIN),file)
STAGE_SOURCES := Package.swift $(shell find Sources -type f 2>/dev/null)
endif
# The first build says so once: it is silent for minutes otherwise. The
# package manager's note on a file of a dependency of Hummingbird
# (swift-distributed-tracing) is not the user's to act on and is left out.
$(STAGE_BINARIES) &: $(STAGE_SOURCES) | $(SETUP_STAMP)
	@if [ -x $(BIN)/evaluate ]; then echo "Rebuilding the stage executables (sources changed)."; \
	else echo "Compiling the stage executables ($(CONFIG) build): the first build takes about 10 minutes on 2 cores."; fi
	swift build -c $(CONFIG) 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]|^Building|^Compiling|^Write|^warning: .swift-distributed-tracing.: found 1 file' ; test -x $(BIN)/evaluate
	@touch $(STAGE_BINARIES)

# The four stage executables into $(PREFIX)/bin, built first when missing or
# stale (a release build). Below STAGE_BINARIES: Make expands a rule's
# prerequisites when it reads the rule, so above it the list was empty.
PREFIX ?= /usr/local
install: $(STAGE_BINARIES)
	install -d $(call shq,$(DESTDIR)$(PREFIX)/bin)
	install -m 755 $(STAGE_BINARIES) $(call shq,$(DESTDIR)$(PREFIX)/bin/)

build: setup
	swift build -c $(CONFIG)

test:
	@bash scripts/test.sh

clean:
	rm -rf $(call shq,$(ARTIFACTS))

include pipelines/detectors.mk
include pipelines/segad.mk
include pipelines/native.mk
include pipelines/pipeline.mk
include pipelines/visa.mk
include pipelines/score.mk
include pipelines/demo.mk
include pipelines/vad.mk
include pipelines/images.mk
