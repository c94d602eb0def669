#!/usr/bin/env python3
"""Collect the numbers printed by the SegAD reference main.py into a golden JSON.

Inputs: for each run (model argument of the reference: efficient_ad, rd4ad,
all_ad) its stdout log and its results folder (results.csv,
results_detailed.csv). It also recomputes, independently of the reference
code, the base detector's per-class numbers (the reference only prints their
mean over classes) with the same protocol, and checks that their mean matches
the reference's printed line.

Usage:
  collect_reference_golden.py --tree DIR --out FILE.json --generator-cmd "..." \
      --run efficient_ad:LOG:RESULTS_DIR:WALL_SECONDS [--run all_ad:...]
"""
import argparse
import csv
import json
import os
import platform
import re
import sys

import numpy as np

CLASSES = ("candle", "capsules", "cashew", "chewinggum", "fryum", "macaroni1",
           "macaroni2", "pcb1", "pcb2", "pcb3", "pcb4", "pipe_fryum")
SEEDS = [333, 576, 725, 823, 831, 902, 226, 598, 874, 589]


def auroc(y, s):
    # ties count half (Mann-Whitney), as sklearn's roc_auc_score
    y = np.asarray(y)
    s = np.asarray(s, dtype=np.float64)
    pos, neg = s[y == 1], s[y == 0]
    gt = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return gt / (len(pos) * len(neg))


def fpr95(y, s):
    y = np.asarray(y)
    s = np.asarray(s, dtype=np.float64)
    thr = np.quantile(s[y == 1], 0.05)  # linear, as pandas Series.quantile
    return 1.0 - (s[y == 0] < thr).mean()


def read_csv(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return [(int(r["label"]), float(r["prediction_an_det"])) for r in rows]


def base_detector(tree, model):
    out = {}
    for cls in CLASSES:
        rows = read_csv(os.path.join(tree, "anomaly_maps", model, cls, "df_test.csv"))
        goods = [r for r in rows if r[0] == 0]
        bads = [r for r in rows if r[0] == 1]
        a = f = 0.0
        for seed in SEEDS:
            perm = np.random.RandomState(seed).permutation(len(bads))
            test = goods + [bads[i] for i in perm[:len(bads) - 10]]
            y = [r[0] for r in test]
            s = [r[1] for r in test]
            a += auroc(y, s)
            f += fpr95(y, s)
        out[cls] = {"auroc": a / len(SEEDS) * 100, "fpr95tpr": f / len(SEEDS) * 100}
    return out


def parse_run(log, results_dir):
    text = open(log).read()
    per_class = {}
    for m in re.finditer(r"^(\w+), mean results for all seeds\. Cl\. AUROC: ([\d.]+), FPR@95TPR: ([\d.]+)$",
                         text, re.M):
        per_class[m.group(1)] = {"auroc": float(m.group(2)), "fpr95tpr": float(m.group(3))}
    m = re.search(r"^SegAD \+ (\w+), mean Cl\. AUROC: ([\d.]+), mean FPR@95TPR: ([\d.]+)$", text, re.M)
    segad_mean = {"auroc": float(m.group(2)), "fpr95tpr": float(m.group(3))}
    m = re.search(r"^(\w+), mean Cl\. AUROC: ([\d.]+), mean FPR@95TPR: ([\d.]+)$", text, re.M)
    base_mean = {"auroc": float(m.group(2)), "fpr95tpr": float(m.group(3))}
    per_seed = {c: {} for c in CLASSES}
    with open(os.path.join(results_dir, "results_detailed.csv")) as f:
        for r in csv.DictReader(f):
            per_seed[r["0"]][r["1"]] = float(r["2"])
    return per_class, segad_mean, base_mean, per_seed


def tree_digest(root):
    """SHA-256 over the tree: for each file, sorted by relative path ('/'-separated),
    the path's UTF-8 bytes, a NUL byte, then the SHA-256 hex of its content and a newline."""
    import hashlib
    files = []
    for d, _, names in os.walk(root):
        for n in names:
            files.append(os.path.relpath(os.path.join(d, n), root).replace(os.sep, "/"))
    h = hashlib.sha256()
    for rel in sorted(files):
        with open(os.path.join(root, rel), "rb") as f:
            h.update(rel.encode() + b"\0" + hashlib.sha256(f.read()).hexdigest().encode() + b"\n")
    return h.hexdigest(), len(files)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tree", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--generator-cmd", required=True)
    ap.add_argument("--run", action="append", required=True)
    ap.add_argument("--reference-commit", default=None)
    a = ap.parse_args()
    import pandas, scipy, sklearn, xgboost  # versions of the environment that ran the reference
    doc = {
        "about": "Numbers printed by the SegAD reference main.py (github abc-125/segad) on the synthetic "
                 "tree made by scripts/visa/make_synthetic_tree.py. Values x100, rounded to 0.1 by the "
                 "reference (per class: mean over the 10 seeds; mean: mean over classes of unrounded "
                 "per-class means). per_seed_auroc from its results_detailed.csv (rounded to 0.1). "
                 "base_detector_per_class is NOT printed by the reference: recomputed here with the same "
                 "protocol from prediction_an_det of the first model's df_test.csv (unrounded); its mean "
                 "matches the reference's printed base-detector line.",
        "generator_command": a.generator_cmd,
        "versions": {"python": platform.python_version(), "numpy": np.__version__,
                     "pandas": pandas.__version__, "scipy": scipy.__version__,
                     "scikit-learn": sklearn.__version__, "xgboost": xgboost.__version__,
                     "reference_commit": a.reference_commit},
        "tree_digest": dict(zip(("sha256", "files"), tree_digest(a.tree)),
                            how="tree_digest() in scripts/visa/collect_reference_golden.py"),
        "seeds": SEEDS,
        "runs": {},
    }
    for spec in a.run:
        name, log, rdir, wall = spec.split(":")
        per_class, segad_mean, base_mean, per_seed = parse_run(log, rdir)
        first = "efficient_ad" if name in ("efficient_ad", "all_ad") else name
        base = base_detector(a.tree, first)
        bm = {k: float(np.mean([base[c][k] for c in CLASSES])) for k in ("auroc", "fpr95tpr")}
        for k in ("auroc", "fpr95tpr"):
            assert round(bm[k], 1) == base_mean[k], (name, k, bm[k], base_mean[k])
        models = ["efficient_ad", "rd4ad"] if name == "all_ad" else [name]
        doc["runs"][name] = {
            "models": models,
            "method": "SegAD(%s)" % "+".join(models),
            "segad": {"mean": segad_mean, "per_class": per_class, "per_seed_auroc": per_seed},
            "base_detector": {"model": first, "mean_printed": base_mean, "per_class_recomputed": base},
            "wall_seconds": float(wall),
        }
    with open(a.out, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=False)
        f.write("\n")


if __name__ == "__main__":
    main()
