import Foundation
import SegADNative
import SegADKernels
import SegADDetectors
import SegADCore
import SegADMethod

/// evaluate save-pipeline: gathers one seed's trained SegAD — detector
/// states, static segmentation, model — into one pipeline artifact, and
/// chooses its operating point on out-of-fold scores of the seed's
/// `segad-train` rows.
///
/// Everything is checked against the provenance the stages recorded: the
/// features were made from this manifest, these maps (whose detector states
/// must be the ones given) and this segmentation; the model from these
/// features and this seed.
public enum PipelineSaving {
    public struct Options {
        public var manifestPath: String
        public var seed: Int
        public var featuresPath: String
        public var modelPath: String
        public var statePaths: [String]
        public var segmentationPath: String
        /// True-positive rate the threshold keeps on the out-of-fold bad scores.
        public var tpr: Double
        public var folds: Int
        /// Seed of the fold assignment (default: `seed`).
        public var foldSeed: Int?
        public var output: String
        /// Names of the segments 0…L−1, shown to people beside the feature names.
        public var segmentNames: [String]?
        /// `extract-maps choose-size`'s record (SIZE=auto), kept in the config as `size_choice`.
        public var sizeChoicePath: String?
        /// The report row this is (e.g. "SegAD(patchcore+padim)"), recorded as `method`.
        public var method: String? = nil
        /// Good-only and few-bad regimes (docs/regimes.md): the threshold is
        /// set for this false-alarm rate on the held-out good images of
        /// `heldOutScores` (the model's own scores artifact, this seed's test
        /// rows) instead of the out-of-fold TPR rule.
        public var falseAlarm: Double?
        public var heldOutScores: String?

        public init(manifestPath: String, seed: Int, featuresPath: String, modelPath: String, statePaths: [String],
                    segmentationPath: String, tpr: Double = 0.95, folds: Int = 5, foldSeed: Int? = nil, output: String,
                    segmentNames: [String]? = nil, sizeChoicePath: String? = nil) {
            self.manifestPath = manifestPath; self.seed = seed; self.featuresPath = featuresPath
            self.modelPath = modelPath; self.statePaths = statePaths; self.segmentationPath = segmentationPath
            self.tpr = tpr; self.folds = folds; self.foldSeed = foldSeed; self.output = output
            self.segmentNames = segmentNames; self.sizeChoicePath = sizeChoicePath
        }
    }

    public static func run(_ o: Options) throws {
        let (manifest, features) = try FeaturesArtifact.openWithManifest(path: o.featuresPath, manifestPath: o.manifestPath)
        let model = try ModelArtifact(path: o.modelPath)
        try model.reader.requireInput(role: "features", file: o.featuresPath)
        guard model.seed == o.seed else { throw PipelineError.modelOfOtherSeed(o.modelPath, seed: model.seed, expected: o.seed) }

        // The features' configuration: static segmentation, no classifier score.
        let fc = features.reader.config
        guard fc["segmentation"] as? String == "static" else {
            throw PipelineError.perItemSegmentation(o.featuresPath)
        }
        guard (fc["classifier_score"] as? Bool) != true else {
            throw PipelineError.classifierScore(o.featuresPath)
        }
        guard let detectorNames = fc["detectors"] as? [String], let segments = fc["segments"] as? Int else {
            throw PipelineError.noDetectorsOrSegments(o.featuresPath)
        }
        guard (1...Bounds.maxSegments).contains(segments) else {
            throw ArtifactError.configValue(o.featuresPath, key: "segments", value: "\(segments)",
                                            expected: "1…\(Bounds.maxSegments)")
        }
        guard Set(detectorNames).count == detectorNames.count else {
            throw ArtifactError.configValue(o.featuresPath, key: "detectors", value: "\(detectorNames)",
                                            expected: "distinct detector names")
        }
        try features.reader.requireInput(role: "segmentation", file: o.segmentationPath)

        // Detector states: one per detector of the features, each the state
        // its maps were made with.
        let states = try o.statePaths.map { try DetectorStateArtifact(path: $0) }
        let madeWith = try mapsStateHashes(features: features)
        var ordered: [(DetectorStateArtifact, String)] = []
        for name in detectorNames {
            let matching = zip(states, o.statePaths).filter { $0.0.name == name }
            guard let (state, path) = matching.first, matching.count == 1 else {
                throw InputError("--state", "give exactly one detector state named '\(name)' (the features' detectors: \(detectorNames.joined(separator: ", ")))")
            }
            guard let recorded = madeWith[name] else {
                throw PipelineError.notNativeDetector(o.featuresPath, detector: name)
            }
            let sha = try FileHashes.sha256(path)
            guard recorded == sha else {
                throw PipelineError.otherState(path, detector: name, recorded: recorded, given: sha)
            }
            ordered.append((state, path))
        }
        if let extra = states.first(where: { !detectorNames.contains($0.name) }) {
            throw PipelineError.extraState(extra.reader.path, detector: extra.name, detectors: detectorNames)
        }
        let size = ordered[0].0.size
        for (s, p) in ordered where s.size != size {
            throw PipelineError.stateSizeDiffers(p, height: s.size.height, width: s.size.width, first: ordered[0].0.name,
                                                 firstHeight: size.height, firstWidth: size.width)
        }
        for (s, p) in ordered where s.resize != ordered[0].0.resize {
            throw InputError("--state", "\(p) resized its images by '\(s.resize.rawValue)', '\(ordered[0].0.name)' by '\(ordered[0].0.resize.rawValue)'; a pipeline resizes one way")
        }
        let labels = try LabelMap.read(path: o.segmentationPath, height: size.height, width: size.width, segments: segments)

        var inputs = [try ArtifactInput.hashing(role: "manifest", path: o.manifestPath),
                      try ArtifactInput.hashing(role: "features", path: o.featuresPath),
                      try ArtifactInput.hashing(role: "model", path: o.modelPath),
                      try ArtifactInput.hashing(role: "segmentation", path: o.segmentationPath)]
        var backbones: [String: [String: Tensor]] = [:]
        var detectors: [SavedPipeline.Detector] = []
        let layout = FeatureLayout(segmentCount: segments, detectors: detectorNames, hasClassifierScore: false)
        guard layout.names == features.names else {
            throw PipelineError.layoutDiffers(o.featuresPath, segments: segments, detectors: detectorNames)
        }

        // Training rows and labels (in the manifest's order).
        let (trainIds, rows, y) = try features.trainingRows(seed: o.seed, manifest: manifest, manifestPath: o.manifestPath)
        let good = y.filter { $0 == 0 }.count, bad = y.count - good

        for (state, path) in ordered {
            inputs.append(try .hashing(role: "detector-state", path: path))
            var backbone: String? = nil
            if let weights = state.state.config["weights"] {
                let sha = try FileHashes.sha256(weights)
                if backbones[sha] == nil {
                    backbones[sha] = BackboneWeights.used(try Checkpoint.load(path: weights))
                    inputs.append(try .hashing(role: "weights", path: weights))
                }
                backbone = sha
            }
            let k = detectorNames.firstIndex(of: state.name)!
            detectors.append(.init(name: state.name, state: state.state, size: state.size, backbone: backbone,
                                   heatRange: heatRange(features: features, layout: layout, detector: k,
                                                        goodRows: zip(rows, y).filter { $0.1 == 0 }.map(\.0))))
        }

        // Channels the detectors were fitted on: those of the training images.
        let channels = try imageChannels(manifest: manifest, ids: manifest.ids(.detectorTrain, seed: o.seed) + trainIds)

        // Out-of-fold scores and the threshold.
        guard o.folds >= 2 else { throw InputError("--folds", "must be at least 2") }
        guard good >= o.folds, bad >= o.folds else {
            throw PipelineError.tooFewRowsForFolds(o.manifestPath, seed: o.seed, good: good, bad: bad, folds: o.folds)
        }
        let columns = try model.featureNames.map { try features.column(named: $0) }
        guard let recorded = model.reader.config["parameters"] as? [String: String] else {
            throw PipelineError.noTrainingParameters(o.modelPath)
        }
        let treesPerRound = Int(recorded["num_parallel_tree"] ?? "") ?? 1
        let rounds = try BRFParameters.rounds(ofModelJSON: model.json, treesPerRound: treesPerRound, source: o.modelPath)
        let parameters = try BRFParameters(recorded: recorded, rounds: rounds, source: o.modelPath)
        // scale_pos_weight left at its default (good/bad of all rows) is re-derived per fold.
        let derived = parameters.scalePosWeight.map { abs($0 - Double(good) / Double(bad)) <= 1e-12 * $0 } ?? true
        let foldSeed = o.foldSeed ?? o.seed
        let folds = try OperatingPointSelection.folds(labels: y, k: o.folds, seed: foldSeed)
        let progress = StageProgress("save-pipeline out-of-fold models", total: o.folds, unit: "folds")
        let oofScores = try OperatingPointSelection.outOfFoldScores(
            features: features.matrix(rows: rows, columns: columns), rows: rows.count, columns: columns.count,
            labels: y, folds: folds, k: o.folds, parameters: parameters, deriveScalePosWeight: derived,
            progress: { _ in progress.advance() })
        let badScores = zip(oofScores, y).filter { $0.1 == 1 }.map(\.0)
        let goodScores = zip(oofScores, y).filter { $0.1 == 0 }.map(\.0)
        var threshold = OperatingPointSelection.threshold(badScores: badScores, tpr: o.tpr)
        var heldOut: FalseAlarmPoint?
        if let target = o.falseAlarm {
            guard let path = o.heldOutScores else { throw InputError("--false-alarm", "needs --held-out SCORES.h5") }
            let point = try HeldOutGood.point(scoresPath: path, modelPath: o.modelPath, seed: o.seed, target: target)
            threshold = point.threshold
            heldOut = point
        }
        let fpr = Double(goodScores.filter { $0 >= threshold }.count) / Double(goodScores.count)
        let keptTPR = Double(badScores.filter { $0 >= threshold }.count) / Double(badScores.count)
        let auroc = Metrics.auroc(scores: oofScores, labels: y.map { $0 == 1 })

        if let names = o.segmentNames, names.count != segments {
            throw InputError("--segment-names", "gives \(names.count) names for \(segments) segments")
        }
        var pipeline = SavedPipeline(
            detectors: detectors, backbones: backbones, segmentation: labels, segments: segments, channels: channels,
            modelJSON: model.json, featureNames: model.featureNames, layout: layout,
            operatingPoint: .init(tpr: o.tpr, threshold: threshold, folds: o.folds, foldSeed: foldSeed,
                                  oofAUROC: auroc, oofTPR: keptTPR, oofFPR: fpr),
            oof: OutOfFoldScores(ids: trainIds, labels: y, folds: folds, scores: oofScores), seed: o.seed)
        pipeline.segmentNames = o.segmentNames
        pipeline.method = o.method
        pipeline.resize = ordered[0].0.resize
        var extra: [String: Any] = ["fold_scale_pos_weight": derived ? "per fold (good/bad)" : "as recorded"]
        if let p = heldOut, let path = o.heldOutScores {
            extra["held_out_operating_point"] = HeldOutGood.configValue(p, seed: o.seed)
            inputs.append(try .hashing(role: "held-out-scores", path: path))
        }
        if let path = o.sizeChoicePath {
            extra["size_choice"] = try SizeChoice.configValue(record: path)
            inputs.append(try .hashing(role: "size-choice", path: path))
        }
        try pipeline.write(path: o.output, inputs: inputs, extraConfig: extra)
        var line = String(format: "save-pipeline: threshold %.6g for TPR %.1f%% on %d-fold out-of-fold scores (OOF: TPR %.1f%%, FPR %.1f%%, AUROC %.1f)",
                          threshold, o.tpr * 100, o.folds, keptTPR * 100, fpr * 100, auroc * 100)
        if let p = heldOut {
            line = "save-pipeline: " + HeldOutGood.summary(p, seed: o.seed)
                + String(format: " (on the training rows out of fold: TPR %.1f%%, FPR %.1f%%, AUROC %.1f)", keptTPR * 100, fpr * 100, auroc * 100)
        } else if let why = OperatingPointSelection.whyTPRDiffers(badScores: badScores, threshold: threshold, target: o.tpr) {
            line += "; " + why
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// The detector-state SHA-256 each maps artifact of `features` records, by detector name.
    static func mapsStateHashes(features: FeaturesArtifact) throws -> [String: String] {
        var out: [String: String] = [:]
        for input in features.reader.inputs(role: "maps") {
            guard FileManager.default.fileExists(atPath: input.path) else {
                throw PipelineError.mapsArtifactNeeded(input.path, features: features.reader.path)
            }
            let maps = try ArtifactReader(path: input.path, expecting: .maps)
            defer { maps.close() }
            if let name = maps.config["detector"] as? String, let state = maps.inputs(role: "detector-state").first {
                out[name] = state.sha256
            }
        }
        return out
    }

    /// 1 when every listed image is gray (with or without alpha), 3 when any is color.
    static func imageChannels(manifest: Manifest, ids: [String]) throws -> Int {
        let index = manifest.index
        for id in ids.prefix(8) {
            guard let i = index[id], let image = manifest.items[i].image else { continue }
            if try ImageFile.read(path: manifest.resolve(image)).channels >= 3 { return 3 }
        }
        return 1
    }

    /// The map values drawn as the heat map's ends for detector `k`: from the
    /// good training rows' features, the median of each image's lowest
    /// segment mean (a normal background level) to the 99th percentile of
    /// their map maxima (the most a normal image reaches).
    static func heatRange(features: FeaturesArtifact, layout: FeatureLayout, detector k: Int,
                          goodRows: [Int]) -> (low: Float, high: Float) {
        let F = features.columnCount
        var lows: [Double] = [], highs: [Double] = []
        for r in goodRows {
            let means = (0..<layout.segmentCount).map { features.values[r * F + layout.column(segment: $0, detector: k, statistic: 3)] }
            if let m = means.filter({ $0.isFinite }).min() { lows.append(Double(m)) }
            let mx = features.values[r * F + layout.maxColumn(detector: k)]
            if mx.isFinite { highs.append(Double(mx)) }
        }
        let low = lows.isEmpty ? 0 : Quantile.linear(lows, q: 0.5)
        var high = highs.isEmpty ? low + 1 : Quantile.linear(highs, q: 0.99)
        if !(high > low) { high = low + 1 }
        return (Float(low), Float(high))
    }
}
