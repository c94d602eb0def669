# Native detectors as Make rules: fit once per class, apply to the class's
# items. Use with segad_class after setting BENCH_MAPS := native, so
# segad.mk's import rule steps aside for these.
#
# For class P (its P.bench, P.class, P.manifest as in pipelines/segad.mk) and
# a detector NAME, set by name, then make the rules:
#
#   demo-mono.patchcore.kind  := patchcore                 golden-template | patchcore | padim
#   demo-mono.patchcore.fit   := --seed 0 --size 160 --weights W   extract-maps fit flags
#   demo-mono.patchcore.needs := W                          files the fit reads besides the manifest
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
$(call segad_path,$(1),detectors,$(2).h5): $($(1).manifest) $($(1).$(2).needs) $(call segad_dir,$(1))/params/fit-$($(1).class)-$(2).txt | $$(STAGES)
	@mkdir -p $$(@D)
	$$(BIN)/extract-maps fit --manifest $($(1).manifest) --kind $($(1).$(2).kind) --name $(2) $($(1).$(2).fit) -o $$@
$(call segad_path,$(1),maps,$(2).h5): $(call segad_path,$(1),detectors,$(2).h5) $($(1).manifest) | $$(STAGES)
	@mkdir -p $$(@D)
	$$(BIN)/extract-maps apply --manifest $($(1).manifest) --state $$< --skip-detector-train -o $$@
endef
native_detector = $(eval $(call native_detector_rules,$(1),$(2)))
