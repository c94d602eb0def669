# Your own images: `make images IMAGES=DIR`, from a folder of good and bad
# parts to a SegAD report and a saved pipeline (README, "Your own images").
#
#   make images IMAGES=DIR|LIST.csv [NAME=…] [SIZE=HxW] [DETECTORS="patchcore padim golden-template"]
#               [SEGMENTATION=derive|labels.png|per-image] [SEGMENTS=L] [SEEDS="0 1 2 3 4"] [REPOOL=1]
#               [RESIZE=stretch|pad|crop]
#
# DIR holds good/ and bad/ (searched recursively, links followed) and
# optionally uncertain/ (scored and reported apart, never trained on); or
# IMAGES names a CSV of path,label[,split] (paths relative to the CSV's
# folder; split pool|train|test fixes a row's role in every seed), the same
# pipeline. NAME (default: DIR's own name, or the CSV's base name) is a plain
# name; IMAGES and every path knob are checked for characters Make or the
# shell cannot carry (pipelines/safe.mk).
#
#   pool       build-dataset images-pool → artifacts/NAME/pool.txt: the fixed detector
#              pool (POOL_FRACTION of good by a keyed hash), drawn once and then kept
#              while the file exists: new good images never join it, ids whose image
#              is gone are dropped (said once); REPOOL=1 or a new POOL_FRACTION draws
#              it again (docs/manifest.md, "The fixed pool")
#   manifest   build-dataset images-manifest --pool pool.txt → artifacts/NAME/manifest.json:
#              the pool, the rest split per seed by a hash of id and seed (docs/manifest.md)
#   size       extract-maps working-size → artifacts/NAME/size.txt: SIZE, or the first
#              pool image's aspect with the short side 256 (said once)
#              (SIZE=auto: extract-maps choose-size, pipelines/size-auto.mk)
#   detectors  extract-maps fit, once, on the pool; apply to every other image (pipelines/native.mk)
#   segment    derive (default): extract-maps derive-segmentation from the pool's good images
#              (never a test image) → artifacts/NAME/segmentation/derived.png;
#              labels.png: your static label map; per-image: Otsu per image
#   SegAD      segment-stats → train-brf per seed → evaluate (pipelines/segad.mk), plus
#              SegAD on all detectors with ONE segment (what the segmentation buys)
#   pipeline   artifacts/NAME/pipeline.h5: the best SegAD row's seed-FIRST model saved by
#              evaluate save-pipeline, for `evaluate score-new` (static segmentations only)
#   report     artifacts/NAME/report/ (results.md, metrics.json, run.json, figures/; with
#              derive, figures/segmentation.png shows the derived segments over a good
#              image; a sign-off section: test counts, working size, 95% intervals,
#              pipeline.h5's row and operating point); results.md ends with a History
#              table of this run and the kept ones
#   runs       artifacts/NAME/runs/UTC-TIME/: each new report kept (results.md,
#              metrics.json, run.json) by evaluate keep-run; never removed by a rerun
#
# A growing folder: the fits, the derived segmentation and the working size
# depend on pool.txt (and their knobs), not on the manifest, so images added
# to DIR (or rows to the CSV) rerun the pool check, the manifest, apply,
# segment-stats, train-brf, the report and pipeline.h5, and refit nothing;
# every earlier image keeps its role in every seed. (`make -n` cannot know the
# pool will come out the same and lists the fits too; with SIZE=auto the size
# choice reads the SegAD-training images and reruns.)
#
# Regimes (docs/regimes.md), chosen from the number of images in DIR/bad and
# said once: good-only (none: SegAD against synthetic defects, the operating
# point set for FALSE_ALARM on held-out good images), few-bad (fewer than
# FEW_BAD: real and synthetic defects train SegAD, each seed tests a share of
# the real ones) and supervised (FEW_BAD or more: the split above, unchanged).
#   regime     build-dataset images-synthetic → artifacts/NAME/manifest-regime.json
#              (a synthetic defect per good image outside the pool, in artifacts/NAME/synthetic/),
#              evaluate held-out → artifacts/NAME/regime/held-out.md (the report's regime section)
#
# Knobs, each in a parameter stamp (changing one reruns only what depends on
# it): SIZE, SEEDS, DETECTORS, SEGMENTATION, SEGMENTS, POOL_FRACTION,
# TEST_FRACTION, PATCHCORE_ARGS, PADIM_ARGS, BRF_ARGS, WEIGHTS, RESIZE, FEW_BAD
# and FALSE_ALARM (good-only and few-bad only).
# RESIZE (default stretch): how an image of another aspect meets the working
# size — stretch, pad (aspect kept, black borders) or crop (the centre cut to
# the working aspect); given to fit and derive-segmentation, recorded in the
# detector states and pipeline.h5 (score-new and serve resize the same way;
# docs/manifest.md, "Mixed aspect ratios").

.PHONY: images

ifneq ($(filter images,$(MAKECMDGOALS)),)
ifndef IMAGES
$(error make images: set IMAGES=DIR, a folder holding good/ and bad/ images (README, "Your own images"))
endif
# Paths and names first (docs/reliability.md, 7.1): a user path with a
# character Make or the shell cannot carry is refused, and NAME, which names
# the artifacts folder, must be a plain name; the default is the folder's own
# name, `..` and `.` resolved (IMAGES=DIR/.. is DIR's parent, not `..`).
$(call safe_paths,make images,IMAGES NAME)
IMAGES_DIR := $(patsubst %/,%,$(IMAGES))
# IMAGES=list.csv: a CSV of path,label[,split] instead of a folder (the same
# pipeline); NAME defaults to the CSV's base name without its extension.
images_csv := $(filter %.csv %.CSV,$(IMAGES_DIR))
images_source := $(if $(images_csv),--csv,--images) $(call shq,$(IMAGES_DIR))
IMAGES_NAME := $(or $(NAME),$(if $(images_csv),$(basename $(notdir $(IMAGES_DIR))),$(notdir $(abspath $(IMAGES_DIR)))))
$(if $(NAME),$(call safe_name,make images,NAME),$(call safe_name,make images,IMAGES_NAME,; set NAME=… (it defaults to the $(if $(images_csv),CSV's base,folder's) name),NAME))
IMG := $(ARTIFACTS)/$(IMAGES_NAME)
IMAGES_CLASS := $(IMAGES_NAME)
IMAGES_SEEDS := $(or $(SEEDS),0 1 2 3 4)
$(call safe_seeds,make images,IMAGES_SEEDS,SEEDS)
IMAGES_DETECTORS := $(or $(DETECTORS),patchcore padim golden-template)
IMAGES_SEGMENTATION := $(or $(SEGMENTATION),derive)
IMAGES_SEGMENTS := $(or $(SEGMENTS),$(if $(filter per-image,$(IMAGES_SEGMENTATION)),2,6))
POOL_FRACTION ?= 0.4
TEST_FRACTION ?= 0.5
WEIGHTS ?= .cache/weights/efficientnet-lite0.pth
# PatchCore's greedy coreset costs O(patches × coreset); 5% keeps a few
# hundred pool images within minutes on 2 cores.
PATCHCORE_ARGS ?= --coreset-ratio 0.05
PADIM_ARGS ?=
$(call safe_paths,make images,WEIGHTS)

# Knobs of the wrong form are refused here, before any stamp is touched
# (docs/reliability.md, section 2): SIZE is HxW or N in whole pixels (or
# auto), SEGMENTS a whole number 1, 2, ….
images_whole = $(if $(strip $(1)),$(if $(call safe_seed_fault,$(1)),,$(filter-out 0,$(1))))
images_size_parts = $(subst x, ,$(1))
images_size_ok = $(and $(filter 1,$(words $(1))),$(if $(findstring xx,x$(1)x),,y),$(filter 1 2,$(words $(call images_size_parts,$(1)))),$(if $(strip $(foreach p,$(call images_size_parts,$(1)),$(if $(call images_whole,$(p)),,n))),,y))
ifneq ($(SIZE),)
ifneq ($(SIZE),auto)
ifeq ($(call images_size_ok,$(SIZE)),)
$(error make images: SIZE=$(call safe_shown,$(call safe_raw,SIZE)): give the working size as HxW (or N) in pixels, e.g. SIZE=256x512)
endif
endif
endif
IMAGES_RESIZE := $(or $(RESIZE),stretch)
ifeq ($(filter stretch pad crop,$(IMAGES_RESIZE)),)
$(error make images: RESIZE=$(call safe_shown,$(call safe_raw,RESIZE)): give stretch, pad or crop)
endif
ifneq ($(words $(IMAGES_RESIZE)),1)
$(error make images: RESIZE=$(call safe_shown,$(call safe_raw,RESIZE)): give stretch, pad or crop)
endif
ifeq ($(SIZE),auto)
ifneq ($(IMAGES_RESIZE),stretch)
$(error make images: SIZE=auto chooses among stretched sizes; give SIZE=HxW with RESIZE=$(IMAGES_RESIZE))
endif
endif
ifneq ($(filter-out 1,$(REPOOL)),)
$(error make images: REPOOL=$(call safe_shown,$(call safe_raw,REPOOL)): give REPOOL=1 to draw the detector pool again, or leave it out)
endif
ifneq ($(call images_whole,$(IMAGES_SEGMENTS)),$(IMAGES_SEGMENTS))
$(error make images: SEGMENTS=$(call safe_shown,$(call safe_raw,SEGMENTS)): give the number of segments, a whole number 1, 2, …)
endif

# The regime (docs/regimes.md): the images in DIR/bad, counted as
# images-manifest lists them (scripts/images-count.sh; no file name reaches
# Make). FEW_BAD is the fewest bad images of the supervised regime; FALSE_ALARM
# the target false-alarm rate of the saved pipeline in the other two, checked
# here, before any stamp is touched.
FEW_BAD ?= 10
FALSE_ALARM ?= 0.01
ifneq ($(call images_whole,$(FEW_BAD)),$(FEW_BAD))
$(error make images: FEW_BAD=$(call safe_shown,$(call safe_raw,FEW_BAD)): give the fewest bad images of the supervised regime, a whole number 1, 2, … (docs/regimes.md))
endif
images_rate_range := (0, 0.5]
ifeq ($(shell bash scripts/rate-in-range.sh $(call shq,$(call safe_raw,FALSE_ALARM))),)
$(error make images: FALSE_ALARM=$(call safe_shown,$(call safe_raw,FALSE_ALARM)): give the target false-alarm rate, a number in $(images_rate_range), e.g. FALSE_ALARM=0.01)
endif
images_bad_count := $(shell bash scripts/images-count.sh $(call shq,$(if $(images_csv),$(IMAGES_DIR),$(IMAGES_DIR)/bad)))
IMAGES_REGIME := $(if $(filter 0,$(images_bad_count)),good-only,$(if $(shell [ $(images_bad_count) -lt $(FEW_BAD) ] && echo y),few-bad,supervised))
images_synthetic := $(filter-out supervised,$(IMAGES_REGIME))
images_regime_line.good-only := no image in $(IMAGES_DIR)/bad: SegAD trains on synthetic defects placed by segment; pipeline.h5's threshold is set for FALSE_ALARM=$(FALSE_ALARM) on held-out good images; recall on real defects is unknown
images_regime_line.few-bad := $(images_bad_count) image$(if $(filter 1,$(images_bad_count)),,s) in $(IMAGES_DIR)/bad, fewer than FEW_BAD=$(FEW_BAD): real and synthetic defects train SegAD, each seed tests a share of the real ones; pipeline.h5's threshold is set for FALSE_ALARM=$(FALSE_ALARM) on held-out good images
images_regime_line.supervised := $(images_bad_count) images in $(IMAGES_DIR)/bad (FEW_BAD=$(FEW_BAD) or more): supervised
$(info make images: regime $(IMAGES_REGIME) — $(images_regime_line.$(IMAGES_REGIME)) (docs/regimes.md))
ifneq ($(images_synthetic),)
ifeq ($(SIZE),auto)
$(error make images: SIZE=auto compares sizes by SegAD's AUROC on real defects, which the $(IMAGES_REGIME) regime has too few of: give SIZE=HxW, or add bad images until FEW_BAD=$(FEW_BAD) (docs/regimes.md))
endif
ifeq ($(IMAGES_SEGMENTATION),per-image)
$(error make images: SEGMENTATION=per-image: the $(IMAGES_REGIME) regime places synthetic defects by one static label map; use SEGMENTATION=derive or a label PNG, or add bad images until FEW_BAD=$(FEW_BAD) (docs/regimes.md))
endif
endif

images_seed_list := $(subst $(space),$(comma),$(strip $(IMAGES_SEEDS)))
images_seed0 := $(firstword $(IMAGES_SEEDS))
images_all := $(call join_plus,$(IMAGES_DETECTORS))

ifneq ($(filter-out $(DETECTOR_KINDS),$(IMAGES_DETECTORS)),)
$(error make images: DETECTORS may name $(DETECTOR_KINDS) (pipelines/detectors.mk), not '$(filter-out $(DETECTOR_KINDS),$(IMAGES_DETECTORS))')
endif
ifeq ($(filter derive per-image,$(IMAGES_SEGMENTATION)),)
$(call safe_paths,make images,SEGMENTATION)
ifeq ($(wildcard $(IMAGES_SEGMENTATION)),)
$(error make images: SEGMENTATION=$(IMAGES_SEGMENTATION): no such label map; give derive, per-image or a gray label PNG)
endif
ifndef SEGMENTS
$(error make images: SEGMENTATION=$(IMAGES_SEGMENTATION) needs SEGMENTS=L, the number of labels in the map)
endif
endif

# The folder's listing (names, sizes, times; links by their targets), or the
# CSV's bytes and each listed file's size and time, as a stamp: adding,
# removing, editing or retargeting an image rebuilds the manifest; an
# unchanged folder or CSV does not. The script lists the folder itself and
# names what it cannot read once (broken links, FIFOs, other folders); no
# file name of the folder reaches Make (scripts/folder-stamp.sh). The pool
# has its own copy of the stamp, so each is set back by its own rule.
images_listing := $(shell bash scripts/folder-stamp.sh $(call shq,$(IMAGES_DIR)))
$(eval $(call param_stamp,$(IMG)/params/images-listing.txt,$(images_listing)))
$(eval $(call param_stamp,$(IMG)/params/pool-listing.txt,$(images_listing)))
$(eval $(call param_stamp,$(IMG)/params/pool.txt,--pool-fraction $(POOL_FRACTION)))
$(eval $(call param_stamp,$(IMG)/params/manifest.txt,$(images_source) --seeds $(images_seed_list) --test-fraction $(TEST_FRACTION)$(if $(images_synthetic), --regime $(IMAGES_REGIME))))
$(eval $(call param_stamp,$(IMG)/params/size.txt,$(SIZE)))
$(eval $(call param_stamp,$(IMG)/params/derive.txt,--seed $(images_seed0) --segments $(IMAGES_SEGMENTS)))
# RESIZE: the fits carry it in their own stamps (images_fit_args), the
# segmentations in this one, a prerequisite once a run used pad or crop (a
# run that never did is byte for byte what it was before RESIZE existed).
images_resize_arg := $(if $(filter-out stretch,$(IMAGES_RESIZE)),--resize $(IMAGES_RESIZE))
$(eval $(call param_stamp,$(IMG)/params/resize.txt,$(IMAGES_RESIZE)))
images_resize_stamp := $(if $(or $(images_resize_arg),$(wildcard $(IMG)/params/resize.txt)),$(IMG)/params/resize.txt)

# The pool, the manifest and the working size replace their file only when
# its bytes change; otherwise the stamps that woke them are set back to the
# file's time (scripts/replace-if-changed.sh), so a folder that gained and
# lost a file, or a refused value followed by the right one, reruns nothing
# downstream.
images_new = $(@D)/.new-$(@F)
images_replace = bash scripts/replace-if-changed.sh $(call shq,$(images_new)) $(call shq,$@) \
  $(if $(filter-out $(IMG)/params/% images-repool,$?),,$(if $(filter images-repool,$?),--keep) $(foreach f,$(filter $(IMG)/params/%,$?),$(call shq,$(f))))

# The fixed detector pool, artifacts/NAME/pool.txt (docs/manifest.md, "The
# fixed pool"): drawn once by the hash rule, then kept while the file exists:
# a new good image never joins it (no detector is fitted again when the
# folder grows); ids whose image is gone are dropped, said once; a pool left
# too small is refused, asking for REPOOL=1. REPOOL=1 draws it again from the
# images there now (and so refits every detector if it changed), as does a
# new POOL_FRACTION. PaDiM and DFM need 2 pool images.
images_min_pool := $(if $(filter padim dfm,$(IMAGES_DETECTORS)),2,1)
ifeq ($(REPOOL),1)
.PHONY: images-repool
images-repool: ;
images_repool := images-repool
endif
$(IMG)/pool.txt: $(IMG)/params/pool-listing.txt $(IMG)/params/pool.txt $(images_repool) | $(STAGES)
	@mkdir -p $(@D)
	$(BIN)/build-dataset images-pool $(images_source) --seeds $(images_seed_list) --pool-fraction $(POOL_FRACTION) --test-fraction $(TEST_FRACTION) \
	  --min-pool $(images_min_pool)$(if $(images_synthetic), --regime $(IMAGES_REGIME)) $(if $(images_repool),,$(if $(wildcard $@),--pool $(call shq,$@))) -o $(call shq,$(images_new)) || { rm -f $(call shq,$(images_new)); exit 1; }
	@$(images_replace)

$(IMG)/manifest.json: $(IMG)/params/images-listing.txt $(IMG)/params/manifest.txt $(IMG)/pool.txt | $(STAGES)
	@mkdir -p $(@D)
	$(BIN)/build-dataset images-manifest $(images_source) --name $(call shq,$(IMAGES_NAME)) --seeds $(images_seed_list) \
	  --pool-fraction $(POOL_FRACTION) --test-fraction $(TEST_FRACTION) --pool $(call shq,$(IMG)/pool.txt) --min-pool $(images_min_pool) \
	  $(if $(images_synthetic),--regime $(IMAGES_REGIME) )-o $(call shq,$(images_new)) || { rm -f $(call shq,$(images_new)); exit 1; }
	@$(images_replace)

# Per-image segmentation: a manifest copy naming each item's label map; every
# later stage runs on that copy (the split is the same).
ifeq ($(IMAGES_SEGMENTATION),per-image)
IMAGES_MANIFEST := $(IMG)/manifest-segmented.json
$(IMAGES_MANIFEST): $(IMG)/manifest.json $(IMG)/size.txt $(IMG)/params/derive.txt $(images_resize_stamp) | $(STAGES)
	$(BIN)/extract-maps derive-segmentation --per-image --manifest $< --segments $(IMAGES_SEGMENTS) --size $(images_size)$(if $(images_resize_arg), $(images_resize_arg)) -o $@
else ifneq ($(images_synthetic),)
# Good-only and few-bad: every later stage runs on the regime's manifest (the
# base manifest plus the synthetic defects); the detectors are fitted from the
# base manifest's pool, so the defects never wake a refit.
IMAGES_MANIFEST := $(IMG)/manifest-regime.json
images.fit_manifest := $(IMG)/manifest.json
else
IMAGES_MANIFEST := $(IMG)/manifest.json
endif

# The working size, HxW: read when a recipe runs (after size.txt is made).
images_size = $(shell cat $(call shq,$(IMG)/size.txt) 2>/dev/null)
ifeq ($(SIZE),auto)
include pipelines/size-auto.mk
else
# From the pool (its first image when SIZE is not given), so a growing
# folder keeps its working size.
$(IMG)/size.txt: $(IMG)/pool.txt $(IMG)/params/size.txt | $(STAGES) $(IMG)/manifest.json
	$(BIN)/extract-maps working-size --manifest $(call shq,$(IMG)/manifest.json) --pool-of $(images_seed0) $(if $(SIZE),--size $(call shq,$(SIZE))) -o $(call shq,$(images_new)) || { rm -f $(call shq,$(images_new)); exit 1; }
	@$(images_replace)
endif

# Detectors, fitted once on the pool (seed FIRST's detector-train, the same in
# every seed), applied to every other image. A fit depends on pool.txt, not
# on the manifest: images added to the folder reapply, never refit.
# The class's variables by name (pipelines/segad.mk, native.mk); the size is
# read when the fit runs ($$(images_size): `$` kept for recipe time).
images.bench := $(IMAGES_NAME)
images.class := $(IMAGES_CLASS)
images.manifest := $(IMAGES_MANIFEST)
images.detectors := $(IMAGES_DETECTORS)
images.seeds := $(IMAGES_SEEDS)
images.fit_input := $(IMG)/pool.txt
images_fit_args := --seed $(images_seed0) --size $$(images_size)$(if $(images_resize_arg), $(images_resize_arg))
$(call native_detectors,images,$(IMAGES_DETECTORS),images_fit_args,WEIGHTS,$(IMG)/size.txt)
$(IMAGES_NAME)_MAPS := native

# Segmentation: derived from the pool's good images (L = SEGMENTS), and the
# one-segment map for the comparison row.
IMAGES_DERIVED := $(IMG)/segmentation/derived.png
IMAGES_ONE := $(IMG)/segmentation/one-segment.png
# Both from the pool alone (pool.txt, not the manifest: a growing folder keeps them).
$(IMAGES_DERIVED): $(IMG)/pool.txt $(IMG)/size.txt $(IMG)/params/derive.txt $(images_resize_stamp) | $(STAGES) $(IMG)/manifest.json
	$(BIN)/extract-maps derive-segmentation --manifest $(IMG)/manifest.json --seed $(images_seed0) --segments $(IMAGES_SEGMENTS) --size $(images_size)$(if $(images_resize_arg), $(images_resize_arg)) -o $@
$(IMAGES_ONE): $(IMG)/pool.txt $(IMG)/size.txt $(images_resize_stamp) | $(STAGES) $(IMG)/manifest.json
	$(BIN)/extract-maps derive-segmentation --manifest $(IMG)/manifest.json --seed $(images_seed0) --segments 1 --size $(images_size)$(if $(images_resize_arg), $(images_resize_arg)) -o $@

ifeq ($(IMAGES_SEGMENTATION),derive)
IMAGES_SEG_PNG := $(IMAGES_DERIVED)
IMAGES_SEG_ARGS := --segmentation $(IMAGES_DERIVED) --segments $(IMAGES_SEGMENTS)
else ifeq ($(IMAGES_SEGMENTATION),per-image)
IMAGES_SEG_PNG :=
IMAGES_SEG_ARGS := --per-item-segmentation --segments $(IMAGES_SEGMENTS)
else
IMAGES_SEG_PNG := $(IMAGES_SEGMENTATION)
IMAGES_SEG_ARGS := --segmentation $(IMAGES_SEGMENTATION) --segments $(IMAGES_SEGMENTS)
endif

images.segmentation := $(IMAGES_SEG_ARGS)
$(call segad_class,images)
$(foreach c,$(call combos,$(IMAGES_DETECTORS)),$(IMG)/features/$(IMAGES_CLASS)/$(c).h5): $(IMAGES_SEG_PNG)

# Good-only and few-bad: a synthetic defect on every good image outside the
# pool, placed by the static label map, and the regime's manifest
# (docs/regimes.md).
ifneq ($(images_synthetic),)
$(IMG)/manifest-regime.json: $(IMG)/manifest.json $(IMAGES_SEG_PNG) | $(STAGES)
	$(BIN)/build-dataset images-synthetic --manifest $< --segmentation $(call shq,$(IMAGES_SEG_PNG)) --segments $(IMAGES_SEGMENTS) \
	  --regime $(IMAGES_REGIME) --images-out $(IMG)/synthetic -o $@
endif

# SegAD on all detectors with one segment: the same rows and forests, the
# segmentation's contribution removed.
IMAGES_ONE_METHOD := SegAD($(images_all), 1 segment)
# Its detectors live in a stamp: a shorter DETECTORS remakes it too.
$(eval $(call param_stamp,$(IMG)/params/one-segment.txt,$(IMAGES_DETECTORS)))
$(IMG)/features/$(IMAGES_CLASS)/one-segment.h5: $(IMAGES_MANIFEST) $(foreach d,$(IMAGES_DETECTORS),$(IMG)/maps/$(IMAGES_CLASS)/$(d).h5) $(IMAGES_ONE) $(IMG)/params/one-segment.txt | $(STAGES)
	@mkdir -p $(@D)
	$(BIN)/segment-stats --manifest $(IMAGES_MANIFEST) $(foreach d,$(IMAGES_DETECTORS),--maps $(IMG)/maps/$(IMAGES_CLASS)/$(d).h5) \
	  --segmentation $(IMAGES_ONE) --segments 1 -o $@
$(foreach s,$(IMAGES_SEEDS),$(eval $(call model_rule,images,one-segment,$(s))))
$(IMG)/scores/$(IMAGES_CLASS)/segad-one-segment.h5: $(foreach s,$(IMAGES_SEEDS),$(IMG)/models/$(IMAGES_CLASS)/one-segment/seed-$(s).h5) | $(STAGES)
	$(BIN)/evaluate score --features $(IMG)/features/$(IMAGES_CLASS)/one-segment.h5 --manifest $(IMAGES_MANIFEST) \
	  $(foreach s,$(IMAGES_SEEDS),--model $(IMG)/models/$(IMAGES_CLASS)/one-segment/seed-$(s).h5) --method '$(IMAGES_ONE_METHOD)' -o $@
$(IMAGES_NAME)_SCORES += $(IMG)/scores/$(IMAGES_CLASS)/segad-one-segment.h5

# Good-only and few-bad: the report's regime section (what the rows measure,
# each SegAD row's operating point on the first seed's held-out good images),
# remade when FALSE_ALARM, FEW_BAD or the bad images' count change.
images_segad_scores := $(filter $(IMG)/scores/$(IMAGES_CLASS)/segad-%,$($(IMAGES_NAME)_SCORES))
ifneq ($(images_synthetic),)
$(eval $(call param_stamp,$(IMG)/params/false-alarm.txt,$(FALSE_ALARM)))
$(eval $(call param_stamp,$(IMG)/params/regime.txt,$(IMAGES_REGIME) bad=$(images_bad_count) few-bad=$(FEW_BAD)))
$(IMG)/regime/held-out.md: $(images_segad_scores) $(IMG)/params/false-alarm.txt $(IMG)/params/regime.txt | $(STAGES)
	@mkdir -p $(@D)
	$(BIN)/evaluate held-out --regime $(IMAGES_REGIME) --bad-images $(images_bad_count) --few-bad $(FEW_BAD) \
	  --false-alarm $(FALSE_ALARM) --seed $(images_seed0) $(images_segad_scores) -o $@
endif
images_regime_title.good-only := ; regime: good only, bad rows are synthetic defects
images_regime_title.few-bad := ; regime: few bad, $(images_bad_count) real bad image$(if $(filter 1,$(images_bad_count)),,s)

# The report, with (derive) the derived segments over a good image as figures/segmentation.png.
$(IMAGES_NAME).title := SegAD on $(IMAGES_NAME) ($(words $(IMAGES_SEEDS)) seeds$(images_regime_title.$(IMAGES_REGIME)))
$(IMAGES_NAME).figures := $(if $(filter derive,$(IMAGES_SEGMENTATION)),segmentation.png=$(IMG)/segmentation/derived_overlay.png) $(images_size_auto_figure)
$(IMAGES_NAME).sections := $(images_size_auto_section)$(if $(images_synthetic), $(IMG)/regime/held-out.md)
# The sign-off section (Sources/SegADMethod/Reports/Report+SignOff.swift): test
# counts, the working size, 95% bootstrap intervals, and (static
# segmentations) the saved pipeline's row and operating point, so the report
# follows pipeline.h5. Each finished report is kept in
# artifacts/NAME/runs/UTC-TIME/ (results.md, metrics.json, run.json) and
# results.md ends with a History table of this run and the kept ones; a rerun
# that makes no new report keeps nothing, and no run is ever removed.
# IMAGES_REGIME (set by the regime choice) fills the table's Regime column.
# report_args is expanded when the recipe runs (size.txt exists by then).
images_static := $(if $(filter per-image,$(IMAGES_SEGMENTATION)),,y)
$(IMAGES_NAME).report_args = --sign-off --working-size $(call shq,$(images_size))$(if $(images_static), --pipeline $(call shq,$(IMG)/pipeline.h5)) \
  --history $(call shq,$(IMG)/runs) --run-manifest $(call shq,$(IMG)/manifest.json) --run-size $(call shq,$(images_size)) \
  --run-detectors $(call shq,$(IMAGES_DETECTORS))$(if $(IMAGES_REGIME), --run-regime $(call shq,$(IMAGES_REGIME)))
$(IMAGES_NAME).report_deps := $(IMG)/size.txt $(if $(images_static),$(IMG)/pipeline.h5)
$(IMAGES_NAME).report_stamp := sign-off$(if $(images_static), pipeline.h5)
$(IMAGES_NAME).report_after := $(BIN)/evaluate keep-run --report $(call shq,$(IMG)/report) --runs $(call shq,$(IMG)/runs)
$(call segad_report,$(IMAGES_NAME))

# The saved pipeline: the best SegAD row (highest mean Cl. AUROC, computed from
# the scores as the report computes it), its first seed's model, the detector
# states and the label map it used; the row's name is recorded in it.
images_states = $(foreach d,$(1),--state $(IMG)/detectors/$(IMAGES_CLASS)/$(d).h5)
# Its rows live in a stamp: a shorter DETECTORS chooses again.
$(eval $(call param_stamp,$(IMG)/params/pipeline-rows.txt,$(patsubst $(IMG)/%,%,$($(IMAGES_NAME)_SCORES))))
$(IMG)/pipeline.h5: $($(IMAGES_NAME)_SCORES) $(IMG)/params/pipeline-rows.txt $(if $(images_size_auto_pipeline_args),$(IMG)/size-auto/choice.json) $(if $(images_synthetic),$(IMG)/params/false-alarm.txt) | $(STAGES)
	@best=$$($(BIN)/evaluate best-method --prefix 'SegAD(' $(foreach f,$($(IMAGES_NAME)_SCORES),$(call shq,$(f)))) || exit 1; \
	if [ "$$best" = $(call shq,$(IMAGES_ONE_METHOD)) ]; then combo=one-segment; dets=$(call shq,$(IMAGES_DETECTORS)); seg=$(call shq,$(IMAGES_ONE)); \
	else combo=$${best#SegAD(}; combo=$${combo%)}; dets=$$(echo "$$combo" | tr + ' '); seg=$(call shq,$(IMAGES_SEG_PNG)); fi; \
	states=(); for d in $$dets; do states+=(--state $(call shq,$(IMG)/detectors/$(IMAGES_CLASS))/"$$d".h5); done; \
	set -x; if ! $(BIN)/evaluate save-pipeline --manifest $(call shq,$(IMAGES_MANIFEST)) --seed $(images_seed0) \
	  --features $(call shq,$(IMG)/features/$(IMAGES_CLASS))/"$$combo".h5 --model $(call shq,$(IMG)/models/$(IMAGES_CLASS))/"$$combo"/seed-$(images_seed0).h5 \
	  "$${states[@]}" --segmentation "$$seg" --method "$$best" $(images_size_auto_pipeline_args) \
	  $(if $(images_synthetic),--false-alarm $(FALSE_ALARM) --held-out $(call shq,$(IMG)/scores/$(IMAGES_CLASS))/segad-"$$combo".h5) -o $(call shq,$@); then { set +x; } 2>/dev/null; \
	  if [ -e $(call shq,$@) ]; then rm -f $(call shq,$@); echo "make images: evaluate save-pipeline failed (above); removed the earlier $@, which described another run" >&2; fi; exit 1; fi; \
	{ set +x; } 2>/dev/null; \
	echo "images: $(IMG)/pipeline.h5 holds $$best (seed $(images_seed0)); score new images with: $(BIN)/evaluate score-new --pipeline $(IMG)/pipeline.h5 --images DIR -o OUT"

# derive-segmentation writes the overlay figure beside the label map.
$(IMG)/segmentation/derived_overlay.png: $(IMAGES_DERIVED)

# No recipe of its own: a finished run leaves Make with nothing to do.
# Per-image runs save no pipeline; a pipeline.h5 an earlier static run left
# under this NAME is removed first, saying so once, so the folder never holds
# a pipeline of another configuration.
ifeq ($(IMAGES_SEGMENTATION),per-image)
.PHONY: images-drop-pipeline
images-drop-pipeline:
	@rm -f $(call shq,$(IMG)/pipeline.h5)
	@echo "make images: SEGMENTATION=per-image saves no pipeline: removed $(IMG)/pipeline.h5 of an earlier run with a static segmentation" >&2
images: $(if $(wildcard $(IMG)/pipeline.h5),images-drop-pipeline) $(IMG)/report/metrics.json
	$(info make images: SEGMENTATION=per-image: no pipeline.h5 (a saved pipeline needs one static label map))
else
images: $(IMG)/report/metrics.json $(IMG)/pipeline.h5
endif
endif
