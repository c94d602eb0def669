import Foundation
import SegADNative
import SegADCore

/// evaluate score: turns a model per seed, a feature column, or an imported
/// score file into a scores artifact over each seed's test rows.
public enum Scoring {
    public enum Source {
        /// SegAD: one trained model artifact per seed.
        case models([String])
        /// A base detector: a feature column (e.g. `an_det_score_rd4ad`), the same for every seed.
        case feature(String)
        /// An imported method: a CSV with columns id, score (and optionally seed).
        case csv(String)
    }

    public struct Options {
        public var featuresPath: String
        public var manifestPath: String
        public var source: Source
        public var method: String
        public var output: String
        public init(featuresPath: String, manifestPath: String, source: Source, method: String, output: String) {
            self.featuresPath = featuresPath; self.manifestPath = manifestPath; self.source = source
            self.method = method; self.output = output
        }
    }

    public static func run(_ options: Options) throws {
        let (manifest, features) = try FeaturesArtifact.openWithManifest(path: options.featuresPath,
                                                                          manifestPath: options.manifestPath)
        var inputs = [try ArtifactInput.hashing(role: "manifest", path: options.manifestPath),
                      try ArtifactInput.hashing(role: "features", path: options.featuresPath)]

        func testRows(_ seed: Int) throws -> (ids: [String], rows: [Int]) {
            let ids = manifest.ids(.test, seed: seed)
            guard !ids.isEmpty else { throw StageInputError.noTestRows(options.manifestPath, seed: seed) }
            return (ids, try features.rows(for: ids, context: "test of seed \(seed)"))
        }
        func seedScores(_ seed: Int, _ ids: [String], _ rows: [Int], _ scores: [Double]) -> SeedScores {
            SeedScores(seed: seed, ids: ids, scores: scores, labels: rows.map { features.labels[$0] },
                       tags: rows.map { features.tags[$0] })
        }

        var results: [SeedScores] = []
        var config: [String: Any] = [:]
        switch options.source {
        case .models(let paths):
            config["source"] = "models"
            var seen = Set<Int>()
            for path in paths {
                let model = try ModelArtifact(path: path)
                try model.reader.requireInput(role: "features", file: options.featuresPath)
                try model.reader.requireInput(role: "manifest", file: options.manifestPath)
                guard seen.insert(model.seed).inserted else { throw StageInputError.secondModel(path, seed: model.seed) }
                let (ids, rows) = try testRows(model.seed)
                let columns = try model.featureNames.map { try features.column(named: $0) }
                let matrix = features.matrix(rows: rows, columns: columns)
                let booster = try model.booster()
                let scores = try BoostedRandomForest.scores(booster, features: matrix, rows: rows.count, columns: columns.count)
                results.append(seedScores(model.seed, ids, rows, scores))
                inputs.append(try .hashing(role: "model", path: path))
            }
        case .feature(let name):
            config["source"] = "feature"
            config["feature"] = name
            let column = try features.column(named: name)
            for seed in manifest.seedList {
                let (ids, rows) = try testRows(seed)
                results.append(seedScores(seed, ids, rows, rows.map { Double(features.values[$0 * features.columnCount + column]) }))
            }
        case .csv(let path):
            config["source"] = "csv"
            let scores = try ScoreCSV.read(path: path)
            inputs.append(try .hashing(role: "scores-csv", path: path))
            for seed in manifest.seedList {
                let (ids, rows) = try testRows(seed)
                let values = try ids.map { id -> Double in
                    guard let s = scores[id] else { throw ScoreFileError.noScore(path, id: id) }
                    return s
                }
                results.append(seedScores(seed, ids, rows, values))
            }
        }
        results.sort { $0.seed < $1.seed }
        try ScoresArtifact.write(path: options.output, method: options.method, className: manifest.className,
                                 seeds: results, config: config, inputs: inputs)
    }
}
