# Make on Slurm (docs/cluster.md): `make GOAL CLUSTER=slurm [SLURM_ARGS="--partition … --time …"]`
# runs every stage recipe as a Slurm job step, Make keeping the DAG, the
# caching and -j. Inside an allocation (salloc, or sbatch running make) each
# recipe is a step of it; outside one, each is its own job.
#
# Only the recipes of targets under $(ARTIFACTS) go through the wrapper
# (`private`: their prerequisites, such as the stage build, stay local), and
# of those only the ones that run a stage executable go to srun
# (scripts/cluster/srun-shell.sh); mkdir and echo stay on this host. srun
# passes the recipe's exit status and stdout/stderr through, and the stages
# write every artifact under a temporary name and rename it, so a killed or
# requeued step leaves nothing half-written; the targets are the same files
# as locally, so `make -q` after a cluster run has nothing to do.
#
# SLURM_ARGS is split into words (no other shell expansion) and given to
# every srun; the recipe runs in this folder (the shared filesystem) with
# this environment (srun's default --export=ALL).
CLUSTER ?=
SLURM_ARGS ?=
ifneq ($(strip $(CLUSTER)),)
ifneq ($(strip $(CLUSTER)),slurm)
$(error make: CLUSTER=$(CLUSTER): the only cluster is slurm (or leave CLUSTER unset to run here))
endif
ifeq ($(shell command -v srun 2>/dev/null),)
$(error make: CLUSTER=slurm but srun is not on PATH: install the Slurm client (slurm-client) or run without CLUSTER (docs/cluster.md))
endif
# SLURM_ARGS reaches srun as words only: no character a shell or Make would
# act on (docs/reliability.md, 7.1).
cluster_bad_chars := $$ ' " ` ; | & < > ( ) { } \ $(hash)
cluster_bad_char = $(if $(findstring $(newline),$(1)),a newline,$(addprefix the character ,$(firstword $(foreach c,$(cluster_bad_chars),$(if $(findstring $(c),$(1)),$(c))))))
ifneq ($(call cluster_bad_char,$(call safe_raw,SLURM_ARGS)),)
$(error make: SLURM_ARGS=$(call safe_shown,$(call safe_raw,SLURM_ARGS)): $(call cluster_bad_char,$(call safe_raw,SLURM_ARGS)) is not allowed; give plain srun options such as --partition batch --time 60)
endif
export SEGAD_CLUSTER_BIN := $(BIN)
export SEGAD_SLURM_ARGS := $(SLURM_ARGS)
$(ARTIFACTS)/%: private SHELL := $(abspath scripts/cluster/srun-shell.sh)
endif
