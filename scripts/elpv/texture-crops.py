#!/usr/bin/env python3
"""A folder of mixed-aspect texture crops from the ELPV cells, for RESIZE (docs/manifest.md,
"Mixed aspect ratios"): one random crop per cell, aspect (width/height) log-uniform in
[1/3, 3], area 35-80% of the cell, at a random place; good crops from good cells (defect
probability 0), bad crops from defective ones (probability 1; a crop may miss the defect,
the same for every mode). numpy only; seeded, so the folder is the same on every machine.

    python3 scripts/elpv/texture-crops.py [--type mono] [--good 150] [--bad 60] [--seed 25] OUT
"""
import argparse
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pngio import read_gray8, write_gray8  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--elpv", default=".cache/elpv")
    ap.add_argument("--type", default="mono", choices=["mono", "poly"])
    ap.add_argument("--good", type=int, default=150)
    ap.add_argument("--bad", type=int, default=60)
    ap.add_argument("--seed", type=int, default=25)
    ap.add_argument("out")
    a = ap.parse_args()
    if os.path.exists(a.out):
        sys.exit(f"texture-crops.py: {a.out}: already exists")
    rows = [line.split() for line in open(os.path.join(a.elpv, "labels.csv")) if line.strip()]
    rows = [(p, float(q)) for p, q, t in rows if t == a.type]
    rng = np.random.default_rng(a.seed)
    picks = {"good": [p for p, q in rows if q == 0.0], "bad": [p for p, q in rows if q == 1.0]}
    partial = a.out + ".partial"
    for label, n in (("good", a.good), ("bad", a.bad)):
        os.makedirs(os.path.join(partial, label), exist_ok=True)
        chosen = rng.choice(len(picks[label]), size=min(n, len(picks[label])), replace=False)
        for i in sorted(chosen):
            cell = read_gray8(os.path.join(a.elpv, picks[label][i]))
            H, W = cell.shape
            aspect = math.exp(rng.uniform(math.log(1 / 3), math.log(3)))
            area = rng.uniform(0.35, 0.8) * H * W
            h = min(H, max(16, round(math.sqrt(area / aspect))))
            w = min(W, max(16, round(h * aspect)))
            y0 = int(rng.integers(0, H - h + 1))
            x0 = int(rng.integers(0, W - w + 1))
            name = os.path.splitext(os.path.basename(picks[label][i]))[0]
            write_gray8(os.path.join(partial, label, f"{name}.png"), cell[y0:y0 + h, x0:x0 + w])
    os.rename(partial, a.out)


if __name__ == "__main__":
    main()
