#!/usr/bin/env python3
"""Make the golden files the SegADKernels tests compare against.

Run from anywhere:  python3 Tests/SegADKernelsTests/Golden/make_golden.py
Needs numpy, scipy and scikit-learn (versions used are recorded in each file).
Output (next to this script):
  segment_stats.json  maps + label maps + expected per-segment statistics
  metrics.json        AUROC / FPR@95TPR / mean-std cases
  random_state.json   numpy RandomState raw draws, random_sample, permutation,
                      sklearn train_test_split results
Maps are stored as base64 of little-endian float32, label maps as base64 of
uint8 (every L here is < 256).
NaN is stored as null.
"""
import base64
import json
import os
from fractions import Fraction

import numpy as np
import scipy
import scipy.stats
import sklearn
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
VERSIONS = {"numpy": np.__version__, "scipy": scipy.__version__,
            "sklearn": sklearn.__version__}


def num(x):
    x = float(x)
    return None if np.isnan(x) else x


def b64(a, dtype):
    return base64.b64encode(np.ascontiguousarray(a, dtype=dtype).astype(
        np.dtype(dtype).newbyteorder("<")).tobytes()).decode("ascii")


def expected_stats(m, lab, L):
    """Reference: the statistics exactly as docs/design.md ("Features") defines them, on the
    float32 values converted to float64."""
    out = []
    for l in range(L):
        x = m[lab == l].astype(np.float64)
        if x.size == 0:
            out.append([0.0, 0.0, 0.0, 0.0])
            continue
        out.append([num(np.quantile(x, 0.995)),
                    num(scipy.stats.skew(x)),
                    num(scipy.stats.kurtosis(x)),
                    num(np.mean(x))])
    return out


def exact_skew_kurtosis(m, lab, L):
    """Skew and kurtosis in exact rational arithmetic (then rounded), to show
    how far scipy's own float64 rounding is from the true value (it matters
    only for nearly constant segments, where scipy warns of cancellation)."""
    out = []
    for l in range(L):
        x = [Fraction(float(v)) for v in m[lab == l]]
        n = len(x)
        if n == 0:
            out.append([0.0, 0.0])
            continue
        mu = sum(x) / n
        m2 = sum((v - mu) ** 2 for v in x) / n
        if m2 == 0:
            out.append([None, None])
            continue
        m3 = sum((v - mu) ** 3 for v in x) / n
        m4 = sum((v - mu) ** 4 for v in x) / n
        out.append([float(m3) / float(m2) ** 1.5, float(m4 / (m2 * m2) - 3)])
    return out


def blocky_labels(rng, h, w, L, block):
    """Random label map made of block×block tiles (spatially coherent)."""
    bh, bw = (h + block - 1) // block, (w + block - 1) // block
    tiles = rng.randint(0, L, size=(bh, bw))
    return np.kron(tiles, np.ones((block, block), dtype=np.int64))[:h, :w].astype(np.int32)


def stats_cases():
    rng = np.random.RandomState(20240601)
    cases = []

    def add(name, m, lab, L):
        m = np.asarray(m, dtype=np.float32)
        lab = np.asarray(lab, dtype=np.int32)
        assert m.shape == lab.shape and lab.min() >= 0 and lab.max() < L
        cases.append({"name": name, "height": int(m.shape[0]), "width": int(m.shape[1]),
                      "segmentCount": L, "map": b64(m, np.float32),
                      "labels": b64(lab, np.uint8),
                      "expected": expected_stats(m, lab, L),
                      "exactSkewKurtosis": exact_skew_kurtosis(m, lab, L)})

    # 1. Uniform values, two segments (the VisA default L = 2).
    h, w = 64, 48
    add("uniform_L2", rng.rand(h, w), blocky_labels(rng, h, w, 2, 8), 2)

    # 2. Skewed (exponential) values, six segments; segment 5 empty,
    #    segment 4 one pixel, segment 3 two pixels.
    m = rng.exponential(2.0, size=(h, w))
    lab = blocky_labels(rng, h, w, 3, 4)
    lab[lab == 3] = 0
    lab[5, 7] = 4
    lab[10, 11] = 3
    lab[40, 2] = 3
    add("exponential_L6_empty_one_two", m, lab, 6)

    # 3. Eight segments with degenerate content:
    #    0 constant 0.5, 1 nearly constant (1000 + a few float32 ulps),
    #    2 large offset 1e4 + N(0,1), 3 one pixel, 4 constant 0,
    #    5 two equal pixels, 6 heavy ties (values rounded to 0.1), 7 lognormal.
    m = np.zeros((h, w), dtype=np.float64)
    lab = blocky_labels(rng, h, w, 8, 4)
    lab[lab == 3] = 7
    lab[lab == 5] = 7
    lab[0, 0] = 3
    lab[63, 47] = 5
    lab[63, 46] = 5
    for l in range(8):
        sel = lab == l
        n = int(sel.sum())
        if l == 0:
            v = np.full(n, 0.5)
        elif l == 1:
            ulp = np.spacing(np.float32(1000.0))
            v = 1000.0 + ulp * rng.randint(0, 3, size=n)
        elif l == 2:
            v = 1e4 + rng.randn(n)
        elif l == 3:
            v = np.array([3.25])
        elif l == 4:
            v = np.zeros(n)
        elif l == 5:
            v = np.array([7.0, 7.0])
        elif l == 6:
            v = np.round(rng.rand(n) * 10) / 10
        else:
            v = rng.lognormal(0.0, 1.5, size=n)
        m[sel] = v
    add("degenerate_L8", m, lab, 8)

    # 4. Larger segments (>= 1024 pixels: the sampled-pivot selection path),
    #    anomaly-map-like values: smooth background plus a bright blob; L = 3.
    h, w = 96, 64
    yy, xx = np.mgrid[0:h, 0:w]
    m = (0.1 * rng.rand(h, w) + np.exp(-((yy - 40) ** 2 + (xx - 60) ** 2) / 50.0)
         + 0.01 * np.sin(xx / 5.0))
    lab = np.zeros((h, w), dtype=np.int32)
    lab[:, 32:] = 1
    lab[72:, :] = 2
    add("blob_L3_large", m, lab, 3)

    # 5. Large segments with massive ties (quantized to 8 levels) and a tail.
    m = np.floor(rng.rand(h, w) * 8) / 8
    m[rng.rand(h, w) < 0.003] = 5.0
    add("quantized_L2_large", m, blocky_labels(rng, h, w, 2, 16), 2)

    return cases


def fpr_at_tpr95(scores, labels):
    bad = scores[labels]
    good = scores[~labels]
    thr = np.quantile(bad, 0.05)
    return float(np.mean(~(good < thr)))


def metrics_cases():
    rng = np.random.RandomState(7)
    cases = []

    def add(name, s, y):
        s = np.asarray(s, dtype=np.float64)
        y = np.asarray(y, dtype=bool)
        cases.append({"name": name, "scores": [float(v) for v in s],
                      "labels": [bool(v) for v in y],
                      "auroc": float(roc_auc_score(y, s)),
                      "fpr95tpr": fpr_at_tpr95(s, y)})

    add("tiny", [0.1, 0.4, 0.35, 0.8], [False, False, True, True])
    add("all_tied", [1.0] * 6, [False, True, False, True, True, False])
    add("perfect", [0.0, 0.1, 0.2, 0.9, 1.0], [False, False, False, True, True])
    add("inverted", [0.9, 1.0, 0.0, 0.1], [False, False, True, True])
    for i, n in enumerate([20, 101, 500, 1000]):
        y = rng.rand(n) < 0.3
        y[0], y[1] = True, False
        s = rng.randn(n) + 1.2 * y
        add(f"gauss_{n}", s, y)
        # Heavy ties: round to one decimal.
        add(f"gauss_ties_{n}", np.round(s, 1), y)
    y = rng.rand(300) < 0.5
    add("integer_ties_300", rng.randint(0, 5, size=300) + y, y)

    meanstd = []
    for xs in ([0.5], [1.0, 2.0], [0.91, 0.93, 0.95, 0.905, 0.99],
               list(rng.rand(10)), list(rng.rand(37) * 100)):
        a = np.asarray(xs, dtype=np.float64)
        meanstd.append({"values": [float(v) for v in a], "mean": float(np.mean(a)),
                        "std": float(np.std(a))})

    quantiles = []
    qs = [0.0, 0.05, 0.5, 0.995, 1.0]
    for n in (1, 2, 3, 10, 57, 1000):
        a = rng.randn(n)
        quantiles.append({"values": [float(v) for v in a], "qs": qs,
                          "expected": [float(np.quantile(a, q)) for q in qs]})
    return {"cases": cases, "meanStd": meanstd, "quantiles": quantiles}


SEEDS = [333, 576, 725, 823, 831, 902, 226, 598, 874, 589]


def random_state_cases():
    out = {"seeds": []}
    for seed in SEEDS + [0, 1, 4294967295]:
        rs = np.random.RandomState(seed)
        raw = [int(v) for v in rs._bit_generator.random_raw(8)]
        rs = np.random.RandomState(seed)
        sample = [float(v) for v in rs.random_sample(5)]
        entry = {"seed": seed, "raw": raw, "randomSample": sample, "permutations": {},
                 "trainTestSplit": {}}
        if seed in SEEDS:
            for n in (10, 11, 50, 100, 1000):
                entry["permutations"][str(n)] = [int(v) for v in
                                                 np.random.RandomState(seed).permutation(n)]
            for n in (50, 100):
                train, test = train_test_split(list(range(n)), test_size=n - 10,
                                               random_state=seed)
                entry["trainTestSplit"][str(n)] = {"train": [int(v) for v in train],
                                                  "test": [int(v) for v in test]}
        out["seeds"].append(entry)
    return out


def main():
    for name, payload in (("segment_stats.json", {"cases": stats_cases()}),
                          ("metrics.json", metrics_cases()),
                          ("random_state.json", random_state_cases())):
        payload["generatedBy"] = "Tests/SegADKernelsTests/Golden/make_golden.py"
        payload["versions"] = VERSIONS
        with open(os.path.join(HERE, name), "w") as f:
            json.dump(payload, f, separators=(",", ":"), allow_nan=False)
        print(name, os.path.getsize(os.path.join(HERE, name)), "bytes")


if __name__ == "__main__":
    main()
