# Paths never reach a shell as code (docs/reliability.md, section 7.1).
#
# Included by the Makefile before any rule names a path. For the pipelines:
#
#   $(call shq,TEXT)    TEXT as one single-quoted shell word (' becomes '\''):
#                       every user path or name a recipe or $(shell …) passes
#                       to a command goes through it.
#   $(call safe_paths,GOAL,VARS)   refuses, at parse time, a user path
#                       variable holding a character Make or an unquoted shell
#                       word cannot carry: one line naming the character, the
#                       variable and its raw value.
#   $(call safe_name,GOAL,VAR,HINT,LABEL)   VAR must be a plain name: letters
#                       A–Z a–z, digits, . _ + -, not starting with . or -
#                       (LABEL: how the message names VAR; HINT ends it).
#   $(call safe_seeds,GOAL,VAR,LABEL)   every word of VAR a seed 0, 1, 2, … (no sign,
#                       no leading zero).
#
# File names found inside user folders never reach Make at all: the scripts
# and tools list folders themselves (scripts/folder-stamp.sh,
# scripts/working-size.sh, build-dataset images-manifest).

empty :=
space := $(empty) $(empty)
tab := $(empty)	$(empty)
define newline


endef
hash := \#
comma := ,

shq = '$(subst ','\'',$(1))'

# Characters refused in user paths. Make cannot carry whitespace, $ (expanded),
# # (a comment in rules made by $(eval)), : ; | (rule syntax), = (a variable
# assignment in $(eval)'d rules), % (pattern rules), \ (Make's escape),
# * ? [ ] (globbed in targets and prerequisites), ( ) (archive members) and ~
# (a leading one is expanded in targets); the generic rules of segad.mk paste
# artifact paths as shell words, which cannot carry ' " ` & < > { } either.
safe_bad_chars := $$ $(hash) : ; | = % \ * ? [ ] ( ) ~ ' " ` & < > { }
safe_bad_char = $(if $(findstring $(space),$(1)),a space,$(if $(findstring $(tab),$(1)),a tab,$(if $(findstring $(newline),$(1)),a newline,$(addprefix the character ,$(firstword $(foreach c,$(safe_bad_chars),$(if $(findstring $(c),$(1)),$(c))))))))
# A variable's text as given: raw ($ unexpanded) when it comes from the
# command line or the environment, expanded when a makefile set it.
safe_raw = $(if $(filter command line environment%,$(origin $(1))),$(value $(1)),$($(1)))
safe_shown = $(subst $(newline),\n,$(subst $(tab),\t,$(1)))
safe_path_check = $(if $(call safe_bad_char,$(call safe_raw,$(2))),$(error $(1): $(2)=$(call safe_shown,$(call safe_raw,$(2))): $(call safe_bad_char,$(call safe_raw,$(2))) cannot be carried through Make and its commands (a path may not hold whitespace or $(safe_bad_chars)); rename or link the folder (docs/reliability.md, 7.1)))
safe_paths = $(foreach v,$(2),$(call safe_path_check,$(1),$(v)))

# Removes every character of the word list $(2) from $(1).
safe_strip = $(if $(2),$(call safe_strip,$(subst $(firstword $(2)),,$(1)),$(wordlist 2,$(words $(2)),$(2))),$(1))
safe_digits := 0 1 2 3 4 5 6 7 8 9
safe_name_chars := A B C D E F G H I J K L M N O P Q R S T U V W X Y Z \
  a b c d e f g h i j k l m n o p q r s t u v w x y z $(safe_digits) . _ + -
safe_name_fault = $(if $(strip $(1)),$(if $(call safe_strip,$(1),$(safe_name_chars)),holds '$(call safe_strip,$(1),$(safe_name_chars))',$(if $(filter .% -%,$(1)),starts with '$(if $(filter .%,$(1)),.,-)')),is empty)
safe_name = $(call safe_paths,$(1),$(2))$(if $(call safe_name_fault,$($(2))),$(error $(1): $(or $(4),$(2))='$($(2))' $(call safe_name_fault,$($(2))): a name may hold letters A-Z a-z, digits and . _ + -, not starting with . or -$(3)))

# A seed: a whole number written plainly (0, 7, 4294967295 — the stages bound it).
safe_seed_fault = $(or $(if $(call safe_strip,$(1),$(safe_digits)),y),$(filter-out 0,$(filter 0%,$(1))))
safe_seeds = $(if $(findstring $$,$(call safe_raw,$(2))),$(error $(1): $(2)=$(call safe_raw,$(2)): the character $$ is not allowed in seeds))$(if $(strip $($(2))),,$(error $(1): $(or $(3),$(2)) is empty; give seeds, e.g. $(or $(3),$(2))="0 1 2"))$(foreach s,$($(2)),$(if $(call safe_seed_fault,$(s)),$(error $(1): $(or $(3),$(2))='$($(2))': '$(s)' is not a seed (a whole number 0, 1, 2, … without sign or leading zero))))

# Every run: the artifacts folder and the executables' folder.
$(call safe_paths,make,ARTIFACTS BIN DATA_CACHE)
