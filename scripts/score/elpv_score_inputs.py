#!/usr/bin/env python3
"""Inputs for `make score-elpv` and the score-new end-to-end test, from the
ELPV cells in .cache/elpv (standard library only).

    elpv_score_inputs.py ELPV_ROOT OUT SIZE [--detector-train N] [--good N]
                         [--bad N] [--test N] [--new N]

Mono cells only; defect probability 0 is good, 1 is bad (1/3 and 2/3 are
left out). In file order: the first good cells fit the detectors
(detector-train), the next good cells and the first bad cells train the
Boosted Random Forest (segad-train, seed 0), the next ones form a labeled
test role (for comparing with `evaluate score`), and the next good and bad
cells, interleaved, go to OUT/new/ as symlinks - the unlabeled "new parts"
(their labels in OUT/new-labels.csv, kept apart, for reading the results).

Writes OUT/manifest.json, OUT/new/*.png, OUT/new-labels.csv and
OUT/segmentation.png: a SIZE x SIZE static label map of an aligned mono cell
with three segments - 0 the cell body, 1 the three busbars (horizontal bands
centred at rows 53, 150 and 247 of 300, +-7 rows, measured on the mean good
cell), 2 the border (outer 4% of each side).
"""
import argparse
import json
import os
import struct
import zlib


def write_gray_png(path, width, height, rows):
    raw = b"".join(b"\x00" + bytes(r) for r in rows)
    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c) & 0xFFFFFFFF)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(path + ".tmp", "wb") as f:
        f.write(png)
    os.replace(path + ".tmp", path)


def segmentation(size):
    rows = []
    border = max(1, round(0.04 * size))
    bars = [53, 150, 247]
    for y in range(size):
        yc = (y + 0.5) * 300 / size  # pixel centre in the 300-pixel cell
        on_bar = any(abs(yc - b) <= 7 for b in bars)
        row = []
        for x in range(size):
            if y < border or x < border or y >= size - border or x >= size - border:
                row.append(2)
            elif on_bar:
                row.append(1)
            else:
                row.append(0)
        rows.append(row)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("out")
    ap.add_argument("size", type=int)
    ap.add_argument("--detector-train", type=int, default=40)
    ap.add_argument("--good", type=int, default=80)
    ap.add_argument("--bad", type=int, default=40)
    ap.add_argument("--test", type=int, default=0)
    ap.add_argument("--new", type=int, default=40)
    a = ap.parse_args()
    root = os.path.abspath(a.root)
    good, bad = [], []
    with open(os.path.join(root, "labels.csv")) as f:
        for line in f:
            p = line.split()
            if len(p) < 3 or p[2] != "mono":
                continue
            if float(p[1]) == 0:
                good.append(p[0])
            elif float(p[1]) == 1:
                bad.append(p[0])
    need_good = a.detector_train + a.good + a.test + a.new // 2
    need_bad = a.bad + a.test + a.new - a.new // 2
    if len(good) < need_good or len(bad) < need_bad:
        raise SystemExit(f"elpv_score_inputs: need {need_good} good and {need_bad} bad mono cells, have {len(good)} and {len(bad)}")
    gi = iter(good)
    bi = iter(bad)
    take = lambda it, n: [next(it) for _ in range(n)]
    det = take(gi, a.detector_train)
    train_good, train_bad = take(gi, a.good), take(bi, a.bad)
    test_good, test_bad = take(gi, a.test), take(bi, a.test)
    new_good, new_bad = take(gi, a.new // 2), take(bi, a.new - a.new // 2)

    def cid(p):
        return os.path.splitext(os.path.basename(p))[0]

    items = [{"id": cid(p), "label": "good", "image": p} for p in det + train_good + test_good]
    items += [{"id": cid(p), "label": "bad", "image": p} for p in train_bad + test_bad]
    roles = {"detector-train": [cid(p) for p in det],
             "segad-train": [cid(p) for p in train_good + train_bad]}
    if a.test:
        roles["test"] = [cid(p) for p in test_good + test_bad]
    manifest = {"format": "segad-manifest", "version": 1, "name": "elpv-mono", "class": "mono",
                "root": root, "description": "ELPV mono cells (score-new demo)",
                "items": items, "seeds": {"0": roles}}
    os.makedirs(a.out, exist_ok=True)
    text = json.dumps(manifest, indent=1) + "\n"
    path = os.path.join(a.out, "manifest.json")
    if not os.path.exists(path) or open(path).read() != text:  # unchanged inputs keep their time stamp
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.replace(path + ".tmp", path)
    seg = os.path.join(a.out, "segmentation.png")
    if not os.path.exists(seg):
        write_gray_png(seg, a.size, a.size, segmentation(a.size))
    new_dir = os.path.join(a.out, "new")
    os.makedirs(new_dir, exist_ok=True)
    labels = ["file,label"]
    interleaved = [x for pair in zip(new_good, new_bad) for x in pair] + new_bad[len(new_good):]
    for p in interleaved:
        link = os.path.join(new_dir, os.path.basename(p))
        if not os.path.lexists(link):
            os.symlink(os.path.join(root, p), link)
        labels.append(f"{os.path.basename(p)},{'bad' if p in new_bad else 'good'}")
    with open(os.path.join(a.out, "new-labels.csv"), "w") as f:
        f.write("\n".join(labels) + "\n")


if __name__ == "__main__":
    main()
