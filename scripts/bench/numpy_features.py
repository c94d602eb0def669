#!/usr/bin/env python3
"""The straightforward numpy/scipy computation of segment-stats' features,
timed: the baseline of BENCHMARKS.md.

    numpy_features.py --maps A.h5 --maps B.h5 --segmentation seg.png --segments 8
                      [--limit 200] [--check FEATURES.h5]

Reads the same maps artifacts as segment-stats (h5py, one map at a time:
f["maps"][i]), and for every item, segment l and detector computes what the
reference SegAD code computes on the map's values in that segment:
np.quantile(x, 0.995), scipy.stats.skew(x), scipy.stats.kurtosis(x),
np.mean(x) (zeros for an empty segment), then each detector's max. Values are
taken to float64 first (as segment-stats computes in Double). The segment
index arrays are computed once, not per map: a straightforward script, not a
deliberately slow one. Features are laid out as segment-stats writes them
(segments outer, detectors inner, then the maxima).

Timing covers reading and computing the first --limit items (wall clock,
time.perf_counter), and prints one line:
    RESULT numpy items=N seconds=S items_per_s=R cpu_seconds=C
where an item is one image with its K maps (K = number of --maps).

--check compares the computed features with a segment-stats features
artifact made from the same maps, row by row over those items: relative
error max |got − exp| / max(|exp|, 1e-6) must stay within 1e-4 and NaNs must
coincide; otherwise it exits 1. The check runs after the timed loop.
"""
import argparse, struct, sys, time, zlib
import numpy as np, h5py, scipy.stats
import os
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testing"))
from pnggray import read_png_gray8  # noqa: E402


def features_of(maps, segments_index):
    """One item's feature row: maps is a list of K float64 H×W arrays."""
    row = []
    for idx in segments_index:
        for m in maps:
            x = m.ravel()[idx]
            if x.size == 0:
                row += [0.0, 0.0, 0.0, 0.0]
            else:
                row += [np.quantile(x, 0.995), scipy.stats.skew(x), scipy.stats.kurtosis(x), np.mean(x)]
    row += [m.max() for m in maps]
    return np.array(row, dtype=np.float64)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--maps", action="append", required=True, help="a maps artifact; repeat for K detectors")
    ap.add_argument("--segmentation", required=True, help="static 8-bit gray label PNG")
    ap.add_argument("--segments", type=int, required=True)
    ap.add_argument("--limit", type=int, default=None, help="time only the first N items")
    ap.add_argument("--check", help="segment-stats features artifact to compare with")
    a = ap.parse_args()

    seg = read_png_gray8(a.segmentation).ravel()
    if seg.max() >= a.segments:
        sys.exit(f"{a.segmentation}: label {seg.max()} outside 0…{a.segments - 1}")
    segments_index = [np.flatnonzero(seg == l) for l in range(a.segments)]
    files = [h5py.File(p, "r") for p in a.maps]
    datasets = [f["maps"] for f in files]
    n = datasets[0].shape[0]
    if any(d.shape != datasets[0].shape for d in datasets):
        sys.exit("maps artifacts differ in shape")
    if datasets[0].shape[1] * datasets[0].shape[2] != seg.size:
        sys.exit("segmentation size differs from the maps")
    limit = n if a.limit is None else min(a.limit, n)

    rows = []
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(limit):
        maps = [d[i].astype(np.float64) for d in datasets]
        rows.append(features_of(maps, segments_index))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"RESULT numpy items={limit} seconds={seconds:.3f} items_per_s={limit / seconds:.2f} cpu_seconds={cpu:.3f}")

    if a.check:
        with h5py.File(a.check, "r") as f:
            got = f["features"][:limit].astype(np.float64)
            ids = [x.decode() if isinstance(x, bytes) else x for x in f["ids"][:limit]]
        map_ids = [x.decode() if isinstance(x, bytes) else x for x in files[0]["ids"][:limit]]
        if ids != map_ids:
            sys.exit(f"{a.check}: ids differ from the maps artifact's")
        exp = np.stack(rows)
        if got.shape != exp.shape:
            sys.exit(f"{a.check}: features are {got.shape}, expected {exp.shape}")
        if not np.array_equal(np.isnan(got), np.isnan(exp)):
            sys.exit(f"FAIL: {a.check}: NaN pattern differs from numpy/scipy")
        ok = ~np.isnan(exp)
        rel = np.abs(got[ok] - exp[ok]) / np.maximum(np.abs(exp[ok]), 1e-6)
        worst = float(rel.max()) if rel.size else 0.0
        if worst > 1e-4:
            r, c = np.unravel_index(np.argmax(np.where(ok, np.abs(got - exp) / np.maximum(np.abs(exp), 1e-6), 0)), exp.shape)
            sys.exit(f"FAIL: {a.check}: item {ids[r]} feature {c}: {got[r, c]!r} vs numpy/scipy {exp[r, c]!r} (max rel {worst:.3g})")
        print(f"CHECK ok: {limit}×{exp.shape[1]} features match numpy/scipy, max rel error {worst:.2e}")


if __name__ == "__main__":
    main()
