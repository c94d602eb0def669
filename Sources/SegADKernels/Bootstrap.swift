/// Seeded, stratified bootstrap of the detection metrics over test images
/// (docs/design.md, "Metrics": "Intervals"), for the report's 95% intervals.
///
/// The resampling indices come from `SplitMix64(seed:)` alone, in a fixed
/// order, so a reader can reproduce them elsewhere (the golden test does so
/// in numpy: Tests/SegADKernelsTests/Golden/make_bootstrap.py):
///
///     for b in 0..<resamples:                 (one resample)
///       for g in groups, in the given order:  (e.g. seeds × classes)
///         good positions of g, in order: draw n_good of them, each goodPositions[next() % n_good]
///         bad positions of g, in order:  draw n_bad of them,  each badPositions[next() % n_bad]
///
/// Stratified by label: every resample of a group keeps its numbers of good
/// and bad images, so both metrics are always defined. (`next() % n` has a
/// bias below n / 2⁶⁴, immaterial for test sets of any size.)
public enum Bootstrap {
    /// One group of test images: scores and labels (true = bad).
    public struct Group: Sendable {
        public var scores: [Double]
        public var labels: [Bool]
        public init(scores: [Double], labels: [Bool]) {
            precondition(scores.count == labels.count, "scores and labels differ in length")
            self.scores = scores; self.labels = labels
        }
    }

    /// A stratified resample of `labels`' positions: first the good positions
    /// drawn with replacement (as many as there are good images), then the
    /// bad ones likewise, each draw `positions[rng.next() % count]`.
    public static func stratifiedIndices(labels: [Bool], rng: inout SplitMix64) -> [Int] {
        let good = labels.indices.filter { !labels[$0] }
        let bad = labels.indices.filter { labels[$0] }
        var out: [Int] = []
        out.reserveCapacity(labels.count)
        for positions in [good, bad] where !positions.isEmpty {
            let n = UInt64(positions.count)
            for _ in 0..<positions.count { out.append(positions[Int(rng.next() % n)]) }
        }
        return out
    }

    /// The metrics of every group in every resample, as fractions:
    /// `result[b][g]` is (AUROC, FPR@95TPR) of group g in resample b
    /// (`Metrics.auroc`, `Metrics.fprAtTPR95`).
    public static func replicates(groups: [Group], resamples: Int, seed: UInt64) -> [[(auroc: Double, fpr: Double)]] {
        var rng = SplitMix64(seed: seed)
        var out: [[(auroc: Double, fpr: Double)]] = []
        out.reserveCapacity(max(0, resamples))
        for _ in 0..<max(0, resamples) {
            var row: [(auroc: Double, fpr: Double)] = []
            row.reserveCapacity(groups.count)
            for g in groups {
                let idx = stratifiedIndices(labels: g.labels, rng: &rng)
                let s = idx.map { g.scores[$0] }, l = idx.map { g.labels[$0] }
                row.append((Metrics.auroc(scores: s, labels: l), Metrics.fprAtTPR95(scores: s, labels: l)))
            }
            out.append(row)
        }
        return out
    }

    /// The percentile interval of `values` at `level` (0.95: the 2.5th and
    /// 97.5th percentiles, numpy's 'linear' quantile). NaN ends when
    /// `values` is empty or holds a NaN.
    public static func percentileInterval(_ values: [Double], level: Double = 0.95) -> (low: Double, high: Double) {
        guard !values.isEmpty, !values.contains(where: \.isNaN) else { return (.nan, .nan) }
        let tail = (1 - level) / 2
        return (Quantile.linear(values, q: tail), Quantile.linear(values, q: 1 - tail))
    }
}
