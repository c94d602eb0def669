# Your own maps: `make pipeline` runs SegAD on any manifest whose items name
# precomputed maps (docs/manifest.md), with one static label map.
#
#   make pipeline MANIFEST=my.json NAME=myrun DETECTORS="patchcore rd4ad" \
#        SEGMENTATION=labels.png SEGMENTS=5 SEEDS="0 1 2"
#
# Per-item label maps instead: SEGMENTATION=per-item.
# Results: $(ARTIFACTS)/NAME/report/{results.md,results.csv,metrics.json,figures/}.
ifdef MANIFEST
$(call safe_paths,make pipeline,MANIFEST NAME CLASS)
NAME ?= $(basename $(notdir $(MANIFEST)))
CLASS ?= $(NAME)
TITLE ?= SegAD on $(NAME)
SEEDS ?= 0
$(call safe_name,make pipeline,NAME,; set NAME=… (it defaults to the manifest's file name))
$(call safe_name,make pipeline,CLASS)
$(call safe_seeds,make pipeline,SEEDS)
$(if $(filter per-item,$(SEGMENTATION)),,$(call safe_paths,make pipeline,SEGMENTATION))
ifeq ($(SEGMENTATION),per-item)
PIPELINE_SEG := --per-item-segmentation --segments $(SEGMENTS)
else
PIPELINE_SEG := --segmentation $(SEGMENTATION) --segments $(SEGMENTS)
endif
# The class's variables by name (pipelines/segad.mk), then its rules and the report.
pipeline.bench := $(NAME)
pipeline.class := $(CLASS)
pipeline.manifest := $(MANIFEST)
pipeline.detectors := $(DETECTORS)
pipeline.segmentation := $(PIPELINE_SEG)
pipeline.seeds := $(SEEDS)
$(call segad_class,pipeline)
$(NAME).title := $(TITLE)
$(call segad_report,$(NAME))
pipeline: $(ARTIFACTS)/$(NAME)/report/metrics.json
else
pipeline:
	@echo "make pipeline: set MANIFEST=… DETECTORS=… SEGMENTATION=… SEGMENTS=… SEEDS=… (see pipelines/pipeline.mk)" >&2; exit 2
endif
.PHONY: pipeline
