import Foundation
import SegADNative
import SegADDetectors
import SegADKernels
import SegADCore
import SegADMethod

/// Everything needed to score a new image, in one artifact (kind `pipeline`):
/// the fitted detectors (their state tensors and, for backbone detectors, the
/// backbone's weights), the static segmentation, the Boosted Random Forest
/// (XGBoost's JSON), the feature layout and the operating point. Scoring
/// reads nothing else: the training manifest, maps, features and even the
/// backbone's `.pth` may be gone.
///
/// Layout of the HDF5 file (besides the provenance attributes):
///
/// | dataset | content |
/// |---|---|
/// | `detectors/NAME/TENSOR` | each detector's state tensors (float32) |
/// | `backbones/SHA256/KEY` | backbone weights, keyed by the `.pth`'s SHA-256 (shared by detectors using one file) |
/// | `segmentation` | H×W int32 label map, 0…L−1, at the detectors' working size |
/// | `model_json` | XGBoost's own JSON (loadable by Python xgboost) |
/// | `feature_names` | the model's feature columns, in order |
/// | `oof/ids`, `oof/labels`, `oof/folds`, `oof/scores` | the out-of-fold scores the threshold was chosen on |
///
/// `segad_config` holds `detectors` (name, kind, size, detector_config,
/// tensors, backbone), `segments`, `channels` (1 gray, 3 RGB: what the
/// detectors were fitted on), `layout_detectors`, `operating_point`
/// (`tpr`, `threshold`, `folds`, `fold_seed`, `oof_auroc`, `oof_tpr`, `oof_fpr`),
/// `heat_ranges` (per detector, the map values drawn as the heat map's ends),
/// `seed` and, when given, `segment_names` (for display only).
public struct SavedPipeline {
    /// One fitted detector as stored in the pipeline.
    public struct Detector {
        public var name: String
        public var state: DetectorState
        public var size: (height: Int, width: Int)
        /// SHA-256 of the backbone weights embedded under `backbones/`, if the detector has a backbone.
        public var backbone: String?
        /// Map values shown as the cold and the hot end of the overlay's heat map.
        public var heatRange: (low: Float, high: Float)
    }

    /// The decision rule: anomalous when score ≥ `threshold`.
    public struct OperatingPoint: Equatable, Sendable {
        /// The true-positive rate the threshold was chosen for (0…1).
        public var tpr: Double
        public var threshold: Double
        public var folds: Int
        public var foldSeed: Int
        /// AUROC, and true- and false-positive rates at `threshold`, of the out-of-fold scores.
        public var oofAUROC: Double
        public var oofTPR: Double
        public var oofFPR: Double
        /// Good-only and few-bad regimes (docs/regimes.md): the false-alarm
        /// rate the threshold was set for on held-out good images (config
        /// `held_out_operating_point`), which replaces the TPR rule; nil otherwise.
        public var falseAlarmTarget: Double? = nil
    }

    public var detectors: [Detector]
    /// Backbone weights by SHA-256 (only the tensors the backbone reads).
    public var backbones: [String: [String: Tensor]]
    public var segmentation: [Int32]
    public var segments: Int
    /// Channels the detectors were fitted on: 1 (gray) or 3 (RGB).
    public var channels: Int
    public var modelJSON: String
    /// The model's columns (a subset of `layout.names`, in the model's order).
    public var featureNames: [String]
    public var layout: FeatureLayout
    public var operatingPoint: OperatingPoint
    public var oof: OutOfFoldScores
    public var seed: Int
    /// Names of the segments 0…L−1 for people (overlays, `top_features`), if given at save time.
    public var segmentNames: [String]? = nil
    /// The report row it was saved from (e.g. "SegAD(patchcore+padim)"), when given.
    public var method: String? = nil
    /// How new images of another aspect meet the working size, as the
    /// detectors' images did (config `resize`, written when not stretch).
    public var resize: ResizeMode = .stretch

    /// The working size every detector and the segmentation share.
    public var size: (height: Int, width: Int) { detectors[0].size }
}

/// Keys of the backbone weights the EfficientNet-Lite0 backbone reads (the
/// head and classifier are dropped when a pipeline embeds them).
enum BackboneWeights {
    static func used(_ weights: [String: Tensor]) -> [String: Tensor] {
        weights.filter { $0.key.hasPrefix("_conv_stem.") || $0.key.hasPrefix("_bn0.") || $0.key.hasPrefix("_blocks.") }
    }
}

extension SavedPipeline {
    static let stage = "evaluate save-pipeline"

    /// Writes the pipeline as an artifact (temporary name, renamed on success).
    func write(path: String, inputs: [ArtifactInput], extraConfig: [String: Any] = [:]) throws {
        var config = extraConfig
        config["detectors"] = detectors.map { d -> [String: Any] in
            var o: [String: Any] = ["name": d.name, "kind": d.state.kind, "size": [d.size.height, d.size.width],
                                    "detector_config": d.state.config, "tensors": d.state.tensors.keys.sorted()]
            if let b = d.backbone { o["backbone"] = b }
            return o
        }
        config["backbones"] = backbones.mapValues { $0.keys.sorted() }
        config["heat_ranges"] = Dictionary(uniqueKeysWithValues: detectors.map {
            ($0.name, [Double($0.heatRange.low), Double($0.heatRange.high)])
        })
        config["segments"] = segments
        config["channels"] = channels
        config["layout_detectors"] = layout.detectors
        config["seed"] = seed
        if let segmentNames { config["segment_names"] = segmentNames }
        if let method { config["method"] = method }
        if resize != .stretch { config["resize"] = resize.rawValue }
        config["xgboost_version"] = XGBBooster.libraryVersion
        let op = operatingPoint
        config["operating_point"] = ["tpr": op.tpr, "threshold": op.threshold, "folds": op.folds,
                                     "fold_seed": op.foldSeed, "oof_auroc": op.oofAUROC, "oof_tpr": op.oofTPR, "oof_fpr": op.oofFPR]
        let writer = try ArtifactWriter(path: path, kind: .pipeline, stage: Self.stage, config: config, inputs: inputs)
        for d in detectors {
            for (name, t) in d.state.tensors.sorted(by: { $0.key < $1.key }) {
                try writer.file.write("detectors/\(d.name)/\(name)", floats: t.values, shape: t.shape)
            }
        }
        for (sha, weights) in backbones {
            for (key, t) in weights.sorted(by: { $0.key < $1.key }) {
                try writer.file.write("backbones/\(sha)/\(key)", floats: t.values, shape: t.shape)
            }
        }
        let (h, w) = size
        try writer.file.write("segmentation", int32s: segmentation, shape: [h, w])
        try writer.file.write("model_json", strings: [modelJSON])
        try writer.file.write("feature_names", strings: featureNames)
        try writer.file.write("oof/ids", strings: oof.ids)
        try writer.file.write("oof/labels", int8s: oof.labels.map { Int8($0) }, shape: [oof.ids.count])
        try writer.file.write("oof/folds", int64s: oof.folds.map(Int64.init), shape: [oof.ids.count])
        try writer.file.write("oof/scores", doubles: oof.scores, shape: [oof.ids.count])
        try writer.commit()
    }

    /// Reads a pipeline artifact. Any fault — not HDF5, not a SegAD artifact,
    /// another kind, a missing dataset or key — is one `SegADFault` naming the file.
    /// `modelRead` is handed the model's JSON as soon as it is read, before
    /// the detectors' tensors, so a caller can load the forest meanwhile
    /// (`PipelineScorer(path:)`; docs/patchcore.md, "Pipeline load").
    public init(path: String, modelRead: ((String) -> Void)? = nil) throws {
        let reader: ArtifactReader
        do { reader = try ArtifactReader(path: path, expecting: .pipeline) } catch let e as any SegADFault {
            throw e
        } catch {
            throw PipelineError.unreadable(path, detail: "\(error)")
        }
        defer { reader.close() }
        let c = reader.config
        guard let list = c["detectors"] as? [[String: Any]], !list.isEmpty,
              let segments = c["segments"] as? Int, let channels = c["channels"] as? Int,
              let layoutDetectors = c["layout_detectors"] as? [String], let seed = c["seed"] as? Int,
              let op = c["operating_point"] as? [String: Any],
              let tpr = (op["tpr"] as? NSNumber)?.doubleValue, let threshold = (op["threshold"] as? NSNumber)?.doubleValue,
              let folds = op["folds"] as? Int, let foldSeed = op["fold_seed"] as? Int,
              let auroc = (op["oof_auroc"] as? NSNumber)?.doubleValue,
              let oofTPR = (op["oof_tpr"] as? NSNumber)?.doubleValue, let fpr = (op["oof_fpr"] as? NSNumber)?.doubleValue,
              let backboneKeys = c["backbones"] as? [String: [String]],
              let heat = c["heat_ranges"] as? [String: [NSNumber]] else {
            throw PipelineError.lacksConfiguration(path)
        }
        // What configures computation, within the CLI's bounds before
        // anything is read or restored (docs/reliability.md, "One artifact gate").
        func refuse(_ key: String, _ value: Any, _ expected: String) -> ArtifactError {
            .configValue(path, key: key, value: "\(value)", expected: expected)
        }
        guard (1...Bounds.maxSegments).contains(segments) else {
            throw refuse("segments", segments, "1…\(Bounds.maxSegments)")
        }
        guard channels == 1 || channels == 3 else { throw refuse("channels", channels, "1 (gray) or 3 (RGB)") }
        guard (0...Bounds.maxSeed).contains(seed) else { throw refuse("seed", seed, "0…\(Bounds.maxSeed)") }
        guard threshold.isFinite else { throw refuse("operating_point.threshold", threshold, "a finite number") }
        guard (0...1).contains(tpr) else { throw refuse("operating_point.tpr", tpr, "a rate in 0…1") }
        let names = list.map { $0["name"] as? String ?? "" }
        guard Set(names).count == names.count, Set(layoutDetectors).count == layoutDetectors.count else {
            throw refuse("detectors", names, "distinct detector names")
        }
        guard names == layoutDetectors else {
            throw refuse("layout_detectors", layoutDetectors, "the detectors in order, \(names)")
        }
        if let bad = heat.first(where: { !$0.value.allSatisfy { Float($0.doubleValue).isFinite } }) {
            throw refuse("heat_ranges.\(bad.key)", bad.value, "finite numbers")
        }
        do {
            guard let json = try reader.file.readStrings("model_json").first, !json.isEmpty else { throw PipelineError.noModel(path) }
            modelJSON = json
            modelRead?(json)
            var backbones: [String: [String: Tensor]] = [:]
            for (sha, keys) in backboneKeys {
                var weights: [String: Tensor] = [:]
                for key in keys {
                    let (v, shape) = try reader.file.readFloats("backbones/\(sha)/\(key)")
                    weights[key] = Tensor(shape: shape, values: v)
                }
                backbones[sha] = weights
            }
            self.backbones = backbones
            detectors = try list.map { o in
                guard let name = o["name"] as? String, let kind = o["kind"] as? String,
                      let size = o["size"] as? [Int], size.count == 2,
                      let config = o["detector_config"] as? [String: String],
                      let tensors = o["tensors"] as? [String], let range = heat[name], range.count == 2 else {
                    throw PipelineError.badDetectorEntry(path)
                }
                var values: [String: Tensor] = [:]
                for t in tensors {
                    let (v, shape) = try reader.file.readFloats("detectors/\(name)/\(t)")
                    values[t] = Tensor(shape: shape, values: v)
                }
                let backbone = o["backbone"] as? String
                if let backbone, backbones[backbone] == nil { throw PipelineError.lacksBackbone(path, detector: name) }
                let state = DetectorState(kind: kind, config: config, tensors: values)
                try StateBounds.check(state, name: name, size: (size[0], size[1]), file: path)
                if let first = list.first?["size"] as? [Int], first != size {
                    throw refuse("detector '\(name)' size", "\(size[0])x\(size[1])",
                                 "the size every detector shares, \(first.map(String.init).joined(separator: "x"))")
                }
                return Detector(name: name, state: state,
                                size: (size[0], size[1]), backbone: backbone,
                                heatRange: (range[0].floatValue, range[1].floatValue))
            }
            let (labels, shape) = try reader.file.readInt64s("segmentation")
            guard shape == [detectors[0].size.height, detectors[0].size.width] else {
                throw PipelineError.segmentationShape(path, shape: shape, height: detectors[0].size.height, width: detectors[0].size.width)
            }
            guard labels.allSatisfy({ $0 >= 0 && $0 < segments }) else { throw PipelineError.segmentationLabels(path, segments: segments) }
            segmentation = labels.map { Int32($0) }
            self.segments = segments
            self.channels = channels
            if let names = c["segment_names"] {
                guard let names = names as? [String], names.count == segments else {
                    throw PipelineError.segmentNames(path, segments: segments)
                }
                segmentNames = names
            }
            if let r = c["resize"] {
                guard let text = r as? String, let mode = ResizeMode(rawValue: text) else {
                    throw ArtifactError.configValue(path, key: "resize", value: "\(r)",
                                                    expected: ResizeMode.allCases.map(\.rawValue).joined(separator: ", "))
                }
                resize = mode
            }
            if let m = c["method"] {
                guard let m = m as? String else { throw PipelineError.lacksConfiguration(path) }
                method = m
            }
            featureNames = try reader.file.readStrings("feature_names")
            layout = FeatureLayout(segmentCount: segments, detectors: layoutDetectors, hasClassifierScore: false)
            let known = Set(layout.names)
            if let stray = featureNames.first(where: { !known.contains($0) }) {
                throw PipelineError.strayFeature(path, feature: stray)
            }
            operatingPoint = OperatingPoint(tpr: tpr, threshold: threshold, folds: folds, foldSeed: foldSeed,
                                            oofAUROC: auroc, oofTPR: oofTPR, oofFPR: fpr,
                                            falseAlarmTarget: ((c["held_out_operating_point"] as? [String: Any])?["false_alarm_target"] as? NSNumber)?.doubleValue)
            let ids = try reader.file.readStrings("oof/ids")
            oof = OutOfFoldScores(ids: ids,
                                  labels: try reader.file.readInt64s("oof/labels").values.map(Int.init),
                                  folds: try reader.file.readInt64s("oof/folds").values.map(Int.init),
                                  scores: try reader.file.readDoubles("oof/scores").values)
            self.seed = seed
        } catch let e as any SegADFault {
            throw e
        } catch {
            throw PipelineError.corrupt(path, detail: "\(error)")
        }
    }

    /// The fitted detectors, restored with their embedded backbones.
    public func restoredDetectors() throws -> [PixelDetector] {
        var networks: [String: EfficientNetLite0] = [:]
        return try detectors.map { d in
            guard let kind = DetectorRegistry.kind(named: d.state.kind) else {
                throw PipelineError.unknownDetectorKind("pipeline", kind: d.state.kind)
            }
            guard kind.needsBackbone else { return try kind.restore(d.state, backbone: nil) }
            guard let sha = d.backbone, let weights = backbones[sha] else {
                throw PipelineError.noEmbeddedBackbone("pipeline", detector: d.name)
            }
            guard d.state.config["backbone"] == "efficientnet-lite0" else {
                throw PipelineError.unsupportedBackbone("pipeline", detector: d.name, backbone: d.state.config["backbone"] ?? "?")
            }
            let net = try networks[sha] ?? EfficientNetLite0(weights: weights, source: "pipeline backbone \(sha.prefix(12))")
            networks[sha] = net
            return try kind.restore(d.state, backbone: net)
        }
    }

    /// The column of `layout.names` each model feature reads.
    public var modelColumns: [Int] {
        let index = Dictionary(uniqueKeysWithValues: layout.names.enumerated().map { ($1, $0) })
        return featureNames.map { index[$0]! }
    }
}
