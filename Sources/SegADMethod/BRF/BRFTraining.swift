import Foundation
import SegADNative
import SegADCore

/// train-brf: fits the Boosted Random Forest of one seed on the rows the
/// manifest gives that seed's `segad-train` role, in that order.
public enum BRFTraining {
    public struct Options {
        public var featuresPath: String
        public var manifestPath: String
        public var seed: Int
        public var output: String
        /// Where the plain XGBoost JSON goes (default: output with `.json`).
        public var jsonOutput: String?
        /// XGBoost parameters; `seed` is replaced by `xgboostSeed ?? seed`.
        public var parameters: BRFParameters
        public var xgboostSeed: Int?
        /// Glob patterns selecting feature columns (all when empty), for ablations.
        public var only: [String]

        public init(featuresPath: String, manifestPath: String, seed: Int, output: String, jsonOutput: String? = nil,
                    parameters: BRFParameters = BRFParameters(), xgboostSeed: Int? = nil, only: [String] = []) {
            self.featuresPath = featuresPath; self.manifestPath = manifestPath; self.seed = seed
            self.output = output; self.jsonOutput = jsonOutput; self.parameters = parameters
            self.xgboostSeed = xgboostSeed; self.only = only
        }
    }

    public static func run(_ options: Options) throws {
        let (manifest, features) = try FeaturesArtifact.openWithManifest(path: options.featuresPath,
                                                                          manifestPath: options.manifestPath)
        guard manifest.seeds[options.seed] != nil else {
            throw StageInputError.noSeed(options.manifestPath, seed: options.seed, seeds: manifest.seedList)
        }
        let (trainIds, rows, labels) = try features.trainingRows(seed: options.seed, manifest: manifest,
                                                       manifestPath: options.manifestPath)
        let good = labels.filter { $0 == 0 }.count, bad = labels.count - good
        guard good > 0, bad > 0 else {
            throw StageInputError.trainingNeedsBothClasses(options.manifestPath, seed: options.seed, good: good, bad: bad)
        }
        let columns = try selectColumns(features.names, only: options.only, path: options.featuresPath)
        var parameters = options.parameters
        parameters.seed = options.xgboostSeed ?? options.seed
        if parameters.scalePosWeight == nil { parameters.scalePosWeight = Double(good) / Double(bad) }

        let matrix = features.matrix(rows: rows, columns: columns)
        let booster = try BoostedRandomForest.train(features: matrix, rows: rows.count, columns: columns.count,
                                                    labels: labels, parameters: parameters)
        // A model that scores its own training rows NaN or ±inf (e.g. from
        // extreme parameters) is refused rather than written (docs/reliability.md, section 6, class 5).
        let check = try BoostedRandomForest.scores(booster, features: matrix, rows: rows.count, columns: columns.count)
        if let i = check.firstIndex(where: { !$0.isFinite }) {
            throw StageInputError.nonFiniteTrainingScore(options.output, id: trainIds[i], score: check[i])
        }
        let json = try booster.jsonModel()

        var config: [String: Any] = ["seed": options.seed, "xgboost_version": XGBBooster.libraryVersion,
                                     "good_rows": good, "bad_rows": bad]
        var parameterObject: [String: String] = [:]
        for (k, v) in parameters.xgboostParameters { parameterObject[k] = v }
        config["parameters"] = parameterObject
        config["only"] = options.only
        // The .h5 and the .json are one set, the .h5 (Make's target) its marker.
        let jsonPath = options.jsonOutput ?? ((options.output as NSString).deletingPathExtension + ".json")
        var files = OutputSet(marker: options.output)
        defer { files.discard() }
        try files.data(jsonPath, Data(json.utf8))
        try ModelArtifact.stage(in: &files, path: options.output, json: json,
                                featureNames: columns.map { features.names[$0] }, trainingIds: trainIds, config: config,
                                inputs: [try .hashing(role: "manifest", path: options.manifestPath),
                                         try .hashing(role: "features", path: options.featuresPath)])
        try files.commit()
    }

    /// Columns whose names match any glob in `only` (all when empty), in artifact order.
    static func selectColumns(_ names: [String], only: [String], path: String) throws -> [Int] {
        guard !only.isEmpty else { return Array(names.indices) }
        let selected = names.indices.filter { i in only.contains { Glob.matches($0, names[i]) } }
        guard !selected.isEmpty else { throw StageInputError.noFeatureMatches(path, globs: only) }
        return selected
    }
}
