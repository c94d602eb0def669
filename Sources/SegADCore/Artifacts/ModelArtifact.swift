import Foundation
import SegADNative

/// A trained model artifact: `model_json` (XGBoost's own JSON), the
/// `feature_names` it was trained on, and its `training_ids`.
public final class ModelArtifact {
    public let reader: ArtifactReader
    public let seed: Int
    public let json: String
    public let featureNames: [String]

    public init(path: String) throws {
        reader = try ArtifactReader(path: path, expecting: .model)
        guard let seed = reader.config["seed"] as? Int else { throw ArtifactError.noSeed(path) }
        self.seed = seed
        guard let json = try reader.file.readStrings("model_json").first else { throw ArtifactError.noModel(path) }
        self.json = json
        featureNames = try reader.file.readStrings("feature_names")
    }

    /// The model, validated before XGBoost loads it (`XGBBooster(json:source:limits:)`).
    public func booster() throws -> XGBBooster {
        try XGBBooster(json: json, source: reader.path, limits: Bounds.xgboostModel)
    }

    /// Writes a model artifact at `path` (stage `train-brf`) and stages it in
    /// `files`, the output set it commits with (the model's `.json` beside it).
    public static func stage(in files: inout OutputSet, path: String, json: String, featureNames: [String],
                             trainingIds: [String], config: [String: Any], inputs: [ArtifactInput]) throws {
        let writer = try ArtifactWriter(path: path, kind: .model, stage: "train-brf", config: config, inputs: inputs)
        try writer.file.write("model_json", strings: [json])
        try writer.file.write("feature_names", strings: featureNames)
        try writer.file.write("training_ids", strings: trainingIds)
        try writer.stage(in: &files)
    }
}
