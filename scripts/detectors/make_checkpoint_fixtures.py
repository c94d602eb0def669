"""Writes the small checkpoint fixtures used by Tests/SegADNativeTests/CheckpointTests.swift.

Run (torch CPU wheel from PyPI, e.g. `pip install --no-deps torch==2.13.0+cpu`):
    python3 scripts/detectors/make_checkpoint_fixtures.py
Outputs in scripts/detectors/fixtures/: tiny_legacy.pth (legacy pickle format),
tiny_zip.pth (zip format), tiny.safetensors (written by hand from the spec), and
tiny_expected.json (every tensor, contiguous, as float32 lists with shapes).
"""
import collections, json, os, struct
import numpy as np
import torch

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
os.makedirs(here, exist_ok=True)

base = torch.arange(12, dtype=torch.float32).reshape(3, 4) / 7 - 0.5
sd = collections.OrderedDict()
sd["layer.weight"] = base                       # contiguous
sd["layer.t"] = base.t()                        # transposed view: strides (1, 4)
sd["layer.slice"] = base[1:, 1:3]               # offset 5, strides (4, 1)
sd["half"] = torch.tensor([[1.5, -2.25], [65504.0, 6.1e-5]], dtype=torch.float16)
sd["double"] = torch.tensor([1.0 / 3, -1e-3, 2.5], dtype=torch.float64)
sd["bn.num_batches_tracked"] = torch.tensor(7, dtype=torch.int64)
sd["conv.weight"] = torch.randn(4, 2, 3, 3, generator=torch.Generator().manual_seed(0))

torch.save(sd, os.path.join(here, "tiny_legacy.pth"), _use_new_zipfile_serialization=False)
torch.save(sd, os.path.join(here, "tiny_zip.pth"))
# Track the .pth fixtures as base64 text (NAME.pth.b64): no weights file is committed.
import base64 as _b64, glob as _glob
for _f in _glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "*.pth")):
    open(_f + ".b64", "w").write(_b64.encodebytes(open(_f, "rb").read()).decode()); os.remove(_f)

# safetensors by hand: u64 header length, JSON header, data (contiguous, little-endian).
dtypes = {torch.float32: "F32", torch.float16: "F16", torch.float64: "F64", torch.int64: "I64"}
header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
for k, v in sd.items():
    b = v.contiguous().numpy().tobytes()
    header[k] = {"dtype": dtypes[v.dtype], "shape": list(v.shape), "data_offsets": [offset, offset + len(b)]}
    blobs.append(b)
    offset += len(b)
h = json.dumps(header).encode()
h += b" " * ((8 - len(h) % 8) % 8)
with open(os.path.join(here, "tiny.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))

expected = {k: {"shape": list(v.shape), "values": [float(x) for x in v.float().contiguous().flatten().tolist()]}
            for k, v in sd.items()}
with open(os.path.join(here, "tiny_expected.json"), "w") as f:
    json.dump(expected, f, indent=0)
print("wrote", sorted(os.listdir(here)))
