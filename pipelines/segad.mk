# Generic SegAD stages for one class of one benchmark, as Make rules.
#
#   $(call segad_class,BENCH,CLASS,MANIFEST,DETECTORS,SEGMENTATION_ARGS,SEEDS[,BASE_SCORES])
#   $(call segad_report,BENCH,TITLE)
#
# BENCH              benchmark name: artifacts go to artifacts/BENCH/
# CLASS              class name (one manifest per class)
# MANIFEST           the class's manifest
# DETECTORS          detector names (K); SegAD runs on each alone and, if K > 1, on all together
# SEGMENTATION_ARGS  segment-stats flags, e.g. `--segmentation seg.png --segments 7`
# SEEDS              the seeds to train and evaluate
#
# Artifacts:  artifacts/BENCH/maps/CLASS/DET.h5               extract-maps
#             artifacts/BENCH/features/CLASS/COMBO.h5         segment-stats (COMBO: a, b, a+b)
#             artifacts/BENCH/models/CLASS/COMBO/seed-S.h5    train-brf (+ seed-S.json beside)
#             artifacts/BENCH/scores/CLASS/det-DET.h5         evaluate score (base detector)
#             artifacts/BENCH/scores/CLASS/segad-COMBO.h5     evaluate score (SegAD)
#             artifacts/BENCH/report/                         evaluate report
#
# Maps: imported from items[].maps (extract-maps import) unless BENCH_MAPS is
# `native`; then the benchmark defines the maps rules itself, with
# native_detector (pipelines/native.mk: fit a detector, apply it).
#
# Stage binaries are order-only prerequisites (rebuilding the tool does not
# rerun stages); parameters live in stamp files rewritten only when their
# value changes, so editing BRF_ARGS reruns train-brf and evaluate only.

BIN ?= .build/release
ARTIFACTS ?= artifacts
STAGES := $(BIN)/extract-maps $(BIN)/segment-stats $(BIN)/train-brf $(BIN)/evaluate
BRF_ARGS ?=
EXTRACT_ARGS ?=

empty :=
space := $(empty) $(empty)
join_plus = $(subst $(space),+,$(strip $(1)))
combos = $(1) $(if $(word 2,$(1)),$(call join_plus,$(1)))

# A file holding a parameter string, rewritten (at parse time, so `make -n`
# is exact) only when the string changes.
define param_stamp
$(shell mkdir -p $(dir $(1)); printf '%s\n' '$(2)' | cmp -s - $(1) || printf '%s\n' '$(2)' > $(1))
endef

define maps_rule # BENCH CLASS MANIFEST DET
$(ARTIFACTS)/$(1)/maps/$(2)/$(4).h5: $(3) $(ARTIFACTS)/$(1)/params/extract.txt | $$(STAGES)
	@mkdir -p $$(@D)
	$$(BIN)/extract-maps --manifest $(3) --detector $(4) $$(EXTRACT_ARGS) -o $$@
endef

# Files named in the segmentation flags (the static label map, a classifier
# CSV): prerequisites of segment-stats, so editing one reruns it.
seg_files = $(wildcard $(filter-out -%,$(1)))

define features_rule # BENCH CLASS MANIFEST COMBO SEGARGS
$(ARTIFACTS)/$(1)/features/$(2)/$(4).h5: $(3) $(foreach d,$(subst +, ,$(4)),$(ARTIFACTS)/$(1)/maps/$(2)/$(d).h5) $(ARTIFACTS)/$(1)/params/segmentation-$(2).txt $(call seg_files,$(5)) | $$(STAGES)
	@mkdir -p $$(@D)
	$$(BIN)/segment-stats --manifest $(3) $(foreach d,$(subst +, ,$(4)),--maps $(ARTIFACTS)/$(1)/maps/$(2)/$(d).h5) $(5) -o $$@
endef

define model_rule # BENCH CLASS MANIFEST COMBO SEED
$(ARTIFACTS)/$(1)/models/$(2)/$(4)/seed-$(5).h5: $(ARTIFACTS)/$(1)/features/$(2)/$(4).h5 $(3) $(ARTIFACTS)/$(1)/params/brf.txt | $$(STAGES)
	@mkdir -p $$(@D)
	$$(BIN)/train-brf --features $$< --manifest $(3) --seed $(5) $$(BRF_ARGS) -o $$@
endef

define segad_scores_rule # BENCH CLASS MANIFEST COMBO SEEDS
$(ARTIFACTS)/$(1)/scores/$(2)/segad-$(4).h5: $(foreach s,$(5),$(ARTIFACTS)/$(1)/models/$(2)/$(4)/seed-$(s).h5) | $$(STAGES)
	@mkdir -p $$(@D)
	$$(BIN)/evaluate score --features $(ARTIFACTS)/$(1)/features/$(2)/$(4).h5 --manifest $(3) \
	  $(foreach s,$(5),--model $(ARTIFACTS)/$(1)/models/$(2)/$(4)/seed-$(s).h5) --method 'SegAD($(4))' -o $$@
endef

# The base detector's own score: the max of its map, or (BASE_SCORES given)
# the image scores the detector wrote itself, from BASE_SCORES/DET.csv.
define detector_scores_rule # BENCH CLASS MANIFEST DET FEATURES BASE_SCORES
$(ARTIFACTS)/$(1)/scores/$(2)/det-$(4).h5: $(5) $(3) $(if $(6),$(6)/$(4).csv) | $$(STAGES)
	@mkdir -p $$(@D)
	$$(BIN)/evaluate score --features $(5) --manifest $(3) $(if $(6),--scores-csv $(6)/$(4).csv,--feature an_det_score_$(4)) --method $(4) -o $$@
endef

define segad_class_rules # BENCH CLASS MANIFEST DETECTORS SEGARGS SEEDS [BASE_SCORES]
$(eval $(call param_stamp,$(ARTIFACTS)/$(1)/params/segmentation-$(2).txt,$(5)))
$(if $(filter native,$($(1)_MAPS)),,$(foreach d,$(4),$(eval $(call maps_rule,$(1),$(2),$(3),$(d)))))
$(foreach c,$(call combos,$(4)),$(eval $(call features_rule,$(1),$(2),$(3),$(c),$(5))))
$(foreach c,$(call combos,$(4)),$(foreach s,$(6),$(eval $(call model_rule,$(1),$(2),$(3),$(c),$(s)))))
$(foreach c,$(call combos,$(4)),$(eval $(call segad_scores_rule,$(1),$(2),$(3),$(c),$(6))))
$(foreach d,$(4),$(eval $(call detector_scores_rule,$(1),$(2),$(3),$(d),$(ARTIFACTS)/$(1)/features/$(2)/$(lastword $(call combos,$(4))).h5,$(7))))
$(1)_SCORES += $(foreach d,$(4),$(ARTIFACTS)/$(1)/scores/$(2)/det-$(d).h5) $(foreach c,$(call combos,$(4)),$(ARTIFACTS)/$(1)/scores/$(2)/segad-$(c).h5)
endef

segad_class = $(eval $(call segad_class_rules,$(1),$(2),$(3),$(4),$(5),$(6),$(7)))

define segad_bench_rules # BENCH
$(eval $(call param_stamp,$(ARTIFACTS)/$(1)/params/brf.txt,$(BRF_ARGS)))
$(eval $(call param_stamp,$(ARTIFACTS)/$(1)/params/extract.txt,$(EXTRACT_ARGS)))
endef

define segad_report_rules # BENCH TITLE
$(ARTIFACTS)/$(1)/report/metrics.json: $$($(1)_SCORES) | $$(STAGES)
	$$(BIN)/evaluate report --title '$(2)' -o $(ARTIFACTS)/$(1)/report $$($(1)_SCORES) --print
endef

segad_report = $(eval $(call segad_bench_rules,$(1)))$(eval $(call segad_report_rules,$(1),$(2)))
