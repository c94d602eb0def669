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
/// `fit` trains on a seed's `classifier-train` rows (good = 0, bad = 1) and
/// writes the state as an artifact (kind `model`, config `classifier:
/// logistic-regression`; datasets `weights`, `intercept`, `mean`, `std`);
/// `apply` scores every item of a manifest that has an image and writes a
/// CSV `id,score` (the decision function, log-odds of bad) that
/// `segment-stats --classifier-scores` and `evaluate score --scores-csv` read.
public enum SupervisedClassifier {
    public static let stage = 6

    public struct FitOptions {
        public var manifestPath: String
        public var seed: Int
        public var weightsPath: String
        public var size: (height: Int, width: Int)
        public var c = 1.0
        public var output: String
        public init(manifestPath: String, seed: Int, weightsPath: String, size: (height: Int, width: Int), output: String) {
            self.manifestPath = manifestPath; self.seed = seed; self.weightsPath = weightsPath
            self.size = size; self.output = output
        }
    }

    public static func fit(_ o: FitOptions) throws {
        let manifest = try Manifest.load(path: o.manifestPath)
        let ids = manifest.ids(.classifierTrain, seed: o.seed)
        let index = manifest.index
        let rows = ids.map { manifest.items[index[$0]!] }
        guard rows.contains(where: { $0.label == .good }), rows.contains(where: { $0.label == .bad }) else {
            throw InputError(o.manifestPath, "seed \(o.seed): 'classifier-train' needs good and bad rows")
        }
        let backbone = try EfficientNetLite0(path: o.weightsPath)
        let x = try pooledFeatures(rows, manifest: manifest, backbone: backbone, size: o.size, label: "classifier features")
        let d = backbone.stages[stage].channels, n = rows.count
        var mean = [Double](repeating: 0, count: d), std = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += x[i * d + j] / Double(n) } }
        for i in 0..<n { for j in 0..<d { std[j] += pow(x[i * d + j] - mean[j], 2) / Double(n) } }
        std = std.map { $0 > 1e-12 ? sqrt($0) : 1 }
        var z = x
        for i in 0..<n { for j in 0..<d { z[i * d + j] = (x[i * d + j] - mean[j]) / std[j] } }
        let model = LogisticRegression.fit(z, rows: n, columns: d, labels: rows.map { $0.label == .bad }, c: o.c)
        let inputs = [try ArtifactInput.hashing(role: "manifest", path: o.manifestPath),
                      try ArtifactInput.hashing(role: "weights", path: o.weightsPath)]
        let config: [String: Any] = ["classifier": "logistic-regression", "c": o.c, "seed": o.seed,
                                     "size": [o.size.height, o.size.width], "backbone": backbone.name,
                                     "stage": stage, "weights": o.weightsPath, "training_rows": n]
        let writer = try ArtifactWriter(path: o.output, kind: .model, stage: "extract-maps classifier-fit",
                                        config: config, inputs: inputs)
        try writer.file.write("weights", doubles: model.weights, shape: [d])
        try writer.file.write("intercept", doubles: [model.intercept], shape: [1])
        try writer.file.write("mean", doubles: mean, shape: [d])
        try writer.file.write("std", doubles: std, shape: [d])
        try writer.file.write("training_ids", strings: ids)
        try writer.commit()
    }

    public static func apply(manifestPath: String, statePath: String, output: String) throws {
        let manifest = try Manifest.load(path: manifestPath)
        let reader = try ArtifactReader(path: statePath, expecting: .model)
        guard reader.config["classifier"] as? String == "logistic-regression",
              let weightsPath = reader.config["weights"] as? String,
              let size = reader.config["size"] as? [Int], size.count == 2 else {
            throw InputError(statePath, "is not a classifier state from `extract-maps classifier-fit`")
        }
        try reader.requireInput(role: "weights", file: weightsPath)
        let w = try reader.file.readDoubles("weights").values, b = try reader.file.readDoubles("intercept").values[0]
        let mean = try reader.file.readDoubles("mean").values, std = try reader.file.readDoubles("std").values
        let model = LogisticRegression(weights: w, intercept: b)
        let rows = manifest.items.filter { $0.image != nil }
        let backbone = try EfficientNetLite0(path: weightsPath)
        let d = w.count
        var csv = "id,score\n"
        let batch = 64
        for start in stride(from: 0, to: rows.count, by: batch) {
            let part = Array(rows[start..<min(rows.count, start + batch)])
            let x = try pooledFeatures(part, manifest: manifest, backbone: backbone, size: (size[0], size[1]), label: nil)
            for (i, item) in part.enumerated() {
                let z = (0..<d).map { (x[i * d + $0] - mean[$0]) / std[$0] }
                csv += "\(item.id),\(model.decision(z[...]))\n"
            }
        }
        try AtomicFile.write(Data(csv.utf8), to: output)
    }

    /// n × 320 mean-pooled last-stage features, row-major.
    static func pooledFeatures(_ items: [ManifestItem], manifest: Manifest, backbone: EfficientNetLite0,
                               size: (height: Int, width: Int), label: String?) throws -> [Double] {
        let paths = try items.map { item -> String in
            guard let image = item.image else { throw InputError(manifest.path, "item '\(item.id)' has no image") }
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
