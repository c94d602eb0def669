# `make demo`: SegAD on the ELPV solar cells (docs/elpv.md), end to end.
#
#   fetch      scripts/fetch-data.sh → .cache/elpv/, .cache/weights/
#   manifests  build-dataset elpv-manifest → artifacts/demo/manifests/{mono,poly}.json
#   segment    mono: the committed static map pipelines/elpv/mono_segmentation.png
#              poly: build-dataset segment-elpv → artifacts/demo/segmentation/poly/
#   detectors  extract-maps fit (once per class) and apply   (pipelines/native.mk)
#   SegAD      segment-stats → train-brf (5 seeds) → evaluate (pipelines/segad.mk)
#   report     artifacts/demo/report/ (results.md, metrics.json, figures/), evaluate report its one writer
#
# Knobs (each lives in a parameter stamp, so changing one reruns only what
# depends on it): DEMO_SIZE, DEMO_SEEDS, DEMO_DETECTORS, PATCHCORE_ARGS,
# PADIM_ARGS, BRF_ARGS (DEMO_DETECTORS: any of DETECTOR_KINDS, pipelines/detectors.mk,
# e.g. "golden-template patchcore padim dfm"; a kind's own flags: KIND_ARGS).

DEMO := $(ARTIFACTS)/demo
.PHONY: demo

# The rules (and their parameter stamps, written at parse time) exist only
# when a goal asks for the demo, so `make test` or `make pipeline` leave
# artifacts/demo/ alone.
ifneq ($(if $(MAKECMDGOALS),$(filter demo $(DEMO)/%,$(MAKECMDGOALS)),demo),)
DEMO_SIZE ?= 160
DEMO_SEEDS ?= 0 1 2 3 4
$(call safe_seeds,make demo,DEMO_SEEDS)
DEMO_DETECTORS ?= golden-template patchcore padim
# PatchCore's greedy coreset costs O(patches × coreset): fit on 120 of the
# pool's cells with a 5% coreset to stay inside the 15-minute budget.
PATCHCORE_ARGS ?= --limit 120 --coreset-ratio 0.05
PADIM_ARGS ?=
ELPV_LABELS := .cache/elpv/labels.csv
ELPV_WEIGHTS := .cache/weights/efficientnet-lite0.pth
ELPV_SEGMENTS := 4
# The committed mono map is 160×160; another DEMO_SIZE gets it resized
# (nearest neighbour) rather than a size mismatch in segment-stats.
ifeq ($(DEMO_SIZE),160)
MONO_SEGMENTATION := pipelines/elpv/mono_segmentation.png
else
MONO_SEGMENTATION := $(DEMO)/segmentation/mono-$(DEMO_SIZE).png
$(MONO_SEGMENTATION): pipelines/elpv/mono_segmentation.png | $(STAGES)
	$(BIN)/build-dataset vad-segmentation --input $< --segments $(ELPV_SEGMENTS) --size $(DEMO_SIZE) -o $@
endif
demo_MAPS := native

demo_seed_list := $(subst $(empty) $(empty),$(comma),$(strip $(DEMO_SEEDS)))

# No recipe of its own: a finished demo leaves Make with nothing to do.
# The report rule prints the table when it runs.
demo: $(DEMO)/report/metrics.json

# Data: the fetch rule for ELPV_LABELS and ELPV_WEIGHTS is in the Makefile.

$(eval $(call param_stamp,$(DEMO)/params/manifest.txt,$(demo_seed_list)))
$(eval $(call param_stamp,$(DEMO)/params/segment-elpv.txt,--size $(DEMO_SIZE)))

$(DEMO)/manifests/mono.json: $(ELPV_LABELS) $(DEMO)/params/manifest.txt | $(STAGES)
	$(BIN)/build-dataset elpv-manifest --labels $(ELPV_LABELS) --type mono --seeds $(demo_seed_list) -o $@
$(DEMO)/manifests/poly.json: $(ELPV_LABELS) $(DEMO)/params/manifest.txt | $(STAGES)
	$(BIN)/build-dataset elpv-manifest --labels $(ELPV_LABELS) --type poly --seeds $(demo_seed_list) \
	  --segmentation-dir $(DEMO)/segmentation/poly -o $@

# Poly cells: one label map per cell (the folder is replaced as a whole).
$(DEMO)/segmentation/poly/segmentation.json: $(DEMO)/manifests/poly.json $(DEMO)/params/segment-elpv.txt | $(STAGES)
	$(BIN)/build-dataset segment-elpv --manifest $< --size $(DEMO_SIZE) -o $(DEMO)/segmentation/poly

ifneq ($(filter-out $(DETECTOR_KINDS),$(DEMO_DETECTORS)),)
$(error make demo: DEMO_DETECTORS may name $(DETECTOR_KINDS), not '$(filter-out $(DETECTOR_KINDS),$(DEMO_DETECTORS))')
endif

# Detectors: fitted on the fixed detector pool (seed 0's detector-train,
# the same for every seed), applied to every other cell of the class.
demo_fit := --seed $(firstword $(DEMO_SEEDS)) --size $(DEMO_SIZE)
define demo_class # CLASS: the variables of class demo-CLASS (pipelines/segad.mk, native.mk)
demo-$(1).bench := demo
demo-$(1).class := $(1)
demo-$(1).manifest := $(DEMO)/manifests/$(1).json
demo-$(1).detectors := $(DEMO_DETECTORS)
demo-$(1).seeds := $(DEMO_SEEDS)
endef
$(eval $(call demo_class,mono))
$(eval $(call demo_class,poly))
demo-mono.segmentation := --segmentation $(MONO_SEGMENTATION) --segments $(ELPV_SEGMENTS)
demo-poly.segmentation := --per-item-segmentation --segments $(ELPV_SEGMENTS)

$(foreach c,mono poly,$(call native_detectors,demo-$(c),$(DEMO_DETECTORS),demo_fit,ELPV_WEIGHTS))
$(call segad_class,demo-mono)
$(call segad_class,demo-poly)

# segment-stats also reads the label maps: mono's committed PNG, poly's folder.
$(foreach c,$(call combos,$(DEMO_DETECTORS)),$(DEMO)/features/mono/$(c).h5): $(MONO_SEGMENTATION)
$(foreach c,$(call combos,$(DEMO_DETECTORS)),$(DEMO)/features/poly/$(c).h5): $(DEMO)/segmentation/poly/segmentation.json

# Figures of each segmentation over an example cell, made beside the report
# and copied into report/figures/ by the report rule (its one writer).
$(DEMO)/figures/segmentation_mono.png: $(DEMO)/manifests/mono.json $(MONO_SEGMENTATION) | $(STAGES)
	@mkdir -p $(@D)
	$(BIN)/build-dataset overlay-segmentation --manifest $< --segmentation $(MONO_SEGMENTATION) --size $(DEMO_SIZE) \
	  --title 'ELPV mono: static label map' -o $@
$(DEMO)/figures/segmentation_poly.png: $(DEMO)/manifests/poly.json $(DEMO)/segmentation/poly/segmentation.json | $(STAGES)
	@mkdir -p $(@D)
	$(BIN)/build-dataset overlay-segmentation --manifest $< --size $(DEMO_SIZE) \
	  --title 'ELPV poly: per-cell label map' -o $@

demo.title := SegAD on ELPV solar cells ($(words $(DEMO_SEEDS)) seeds; mono and poly)
demo.figures := $(foreach c,mono poly,segmentation_$(c).png=$(DEMO)/figures/segmentation_$(c).png)
$(call segad_report,demo)
endif
