#!/usr/bin/env python3
"""Makes the golden fixtures for NPYTests, TIFFTests, PNGTests and ResizeTests.

Run from anywhere:  python3 Tests/SegADNativeTests/Fixtures/make_fixtures.py
Needs numpy; TIFFs need `tifffile` (pip install tifffile). PNGs are written by
hand with zlib + struct (no PIL). Resize goldens are computed here with an
independent numpy implementation of torch's bilinear, align_corners=False.

Outputs (all small, committed):
  Tests/SegADNativeTests/Fixtures/npy/*.npy      + npy/expected.json
  Tests/SegADNativeTests/Fixtures/tiff/*.tif     + tiff/expected.json
  Tests/SegADNativeTests/Fixtures/png/*          + png/expected.json
  Tests/SegADKernelsTests/Fixtures/resize.json
"""
import io
import json
import os
import struct
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))  # Tests/


def f32list(a):
    """Values as float32, then as exact Python floats (JSON keeps them exactly)."""
    return [float(v) for v in np.asarray(a, dtype=np.float32).ravel(order="C")]


def clean(d):
    os.makedirs(d, exist_ok=True)
    for name in os.listdir(d):
        os.remove(os.path.join(d, name))


# ---------------------------------------------------------------- NPY
def make_npy():
    d = os.path.join(HERE, "npy")
    clean(d)
    expected = {}
    rng = np.random.default_rng(7)
    shape = (2, 3, 4)
    base_float = (rng.standard_normal(shape) * 100).astype(np.float64)
    base_float.ravel()[0] = 0.1          # not exact in any binary format
    base_float.ravel()[1] = -65504.0     # float16 max magnitude
    base_float.ravel()[2] = 6.0e-8       # float16 subnormal
    ints = {
        "i1": rng.integers(-128, 128, shape), "i2": rng.integers(-32768, 32768, shape),
        "i4": rng.integers(-2**31, 2**31, shape), "i8": rng.integers(-2**31, 2**31, shape),
        "u1": rng.integers(0, 256, shape), "u2": rng.integers(0, 65536, shape),
        "u4": rng.integers(0, 2**31, shape), "u8": rng.integers(0, 2**31, shape),
    }

    def save(name, a, version=None, int32=None):
        path = os.path.join(d, name)
        with open(path, "wb") as f:
            np.lib.format.write_array(f, a, version=version, allow_pickle=False)
        e = {"shape": list(a.shape), "floats": f32list(a), "dtype": a.dtype.str,
             "fortran": bool(a.flags.f_contiguous and not a.flags.c_contiguous)}
        if int32 is not None:
            e["int32s"] = int32
        expected[name] = e

    for code in ["f2", "f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "b1"]:
        if code[0] == "f":
            a = base_float.astype(code)
        elif code == "b1":
            a = (ints["i1"] > 0)
        else:
            a = ints[code].astype(code)
        orders = ["|"] if a.dtype.itemsize == 1 else ["<", ">"]
        for bo in orders:
            typed = a.astype(a.dtype.newbyteorder(bo)) if bo != "|" else a
            int32 = None if code[0] == "f" else [int(v) for v in np.asarray(typed).ravel()]
            tag = {"<": "le", ">": "be", "|": "na"}[bo]
            save(f"{code}_{tag}_c.npy", np.ascontiguousarray(typed), int32=int32)
            save(f"{code}_{tag}_f.npy", np.asfortranarray(typed), int32=int32)

    small = np.arange(6, dtype="<f4").reshape(2, 3) / 4
    save("v2_f4.npy", small, version=(2, 0))
    save("v3_f4.npy", small, version=(3, 0))
    save("scalar_f8.npy", np.array(2.5))
    save("vector_i4.npy", np.array([1, -2, 3], dtype="<i4"), int32=[1, -2, 3])
    save("empty_f4.npy", np.zeros((0, 5), dtype="<f4"))
    save("fortran_2d_f4.npy", np.asfortranarray(np.arange(12, dtype="<f4").reshape(3, 4)))
    # Labels stored as floats: all integral → readInt32s accepts them.
    save("labels_integral_f4.npy", np.array([[0, 1], [2, 7]], dtype="<f4"), int32=[0, 1, 2, 7])

    # Bad files: readInt32s must refuse these two.
    save("labels_fractional_f4.npy", np.array([0, 1.5], dtype="<f4"))
    save("i8_out_of_range.npy", np.array([1, 2**40], dtype="<i8"))

    good = open(os.path.join(d, "f4_le_c.npy"), "rb").read()
    bad = {}
    bad["truncated.npy"] = good[:-10]
    bad["bad_magic.npy"] = b"\x93NUMPX" + good[6:]
    bad["empty.npy"] = b""
    bad["short.npy"] = good[:7]
    bad["header_beyond_file.npy"] = good[:40]
    bad["bad_version.npy"] = good[:6] + b"\x09\x00" + good[8:]

    def raw_npy(header, payload=b""):
        h = header.encode("latin1")
        pad = 64 - (10 + len(h) + 1) % 64
        h = h + b" " * pad + b"\n"
        return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h + payload

    bad["huge_shape.npy"] = raw_npy(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000, 100000), }", b"\0" * 16)
    bad["overflow_shape.npy"] = raw_npy(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }")
    bad["complex.npy"] = raw_npy("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", b"\0" * 16)
    bad["object.npy"] = raw_npy("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", b"\0" * 16)
    bad["missing_key.npy"] = raw_npy("{'descr': '<f4', 'shape': (2,), }", b"\0" * 8)
    bad["extra_key.npy"] = raw_npy(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1, }", b"\0" * 8)
    bad["bad_shape.npy"] = raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1), }", b"\0" * 8)
    bad["structured.npy"] = raw_npy(
        "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", b"\0" * 8)
    for name, data in bad.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump(expected, f, indent=0, sort_keys=True)


# ---------------------------------------------------------------- TIFF
def make_tiff():
    import tifffile
    d = os.path.join(HERE, "tiff")
    clean(d)
    expected = {}
    rng = np.random.default_rng(11)
    a = rng.standard_normal((5, 7)).astype(np.float32)
    big = rng.standard_normal((20, 37)).astype(np.float32)

    def save(name, data, expect=True, **kw):
        tifffile.imwrite(os.path.join(d, name), data, **kw)
        if expect:
            expected[name] = {"height": data.shape[0], "width": data.shape[1], "values": f32list(data)}

    save("f32_strips.tif", a, rowsperstrip=2)
    save("f32_bigendian.tif", a, byteorder=">")
    save("f32_tiled.tif", big, tile=(16, 16))
    save("f32_deflate.tif", big, compression="zlib")
    save("f16.tif", a.astype(np.float16))
    save("f16_tiled.tif", big.astype(np.float16), tile=(16, 16))
    save("rgb_f32.tif", np.stack([a, a, a], axis=-1), expect=False, photometric="rgb")
    save("rgb_u8.tif", np.zeros((4, 4, 3), np.uint8), expect=False, photometric="rgb")
    save("int16.tif", np.zeros((4, 4), np.int16), expect=False)
    save("uint8.tif", np.zeros((4, 4), np.uint8), expect=False)
    save("f64.tif", a.astype(np.float64), expect=False)
    whole = open(os.path.join(d, "f32_strips.tif"), "rb").read()
    # The image data follow the 8-byte header in tifffile's layout; keep the
    # header and part of the data, losing the IFD at the end.
    open(os.path.join(d, "truncated.tif"), "wb").write(whole[: len(whole) // 2])
    tiled = open(os.path.join(d, "f32_tiled.tif"), "rb").read()
    # IFD first, tile data after it: cutting the end loses the last tiles.
    open(os.path.join(d, "truncated_data.tif"), "wb").write(tiled[: len(tiled) - 1000])
    open(os.path.join(d, "not_a_tiff.tif"), "wb").write(b"hello, this is not a TIFF file\n")
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump(expected, f, indent=0, sort_keys=True)


# ---------------------------------------------------------------- PNG
def png_bytes(width, height, color_type, bit_depth, rows, palette=None, extra=b""):
    """A PNG from raw rows (each row the packed scanline without filter byte)."""
    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    out = b"\x89PNG\r\n\x1a\n"
    out += chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0))
    if palette is not None:
        out += chunk(b"PLTE", bytes(v for rgb in palette for v in rgb))
    out += extra
    raw = b"".join(b"\x00" + r for r in rows)
    out += chunk(b"IDAT", zlib.compress(raw, 9))
    out += chunk(b"IEND", b"")
    return out


def pack_bits(values, depth):
    per = 8 // depth
    out = bytearray()
    for i in range(0, len(values), per):
        byte = 0
        group = values[i:i + per]
        for j, v in enumerate(group):
            byte |= v << (8 - depth * (j + 1))
        out.append(byte)
    return bytes(out)


def make_png():
    d = os.path.join(HERE, "png")
    clean(d)
    expected = {}
    rng = np.random.default_rng(5)
    W, H = 7, 5

    def save(name, data, width, height, channels, depth, samples):
        open(os.path.join(d, name), "wb").write(data)
        s = np.asarray(samples).ravel()
        expected[name] = {"width": width, "height": height, "channels": channels, "bitDepth": depth,
                          "samples": [int(v) for v in s]}
        if channels in (1, 2):
            gray = s.reshape(height * width, channels)[:, 0].astype(np.float64)
        else:
            px = s.reshape(height * width, channels).astype(np.float64)
            gray = 0.299 * px[:, 0] + 0.587 * px[:, 1] + 0.114 * px[:, 2]
        expected[name]["gray"] = [float(v) for v in gray]

    g8 = rng.integers(0, 256, (H, W), dtype=np.uint8)
    save("gray8.png", png_bytes(W, H, 0, 8, [r.tobytes() for r in g8]), W, H, 1, 8, g8)
    g16 = rng.integers(0, 65536, (H, W)).astype(">u2")
    save("gray16.png", png_bytes(W, H, 0, 16, [r.tobytes() for r in g16]), W, H, 1, 16, g16)
    rgb8 = rng.integers(0, 256, (H, W, 3), dtype=np.uint8)
    save("rgb8.png", png_bytes(W, H, 2, 8, [r.tobytes() for r in rgb8]), W, H, 3, 8, rgb8)
    rgb16 = rng.integers(0, 65536, (H, W, 3)).astype(">u2")
    save("rgb16.png", png_bytes(W, H, 2, 16, [r.tobytes() for r in rgb16]), W, H, 3, 16, rgb16)
    ga8 = rng.integers(0, 256, (H, W, 2), dtype=np.uint8)
    save("gray_alpha8.png", png_bytes(W, H, 4, 8, [r.tobytes() for r in ga8]), W, H, 2, 8, ga8)
    rgba8 = rng.integers(0, 256, (H, W, 4), dtype=np.uint8)
    save("rgba8.png", png_bytes(W, H, 6, 8, [r.tobytes() for r in rgba8]), W, H, 4, 8, rgba8)
    palette = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (17, 34, 51), (200, 100, 50)]
    idx = rng.integers(0, len(palette), (H, W))
    pal_rgb = np.array(palette, dtype=np.uint8)[idx]
    save("palette8.png", png_bytes(W, H, 3, 8, [bytes(int(v) for v in r) for r in idx], palette),
         W, H, 3, 8, pal_rgb)
    save("palette4.png", png_bytes(W, H, 3, 4, [pack_bits([int(v) for v in r], 4) for r in idx], palette),
         W, H, 3, 8, pal_rgb)
    # Gray below 8 bits: the reader keeps the stored values (0…2^depth − 1,
    # so a 1-bit label map reads as 0/1) and reports the file's bit depth;
    # image readers scale by 2^depth − 1.
    g1 = rng.integers(0, 2, (H, W))
    save("gray1.png", png_bytes(W, H, 0, 1, [pack_bits([int(v) for v in r], 1) for r in g1]),
         W, H, 1, 1, g1)
    g4 = rng.integers(0, 16, (H, W))
    save("gray4.png", png_bytes(W, H, 0, 4, [pack_bits([int(v) for v in r], 4) for r in g4]),
         W, H, 1, 4, g4)

    whole = open(os.path.join(d, "rgb8.png"), "rb").read()
    open(os.path.join(d, "truncated.png"), "wb").write(whole[: len(whole) - 40])
    open(os.path.join(d, "empty.png"), "wb").write(b"")
    open(os.path.join(d, "not_a_png.png"), "wb").write(b"GIF89a this is not a PNG at all\n")
    bad_crc = bytearray(whole)
    bad_crc[29] ^= 0xFF  # inside IHDR's CRC
    open(os.path.join(d, "bad_crc.png"), "wb").write(bytes(bad_crc))
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump(expected, f, indent=0, sort_keys=True)


# ---------------------------------------------------------------- Resize
def bilinear_reference(src, out_h, out_w):
    """torch.nn.functional.interpolate(mode='bilinear', align_corners=False,
    antialias=False) for one plane, written from the formula in float64:
    s = max(0, (o + 0.5) * in / out - 0.5), i0 = floor(s), i1 = min(i0 + 1, in - 1)."""
    def axis(n, m):
        o = np.arange(m, dtype=np.float64)
        s = np.maximum((o + 0.5) * (n / m) - 0.5, 0.0)
        i0 = np.floor(s).astype(np.int64)
        i1 = np.minimum(i0 + 1, n - 1)
        lam = s - i0
        return i0, i1, lam
    h, w = src.shape
    y0, y1, ly = axis(h, out_h)
    x0, x1, lx = axis(w, out_w)
    s = src.astype(np.float64)
    top = s[y0][:, x0] * (1 - lx) + s[y0][:, x1] * lx
    bot = s[y1][:, x0] * (1 - lx) + s[y1][:, x1] * lx
    return top * (1 - ly)[:, None] + bot * ly[:, None]


def make_resize():
    rng = np.random.default_rng(3)
    cases = []
    for (h, w, oh, ow) in [(4, 5, 8, 10), (7, 9, 3, 4), (5, 5, 5, 5), (1, 1, 3, 3), (3, 4, 1, 7),
                           (6, 4, 13, 11), (16, 16, 4, 4), (2, 3, 7, 2)]:
        src = rng.standard_normal((h, w)).astype(np.float32)
        cases.append({"height": h, "width": w, "toHeight": oh, "toWidth": ow,
                      "src": f32list(src), "expected": [float(v) for v in bilinear_reference(src, oh, ow).ravel()]})
    d = os.path.join(ROOT, "SegADKernelsTests", "Fixtures")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "resize.json"), "w") as f:
        json.dump({"cases": cases}, f, indent=0)


if __name__ == "__main__":
    make_npy()
    make_tiff()
    make_png()
    make_resize()
    print("fixtures written")
