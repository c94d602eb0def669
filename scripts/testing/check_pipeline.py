#!/usr/bin/env python3
"""Independent check of a `make pipeline` run, for the end-to-end test.

    check_pipeline.py FIXTURE_DIR ARTIFACTS/NAME DETECTORS...

Recomputes, with numpy/scipy/sklearn/xgboost and h5py only:
 1. every feature of the all-detectors features artifact from the maps and
    segmentation (numpy.quantile linear, scipy.stats.skew/kurtosis bias=True,
    mean, max; zeros for empty segments) — rel. 1e-4;
 2. each SegAD score from the exported XGBoost JSON (Python xgboost) — 1e-5;
 3. each method's AUROC (sklearn roc_auc_score) and FPR@95TPR (threshold =
    numpy.quantile of bad scores at 0.05) per seed, ×100, and mean/std over
    seeds (numpy, ddof 0) against metrics.json — 1e-9.
Prints one line per check and exits 1 on the first mismatch.
"""
import json, sys, zlib, struct, os
import numpy as np, h5py, scipy.stats, xgboost
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testing"))
from pnggray import read_png_gray8  # noqa: E402
from sklearn.metrics import roc_auc_score


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def main():
    fixture, art, dets = sys.argv[1], sys.argv[2], sys.argv[3:]
    manifest = json.load(open(os.path.join(fixture, "manifest.json")))
    seg = read_png_gray8(os.path.join(fixture, "segmentation.png"))
    L = int(seg.max()) + 1
    combo = "+".join(dets)
    name_of = {m["id"]: m for m in manifest["items"]}
    with h5py.File(os.path.join(art, "features", manifest["name"], combo + ".h5"), "r") as f:
        feats = f["features"][()]
        names = [n.decode() if isinstance(n, bytes) else n for n in f["feature_names"][()]]
        ids = [n.decode() if isinstance(n, bytes) else n for n in f["ids"][()]]
    expected_names = [f"{chr(97 + l)}_{m}_{s}" for l in range(L) for m in dets
                      for s in ("q995", "scewness", "kurtosis", "mean")] + [f"an_det_score_{m}" for m in dets]
    if names != expected_names:
        fail(f"feature names {names[:5]}… differ from the reference layout")
    worst = 0.0
    for r, iid in enumerate(ids):
        maps = {m: np.load(os.path.join(fixture, name_of[iid]["maps"][m])).astype(np.float32).astype(np.float64) for m in dets}
        exp = []
        for l in range(L):
            for m in dets:
                x = maps[m][seg == l]
                if x.size == 0:
                    exp += [0, 0, 0, 0]
                else:
                    exp += [np.quantile(x, 0.995), scipy.stats.skew(x), scipy.stats.kurtosis(x), np.mean(x)]
        exp += [maps[m].max() for m in dets]
        exp = np.array(exp, dtype=np.float64)
        got = feats[r].astype(np.float64)
        if not np.array_equal(np.isnan(exp), np.isnan(got)):
            fail(f"{iid}: NaN pattern differs: expected {np.isnan(exp).nonzero()}, got {np.isnan(got).nonzero()}")
        ok = ~np.isnan(exp)
        rel = np.abs(got[ok] - exp[ok]) / np.maximum(np.abs(exp[ok]), 1e-6)
        worst = max(worst, rel.max())
    if worst > 1e-4:
        fail(f"features differ from numpy/scipy: max rel error {worst:.3g}")
    print(f"features: {len(ids)}×{len(names)} match numpy/scipy, max rel error {worst:.2e}")

    metrics = json.load(open(os.path.join(art, "report", "metrics.json")))["methods"]
    row = {iid: r for r, iid in enumerate(ids)}
    methods = [(d, f"det-{d}.h5") for d in dets] + [(f"SegAD({c})", f"segad-{c}.h5") for c in dets + ([combo] if len(dets) > 1 else [])]
    for method, fname in methods:
        aurocs, fprs = [], []
        with h5py.File(os.path.join(art, "scores", manifest["name"], fname), "r") as f:
            for seed in sorted(int(s) for s in manifest["seeds"]):
                g = f[f"seed_{seed}"]
                sids = [n.decode() if isinstance(n, bytes) else n for n in g["ids"][()]]
                scores = g["scores"][()]
                if sids != manifest["seeds"][str(seed)]["test"]:
                    fail(f"{method} seed {seed}: scored rows are not the manifest's test rows")
                if method.startswith("SegAD("):
                    c = method[6:-1]
                    booster = xgboost.Booster(model_file=os.path.join(art, "models", manifest["name"], c, f"seed-{seed}.json"))
                    with h5py.File(os.path.join(art, "models", manifest["name"], c, f"seed-{seed}.h5"), "r") as mf:
                        cols = [names.index(n.decode() if isinstance(n, bytes) else n) for n in mf["feature_names"][()]]
                    X = feats[[row[i] for i in sids]][:, cols]
                    margins = booster.predict(xgboost.DMatrix(X, missing=np.nan), output_margin=True)
                    if np.max(np.abs(margins - scores)) > 1e-5:
                        fail(f"{method} seed {seed}: python xgboost margins differ by {np.max(np.abs(margins - scores)):.3g}")
                else:
                    col = names.index(f"an_det_score_{method}")
                    if not np.array_equal(scores, feats[[row[i] for i in sids], col].astype(np.float64)):
                        fail(f"{method} seed {seed}: scores are not the max of the maps")
                labels = np.array([name_of[i]["label"] == "bad" for i in sids])
                aurocs.append(100 * roc_auc_score(labels, scores))
                thr = np.quantile(scores[labels], 0.05)
                fprs.append(100 * np.mean(scores[~labels] >= thr))
        m = metrics[method]
        for key, vals in (("auroc", aurocs), ("fpr95tpr", fprs)):
            for seed, v in zip(sorted(int(s) for s in manifest["seeds"]), vals):
                if abs(m[key]["per_seed"][str(seed)] - v) > 1e-9:
                    fail(f"{method} {key} seed {seed}: {m[key]['per_seed'][str(seed)]} != {v}")
            if abs(m[key]["mean"] - np.mean(vals)) > 1e-9 or abs(m[key]["std"] - np.std(vals)) > 1e-9:
                fail(f"{method} {key}: mean/std differ from numpy")
        print(f"{method}: AUROC {np.mean(aurocs):.2f} ± {np.std(aurocs):.2f}, FPR@95TPR {np.mean(fprs):.2f} — matches sklearn/numpy")
    print("pipeline check passed")


if __name__ == "__main__":
    main()
