"""Golden outputs of torchvision-style ResNets for Tests/SegADDetectorsTests/ResNetTests.swift.

torchvision's own weights cannot be fetched here, so two tiny networks with
torchvision's exact key names and structure are made with random weights and
BatchNorm statistics: a basic-block ResNet (layers [2, 2, 2, 2], the
ResNet-18 layout, widths 4/8/16/32) and a bottleneck wide ResNet (layers
[3, 4, 6, 3], the Wide-ResNet-50-2 layout, planes 2/4/8/16, inner width
2·planes, expansion 4). The forward pass is torchvision's definition written
with torch.nn.functional: stem conv 7×7/2 pad 3, BN (eps 1e-5), ReLU, max pool
3×3/2 pad 1; basic block conv3×3(stride)-BN-ReLU-conv3×3-BN; bottleneck
conv1×1-BN-ReLU-conv3×3(stride)-BN-ReLU-conv1×1-BN; downsample conv1×1(stride)-BN
on the first block of a layer when the shape changes; add, ReLU.

Run: python3 scripts/detectors/make_resnet_golden.py
Writes scripts/detectors/fixtures/tiny_resnet18.pth and tiny_wide_resnet50_2.pth
(zip format) and scripts/detectors/golden/resnet_*.f32 + resnet.json.
"""
import collections, json, os
import torch
import torch.nn.functional as F

here = os.path.dirname(os.path.abspath(__file__))
g = torch.Generator().manual_seed(11)


def conv_bn(sd, name, bn, cout, cin, k):
    sd[name + ".weight"] = torch.randn(cout, cin, k, k, generator=g) * (2.0 / (cin * k * k)) ** 0.5
    sd[bn + ".weight"] = 1 + 0.2 * torch.randn(cout, generator=g)
    sd[bn + ".bias"] = 0.1 * torch.randn(cout, generator=g)
    sd[bn + ".running_mean"] = 0.1 * torch.randn(cout, generator=g)
    sd[bn + ".running_var"] = 0.5 + torch.rand(cout, generator=g)
    sd[bn + ".num_batches_tracked"] = torch.tensor(100)


def make(bottleneck, layers, planes, stem=16, width_factor=2, expansion=4):
    sd = collections.OrderedDict()
    conv_bn(sd, "conv1", "bn1", stem, 3, 7)
    cin = stem
    for l, (n, p) in enumerate(zip(layers, planes), start=1):
        for b in range(n):
            pre = "layer%d.%d." % (l, b)
            stride = 2 if (l > 1 and b == 0) else 1
            if bottleneck:
                w, cout = p * width_factor, p * expansion
                conv_bn(sd, pre + "conv1", pre + "bn1", w, cin, 1)
                conv_bn(sd, pre + "conv2", pre + "bn2", w, w, 3)
                conv_bn(sd, pre + "conv3", pre + "bn3", cout, w, 1)
            else:
                cout = p
                conv_bn(sd, pre + "conv1", pre + "bn1", cout, cin, 3)
                conv_bn(sd, pre + "conv2", pre + "bn2", cout, cout, 3)
            if stride != 1 or cin != cout:
                conv_bn(sd, pre + "downsample.0", pre + "downsample.1", cout, cin, 1)
            cin = cout
    sd["fc.weight"] = torch.randn(10, cin, generator=g)
    sd["fc.bias"] = torch.randn(10, generator=g)
    return sd


def bn(sd, x, p):
    return F.batch_norm(x, sd[p + ".running_mean"], sd[p + ".running_var"], sd[p + ".weight"], sd[p + ".bias"],
                        False, 0.0, 1e-5)


def forward(sd, x):
    x = F.relu(bn(sd, F.conv2d(x, sd["conv1.weight"], stride=2, padding=3), "bn1"))
    x = F.max_pool2d(x, 3, 2, 1)
    outs = []
    for l in range(1, 5):
        b = 0
        while "layer%d.%d.conv1.weight" % (l, b) in sd:
            pre = "layer%d.%d." % (l, b)
            stride = 2 if (l > 1 and b == 0) else 1
            if pre + "conv3.weight" in sd:
                y = F.relu(bn(sd, F.conv2d(x, sd[pre + "conv1.weight"]), pre + "bn1"))
                y = F.relu(bn(sd, F.conv2d(y, sd[pre + "conv2.weight"], stride=stride, padding=1), pre + "bn2"))
                y = bn(sd, F.conv2d(y, sd[pre + "conv3.weight"]), pre + "bn3")
            else:
                y = F.relu(bn(sd, F.conv2d(x, sd[pre + "conv1.weight"], stride=stride, padding=1), pre + "bn1"))
                y = bn(sd, F.conv2d(y, sd[pre + "conv2.weight"], padding=1), pre + "bn2")
            idn = x
            if pre + "downsample.0.weight" in sd:
                idn = bn(sd, F.conv2d(x, sd[pre + "downsample.0.weight"], stride=stride), pre + "downsample.1")
            x = F.relu(y + idn)
            b += 1
        outs.append(x)
    return outs


x = torch.randn(1, 3, 64, 96, generator=g)
meta = {"input": {"file": "resnet_input.f32", "shape": list(x.shape)}, "nets": {}}
x.numpy().astype("<f4").tofile(os.path.join(here, "golden", "resnet_input.f32"))
for name, sd in [("tiny_resnet18", make(False, [2, 2, 2, 2], [4, 8, 16, 32], stem=4)),
                 ("tiny_wide_resnet50_2", make(True, [3, 4, 6, 3], [2, 4, 8, 16], stem=4))]:
    torch.save(sd, os.path.join(here, "fixtures", name + ".pth"))
    with torch.no_grad():
        outs = forward(sd, x)
    stages = []
    for i, o in enumerate(outs):
        f = "resnet_%s_stage%d.f32" % (name, i)
        o.numpy().astype("<f4").tofile(os.path.join(here, "golden", f))
        stages.append({"file": f, "shape": list(o.shape)})
    meta["nets"][name] = stages
    print(name, [tuple(o.shape) for o in outs], sum(v.numel() for v in sd.values()), "parameters")
with open(os.path.join(here, "golden", "resnet.json"), "w") as f:
    json.dump(meta, f, indent=1)

# Track the .pth fixtures as base64 text (NAME.pth.b64): no weights file is committed.
import base64 as _b64, glob as _glob
for _f in _glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "*.pth")):
    open(_f + ".b64", "w").write(_b64.encodebytes(open(_f, "rb").read()).decode()); os.remove(_f)
