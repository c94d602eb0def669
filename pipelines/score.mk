# Score new parts with a saved pipeline (docs/scoring.md):
#
#   make score-elpv      train SegAD once on ELPV mono cells (golden template +
#                        PatchCore at SCORE_SIZE), save the pipeline with its
#                        operating point, then score a folder of held-out cells
#
# Artifacts under $(ARTIFACTS)/score-elpv/:
#   inputs/{manifest.json,segmentation.png,new/*.png,new-labels.csv}   build-dataset elpv-score-inputs
#   states/DET.h5        extract-maps fit          maps/DET.h5     extract-maps apply
#   features/golden+patchcore.h5  segment-stats    models/seed-0.h5  train-brf
#   pipeline.h5          evaluate save-pipeline (the only file score-new reads)
#   new/scores.csv, new/overlays/*.png             evaluate score-new
#
# Make stays exact: elpv-score-inputs runs only when labels.csv or its flags
# (a parameter stamp: SCORE_SIZE, SCORE_INPUT_ARGS) change.
SCORE_ELPV ?= .cache/elpv
SCORE_WEIGHTS ?= .cache/weights/efficientnet-lite0.pth
SCORE_SIZE ?= 96
SCORE_INPUT_ARGS ?= --detector-train 40 --good 80 --bad 40 --new 40
SCORE_BRF_ARGS ?=
SCORE_TPR ?= 0.95
SCORE_FOLDS ?= 5
SCORE_DIR := $(ARTIFACTS)/score-elpv
SCORE_IN := $(SCORE_DIR)/inputs
SCORE_DETS := golden patchcore

.PHONY: score-elpv
score-elpv: $(SCORE_DIR)/new/scores.csv
	@echo "score-elpv: $(SCORE_DIR)/new/scores.csv, overlays in $(SCORE_DIR)/new/overlays/"
	@head -n 6 $(SCORE_DIR)/new/scores.csv

# The fetch rule for the ELPV labels and the weights is in the Makefile.

ifneq ($(filter score-elpv $(SCORE_DIR)/%,$(MAKECMDGOALS)),)
$(call safe_paths,make score-elpv,SCORE_ELPV SCORE_WEIGHTS)
$(eval $(call param_stamp,$(SCORE_DIR)/params/inputs.txt,--size $(SCORE_SIZE) $(SCORE_INPUT_ARGS)))
endif

# The inputs: manifest, held-out new/ cells with new-labels.csv, and the label map.
$(SCORE_IN)/manifest.json $(SCORE_IN)/segmentation.png &: $(SCORE_ELPV)/labels.csv $(SCORE_DIR)/params/inputs.txt | $(STAGES)
	$(BIN)/build-dataset elpv-score-inputs --labels $(SCORE_ELPV)/labels.csv --size $(SCORE_SIZE) $(SCORE_INPUT_ARGS) -o $(SCORE_IN)

$(SCORE_DIR)/states/golden.h5: $(SCORE_IN)/manifest.json | $(STAGES)
	$(BIN)/extract-maps fit --manifest $< --kind golden-template --name golden --seed 0 --size $(SCORE_SIZE) -o $@
$(SCORE_DIR)/states/patchcore.h5: $(SCORE_IN)/manifest.json $(SCORE_WEIGHTS) | $(STAGES)
	$(BIN)/extract-maps fit --manifest $< --kind patchcore --seed 0 --size $(SCORE_SIZE) --weights $(SCORE_WEIGHTS) -o $@
$(SCORE_DIR)/maps/%.h5: $(SCORE_DIR)/states/%.h5 $(SCORE_IN)/manifest.json | $(STAGES)
	$(BIN)/extract-maps apply --manifest $(SCORE_IN)/manifest.json --state $< --skip-detector-train -o $@
$(SCORE_DIR)/features/golden+patchcore.h5: $(foreach d,$(SCORE_DETS),$(SCORE_DIR)/maps/$(d).h5) $(SCORE_IN)/segmentation.png | $(STAGES)
	$(BIN)/segment-stats --manifest $(SCORE_IN)/manifest.json $(foreach d,$(SCORE_DETS),--maps $(SCORE_DIR)/maps/$(d).h5) \
	  --segmentation $(SCORE_IN)/segmentation.png --segments 3 -o $@
$(SCORE_DIR)/models/seed-0.h5: $(SCORE_DIR)/features/golden+patchcore.h5 | $(STAGES)
	$(BIN)/train-brf --features $< --manifest $(SCORE_IN)/manifest.json --seed 0 $(SCORE_BRF_ARGS) -o $@
$(SCORE_DIR)/pipeline.h5: $(SCORE_DIR)/models/seed-0.h5 | $(STAGES)
	$(BIN)/evaluate save-pipeline --manifest $(SCORE_IN)/manifest.json --seed 0 \
	  --features $(SCORE_DIR)/features/golden+patchcore.h5 --model $< \
	  $(foreach d,$(SCORE_DETS),--state $(SCORE_DIR)/states/$(d).h5) --segmentation $(SCORE_IN)/segmentation.png \
	  --tpr $(SCORE_TPR) --folds $(SCORE_FOLDS) --segment-names cell,busbars,border -o $@
$(SCORE_DIR)/new/scores.csv: $(SCORE_DIR)/pipeline.h5 | $(STAGES)
	$(BIN)/evaluate score-new --pipeline $< --images $(SCORE_IN)/new -o $(SCORE_DIR)/new
