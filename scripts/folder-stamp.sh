#!/usr/bin/env bash
# The folder stamp of `make images` (pipelines/images.mk): prints one SHA-256
# of the listing of DIR/good, DIR/bad and DIR/uncertain — every file's
# relative path, size and modification time, symbolic links followed to their
# targets (find -L), so editing, adding, removing or retargeting an image or a
# linked folder changes it, and an unchanged folder does not.
#
# Entries that are not listed — broken links, links back into the folder,
# FIFOs, sockets,
# devices, and top-level entries other than good/, bad/ and uncertain/ — are
# named once on stderr (hidden files and folders are left out silently, as
# images-manifest does). File names travel as data only (NUL-separated
# records through find, sort and sha256sum); they never become shell or Make
# text, and the only output is the hash (docs/reliability.md, 7.1).
#
# A script rather than a stage tool: Make needs the stamp while it reads
# images.mk, before any tool is built (a generated include would make even
# `make -n images` build the tools). A missing DIR gives an empty output;
# images-manifest then names the fault.
#
# Given a CSV file instead (make images IMAGES=list.csv), the stamp covers the
# CSV's bytes and the size and time of each file it lists (paths relative to
# the CSV's folder): editing the CSV or a listed image reruns, an unchanged
# CSV does not. The CSV is read as images-manifest reads it (RFC 4180: quoted
# fields, doubled quotes, CRLF); for each row both readings of the path (the
# fields before the label, or before the label and a split) are looked at, so
# every listed file is covered. Paths travel as data (newline-separated: a
# path with a control character is refused by images-manifest anyway).
#   bash scripts/folder-stamp.sh DIR
#   bash scripts/folder-stamp.sh LIST.csv
set -uo pipefail
dir=${1:?usage: folder-stamp.sh DIR}
export LC_ALL=C

if [ -f "$dir" ]; then
    # The CSV's paths: every record's fields joined before the last one and
    # before the last two, trimmed, a spreadsheet guard quote dropped (CSV.untext).
    csv_paths='
    function record(   k, j, p, c) {
        for (k = nf - 1; k >= nf - 2 && k >= 1; k--) {
            p = f[1]
            for (j = 2; j <= k; j++) p = p "," f[j]
            sub(/^[ \t]+/, "", p); sub(/[ \t]+$/, "", p)
            if (substr(p, 1, 1) == "\047") {
                c = substr(p, 2, 1)
                if (index("=+-@\t\r\047", c) > 0 && c != "") p = substr(p, 2)
                else if (substr(p, 2, 5) == "\\u{9}" || substr(p, 2, 5) == "\\u{d}") p = substr(p, 2)
            }
            if (p != "" && p !~ /[\001-\037]/) print p
        }
    }
    function done() {}'
    base=$(dirname -- "$dir")
    bytes=$(sha256sum < "$dir")
    hash=$({ printf 'csv %s\n' "${bytes%% *}"
             awk -f "$(dirname -- "$0")/csv-records.awk" -f <(printf '%s' "$csv_paths") "$dir" | (cd -- "$base" && xargs -r -d '\n' stat -L --printf '%n\t%s\t%.9Y\n' -- 2>/dev/null)
           } | sha256sum)
    printf '%s\n' "${hash%% *}"
    exit 0
fi

cd -- "$dir" 2>/dev/null || exit 0
shopt -s nullglob

subs=()
unknown=()
for e in *; do
    case $e in
        good | bad | uncertain) subs+=("./$e") ;;
        *) unknown+=("$e") ;;
    esac
done

# The listing: regular files after following links, hidden entries pruned;
# each of good/, bad/, uncertain/ led by its own name.
hash=$(for s in "${subs[@]}"; do
           printf '%s\0' "${s#./}"
           (cd -- "$s" 2>/dev/null && find -L . -mindepth 1 -name '.*' -prune -o -type f -printf '%P\t%s\t%T@\0' 2>/dev/null | sort -z)
       done | sha256sum)
printf '%s\n' "${hash%% *}"

# What the listing leaves out, said once (at most five names shown).
skipped=()
loops=$(mktemp 2>/dev/null) || loops=/dev/null
[ "$loops" = /dev/null ] || trap 'rm -f "$loops"' EXIT
for e in "${unknown[@]}"; do skipped+=("$e (not in good/, bad/ or uncertain/)"); done
if [ ${#subs[@]} -gt 0 ]; then
    while IFS= read -r -d '' rec; do
        kind=${rec%%$'\t'*}; name=${rec#*$'\t'}
        case $kind in
            N) what='a broken link' ;;
            L) what='a link loop' ;;
            p) what='a FIFO' ;;
            s) what='a socket' ;;
            b | c) what='a device' ;;
            *) what='not a regular file' ;;
        esac
        skipped+=("${name#./} ($what)")
    done < <(find -L "${subs[@]}" -mindepth 1 -name '.*' -prune -o ! -type f ! -type d -printf '%Y\t%p\0' 2>"$loops" | sort -z)
    # A link leading back into the walk: find says so on stderr (names quoted as '…').
    while IFS= read -r line; do
        case $line in
            *'File system loop detected; '*) name=${line#*loop detected; \'}; name=${name%%\' is part of the same file system loop*}
                                             skipped+=("${name#./} (a link back into the folder)") ;;
        esac
    done < "$loops"
fi
if [ ${#skipped[@]} -gt 0 ]; then
    shown=$(printf '%s, ' "${skipped[@]:0:5}")
    shown=${shown%, }
    [ ${#skipped[@]} -gt 5 ] && shown+=", …"
    n=${#skipped[@]}
    # Control characters (a newline too) are shown as '?': the note stays one line.
    printf 'make images: %s: not read (%d entr%s): %s' "$dir" "$n" "$([ "$n" = 1 ] && echo y || echo ies)" "$shown" |
        tr '\000-\037\177' '?' >&2
    echo >&2
fi
exit 0
