#!/usr/bin/env python3
"""Writes a small SegAD run from precomputed maps, for the end-to-end test.

    make_maps_fixture.py OUT_DIR [--n 120] [--size 32] [--seed 7]

OUT_DIR/maps/{alpha,beta}/ITEM.npy   two detectors' maps (alpha: float32 C order,
                                     beta: big-endian float64 Fortran order)
OUT_DIR/segmentation.png             static 8-bit label map, 4 segments (0…3)
OUT_DIR/manifest.json                items + seeds 0 and 1 (segad-train / test)

Bad items carry a raised blob in one segment; segment 3 of the alpha maps is
constant, so its skewness and kurtosis are NaN. Deterministic for a seed.
"""
import argparse, json, os, struct, zlib
import numpy as np
import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testing"))
from pnggray import write_png_gray8  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--n", type=int, default=120)
    ap.add_argument("--size", type=int, default=32)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rng = np.random.RandomState(a.seed)
    s = a.size
    yy, xx = np.mgrid[0:s, 0:s]
    seg = np.zeros((s, s), np.uint8)
    seg[:, s // 2:] = 1
    seg[s // 4: 3 * s // 4, s // 4: 3 * s // 4] = 2
    seg[:2, :2] = 3
    os.makedirs(a.out, exist_ok=True)
    write_png_gray8(os.path.join(a.out, "segmentation.png"), seg)
    noise = {0: 0.05, 1: 0.3, 2: 0.1, 3: 0.0}
    items = []
    for det in ("alpha", "beta"):
        os.makedirs(os.path.join(a.out, "maps", det), exist_ok=True)
    for i in range(a.n):
        bad = i % 3 == 0
        iid = f"item{i:03d}"
        base = np.zeros((s, s))
        for l, sd in noise.items():
            base[seg == l] = 1.0 + l + sd * rng.standard_normal((seg == l).sum())
        if bad:
            l = rng.randint(0, 3)
            ys, xs = np.nonzero(seg == l)
            k = rng.randint(len(ys))
            blob = np.exp(-((yy - ys[k]) ** 2 + (xx - xs[k]) ** 2) / (2 * 2.0 ** 2))
            base += 0.6 * blob * (seg == l)
        base[seg == 3] = 4.0  # constant segment in alpha
        alpha = base.astype(np.float32)
        beta = (0.5 * base + 0.2 * rng.standard_normal((s, s))).astype(">f8")
        np.save(os.path.join(a.out, "maps", "alpha", iid + ".npy"), alpha)
        np.save(os.path.join(a.out, "maps", "beta", iid + ".npy"), np.asfortranarray(beta))
        items.append({"id": iid, "label": "bad" if bad else "good",
                      "maps": {"alpha": f"maps/alpha/{iid}.npy", "beta": f"maps/beta/{iid}.npy"}})
    ids = [it["id"] for it in items]
    seeds = {}
    for seed in (0, 1):
        perm = np.random.RandomState(seed).permutation(a.n)
        train = [ids[j] for j in perm[: a.n // 2]]
        test = [ids[j] for j in perm[a.n // 2:]]
        seeds[str(seed)] = {"segad-train": train, "test": test}
    manifest = {"format": "segad-manifest", "version": 1, "name": "fixture", "items": items, "seeds": seeds}
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
