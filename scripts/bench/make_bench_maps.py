#!/usr/bin/env python3
"""Writes the benchmark's input: N pairs of 256×256 float32 maps, a manifest
and one static 8-label segmentation PNG (then `extract-maps` makes the maps
artifacts; scripts/bench/segment_stats.sh does both).

    make_bench_maps.py OUT_DIR [--n 2000] [--size 256] [--segments 8] [--seed 0]
                       [--subset 500]

OUT_DIR/maps/{alpha,beta}/itemNNNNN.npy   two detectors' maps (float32, C order)
OUT_DIR/segmentation.png                  8-bit label map, labels 0…L-1
OUT_DIR/manifest.json                     items + one seed (segad-train / test)
OUT_DIR/manifest-SUBSET.json              the first SUBSET items only (same maps),
                                          to show memory flat in the number of maps

The segmentation is a Voronoi partition of the image around L fixed sites
(contiguous regions of uneven sizes, as a real part segmentation has). Each
map is a smooth per-segment level plus Gaussian noise whose scale differs by
segment, and every third item ("bad") has a bright blob; beta is a noisier
variant of alpha. Values are continuous (few ties), so the quantile work is
what real maps need. Deterministic for a seed. Data stays outside git
(/tmp or .cache/bench).
"""
import argparse, json, os, struct, zlib
import numpy as np
import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testing"))
from pnggray import write_png_gray8  # noqa: E402


def segmentation(size, segments, rng):
    yy, xx = np.mgrid[0:size, 0:size]
    sites = rng.uniform(0, size, (segments, 2))
    d = (yy[None] - sites[:, 0, None, None]) ** 2 + (xx[None] - sites[:, 1, None, None]) ** 2
    seg = d.argmin(axis=0).astype(np.uint8)
    assert len(np.unique(seg)) == segments, "a segment came out empty; pick another seed"
    return seg


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--segments", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--subset", type=int, action="append", default=[])
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    s, L = a.size, a.segments
    seg = segmentation(s, L, rng)
    os.makedirs(a.out, exist_ok=True)
    write_png_gray8(os.path.join(a.out, "segmentation.png"), seg)
    for det in ("alpha", "beta"):
        os.makedirs(os.path.join(a.out, "maps", det), exist_ok=True)

    level = (0.2 + 0.1 * np.arange(L))[seg]                  # per-segment level
    scale = (0.02 + 0.01 * rng.permutation(L))[seg]          # per-segment noise scale
    yy, xx = np.mgrid[0:s, 0:s]
    items = []
    for i in range(a.n):
        iid = f"item{i:05d}"
        bad = i % 3 == 0
        alpha = level + scale * rng.standard_normal((s, s))
        if bad:
            cy, cx = rng.uniform(0, s, 2)
            r = rng.uniform(4, 16)
            alpha += 0.8 * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r))
        beta = 0.7 * alpha + 0.05 * rng.standard_normal((s, s))
        np.save(os.path.join(a.out, "maps", "alpha", iid + ".npy"), alpha.astype(np.float32))
        np.save(os.path.join(a.out, "maps", "beta", iid + ".npy"), beta.astype(np.float32))
        items.append({"id": iid, "label": "bad" if bad else "good",
                      "maps": {"alpha": f"maps/alpha/{iid}.npy", "beta": f"maps/beta/{iid}.npy"}})
    for n, name in [(a.n, "manifest.json")] + [(m, f"manifest-{m}.json") for m in a.subset if m <= a.n]:
        ids = [it["id"] for it in items[:n]]
        perm = np.random.RandomState(0).permutation(n)
        seeds = {"0": {"segad-train": [ids[j] for j in perm[: n // 2]],
                       "test": [ids[j] for j in perm[n // 2:]]}}
        manifest = {"format": "segad-manifest", "version": 1, "name": f"bench-{n}",
                    "items": items[:n], "seeds": seeds}
        with open(os.path.join(a.out, name), "w") as f:
            json.dump(manifest, f)


if __name__ == "__main__":
    main()
