#!/usr/bin/env python3
"""Generate a synthetic VisA cached-map tree in the layout the SegAD reference reads.

Layout (see docs/reference-notes.md):
  ROOT/anomaly_maps/MODEL/CLS/df_training.csv   (good rows only, label 0)
  ROOT/anomaly_maps/MODEL/CLS/df_test.csv       (good label 0 and bad label 1, interleaved)
  ROOT/anomaly_maps/MODEL/CLS/anomaly_maps/{good,bad}/NAME.npy   (float maps, SIZE x SIZE)
  ROOT/visa_segm/CLS/{good,bad}/NAME.npy                         (integer label maps)

CSV columns: a leading index column, then filepath, an_map_path, label (0 good /
1 bad, integers), prediction_an_det (max of that model's map). an_map_path and
filepath are foreign absolute paths that do not exist: readers must use the base
name only, as the reference does. Good names are 4-digit and unique across the
training and test CSVs; bad names are 3-digit (as in VisA).

The two models see the same image (same segmentation, same defect) but respond
differently: different per-segment levels and noise, different smoothing,
different defect gain; rd4ad maps are non-negative (clipped at 0).

Deterministic for a seed: only numpy's legacy RandomState (a frozen stream) and
elementary float arithmetic are used, so numpy 1.x and 2.x give identical bytes.
Needs only numpy.
"""
import argparse
import csv
import math
import os
import sys

import numpy as np

CLASSES = ("candle", "capsules", "cashew", "chewinggum", "fryum", "macaroni1",
           "macaroni2", "pcb1", "pcb2", "pcb3", "pcb4", "pipe_fryum")
SEGMENTS = {c: 2 for c in CLASSES}
SEGMENTS.update({"pcb1": 6, "pcb2": 8, "pcb3": 8, "pcb4": 6})
MODELS = ("efficient_ad", "rd4ad")


def box_blur(a, r):
    """Separable box blur of radius r with edge padding (pure add/sub/div)."""
    if r <= 0:
        return a
    k = 2 * r + 1
    for axis in (0, 1):
        p = np.pad(a, [(r + 1, r) if ax == axis else (0, 0) for ax in (0, 1)], mode="edge")
        c = np.cumsum(p, axis=axis)
        if axis == 0:
            a = (c[k:, :] - c[:-k, :]) / k
        else:
            a = (c[:, k:] - c[:, :-k]) / k
    return a


def smooth_noise(rng, size, r):
    n = rng.standard_normal((size, size))
    n = box_blur(box_blur(n, r), r)
    s = n.std()
    return n / s if s > 0 else n


def blob(size, cy, cx, rad):
    """Smooth bump: 1 at the centre, 0 beyond rad (polynomial, no exp)."""
    yy, xx = np.mgrid[0:size, 0:size]
    d2 = ((yy - cy) ** 2 + (xx - cx) ** 2) / float(rad * rad)
    return np.clip(1.0 - d2, 0.0, None) ** 2


class ClassSpec:
    """Per-class geometry and per-model response, fixed for (seed, class)."""

    def __init__(self, rng, cls, size):
        self.cls = cls
        self.size = size
        self.L = SEGMENTS[cls]
        s = size
        # Object (segment 1) is an ellipse; further segments are rectangles on it,
        # the last one small (a few pixels) for L > 2.
        self.ell = (s * rng.uniform(0.45, 0.55), s * rng.uniform(0.45, 0.55),
                    s * rng.uniform(0.28, 0.40), s * rng.uniform(0.28, 0.40))
        self.rects = []
        for l in range(2, self.L):
            small = (l == self.L - 1)
            h = s * (rng.uniform(0.03, 0.05) if small else rng.uniform(0.08, 0.18))
            w = s * (rng.uniform(0.03, 0.05) if small else rng.uniform(0.08, 0.18))
            cy = s * rng.uniform(0.32, 0.68)
            cx = s * rng.uniform(0.32, 0.68)
            self.rects.append((l, cy, cx, h, w))
        # Per model, per segment: level and noise. One segment is "noisy".
        self.resp = {}
        noisy = int(rng.randint(0, self.L))
        for m in MODELS:
            mu = rng.uniform(0.02, 0.25, self.L)
            sig = np.array([0.01 * math.exp(u * math.log(6.0)) for u in rng.uniform(0.0, 1.0, self.L)])
            sig[noisy] *= rng.uniform(2.5, 4.0)
            if m == "rd4ad":
                mu = mu + 2.5 * sig  # mostly positive before clipping
            self.resp[m] = dict(mu=mu, sig=sig,
                                blur=int(rng.randint(1, 3)) * max(1, s // 64),
                                gain=rng.uniform(0.6, 1.4))
        self.noisy = noisy

    def segmentation(self, rng):
        s = self.size
        yy, xx = np.mgrid[0:s, 0:s]
        cy, cx, ry, rx = self.ell
        j = s * 0.03
        cy += rng.uniform(-j, j)
        cx += rng.uniform(-j, j)
        seg = np.zeros((s, s), dtype=np.int64)
        seg[((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1.0] = 1
        for (l, ry0, rx0, h, w) in self.rects:
            if l == self.L - 1 and rng.uniform() < 0.1:
                continue  # the small segment is sometimes absent (empty segment)
            y0 = int(round(ry0 + rng.uniform(-j, j) - h / 2))
            x0 = int(round(rx0 + rng.uniform(-j, j) - w / 2))
            seg[max(y0, 0):max(y0 + int(round(h)), 1), max(x0, 0):max(x0 + int(round(w)), 1)] = l
        return seg


def make_maps(spec, rng, seg, bad):
    """Return {model: float64 map} for one image."""
    s = spec.size
    L = spec.L
    sc = max(1, s // 64)
    present = [l for l in range(L) if (seg == l).any()]
    events = []  # (kind, cy, cx, rad, amp)
    if bad:
        # Defects fall mostly in quiet segments, where per-segment statistics see
        # them but the global max is dominated by the noisy segment.
        quiet = [l for l in present if l != spec.noisy] or present
        l = quiet[rng.randint(0, len(quiet))] if rng.uniform() < 0.75 else present[rng.randint(0, len(present))]
        ys, xs = np.nonzero(seg == l)
        k = rng.randint(0, len(ys))
        events.append(("defect", ys[k], xs[k], rng.uniform(1.5, 5.0) * sc, rng.uniform(0.5, 1.0), l))
    if rng.uniform() < 0.35:
        # A harmless hot spot in the noisy segment (hard good / distractor).
        ys, xs = np.nonzero(seg == spec.noisy)
        if len(ys):
            k = rng.randint(0, len(ys))
            events.append(("hot", ys[k], xs[k], rng.uniform(2.0, 5.0) * sc, rng.uniform(0.5, 1.5), spec.noisy))
    saturate = L > 2 and rng.uniform() < 0.05
    out = {}
    for m in MODELS:
        r = spec.resp[m]
        base = r["mu"][seg] + r["sig"][seg] * smooth_noise(rng, s, r["blur"])
        for (kind, cy, cx, rad, amp, l) in events:
            if kind == "defect":
                # amplitude in units of that segment's noise, plus an absolute part
                a = r["gain"] * amp * (6.0 * r["sig"][l] + 0.04)
            else:
                a = amp * 3.0 * r["sig"][l]
            base = base + a * blob(s, cy, cx, rad)
        if m == "rd4ad":
            base = np.clip(base, 0.0, None)
        if saturate:
            base[seg == L - 1] = r["mu"][L - 1]  # constant segment -> NaN skew/kurtosis
        out[m] = base
    return out


def write_csv(path, rows, index_style):
    cols = ["filepath", "an_map_path", "label", "prediction_an_det"]
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        if index_style == "none":
            w.writerow(cols)
        else:
            w.writerow(["index" if index_style == "named" else ""] + cols)
        for i, r in enumerate(rows):
            vals = [r[c] for c in cols]
            w.writerow(vals if index_style == "none" else [i] + vals)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", required=True)
    ap.add_argument("--size", type=int, default=64, help="map side (64 test tree, 256 benchmark)")
    ap.add_argument("--train-good", type=int, default=20)
    ap.add_argument("--test-good", type=int, default=20)
    ap.add_argument("--test-bad", type=int, default=20, help="must exceed 10 (10 move to training)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--classes", default=",".join(CLASSES), help="comma-separated subset")
    ap.add_argument("--csv-index", choices=["unnamed", "named", "none"], default="unnamed",
                    help="leading index column: pandas' default unnamed header, header 'index', or none")
    ap.add_argument("--segm-dtype", choices=["uint8", "int32", "int64"], default="uint8")
    a = ap.parse_args(argv)
    if a.test_bad <= 10:
        ap.error("--test-bad must be > 10")
    classes = [c for c in a.classes.split(",") if c]
    for c in classes:
        if c not in SEGMENTS:
            ap.error("unknown class %s" % c)
    for ci, cls in enumerate(CLASSES):
        if cls not in classes:
            continue
        rng = np.random.RandomState([a.seed, ci])
        spec = ClassSpec(rng, cls, a.size)
        # Image list: (split, good/bad, name)
        n_good = a.train_good + a.test_good
        good_ids = rng.permutation(n_good)  # which good names go to training
        train_names = sorted("%04d" % i for i in good_ids[:a.train_good])
        test_good_names = sorted("%04d" % i for i in good_ids[a.train_good:])
        bad_names = ["%03d" % i for i in range(a.test_bad)]
        test_items = [("good", n) for n in test_good_names] + [("bad", n) for n in bad_names]
        order = rng.permutation(len(test_items))  # interleave goods and bads
        test_items = [test_items[i] for i in order]
        items = [("train", "good", n) for n in train_names] + [("test", k, n) for k, n in test_items]

        segm_dir = os.path.join(a.root, "visa_segm", cls)
        for k in ("good", "bad"):
            os.makedirs(os.path.join(segm_dir, k), exist_ok=True)
            for m in MODELS:
                os.makedirs(os.path.join(a.root, "anomaly_maps", m, cls, "anomaly_maps", k), exist_ok=True)
        rows = {(m, sp): [] for m in MODELS for sp in ("train", "test")}
        for split, kind, name in items:
            seg = spec.segmentation(rng)
            maps = make_maps(spec, rng, seg, kind == "bad")
            np.save(os.path.join(segm_dir, kind, name + ".npy"), seg.astype(a.segm_dtype))
            for m in MODELS:
                mp = maps[m].astype(np.float32)
                np.save(os.path.join(a.root, "anomaly_maps", m, cls, "anomaly_maps", kind, name + ".npy"), mp)
                src = "train" if split == "train" else "test"
                rows[(m, split)].append({
                    "filepath": "/nonexistent/VisA/%s/%s/%s/%s.JPG" % (cls, src, kind, name),
                    "an_map_path": "/nonexistent/out/%s/%s/anomaly_maps/%s/%s.npy" % (m, cls, kind, name),
                    "label": 1 if kind == "bad" else 0,
                    "prediction_an_det": repr(float(mp.max())),
                })
        for m in MODELS:
            d = os.path.join(a.root, "anomaly_maps", m, cls)
            write_csv(os.path.join(d, "df_training.csv"), rows[(m, "train")], a.csv_index)
            write_csv(os.path.join(d, "df_test.csv"), rows[(m, "test")], a.csv_index)
    return 0


if __name__ == "__main__":
    sys.exit(main())
