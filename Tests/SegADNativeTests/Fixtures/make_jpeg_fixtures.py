"""JPEG fixtures for Tests/SegADNativeTests/JPEGTests.swift.

Run from this folder with Pillow installed (`pip install pillow`):
    python3 make_jpeg_fixtures.py
Writes jpeg/*.jpg and jpeg/expected.json. The images are small seeded
patterns saved by Pillow (its bundled libjpeg-turbo); expected.json holds
what Pillow decodes them to after `ImageOps.exif_transpose` (the viewer's
orientation): mode, size and the samples, row-major, channels interleaved.
The Swift reader decodes with Debian's libjpeg-turbo; baseline and
progressive decodes are expected to match Pillow's exactly (both use the
islow IDCT and fancy upsampling).
"""
import io
import json
import os
import struct

import numpy as np
from PIL import Image, ImageOps

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "jpeg")


def pattern(h, w, channels, seed):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    planes = []
    for c in range(channels):
        base = (40 + 150 * (x / (w - 1)) * (c % 2 == 0) + 150 * (y / (h - 1)) * (c % 2 == 1)
                + 30 * np.sin((x + 2 * y + 3 * c) / 3.0))
        planes.append(base + rng.normal(0, 6, (h, w)))
    a = np.clip(np.stack(planes, -1), 0, 255).astype(np.uint8)
    return a[..., 0] if channels == 1 else a


def exif_orientation(value, little=True):
    """An APP1 Exif payload (without 'Exif\\0\\0' — Pillow adds it) holding IFD0
    with one Orientation (0x0112, SHORT) entry, then a Software entry."""
    e = "<" if little else ">"
    head = (b"II" if little else b"MM") + struct.pack(e + "HI", 42, 8)
    software = b"segad-fixture\0"
    entries = [struct.pack(e + "HHI", 0x0131, 2, len(software)) + struct.pack(e + "I", 8 + 2 + 2 * 12 + 4),
               struct.pack(e + "HHI", 0x0112, 3, 1) + struct.pack(e + "HH", value, 0)]
    entries.sort(key=lambda b: struct.unpack(e + "H", b[:2])[0])
    return head + struct.pack(e + "H", len(entries)) + b"".join(entries) + struct.pack(e + "I", 0) + software


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {}

    def save(name, im, **kw):
        path = os.path.join(OUT, name)
        im.save(path, "JPEG", **kw)
        back = Image.open(path)
        back.load()
        shown = ImageOps.exif_transpose(back)
        a = np.asarray(shown)
        expected[name] = {"mode": shown.mode, "width": shown.width, "height": shown.height,
                          "samples": [int(v) for v in a.ravel()]}

    H, W = 10, 14
    save("gray_baseline.jpg", Image.fromarray(pattern(H, W, 1, 1), "L"), quality=85)
    save("rgb_baseline.jpg", Image.fromarray(pattern(H, W, 3, 2), "RGB"), quality=85)  # 4:2:0
    save("rgb_444.jpg", Image.fromarray(pattern(H, W, 3, 3), "RGB"), quality=92, subsampling=0)
    save("gray_progressive.jpg", Image.fromarray(pattern(H, W, 1, 4), "L"), quality=85, progressive=True)
    save("rgb_progressive.jpg", Image.fromarray(pattern(H, W, 3, 5), "RGB"), quality=85, progressive=True)
    rgb = Image.fromarray(pattern(H, W, 3, 6), "RGB")
    for o in range(1, 9):
        save(f"orientation{o}.jpg", rgb, quality=90, subsampling=0,
             exif=b"Exif\0\0" + exif_orientation(o, little=(o % 2 == 0)))
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=0, sort_keys=True)

    # Refused files (no expected samples).
    Image.fromarray(pattern(H, W, 4, 7), "CMYK").save(os.path.join(OUT, "cmyk.jpg"), "JPEG", quality=85)
    whole = open(os.path.join(OUT, "rgb_baseline.jpg"), "rb").read()
    open(os.path.join(OUT, "truncated.jpg"), "wb").write(whole[: len(whole) * 2 // 3])
    Image.fromarray(pattern(H, W, 3, 8)[:1, :1], "RGB").save(os.path.join(OUT, "one_pixel.jpg"), "JPEG")


if __name__ == "__main__":
    main()
