#!/usr/bin/env bash
# PatchCore and backbone benchmarks, Swift (segad-bench, release) beside the
# PyTorch CPU counterparts (scripts/bench/torch_patchcore.py), one after the
# other in one run, then the table for BENCHMARKS.md.
#
#     scripts/bench/patchcore.sh [OUT.md]        (default: bench-patchcore.md)
#
# TORCH_PYTHON: a python with torch, outside the project (default
# /work/venv-torch/bin/python). Needs .cache (weights + ELPV: scripts/setup.sh).
# Run it on a quiet machine: every RESULT line records the 1-minute load
# average before/after, and the table shows them.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-bench-patchcore.md}
torch_python=${TORCH_PYTHON:-/work/venv-torch/bin/python}
[ -x "$torch_python" ] || { echo "patchcore.sh: $torch_python: no python with torch (set TORCH_PYTHON)" >&2; exit 2; }
swift build -c release --product segad-bench >&2
bench="$(swift build -c release --show-bin-path)/segad-bench"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
run() { echo "+ $*" >&2; "$@" | tee -a "$log" | grep '^RESULT' >&2; }
run "$bench" patchcore-fit --images 100 --size 256 --ratio 0.1 --check-plain
run "$torch_python" scripts/bench/torch_patchcore.py fit --images 100 --size 256 --ratio 0.1
run "$bench" nn --queries 8192 --bank 10240 --dim 152
run "$torch_python" scripts/bench/torch_patchcore.py nn --queries 8192 --bank 10240 --dim 152
# The backbone rows are short (a pass is ~0.2 s), so this VM's minute-to-
# minute drift shows in them: three rounds, Swift and PyTorch alternating,
# and the table keeps each side's best round.
for round in 1 2 3; do
  run "$bench" backbone --size 256 --images 32 --repeat 3
  run "$torch_python" scripts/bench/torch_patchcore.py backbone --size 256 --images 32 --repeat 3
done
run "$bench" apply --fit 100 --images 200 --size 256
python3 - "$log" "$out" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    if line.startswith("RESULT "):
        f = line.split()
        row = dict(kv.split("=", 1) for kv in f[2:] if "=" in kv)
        old = rows.get(f[1])
        # Repeated backbone rounds: keep the round with the best batch-1 rate.
        if old is None or float(row.get("batch1_images_per_s", 0)) > float(old.get("batch1_images_per_s", 0)):
            rows[f[1]] = row
s, t = rows["patchcore-fit"], rows["torch-patchcore-fit"]
n, tn = rows["nn"], rows["torch-nn"]
b, tb = rows["backbone"], rows["torch-backbone"]
def r(a, b): return "%.1f×" % (float(a) / float(b))
out = ["| 2 cores | Swift | PyTorch %s CPU | Swift ahead | load (Swift; PyTorch) |" % t["torch"], "|---|---:|---:|---:|---|",
  "| PatchCore fit, %s ELPV mono cells %s×%s, %s patches → %s (ratio %s) | %s s | %s s | %s | %s; %s |" % (
      s["images"], s["size"], s["size"], s["patches"], s["bank"], s["ratio"], s["fit_s"], t["fit_s"], r(t["fit_s"], s["fit_s"]), s["load"], t["load"]),
  "| … of which backbone (batch of 8 per step in PyTorch) | %s s | %s s | %s | |" % (s["backbone_s"], t["backbone_s"], r(t["backbone_s"], s["backbone_s"])),
  "| … greedy coreset alone (Swift: pruned, exact; plain %s s, identical=%s) | %s s | %s s | %s | |" % (
      s["plain_coreset_s"], s["identical"], s["coreset_s"], t["coreset_s"], r(t["coreset_s"], s["coreset_s"])),
  "| NN search %s queries × %s bank × %s (GFLOP/s; share of sgemm alone on the same shape, the faster of one call and the search's tiles) | %s (%.0f%% of %s) | %s (%.0f%% of %s) | %s | %s; %s |" % (
      n["queries"], n["bank"], n["dim"], n["nn_gflops"], 100 * float(n["ratio"]), max(n["sgemm_gflops"], n["tiled_sgemm_gflops"], key=float), tn["nn_gflops"], 100 * float(tn["ratio"]), tn["sgemm_gflops"],
      r(n["nn_gflops"], tn["nn_gflops"]), n["load"], tn["load"]),
  "| EfficientNet-Lite0 to stage 4, %s×%s, batch 1 (images/s, best of 3 rounds) | %s | %s | %s | %s; %s |" % (b["size"], b["size"], b["batch1_images_per_s"], tb["batch1_images_per_s"], r(b["batch1_images_per_s"], tb["batch1_images_per_s"]), b["load"], tb["load"]),
  "| EfficientNet-Lite0 to stage 4, %s×%s, batch 8 (images/s, same round) | %s | %s | %s | |" % (b["size"], b["size"], b["batch8_images_per_s"], tb["batch8_images_per_s"], r(b["batch8_images_per_s"], tb["batch8_images_per_s"])),
]
a = rows["apply"]
out += ["", "Apply (the maps of `extract-maps apply`, batches of 32; fitted on the first %s good cells, applied to the next %s mono cells; no peer; load %s):" % (a["fit"], a["images"], a["load"]), "",
  "| %s×%s, 2 cores | PatchCore | PaDiM | golden template |" % (a["size"], a["size"]), "|---|---:|---:|---:|",
  "| images/s | %s | %s | %s |" % (a["patchcore_images_per_s"], a["padim_images_per_s"], a["golden-template_images_per_s"])]
open(sys.argv[2], "w").write("\n".join(out) + "\n")
print("\n".join(out))
PY
