"""Golden values for DFM (Tests/SegADDetectorsTests/DFMGoldenTests.swift):
sklearn's PCA(n_components=0.97, svd_solver="full") on the concatenated,
nearest-resized stage features of random training "images", and the
feature-reconstruction error ||x - inverse_transform(transform(x))||^2 of each
patch of random test images. No backbone: stage features are the inputs.

Run: python3 scripts/detectors/make_dfm_golden.py
Writes scripts/detectors/golden/dfm_*.f32 and dfm.json.
"""
import json, os
import numpy as np
from sklearn.decomposition import PCA

out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden")
os.makedirs(out_dir, exist_ok=True)
rng = np.random.default_rng(11)
files = {}


def save(name, a):
    a = np.ascontiguousarray(a, dtype="<f4")
    a.tofile(os.path.join(out_dir, "dfm_%s.f32" % name))
    files[name] = list(a.shape)


def nearest(x, oh, ow):
    """x: C×H×W → C×oh×ow, torch nearest (src = floor(dst · in/out))."""
    c, h, w = x.shape
    ys = np.minimum((np.arange(oh) * (h / oh)).astype(int), h - 1)
    xs = np.minimum((np.arange(ow) * (w / ow)).astype(int), w - 1)
    return x[:, ys][:, :, xs]


def embed(a, b):
    """Stage a (C1×H×W) and stage b resized to its grid, concatenated: (H·W)×(C1+C2)."""
    h, w = a.shape[1:]
    e = np.concatenate([a, nearest(b, h, w)], axis=0)
    return e.reshape(e.shape[0], -1).T


# Correlated features (a few strong directions plus noise), float32-representable.
NTR, NTE, C1, C2, H, W = 12, 3, 10, 6, 6, 8
mix = rng.normal(size=(5, C1 + C2))


def sample(n):
    z = rng.normal(size=(n, H * W, 5)) @ mix + 0.05 * rng.normal(size=(n, H * W, C1 + C2))
    z = z.astype(np.float32)
    a = z[..., :C1].transpose(0, 2, 1).reshape(n, C1, H, W)
    # stage b: half resolution (nearest-upsampled back by embed)
    b = z[..., C1:].transpose(0, 2, 1).reshape(n, C2, H, W)[:, :, ::2, ::2]
    return a, b


tra, trb = sample(NTR)
tea, teb = sample(NTE)
save("train_a", tra); save("train_b", trb); save("test_a", tea); save("test_b", teb)
X = np.concatenate([embed(tra[i].astype(np.float64), trb[i].astype(np.float64)) for i in range(NTR)])
pca = PCA(n_components=0.97, svd_solver="full").fit(X)
# The kept count must not sit on the 0.97 boundary (float32 vs float64 could flip it).
ratio = np.cumsum(PCA(svd_solver="full").fit(X).explained_variance_ratio_)
k = pca.n_components_
assert ratio[k - 1] > 0.97 + 1e-3 and (k == 1 or ratio[k - 2] < 0.97 - 1e-3), ratio
fre = []
for i in range(NTE):
    x = embed(tea[i].astype(np.float64), teb[i].astype(np.float64))
    r = x - pca.inverse_transform(pca.transform(x))
    fre.append((r ** 2).sum(axis=1))
save("fre", np.stack(fre))
save("mean", pca.mean_)
json.dump({"files": files, "k": int(pca.n_components_), "grid": [H, W], "train": NTR, "test": NTE},
          open(os.path.join(out_dir, "dfm.json"), "w"), indent=1, sort_keys=True)
print("dfm golden: k =", pca.n_components_, "of", C1 + C2)
