import SegADNative

extension FeaturesArtifact {
    /// Loads the run's manifest and the features made from it: the features
    /// must record this manifest's hash, and no learned input behind them may
    /// have seen a test image of any seed (`LeakageGuard`). Used by every
    /// stage that reads features (train-brf, evaluate score, save-pipeline).
    public static func openWithManifest(path: String, manifestPath: String) throws -> (manifest: Manifest, features: FeaturesArtifact) {
        let manifest = try Manifest.load(path: manifestPath)
        let features = try FeaturesArtifact(path: path)
        try features.reader.requireInput(role: "manifest", file: manifestPath)
        try LeakageGuard.check(features: features, manifest: manifest)
        return (manifest, features)
    }

    /// A seed's `segad-train` ids (in the manifest's order), their rows and
    /// their labels (1 = bad, 0 = good); refuses a seed without such rows.
    public func trainingRows(seed: Int, manifest: Manifest, manifestPath: String) throws -> (ids: [String], rows: [Int], labels: [Int]) {
        let ids = manifest.ids(.segadTrain, seed: seed)
        guard !ids.isEmpty else { throw ArtifactError.noTrainingRows(manifestPath, seed: seed) }
        let rows = try rows(for: ids, context: "segad-train of seed \(seed)")
        return (ids, rows, rows.map { labels[$0] == .bad ? 1 : 0 })
    }
}
