import Foundation
import SegADNative

/// The items of a run and, per seed, which items play which role.
///
/// A manifest is versioned JSON (schema: docs/manifest.md). Every stage is
/// keyed by one: artifacts record its SHA-256, and the next stage refuses a
/// manifest whose hash differs from the one its inputs were made from.
///
///     {"format": "segad-manifest", "version": 1, "name": "elpv-mono",
///      "items": [{"id": "cell0001", "label": "bad", "image": "images/cell0001.png"}],
///      "seeds": {"0": {"detector-train": […], "segad-train": […], "test": […]}}}
public struct Manifest: Sendable {
    public static let format = "segad-manifest"
    /// The newest manifest version this tool reads.
    public static let currentVersion = 1

    public var name: String
    /// Report grouping (e.g. a VisA class); defaults to `name`.
    public var className: String
    public var items: [ManifestItem]
    /// Per seed, role → ordered item ids. Order matters: training rows are
    /// given to XGBoost in this order.
    public var seeds: [Int: [Role: [String]]]
    /// Folder that relative paths are resolved against.
    public var root: String
    /// Where the manifest was read from.
    public var path: String

    public init(name: String, className: String, items: [ManifestItem], seeds: [Int: [Role: [String]]],
                root: String, path: String) {
        self.name = name; self.className = className; self.items = items; self.seeds = seeds
        self.root = root; self.path = path
    }

    /// What an item is used for in one seed.
    public enum Role: String, CaseIterable, Sendable {
        case detectorTrain = "detector-train"
        case segadTrain = "segad-train"
        case classifierTrain = "classifier-train"
        case test = "test"
    }

    /// Items by id.
    public var index: [String: Int] {
        Dictionary(uniqueKeysWithValues: items.enumerated().map { ($1.id, $0) })
    }

    /// Seeds in ascending order.
    public var seedList: [Int] { seeds.keys.sorted() }

    /// Ids that play `role` in `seed`, in manifest order of the split.
    public func ids(_ role: Role, seed: Int) -> [String] { seeds[seed]?[role] ?? [] }

    /// The ids playing `role` in `seed` (the first `limit` of them) and their
    /// resolved image paths; an item without an image is an error.
    public func images(_ role: Role, seed: Int, limit: Int? = nil) throws -> (ids: [String], paths: [String]) {
        guard seeds[seed] != nil else { throw ManifestError.noSeed(path, seed: seed) }
        var ids = self.ids(role, seed: seed)
        if let limit { ids = Array(ids.prefix(limit)) }
        guard !ids.isEmpty else { throw ManifestError.noImages(path, seed: seed, role: role) }
        let index = self.index
        let paths = try ids.map { id -> String in
            guard let image = items[index[id]!].image else { throw ManifestError.noImage(path, id: id) }
            return resolve(image)
        }
        return (ids, paths)
    }

    /// Resolves a path of the manifest against its root.
    public func resolve(_ relative: String) -> String {
        relative.hasPrefix("/") ? relative : (root as NSString).appendingPathComponent(relative)
    }
}

/// One image (and/or its precomputed maps) with its image-level label.
public struct ManifestItem: Sendable, Equatable {
    public var id: String
    public var label: Label
    /// Image file (PNG), if any.
    public var image: String?
    /// Precomputed anomaly maps per detector name (.npy, .tif/.tiff, .png).
    public var maps: [String: String]
    /// Per-item segmentation label map (.npy or PNG), if any.
    public var segmentation: String?
    /// Free tags, e.g. "unseen" for defects of a type never trained on.
    public var tags: [String]

    public init(id: String, label: Label, image: String? = nil, maps: [String: String] = [:],
                segmentation: String? = nil, tags: [String] = []) {
        self.id = id; self.label = label; self.image = image; self.maps = maps
        self.segmentation = segmentation; self.tags = tags
    }
}

/// Image-level label. Only good and bad rows are trained on and enter the
/// metrics; uncertain rows are scored and reported apart; unknown rows are
/// new parts to score.
public enum Label: String, CaseIterable, Sendable {
    case good, bad, uncertain, unknown

    /// The integer stored in artifacts: 0 good, 1 bad, -1 uncertain, -2 unknown.
    public var code: Int8 {
        switch self { case .good: 0; case .bad: 1; case .uncertain: -1; case .unknown: -2 }
    }

    public init?(code: Int64) {
        switch code { case 0: self = .good; case 1: self = .bad; case -1: self = .uncertain
        case -2: self = .unknown; default: return nil }
    }
}
