# Native detectors as Make rules: fit once per class, apply to the class's
# items. Use with segad_class after setting BENCH_MAPS := native, so
# segad.mk's import rule steps aside for these.
#
# For class P (its P.bench, P.class, P.manifest as in pipelines/segad.mk) and
# a detector NAME, set by name, then make the rules:
#
#   demo-mono.patchcore.kind  := patchcore                 a kind of DETECTOR_KINDS (pipelines/detectors.mk)
#   demo-mono.patchcore.fit   := --seed 0 --size 160 --weights W   extract-maps fit flags
#   demo-mono.patchcore.needs := W                          files the fit reads besides the manifest
#   demo-mono.fit_input       := FILE   optional: the fits depend on FILE instead of the manifest
#                                       (images.mk: pool.txt, so a growing folder refits nothing)
#   demo-mono.fit_manifest    := M      optional: fit from manifest M (the same detector pool)
#                                       instead of demo-mono.manifest (images.mk's regimes)
#   $(call native_detector,demo-mono,patchcore)
#
# NAME is the detector's name in features and tables (a file name too).
#
# Artifacts:  artifacts/BENCH/detectors/CLASS/NAME.h5   extract-maps fit (detector state)
#             artifacts/BENCH/maps/CLASS/NAME.h5        extract-maps apply --skip-detector-train
#
# The fit's flags live in a stamp (artifacts/BENCH/params/fit-CLASS-NAME.txt),
# so changing one detector's flags refits that detector only.

# extract-maps fit, then apply: a detector state and its maps.      $(call native_detector,P,NAME)
define native_detector_rules
$(call param_stamp,$(call segad_dir,$(1))/params/fit-$($(1).class)-$(2).txt,--kind $($(1).$(2).kind) $($(1).$(2).fit))
$(call segad_path,$(1),detectors,$(2).h5): $(or $($(1).fit_input),$($(1).fit_manifest),$($(1).manifest)) $($(1).$(2).needs) $(call segad_dir,$(1))/params/fit-$($(1).class)-$(2).txt | $$(STAGES) $(if $($(1).fit_input),$(or $($(1).fit_manifest),$($(1).manifest)))
	@mkdir -p $$(@D)
	$$(BIN)/extract-maps fit --manifest $(or $($(1).fit_manifest),$($(1).manifest)) --kind $($(1).$(2).kind) --name $(2) $($(1).$(2).fit) -o $$@
ifeq ($(SHARDS),)
$(call segad_path,$(1),maps,$(2).h5): $(call segad_path,$(1),detectors,$(2).h5) $($(1).manifest) | $$(STAGES)
	@mkdir -p $$(@D)
	$$(BIN)/extract-maps apply --manifest $($(1).manifest) --state $$< --skip-detector-train -o $$@
else
$(foreach k,$(native_shard_list),$(call native_shard_rule,$(1),$(2),$(k))
)
$(call segad_path,$(1),maps,$(2).h5): $(foreach k,$(native_shard_list),$(call native_shard_path,$(1),$(2),$(k))) | $$(STAGES)
	@mkdir -p $$(@D)
	$$(BIN)/extract-maps merge $$^ -o $$@
endif
endef

# SHARDS=N: each detector's apply as N shards (extract-maps apply --shard
# K/N), joined by extract-maps merge into the maps artifact one apply writes,
# byte for byte (docs/cluster.md, "Shards"). With CLUSTER=slurm the shards
# run as N steps on any nodes; fits, segmentation and the report are not
# sharded. Shards: artifacts/BENCH/maps-shards/CLASS/NAME/K-of-N.h5.
SHARDS ?=
ifneq ($(SHARDS),)
$(call safe_seeds,make,SHARDS,SHARDS)
ifeq ($(SHARDS),0)
$(error make: SHARDS=0: give the number of shards, 1 or more)
endif
native_shard_list := $(shell seq $(SHARDS))
endif
native_shard_path = $(call segad_dir,$(1))/maps-shards/$($(1).class)/$(2)/$(3)-of-$(SHARDS).h5
define native_shard_rule
$(call native_shard_path,$(1),$(2),$(3)): $(call segad_path,$(1),detectors,$(2).h5) $($(1).manifest) | $$(STAGES)
	@mkdir -p $$(@D)
	$$(BIN)/extract-maps apply --manifest $($(1).manifest) --state $$< --skip-detector-train --shard $(3)/$(SHARDS) -o $$@
endef
native_detector = $(eval $(call native_detector_rules,$(1),$(2)))

# Every native detector of a class from one template:
#   $(call native_detectors,P,KINDS,FIT_FLAGS_VAR,WEIGHTS_VAR[,NEEDS])
# sets P.KIND.kind/.fit/.needs for each KIND (named after it) and makes its
# rules. The fit gets $(FIT_FLAGS_VAR), `--weights $(WEIGHTS_VAR)` when the
# kind needs backbone weights (DETECTOR_KINDS_NEEDING_WEIGHTS,
# pipelines/detectors.mk, from the registry) and the kind's own flags
# KIND_ARGS (PATCHCORE_ARGS, PADIM_ARGS, DFM_ARGS, GOLDEN_TEMPLATE_ARGS);
# the fit also waits for NEEDS. Flags are passed by variable name so that a
# `$$(…)` they hold (images.mk's size, read when the fit runs) stays unexpanded.
native_needs_weights = $(filter $(1),$(DETECTOR_KINDS_NEEDING_WEIGHTS))
native_upper = $(subst a,A,$(subst b,B,$(subst c,C,$(subst d,D,$(subst e,E,$(subst f,F,$(subst g,G,$(subst h,H,$(subst i,I,$(subst j,J,$(subst k,K,$(subst l,L,$(subst m,M,$(subst n,N,$(subst o,O,$(subst p,P,$(subst q,Q,$(subst r,R,$(subst s,S,$(subst t,T,$(subst u,U,$(subst v,V,$(subst w,W,$(subst x,X,$(subst y,Y,$(subst z,Z,$(subst -,_,$(1))))))))))))))))))))))))))))
native_args_var = $(call native_upper,$(1))_ARGS
define native_detectors_rules # P KIND FIT_FLAGS_VAR WEIGHTS_VAR NEEDS
$(1).$(2).kind := $(2)
$(1).$(2).fit := $$($(3))$(if $(call native_needs_weights,$(2)), --weights $$($(4)) $$($(call native_args_var,$(2))),$(if $($(call native_args_var,$(2))), $$($(call native_args_var,$(2)))))
$(1).$(2).needs := $(5) $(if $(call native_needs_weights,$(2)),$$($(4)))
endef
native_detectors = $(foreach d,$(2),$(eval $(call native_detectors_rules,$(1),$(d),$(3),$(4),$(5)))$(call native_detector,$(1),$(d)))
