#!/usr/bin/env python3
"""Make Golden/resize_modes.json, which ResizeModeTests compares against.

Run with numpy and Pillow:  python3 Tests/SegADKernelsTests/Golden/make_resize_modes.py
(the versions used are recorded in the file).

Per case (an h x w plane, working size H x W):
- pad: the destination box is read off Pillow itself: ImageOps.pad of an
  all-white w x h "L" image onto black (color=0, centering 0.5), its getbbox();
  the expected plane is the numpy bilinear resize (torch's
  interpolate(mode="bilinear", align_corners=False, antialias=False), float64)
  of the whole plane into that box, 0 elsewhere.
- crop: PIL's ImageOps.fit float box (its formulas, centering 0.5, bleed 0),
  the size rounded half to even (Python's round) and centred by
  round((side - size) * 0.5); the expected plane is the numpy bilinear resize
  of that integer crop to H x W.
"""
import json
import os

import numpy as np
import PIL
from PIL import Image, ImageOps

HERE = os.path.dirname(os.path.abspath(__file__))


def bilinear(src, out_h, out_w):
    def axis(n, m):
        o = np.arange(m, dtype=np.float64)
        s = np.maximum((o + 0.5) * (n / m) - 0.5, 0.0)
        i0 = np.floor(s).astype(np.int64)
        i1 = np.minimum(i0 + 1, n - 1)
        return i0, i1, s - i0
    y0, y1, ly = axis(src.shape[0], out_h)
    x0, x1, lx = axis(src.shape[1], out_w)
    s = src.astype(np.float64)
    top = s[y0][:, x0] * (1 - lx) + s[y0][:, x1] * lx
    bot = s[y1][:, x0] * (1 - lx) + s[y1][:, x1] * lx
    return top * (1 - ly)[:, None] + bot * ly[:, None]


def pad_box(h, w, H, W):
    white = Image.new("L", (w, h), 255)
    out = ImageOps.pad(white, (W, H), color=0)
    left, top, right, bottom = out.getbbox()
    return top, left, bottom - top, right - left


def crop_box(h, w, H, W):
    live_ratio = w / h
    output_ratio = W / H
    if live_ratio == output_ratio:
        cw, ch = w, h
    elif live_ratio >= output_ratio:
        cw, ch = output_ratio * h, h
    else:
        cw, ch = w, w / output_ratio
    sw = min(w, max(1, round(cw)))
    sh = min(h, max(1, round(ch)))
    return round((h - sh) * 0.5), round((w - sw) * 0.5), sh, sw


def short(v):
    """8 significant digits: the test compares to 1e-5."""
    return float(f"{v:.8g}")


def main():
    rng = np.random.default_rng(25)
    cases = []
    for (h, w, H, W) in [(10, 25, 16, 16), (25, 10, 16, 16), (30, 40, 16, 24), (40, 30, 16, 24),
                         (9, 31, 12, 20), (31, 9, 12, 20), (12, 24, 16, 32), (9, 7, 13, 11),
                         (40, 13, 8, 24), (13, 40, 24, 8), (5, 40, 8, 8)]:
        src = np.array([[short(v) for v in row] for row in rng.standard_normal((h, w))], dtype=np.float32)
        py, px, ph, pw = pad_box(h, w, H, W)
        pad = np.zeros((H, W))
        pad[py:py + ph, px:px + pw] = bilinear(src, ph, pw)
        cy, cx, chh, cww = crop_box(h, w, H, W)
        crop = bilinear(src[cy:cy + chh, cx:cx + cww], H, W)
        cases.append({"height": h, "width": w, "toHeight": H, "toWidth": W,
                      "src": [short(v) for v in src.ravel()],
                      "pad_box": [py, px, ph, pw], "crop_box": [cy, cx, chh, cww],
                      "pad": [short(v) for v in pad.ravel()], "crop": [short(v) for v in crop.ravel()]})
    with open(os.path.join(HERE, "resize_modes.json"), "w") as f:
        json.dump({"numpy": np.__version__, "pillow": PIL.__version__, "cases": cases}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
