import Foundation
import SegADKernels
import SegADNative

/// A logistic regression on standardized features: z = (x − mean) / std,
/// score = w·z + b (log-odds of bad).
public struct StandardizedLogistic: Sendable {
    public var model: LogisticRegression
    public var mean: [Double]
    public var std: [Double]

    /// Fits on the rows `rows` of `x` (n × d, row-major), standardizing by
    /// those rows' mean and (population) standard deviation.
    public static func fit(_ x: [Double], columns d: Int, rows: [Int], labels: [Bool], c: Double) -> StandardizedLogistic {
        let n = rows.count
        var mean = [Double](repeating: 0, count: d), std = [Double](repeating: 0, count: d)
        for i in rows { for j in 0..<d { mean[j] += x[i * d + j] / Double(n) } }
        for i in rows { for j in 0..<d { std[j] += pow(x[i * d + j] - mean[j], 2) / Double(n) } }
        std = std.map { $0 > 1e-12 ? sqrt($0) : 1 }
        var z = [Double](repeating: 0, count: n * d)
        for (r, i) in rows.enumerated() { for j in 0..<d { z[r * d + j] = (x[i * d + j] - mean[j]) / std[j] } }
        let model = LogisticRegression.fit(z, rows: n, columns: d, labels: rows.map { labels[$0] }, c: c)
        return StandardizedLogistic(model: model, mean: mean, std: std)
    }

    /// The L2 strength C of `grid` with the least out-of-fold log-loss under
    /// `StratifiedKFold(k, seed)` over `rows` — inner cross-validation on
    /// the model's own training rows only (ties: the first in `grid`).
    public static func chooseC(_ x: [Double], columns d: Int, rows: [Int], labels: [Bool], grid: [Double],
                               k: Int, seed: UInt32) -> Double {
        let folds = StratifiedKFold.folds(labels: rows.map { labels[$0] }, k: k, seed: seed)
        var best = grid[0], bestLoss = Double.infinity
        for c in grid {
            var loss = 0.0
            for f in 0..<k {
                let held = zip(rows, folds).filter { $0.1 == f }.map(\.0)
                if held.isEmpty { continue }
                let m = fit(x, columns: d, rows: zip(rows, folds).filter { $0.1 != f }.map(\.0), labels: labels, c: c)
                for i in held {
                    let z = m.score(x[(i * d)..<((i + 1) * d)]) * (labels[i] ? 1 : -1)
                    loss += z > 0 ? log1p(exp(-z)) : -z + log1p(exp(z))
                }
            }
            if loss < bestLoss { best = c; bestLoss = loss }
        }
        return best
    }

    public func score(_ row: ArraySlice<Double>) -> Double {
        var s = model.intercept
        for (j, v) in row.enumerated() { s += model.weights[j] * (v - mean[j]) / std[j] }
        return s
    }
}

/// Cross-fitting of a learned feature (docs/design.md, "Invariants", 2; docs/vad.md):
/// the forest's training rows are split by `StratifiedKFold`; fold f's rows
/// are scored by a model fitted on the classifier's training rows minus fold
/// f, so no forest row is scored by a model that saw it. Every other row
/// (test, new images) is scored by the model fitted on all the classifier's
/// training rows.
public struct ClassifierCrossFit: Sendable {
    public var full: StandardizedLogistic
    public var folds: [StandardizedLogistic]
    /// Per forest row (the `forestRows` given to `fit`, in order), its fold.
    public var foldOfForestRow: [Int]
    /// The C of the full model, then of each fold model.
    public var c: [Double]

    /// The C grid of `c: nil` (inner cross-validation).
    public static let cGrid = [0.01, 0.1, 1, 10]

    /// - Parameters:
    ///   - x: features of all rows involved (n × d, row-major).
    ///   - labels: per row, true = bad.
    ///   - classifierRows: the rows the classifier trains on.
    ///   - forestRows: the forest's training rows (may overlap `classifierRows`).
    ///   - c: the L2 strength; nil chooses it per model from `cGrid` by inner
    ///     cross-validation on that model's training rows (`chooseC`).
    /// - Throws: `ClassifierError.needsBothClasses(source, …)` when a fold's training rows miss a class.
    public static func fit(_ x: [Double], columns d: Int, labels: [Bool], classifierRows: [Int], forestRows: [Int],
                           k: Int, seed: UInt32, c: Double?, source: String) throws -> ClassifierCrossFit {
        func strength(_ rows: [Int]) -> Double {
            c ?? StandardizedLogistic.chooseC(x, columns: d, rows: rows, labels: labels, grid: cGrid, k: k, seed: seed)
        }
        func needBoth(_ rows: [Int], _ what: String) throws {
            guard rows.contains(where: { labels[$0] }), rows.contains(where: { !labels[$0] }) else {
                throw ClassifierError.needsBothClasses(source, what: what)
            }
        }
        try needBoth(classifierRows, "'classifier-train'")
        var cs = [strength(classifierRows)]
        let full = StandardizedLogistic.fit(x, columns: d, rows: classifierRows, labels: labels, c: cs[0])
        let assignment = StratifiedKFold.folds(labels: forestRows.map { labels[$0] }, k: k, seed: seed)
        var models: [StandardizedLogistic] = []
        for f in 0..<k {
            let held = Set(zip(forestRows, assignment).filter { $0.1 == f }.map(\.0))
            let rows = classifierRows.filter { !held.contains($0) }
            try needBoth(rows, "cross-fitting fold \(f + 1) of \(k) ('classifier-train' minus the fold's 'segad-train' rows)")
            cs.append(strength(rows))
            models.append(StandardizedLogistic.fit(x, columns: d, rows: rows, labels: labels, c: cs.last!))
        }
        return ClassifierCrossFit(full: full, folds: models, foldOfForestRow: assignment, c: cs)
    }
}
