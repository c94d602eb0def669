/// An operating point chosen on held-out good images for a target
/// false-alarm rate (docs/regimes.md): the decision rule stays "anomalous
/// when score ≥ threshold", and the threshold lets at most ⌊target · n⌋ of
/// the n held-out good scores reach it, so the false-alarm rate on those
/// images is ≤ target by construction. Its 95% interval is the exact
/// binomial (Clopper–Pearson) interval of the false alarms seen.
public struct FalseAlarmPoint: Equatable, Sendable {
    /// The target false-alarm rate, in (0, 0.5].
    public var target: Double
    public var threshold: Double
    /// Held-out good images the point was set on.
    public var heldOut: Int
    /// Held-out good scores ≥ threshold.
    public var falseAlarms: Int
    public var rate: Double { Double(falseAlarms) / Double(heldOut) }
    /// Exact 95% interval of the false-alarm rate (Clopper–Pearson).
    public var interval: (lower: Double, upper: Double)
    public static let intervalMethod = "Clopper-Pearson exact binomial, 95%"

    public static func == (a: Self, b: Self) -> Bool {
        a.target == b.target && a.threshold == b.threshold && a.heldOut == b.heldOut && a.falseAlarms == b.falseAlarms
            && a.interval == b.interval
    }

    /// The point for `target` on `goodScores` (finite, at least one).
    ///
    /// With the scores sorted from high to low, s₁ ≥ s₂ ≥ … ≥ sₙ, and
    /// a = ⌊target · n⌋ alarms allowed, the threshold lies strictly between
    /// s₍ₐ₊₁₎ and the next higher distinct score (their midpoint), or, when
    /// no score is higher, at s₁ + 10⁻⁶·max(1, |s₁|): only scores above
    /// s₍ₐ₊₁₎ reach it, at most a of them (fewer when scores tie). The margin
    /// keeps that true after the threshold's trip through a JSON attribute
    /// (Foundation's parser may return a number one ulp off what was
    /// written), and XGBoost's margins, float32 values, are never closer
    /// than one float32 ulp, far above that error.
    /// - Complexity: O(n log n + a · 60) for the sort and the interval.
    public static func choose(goodScores: [Double], target: Double) -> FalseAlarmPoint {
        precondition(!goodScores.isEmpty && target > 0 && target < 1)
        let sorted = goodScores.sorted(by: >)
        let n = sorted.count
        let allowed = min(n - 1, Int((target * Double(n) + 1e-9).rounded(.down)))
        let s = sorted[allowed]
        let threshold: Double
        if let higher = sorted[..<allowed].last(where: { $0 > s }) {
            threshold = s + (higher - s) / 2
        } else {
            threshold = s + 1e-6 * max(1, abs(s))
        }
        let alarms = sorted.filter { $0 >= threshold }.count
        return FalseAlarmPoint(target: target, threshold: threshold, heldOut: n, falseAlarms: alarms,
                               interval: ClopperPearson.interval(events: alarms, trials: n))
    }

    public init(target: Double, threshold: Double, heldOut: Int, falseAlarms: Int, interval: (lower: Double, upper: Double)) {
        self.target = target; self.threshold = threshold; self.heldOut = heldOut; self.falseAlarms = falseAlarms
        self.interval = interval
    }
}
