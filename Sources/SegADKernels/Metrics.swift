// Detection metrics (docs/design.md, "Metrics"). Values are fractions in [0, 1];
// callers multiply by 100 for the paper-style tables.

/// Image-level detection metrics. `labels[i]` is true for an anomalous (bad)
/// image; a higher score means more anomalous.
public enum Metrics {
    /// Area under the ROC curve, as sklearn.metrics.roc_auc_score: the
    /// Mann–Whitney statistic U / (n_bad · n_good), where a (bad, good) pair
    /// with equal scores counts one half.
    ///
    /// Computed exactly in integers (2U) over tie groups of the sorted scores,
    /// then divided once, so it agrees with sklearn's trapezoid to ~1e-16.
    ///
    /// Returns NaN when one class is absent (sklearn raises ValueError: the
    /// AUROC is undefined) or when any score is NaN (sklearn raises too).
    ///
    /// - Complexity: O(n log n).
    public static func auroc(scores: [Double], labels: [Bool]) -> Double {
        precondition(scores.count == labels.count, "scores and labels differ in length")
        let n = scores.count
        var nBad = 0
        for l in labels where l { nBad += 1 }
        let nGood = n - nBad
        if nBad == 0 || nGood == 0 { return .nan }
        for s in scores where s.isNaN { return .nan }
        let order = (0..<n).sorted { scores[$0] < scores[$1] }
        // twiceU = Σ over bad items of 2·(#good strictly below) + (#good tied).
        var twiceU = 0
        var goodBelow = 0
        var i = 0
        while i < n {
            let s = scores[order[i]]
            var j = i
            var bad = 0, good = 0
            while j < n && scores[order[j]] == s {
                if labels[order[j]] { bad += 1 } else { good += 1 }
                j += 1
            }
            twiceU += bad * (2 * goodBelow + good)
            goodBelow += good
            i = j
        }
        return Double(twiceU) / (2 * Double(nBad) * Double(nGood))
    }

    /// False-positive rate at 95% true-positive rate, as the reference
    /// computes it: thr = numpy.quantile(bad scores, 0.05) ('linear'), and
    /// FPR = the share of good scores that are not < thr (so a good score
    /// equal to thr, or NaN, counts as a false positive).
    ///
    /// Returns NaN when one class is absent, or when a bad score is NaN.
    ///
    /// - Complexity: O(n) expected.
    public static func fprAtTPR95(scores: [Double], labels: [Bool]) -> Double {
        precondition(scores.count == labels.count, "scores and labels differ in length")
        var bad: [Double] = []
        var good: [Double] = []
        for (s, l) in zip(scores, labels) {
            if l { bad.append(s) } else { good.append(s) }
        }
        if bad.isEmpty || good.isEmpty { return .nan }
        let thr = Quantile.linear(bad, q: 0.05)
        if thr.isNaN { return .nan }
        var falsePositives = 0
        for g in good where !(g < thr) { falsePositives += 1 }
        return Double(falsePositives) / Double(good.count)
    }

    /// Mean and population standard deviation (numpy.mean, numpy.std with
    /// ddof = 0): std = sqrt(mean((x − mean)²)), two passes.
    /// Both are NaN for an empty array (numpy warns and returns NaN).
    ///
    /// - Complexity: O(n).
    public static func meanStd(_ xs: [Double]) -> (mean: Double, std: Double) {
        if xs.isEmpty { return (.nan, .nan) }
        let n = Double(xs.count)
        var sum = 0.0
        for x in xs { sum += x }
        let mean = sum / n
        var ss = 0.0
        for x in xs { ss += (x - mean) * (x - mean) }
        return (mean, (ss / n).squareRoot())
    }
}
