/// sklearn's `StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)`
/// test-fold assignment (`_make_test_folds`), for binary labels — the one
/// fold rule of the project: the classifier's cross-fitting (docs/vad.md)
/// and a saved pipeline's operating point (docs/scoring.md).
///
/// - classes are numbered in order of first appearance in `labels`;
/// - the labels sorted by that number are dealt round-robin into the k
///   folds, giving per fold and class a count (`allocation`): ⌊n_c/k⌋ or
///   ⌈n_c/k⌉ rows of class c in every fold;
/// - per class, in class order, `arange(k).repeat(allocation[:, class])`
///   is shuffled by one `RandomState(seed)` (legacy Fisher–Yates, the same
///   draws as `permutation`) and given to that class's rows in row order.
///
/// `seed` is sklearn's `random_state` as numpy takes it, 0…2³²−1 (numpy
/// refuses the rest; callers holding an `Int` check its range, never wrap).
/// With fewer rows than k some folds stay empty where sklearn refuses.
public enum StratifiedKFold {
    /// The fold (0..<k) of every row.
    ///
    /// - Complexity: O(n).
    public static func folds(labels: [Bool], k: Int, seed: UInt32) -> [Int] {
        precondition(k >= 2, "StratifiedKFold needs k ≥ 2")
        guard let first = labels.first else { return [] }
        let encoded = labels.map { $0 == first ? 0 : 1 }          // order of appearance
        let classes = encoded.contains(1) ? 2 : 1
        let sorted = encoded.sorted()
        var allocation = [[Int]](repeating: [Int](repeating: 0, count: classes), count: k)
        for (i, c) in sorted.enumerated() { allocation[i % k][c] += 1 }
        var rng = RandomState(seed: seed)
        var out = [Int](repeating: 0, count: labels.count)
        for c in 0..<classes {
            let forClass = (0..<k).flatMap { f in [Int](repeating: f, count: allocation[f][c]) }
            let p = rng.permutation(forClass.count)
            var next = 0
            for (row, e) in encoded.enumerated() where e == c {
                out[row] = forClass[p[next]]
                next += 1
            }
        }
        return out
    }
}
