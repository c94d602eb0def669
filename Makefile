# SegAD in Swift — see README.md. Stage recipes live in pipelines/*.mk.
SHELL := /bin/bash
.DEFAULT_GOAL := demo
CONFIG ?= release
SWIFT_BUILD := swift build -c $(CONFIG)
BIN := .build/$(CONFIG)

.PHONY: setup build test
setup:
	@bash scripts/setup.sh

build: setup
	@$(SWIFT_BUILD) 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
	@test -x $(BIN)/segment-stats

test:
	@bash scripts/setup.sh --python
	swift test 2>&1 | tee .build/test.log | grep -E 'error|failed|passed|Executed|skipped' | tail -n 40; exit $${PIPESTATUS[0]}
