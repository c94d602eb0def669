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

    warnings()


def segments(b):
    """(offset, marker) of every marker segment up to EOI; scans are skipped
    to their end (the next marker that is neither a stuffed 0xFF00 nor RSTn)."""
    out, i = [], 2
    while i < len(b):
        assert b[i] == 0xFF, i
        m = b[i + 1]
        out.append((i, m))
        if m == 0xD9:
            break
        length = struct.unpack(">H", b[i + 2:i + 4])[0]
        i += 2 + length
        if m == 0xDA:
            while not (b[i] == 0xFF and b[i + 1] != 0 and not 0xD0 <= b[i + 1] <= 0xD7):
                i += 1
    return out


def warnings():
    """Files on which libjpeg warns. Benign (warnings.json holds Pillow's
    decode, which equals the unmodified file's): bytes that are not part of
    any segment — before a header marker (DQT), between the last scan and
    EOI, before a later scan of a progressive file — an unknown APP9 marker,
    and padding after EOI. Corrupt (refused): a scan cut short and closed
    with EOI (libjpeg: premature end of data segment), entropy-coded
    bytes overwritten with stuffed 0xFF 0x00 pairs (bad Huffman code), and
    a restart marker out of sequence (found marker 0xd6 instead of RST2)."""
    base = open(os.path.join(OUT, "rgb_baseline.jpg"), "rb").read()
    prog = open(os.path.join(OUT, "rgb_progressive.jpg"), "rb").read()
    seg, pseg = segments(base), segments(prog)
    dqt = next(o for o, m in seg if m == 0xDB)
    eoi = next(o for o, m in seg if m == 0xD9)
    later_sos = [o for o, m in pseg if m == 0xDA][2]
    benign = {
        "extraneous_before_dqt.jpg": base[:dqt] + b"\x00\x11\x22junk" + base[dqt:],
        "extraneous_before_eoi.jpg": base[:eoi] + b"\x00" * 7 + base[eoi:],
        "extraneous_between_scans.jpg": prog[:later_sos] + b"\x00\x00\x01\x02" + prog[later_sos:],
        "unknown_app9.jpg": base[:2] + b"\xFF\xE9" + struct.pack(">H", 22) + bytes(range(20)) + base[2:],
        "padding_after_eoi.jpg": base + b"\x00" * 64 + b"camera trailer",
    }
    expected = {}
    for name, data in benign.items():
        path = os.path.join(OUT, name)
        open(path, "wb").write(data)
        shown = ImageOps.exif_transpose(Image.open(path))
        a = np.asarray(shown)
        original = np.asarray(Image.open(os.path.join(OUT, "rgb_progressive.jpg" if "scans" in name else "rgb_baseline.jpg")))
        assert np.array_equal(a, original), name
        expected[name] = {"mode": shown.mode, "width": shown.width, "height": shown.height,
                          "samples": [int(v) for v in a.ravel()]}
    with open(os.path.join(OUT, "warnings.json"), "w") as f:
        json.dump(expected, f, indent=0, sort_keys=True)

    sos = next(o for o, m in seg if m == 0xDA)
    data_start = sos + 2 + struct.unpack(">H", base[sos + 2:sos + 4])[0]
    cut = data_start + (eoi - data_start) // 2
    open(os.path.join(OUT, "corrupt_cut_scan.jpg"), "wb").write(base[:cut] + b"\xFF\xD9")
    huff = bytearray(base)
    for k in range(data_start + 10, data_start + 30, 2):
        huff[k], huff[k + 1] = 0xFF, 0x00
    open(os.path.join(OUT, "corrupt_huffman.jpg"), "wb").write(bytes(huff))
    # Restart markers out of sequence (RST2 relabelled RST6): libjpeg must
    # resynchronize. Refused, although here Pillow's resync happens to give
    # the original pixels (the sequence is broken: data may be lost).
    path = os.path.join(OUT, "corrupt_restart.jpg")
    Image.fromarray(pattern(32, 32, 3, 9), "RGB").save(path, "JPEG", quality=90, restart_marker_blocks=1)
    rst = bytearray(open(path, "rb").read())
    k = bytes(rst).index(b"\xFF\xD2")
    rst[k + 1] = 0xD6
    open(path, "wb").write(bytes(rst))


if __name__ == "__main__":
    main()
