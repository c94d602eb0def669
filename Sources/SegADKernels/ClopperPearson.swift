import Foundation

/// The exact (Clopper–Pearson) confidence interval of a binomial proportion:
/// k events in n trials. The bounds are the proportions at which seeing k or
/// more (lower) or k or fewer (upper) events has probability (1 − level)/2:
///
///     lower: P(X ≥ k | n, p) = (1 − level)/2   (0 when k = 0)
///     upper: P(X ≤ k | n, p) = (1 − level)/2   (1 when k = n)
///
/// equal to scipy's `beta.ppf((1−level)/2, k, n−k+1)` and
/// `beta.ppf((1+level)/2, k+1, n−k)`. Used for the false-alarm rate of an
/// operating point on held-out good images (docs/regimes.md), where n is
/// often small and k often 0, exactly where normal approximations fail.
public enum ClopperPearson {
    /// The interval for k of n at `level` (e.g. 0.95).
    ///
    /// Each bound is found by bisection on p in [0, 1] (the binomial CDF is
    /// monotone in p) to 1e-15, with the CDF summed from log-space terms.
    /// - Complexity: O(k · 60).
    public static func interval(events k: Int, trials n: Int, level: Double = 0.95) -> (lower: Double, upper: Double) {
        precondition(n >= 1 && k >= 0 && k <= n && level > 0 && level < 1)
        let tail = (1 - level) / 2
        let lower = k == 0 ? 0 : solve { 1 - cdf(k - 1, n, $0) - tail }   // increasing in p
        let upper = k == n ? 1 : solve { tail - cdf(k, n, $0) }           // increasing in p
        return (lower, upper)
    }

    /// P(X ≤ k) for X ~ Binomial(n, p).
    static func cdf(_ k: Int, _ n: Int, _ p: Double) -> Double {
        if p <= 0 { return 1 }
        if p >= 1 { return k >= n ? 1 : 0 }
        let lp = log(p), lq = log1p(-p)
        var sum = 0.0, logChoose = 0.0   // log C(n, i), built term by term
        for i in 0...k {
            if i > 0 { logChoose += log(Double(n - i + 1)) - log(Double(i)) }
            sum += exp(logChoose + Double(i) * lp + Double(n - i) * lq)
        }
        return min(1, sum)
    }

    /// The root in (0, 1) of an increasing function, by bisection.
    static func solve(_ f: (Double) -> Double) -> Double {
        var lo = 0.0, hi = 1.0
        for _ in 0..<200 where hi - lo > 1e-15 * max(hi, 1e-300) {
            let mid = (lo + hi) / 2
            if f(mid) < 0 { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }
}
