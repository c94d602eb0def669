"""Minimal PNG reading/writing for 8-bit gray images, standard library + numpy only.

The scripts in this folder run without Pillow: they read ELPV cells (8-bit
gray, non-interlaced) and write 8-bit gray label maps.
"""
import struct
import zlib

import numpy as np


def read_gray8(path):
    """Returns an H×W uint8 array from an 8-bit, non-interlaced gray (or gray+alpha: gray only) PNG."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG")
    pos, idat = 8, b""
    width = height = None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or color not in (0, 4) or interlace != 0:
                raise ValueError(f"{path}: expected 8-bit non-interlaced gray, got depth {depth} color {color}")
            channels = 1 if color == 0 else 2
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    raw = zlib.decompress(idat)
    stride = width * channels
    # Unfilter row by row on Python ints (faster than numpy scalar indexing).
    rows = []
    prev = [0] * stride
    c = channels
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = list(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for x in range(c, stride):
                line[x] = (line[x] + line[x - c]) & 255
        elif f == 2:
            line = [(v + u) & 255 for v, u in zip(line, prev)]
        elif f == 3:
            for x in range(stride):
                left = line[x - c] if x >= c else 0
                line[x] = (line[x] + ((left + prev[x]) >> 1)) & 255
        elif f == 4:
            for x in range(stride):
                if x >= c:
                    a, cc = line[x - c], prev[x - c]
                else:
                    a = cc = 0
                b = prev[x]
                pa, pb, pc = abs(b - cc), abs(a - cc), abs(a + b - 2 * cc)
                pred = a if (pa <= pb and pa <= pc) else (b if pb <= pc else cc)
                line[x] = (line[x] + pred) & 255
        elif f != 0:
            raise ValueError(f"{path}: bad filter {f} on row {y}")
        rows.append(line)
        prev = line
    out = np.array(rows, dtype=np.uint8)
    return out[:, ::channels]


def write_gray8(path, array):
    """Writes an H×W uint8 array as an 8-bit gray PNG (filter 0 on every row)."""
    a = np.ascontiguousarray(array, dtype=np.uint8)
    h, w = a.shape
    raw = b"".join(b"\x00" + a[y].tobytes() for y in range(h))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)
