import Foundation
import SegADNative
import SegADKernels
import SegADMethod

/// Out-of-fold scores of the SegAD training rows: each row scored by a model
/// that never saw it.
public struct OutOfFoldScores: Equatable, Sendable {
    public var ids: [String]
    /// 0 good, 1 bad.
    public var labels: [Int]
    /// The fold (0…k−1) each row was held out in.
    public var folds: [Int]
    public var scores: [Double]
}

/// Choosing the operating point: stratified, seeded k-fold out-of-fold
/// scores of the training rows, and the threshold that keeps a chosen
/// true-positive rate on them.
public enum OperatingPointSelection {
    /// Assigns each row (0 good, 1 bad) a fold: sklearn's
    /// `StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)`
    /// (`StratifiedKFold` in SegADKernels, the rule the classifier's
    /// cross-fitting uses too). Every fold holds ⌊n_c/k⌋ or ⌈n_c/k⌉ rows of
    /// each class c.
    ///
    /// - Throws: `InputError("--fold-seed", …)` for a seed outside
    ///   0…2³²−1, which sklearn (numpy's `RandomState`) refuses too; it is
    ///   never wrapped into range.
    public static func folds(labels: [Int], k: Int, seed: Int) throws -> [Int] {
        guard let s = UInt32(exactly: seed) else {
            throw InputError("--fold-seed", "\(seed) out of bounds 0…\(UInt32.max) (sklearn's random_state)")
        }
        return StratifiedKFold.folds(labels: labels.map { $0 == 1 }, k: k, seed: s)
    }

    /// The threshold for true-positive rate `tpr` on bad scores: the
    /// 'linear' quantile (numpy's default) of the n bad scores at 1 − tpr —
    /// the FPR@95TPR rule of docs/design.md, "Metrics", for tpr = 0.95. With h = (n − 1)(1 − tpr)
    /// the sorted scores from index ⌈h⌉ on are ≥ it (index ⌊h⌋ too when h
    /// is an integer, floating-point rounding permitting), so the share of
    /// bad scores kept is ≥ (n − 1)·tpr / n: the target up to one score
    /// (with 40 bad rows and tpr 0.95, at least 38 of 40 are kept).
    public static func threshold(badScores: [Double], tpr: Double) -> Double {
        Quantile.linear(badScores, q: 1 - tpr)
    }

    /// Why the share of `badScores` at or above `threshold` differs from
    /// `target` (nil when it equals it to 0.05 points): a few words for the
    /// tool's summary line. With n bad rows the share moves in steps of 1/n,
    /// and the linear quantile at 1 − target lies between two sorted scores,
    /// so a target between two steps cannot be met exactly (12 rows, 95%:
    /// 11 of 12 = 91.7% are kept).
    public static func whyTPRDiffers(badScores: [Double], threshold: Double, target: Double) -> String? {
        let n = badScores.count
        guard n > 0 else { return nil }
        let kept = badScores.filter { $0 >= threshold }.count
        let rate = Double(kept) / Double(n)
        guard abs(rate - target) >= 0.0005 else { return nil }
        let ties = badScores.filter { $0 == threshold }.count
        let head = String(format: "OOF TPR is not %.1f%%: %d of %d bad rows kept", target * 100, kept, n)
        if ties > 1 { return head + ", as \(ties) of them tie at the threshold" }
        return head + String(format: ", as %d rows allow only steps of %.1f%%", n, 100 / Double(n))
    }

    /// Out-of-fold margins: for each fold, a BRF with `parameters` (its
    /// `scalePosWeight` re-derived from the fold's own training rows when
    /// `deriveScalePosWeight`) trained on the other folds' rows — kept in
    /// their given order, which XGBoost's row sampling depends on — scores
    /// the fold's rows.
    ///
    /// - Parameters:
    ///   - features: `rows × columns`, row-major, NaN = missing.
    ///   - progress: called after each fold.
    public static func outOfFoldScores(features: [Float], rows: Int, columns: Int, labels: [Int], folds: [Int],
                                       k: Int, parameters: BRFParameters, deriveScalePosWeight: Bool,
                                       progress: ((Int) -> Void)? = nil) throws -> [Double] {
        var scores = [Double](repeating: .nan, count: rows)
        for f in 0..<k {
            let train = (0..<rows).filter { folds[$0] != f }
            let held = (0..<rows).filter { folds[$0] == f }
            guard !held.isEmpty else { continue }
            func take(_ idx: [Int]) -> [Float] {
                var out = [Float](); out.reserveCapacity(idx.count * columns)
                for r in idx { out += features[r * columns ..< (r + 1) * columns] }
                return out
            }
            var p = parameters
            if deriveScalePosWeight { p.scalePosWeight = nil }
            let booster = try BoostedRandomForest.train(features: take(train), rows: train.count, columns: columns,
                                                        labels: train.map { labels[$0] }, parameters: p)
            let s = try BoostedRandomForest.scores(booster, features: take(held), rows: held.count, columns: columns)
            for (i, r) in held.enumerated() { scores[r] = s[i] }
            progress?(f + 1)
        }
        return scores
    }
}

extension BRFParameters {
    /// The parameters a model artifact recorded (`segad_config.parameters`,
    /// XGBoost's names and values as strings), with `rounds` given apart.
    /// Unknown or unparsable values throw, naming `source`.
    init(recorded: [String: String], rounds: Int, source: String) throws {
        self.init()
        func number(_ key: String) throws -> Double {
            guard let s = recorded[key], let v = Double(s) else { throw PipelineError.modelParameter(source, key: key) }
            return v
        }
        self.rounds = rounds
        numParallelTree = Int(try number("num_parallel_tree"))
        maxDepth = Int(try number("max_depth"))
        eta = try number("eta")
        objective = recorded["objective"] ?? objective
        subsample = try number("subsample")
        colsampleByTree = try number("colsample_bytree")
        colsampleByNode = try number("colsample_bynode")
        alpha = try number("alpha")
        treeMethod = recorded["tree_method"] ?? treeMethod
        scalePosWeight = recorded["scale_pos_weight"].flatMap(Double.init)
        seed = Int(try number("seed"))
        threads = recorded["nthread"].flatMap(Int.init) ?? 1
    }

    /// Boosting rounds of a model in XGBoost's JSON: its trees
    /// (`learner.gradient_booster.model.gbtree_model_param.num_trees`) over
    /// the trees grown per round.
    static func rounds(ofModelJSON json: String, treesPerRound: Int, source: String) throws -> Int {
        guard let root = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let learner = root["learner"] as? [String: Any],
              let gb = learner["gradient_booster"] as? [String: Any],
              let model = gb["model"] as? [String: Any],
              let param = model["gbtree_model_param"] as? [String: Any],
              let trees = Int("\(param["num_trees"] ?? "")"), trees > 0, treesPerRound > 0,
              trees % treesPerRound == 0 else {
            throw PipelineError.treeCount(source, treesPerRound: treesPerRound)
        }
        return trees / treesPerRound
    }
}
