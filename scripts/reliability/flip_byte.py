#!/usr/bin/env python3
"""Flips one byte inside the stored data of dataset DATASET of HDF5 file FILE
(in its first chunk, or its contiguous storage), in place: a damaged artifact
for the corruption tests (docs/reliability.md, section 6, class 4). Prints the file offset flipped.

usage: flip_byte.py FILE DATASET
"""
import sys
import h5py

path, name = sys.argv[1], sys.argv[2]
with h5py.File(path, "r") as f:
    ds = f[name]
    if ds.chunks is not None:
        info = ds.id.get_chunk_info(0)
        offset, size = info.byte_offset, info.size
    else:
        offset, size = ds.id.get_offset(), ds.id.get_storage_size()
if offset is None or size == 0:
    sys.exit(f"{path}: dataset {name} has no stored data")
# Skip the trailing 4-byte Fletcher-32 checksum; flip a data byte in the middle.
at = offset + max(0, (size - 4) // 2)
with open(path, "r+b") as f:
    f.seek(at)
    b = f.read(1)[0]
    f.seek(at)
    f.write(bytes([b ^ 0x10]))
print(at)
