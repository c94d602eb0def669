#!/usr/bin/env python3
"""Make Golden/clopper_pearson.json, which ClopperPearsonTests compares against.

Run from anywhere:  python3 Tests/SegADKernelsTests/Golden/make_clopper_pearson.py
Needs scipy (its version is recorded in the file).

Each case: k events of n trials and the exact 95% interval,
lower = beta.ppf(0.025, k, n-k+1) (0 when k = 0),
upper = beta.ppf(0.975, k+1, n-k) (1 when k = n).
"""
import json
import os

import scipy
from scipy.stats import beta

HERE = os.path.dirname(os.path.abspath(__file__))
cases = []
for k, n in [(0, 10), (0, 100), (1, 100), (3, 50), (5, 5), (10, 10), (0, 1), (1, 1), (2, 7),
             (7, 1000), (50, 200), (0, 2000), (20, 2000)]:
    lo = 0.0 if k == 0 else float(beta.ppf(0.025, k, n - k + 1))
    hi = 1.0 if k == n else float(beta.ppf(0.975, k + 1, n - k))
    cases.append({"k": k, "n": n, "lower": lo, "upper": hi})
with open(os.path.join(HERE, "clopper_pearson.json"), "w") as f:
    json.dump({"scipy": scipy.__version__, "level": 0.95, "cases": cases}, f, indent=1)
    f.write("\n")
