#!/usr/bin/env python3
"""Compares a `make visa` report with the reference's golden numbers.

    check_parity.py METRICS_JSON GOLDEN_JSON RUN [--segad-tol 0.5] [--mean-tol 0.5]

RUN names the golden run (e.g. efficient_ad or efficient_ad@xgboost-1.7.4).
Checks, per class: the base detector's AUROC and FPR@95TPR against the
reference protocol recomputed on prediction_an_det (1e-6: same split, same
metric); SegAD's mean AUROC against the reference's printed value (rounded to
0.1 by it) within --segad-tol; the mean over classes within --mean-tol.
Prints every class's difference and exits 1 if any check fails.
"""
import json, sys, argparse

ap = argparse.ArgumentParser()
ap.add_argument("metrics"); ap.add_argument("golden"); ap.add_argument("run")
ap.add_argument("--segad-tol", type=float, default=0.5)
ap.add_argument("--mean-tol", type=float, default=0.5)
a = ap.parse_args()
ours = json.load(open(a.metrics))["methods"]
run = json.load(open(a.golden))["runs"][a.run]
method = run["method"]
base = run["models"][0]
ok = True
worst = 0.0
for cls, ref in run["segad"]["per_class"].items():
    mine = ours[method]["per_class"][cls]["auroc"]["mean"]
    d = mine - ref["auroc"]
    worst = max(worst, abs(d))
    flag = "" if abs(d) <= a.segad_tol + 0.05 else "  <-- beyond tolerance"
    ok &= not flag
    b_ref = run["base_detector"]["per_class_recomputed"][cls]
    b_mine = ours[base]["per_class"][cls]
    bd = max(abs(b_mine["auroc"]["mean"] - b_ref["auroc"]), abs(b_mine["fpr95tpr"]["mean"] - b_ref["fpr95tpr"]))
    ok &= bd <= 1e-6
    print(f"{cls:11s} SegAD AUROC ours {mine:6.2f} ref {ref['auroc']:5.1f} diff {d:+.2f}{flag}; base detector diff {bd:.1e}")
dm = ours[method]["auroc"]["mean"] - run["segad"]["mean"]["auroc"]
ok &= abs(dm) <= a.mean_tol + 0.05
print(f"mean over classes: ours {ours[method]['auroc']['mean']:.2f} ref {run['segad']['mean']['auroc']} diff {dm:+.2f}; worst class |diff| {worst:.2f}")
print("parity check", "passed" if ok else "FAILED")
sys.exit(0 if ok else 1)
