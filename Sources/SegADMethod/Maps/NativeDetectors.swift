import Foundation
import SegADNative
import SegADDetectors
import SegADKernels
import SegADCore

/// extract-maps, native mode: fit a detector on a seed's `detector-train`
/// images into a detector-state artifact, and apply a state to any manifest's
/// images into a maps artifact. Swapping a detector reruns only its own fit
/// and apply; the later stages read the maps artifact alone.
public enum NativeDetectors {
    public struct FitOptions {
        public var manifestPath: String
        /// A registered kind's name (`DetectorRegistry.names`).
        public var kind: String
        /// The detector's name in feature names and tables (default: the kind).
        public var name: String
        public var seed: Int
        /// The working size; nil: from the first image (WorkingSize.auto), said once on stderr.
        public var size: (height: Int, width: Int)?
        public var weightsPath: String?
        public var coresetRatio: Float?
        public var output: String
        /// Fit on at most this many detector-train images (the first ones in the manifest's order).
        public var limit: Int?
        /// How images of another aspect meet the working size; recorded in
        /// the state (key `resize`, only when not `stretch`) for apply and a saved pipeline.
        public var resize: ResizeMode = .stretch
        public init(manifestPath: String, kind: String, name: String, seed: Int, size: (height: Int, width: Int)?,
                    weightsPath: String?, coresetRatio: Float? = nil, output: String, limit: Int? = nil) {
            self.manifestPath = manifestPath; self.kind = kind; self.name = name; self.seed = seed
            self.size = size; self.weightsPath = weightsPath; self.coresetRatio = coresetRatio
            self.output = output; self.limit = limit
        }
    }

    public static func fit(_ o: FitOptions) throws {
        guard let kind = DetectorRegistry.kind(named: o.kind) else {
            throw InputError("--kind", "unknown detector kind \(o.kind) (known: \(DetectorRegistry.names.joined(separator: ", ")))")
        }
        if o.coresetRatio != nil, !kind.fitOptions.contains(.coresetRatio) {
            throw InputError("--coreset-ratio", "\(o.kind) takes no coreset ratio (only \(DetectorRegistry.kinds.filter { $0.fitOptions.contains(.coresetRatio) }.map { $0.kindName }.joined(separator: ", ")))")
        }
        let manifest = try Manifest.load(path: o.manifestPath)
        let (ids, paths) = try manifest.images(.detectorTrain, seed: o.seed, limit: o.limit)
        let size: (height: Int, width: Int)
        if let given = o.size { size = given } else {
            let auto = try WorkingSize.auto(manifest: manifest)
            size = auto.size
            FileHandle.standardError.write(Data("extract-maps fit: \(auto.note)\n".utf8))
        }
        let images = try loadImages(paths, size: size, label: "load \(o.name) training images", resize: o.resize)
        var inputs = [try ArtifactInput.hashing(role: "manifest", path: o.manifestPath)]
        let progress = StageProgress("fit \(o.name)", total: images.count)
        var backbone: FittingBackbone?
        if kind.needsBackbone {
            guard let weights = o.weightsPath else {
                throw InputError("--weights", "\(o.kind) needs backbone weights (EfficientNet-Lite0 .pth)")
            }
            inputs.append(try .hashing(role: "weights", path: weights))
            backbone = FittingBackbone(network: try EfficientNetLite0(path: weights), weightsPath: weights)
        }
        let detector = try kind.fit(images, backbone: backbone, options: DetectorFitOptions(seed: UInt64(o.seed), coresetRatio: o.coresetRatio),
                                    progress: progress)
        var config: [String: Any] = ["seed": o.seed, "size": [size.height, size.width], "training_images": ids.count]
        if o.resize != .stretch { config["resize"] = o.resize.rawValue }
        try DetectorStateArtifact.write(detector.state(), name: o.name, path: o.output, config: config,
                                        inputs: inputs, trainingIds: ids)
    }

    public struct ApplyOptions {
        public var manifestPath: String
        public var statePath: String
        public var output: String
        /// Only items in these roles of `seed` (all items when nil).
        public var seed: Int?
        public var roles: [Manifest.Role]
        /// Skip items that are `detector-train` in every seed (their maps are never used).
        public var skipDetectorTrain: Bool
        /// Map only this shard of the items (docs/cluster.md, "Shards"):
        /// `merge` joins the shards into the artifact one run writes.
        public var shard: Shard?
        public init(manifestPath: String, statePath: String, output: String, seed: Int? = nil,
                    roles: [Manifest.Role] = [], skipDetectorTrain: Bool = false, shard: Shard? = nil) {
            self.manifestPath = manifestPath; self.statePath = statePath; self.output = output
            self.seed = seed; self.roles = roles; self.skipDetectorTrain = skipDetectorTrain
            self.shard = shard
        }
    }

    public static func apply(_ o: ApplyOptions) throws {
        let manifest = try Manifest.load(path: o.manifestPath)
        let state = try DetectorStateArtifact(path: o.statePath)
        try LeakageGuard.check(manifest, trainedOn: state.trainingIds,
                               what: "detector '\(state.name)' was fitted on", file: o.statePath)
        let detector = try state.detector()
        var items = manifest.items
        if let seed = o.seed, !o.roles.isEmpty {
            let wanted = Set(o.roles.flatMap { manifest.ids($0, seed: seed) })
            items = items.filter { wanted.contains($0.id) }
        }
        if o.skipDetectorTrain {
            var always: Set<String>? = nil
            for seed in manifest.seedList {
                let ids = Set(manifest.ids(.detectorTrain, seed: seed))
                always = always.map { $0.intersection(ids) } ?? ids
            }
            items = items.filter { !(always ?? []).contains($0.id) }
        }
        guard !items.isEmpty else { throw StageInputError.noItemsToApply(o.manifestPath) }
        var config: [String: Any] = ["mode": "native", "kind": state.state.kind]
        var positions: [Int]? = nil
        if let shard = o.shard {
            // The shard's block of the sorted ids, in manifest order; the
            // config and `shard_positions` let `merge` check and reorder.
            let all = items.map(\.id)
            positions = shard.positions(of: all)
            guard !positions!.isEmpty else {
                throw InputError("--shard", "shard \(shard) of \(all.count) items is empty; choose N ≤ \(all.count)")
            }
            items = positions!.map { items[$0] }
            config[ShardKeys.shard] = shard.index
            config[ShardKeys.shards] = shard.count
            config[ShardKeys.items] = all.count
            config[ShardKeys.itemsDigest] = Shard.listDigest(all)
        }
        let paths = try items.map { item -> String in
            guard let image = item.image else { throw ManifestError.noImage(o.manifestPath, id: item.id) }
            return manifest.resolve(image)
        }
        let (h, w) = state.size
        var inputs = [try ArtifactInput.hashing(role: "manifest", path: o.manifestPath),
                      try ArtifactInput.hashing(role: "detector-state", path: o.statePath)]
        if let weights = state.state.config["weights"] { inputs.append(try .hashing(role: "weights", path: weights)) }
        let writer = try MapsArtifactWriter(path: o.output, detector: state.name, count: items.count, height: h, width: w,
                                            config: config, inputs: inputs)
        writer.strings[LeakageGuard.mapsDataset] = state.trainingIds
        if let positions { writer.int64s[ShardKeys.positions] = positions.map(Int64.init) }
        let progress = StageProgress("extract-maps \(state.name)", total: items.count, unit: "images")
        let batch = 32
        for start in stride(from: 0, to: items.count, by: batch) {
            let n = min(batch, items.count - start)
            let images = try loadImages(Array(paths[start ..< start + n]), size: (h, w), label: nil, resize: state.resize)
            let maps = try detector.apply(images, progress: nil)
            for j in 0..<n {
                try maps[j].withUnsafeBufferPointer {
                    try writer.append(id: items[start + j].id, label: items[start + j].label, map: $0)
                }
            }
            progress.advance(by: n)
        }
        try writer.commit()
    }

    public static func loadImages(_ paths: [String], size: (height: Int, width: Int), label: String?,
                                  resize: ResizeMode = .stretch) throws -> [DetectorImage] {
        var images = [DetectorImage?](repeating: nil, count: paths.count)
        let progress = label.map { StageProgress($0, total: paths.count, unit: "images") }
        try images.withUnsafeMutableBufferPointer { slots in
            try concurrentForEach(paths.count) { i in
                slots[i] = try DetectorImage.load(path: paths[i], height: size.height, width: size.width, resize: resize)
                progress?.advance()
            }
        }
        return images.map { $0! }
    }
}
