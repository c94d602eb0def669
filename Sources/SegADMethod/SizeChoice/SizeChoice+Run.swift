import Foundation
import SegADNative
import SegADKernels
import SegADDetectors
import SegADCore

extension SizeChoice {
    /// Scores the grid (reusing cached candidates), picks, and writes the
    /// choice as one unit: `output` (HxW), `WORK/choice.json` (the record),
    /// `WORK/choice.md` (the table) and `WORK/choice.png` (accuracy against
    /// ms/image). Too few training defects for k folds: the fixed rule, said
    /// in one line on stderr (docs/size-auto.md, "When to trust auto").
    @discardableResult
    public static func choose(_ o: Options) throws -> Choice {
        guard o.folds >= 2, o.folds <= 100 else { throw InputError("--folds", "must be in 2…100, got \(o.folds)") }
        guard o.tolerance >= 0, o.tolerance.isFinite else { throw InputError("--tolerance", "must be ≥ 0 AUROC points") }
        let manifest = try Manifest.load(path: o.manifestPath)
        guard manifest.seeds[o.seed] != nil else {
            throw StageInputError.noSeed(o.manifestPath, seed: o.seed, seeds: manifest.seedList)
        }
        let index = manifest.index
        let trainLabels = manifest.ids(.segadTrain, seed: o.seed).map { manifest.items[index[$0]!].label }
        let bad = trainLabels.filter { $0 == .bad }.count, good = trainLabels.filter { $0 == .good }.count
        // The grid's aspect: the seed's first pool image (never a test image).
        let (_, poolPaths) = try manifest.images(.detectorTrain, seed: o.seed, limit: 1)
        guard let first = poolPaths.first else { throw StageInputError.noImageForWorkingSize(o.manifestPath) }
        let image = try ImageFile.read(path: first)
        let grid = try grid(height: image.height, width: image.width, shortSides: o.shortSides, shapes: o.shapes,
                            ratios: o.coresetRatios)

        var choice: Choice
        if min(bad, good) < o.folds {
            let rule = try WorkingSize.auto(manifest: manifest)
            let why = "seed \(o.seed)'s SegAD-training images hold \(bad) bad and \(good) good, too few for \(o.folds) folds: fell back to the fixed rule, working size \(rule.size.height)x\(rule.size.width)"
            FileHandle.standardError.write(Data("extract-maps choose-size: \(why)\n".utf8))
            choice = Choice(chosen: Candidate(height: rule.size.height, width: rule.size.width, coresetRatio: o.coresetRatios.first),
                            fallback: why, results: [], folds: o.folds, tolerance: o.tolerance, seed: o.seed, reused: 0)
        } else {
            try FileManager.default.createDirectory(atPath: o.work + "/candidates", withIntermediateDirectories: true)
            let common = try commonKey(o)
            var results: [Result] = []
            var reused = 0
            for candidate in grid {
                let key = SizeChoice.key(common, candidate)
                let cache = "\(o.work)/candidates/\(candidate.name).json"
                if let data = try RegularFile.contents(atPath: cache),
                   let cached = try? JSONDecoder().decode(Result.self, from: data), cached.key == key {
                    results.append(cached); reused += 1
                    continue
                }
                let result = try score(candidate, key: key, o)
                var files = OutputSet(marker: cache)
                defer { files.discard() }
                try files.data(cache, try encoder.encode(result))
                try files.commit()
                results.append(result)
            }
            guard let best = pick(results, tolerance: o.tolerance) else {
                throw InputError(o.manifestPath, "no candidate of the grid gave a finite out-of-fold AUROC")
            }
            choice = Choice(chosen: best.candidate, fallback: nil, results: results, folds: o.folds, tolerance: o.tolerance,
                            seed: o.seed, reused: reused)
            FileHandle.standardError.write(Data("extract-maps choose-size: \(best.candidate.name) (out-of-fold AUROC \(String(format: "%.2f", best.auroc)), \(results.count) candidates, \(reused) reused from \(o.work)/candidates)\n".utf8))
        }
        try write(choice, o)
        return choice
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted]
        return e
    }()

    /// Everything a candidate's result depends on besides the candidate: the
    /// manifest's and the weights' bytes, seed, detectors, folds, segments, forest.
    static func commonKey(_ o: Options) throws -> String {
        let parts: [String] = [
            "v1", try FileHashes.sha256(o.manifestPath), try o.weightsPath.map { try FileHashes.sha256($0) } ?? "-",
            "seed=\(o.seed)", "detectors=\(o.detectors.joined(separator: "+"))", "folds=\(o.folds)", "segments=\(o.segments)",
            "rounds=\(o.brf.rounds)", "trees=\(o.brf.numParallelTree)", "depth=\(o.brf.maxDepth)",
        ]
        return parts.joined(separator: "|")
    }

    static func key(_ common: String, _ c: Candidate) -> String {
        var hash = SHA256()
        hash.update(Array("\(common)|\(c.name)".utf8))
        return SHA256.hex(of: hash.finalize())
    }

    /// One candidate: fit every detector on the seed's pool at its size,
    /// apply to the seed's `segad-train` images only (timed), derive the
    /// segmentation from the pool, segment features, k-fold out-of-fold forest.
    static func score(_ c: Candidate, key: String, _ o: Options) throws -> Result {
        let tmp = "\(o.work)/tmp-\(c.name)-\(getpid())"
        try? FileManager.default.removeItem(atPath: tmp)
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let size = (height: c.height, width: c.width)
        var mapsPaths: [String] = []
        var applySeconds = 0.0
        for kind in o.detectors {
            let takesRatio = DetectorRegistry.kind(named: kind)?.fitOptions.contains(.coresetRatio) ?? false
            let state = "\(tmp)/\(kind).h5", maps = "\(tmp)/\(kind)-maps.h5"
            try NativeDetectors.fit(.init(manifestPath: o.manifestPath, kind: kind, name: kind, seed: o.seed, size: size,
                                          weightsPath: o.weightsPath, coresetRatio: takesRatio ? c.coresetRatio : nil, output: state))
            let start = DispatchTime.now().uptimeNanoseconds
            try NativeDetectors.apply(.init(manifestPath: o.manifestPath, statePath: state, output: maps,
                                            seed: o.seed, roles: [.segadTrain]))
            applySeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            mapsPaths.append(maps)
        }
        var config = StaticSegmentation.Config()
        config.segments = o.segments
        config.seed = UInt32(truncatingIfNeeded: o.seed)
        let labels = "\(tmp)/segmentation.png"
        try SegmentationDerivation.runStatic(.init(manifestPath: o.manifestPath, seed: o.seed, size: size,
                                                   output: labels, config: config))
        let featuresPath = "\(tmp)/features.h5"
        try FeatureExtraction.run(.init(manifestPath: o.manifestPath, mapsPaths: mapsPaths, segmentation: .staticMap(path: labels),
                                        segments: o.segments, output: featuresPath))
        let (manifest, features) = try FeaturesArtifact.openWithManifest(path: featuresPath, manifestPath: o.manifestPath)
        let (_, rows, y) = try features.trainingRows(seed: o.seed, manifest: manifest, manifestPath: o.manifestPath)
        let scores = try outOfFold(features: features, rows: rows, labels: y, folds: o.folds, seed: o.seed, brf: o.brf)
        let truth = y.map { $0 == 1 }
        return Result(candidate: c, auroc: 100 * Metrics.auroc(scores: scores, labels: truth),
                      fpr95: 100 * Metrics.fprAtTPR95(scores: scores, labels: truth),
                      msPerImage: 1000 * applySeconds / Double(max(1, rows.count)), rows: rows.count,
                      bad: y.reduce(0, +), key: key)
    }

    /// Each row scored by the forest trained on the other folds (stratified, seeded by the run seed).
    static func outOfFold(features: FeaturesArtifact, rows: [Int], labels: [Int], folds k: Int, seed: Int,
                          brf: BRFParameters) throws -> [Double] {
        let fold = StratifiedKFold.folds(labels: labels.map { $0 == 1 }, k: k, seed: UInt32(truncatingIfNeeded: seed))
        let columns = features.names.count
        var scores = [Double](repeating: .nan, count: rows.count)
        for f in 0..<k {
            let train = rows.indices.filter { fold[$0] != f }, held = rows.indices.filter { fold[$0] == f }
            if held.isEmpty { continue }
            var parameters = brf
            parameters.seed = seed
            let booster = try BoostedRandomForest.train(features: features.matrix(rows: train.map { rows[$0] }), rows: train.count,
                                                        columns: columns, labels: train.map { labels[$0] }, parameters: parameters)
            let out = try BoostedRandomForest.scores(booster, features: features.matrix(rows: held.map { rows[$0] }),
                                                     rows: held.count, columns: columns)
            for (i, s) in zip(held, out) { scores[i] = s }
        }
        return scores
    }
}
