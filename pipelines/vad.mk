# The VAD benchmarks of the SegAD paper (docs/vad.md):
#
#   make vad-highshot VAD_ROOT=DIR     SegAD training adds all train/bad
#   make vad-lowshot  VAD_ROOT=DIR     … the seed's 100 of low_shot_train.json
#   make vad-oneclass VAD_ROOT=DIR     … synthetic defects on its own good images
#   make vad-ablation VAD_ROOT=DIR     Table 6 on high-shot (max only, one segment,
#                                      boosted trees, random forest, BRF)
#   make vad-elpv-tree                 ELPV mono cells as a VAD-layout tree
#                                      (artifacts/vad-elpv/tree), to try all of the above
#
# Variables: VAD_SEEDS (0 1 2 3 4), VAD_SIZE (HxW or N; default: the first train/good
# image's aspect ratio, short side 256, sides multiples of 32 — scripts/working-size.sh), VAD_DETECTORS (patchcore padim;
# native kinds patchcore, padim, golden-template), VAD_FIT_ARGS and VAD_FIT_ARGS_<kind>
# (e.g. VAD_FIT_ARGS_patchcore=--coreset-ratio 0.01), VAD_SEGMENTATION (a drawn label
# PNG; default VAD_ROOT/segmentation.png, else derived), VAD_SEGMENTS (7), VAD_CLASSIFIER (1: the
# project's own g(I) in high/low-shot; 0: none), VAD_IMPORT (names of score files
# VAD_IMPORT_DIR/NAME.csv — or NAME-seed-S.csv per seed — shown as rows), BRF_ARGS,
# VAD_CLASSIFIER_FOLDS (5: cross-fitting folds of the classifier over each seed's
# segad-train rows, docs/vad.md), VAD_CLASSIFIER_ARGS (more classifier-fit options,
# e.g. --c auto).
#
# Detector rules are this file's own rather than native.mk's native_detector: a
# seed's detectors are fitted once, from a detector-train-only manifest, and
# applied to the three modes' manifests (native.mk fits per manifest).
#
# Per seed S (detectors are refitted per seed, so every seed has its own manifest,
# maps and features; the report merges the seeds of class "vad"):
#   artifacts/vad/manifests/detectors-seed-S.json      the seed's detector-train half
#   artifacts/vad/detectors/seed-S/DET.h5              extract-maps fit (shared by the three)
#   artifacts/vad-MODE/manifests/seed-S.json           build-dataset vad-manifest
#   artifacts/vad-oneclass/synthetic/seed-S/           synthesize-defects (PNGs + list.csv)
#   artifacts/vad-MODE/maps/seed-S/DET.h5              extract-maps apply
#   artifacts/vad-MODE/classifier/seed-S.{h5,csv}      classifier-fit / classifier-apply
#   artifacts/vad-MODE/{features,models,scores}/seed-S/…   segad.mk's rules
#   artifacts/vad-MODE/report/, report/unseen/         evaluate report (all, good vs unseen)
VAD_SEEDS ?= 0 1 2 3 4
VAD_SEGMENTS ?= 7
VAD_DETECTORS ?= patchcore padim
VAD_FIT_ARGS ?=
VAD_CLASSIFIER ?= 1
VAD_CLASSIFIER_FOLDS ?= 5
VAD_CLASSIFIER_ARGS ?=
VAD_IMPORT ?=
VAD_IMPORT_DIR ?= $(VAD_ROOT)/scores
VAD_WEIGHTS ?= $(DATA_CACHE)/weights/efficientnet-lite0.pth
VAD_ELPV ?= $(DATA_CACHE)/elpv
VAD_MODES := oneclass highshot lowshot
VAD_GOALS := $(addprefix vad-,$(VAD_MODES)) vad-ablation vad-all

.PHONY: $(VAD_GOALS) vad-elpv-tree

# ELPV laid out as VAD (needs no VAD_ROOT).
ifneq ($(filter vad-elpv-tree,$(MAKECMDGOALS)),)
$(call safe_paths,make vad-elpv-tree,VAD_ELPV)
endif
vad-elpv-tree: $(ARTIFACTS)/vad-elpv/tree/low_shot_train.json
$(ARTIFACTS)/vad-elpv/tree/low_shot_train.json: | $(STAGES) $(VAD_ELPV)/labels.csv
	$(BIN)/build-dataset vad-from-elpv --elpv $(VAD_ELPV) -o $(ARTIFACTS)/vad-elpv/tree
	@echo "vad-elpv-tree: now e.g. make vad-highshot VAD_ROOT=$(ARTIFACTS)/vad-elpv/tree VAD_SEGMENTS=4"

ifneq ($(filter $(VAD_GOALS),$(MAKECMDGOALS)),)
$(call safe_paths,make $(filter $(VAD_GOALS),$(MAKECMDGOALS)),VAD_ROOT VAD_SEGMENTATION VAD_IMPORT_DIR VAD_WEIGHTS)
$(call safe_seeds,make $(filter $(VAD_GOALS),$(MAKECMDGOALS)),VAD_SEEDS)
ifeq ($(VAD_ROOT),)
$(error make $(filter $(VAD_GOALS),$(MAKECMDGOALS)): set VAD_ROOT=DIR, a VAD folder (train/good, train/bad, test/good, test/bad, test/bad_unseen_defects, low_shot_train.json). VAD is not downloadable here: request it from the SegAD authors (Valeo Anomaly Dataset) — or try ELPV laid out as VAD: make vad-elpv-tree, then VAD_ROOT=$(ARTIFACTS)/vad-elpv/tree VAD_SEGMENTS=4 (docs/vad.md))
endif
VAD_MISSING := $(foreach f,train/good train/bad test/good test/bad test/bad_unseen_defects,$(if $(wildcard $(VAD_ROOT)/$(f)/.),,$(f)/)) \
  $(if $(filter vad-lowshot vad-all,$(MAKECMDGOALS)),$(if $(wildcard $(VAD_ROOT)/low_shot_train.json),,low_shot_train.json))
ifneq ($(strip $(VAD_MISSING)),)
$(error make $(filter $(VAD_GOALS),$(MAKECMDGOALS)): VAD_ROOT=$(VAD_ROOT) is not a VAD folder: missing $(strip $(VAD_MISSING)). Point VAD_ROOT at the unpacked Valeo Anomaly Dataset (request it from the SegAD authors), or run make vad-elpv-tree and use VAD_ROOT=$(ARTIFACTS)/vad-elpv/tree VAD_SEGMENTS=4 (docs/vad.md))
endif

# The working size: VAD_SIZE, else from the first train/good image (its aspect ratio,
# short side 256, sides multiples of the backbone stride 32). A script, not
# `extract-maps working-size`: VAD_SIZE names targets, so it is needed at parse
# time, before any tool is built (the same rule; WorkingSizeRuleTests). The
# script picks the first PNG itself: a file name never becomes Make or shell
# text (docs/reliability.md, 7.1).
ifeq ($(VAD_SIZE),auto)
size_auto_for := vad
include pipelines/size-auto.mk
size_auto_for :=
else ifeq ($(origin VAD_SIZE),undefined)
VAD_SIZE := $(shell bash scripts/working-size.sh --first-png $(call shq,$(VAD_ROOT)/train/good))
ifeq ($(VAD_SIZE),)
$(error make $(filter $(VAD_GOALS),$(MAKECMDGOALS)): cannot take the working size from the first PNG of $(VAD_ROOT)/train/good (message above); set VAD_SIZE=HxW)
endif
endif

# The static segmentation: the user's drawn map (VAD_SEGMENTATION), else the tree's
# segmentation.png, else one derived from the first seed's detector-train images
# (`extract-maps derive-segmentation`, docs/segmentation.md; VAD_DERIVE_SEGMENTATION
# is the command, writing the label PNG to $@, from the manifest $<).
VAD_SEGMENTATION ?= $(wildcard $(VAD_ROOT)/segmentation.png)
VAD_DERIVE_SEGMENTATION ?= $(BIN)/extract-maps derive-segmentation --manifest $< --seed $(firstword $(VAD_SEEDS)) --segments $(VAD_SEGMENTS) --size $(VAD_SIZE) -o $@
VAD_SEG := $(ARTIFACTS)/vad/segmentation-$(VAD_SIZE).png
VAD_SEG_ONE := $(ARTIFACTS)/vad/segmentation-one-$(VAD_SIZE).png
VAD_ALL := $(call join_plus,$(VAD_DETECTORS))
VAD_SEG_ARGS := --segmentation $(VAD_SEG) --segments $(VAD_SEGMENTS)

vad_param = $(eval $(call param_stamp,$(ARTIFACTS)/$(1),$(2)))
$(call vad_param,vad/params/root.txt,$(abspath $(VAD_ROOT)) seeds=$(VAD_SEEDS))
$(call vad_param,vad/params/segmentation.txt,$(VAD_SEGMENTATION) $(VAD_SEGMENTS))
$(foreach d,$(VAD_DETECTORS),$(call vad_param,vad/params/fit-$(d).txt,$(VAD_SIZE) $(VAD_FIT_ARGS) $(VAD_FIT_ARGS_$(d))))
$(call vad_param,vad/params/classifier.txt,$(VAD_SIZE) folds=$(VAD_CLASSIFIER_FOLDS) $(VAD_CLASSIFIER_ARGS))

ifneq ($(VAD_SEGMENTATION),)
$(VAD_SEG): $(VAD_SEGMENTATION) $(ARTIFACTS)/vad/params/segmentation.txt | $(STAGES)
	@mkdir -p $(@D)
	@rm -f $(VAD_SEG:.png=_overlay.png)
	$(BIN)/build-dataset vad-segmentation --input $(call shq,$(VAD_SEGMENTATION)) --segments $(VAD_SEGMENTS) --size $(VAD_SIZE) -o $@
else
$(VAD_SEG): $(ARTIFACTS)/vad/manifests/detectors-seed-$(firstword $(VAD_SEEDS)).json $(ARTIFACTS)/vad/params/segmentation.txt | $(STAGES)
	@mkdir -p $(@D)
	@echo "vad: no VAD_SEGMENTATION given and no $(VAD_ROOT)/segmentation.png: deriving a $(VAD_SEGMENTS)-segment map from seed $(firstword $(VAD_SEEDS))'s good training images (docs/segmentation.md)" >&2
	$(VAD_DERIVE_SEGMENTATION)
endif
$(VAD_SEG_ONE): $(VAD_SEG) | $(STAGES)
	$(BIN)/build-dataset vad-segmentation --input $< --segments $(VAD_SEGMENTS) --size $(VAD_SIZE) --one-segment -o $@

# Per seed: the detector-train manifest and the fitted detectors, shared by all modes.
define vad_detector_rules # SEED
$(ARTIFACTS)/vad/manifests/detectors-seed-$(1).json: $(ARTIFACTS)/vad/params/root.txt | $$(STAGES)
	@mkdir -p $$(@D)
	$$(BIN)/build-dataset vad-manifest --root $(call shq,$(VAD_ROOT)) --mode detectors --seed $(1) --seeds '$(VAD_SEEDS)' -o $$@
$(foreach d,$(VAD_DETECTORS),
$(ARTIFACTS)/vad/detectors/seed-$(1)/$(d).h5: $(ARTIFACTS)/vad/manifests/detectors-seed-$(1).json $(ARTIFACTS)/vad/params/fit-$(d).txt $(if $(call native_needs_weights,$(d)),$(VAD_WEIGHTS)) | $$(STAGES)
	@mkdir -p $$(@D)
	$$(BIN)/extract-maps fit --manifest $$< --kind $(d) --seed $(1) --size $(VAD_SIZE) $(if $(call native_needs_weights,$(d)),--weights $(VAD_WEIGHTS)) $(VAD_FIT_ARGS) $(VAD_FIT_ARGS_$(d)) -o $$@
)
endef

# One mode and seed: manifest, maps, (classifier), features, models, scores.
# Class vad-MODE-seed-S of pipelines/segad.mk: artifacts/vad-MODE/…/seed-S/, one seed.
define vad_seed_rules # MODE SEED
vad-$(1)-seed-$(2).bench := vad-$(1)
vad-$(1)-seed-$(2).class := seed-$(2)
vad-$(1)-seed-$(2).manifest := $(ARTIFACTS)/vad-$(1)/manifests/seed-$(2).json
vad-$(1)-seed-$(2).detectors := $(VAD_DETECTORS)
vad-$(1)-seed-$(2).segmentation := $(VAD_SEG_ARGS)
vad-$(1)-seed-$(2).seeds := $(2)
vad-$(1)_MAPS := native
$(ARTIFACTS)/vad-$(1)/manifests/seed-$(2).json: $(ARTIFACTS)/vad/params/root.txt $(if $(filter oneclass,$(1)),$(ARTIFACTS)/vad-oneclass/synthetic/seed-$(2)/list.csv) | $$(STAGES)
	@mkdir -p $$(@D)
	$$(BIN)/build-dataset vad-manifest --root $(call shq,$(VAD_ROOT)) --mode $(1) --seed $(2) --seeds '$(VAD_SEEDS)' $(if $(filter oneclass,$(1)),--synthetic $(ARTIFACTS)/vad-oneclass/synthetic/seed-$(2)/list.csv) -o $$@
$(foreach d,$(VAD_DETECTORS),
$(ARTIFACTS)/vad-$(1)/maps/seed-$(2)/$(d).h5: $(ARTIFACTS)/vad-$(1)/manifests/seed-$(2).json $(ARTIFACTS)/vad/detectors/seed-$(2)/$(d).h5 | $$(STAGES)
	@mkdir -p $$(@D)
	$$(BIN)/extract-maps apply --manifest $$< --state $(ARTIFACTS)/vad/detectors/seed-$(2)/$(d).h5 --skip-detector-train -o $$@
)
$(foreach c,$(call combos,$(VAD_DETECTORS)),
$(ARTIFACTS)/vad-$(1)/features/seed-$(2)/$(c).h5: $(VAD_SEG))
$(foreach n,$(VAD_IMPORT),
$(ARTIFACTS)/vad-$(1)/scores/seed-$(2)/import-$(n).h5: $(call vad_rows,$(1),$(2)) $(or $(wildcard $(VAD_IMPORT_DIR)/$(n)-seed-$(2).csv),$(VAD_IMPORT_DIR)/$(n).csv) | $$(STAGES)
	$$(BIN)/evaluate score --maps $$< --manifest $(ARTIFACTS)/vad-$(1)/manifests/seed-$(2).json --scores-csv $$(word 2,$$^) --method '$(n)' -o $$@
)
endef
# Rows scored from a score CSV take their labels from the first detector's maps
# (not a features artifact, so a segmentation change leaves them alone).
vad_rows = $(ARTIFACTS)/vad-$(1)/maps/seed-$(2)/$(firstword $(VAD_DETECTORS)).h5

# The classifier g(I) (high- and low-shot): fitted per seed, its scores a feature of
# "All AD + classifier + SegAD" and a row of its own. Cross-fitted: the seed's
# segad-train rows are scored by fold models that did not see them, so the score
# CSV, and every features file with a classifier column, is per seed (the maps
# and the classifier-free features are not rebuilt for it).
define vad_classifier_rules # MODE SEED
$(ARTIFACTS)/vad-$(1)/classifier/seed-$(2).h5: $(ARTIFACTS)/vad-$(1)/manifests/seed-$(2).json $(ARTIFACTS)/vad/params/classifier.txt $(VAD_WEIGHTS) | $$(STAGES)
	@mkdir -p $$(@D)
	$$(BIN)/build-dataset classifier-fit --manifest $$< --seed $(2) --weights $(VAD_WEIGHTS) --size $(VAD_SIZE) --folds $(VAD_CLASSIFIER_FOLDS) $(VAD_CLASSIFIER_ARGS) -o $$@
$(ARTIFACTS)/vad-$(1)/classifier/seed-$(2).csv: $(ARTIFACTS)/vad-$(1)/classifier/seed-$(2).h5 $(VAD_WEIGHTS) | $$(STAGES)
	$$(BIN)/build-dataset classifier-apply --manifest $(ARTIFACTS)/vad-$(1)/manifests/seed-$(2).json --state $$< -o $$@
$(ARTIFACTS)/vad-$(1)/features/seed-$(2)/classifier+$(VAD_ALL).h5: $(ARTIFACTS)/vad-$(1)/manifests/seed-$(2).json $(foreach d,$(VAD_DETECTORS),$(ARTIFACTS)/vad-$(1)/maps/seed-$(2)/$(d).h5) $(ARTIFACTS)/vad-$(1)/classifier/seed-$(2).csv $(VAD_SEG) $(ARTIFACTS)/vad-$(1)/params/segmentation-seed-$(2).txt | $$(STAGES)
	$$(BIN)/segment-stats --manifest $$< $(foreach d,$(VAD_DETECTORS),--maps $(ARTIFACTS)/vad-$(1)/maps/seed-$(2)/$(d).h5) $(VAD_SEG_ARGS) --classifier-scores $(ARTIFACTS)/vad-$(1)/classifier/seed-$(2).csv -o $$@
$(eval $(call model_rule,vad-$(1)-seed-$(2),classifier+$(VAD_ALL),$(2)))
$(eval $(call segad_scores_rule,vad-$(1)-seed-$(2),classifier+$(VAD_ALL)))
$(ARTIFACTS)/vad-$(1)/scores/seed-$(2)/classifier.h5: $(call vad_rows,$(1),$(2)) $(ARTIFACTS)/vad-$(1)/classifier/seed-$(2).csv | $$(STAGES)
	$$(BIN)/evaluate score --maps $$< --manifest $(ARTIFACTS)/vad-$(1)/manifests/seed-$(2).json --scores-csv $$(word 2,$$^) --method classifier -o $$@
endef

vad_classifier_on = $(and $(filter 1,$(VAD_CLASSIFIER)),$(filter highshot lowshot,$(1)))

# Table rows in the paper's order: each detector, then SegAD on it; all detectors;
# all + classifier; the classifier alone; imported score files.
vad_scores = $(foreach s,$(VAD_SEEDS),\
  $(foreach d,$(VAD_DETECTORS),$(ARTIFACTS)/vad-$(1)/scores/seed-$(s)/det-$(d).h5 $(ARTIFACTS)/vad-$(1)/scores/seed-$(s)/segad-$(d).h5) \
  $(if $(word 2,$(VAD_DETECTORS)),$(ARTIFACTS)/vad-$(1)/scores/seed-$(s)/segad-$(VAD_ALL).h5) \
  $(if $(call vad_classifier_on,$(1)),$(ARTIFACTS)/vad-$(1)/scores/seed-$(s)/segad-classifier+$(VAD_ALL).h5 $(ARTIFACTS)/vad-$(1)/scores/seed-$(s)/classifier.h5) \
  $(foreach n,$(VAD_IMPORT),$(ARTIFACTS)/vad-$(1)/scores/seed-$(s)/import-$(n).h5))

# A derived map's overlay (written beside it by derive-segmentation) goes into the
# report as figures/segmentation_overlay.png; the report drops it with a drawn map.
vad_figures = $(if $(VAD_SEGMENTATION),,--figure segmentation_overlay.png=$(VAD_SEG:.png=_overlay.png))

vad_title_oneclass = VAD one-class (synthetic defects)
vad_title_highshot = VAD high-shot
vad_title_lowshot = VAD low-shot

# One mode's reports: all test rows, and good vs unseen defects; the goal vad-MODE.
define vad_mode_rules # MODE
$(ARTIFACTS)/vad-$(1)/report/metrics.json: $(call vad_scores,$(1)) | $$(STAGES)
	$$(BIN)/evaluate report --title '$(vad_title_$(1)) (seeds $(VAD_SEEDS); $(VAD_SIZE)px)' -o $(ARTIFACTS)/vad-$(1)/report $$^ $(vad_figures) --print
$(ARTIFACTS)/vad-$(1)/report/unseen/metrics.json: $(call vad_scores,$(1)) | $$(STAGES)
	$$(BIN)/evaluate report --title '$(vad_title_$(1)): good vs unseen defects' --only-tag unseen -o $(ARTIFACTS)/vad-$(1)/report/unseen $$^ --print
vad-$(1): $(ARTIFACTS)/vad-$(1)/report/metrics.json $(ARTIFACTS)/vad-$(1)/report/unseen/metrics.json
endef

# One-class mode: synthetic defects on the seed's good images (PNGs + list.csv).
define vad_synthetic_rule # SEED
$(ARTIFACTS)/vad-oneclass/synthetic/seed-$(1)/list.csv: $(VAD_SEG) $(ARTIFACTS)/vad/params/root.txt | $$(STAGES)
	$$(BIN)/build-dataset synthesize-defects --root $(call shq,$(VAD_ROOT)) --seed $(1) --segmentation $(VAD_SEG) --segments $(VAD_SEGMENTS) -o $$(@D)
endef

# Table 6 (on high-shot, all detectors): max of map only; one segment; boosted
# trees (one tree per round); random forest (one round); BRF (SegAD itself).
VAD_ABL := $(ARTIFACTS)/vad-highshot/ablation
define vad_ablation_rules # SEED
$(VAD_ABL)/features/seed-$(1)/one-segment.h5: $(ARTIFACTS)/vad-highshot/manifests/seed-$(1).json $(foreach d,$(VAD_DETECTORS),$(ARTIFACTS)/vad-highshot/maps/seed-$(1)/$(d).h5) $(VAD_SEG_ONE) | $$(STAGES)
	@mkdir -p $$(@D)
	$$(BIN)/segment-stats --manifest $$< $(foreach d,$(VAD_DETECTORS),--maps $(ARTIFACTS)/vad-highshot/maps/seed-$(1)/$(d).h5) --segmentation $(VAD_SEG_ONE) --segments 1 -o $$@
endef

# Each variant by name: the features it trains on, its extra train-brf flags, its row.
vad_abl_all = $(ARTIFACTS)/vad-highshot/features/seed-$(1)/$(VAD_ALL).h5
vad_abl.max-only.features = $(vad_abl_all)
vad_abl.max-only.brf := --only 'an_det_score_*'
vad_abl.max-only.method := Max of map only
vad_abl.one-segment.features = $(VAD_ABL)/features/seed-$(1)/one-segment.h5
vad_abl.one-segment.brf :=
vad_abl.one-segment.method := One segment
vad_abl.boosted-trees.features = $(vad_abl_all)
vad_abl.boosted-trees.brf := --num-parallel-tree 1
vad_abl.boosted-trees.method := Boosted trees
vad_abl.random-forest.features = $(vad_abl_all)
vad_abl.random-forest.brf := --rounds 1
vad_abl.random-forest.method := Random forest
VAD_ABL_VARIANTS := max-only one-segment boosted-trees random-forest

define vad_ablation_variant # SEED VARIANT
$(VAD_ABL)/models/seed-$(1)/$(2).h5: $(call vad_abl.$(2).features,$(1)) $(ARTIFACTS)/vad-highshot/params/brf.txt | $$(STAGES)
	@mkdir -p $$(@D)
	$$(BIN)/train-brf --features $(call vad_abl.$(2).features,$(1)) --manifest $(ARTIFACTS)/vad-highshot/manifests/seed-$(1).json --seed $(1) $$(BRF_ARGS) $(vad_abl.$(2).brf) -o $$@
$(VAD_ABL)/scores/seed-$(1)/$(2).h5: $(VAD_ABL)/models/seed-$(1)/$(2).h5 | $$(STAGES)
	@mkdir -p $$(@D)
	$$(BIN)/evaluate score --features $(call vad_abl.$(2).features,$(1)) --manifest $(ARTIFACTS)/vad-highshot/manifests/seed-$(1).json --model $$< --method '$(vad_abl.$(2).method)' -o $$@
endef

# One seed's ablation: the one-segment features and the four variants.
define vad_ablation_seed # SEED
$(eval $(call vad_ablation_rules,$(1)))
$(foreach v,$(VAD_ABL_VARIANTS),$(eval $(call vad_ablation_variant,$(1),$(v))))
endef

VAD_ABL_SCORES := $(foreach s,$(VAD_SEEDS),$(foreach v,$(VAD_ABL_VARIANTS),$(VAD_ABL)/scores/seed-$(s)/$(v).h5) \
  $(ARTIFACTS)/vad-highshot/scores/seed-$(s)/segad-$(VAD_ALL).h5)
$(VAD_ABL)/report/metrics.json: $(VAD_ABL_SCORES) | $(STAGES)
	$(BIN)/evaluate report --title 'VAD high-shot ablation (Table 6; all detectors; BRF = SegAD($(VAD_ALL)))' -o $(VAD_ABL)/report $^ --print
vad-ablation: $(VAD_ABL)/report/metrics.json

$(foreach s,$(VAD_SEEDS),$(eval $(call vad_detector_rules,$(s))))
$(foreach s,$(VAD_SEEDS),$(eval $(call vad_synthetic_rule,$(s))))
$(foreach m,$(VAD_MODES),$(foreach s,$(VAD_SEEDS),$(eval $(call vad_seed_rules,$(m),$(s)))$(call segad_class,vad-$(m)-seed-$(s))))
$(foreach m,$(VAD_MODES),$(foreach s,$(VAD_SEEDS),$(if $(call vad_classifier_on,$(m)),$(eval $(call vad_classifier_rules,$(m),$(s))))))
$(foreach m,$(VAD_MODES),$(eval $(call segad_bench_rules,vad-$(m)))$(eval $(call vad_mode_rules,$(m))))
$(foreach s,$(VAD_SEEDS),$(eval $(call vad_ablation_seed,$(s))))

vad-all: vad-oneclass vad-highshot vad-lowshot vad-ablation
endif
