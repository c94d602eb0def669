# SIZE=auto for `make images` and VAD_SIZE=auto for the VAD goals
# (docs/size-auto.md): included by pipelines/images.mk in place of its
# working-size rule when SIZE=auto, and by pipelines/vad.mk (size_auto_for=vad)
# in place of its working-size rule when VAD_SIZE=auto.
#
#   size  extract-maps choose-size → artifacts/NAME/size.txt: each candidate of
#         the grid scored by k-fold out-of-fold SegAD AUROC on the first seed's
#         SegAD-training images only (never a test image), the fewest pixels
#         within SIZE_AUTO_TOLERANCE AUROC points of the best; the record,
#         table and figure under artifacts/NAME/size-auto/ (choice.json,
#         choice.md, choice.png), the figure in the report.
#
# Knobs (in the size stamp: changing one reruns the choice; the candidates
# already scored with the same inputs are reused from size-auto/candidates/):
#   SIZE_AUTO_SIDES      short sides, default "128 192 256"
#   SIZE_AUTO_SHAPES     aspect and/or square, default "aspect square"
#   SIZE_AUTO_FOLDS      k, default 5
#   SIZE_AUTO_TOLERANCE  AUROC points, default 0.3
#   SIZE_AUTO_BRF_ARGS   the out-of-fold forest's --rounds/--num-parallel-tree/--max-depth
#                        (default: those of BRF_ARGS)
# The candidates use the run's coreset ratio (PATCHCORE_ARGS); the tool's
# --coreset-ratios grid is for measurements (docs/size-auto.md, "The grid").

SIZE_AUTO_SIDES ?= 128 192 256
SIZE_AUTO_SHAPES ?= aspect square
SIZE_AUTO_FOLDS ?= 5
SIZE_AUTO_TOLERANCE ?= 0.3
# The forest options choose-size takes, picked out of BRF_ARGS (flag and value pairs).
size_auto_brf_pick = $(if $(word 2,$(1)),$(if $(filter --rounds --num-parallel-tree --max-depth,$(word 1,$(1))),$(word 1,$(1)) $(word 2,$(1)) )$(call size_auto_brf_pick,$(wordlist 2,$(words $(1)),$(1))))
SIZE_AUTO_BRF_ARGS ?= $(strip $(call size_auto_brf_pick,$(BRF_ARGS)))
# The value after flag $(1) in the words $(2) (`--flag=value` too), or nothing.
size_auto_after = $(call size_auto_after_words,$(1),$(subst =, ,$(2)))
size_auto_after_words = $(if $(word 2,$(2)),$(if $(filter $(1),$(word 1,$(2))),$(word 2,$(2)),$(call size_auto_after_words,$(1),$(wordlist 2,$(words $(2)),$(2)))))
ifeq ($(size_auto_for),vad)

# VAD_SIZE=auto: VAD_SIZE names targets, so it is needed when Make reads the
# files. The choice is a generated include (artifacts/vad/size-auto/size.mk,
# `override VAD_SIZE := HxW`): the first run builds the high-shot manifest of
# the first seed, chooses, and Make restarts with the chosen size; later runs
# read it and do nothing more. The candidates fit on the seed's detector-train
# images and score its high-shot segad-train images (train/ only: VAD's test/
# is never read).
vad_size_auto := $(ARTIFACTS)/vad/size-auto
vad_size_auto_seed := $(firstword $(VAD_SEEDS))
vad_size_auto_ratio := $(call size_auto_after,--coreset-ratio,$(VAD_FIT_ARGS) $(VAD_FIT_ARGS_patchcore))
vad_size_auto_args := --seed $(vad_size_auto_seed) --short-sides $(subst $(space),$(comma),$(strip $(SIZE_AUTO_SIDES))) \
  --shapes $(subst $(space),$(comma),$(strip $(SIZE_AUTO_SHAPES))) --folds $(SIZE_AUTO_FOLDS) --tolerance $(SIZE_AUTO_TOLERANCE) \
  --detectors $(subst $(space),$(comma),$(strip $(VAD_DETECTORS))) --segments $(VAD_SEGMENTS) \
  $(if $(and $(filter patchcore,$(VAD_DETECTORS)),$(vad_size_auto_ratio)),--coreset-ratios $(vad_size_auto_ratio)) $(SIZE_AUTO_BRF_ARGS)
$(eval $(call param_stamp,$(vad_size_auto)/params.txt,$(abspath $(VAD_ROOT)) $(vad_size_auto_args)))
include $(vad_size_auto)/size.mk
$(vad_size_auto)/size.mk: $(ARTIFACTS)/vad-highshot/manifests/seed-$(vad_size_auto_seed).json $(vad_size_auto)/params.txt $(VAD_WEIGHTS) | $(STAGES)
	$(BIN)/extract-maps choose-size --manifest $< $(vad_size_auto_args) --weights $(call shq,$(VAD_WEIGHTS)) \
	  --work $(call shq,$(vad_size_auto)) -o $(call shq,$(vad_size_auto)/size.txt)
	@printf 'override VAD_SIZE := %s\n' "$$(cat $(call shq,$(vad_size_auto)/size.txt))" > $(call shq,$@.tmp) && mv $(call shq,$@.tmp) $(call shq,$@)
else
size_auto_ratio := $(call size_auto_after,--coreset-ratio,$(PATCHCORE_ARGS))
size_auto_args := --seed $(images_seed0) --short-sides $(subst $(space),$(comma),$(strip $(SIZE_AUTO_SIDES))) \
  --shapes $(subst $(space),$(comma),$(strip $(SIZE_AUTO_SHAPES))) --folds $(SIZE_AUTO_FOLDS) --tolerance $(SIZE_AUTO_TOLERANCE) \
  --detectors $(subst $(space),$(comma),$(strip $(IMAGES_DETECTORS))) --segments $(IMAGES_SEGMENTS) \
  $(if $(and $(filter patchcore,$(IMAGES_DETECTORS)),$(size_auto_ratio)),--coreset-ratios $(size_auto_ratio)) $(SIZE_AUTO_BRF_ARGS)
$(eval $(call param_stamp,$(IMG)/params/size-auto.txt,$(size_auto_args)))

size_auto_weights := $(filter $(DETECTOR_KINDS_NEEDING_WEIGHTS),$(IMAGES_DETECTORS))
$(IMG)/size.txt: $(IMG)/manifest.json $(IMG)/params/size.txt $(IMG)/params/size-auto.txt $(if $(size_auto_weights),$(WEIGHTS)) | $(STAGES)
	$(BIN)/extract-maps choose-size --manifest $< $(size_auto_args) \
	  $(if $(size_auto_weights),--weights $(call shq,$(WEIGHTS))) \
	  --work $(call shq,$(IMG)/size-auto) -o $@

$(IMG)/size-auto/choice.png: $(IMG)/size.txt
# images.mk adds the table and figure to the report and the record to
# pipeline.h5's config (size_choice).
images_size_auto_figure := size-choice.png=$(IMG)/size-auto/choice.png
images_size_auto_section := $(IMG)/size-auto/choice.md
$(IMG)/size-auto/choice.md: $(IMG)/size.txt
images_size_auto_pipeline_args := --size-choice $(call shq,$(IMG)/size-auto/choice.json)
$(IMG)/size-auto/choice.json: $(IMG)/size.txt
endif
