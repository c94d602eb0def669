# A CSV read as images-manifest reads it (RFC 4180: quoted fields, doubled
# quotes, LF or CRLF line ends, a leading UTF-8 byte-order mark dropped), for
# the shell scripts Make runs while it reads images.mk (folder-stamp.sh,
# images-count.sh). The caller's program, a second `-f`, defines
# record() — called once per record that is not an empty line, with the
# fields in f[1..nf] — and done(), called at the end.
#   awk -f scripts/csv-records.awk -f CALLER.awk LIST.csv
function end_record() {
    f[++nf] = field
    if (!(nf == 1 && field == "" && !was_quoted)) record()
    nf = 0; field = ""; was_quoted = 0
}
{ text = text (NR > 1 ? "\n" : "") $0 }
END {
    if (substr(text, 1, 3) == "\357\273\277") text = substr(text, 4)
    n = length(text); nf = 0; field = ""; quoted = 0; was_quoted = 0
    for (i = 1; i <= n; i++) {
        c = substr(text, i, 1)
        if (quoted) {
            if (c == "\"") {
                if (substr(text, i + 1, 1) == "\"") { field = field "\""; i++ } else quoted = 0
            } else field = field c
            continue
        }
        if (c == "\"" && field == "" && !was_quoted) { quoted = 1; was_quoted = 1 }
        else if (c == ",") { f[++nf] = field; field = ""; was_quoted = 0 }
        else if (c == "\n") end_record()
        else if (c == "\r") { if (substr(text, i + 1, 1) == "\n") i++; end_record() }
        else field = field c
    }
    if (field != "" || nf > 0 || was_quoted) end_record()
    done()
}
