#!/usr/bin/env python3
"""Compares two SegAD HDF5 artifacts dataset by dataset, bit for bit.

    compare_h5.py A.h5 B.h5 [--attrs]
    compare_h5.py --many DIR_A DIR_B REL.h5...   (each REL.h5 under both folders)

Every dataset (recursively) must exist in both with the same shape, dtype
and bytes (NaN payloads included: the raw buffers are compared). With
--attrs the root attributes must be equal too (they record input paths, so
only artifacts written with the same paths can match). Prints
"identical datasets" or the first difference; exit 0 or 1.
"""
import sys

import h5py
import numpy as np


def datasets(f):
    out = {}
    f.visititems(lambda name, obj: out.__setitem__(name, obj) if isinstance(obj, h5py.Dataset) else None)
    return out


def compare(a_path, b_path, attrs=False):
    """Returns None when equal, else a one-line description of the first difference."""
    with h5py.File(a_path, "r") as a, h5py.File(b_path, "r") as b:
        da, db = datasets(a), datasets(b)
        if set(da) != set(db):
            return f"dataset names differ: {sorted(set(da) ^ set(db))}"
        for name in sorted(da):
            x, y = da[name], db[name]
            if x.shape != y.shape or x.dtype != y.dtype:
                return f"{name}: shape/dtype {x.shape} {x.dtype} vs {y.shape} {y.dtype}"
            vx, vy = x[()], y[()]
            if isinstance(vx, np.ndarray) and vx.dtype.kind not in "OSU":
                if vx.tobytes() != vy.tobytes():
                    return f"{name}: values differ"
            elif not np.array_equal(np.asarray(vx, dtype=object), np.asarray(vy, dtype=object)):
                return f"{name}: values differ"
        if attrs:
            ka, kb = dict(a.attrs), dict(b.attrs)
            if set(ka) != set(kb):
                return f"root attributes differ: {sorted(set(ka) ^ set(kb))}"
            for k in ka:
                if not np.array_equal(np.asarray(ka[k]), np.asarray(kb[k])):
                    return f"root attribute {k} differs"
    return None


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if "--many" in sys.argv:
        import os
        diffs = [f"{rel}: {d}" for rel in args[2:] for d in [compare(os.path.join(args[0], rel), os.path.join(args[1], rel))] if d]
        print("\n".join(diffs) or f"identical datasets in {len(args) - 2} artifacts")
        sys.exit(1 if diffs else 0)
    diff = compare(args[0], args[1], attrs="--attrs" in sys.argv)
    print(diff or "identical datasets")
    sys.exit(1 if diff else 0)


if __name__ == "__main__":
    main()
