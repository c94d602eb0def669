# Generic SegAD stages for one class of one benchmark, as Make rules.
#
# A class is described by variables named after it, then its rules are made:
#
#   demo-mono.bench        := demo                    artifacts go to artifacts/BENCH/
#   demo-mono.class        := mono                    the class (one manifest per class)
#   demo-mono.manifest     := artifacts/demo/manifests/mono.json
#   demo-mono.detectors    := patchcore padim         K detectors; SegAD on each alone and, if K > 1, on all
#   demo-mono.segmentation := --segmentation seg.png --segments 4   (segment-stats flags)
#   demo-mono.seeds        := 0 1 2 3 4
#   demo-mono.base_scores  := DIR                     optional: DIR/DET.csv, the detectors' own image scores
#   $(call segad_class,demo-mono)
#
# and a benchmark's report, over every class made with that BENCH:
#
#   demo.title   := SegAD on ELPV solar cells         the table's title
#   demo.figures := segmentation_mono.png=FILE …      optional: figures copied into report/figures/
#   demo.report_args := …                             optional: more evaluate report flags (not prerequisites)
#   demo.report_after := COMMAND                      optional: run after the report (images: keep the run)
#   $(call segad_report,demo)
#
# Artifacts:  artifacts/BENCH/maps/CLASS/DET.h5               extract-maps
#             artifacts/BENCH/features/CLASS/COMBO.h5         segment-stats (COMBO: a, b, a+b)
#             artifacts/BENCH/models/CLASS/COMBO/seed-S.h5    train-brf (+ seed-S.json beside)
#             artifacts/BENCH/scores/CLASS/det-DET.h5         evaluate score --maps (base detector)
#             artifacts/BENCH/scores/CLASS/segad-COMBO.h5     evaluate score (SegAD)
#             artifacts/BENCH/report/                         evaluate report (its one writer)
#
# Maps: imported from items[].maps (extract-maps import) unless BENCH_MAPS is
# `native`; then the benchmark defines the maps rules itself, with
# native_detector (pipelines/native.mk: fit a detector, apply it).
#
# Stage binaries are order-only prerequisites (rebuilding the tool does not
# rerun stages); parameters live in stamp files rewritten only when their
# value changes, so editing BRF_ARGS reruns train-brf and evaluate only.
#
# The rule templates below take the class's name (P) and at most the loop's
# detector, combination or seed; everything else they read by name, $($(P).x).
# A template's text is expanded once, at $(call …), so every later class may
# set the same names to other values.

BIN ?= .build/release
ARTIFACTS ?= artifacts
STAGES := $(BIN)/extract-maps $(BIN)/segment-stats $(BIN)/train-brf $(BIN)/evaluate
BRF_ARGS ?=
EXTRACT_ARGS ?=

empty :=
space := $(empty) $(empty)
comma := ,
join_plus = $(subst $(space),+,$(strip $(1)))
combos = $(1) $(if $(word 2,$(1)),$(call join_plus,$(1)))

# A file holding a parameter string, rewritten only when the string changes:
# $(call param_stamp,FILE,VALUE) gives FILE a rule (eval it) when FILE is
# missing or holds another string, and nothing when it holds VALUE. Make only
# reads FILE while it parses ($(shell cat …)); the rule's recipe writes it
# (a temp renamed), so `make -n` and `make -q` write nothing and still list exactly
# what a changed value reruns, and an unchanged value leaves FILE's time alone
# (docs/reliability.md, section 2). VALUE reaches the shell quoted
# (pipelines/safe.mk), a `$` in it doubled for the recipe, so a value holding
# a quote (BRF_ARGS="--only 'an_*'") or `$(…)` is stamped as written.
param_stamp_eq = $(and $(findstring $(1),$(2)),$(findstring $(2),$(1)))
param_stamp_same = $(if $(wildcard $(1)),$(call param_stamp_eq,x$(shell cat $(call shq,$(1))),x$(2)))
define param_stamp_rule
$(1): param-stamp-changed
	@mkdir -p $(call shq,$(dir $(1))) && printf '%s\n' $(subst $$,$$$$,$(call shq,$(2))) > $(call shq,$(1).tmp) && mv -f $(call shq,$(1).tmp) $(call shq,$(1))
endef
param_stamp = $(if $(call param_stamp_same,$(1),$(2)),,$(call param_stamp_rule,$(1),$(2)))
.PHONY: param-stamp-changed

# Paths of class P's artifacts: $(call segad_dir,P) is artifacts/BENCH, and
# $(call segad_path,P,maps,DET.h5) is artifacts/BENCH/maps/CLASS/DET.h5.
segad_dir = $(ARTIFACTS)/$($(1).bench)
segad_path = $(ARTIFACTS)/$($(1).bench)/$(2)/$($(1).class)/$(3)
# The maps flags of a combination a+b: --maps …/a.h5 --maps …/b.h5.
segad_maps = $(foreach d,$(subst +, ,$(2)),$(call segad_path,$(1),maps,$(d).h5))

# Files named in the segmentation flags (the static label map, a classifier
# CSV): prerequisites of segment-stats, so editing one reruns it.
seg_files = $(wildcard $(filter-out -%,$(1)))

# extract-maps (import): one maps artifact per detector.            $(call maps_rule,P,DET)
define maps_rule
$(call segad_path,$(1),maps,$(2).h5): $($(1).manifest) $(call segad_dir,$(1))/params/extract.txt | $$(STAGES)
	@mkdir -p $$(@D)
	$$(BIN)/extract-maps --manifest $($(1).manifest) --detector $(2) $$(EXTRACT_ARGS) -o $$@
endef

# segment-stats: one features artifact per detector combination.   $(call features_rule,P,COMBO)
define features_rule
$(call segad_path,$(1),features,$(2).h5): $($(1).manifest) $(call segad_maps,$(1),$(2)) $(call segad_dir,$(1))/params/segmentation-$($(1).class).txt $(call seg_files,$($(1).segmentation)) | $$(STAGES)
	@mkdir -p $$(@D)
	$$(BIN)/segment-stats --manifest $($(1).manifest) $(addprefix --maps ,$(call segad_maps,$(1),$(2))) $($(1).segmentation) -o $$@
endef

# train-brf: one model per combination and seed.                    $(call model_rule,P,COMBO,SEED)
define model_rule
$(call segad_path,$(1),models,$(2)/seed-$(3).h5): $(call segad_path,$(1),features,$(2).h5) $($(1).manifest) $(call segad_dir,$(1))/params/brf.txt | $$(STAGES)
	@mkdir -p $$(@D)
	$$(BIN)/train-brf --features $$< --manifest $($(1).manifest) --seed $(3) $$(BRF_ARGS) -o $$@
endef

# evaluate score: SegAD's row, every seed's model on its test rows. $(call segad_scores_rule,P,COMBO)
define segad_scores_rule
$(call segad_path,$(1),scores,segad-$(2).h5): $(foreach s,$($(1).seeds),$(call segad_path,$(1),models,$(2)/seed-$(s).h5)) | $$(STAGES)
	@mkdir -p $$(@D)
	$$(BIN)/evaluate score --features $(call segad_path,$(1),features,$(2).h5) --manifest $($(1).manifest) \
	  $(foreach s,$($(1).seeds),--model $(call segad_path,$(1),models,$(2)/seed-$(s).h5)) --method 'SegAD($(2))' -o $$@
endef

# evaluate score --maps: a base detector's row, from its maps artifact only (no
# segmentation involved): the max of each map, or (P.base_scores given) the
# image scores the detector wrote itself, DIR/DET.csv.              $(call detector_scores_rule,P,DET)
define detector_scores_rule
$(call segad_path,$(1),scores,det-$(2).h5): $(call segad_path,$(1),maps,$(2).h5) $($(1).manifest) $(if $($(1).base_scores),$($(1).base_scores)/$(2).csv) | $$(STAGES)
	@mkdir -p $$(@D)
	$$(BIN)/evaluate score --maps $(call segad_path,$(1),maps,$(2).h5) --manifest $($(1).manifest) $(if $($(1).base_scores),--scores-csv $($(1).base_scores)/$(2).csv) --method $(2) -o $$@
endef

# One class: all of the above, and its rows added to the report's list.   $(call segad_class,P)
define segad_class_rules
$(call param_stamp,$(call segad_dir,$(1))/params/segmentation-$($(1).class).txt,$($(1).segmentation))
$(if $(filter native,$($($(1).bench)_MAPS)),,$(foreach d,$($(1).detectors),$(eval $(call maps_rule,$(1),$(d)))))
$(foreach c,$(call combos,$($(1).detectors)),$(eval $(call features_rule,$(1),$(c))))
$(foreach c,$(call combos,$($(1).detectors)),$(foreach s,$($(1).seeds),$(eval $(call model_rule,$(1),$(c),$(s)))))
$(foreach c,$(call combos,$($(1).detectors)),$(eval $(call segad_scores_rule,$(1),$(c))))
$(foreach d,$($(1).detectors),$(eval $(call detector_scores_rule,$(1),$(d))))
$($(1).bench)_SCORES += $(foreach d,$($(1).detectors),$(call segad_path,$(1),scores,det-$(d).h5)) \
  $(foreach c,$(call combos,$($(1).detectors)),$(call segad_path,$(1),scores,segad-$(c).h5))
endef
segad_class = $(eval $(call segad_class_rules,$(1)))

# A benchmark's parameter stamps (BRF_ARGS, EXTRACT_ARGS).           $(call segad_bench_rules,BENCH)
define segad_bench_rules
$(call param_stamp,$(ARTIFACTS)/$(1)/params/brf.txt,$(BRF_ARGS))
$(call param_stamp,$(ARTIFACTS)/$(1)/params/extract.txt,$(EXTRACT_ARGS))
endef

# evaluate report: the report folder's one writer (its figures included; a
# file it did not write goes). Title, figures and rows live in a stamp:
# a row dropped (a shorter DETECTORS) reruns the report.  $(call segad_report,BENCH)
# Optional, per benchmark: BENCH.report_args (more report options, expanded
# when the recipe runs, e.g. make images' --sign-off), BENCH.report_deps
# (files they read) and BENCH.report_stamp (their part of the stamp).
define segad_report_rules
$(call param_stamp,$(ARTIFACTS)/$(1)/params/report.txt,$($(1).title) $($(1).figures)$(if $($(1).sections), $($(1).sections)) rows: $(patsubst $(ARTIFACTS)/$(1)/%,%,$($(1)_SCORES))$(if $($(1).report_stamp), $($(1).report_stamp)))
$(ARTIFACTS)/$(1)/report/metrics.json: $$($(1)_SCORES) $(foreach f,$($(1).figures),$(lastword $(subst =, ,$(f)))) $($(1).sections) $($(1).report_deps) $(ARTIFACTS)/$(1)/params/report.txt | $$(STAGES)
	$$(BIN)/evaluate report --title $(call shq,$($(1).title)) -o $(ARTIFACTS)/$(1)/report $$($(1)_SCORES) $(addprefix --figure ,$($(1).figures)) $(addprefix --section ,$($(1).sections))$$(if $$($(1).report_args), $$($(1).report_args)) --print$$(if $$($(1).report_after), && $$($(1).report_after))
endef
segad_report = $(eval $(call segad_bench_rules,$(1)))$(eval $(call segad_report_rules,$(1)))
