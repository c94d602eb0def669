import Foundation
import SegADNative

/// No test image of any seed shapes anything learned — checked by the stages
/// themselves, not only by Make.
///
/// What learned from which images travels with the artifacts:
/// - a detector state holds `training_ids` (the images `fit` used);
/// - `apply` copies them into its maps artifact (`detector_training_ids`);
/// - a derived segmentation's sidecar (`seg.h5`) holds `image_ids`;
/// - `segment-stats` copies both into the features artifact, under
///   `trained_on/detector-NAME` and `trained_on/segmentation` (config key
///   `trained_on` lists them).
/// `apply`, `segment-stats`, `train-brf` and `evaluate` refuse when one of
/// these ids is a test id of any seed of their manifest. A `segad-train` (or
/// `classifier-train`) id in the same seed's `test` is refused when any
/// stage loads the manifest (Manifest+Loading.swift).
public enum LeakageGuard {
    public static let stateDataset = "training_ids"
    public static let mapsDataset = "detector_training_ids"
    public static let segmentationDataset = "image_ids"
    public static let featuresGroup = "trained_on"

    /// Refuses when an id of `trainedOn` is a test id of any seed: one line
    /// naming `file`, the seed and the id.
    public static func check(_ manifest: Manifest, trainedOn ids: [String], what: String, file: String) throws {
        guard !ids.isEmpty else { return }
        let trained = Set(ids)
        for seed in manifest.seedList {
            if let id = manifest.ids(.test, seed: seed).first(where: trained.contains) {
                throw LeakageError.testIdTrainedOn(file, seed: seed, id: id, trainedCount: trained.count, what: what, manifest: manifest.path)
            }
        }
    }

    /// segment-stats and `evaluate score --maps`: the ids the maps'
    /// detector was fitted on (nil when the artifact records none), refused
    /// when one is a test id of any seed.
    @discardableResult
    public static func check(maps: MapsArtifact, manifest: Manifest) throws -> [String]? {
        guard maps.reader.file.hasDataset(mapsDataset) else { return nil }
        let ids = try maps.reader.file.readStrings(mapsDataset)
        try check(manifest, trainedOn: ids, what: "detector '\(maps.detector)' was fitted on", file: maps.reader.path)
        return ids
    }

    /// Refuses a seed whose `segad-train` or `classifier-train` shares an id
    /// with its `test` (Manifest.load refuses it too; kept here so every
    /// guard is in one place).
    public static func checkSplits(_ manifest: Manifest) throws {
        for seed in manifest.seedList {
            let test = Set(manifest.ids(.test, seed: seed))
            for role in [Manifest.Role.segadTrain, .classifierTrain] {
                if let id = manifest.ids(role, seed: seed).first(where: test.contains) {
                    throw LeakageError.idInTrainAndTest(manifest.path, seed: seed, id: id, role: role.rawValue)
                }
            }
        }
    }

    /// The training ids a features artifact carries, by what they trained.
    public static func trainedOn(_ features: FeaturesArtifact) throws -> [(what: String, ids: [String])] {
        let names = features.reader.config[featuresGroup] as? [String] ?? []
        return try names.map { name in
            let ids = try features.reader.file.readStrings("\(featuresGroup)/\(name)")
            let what = name == "segmentation" ? "the derived segmentation was made from"
                : "detector '\(name.dropFirst("detector-".count))' was fitted on"
            return (what, ids)
        }
    }

    /// train-brf and evaluate: the manifest's splits and every training id
    /// the features artifact carries.
    public static func check(features: FeaturesArtifact, manifest: Manifest) throws {
        try checkSplits(manifest)
        for (what, ids) in try trainedOn(features) {
            try check(manifest, trainedOn: ids, what: what, file: features.reader.path)
        }
    }

    /// The ids a derived segmentation (`seg.png` with its `seg.h5` sidecar)
    /// was made from; nil when there is no sidecar, the file beside the PNG
    /// is not a segmentation artifact (an HDF5 file or artifact of another
    /// kind that shares the name), or the sidecar records no ids (an older
    /// one).
    ///
    /// A sidecar that records another label PNG's SHA-256 is refused: the
    /// PNG was replaced or edited after derivation, so which images shaped it
    /// can no longer be checked. Re-derive it, or, for a hand-drawn map,
    /// remove or rename the sidecar — an explicit act instead of a silently
    /// skipped check.
    public static func segmentationIds(png: String) throws -> (sidecar: String, ids: [String])? {
        let sidecar = ((png as NSString).deletingPathExtension) + ".h5"  // SegmentationArtifact.sidecarPath
        guard sidecar != png, FileManager.default.fileExists(atPath: sidecar) else { return nil }
        let reader: ArtifactReader
        do {
            reader = try ArtifactReader(path: sidecar, expecting: .segmentation)
        } catch ArtifactError.notAnArtifact, ArtifactError.wrongKind, ArtifactError.unknownKind {
            return nil
        }
        defer { reader.close() }
        guard reader.file.hasDataset(segmentationDataset),
              let recorded = reader.config["label_png_sha256"] as? String else { return nil }
        guard recorded == (try FileHashes.sha256(png)) else {
            throw LeakageError.sidecarDescribesAnotherPNG(sidecar, png: png)
        }
        // The sidecar describes this PNG: its `labels` are read too, so a
        // damaged sidecar is refused by their Fletcher-32 checksum rather
        // than trusted (docs/reliability.md, section 6, class 4).
        if reader.file.hasDataset("labels") { _ = try reader.file.readInt64s("labels") }
        return (sidecar, try reader.file.readStrings(segmentationDataset))
    }
}
