"""Golden values for PatchCore, PaDiM and the golden template on small cases
(Tests/SegADDetectorsTests/DetectorGoldenTests.swift), computed with plain
numpy (float64) from the definitions the Swift code documents. The backbone is
not involved: the inputs are random stage feature maps.

Where torch is importable, the numpy resize/pool/blur helpers are first checked
against torch.nn.functional (bilinear align_corners=False, AvgPool2d(3,1,1),
reflect-padded Gaussian as anomalib's GaussianBlur2d).

Run: python3 scripts/detectors/make_detector_golden.py
Writes scripts/detectors/golden/detectors_*.f32 and detectors.json.
"""
import json, os
import numpy as np

out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden")
os.makedirs(out_dir, exist_ok=True)
rng = np.random.default_rng(7)
files = {}


def f32(a):
    """Inputs are made float32-representable so Swift (float32) and numpy see the same numbers."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def save(name, a):
    a = np.ascontiguousarray(a, dtype="<f4")
    a.tofile(os.path.join(out_dir, "detectors_%s.f32" % name))
    files[name] = list(a.shape)


def bilinear(x, oh, ow):
    """x: C×H×W → C×oh×ow, torch bilinear align_corners=False."""
    c, h, w = x.shape
    def taps(n, o):
        s = n / o
        src = np.maximum((np.arange(o) + 0.5) * s - 0.5, 0)
        i0 = np.minimum(np.floor(src).astype(int), n - 1)
        i1 = np.minimum(i0 + 1, n - 1)
        return i0, i1, src - i0
    y0, y1, ly = taps(h, oh)
    x0, x1, lx = taps(w, ow)
    top = x[:, y0][:, :, x0] * (1 - lx) + x[:, y0][:, :, x1] * lx
    bot = x[:, y1][:, :, x0] * (1 - lx) + x[:, y1][:, :, x1] * lx
    return top * (1 - ly)[None, :, None] + bot * ly[None, :, None]


def avgpool3(x):
    c, h, w = x.shape
    p = np.pad(x, ((0, 0), (1, 1), (1, 1)))
    return sum(p[:, dy:dy + h, dx:dx + w] for dy in range(3) for dx in range(3)) / 9


def gauss_kernel(sigma):
    size = 2 * int(4 * sigma + 0.5) + 1
    t = np.arange(size) - size // 2
    k = np.exp(-t ** 2 / (2 * sigma ** 2))
    return k / k.sum()


def blur(m, sigma=4.0):
    k = gauss_kernel(sigma)
    r = len(k) // 2
    p = np.pad(m, r, mode="reflect")
    h, w = m.shape
    tmp = sum(k[t] * p[:, t:t + w] for t in range(len(k)))          # rows: (h+2r) × w
    return sum(k[t] * tmp[t:t + h, :] for t in range(len(k)))


try:
    import torch, torch.nn.functional as F
    x = rng.standard_normal((3, 5, 7))
    tx = torch.tensor(x)[None]
    assert np.allclose(bilinear(x, 11, 13), F.interpolate(tx, size=(11, 13), mode="bilinear", align_corners=False)[0].numpy())
    assert np.allclose(avgpool3(x), torch.nn.AvgPool2d(3, 1, 1)(tx)[0].numpy())
    m = rng.standard_normal((40, 50))
    k = torch.tensor(gauss_kernel(4.0))
    tb = F.conv2d(F.pad(torch.tensor(m)[None, None], [16] * 4, mode="reflect"), (k[:, None] * k[None, :])[None, None])[0, 0]
    assert np.allclose(blur(m), tb.numpy())
    print("numpy helpers agree with torch")
except ImportError:
    print("torch not available: helpers not cross-checked")

# ---------------------------------------------------------------- PatchCore
NTR, NTE, C1, C2, H1, W1, H2, W2, IH, IW = 4, 2, 5, 7, 6, 8, 3, 4, 48, 64
feats_a = f32(rng.standard_normal((NTR + NTE, C1, H1, W1)))
feats_b = f32(rng.standard_normal((NTR + NTE, C2, H2, W2)))
save("pc_feats_a", feats_a)
save("pc_feats_b", feats_b)


def embed(a, b):
    e = np.concatenate([avgpool3(a), bilinear(avgpool3(b), H1, W1)], axis=0)  # C×H×W
    return e.reshape(e.shape[0], -1).T                                         # P×C


emb = np.concatenate([embed(feats_a[i], feats_b[i]) for i in range(NTR)])
C = C1 + C2
PD = 4
proj = f32(rng.standard_normal((C, PD)))
save("pc_projection", proj)
start, n_select = 5, int(len(emb) * 0.25)
z = emb @ proj
mind = None
sel = []
idx = start
for _ in range(n_select):
    d = np.linalg.norm(z - z[idx], axis=1)
    mind = d if mind is None else np.minimum(mind, d)
    idx = int(np.argmax(mind))
    mind[idx] = 0
    sel.append(idx)
bank = emb[sel]
save("pc_selected", np.array(sel, dtype=np.float64))
maps = []
for i in range(NTR, NTR + NTE):
    q = embed(feats_a[i], feats_b[i])
    d2 = (q ** 2).sum(1)[:, None] + (bank ** 2).sum(1)[None, :] - 2 * q @ bank.T
    s = np.sqrt(np.maximum(d2.min(1), 0)).reshape(H1, W1)
    maps.append(blur(bilinear(s[None], IH, IW)[0]))
save("pc_maps", np.stack(maps))

# ---------------------------------------------------------------- PaDiM
# Stages a (C1 on H1×W1) and b (C2 on H2×W2, resized nearest to H1×W1 as anomalib),
# channel subset `idx`, Gaussian per position with cov + 0.01 I (ddof=1).
NTR2 = 12
pa = f32(rng.standard_normal((NTR2 + NTE, C1, H1, W1)))
pb = f32(rng.standard_normal((NTR2 + NTE, C2, H2, W2)))
save("pd_feats_a", pa)
save("pd_feats_b", pb)
ch = np.array([7, 0, 3, 9, 4, 11], dtype=np.int64)
save("pd_channels", ch.astype(np.float64))


def near(x, oh, ow):
    c, h, w = x.shape
    iy = np.minimum(np.floor(np.arange(oh) * (h / oh)).astype(int), h - 1)
    ix = np.minimum(np.floor(np.arange(ow) * (w / ow)).astype(int), w - 1)
    return x[:, iy][:, :, ix]


def pd_embed(a, b):
    e = np.concatenate([a, near(b, H1, W1)], axis=0)[ch]
    return e.reshape(len(ch), -1).T          # P×d


E = np.stack([pd_embed(pa[i], pb[i]) for i in range(NTR2)])   # N×P×d
mean = E.mean(0)
maps = []
covs = []
for p in range(H1 * W1):
    cov = np.cov(E[:, p, :], rowvar=False, ddof=1) + 0.01 * np.eye(len(ch))
    covs.append(cov)
covs = np.stack(covs)
for i in range(NTR2, NTR2 + NTE):
    q = pd_embed(pa[i], pb[i])
    d = np.array([np.sqrt((q[p] - mean[p]) @ np.linalg.solve(covs[p], q[p] - mean[p])) for p in range(H1 * W1)])
    maps.append(blur(bilinear(d.reshape(1, H1, W1), IH, IW)[0]))
save("pd_mean", mean)
save("pd_maps", np.stack(maps))

# ---------------------------------------------------------------- golden template
GT_N, GH, GW, EPS = 6, 40, 52, 0.01
imgs = f32(rng.uniform(0, 1, (GT_N + NTE, GH, GW)))
save("gt_images", imgs)
mu = imgs[:GT_N].mean(0)
sd = imgs[:GT_N].std(0)
save("gt_maps", np.stack([blur(np.abs(imgs[i] - mu) / (sd + EPS)) for i in range(GT_N, GT_N + NTE)]))

meta = {"files": files, "patchcore": {"train": NTR, "test": NTE, "start": start, "select": n_select,
                                      "image": [IH, IW]},
        "padim": {"train": NTR2, "test": NTE, "image": [IH, IW]},
        "golden_template": {"train": GT_N, "test": NTE, "eps": EPS}}
with open(os.path.join(out_dir, "detectors.json"), "w") as f:
    json.dump(meta, f, indent=1)
print("wrote", sorted(files))
