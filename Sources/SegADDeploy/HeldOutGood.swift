import Foundation
import SegADNative
import SegADKernels
import SegADCore

/// The held-out good images of the good-only and few-bad regimes
/// (docs/regimes.md): a seed's `test` rows labelled good, which no stage
/// trained on. The operating point of the saved pipeline is set on their
/// scores for a target false-alarm rate (`FalseAlarmPoint`), and the
/// report's regime section lists it for every SegAD row.
public enum HeldOutGood {
    /// The scores of `seed`'s held-out good rows in a scores artifact.
    public static func scores(_ artifact: ScoresArtifact, seed: Int) throws -> [Double] {
        guard let s = artifact.seeds.first(where: { $0.seed == seed }) else {
            throw InputError(artifact.path, "has no scores of seed \(seed)")
        }
        let good = s.scores.indices.filter { s.labels[$0] == .good }.map { s.scores[$0] }
        guard !good.isEmpty else { throw InputError(artifact.path, "seed \(seed) has no held-out good image") }
        return good
    }

    /// The operating point of the model at `modelPath` on `seed`'s held-out
    /// good images of `scoresPath`, which must record that model.
    public static func point(scoresPath: String, modelPath: String, seed: Int, target: Double) throws -> FalseAlarmPoint {
        let reader = try ArtifactReader(path: scoresPath, expecting: .scores)
        defer { reader.close() }
        try reader.requireInput(role: "model", file: modelPath)
        return FalseAlarmPoint.choose(goodScores: try scores(ScoresArtifact(path: scoresPath), seed: seed), target: target)
    }

    /// The pipeline's record (config `held_out_operating_point`).
    public static func configValue(_ p: FalseAlarmPoint, seed: Int) -> [String: Any] {
        ["rule": "threshold for a false-alarm rate on held-out good images", "false_alarm_target": p.target,
         "threshold": p.threshold, "seed": seed, "held_out_good": p.heldOut, "false_alarms": p.falseAlarms,
         "false_alarm_rate": p.rate, "interval": [p.interval.lower, p.interval.upper],
         "interval_method": FalseAlarmPoint.intervalMethod]
    }

    /// One line: the threshold, the held-out count, the false alarms and their interval.
    public static func summary(_ p: FalseAlarmPoint, seed: Int) -> String {
        "threshold \(String(format: "%.6g", p.threshold)) for a false-alarm rate ≤ \(percent(p.target))% on \(p.heldOut) held-out good images of seed \(seed): "
            + "\(p.falseAlarms) false alarm\(p.falseAlarms == 1 ? "" : "s") (\(percent(p.rate))%; 95% Clopper-Pearson \(percent(p.interval.lower))–\(percent(p.interval.upper))%)"
    }

    static func percent(_ x: Double) -> String {
        let v = x * 100
        return v == v.rounded() ? String(format: "%.0f", v) : String(format: v < 1 ? "%.2f" : "%.1f", v)
    }
}

/// `evaluate held-out`: the report's regime section (docs/regimes.md) — what
/// the rows measure in the good-only or few-bad regime, and the operating
/// point each SegAD row would get on the first seed's held-out good images.
public enum RegimeSection {
    public struct Options {
        public var scoresPaths: [String]
        public var regime: String
        public var badImages: Int
        public var fewBad: Int
        public var falseAlarm: Double
        public var seed: Int
        public var output: String
        public init(scoresPaths: [String], regime: String, badImages: Int, fewBad: Int, falseAlarm: Double, seed: Int, output: String) {
            self.scoresPaths = scoresPaths; self.regime = regime; self.badImages = badImages; self.fewBad = fewBad
            self.falseAlarm = falseAlarm; self.seed = seed; self.output = output
        }
    }

    public static func markdown(_ o: Options) throws -> String {
        var md: String
        let fa = HeldOutGood.percent(o.falseAlarm)
        switch o.regime {
        case "good-only":
            md = """
            ## Regime: good only (no bad image)

            SegAD was trained on good images against **synthetic defects**: a blur or a thin gray \
            rectangle placed by segment on each seed's SegAD-training good images (the one-class \
            protocol, docs/regimes.md). Every bad row of the tables above is a synthetic defect made \
            from a held-out good image, so their AUROC and FPR@95TPR are **on synthetic defects**. \
            **Recall on real defects is unknown**: add real bad images to bad/ and run again.

            """
        case "few-bad":
            md = """
            ## Regime: few bad (\(o.badImages) real bad image\(o.badImages == 1 ? "" : "s"), fewer than FEW_BAD=\(o.fewBad))

            SegAD was trained on synthetic defects (placed by segment on each seed's SegAD-training \
            good images) plus the real bad images of the seed's training split, as in the paper's \
            low-shot protocol. Each seed tests a different share of the real bad images (repeated \
            stratified splits, docs/regimes.md); the tables' bad rows are real defects only. With so \
            few test defects each seed's AUROC is indicative only.

            """
        default:
            throw InputError("--regime", "'\(o.regime)': give good-only or few-bad")
        }
        md += "\n" + """
        Held-out good images: each seed's test good images, never trained on; their scores are \
        "good" in figures/hist_*.png. The operating point for a false-alarm rate of \(fa)% \
        (FALSE_ALARM=\(o.falseAlarm)), set on seed \(o.seed)'s held-out good images: the threshold \
        lets at most ⌊\(o.falseAlarm)·n⌋ of them reach it; the interval is the exact binomial \
        (Clopper–Pearson) 95% interval of the false-alarm rate. pipeline.h5 keeps the best row's.

        | Method | held-out good | median score | max score | threshold | false alarms | rate % | 95% interval % |
        |---|---:|---:|---:|---:|---:|---:|---:|

        """
        for path in o.scoresPaths {
            let a = try ScoresArtifact(path: path)
            let good = try HeldOutGood.scores(a, seed: o.seed)
            let p = FalseAlarmPoint.choose(goodScores: good, target: o.falseAlarm)
            md += "| \(a.method) | \(p.heldOut) | \(String(format: "%.4g", Quantile.linear(good, q: 0.5))) | "
                + "\(String(format: "%.4g", good.max()!)) | \(String(format: "%.6g", p.threshold)) | \(p.falseAlarms) | "
                + "\(HeldOutGood.percent(p.rate)) | \(HeldOutGood.percent(p.interval.lower))–\(HeldOutGood.percent(p.interval.upper)) |\n"
        }
        return md
    }

    public static func run(_ o: Options) throws {
        try AtomicFile.write(Data(try markdown(o).utf8), to: o.output)
    }
}
