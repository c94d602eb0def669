#!/usr/bin/env python3
"""Makes the static label map of ELPV mono cells: pipelines/elpv/mono_segmentation.png.

Mono cells in ELPV are aligned (the same pseudo-square outline, three busbars
at the same rows), so one label map serves every mono cell. It is derived from
the pixel-wise mean of all good mono cells (defect probability 0) at the full
300×300 resolution, by the same profile rules as the poly segmenter
(Sources/SegADDatasets/Data/ELPVSegmentation.swift, docs/elpv.md):

  0 background  mean < BOUNDS_LEVEL × median(mean): the dark frame and the
                cut-off corners of the pseudo-square wafer
  1 border      cell pixels within BORDER_FRACTION × 300 px (chessboard
                distance) of the background or the image edge
  2 busbars     rows whose detrended row profile (the mean over the columns
                inside the border, minus its moving average over
                TREND_WINDOW_FRACTION × 300 rows, reflected at the ends) dips
                by more than DIP_DEPTH × the median level, in runs of at most
                MAX_WIDTH_FRACTION × 300 rows whose neighbouring rows (as many
                as the run is wide) are on average DIP_DEPTH × the level
                brighter than its darkest row; each run widened by MARGIN rows;
                only on cell (not border/background) pixels
  3 cell area   the rest

The full-resolution map is resampled to --size with nearest neighbour (pixel
centres) and written as an 8-bit gray PNG whose values are the labels.

Usage (from the repository root, after scripts/fetch-data.sh):
    python3 scripts/elpv/make_mono_segmentation.py --size 160
Needs numpy only (PNG I/O in pngio.py beside this script).
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pngio  # noqa: E402

BOUNDS_LEVEL = 0.75
BORDER_FRACTION = 0.04
TREND_WINDOW_FRACTION = 0.12
DIP_DEPTH = 0.08
MAX_WIDTH_FRACTION = 0.05
MARGIN = 1
NAMES = ["background", "border", "busbar", "cell"]


def moving_average(v, window):
    half = window // 2
    padded = np.pad(v, half, mode="reflect")
    kernel = np.ones(window) / window
    return np.convolve(padded, kernel, mode="valid")


def span(profile):
    """First and last index whose value is at least BOUNDS_LEVEL × the profile's median."""
    idx = np.where(profile >= BOUNDS_LEVEL * np.median(profile))[0]
    return (int(idx[0]), int(idx[-1])) if len(idx) else (0, len(profile) - 1)


def busbar_rows(profile, lo, hi):
    """Runs of rows in [lo, hi] whose detrended profile dips below the threshold."""
    n = len(profile)
    window = max(3, int(TREND_WINDOW_FRACTION * n) | 1)
    detrended = profile - moving_average(profile, window)
    level = np.median(profile[lo:hi + 1])
    threshold = -DIP_DEPTH * level
    rows, y = [], lo
    while y <= hi:
        if detrended[y] < threshold / 2:
            end, depth = y, detrended[y]
            while end + 1 <= hi and detrended[end + 1] < threshold / 2:
                end += 1
                depth = min(depth, detrended[end])
            width = max(2, end - y + 1)
            darkest = profile[y:end + 1].min()
            flanks = [profile[max(lo, y - width):y], profile[end + 1:min(hi + 1, end + 1 + width)]]
            bright = all(f.mean() - darkest >= -threshold for f in flanks if len(f))
            if depth <= threshold and end - y + 1 <= max(1, int(MAX_WIDTH_FRACTION * n)) and bright:
                rows.append((max(0, y - MARGIN), min(n - 1, end + MARGIN)))
            y = end + 1
        else:
            y += 1
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--labels", default=".cache/elpv/labels.csv")
    parser.add_argument("--size", type=int, default=160, help="output side (the pipeline's working size)")
    parser.add_argument("-o", "--output", default="pipelines/elpv/mono_segmentation.png")
    args = parser.parse_args()

    root = os.path.dirname(args.labels)
    good = [f[0] for f in (line.split() for line in open(args.labels))
            if len(f) == 3 and f[2] == "mono" and abs(float(f[1])) < 1e-6]
    acc = None
    for i, name in enumerate(good):
        img = pngio.read_gray8(os.path.join(root, name)).astype(np.float64)
        acc = img if acc is None else acc + img
        if (i + 1) % 100 == 0:
            print(f"mean of good mono cells: {i + 1}/{len(good)}", file=sys.stderr)
    mean = acc / len(good)
    h, w = mean.shape

    # Bounds and busbars from the profiles, as the poly segmenter does.
    border_px = max(1, int(round(BORDER_FRACTION * min(h, w))))
    top, bottom = span(mean.mean(axis=1))
    left, right = span(mean.mean(axis=0))
    x0, x1 = left + border_px, right - border_px
    bars = busbar_rows(mean[:, x0:x1 + 1].mean(axis=1), top + border_px, bottom - border_px)
    bar_mask = np.zeros((h, w), dtype=bool)
    for a, b in bars:
        bar_mask[a:b + 1, x0:x1 + 1] = True

    # Background: dark pixels (the frame, the cut-off corners) that are not
    # busbar pixels, and everything outside the bounding box.
    background = (mean < BOUNDS_LEVEL * np.median(mean)) & ~bar_mask
    background[:top, :] = True
    background[bottom + 1:, :] = True
    background[:, :left] = True
    background[:, right + 1:] = True
    # Border: chessboard dilation of (background ∪ outside the image) by border_px.
    near = np.pad(background, border_px, mode="constant", constant_values=True)
    grown = near.copy()
    for dy in range(-border_px, border_px + 1):
        for dx in range(-border_px, border_px + 1):
            grown |= np.roll(np.roll(near, dy, axis=0), dx, axis=1)
    grown = grown[border_px:-border_px, border_px:-border_px]

    labels = np.full((h, w), 3, dtype=np.uint8)
    labels[bar_mask] = 2
    labels[grown] = 1
    labels[background] = 0

    ys = np.minimum(h - 1, ((np.arange(args.size) + 0.5) * h / args.size).astype(int))
    xs = np.minimum(w - 1, ((np.arange(args.size) + 0.5) * w / args.size).astype(int))
    out = labels[np.ix_(ys, xs)]
    os.makedirs(os.path.dirname(args.output) or ".", exist_ok=True)
    pngio.write_gray8(args.output, out)
    counts = {NAMES[l]: int((out == l).sum()) for l in range(len(NAMES))}
    print(f"{args.output}: {args.size}x{args.size}, {len(good)} good mono cells, busbar rows "
          f"(of {h}) {[(int(a), int(b)) for a, b in bars]}, pixels per label {counts}", file=sys.stderr)


if __name__ == "__main__":
    main()
