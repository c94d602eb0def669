import Foundation
import SegADNative
import SegADDetectors
import SegADCore
import SegADMethod

/// The supervised classifier score g(I) of SegAD: an L2 logistic regression
/// (C = 1) on globally pooled backbone features — EfficientNet-Lite0's last
/// stage (320 channels, stride 32), mean-pooled over positions, each feature
/// standardized by the training rows' mean and standard deviation.
///
/// `fit` trains on a seed's `classifier-train` rows (good = 0, bad = 1) and,
/// cross-fitted, one model per stratified fold of the seed's `segad-train`
/// rows (`ClassifierCrossFit`; docs/vad.md), and writes the state as an
/// artifact (kind `model`, config `classifier: logistic-regression` and
/// `cross_fit: {folds, seed, …}`; datasets `weights`, `intercept`, `mean`,
/// `std` of the full model, `fold_*` of the fold models, `fold_ids` and
/// `fold_of`); `apply` scores every item of a manifest that has an image —
/// forest rows out of fold — and writes a CSV `id,score` (the decision
/// function, log-odds of bad) that `segment-stats --classifier-scores` and
/// `evaluate score --scores-csv` read.
public enum SupervisedClassifier {
    public static let stage = 6

    public struct FitOptions {
        public var manifestPath: String
        public var seed: Int
        public var weightsPath: String
        public var size: (height: Int, width: Int)
        /// The L2 strength; nil: chosen per model by inner cross-validation.
        public var c: Double? = 1.0
        /// Cross-fitting folds over the seed's `segad-train` rows (docs/design.md, "Invariants", 2).
        public var folds = 5
        public var output: String
        public init(manifestPath: String, seed: Int, weightsPath: String, size: (height: Int, width: Int), output: String) {
            self.manifestPath = manifestPath; self.seed = seed; self.weightsPath = weightsPath
            self.size = size; self.output = output
        }
    }

    /// Fits the full model on the seed's `classifier-train` rows and, for
    /// cross-fitting, one model per fold of the seed's `segad-train` rows
    /// (`ClassifierCrossFit`). Refuses a `classifier-train` row that is a
    /// test row of any seed of the manifest.
    public static func fit(_ o: FitOptions) throws {
        let manifest = try Manifest.load(path: o.manifestPath)
        guard manifest.seeds[o.seed] != nil else { throw ManifestError.noSeed(o.manifestPath, seed: o.seed) }
        guard o.folds >= 2 else { throw InputError("--folds", "must be at least 2 (got \(o.folds))") }
        let ids = manifest.ids(.classifierTrain, seed: o.seed)
        try checkNoTestRows(ids, manifest: manifest)
        let forest = manifest.ids(.segadTrain, seed: o.seed)
        var all = ids
        let inClassifier = Set(ids)
        all += forest.filter { !inClassifier.contains($0) }
        let index = manifest.index
        let rows = all.map { manifest.items[index[$0]!] }
        let labels = rows.map { $0.label == .bad }
        let position = Dictionary(uniqueKeysWithValues: all.enumerated().map { ($1, $0) })
        // Checked before the backbone runs, so a bad split fails fast.
        guard labels[..<ids.count].contains(true), labels[..<ids.count].contains(false) else {
            throw ClassifierError.seedNeedsBothClasses(o.manifestPath, seed: o.seed)
        }
        let backbone = try EfficientNetLite0(path: o.weightsPath)
        let x = try pooledFeatures(rows, manifest: manifest, backbone: backbone, size: o.size, label: "classifier features")
        let d = backbone.stages[stage].channels
        let fit = try ClassifierCrossFit.fit(x, columns: d, labels: labels, classifierRows: Array(0..<ids.count),
                                             forestRows: forest.map { position[$0]! }, k: o.folds,
                                             seed: UInt32(truncatingIfNeeded: o.seed), c: o.c,
                                             source: "\(o.manifestPath) (seed \(o.seed))")
        let inputs = [try ArtifactInput.hashing(role: "manifest", path: o.manifestPath),
                      try ArtifactInput.hashing(role: "weights", path: o.weightsPath)]
        let config: [String: Any] = ["classifier": "logistic-regression", "c": o.c.map { $0 as Any } ?? "auto", "seed": o.seed,
                                     "size": [o.size.height, o.size.width], "backbone": backbone.name,
                                     "stage": stage, "weights": o.weightsPath, "training_rows": ids.count,
                                     "cross_fit": ["folds": o.folds, "seed": o.seed, "rows": forest.count,
                                                   "method": "StratifiedKFold(shuffle=True, random_state=seed) over segad-train"]]
        let writer = try ArtifactWriter(path: o.output, kind: .classifier, stage: "build-dataset classifier-fit",
                                        config: config, inputs: inputs)
        func put(_ m: [StandardizedLogistic], _ prefix: String) throws {
            try writer.file.write(prefix + "weights", doubles: m.flatMap(\.model.weights), shape: m.count == 1 ? [d] : [m.count, d])
            try writer.file.write(prefix + "intercept", doubles: m.map(\.model.intercept), shape: [m.count])
            try writer.file.write(prefix + "mean", doubles: m.flatMap(\.mean), shape: m.count == 1 ? [d] : [m.count, d])
            try writer.file.write(prefix + "std", doubles: m.flatMap(\.std), shape: m.count == 1 ? [d] : [m.count, d])
        }
        try put([fit.full], "")
        try put(fit.folds, "fold_")
        try writer.file.write("c", doubles: fit.c, shape: [fit.c.count])
        try writer.file.write("training_ids", strings: ids)
        try writer.file.write("fold_ids", strings: forest)
        try writer.file.write("fold_of", int64s: fit.foldOfForestRow.map(Int64.init), shape: [forest.count])
        try writer.commit()
    }

    /// A `classifier-train` row that is a test row of any seed is refused
    /// (docs/design.md, "Invariants", 1).
    static func checkNoTestRows(_ training: [String], manifest: Manifest) throws {
        let trainingSet = Set(training)
        for s in manifest.seedList {
            if let clash = manifest.ids(.test, seed: s).first(where: trainingSet.contains) {
                throw ClassifierError.trainingRowIsTestRow(manifest.path, id: clash, seed: s)
            }
        }
    }

    /// Scores every item with an image: a forest row the state was
    /// cross-fitted on by its fold's model, every other row by the full
    /// model. Refuses a state whose training rows include a test row of the
    /// manifest, or a `segad-train` row the state has no out-of-fold model
    /// for (an in-sample score).
    public static func apply(manifestPath: String, statePath: String, output: String) throws {
        let manifest = try Manifest.load(path: manifestPath)
        let reader = try ArtifactReader(path: statePath, expecting: .classifier, alsoAccepting: [.model])
        guard reader.config["classifier"] as? String == "logistic-regression",
              let weightsPath = reader.config["weights"] as? String,
              let size = reader.config["size"] as? [Int], size.count == 2 else {
            throw ClassifierError.notAClassifierState(statePath)
        }
        guard reader.config["cross_fit"] != nil else {
            throw ClassifierError.noFoldModels(statePath)
        }
        try reader.requireInput(role: "weights", file: weightsPath)
        func model(_ prefix: String, _ i: Int, _ d: Int) throws -> StandardizedLogistic {
            let w = try reader.file.readDoubles(prefix + "weights").values, b = try reader.file.readDoubles(prefix + "intercept").values
            let mean = try reader.file.readDoubles(prefix + "mean").values, std = try reader.file.readDoubles(prefix + "std").values
            guard w.count >= (i + 1) * d, b.count > i, mean.count == w.count, std.count == w.count else {
                throw ClassifierError.datasetShape(statePath, dataset: prefix + "weights")
            }
            return StandardizedLogistic(model: LogisticRegression(weights: Array(w[(i * d)..<((i + 1) * d)]), intercept: b[i]),
                                        mean: Array(mean[(i * d)..<((i + 1) * d)]), std: Array(std[(i * d)..<((i + 1) * d)]))
        }
        let d = try reader.file.readDoubles("weights").values.count
        let full = try model("", 0, d)
        let foldIds = try reader.file.readStrings("fold_ids")
        let foldOf = try reader.file.readInt64s("fold_of").values
        let k = try reader.file.readDoubles("fold_intercept").values.count
        guard foldOf.count == foldIds.count, foldOf.allSatisfy({ $0 >= 0 && Int($0) < k }) else {
            throw ClassifierError.foldsMismatch(statePath)
        }
        let folds = try (0..<k).map { try model("fold_", $0, d) }
        let fold = Dictionary(uniqueKeysWithValues: zip(foldIds, foldOf.map { Int($0) }))
        let training = Set(try reader.file.readStrings("training_ids"))
        for s in manifest.seedList {
            if let clash = manifest.ids(.test, seed: s).first(where: training.contains) {
                throw ClassifierError.trainedOnTestRow(statePath, id: clash, seed: s, manifest: manifestPath)
            }
            if let clash = manifest.ids(.segadTrain, seed: s).first(where: { training.contains($0) && fold[$0] == nil }) {
                throw ClassifierError.trainedWithoutOutOfFold(statePath, id: clash, seed: s, manifest: manifestPath)
            }
        }
        let rows = manifest.items.filter { $0.image != nil }
        let backbone = try EfficientNetLite0(path: weightsPath)
        var csv = CSV.line(["id", "score"])
        let batch = 64
        for start in stride(from: 0, to: rows.count, by: batch) {
            let part = Array(rows[start..<min(rows.count, start + batch)])
            let x = try pooledFeatures(part, manifest: manifest, backbone: backbone, size: (size[0], size[1]), label: nil)
            for (i, item) in part.enumerated() {
                let m = fold[item.id].map { folds[$0] } ?? full
                csv += CSV.line([CSV.text(item.id), "\(m.score(x[(i * d)..<((i + 1) * d)]))"])
            }
        }
        try AtomicFile.write(Data(csv.utf8), to: output)
    }

    /// n × 320 mean-pooled last-stage features, row-major.
    static func pooledFeatures(_ items: [ManifestItem], manifest: Manifest, backbone: EfficientNetLite0,
                               size: (height: Int, width: Int), label: String?) throws -> [Double] {
        let paths = try items.map { item -> String in
            guard let image = item.image else { throw ManifestError.noImage(manifest.path, id: item.id) }
            return manifest.resolve(image)
        }
        let images = try NativeDetectors.loadImages(paths, size: size, label: label)
        let inputs = images.map { backbone.normalize($0.values, channels: $0.channels, height: $0.height, width: $0.width) }
        let maps = backbone.forwardBatch(inputs, height: size.height, width: size.width, stages: [stage])
        let d = backbone.stages[stage].channels
        var out = [Double](repeating: 0, count: items.count * d)
        for (i, m) in maps.enumerated() {
            let fm = m[0], hw = fm.height * fm.width
            for c in 0..<d {
                var s = 0.0
                for p in 0..<hw { s += Double(fm.values[c * hw + p]) }
                out[i * d + c] = s / Double(hw)
            }
        }
        return out
    }
}
