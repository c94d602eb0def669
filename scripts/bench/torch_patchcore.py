"""PyTorch CPU counterparts of `segad-bench patchcore-fit | nn | backbone`
(scripts/bench/patchcore.sh runs both side by side). torch threads = 2.

    python scripts/bench/torch_patchcore.py fit [--images 100] [--size 256] [--ratio 0.1]
    python scripts/bench/torch_patchcore.py nn [--queries 8192] [--bank 10240] [--dim 152]
    python scripts/bench/torch_patchcore.py backbone [--size 256] [--images 16]

fit: the first N good ELPV mono cells (labels.csv order, as segad-bench),
resized bilinearly (align_corners=False, no antialias) to size×size, gray
to RGB, ImageNet-normalized; EfficientNet-Lite0 (the same .cache weights, the
functional forward of scripts/detectors/make_backbone_golden.py) to stage 4 in
batches of 8; PatchCore's embedding (3×3 average pooling of stages 2 and 4,
stage 4 resized bilinearly to stage 2's grid, concatenated); then the greedy
k-center coreset the way patchcore-inspection computes it: a dense random
projection to 128 dimensions, and per step the distances of all patches to
the new center by one matrix-vector product with precomputed squared norms,
a running minimum and an argmax. (Written for this benchmark, not copied.)
nn: min over the bank of ‖q‖² + ‖m‖² − 2q·m by torch.mm in bank blocks,
and torch.mm alone on the same shapes.
backbone: images/s at batch 1 and batch 8, random inputs.

Each prints one `RESULT torch-<name> …` line with the load average.
"""
import argparse, os, sys, time

import torch
import torch.nn.functional as F

torch.set_num_threads(2)
here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
cache = os.environ.get("SEGAD_CACHE", os.path.join(root, ".cache"))

# The functional EfficientNet-Lite0 forward of make_backbone_golden.py (its
# definitions only, up to its marker line; it loads the weights from argv[1]).
golden = os.path.join(root, "scripts/detectors/make_backbone_golden.py")
src = open(golden).read()
src = src[:src.index("# (torch_patchcore.py runs this file up to here")]
ns = {"__file__": golden}
sys_argv = sys.argv
sys.argv = [golden, os.path.join(cache, "weights/efficientnet-lite0.pth")]
exec(src, ns)
sys.argv = sys_argv
forward_to = ns["forward"]


def load_avg():
    return open("/proc/loadavg").read().split()[0]


def elpv_cells(n, size):
    sys.path.insert(0, os.path.join(root, "scripts/elpv"))
    from pngio import read_gray8
    good = []
    for line in open(os.path.join(cache, "elpv/labels.csv")):
        f = line.replace(",", " ").split()
        if len(f) >= 3 and f[2] == "mono" and float(f[1]) == 0:
            good.append(os.path.join(cache, "elpv", f[0]))
    imgs = []
    for p in good[:n]:
        g = torch.from_numpy(read_gray8(p).astype("float32") / 255)[None, None]
        g = F.interpolate(g, size=(size, size), mode="bilinear", align_corners=False, antialias=False)
        imgs.append(g[0].expand(3, size, size))
    x = torch.stack(imgs)
    mean = torch.tensor([0.485, 0.456, 0.406])[None, :, None, None]
    std = torch.tensor([0.229, 0.224, 0.225])[None, :, None, None]
    return (x - mean) / std


def embed(f2, f4):
    a = F.avg_pool2d(f2, 3, 1, 1)
    b = F.interpolate(F.avg_pool2d(f4, 3, 1, 1), size=a.shape[-2:], mode="bilinear", align_corners=False)
    e = torch.cat([a, b], 1)
    return e.permute(0, 2, 3, 1).reshape(-1, e.shape[1])


def greedy_coreset(feats, select, seed=0):
    g = torch.Generator().manual_seed(seed)
    proj = torch.randn(feats.shape[1], 128, generator=g) / 128 ** 0.5
    z = feats @ proj
    sq = (z * z).sum(1)
    center = int(torch.randint(len(z), (1,), generator=g))
    mind = torch.full((len(z),), float("inf"))
    picked = []
    for _ in range(select):
        d = sq - 2 * (z @ z[center]) + sq[center]
        mind = torch.minimum(mind, d)
        center = int(torch.argmax(mind))
        mind[center] = 0
        picked.append(center)
    return picked


def fit(a):
    x = elpv_cells(a.images, a.size)
    load0 = load_avg()
    t0 = time.perf_counter()
    with torch.no_grad():
        embs = []
        for i in range(0, len(x), 8):
            outs = forward_to(x[i:i + 8], 4)
            embs.append(embed(outs[2], outs[4]))
        t1 = time.perf_counter()
        feats = torch.cat(embs)
        select = max(1, int(len(feats) * a.ratio))
        picked = greedy_coreset(feats, select)
        bank = feats[picked]
    t2 = time.perf_counter()
    print("RESULT torch-patchcore-fit torch=%s images=%d size=%d ratio=%g patches=%d bank=%d fit_s=%.3f backbone_s=%.3f "
          "coreset_s=%.3f load=%s/%s" % (torch.__version__, a.images, a.size, a.ratio, len(feats), len(bank),
                                        t2 - t0, t1 - t0, t2 - t1, load0, load_avg()))


def nn(a):
    g = torch.Generator().manual_seed(1)
    q = torch.rand(a.queries, a.dim, generator=g) - 0.5
    m = torch.rand(a.bank, a.dim, generator=g) - 0.5
    load0 = load_avg()
    flops = 2.0 * a.queries * a.bank * a.dim
    with torch.no_grad():
        mm_s = nn_s = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            torch.mm(q, m.t())
            mm_s = min(mm_s, time.perf_counter() - t)
            t = time.perf_counter()
            qn = (q * q).sum(1)
            mn = (m * m).sum(1)
            best = torch.full((a.queries,), float("inf"))
            for b0 in range(0, a.bank, 4096):
                blk = m[b0:b0 + 4096]
                d = mn[b0:b0 + 4096][None, :] - 2 * torch.mm(q, blk.t())
                best = torch.minimum(best, d.min(1).values)
            dist = (qn + best).clamp(min=0).sqrt()
            nn_s = min(nn_s, time.perf_counter() - t)
    print("RESULT torch-nn queries=%d bank=%d dim=%d nn_s=%.3f nn_gflops=%.1f sgemm_s=%.3f sgemm_gflops=%.1f ratio=%.2f "
          "checksum=%g load=%s/%s" % (a.queries, a.bank, a.dim, nn_s, flops / nn_s / 1e9, mm_s, flops / mm_s / 1e9,
                                       mm_s / nn_s, float(dist.sum()), load0, load_avg()))


def backbone(a):
    g = torch.Generator().manual_seed(2)
    x = torch.randn(a.images, 3, a.size, a.size, generator=g)
    load0 = load_avg()
    with torch.no_grad():
        forward_to(x[:1], 4)
        # The best of --repeat passes over the images, each batch size (as segad-bench backbone).
        s1 = s8 = float("inf")
        for _ in range(a.repeat):
            t = time.perf_counter()
            for i in range(a.images):
                forward_to(x[i:i + 1], 4)
            s1 = min(s1, time.perf_counter() - t)
            t = time.perf_counter()
            for i in range(0, a.images, 8):
                forward_to(x[i:i + 8], 4)
            s8 = min(s8, time.perf_counter() - t)
    print("RESULT torch-backbone size=%d images=%d repeat=%d stages=2+4 batch1_images_per_s=%.2f batch8_images_per_s=%.2f load=%s/%s"
          % (a.size, a.images, a.repeat, a.images / s1, a.images / s8, load0, load_avg()))


ap = argparse.ArgumentParser()
sub = ap.add_subparsers(dest="cmd", required=True)
p = sub.add_parser("fit")
p.add_argument("--images", type=int, default=100)
p.add_argument("--size", type=int, default=256)
p.add_argument("--ratio", type=float, default=0.1)
p = sub.add_parser("nn")
p.add_argument("--queries", type=int, default=8192)
p.add_argument("--bank", type=int, default=10240)
p.add_argument("--dim", type=int, default=152)
p = sub.add_parser("backbone")
p.add_argument("--size", type=int, default=256)
p.add_argument("--images", type=int, default=16)
p.add_argument("--repeat", type=int, default=3)
a = ap.parse_args()
{"fit": fit, "nn": nn, "backbone": backbone}[a.cmd](a)
