# Native detectors as Make rules: fit once per class, apply to the class's
# items. Use with segad_class after setting BENCH_MAPS := native, so
# segad.mk's import rule steps aside for these.
#
#   $(call native_detector,BENCH,CLASS,MANIFEST,NAME,KIND,FIT_ARGS,EXTRA_PREREQUISITES)
#
# NAME      the detector's name in features and tables (a file name too)
# KIND      golden-template | patchcore | padim
# FIT_ARGS  extract-maps fit flags: --seed, --size, --weights, --limit, --coreset-ratio
# EXTRA_PREREQUISITES  files the fit reads besides the manifest (e.g. the backbone weights)
#
# Artifacts:  artifacts/BENCH/detectors/CLASS/NAME.h5   extract-maps fit (detector state)
#             artifacts/BENCH/maps/CLASS/NAME.h5        extract-maps apply --skip-detector-train
#
# The fit's flags live in a stamp (artifacts/BENCH/params/fit-CLASS-NAME.txt),
# so changing one detector's flags refits that detector only.

define native_detector_rules # BENCH CLASS MANIFEST NAME KIND FIT_ARGS EXTRA
$(eval $(call param_stamp,$(ARTIFACTS)/$(1)/params/fit-$(2)-$(4).txt,--kind $(5) $(6)))
$(ARTIFACTS)/$(1)/detectors/$(2)/$(4).h5: $(3) $(7) $(ARTIFACTS)/$(1)/params/fit-$(2)-$(4).txt | $$(STAGES)
	@mkdir -p $$(@D)
	$$(BIN)/extract-maps fit --manifest $(3) --kind $(5) --name $(4) $(6) -o $$@
$(ARTIFACTS)/$(1)/maps/$(2)/$(4).h5: $(ARTIFACTS)/$(1)/detectors/$(2)/$(4).h5 $(3) | $$(STAGES)
	@mkdir -p $$(@D)
	$$(BIN)/extract-maps apply --manifest $(3) --state $$< --skip-detector-train -o $$@
endef

native_detector = $(eval $(call native_detector_rules,$(1),$(2),$(3),$(4),$(5),$(6),$(7)))
