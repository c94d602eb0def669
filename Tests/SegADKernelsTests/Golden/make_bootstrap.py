#!/usr/bin/env python3
"""Make Golden/bootstrap.json, which BootstrapTests compares against.

Run from anywhere:  python3 Tests/SegADKernelsTests/Golden/make_bootstrap.py
Needs numpy and scikit-learn (the versions used are recorded in the file).

The resampling indices are drawn exactly as Sources/SegADKernels/Bootstrap.swift
draws them, from SplitMix64 (reproduced here in Python integers):

    for b in range(resamples):
        for each group in order:
            good positions (in order): n_good draws, each good[next() % n_good]
            bad positions (in order):  n_bad draws,  each bad[next() % n_bad]

Per resample and group: AUROC = sklearn.metrics.roc_auc_score, FPR@95TPR =
mean(~(good < numpy.quantile(bad, 0.05))). The interval statistic is the mean
over groups (×100), as the report averages over seeds; the interval is
numpy.quantile(values, [0.025, 0.975]) ('linear').
"""
import json
import os

import numpy as np
import sklearn
from sklearn.metrics import roc_auc_score

HERE = os.path.dirname(os.path.abspath(__file__))
MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)


def stratified_indices(labels, rng):
    good = [i for i, l in enumerate(labels) if not l]
    bad = [i for i, l in enumerate(labels) if l]
    out = []
    for positions in (good, bad):
        n = len(positions)
        out += [positions[rng.next() % n] for _ in range(n)]
    return out


def fpr95(scores, labels):
    scores, labels = np.asarray(scores), np.asarray(labels, dtype=bool)
    thr = np.quantile(scores[labels], 0.05)
    return float(np.mean(~(scores[~labels] < thr)))


def main():
    data = np.random.default_rng(25)
    groups = []
    # Two small groups, as two seeds of one class: ties included.
    for n_good, n_bad, shift in ((9, 5, 1.0), (7, 4, 0.6)):
        good = np.round(data.normal(0.0, 1.0, n_good), 1)
        bad = np.round(data.normal(shift, 1.0, n_bad), 1)
        scores = np.concatenate([good, bad])
        labels = np.array([False] * n_good + [True] * n_bad)
        order = data.permutation(len(scores))
        groups.append({"scores": [float(x) for x in scores[order]], "labels": [bool(x) for x in labels[order]]})
    resamples, seed = 300, 7
    rng = SplitMix64(seed)
    first_indices = []
    auroc, fpr = [], []
    for b in range(resamples):
        row_a, row_f = [], []
        for g in groups:
            idx = stratified_indices(g["labels"], rng)
            if b < 3:
                first_indices.append(idx)
            s = np.asarray(g["scores"])[idx]
            l = np.asarray(g["labels"])[idx]
            row_a.append(float(roc_auc_score(l, s)))
            row_f.append(fpr95(s, l))
        auroc.append(row_a)
        fpr.append(row_f)
    mean_a = 100 * np.mean(np.asarray(auroc), axis=1)
    mean_f = 100 * np.mean(np.asarray(fpr), axis=1)
    out = {
        "numpy": np.__version__, "sklearn": sklearn.__version__,
        "groups": groups, "resamples": resamples, "seed": seed,
        "first_indices": first_indices,
        "auroc": auroc, "fpr": fpr,
        "auroc_interval": [float(x) for x in np.quantile(mean_a, [0.025, 0.975])],
        "fpr_interval": [float(x) for x in np.quantile(mean_f, [0.025, 0.975])],
    }
    with open(os.path.join(HERE, "bootstrap.json"), "w") as f:
        json.dump(out, f)
        f.write("\n")


if __name__ == "__main__":
    main()
