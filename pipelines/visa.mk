# `make visa VISA_MAPS=DIR [MODELS="efficient_ad rd4ad"]`: the reference VisA
# protocol from the SegAD authors' cached maps (layout in docs/visa.md).
# Per class: one manifest (ten seeds, 10 bad training rows chosen as the
# reference's train_test_split), maps imported once, features once per
# detector combination, a model per seed, scores, and one report.
VISA_CLASSES ?= candle capsules cashew chewinggum fryum macaroni1 macaroni2 pcb1 pcb2 pcb3 pcb4 pipe_fryum
VISA_SEEDS := 333 576 725 823 831 902 226 598 874 589
MODELS ?= efficient_ad
visa_segments = $(if $(filter pcb1 pcb4,$(1)),6,$(if $(filter pcb2 pcb3,$(1)),8,2))

ifneq ($(filter visa,$(MAKECMDGOALS))$(VISA_MAPS),)
$(call safe_paths,make visa,VISA_MAPS)
ifeq ($(VISA_MAPS),)
$(error make visa: set VISA_MAPS=DIR, the folder holding the SegAD authors' cached maps (DIR/anomaly_maps/MODEL/CLASS/df_test.csv, DIR/visa_segm/CLASS/))
endif
ifeq ($(wildcard $(VISA_MAPS)/anomaly_maps/$(firstword $(MODELS))),)
$(error make visa: $(VISA_MAPS)/anomaly_maps/$(firstword $(MODELS)) not found; expected the reference layout DIR/anomaly_maps/MODEL/CLASS/{df_training.csv,df_test.csv} and DIR/visa_segm/CLASS/)
endif

# The manifests name every model's maps: a run with other MODELS rewrites them.
$(eval $(call param_stamp,$(ARTIFACTS)/visa/params/models.txt,$(MODELS)))

define visa_manifest_rule # CLASS
$(ARTIFACTS)/visa/manifests/$(1).json: $(foreach m,$(MODELS),$(VISA_MAPS)/anomaly_maps/$(m)/$(1)/df_training.csv $(VISA_MAPS)/anomaly_maps/$(m)/$(1)/df_test.csv) $(ARTIFACTS)/visa/params/models.txt | $$(STAGES)
	@mkdir -p $$(@D)
	$$(BIN)/build-dataset visa-manifest --root $(call shq,$(VISA_MAPS)) --class $(1) --models '$(MODELS)' \
	  --scores-dir $(ARTIFACTS)/visa/base-scores/$(1) -o $$@
$(foreach m,$(MODELS),$(ARTIFACTS)/visa/base-scores/$(1)/$(m).csv): $(ARTIFACTS)/visa/manifests/$(1).json
endef

$(foreach c,$(VISA_CLASSES),$(eval $(call visa_manifest_rule,$(c))))
# Class visa-CLASS: per-item label maps; the models' own image scores as base rows.
define visa_class # CLASS
visa-$(1).bench := visa
visa-$(1).class := $(1)
visa-$(1).manifest := $(ARTIFACTS)/visa/manifests/$(1).json
visa-$(1).detectors := $(MODELS)
visa-$(1).segmentation := --per-item-segmentation --segments $(call visa_segments,$(1))
visa-$(1).seeds := $(VISA_SEEDS)
visa-$(1).base_scores := $(ARTIFACTS)/visa/base-scores/$(1)
endef
$(foreach c,$(VISA_CLASSES),$(eval $(call visa_class,$(c)))$(call segad_class,visa-$(c)))
visa.title := SegAD on VisA (reference protocol; MODELS=$(MODELS))
$(call segad_report,visa)
endif

.PHONY: visa
visa: $(ARTIFACTS)/visa/report/metrics.json
