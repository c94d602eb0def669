import SegADNative

/// The Boosted Random Forest's settings: XGBoost's parameters for the final
/// SegAD classifier (docs/design.md, "The Boosted Random Forest"), plus the number of rounds.
///
/// Defaults are the paper's: 10 rounds of 200 parallel trees, depth 5,
/// eta 0.3, `binary:logitraw`, row/column subsampling 0.6, L1 1.0, `hist`.
/// `scalePosWeight == nil` means "good training rows / bad training rows",
/// resolved by `resolved(goodRows:badRows:)` when training.
///
/// Decoding accepts a partial JSON object; missing keys keep their defaults.
public struct BRFParameters: Codable, Equatable, Sendable {
    public var rounds = 10
    public var numParallelTree = 200
    public var maxDepth = 5
    public var eta = 0.3
    public var objective = "binary:logitraw"
    public var subsample = 0.6
    public var colsampleByTree = 0.6
    public var colsampleByNode = 0.6
    /// L1 regularisation on leaf weights (XGBoost `alpha`).
    public var alpha = 1.0
    public var treeMethod = "hist"
    /// Weight of the positive (bad) class; nil → good rows / bad rows.
    public var scalePosWeight: Double? = nil
    public var seed = 0
    /// XGBoost's `nthread`.
    public var threads = 1

    public init(rounds: Int = 10, numParallelTree: Int = 200, maxDepth: Int = 5, eta: Double = 0.3,
                objective: String = "binary:logitraw", subsample: Double = 0.6,
                colsampleByTree: Double = 0.6, colsampleByNode: Double = 0.6, alpha: Double = 1.0,
                treeMethod: String = "hist", scalePosWeight: Double? = nil, seed: Int = 0,
                threads: Int = 1) {
        self.rounds = rounds
        self.numParallelTree = numParallelTree
        self.maxDepth = maxDepth
        self.eta = eta
        self.objective = objective
        self.subsample = subsample
        self.colsampleByTree = colsampleByTree
        self.colsampleByNode = colsampleByNode
        self.alpha = alpha
        self.treeMethod = treeMethod
        self.scalePosWeight = scalePosWeight
        self.seed = seed
        self.threads = threads
    }

    private enum CodingKeys: String, CodingKey {
        case rounds, numParallelTree, maxDepth, eta, objective, subsample, colsampleByTree,
             colsampleByNode, alpha, treeMethod, scalePosWeight, seed, threads
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = BRFParameters()
        rounds = try c.decodeIfPresent(Int.self, forKey: .rounds) ?? d.rounds
        numParallelTree = try c.decodeIfPresent(Int.self, forKey: .numParallelTree) ?? d.numParallelTree
        maxDepth = try c.decodeIfPresent(Int.self, forKey: .maxDepth) ?? d.maxDepth
        eta = try c.decodeIfPresent(Double.self, forKey: .eta) ?? d.eta
        objective = try c.decodeIfPresent(String.self, forKey: .objective) ?? d.objective
        subsample = try c.decodeIfPresent(Double.self, forKey: .subsample) ?? d.subsample
        colsampleByTree = try c.decodeIfPresent(Double.self, forKey: .colsampleByTree) ?? d.colsampleByTree
        colsampleByNode = try c.decodeIfPresent(Double.self, forKey: .colsampleByNode) ?? d.colsampleByNode
        alpha = try c.decodeIfPresent(Double.self, forKey: .alpha) ?? d.alpha
        treeMethod = try c.decodeIfPresent(String.self, forKey: .treeMethod) ?? d.treeMethod
        scalePosWeight = try c.decodeIfPresent(Double.self, forKey: .scalePosWeight)
        seed = try c.decodeIfPresent(Int.self, forKey: .seed) ?? d.seed
        threads = try c.decodeIfPresent(Int.self, forKey: .threads) ?? d.threads
    }

    /// A copy whose `scalePosWeight` is set: kept if given, else
    /// `goodRows / badRows`: good training rows / bad training rows (docs/design.md,
    /// "The Boosted Random Forest").
    public func resolved(goodRows: Int, badRows: Int) -> BRFParameters {
        var copy = self
        if copy.scalePosWeight == nil, badRows > 0 {
            copy.scalePosWeight = Double(goodRows) / Double(badRows)
        }
        return copy
    }

    /// The (name, value) pairs passed to `XGBoosterSetParam`, in this order.
    /// Numbers are written with Swift's shortest round-tripping text, so no
    /// precision is lost. `scale_pos_weight` appears only once resolved
    /// (see `resolved(goodRows:badRows:)`); `train` always resolves it first.
    /// `rounds` is not an XGBoost parameter (it is the number of
    /// `updateOneIteration` calls).
    public var xgboostParameters: [(String, String)] {
        var p: [(String, String)] = [
            ("booster", "gbtree"),
            ("objective", objective),
            ("tree_method", treeMethod),
            ("num_parallel_tree", String(numParallelTree)),
            ("max_depth", String(maxDepth)),
            ("eta", String(eta)),
            ("subsample", String(subsample)),
            ("colsample_bytree", String(colsampleByTree)),
            ("colsample_bynode", String(colsampleByNode)),
            ("alpha", String(alpha)),
        ]
        if let scalePosWeight { p.append(("scale_pos_weight", String(scalePosWeight))) }
        p += [
            ("seed", String(seed)),
            ("nthread", String(threads)),
            ("verbosity", "0"),
        ]
        return p
    }
}

/// Training data the Boosted Random Forest refuses, in plain words.
public struct BRFInputError: Error, CustomStringConvertible, Equatable, Sendable {
    public var fault: String
    public init(_ fault: String) { self.fault = fault }
    public var description: String { "BRF training data: \(fault)" }
}

/// SegAD's final classifier: a Boosted Random Forest (XGBoost gbtree with
/// `num_parallel_tree` trees per round) on the per-image segment features.
/// Its raw margin (log-odds, `binary:logitraw`) is the anomaly score.
public enum BoostedRandomForest {
    /// Trains a BRF.
    ///
    /// - Parameters:
    ///   - features: `rows × columns` row-major features; NaN = missing.
    ///   - labels: one per row, 0 = good, 1 = bad; both must occur.
    ///   - parameters: XGBoost settings; `scalePosWeight == nil` becomes
    ///     good rows / bad rows.
    /// - Returns: the trained booster (`parameters.rounds` rounds).
    /// - Throws: `BRFInputError` for bad shapes or labels, `XGBoostError`
    ///   when XGBoost refuses a parameter or fails.
    public static func train(features: [Float], rows: Int, columns: Int, labels: [Int],
                             parameters: BRFParameters) throws -> XGBBooster {
        try checkShape(features: features, rows: rows, columns: columns)
        if let fault = parameters.fault { throw BRFInputError("parameters: \(fault)") }
        guard labels.count == rows else {
            throw BRFInputError("\(labels.count) labels for \(rows) rows")
        }
        if let bad = labels.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw BRFInputError("label \(labels[bad]) in row \(bad); labels must be 0 (good) or 1 (bad)")
        }
        let badRows = labels.reduce(0, +)
        let goodRows = rows - badRows
        guard goodRows > 0, badRows > 0 else {
            throw BRFInputError("both classes are needed, got \(goodRows) good and \(badRows) bad rows")
        }
        guard parameters.rounds > 0 else {
            throw BRFInputError("rounds must be positive, got \(parameters.rounds)")
        }

        let matrix = try XGBDMatrix(values: features, rows: rows, columns: columns)
        try matrix.setLabels(labels.map(Float.init))
        let booster = try XGBBooster(training: matrix)
        for (name, value) in parameters.resolved(goodRows: goodRows, badRows: badRows).xgboostParameters {
            try booster.setParameter(name, value)
        }
        for round in 0..<parameters.rounds {
            try booster.updateOneIteration(round, matrix)
        }
        return booster
    }

    /// Raw margins (anomaly scores), one per row of `features`
    /// (`rows × columns`, row-major, NaN = missing), over all trees. No rows
    /// give no scores.
    public static func scores(_ booster: XGBBooster, features: [Float], rows: Int,
                              columns: Int) throws -> [Double] {
        if rows == 0, features.isEmpty { return [] }
        try checkShape(features: features, rows: rows, columns: columns)
        let matrix = try XGBDMatrix(values: features, rows: rows, columns: columns)
        return try booster.predictMargins(matrix).map(Double.init)
    }

    private static func checkShape(features: [Float], rows: Int, columns: Int) throws {
        guard rows > 0 else { throw BRFInputError("no rows") }
        guard columns > 0 else { throw BRFInputError("no feature columns") }
        guard features.count == rows * columns else {
            throw BRFInputError("\(features.count) feature values for \(rows) rows × \(columns) columns")
        }
    }
}
