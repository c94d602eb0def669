"""PatchCore's nearest-neighbour search by its peers, on the bank and queries
`segad-bench nn-pruned --export DIR` wrote (BENCHMARKS.md, "Line speed"):

    python3 scripts/bench/nn_peers.py DIR [--threads 2] [--repeat 3] [--hnsw-m 32] [--ef-construction 40]

DIR holds bank.npy (bank x dim), queries.npy (queries x dim) and nearest.npy
(SegAD's exact nearest distances, float32), all float32. Timed, best of
--repeat, on --threads threads:

- faiss IndexFlatL2 (exact; what patchcore-inspection uses), k = 1;
- faiss IndexHNSWFlat (M = --hnsw-m, efConstruction = --ef-construction;
  build time apart) at efSearch 16 and 64, with recall@1: the fraction of
  queries whose returned distance equals the exact nearest one (a tie with
  another bank row counts as found);
- PyTorch's PatchCore-style apply, torch.cdist(queries, bank).min(1), in
  blocks of 2048 queries (skipped with one line when torch is not
  importable; TORCH_PYTHON=… scripts/bench/line_speed.sh runs this file with
  a python that has it).

Each method's distances are checked against nearest.npy (max relative error;
the exact methods must agree to 1e-3). One `RESULT peer …` line per method,
with queries/s and the 1-minute load average before and after.
"""
import argparse
import os
import sys
import time

import numpy as np


def load_avg():
    return open("/proc/loadavg").read().split()[0]


def best_of(repeat, body):
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = body()
        best = min(best, time.perf_counter() - t0)
    return best, out


def report(name, seconds, queries, dist, exact, extra=""):
    rel = np.abs(dist - exact) / np.maximum(1.0, exact)
    found = float(np.mean(rel <= 1e-4))
    print(f"RESULT peer method={name} queries={queries} seconds={seconds:.4f} queries_per_s={queries / seconds:.0f}"
          f" recall_at_1={found:.4f} max_rel_err={rel.max():.2e}{extra} load={load0}/{load_avg()}", flush=True)
    return rel.max()


parser = argparse.ArgumentParser()
parser.add_argument("dir")
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--repeat", type=int, default=3)
parser.add_argument("--hnsw-m", type=int, default=32)
parser.add_argument("--ef-construction", type=int, default=40)
args = parser.parse_args()

bank = np.ascontiguousarray(np.load(os.path.join(args.dir, "bank.npy")), dtype=np.float32)
queries = np.ascontiguousarray(np.load(os.path.join(args.dir, "queries.npy")), dtype=np.float32)
exact = np.load(os.path.join(args.dir, "nearest.npy")).astype(np.float64)
if bank.ndim != 2 or queries.ndim != 2 or bank.shape[1] != queries.shape[1] or exact.shape != (queries.shape[0],):
    sys.exit(f"nn_peers.py: {args.dir}: bank {bank.shape}, queries {queries.shape}, nearest {exact.shape} do not match")
q, d = queries.shape
load0 = load_avg()
print(f"RESULT peer bank={bank.shape[0]} dim={d} queries={q} threads={args.threads}", flush=True)
failed = False

try:
    import faiss
except ImportError:
    faiss = None
    print("RESULT peer method=faiss skipped=\"no faiss (python3 -m pip install --user faiss-cpu)\"", flush=True)
if faiss is not None:
    faiss.omp_set_num_threads(args.threads)
    flat = faiss.IndexFlatL2(d)
    flat.add(bank)
    s, (D, _) = best_of(args.repeat, lambda: flat.search(queries, 1))
    failed |= report("faiss-flat", s, q, np.sqrt(np.maximum(D[:, 0].astype(np.float64), 0)), exact) > 1e-3
    hnsw = faiss.IndexHNSWFlat(d, args.hnsw_m)
    hnsw.hnsw.efConstruction = args.ef_construction
    t0 = time.perf_counter()
    hnsw.add(bank)
    build = time.perf_counter() - t0
    for ef in (16, 64):
        hnsw.hnsw.efSearch = ef
        s, (D, _) = best_of(args.repeat, lambda: hnsw.search(queries, 1))
        report(f"faiss-hnsw-ef{ef}", s, q, np.sqrt(np.maximum(D[:, 0].astype(np.float64), 0)), exact,
               extra=f" m={args.hnsw_m} ef_construction={args.ef_construction} build_s={build:.3f}")

try:
    import torch
except ImportError:
    torch = None
    print("RESULT peer method=torch-cdist skipped=\"no torch in this python (run it with TORCH_PYTHON)\"", flush=True)
if torch is not None:
    torch.set_num_threads(args.threads)
    tb, tq = torch.from_numpy(bank), torch.from_numpy(queries)

    def cdist_min():
        with torch.no_grad():
            return torch.cat([torch.cdist(tq[i:i + 2048], tb).min(dim=1).values for i in range(0, q, 2048)])
    s, dist = best_of(args.repeat, cdist_min)
    failed |= report("torch-cdist-min", s, q, dist.double().numpy(), exact, extra=f" torch={torch.__version__}") > 1e-3

if failed:
    sys.exit("nn_peers.py: an exact method's distances differ from nearest.npy by more than 1e-3 (relative)")
