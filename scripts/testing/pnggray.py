"""8-bit gray PNG read/write with the standard library and numpy only (no
Pillow here), shared by the fixture, check and benchmark scripts."""
import struct, zlib
import numpy as np


def write_png_gray8(path, array):
    """Writes a 2-D array (values 0…255) as an 8-bit gray PNG, no filtering."""
    h, w = array.shape
    raw = b"".join(b"\x00" + array[r].astype(np.uint8).tobytes() for r in range(h))

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def read_png_gray8(path):
    """Reads an unfiltered 8-bit gray PNG (as write_png_gray8 writes) into an int64 array."""
    data = open(path, "rb").read()
    pos, idat, w, h = 8, b"", 0, 0
    while pos < len(data):
        n, tag = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8: pos + 8 + n]
        if tag == b"IHDR":
            w, h = struct.unpack(">II", body[:8])
            if body[8:10] != b"\x08\x00":
                raise ValueError(f"{path}: only 8-bit gray PNG supported here")
        elif tag == b"IDAT":
            idat += body
        pos += 12 + n
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, w + 1)
    if raw[:, 0].any():
        raise ValueError(f"{path}: filtered PNG rows are not supported here")
    return raw[:, 1:].astype(np.int64)
