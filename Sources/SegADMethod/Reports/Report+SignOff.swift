import Foundation
import SegADKernels

/// What an engineer signs off on (`evaluate report --sign-off`, used by
/// `make images`): per row the test counts, the working size, 95% bootstrap
/// intervals on Cl. AUROC and FPR@95TPR, a flag on rows with few test
/// defects, and which row became the saved pipeline with its operating
/// point. Off by default, so the benchmarks' reports (results.csv,
/// results.md, metrics.json of `make demo`) stay as they were.
/// docs/design.md, "Metrics", says how the intervals are made.
extension Report {
    /// The saved pipeline's row and operating point (`evaluate save-pipeline`).
    public struct SavedRow: Equatable, Sendable {
        public var path: String
        /// The report row it was saved from; nil when the pipeline does not say.
        public var method: String?
        public var seed: Int
        public var threshold: Double
        /// The true-positive rate the threshold was chosen for (0…1).
        public var targetTPR: Double
        public var folds: Int
        public var foldSeed: Int
        /// Out-of-fold rates on the seed's SegAD training rows, 0…1.
        public var oofTPR: Double, oofFPR: Double, oofAUROC: Double
        public var oofGood: Int, oofBad: Int
        public init(path: String, method: String?, seed: Int, threshold: Double, targetTPR: Double, folds: Int,
                    foldSeed: Int, oofTPR: Double, oofFPR: Double, oofAUROC: Double, oofGood: Int, oofBad: Int) {
            self.path = path; self.method = method; self.seed = seed; self.threshold = threshold
            self.targetTPR = targetTPR; self.folds = folds; self.foldSeed = foldSeed
            self.oofTPR = oofTPR; self.oofFPR = oofFPR; self.oofAUROC = oofAUROC
            self.oofGood = oofGood; self.oofBad = oofBad
        }
    }

    public struct SignOff: Sendable {
        /// The working size the maps were made at, "HxW".
        public var workingSize: String?
        public var pipeline: SavedRow?
        /// Bootstrap resamples and the SplitMix64 seed of their indices.
        public var resamples: Int
        public var seed: UInt64
        /// Rows with fewer test defects than this (in the smallest seed) are "indicative only".
        public static let indicativeBelow = 10
        public init(workingSize: String? = nil, pipeline: SavedRow? = nil, resamples: Int = 1000, seed: UInt64 = 0) {
            self.workingSize = workingSize; self.pipeline = pipeline; self.resamples = resamples; self.seed = seed
        }
    }

    /// One seed's test counts (over classes): good, bad in the metrics, uncertain.
    public struct TestCounts: Equatable, Sendable {
        public var good = 0, bad = 0, uncertain = 0
        public init(good: Int = 0, bad: Int = 0, uncertain: Int = 0) {
            self.good = good; self.bad = bad; self.uncertain = uncertain
        }
    }

    /// A row's sign-off figures; intervals ×100, (low, high).
    public struct RowSignOff {
        public var counts: [Int: TestCounts]
        public var auroc: (low: Double, high: Double)
        public var fpr: (low: Double, high: Double)
        public var perClass: [String: (auroc: (low: Double, high: Double), fpr: (low: Double, high: Double))]
        /// Fewer than `SignOff.indicativeBelow` test defects in some seed.
        public var indicativeOnly: Bool { (counts.values.map(\.bad).min() ?? 0) < SignOff.indicativeBelow }
    }

    /// One seed and class's metric rows, as `run` collects them.
    struct TestGroup {
        var className: String
        var seed: Int
        var group: Bootstrap.Group
        var uncertain: Int
    }

    /// The bootstrap of one row: groups ordered by class name, then seed
    /// (the order the resampling indices are drawn in); each resample's
    /// statistic is the reported one — per seed the mean over classes, then
    /// the mean over seeds (per class: the mean over seeds).
    static func rowSignOff(_ groups: [TestGroup], _ s: SignOff) -> RowSignOff {
        let ordered = groups.sorted { ($0.className, $0.seed) < ($1.className, $1.seed) }
        var counts: [Int: TestCounts] = [:]
        for g in ordered {
            let bad = g.group.labels.filter { $0 }.count
            counts[g.seed, default: TestCounts()].good += g.group.labels.count - bad
            counts[g.seed, default: TestCounts()].bad += bad
            counts[g.seed, default: TestCounts()].uncertain += g.uncertain
        }
        let reps = Bootstrap.replicates(groups: ordered.map(\.group), resamples: s.resamples, seed: s.seed)
        let classes = Array(Set(ordered.map(\.className))).sorted()
        let seeds = Array(Set(ordered.map(\.seed))).sorted()
        func mean(_ xs: [Double]) -> Double { xs.reduce(0, +) / Double(xs.count) }
        var overallA: [Double] = [], overallF: [Double] = []
        var classA: [String: [Double]] = [:], classF: [String: [Double]] = [:]
        for row in reps {
            var perSeedA: [Double] = [], perSeedF: [Double] = []
            for seed in seeds {
                let idx = ordered.indices.filter { ordered[$0].seed == seed }
                perSeedA.append(100 * mean(idx.map { row[$0].auroc }))
                perSeedF.append(100 * mean(idx.map { row[$0].fpr }))
            }
            overallA.append(mean(perSeedA)); overallF.append(mean(perSeedF))
            if classes.count > 1 {
                for c in classes {
                    let idx = ordered.indices.filter { ordered[$0].className == c }
                    classA[c, default: []].append(100 * mean(idx.map { row[$0].auroc }))
                    classF[c, default: []].append(100 * mean(idx.map { row[$0].fpr }))
                }
            }
        }
        var perClass: [String: (auroc: (low: Double, high: Double), fpr: (low: Double, high: Double))] = [:]
        for c in classA.keys {
            perClass[c] = (Bootstrap.percentileInterval(classA[c]!), Bootstrap.percentileInterval(classF[c]!))
        }
        return RowSignOff(counts: counts, auroc: Bootstrap.percentileInterval(overallA),
                          fpr: Bootstrap.percentileInterval(overallF), perClass: perClass)
    }

    /// How the intervals were made, one sentence for results.md and metrics.json.
    static func intervalMethod(_ s: SignOff) -> String {
        "percentile bootstrap over test images: \(s.resamples) resamples, indices from SplitMix64 seed \(s.seed); "
            + "stratified by label (in every seed and class the good and the bad test images are each drawn with replacement, "
            + "as many as there are); each resample's statistic as reported (per seed AUROC or FPR@95TPR, mean over classes, "
            + "then over seeds — pooled across seeds); the interval is its 2.5th and 97.5th percentiles (numpy 'linear'); "
            + "every method is resampled with the same indices"
    }

    static func countsText(_ counts: [Int: TestCounts]) -> String {
        func span(_ xs: [Int]) -> String {
            let lo = xs.min() ?? 0, hi = xs.max() ?? 0
            return lo == hi ? "\(lo)" : "\(lo)–\(hi)"
        }
        let c = Array(counts.values)
        return "\(span(c.map(\.good))) / \(span(c.map(\.bad))) / \(span(c.map(\.uncertain)))"
    }

    static func intervalText(_ i: (low: Double, high: Double)) -> String { "[\(fmt(i.low, 2)), \(fmt(i.high, 2))]" }

    /// The "For sign-off" section of results.md.
    static func signOffMarkdown(_ results: [MethodResult], classes: [String], signOff s: SignOff) -> String {
        var md = "\n## For sign-off\n\n"
        if let size = s.workingSize { md += "Working size (HxW): \(size).\n\n" }
        md += "| Method | test good / bad / uncertain per seed | size (HxW) | Cl. AUROC [95% interval] | FPR@95TPR [95% interval] | note |\n"
        md += "|---|---:|---:|---:|---:|---|\n"
        for r in results {
            guard let so = r.signOff else { continue }
            var notes: [String] = []
            if so.indicativeOnly { notes.append("indicative only (fewer than \(SignOff.indicativeBelow) test defects)") }
            if let p = s.pipeline, p.method == r.method { notes.append("saved as pipeline.h5 (seed \(p.seed))") }
            md += "| \(r.method) | \(countsText(so.counts)) | \(s.workingSize ?? "–") | \(fmt(r.auroc.mean, 2)) \(intervalText(so.auroc)) "
            md += "| \(fmt(r.fpr.mean, 2)) \(intervalText(so.fpr)) | \(notes.joined(separator: "; ")) |\n"
        }
        if classes.count > 1 {
            md += "\nPer class (mean over seeds [95% interval]):\n\n| Method | class | Cl. AUROC | FPR@95TPR |\n|---|---|---:|---:|\n"
            for r in results {
                guard let so = r.signOff else { continue }
                for c in classes {
                    guard let v = r.perClass[c], let i = so.perClass[c] else { continue }
                    md += "| \(r.method) | \(c) | \(fmt(v.auroc.mean, 2)) \(intervalText(i.auroc)) | \(fmt(v.fpr.mean, 2)) \(intervalText(i.fpr)) |\n"
                }
            }
        }
        md += "\n95% intervals: " + intervalMethod(s) + ". Rows with fewer than \(SignOff.indicativeBelow) test defects in a seed are indicative only: one image moves their AUROC by several points.\n"
        if let p = s.pipeline {
            md += "\n### Saved pipeline\n\n"
            md += "`\(p.path)` holds \(p.method.map { "**\($0)**" } ?? "a SegAD row (its method is not recorded)"), the model of seed \(p.seed). "
            md += String(format: "Operating point: a score ≥ %.6g is bad. It was chosen to keep %.1f%% of the bad images on %d-fold out-of-fold scores ",
                         p.threshold, p.targetTPR * 100, p.folds)
            md += "of the seed's SegAD training rows (\(p.oofGood) good, \(p.oofBad) bad; folds seeded \(p.foldSeed)), never on a test image: "
            md += String(format: "out-of-fold recall %.1f%%, false-alarm rate %.1f%%, AUROC %.2f.\n", p.oofTPR * 100, p.oofFPR * 100, p.oofAUROC * 100)
        }
        return md
    }

    /// metrics.json's top-level "sign_off".
    static func signOffJSON(_ s: SignOff) -> [String: Any] {
        var out: [String: Any] = ["intervals": ["level": 0.95, "resamples": s.resamples, "seed": Int(s.seed),
                                                "rng": "SplitMix64", "method": intervalMethod(s)] as [String: Any],
                                  "indicative_below_test_defects": SignOff.indicativeBelow]
        if let size = s.workingSize { out["working_size_hxw"] = size }
        if let p = s.pipeline {
            var pj: [String: Any] = ["path": p.path, "seed": p.seed, "threshold": p.threshold, "target_tpr": p.targetTPR,
                                     "folds": p.folds, "fold_seed": p.foldSeed, "oof_tpr": p.oofTPR, "oof_fpr": p.oofFPR,
                                     "oof_auroc": p.oofAUROC, "oof_good": p.oofGood, "oof_bad": p.oofBad]
            if let m = p.method { pj["method"] = m }
            out["pipeline"] = pj
        }
        return out
    }

    /// A method's "sign_off" entry in metrics.json.
    static func rowSignOffJSON(_ so: RowSignOff) -> [String: Any] {
        func pair(_ i: (low: Double, high: Double)) -> [Any] { [i.low, i.high].map { $0.isFinite ? $0 as Any : NSNull() } }
        var out: [String: Any] = [
            "test_counts_per_seed": Dictionary(uniqueKeysWithValues: so.counts.map {
                (String($0.key), ["good": $0.value.good, "bad": $0.value.bad, "uncertain": $0.value.uncertain])
            }),
            "auroc_ci95": pair(so.auroc), "fpr95tpr_ci95": pair(so.fpr), "indicative_only": so.indicativeOnly,
        ]
        if !so.perClass.isEmpty {
            out["per_class_ci95"] = Dictionary(uniqueKeysWithValues: so.perClass.map {
                ($0.key, ["auroc": pair($0.value.auroc), "fpr95tpr": pair($0.value.fpr)])
            })
        }
        return out
    }
}
