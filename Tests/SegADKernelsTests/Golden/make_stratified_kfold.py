#!/usr/bin/env python3
"""Make Golden/stratified_kfold.json, which StratifiedKFoldTests compares against.

Run from anywhere:  python3 Tests/SegADKernelsTests/Golden/make_stratified_kfold.py
Needs numpy and scikit-learn (the versions used are recorded in the file).

Each case: binary labels y (0/1), k and seed, and the test fold of every row
under sklearn's StratifiedKFold(n_splits=k, shuffle=True, random_state=seed),
i.e. folds[test] = i for the i-th (train, test) pair of split(X, y).
"""
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.model_selection import StratifiedKFold

HERE = os.path.dirname(os.path.abspath(__file__))


def folds(y, k, seed):
    out = np.full(len(y), -1, dtype=int)
    with warnings.catch_warnings():
        # "The least populated class in y has only n members, which is less than n_splits"
        warnings.simplefilter("ignore", UserWarning)
        split = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(np.zeros(len(y)), y)
        for i, (_, test) in enumerate(split):
            out[test] = i
    assert (out >= 0).all()
    return out.tolist()


def main():
    rng = np.random.RandomState(20261129)
    label_sets = {
        # score-elpv's segad-train rows: 80 good in file order, then 40 bad.
        "good80_bad40": [0] * 80 + [1] * 40,
        # the ScoreNew end-to-end test: 24 good, then 12 bad.
        "good24_bad12": [0] * 24 + [1] * 12,
        # a shuffled mix, bad first (classes are numbered by first appearance).
        "mixed_bad_first": [1] + rng.randint(0, 2, 57).tolist(),
        "mixed_good_first": [0] + (rng.rand(102) < 0.25).astype(int).tolist(),
        # a class with fewer rows than k (sklearn warns, still splits).
        "few_bad": [0] * 17 + [1, 0, 1, 0],
        # one class only.
        "all_good": [0] * 11,
    }
    cases = []
    for name, y in label_sets.items():
        for k in (2, 3, 5, 10):
            if k > len(y):
                continue
            for seed in (0, 1, 7, 42, 2**31, 2**32 - 1):
                cases.append({"name": name, "labels": y, "k": k, "seed": seed, "folds": folds(y, k, seed)})
    # sklearn refuses seeds outside 0…2^32−1, as numpy's RandomState does.
    for bad in (-1, 2**32):
        try:
            folds([0, 1, 0, 1], 2, bad)
            raise SystemExit(f"seed {bad} was accepted")
        except ValueError:
            pass
    with open(os.path.join(HERE, "stratified_kfold.json"), "w") as f:
        json.dump({"versions": {"numpy": np.__version__, "sklearn": sklearn.__version__}, "cases": cases}, f)
        f.write("\n")
    print(f"{len(cases)} cases")


if __name__ == "__main__":
    main()
