import Foundation

/// L2-regularized logistic regression fitted by Newton's method — the
/// objective of sklearn's `LogisticRegression(C=c)` (lbfgs/newton-cg):
///
///     minimize  ½‖w‖² + c · Σᵢ log(1 + exp(−yᵢ (w·xᵢ + b))),   yᵢ ∈ {−1, +1},
///
/// with the intercept b unpenalized. The objective is strictly convex, so
/// Newton's step H⁻¹g (H = I' + c·XᵀDX, D = diag(pᵢ(1−pᵢ)), I' the identity
/// without the intercept's entry) converges quadratically; iterations stop
/// when the largest gradient entry is below `tolerance`.
///
/// - Complexity: O(iterations · (n·d² + d³)) for n rows of d features.
public struct LogisticRegression: Sendable {
    public var weights: [Double]
    public var intercept: Double

    public init(weights: [Double], intercept: Double) { self.weights = weights; self.intercept = intercept }

    /// Fits on `x` (n × d, row-major) with labels `y` (true = positive class).
    public static func fit(_ x: [Double], rows n: Int, columns d: Int, labels y: [Bool], c: Double = 1,
                           maxIterations: Int = 100, tolerance: Double = 1e-8) -> LogisticRegression {
        precondition(x.count == n * d && y.count == n, "LogisticRegression.fit: shapes")
        let m = d + 1                                   // parameters: w (d), then b
        var theta = [Double](repeating: 0, count: m)
        for _ in 0..<maxIterations {
            var g = [Double](repeating: 0, count: m)
            var h = [Double](repeating: 0, count: m * m)
            for j in 0..<d { g[j] = theta[j]; h[j * m + j] = 1 }
            for i in 0..<n {
                let row = x[(i * d)..<(i * d + d)]
                var z = theta[d]
                for (j, v) in row.enumerated() { z += theta[j] * v }
                let p = 1 / (1 + exp(-z))                   // P(positive)
                let r = c * (p - (y[i] ? 1 : 0))
                let wgt = c * max(p * (1 - p), 1e-12)
                for (j, v) in row.enumerated() {
                    g[j] += r * v
                    let a = wgt * v
                    for (k, u) in row.enumerated() where k <= j { h[j * m + k] += a * u }
                    h[d * m + j] += a
                }
                g[d] += r
                h[d * m + d] += wgt
            }
            for j in 0..<m { for k in (j + 1)..<m { h[j * m + k] = h[k * m + j] } }
            if g.map(abs).max()! < tolerance { break }
            let step = solveSPD(h, g, m)
            for j in 0..<m { theta[j] -= step[j] }
        }
        return LogisticRegression(weights: Array(theta[..<d]), intercept: theta[d])
    }

    /// The decision function w·x + b (the log-odds of the positive class).
    public func decision(_ x: ArraySlice<Double>) -> Double {
        var z = intercept
        for (j, v) in x.enumerated() { z += weights[j] * v }
        return z
    }

    /// Solves A s = b for symmetric positive definite A (m × m) by Cholesky.
    static func solveSPD(_ a: [Double], _ b: [Double], _ m: Int) -> [Double] {
        var l = [Double](repeating: 0, count: m * m)
        for j in 0..<m {
            var s = a[j * m + j]
            for k in 0..<j { s -= l[j * m + k] * l[j * m + k] }
            let djj = sqrt(max(s, 1e-300))
            l[j * m + j] = djj
            for i in (j + 1)..<m {
                var t = a[i * m + j]
                for k in 0..<j { t -= l[i * m + k] * l[j * m + k] }
                l[i * m + j] = t / djj
            }
        }
        var y = b
        for i in 0..<m { for k in 0..<i { y[i] -= l[i * m + k] * y[k] }; y[i] /= l[i * m + i] }
        for i in stride(from: m - 1, through: 0, by: -1) {
            for k in (i + 1)..<m { y[i] -= l[k * m + i] * y[k] }
            y[i] /= l[i * m + i]
        }
        return y
    }
}
