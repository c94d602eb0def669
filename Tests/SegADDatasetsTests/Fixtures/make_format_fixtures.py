"""Image-format fixtures for Tests/SegADDatasetsTests/ImageFormatsBuilderTests.swift.

Run from this folder with Pillow installed (`pip install pillow numpy`):
    python3 make_format_fixtures.py
Writes formats/* and formats/expected.json: four 24×24 training images of
one smooth seeded pattern with noise, saved by Pillow (13.0.0) as
  good1.jpg    8-bit gray JPEG with Exif orientation 6
  good2.JPEG   8-bit RGB JPEG (4:4:4)
  good3.tif    8-bit gray TIFF (deflate) with Orientation tag 3
  good4.tiff   16-bit gray TIFF
expected.json holds what Pillow shows (after `ImageOps.exif_transpose`):
channels, maxValue and the samples, row-major, channels interleaved. The
Swift test writes the same samples as PNGs and checks that the builders
give byte-identical outputs from either folder.
"""
import json
import os

import numpy as np
from PIL import Image, ImageOps

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "formats")


def pattern(seed, top=255, channels=1):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:24, 0:24]
    planes = [0.25 + 0.5 * (x + 2 * y + 5 * c) / 80 + 0.15 * np.sin(x / 3.0 + c) + rng.normal(0, 0.03, (24, 24))
              for c in range(channels)]
    a = np.clip(np.stack(planes, -1), 0, 1) * top
    a = a.round().astype(np.uint16 if top > 255 else np.uint8)
    return a[..., 0] if channels == 1 else a


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {}
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(pattern(1)).save(os.path.join(OUT, "good1.jpg"), quality=90, exif=exif.tobytes())
    Image.fromarray(pattern(2, channels=3)).save(os.path.join(OUT, "good2.JPEG"), "JPEG", quality=92, subsampling=0)
    Image.fromarray(pattern(3)).save(os.path.join(OUT, "good3.tif"), compression="tiff_adobe_deflate",
                                     tiffinfo={274: 3})
    Image.fromarray(pattern(4, top=65535)).save(os.path.join(OUT, "good4.tiff"))
    for name in sorted(os.listdir(OUT)):
        if name.endswith(".json"):
            continue
        shown = ImageOps.exif_transpose(Image.open(os.path.join(OUT, name)))
        a = np.asarray(shown)
        expected[name] = {"width": shown.width, "height": shown.height, "channels": 1 if a.ndim == 2 else a.shape[2],
                          "maxValue": 65535 if a.dtype == np.uint16 else 255,
                          "samples": [int(v) for v in a.ravel()]}
    # What Pillow shows: the stored pattern turned as the orientation asks.
    assert np.array_equal(np.array(expected["good3.tif"]["samples"]).reshape(24, 24), np.rot90(pattern(3), 2))
    assert np.array_equal(np.array(expected["good4.tiff"]["samples"]).reshape(24, 24), pattern(4, top=65535))
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=0, sort_keys=True)


if __name__ == "__main__":
    main()
