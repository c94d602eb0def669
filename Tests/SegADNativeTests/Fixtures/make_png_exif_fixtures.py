"""PNG eXIf fixtures for Tests/SegADNativeTests/PNGExifTests.swift.

Run from this folder with Pillow installed (`pip install pillow numpy`):
    python3 make_png_exif_fixtures.py
Writes png_exif/*.png and png_exif/expected.json. Each image is a small
seeded pattern saved by Pillow with an `eXIf` chunk (PNG 1.5 extension)
holding IFD0 with one Orientation (0x0112) entry, byte order alternating
(II for even orientations, MM for odd). expected.json holds what Pillow
shows after `ImageOps.exif_transpose`: size, channels (alpha dropped,
palette expanded to RGB, as the Swift reader does), the scale's maximum
and the samples, row-major, channels interleaved.

Besides orientations 1…8 of an 8-bit RGB image: a 16-bit gray image (6),
a palette image (7), a gray+alpha image (2), a file whose eXIf chunk comes
AFTER the image data (8; Pillow reads it when loading the pixels, and so
does the Swift reader), one whose eXIf chunk wrongly repeats the JPEG APP1
prefix `Exif\\0\\0` (libpng's own eXIf handler drops it; Pillow skips the
prefix and applies the orientation, 6, and so does the Swift reader), and
one whose eXIf chunk holds no TIFF header (shown as stored).
"""
import json
import os
import struct
import zlib

import numpy as np
from PIL import Image, ImageOps

from make_jpeg_fixtures import exif_orientation  # the same TIFF-structured Exif block

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "png_exif")


def pattern(h, w, channels, seed, top=255):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, top + 1, size=(h, w, channels))
    return a[..., 0] if channels == 1 else a


def chunks(data):
    out, i = [], 8
    while i < len(data):
        n, kind = struct.unpack(">I4s", data[i:i + 8])
        out.append((kind, data[i:i + 12 + n]))
        i += 12 + n
    return out


def chunk(kind, payload):
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {}

    def record(name):
        im = Image.open(os.path.join(OUT, name))
        im.load()
        shown = ImageOps.exif_transpose(im)
        if shown.mode == "P":
            shown = shown.convert("RGB")
        a = np.asarray(shown)
        if shown.mode in ("LA", "RGBA"):
            a = a[..., :-1]
            if shown.mode == "LA":
                a = a[..., 0]
        channels = 1 if a.ndim == 2 else a.shape[2]
        top = 65535 if shown.mode.startswith("I;16") or a.dtype == np.uint16 else 255
        expected[name] = {"width": shown.width, "height": shown.height, "channels": channels,
                          "maxValue": top, "samples": [int(v) for v in a.ravel()]}

    H, W = 10, 14
    rgb = Image.fromarray(pattern(H, W, 3, 1).astype(np.uint8))
    for o in range(1, 9):
        name = f"orientation{o}.png"
        rgb.save(os.path.join(OUT, name), exif=b"Exif\0\0" + exif_orientation(o, little=(o % 2 == 0)))
        record(name)
    g16 = Image.fromarray(pattern(H, W, 1, 2, top=65535).astype(np.uint16))
    g16.save(os.path.join(OUT, "gray16_orientation6.png"), exif=exif_orientation(6, little=True))
    record("gray16_orientation6.png")
    pal = Image.fromarray(pattern(H, W, 3, 3).astype(np.uint8)).quantize(colors=16)
    pal.save(os.path.join(OUT, "palette_orientation7.png"), exif=exif_orientation(7, little=False))
    record("palette_orientation7.png")
    la = Image.fromarray(pattern(H, W, 2, 4).astype(np.uint8))
    la.save(os.path.join(OUT, "gray_alpha_orientation2.png"), exif=exif_orientation(2, little=True))
    record("gray_alpha_orientation2.png")

    # eXIf after IDAT: Pillow's file with the chunk moved before IEND.
    rgb.save(os.path.join(OUT, "tmp.png"), exif=exif_orientation(8, little=False))
    parts = chunks(open(os.path.join(OUT, "tmp.png"), "rb").read())
    os.remove(os.path.join(OUT, "tmp.png"))
    exif = [c for k, c in parts if k == b"eXIf"]
    rest = [(k, c) for k, c in parts if k != b"eXIf"]
    body = b"".join(c for k, c in rest[:-1]) + exif[0] + rest[-1][1]
    open(os.path.join(OUT, "after_idat_orientation8.png"), "wb").write(b"\x89PNG\r\n\x1a\n" + body)
    record("after_idat_orientation8.png")

    # eXIf payload that starts with the JPEG prefix "Exif\0\0" (not allowed).
    bad = chunk(b"eXIf", b"Exif\0\0" + exif_orientation(6, little=True))
    body = b"".join(c if k != b"eXIf" else b"" for k, c in rest[:1]) + bad + b"".join(c for k, c in rest[1:])
    open(os.path.join(OUT, "prefixed_exif.png"), "wb").write(b"\x89PNG\r\n\x1a\n" + body)
    assert Image.open(os.path.join(OUT, "prefixed_exif.png")).getexif()[0x0112] == 6
    record("prefixed_exif.png")
    junk = chunk(b"eXIf", b"MM\0\x2b junk, not a TIFF header")
    body = b"".join(c for k, c in rest[:1]) + junk + b"".join(c for k, c in rest[1:])
    open(os.path.join(OUT, "junk_exif.png"), "wb").write(b"\x89PNG\r\n\x1a\n" + body)
    record("junk_exif.png")

    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=0, sort_keys=True)


if __name__ == "__main__":
    main()
