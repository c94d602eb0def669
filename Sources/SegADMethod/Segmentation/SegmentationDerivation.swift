import Foundation
import SegADNative
import SegADKernels
import SegADDetectors
import SegADCore
import SegADFigures

/// `extract-maps derive-segmentation`: label maps derived from good images,
/// so SegAD runs without an annotated segmentation.
public enum SegmentationDerivation {
    public static let stage = "extract-maps derive-segmentation"

    public struct StaticOptions {
        public var manifestPath: String
        /// The seed whose `detector-train` images define the descriptors.
        public var seed: Int
        public var size: (height: Int, width: Int)
        /// Maps artifacts whose good items in the seed's detector-train (the
        /// pool; never a test image) add each detector's map mean and std as descriptors.
        public var mapsPaths: [String]
        /// The label PNG to write; the sidecar and overlay go beside it.
        public var output: String
        public var config: StaticSegmentation.Config
        /// Use at most this many detector-train images (the first ones).
        public var limit: Int?
        /// How images of another aspect meet the working size (as the detectors were fitted).
        public var resize: ResizeMode = .stretch
        public init(manifestPath: String, seed: Int, size: (height: Int, width: Int), mapsPaths: [String] = [],
                    output: String, config: StaticSegmentation.Config = .init(), limit: Int? = nil) {
            self.manifestPath = manifestPath; self.seed = seed; self.size = size; self.mapsPaths = mapsPaths
            self.output = output; self.config = config; self.limit = limit
        }
    }

    /// Derives a static segmentation and writes `output`, its `.h5` sidecar
    /// and `_overlay.png`.
    @discardableResult
    public static func runStatic(_ o: StaticOptions) throws -> DerivedSegmentation {
        let manifest = try Manifest.load(path: o.manifestPath)
        let (ids, paths) = try manifest.images(.detectorTrain, seed: o.seed, limit: o.limit)
        try LeakageGuard.check(manifest, trainedOn: ids, what: "of seed \(o.seed)'s detector-train (the segmentation's images)",
                               file: o.manifestPath)
        let (h, w) = o.size
        var inputs = [try ArtifactInput.hashing(role: "manifest", path: o.manifestPath)]

        // Intensity moments over the good images, streamed in batches.
        var intensity = PixelMoments(height: h, width: w)
        var example: [Float] = []
        let progress = StageProgress("derive-segmentation: read good images", total: paths.count, unit: "images")
        let batch = 64
        for start in stride(from: 0, to: paths.count, by: batch) {
            let n = min(batch, paths.count - start)
            var grays = [[Float]](repeating: [], count: n)
            try grays.withUnsafeMutableBufferPointer { slots in
                try concurrentForEach(n) { j in
                    slots[j] = try DetectorImage.load(path: paths[start + j], height: h, width: w, resize: o.resize).gray
                }
            }
            if start == 0 { example = grays[0] }
            for g in grays { intensity.add(g) }
            progress.advance(by: n)
        }
        let mean = intensity.mean
        var descriptors = PixelDescriptors(height: h, width: w)
        descriptors.append("intensity_mean", unit: "intensity", mean)
        descriptors.append("intensity_std", unit: "intensity", intensity.std)
        descriptors.append("edge", unit: "intensity", ImageOps.sobelMagnitude(mean, height: h, width: w))

        // The detectors' maps on the detector pool's good images: where
        // they are noisy. Only pool images (the seed's detector-train): any
        // other good image is a test image of some seed.
        let pool = Set(manifest.ids(.detectorTrain, seed: o.seed))
        var heldOut: [String: Int] = [:]
        var mapIds = Set<String>()
        for path in o.mapsPaths {
            let maps = try MapsArtifact(path: path)
            try maps.reader.requireInput(role: "manifest", file: o.manifestPath)
            let rows = (0..<maps.count).filter { maps.labels[$0] == .good && pool.contains(maps.ids[$0]) }
            guard !rows.isEmpty else {
                throw StageInputError.noPoolMaps(path, seed: o.seed)
            }
            rows.forEach { mapIds.insert(maps.ids[$0]) }
            if heldOut[maps.detector] != nil { throw StageInputError.detectorGivenTwice(path, detector: maps.detector) }
            var moments = PixelMoments(height: h, width: w)
            var buffer = [Float](repeating: 0, count: maps.pixelsPerMap)
            for r in rows {
                try buffer.withUnsafeMutableBufferPointer { try maps.readMaps(r, count: 1, into: $0) }
                moments.add(maps.height == h && maps.width == w ? buffer
                            : Resize.bilinear(buffer, height: maps.height, width: maps.width, toHeight: h, toWidth: w))
            }
            descriptors.append("\(maps.detector)_map_mean", unit: maps.detector, moments.mean)
            descriptors.append("\(maps.detector)_map_std", unit: maps.detector, moments.std)
            heldOut[maps.detector] = rows.count
            inputs.append(try .hashing(role: "maps", path: path))
        }

        let segmentation = StaticSegmentation.derive(descriptors, intensity: mean, config: o.config)
        let minArea = o.config.minIslandArea ?? StaticSegmentation.defaultMinIslandArea(height: h, width: w)
        let config: [String: Any] = [
            "mode": "static",
            "seed": o.seed,
            "descriptors": descriptors.names,
            "images": ids.count,
            "pool_maps": heldOut,
            "min_island_area": minArea,
            "smoothing_sigma": Double(StaticSegmentation.smoothingSigma(o.config, height: h, width: w)),
            "max_iterations": o.config.maxIterations,
            "kmeans_iterations": segmentation.iterations,
            "islands_merged": segmentation.islandsMerged,
            "label_order": "ascending mean intensity",
            "standardization": "centred; each unit divided by the std of its mean plane",
        ]
        let overlay = SegmentationOverlay.render(
            title: "Derived segmentation: \(manifest.name), seed \(o.seed), L = \(o.config.segments), \(ids.count) good images",
            panels: [.init(gray: example, labels: nil, caption: "good image \(ids[0])"),
                     .init(gray: example, labels: segmentation.labels, caption: "segments over it"),
                     .init(gray: mean, labels: segmentation.labels, caption: "over the mean good image")],
            height: h, width: w, segments: segmentation.segments, counts: segmentation.counts)
        let idSet = Set(ids)
        let used = ids + manifest.items.map(\.id).filter { mapIds.contains($0) && !idSet.contains($0) }
        try SegmentationArtifact.write(segmentation, png: o.output, stage: stage, config: config,
                                       inputs: inputs, overlay: overlay, imageIds: used)
        return segmentation
    }

    public struct PerImageOptions {
        public var manifestPath: String
        public var size: (height: Int, width: Int)
        /// The manifest copy to write, with items[].segmentation set.
        public var output: String
        /// Folder for the label PNGs (default: the output's name without
        /// extension + `_segmentation`).
        public var labelFolder: String?
        public var config: PerImageSegmentation.Config
        public var resize: ResizeMode = .stretch
        public init(manifestPath: String, size: (height: Int, width: Int), output: String,
                    labelFolder: String? = nil, config: PerImageSegmentation.Config = .init()) {
            self.manifestPath = manifestPath; self.size = size; self.output = output
            self.labelFolder = labelFolder; self.config = config
        }
    }

    public static func defaultLabelFolder(for output: String) -> String {
        ((output as NSString).deletingPathExtension) + "_segmentation"
    }

    /// Segments every item's image and writes one label PNG per item into
    /// the label folder (replaced as a whole), the overlay figure of the
    /// first good items, and the manifest copy (last).
    public static func runPerImage(_ o: PerImageOptions) throws {
        let manifest = try Manifest.load(path: o.manifestPath)
        let (h, w) = o.size
        let folder = o.labelFolder ?? defaultLabelFolder(for: o.output)
        // The label folder is replaced as a whole: only an earlier label
        // folder of this stage (or a new or empty one), never a user's folder
        // or a symlink (docs/reliability.md, "Files, outputs and CSV cells").
        try OutputSet.checkReplaceable(folder, option: "--label-folder")
        let items = manifest.items
        for item in items where item.image == nil {
            throw StageInputError.noImageToSegment(o.manifestPath, id: item.id)
        }
        // Label files are named after the ids, made safe for a file system.
        var names: [String] = []
        var used = Set<String>()
        for item in items {
            var base = String(item.id.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
            if base.hasPrefix(".") { base = "_" + base }
            var name = base + ".png", k = 1
            while !used.insert(name).inserted { k += 1; name = "\(base)-\(k).png" }
            names.append(name)
        }
        TemporaryLock.removeStale(of: folder)
        let staging = OutputSet.temporary(for: folder)
        try? FileManager.default.removeItem(atPath: staging)
        TemporaryLock.claim(staging)
        do { try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true) } catch {
            throw StageInputError.cannotCreateLabelFolder(folder, reason: OutputPaths.reason(error))
        }
        var finished = false
        defer { if !finished { try? FileManager.default.removeItem(atPath: staging); TemporaryLock.release(staging) } }

        let progress = StageProgress("derive-segmentation --per-image", total: items.count, unit: "images")
        var examples: [SegmentationOverlay.Panel] = []
        var exampleCounts = [Int](repeating: 0, count: o.config.classes)
        let batch = 64
        for start in stride(from: 0, to: items.count, by: batch) {
            let n = min(batch, items.count - start)
            var results = [(gray: [Float], seg: DerivedSegmentation)?](repeating: nil, count: n)
            try results.withUnsafeMutableBufferPointer { slots in
                try concurrentForEach(n) { j in
                    let item = items[start + j]
                    let gray = try DetectorImage.load(path: manifest.resolve(item.image!), height: h, width: w, resize: o.resize).gray
                    let seg = PerImageSegmentation.segment(gray, height: h, width: w, config: o.config)
                    try PNG.writeGray8(path: (staging as NSString).appendingPathComponent(names[start + j]),
                                       width: w, height: h, pixels: seg.labels.map { UInt8($0) })
                    slots[j] = (gray, seg)
                }
            }
            for j in 0..<n where examples.count < 3 && items[start + j].label == .good {
                let r = results[j]!
                examples.append(.init(gray: r.gray, labels: r.seg.labels, caption: items[start + j].id))
                for (l, c) in r.seg.counts.enumerated() { exampleCounts[l] += c }
            }
            progress.advance(by: n)
        }

        // The manifest copy: same items and seeds. `root` stays absolute if
        // it was given so, else it is re-expressed from the copy's folder;
        // label paths are relative to the root when they lie under it.
        var copy = manifest
        let outputFolder = absolute((o.output as NSString).deletingLastPathComponent)
        let root = absolute(manifest.root)
        for (i, name) in names.enumerated() {
            let label = absolute((folder as NSString).appendingPathComponent(name))
            copy.items[i].segmentation = label.hasPrefix(root + "/") ? relativePath(label, from: root) : label
        }
        var object = try JSONSerialization.jsonObject(with: copy.jsonData()) as! [String: Any]
        let original = (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: o.manifestPath)))) as? [String: Any]
        let givenRoot = original?["root"] as? String
        object["root"] = givenRoot?.hasPrefix("/") == true ? root : relativePath(root, from: outputFolder)
        object["description"] = "\(manifest.name) with per-image segmentations derived by \(stage) (\(o.config.classes) classes) from \(o.manifestPath)"
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])

        // One set, the manifest copy its marker: label folder and overlay
        // are renamed into place first, the manifest last.
        var files = OutputSet(marker: o.output)
        defer { files.discard() }
        if !examples.isEmpty {
            let canvas = SegmentationOverlay.render(
                title: "Per-image segmentation: \(manifest.name), \(o.config.classes) classes (0 background)",
                panels: examples, height: h, width: w, segments: o.config.classes, counts: exampleCounts)
            try files.rgb8(((o.output as NSString).deletingPathExtension) + "_overlay.png", canvas)
        }
        try files.data(o.output, data)
        files.adopt(temporary: staging, final: folder)
        finished = true
        try files.commit()
    }

    static func absolute(_ path: String) -> String {
        let p = path.isEmpty ? "." : path
        let full = p.hasPrefix("/") ? p : FileManager.default.currentDirectoryPath + "/" + p
        return (full as NSString).standardizingPath
    }

    /// `path` relative to the folder `base` (both absolute, standardized).
    static func relativePath(_ path: String, from base: String) -> String {
        let a = path.split(separator: "/"), b = base.split(separator: "/")
        var common = 0
        while common < a.count && common < b.count && a[common] == b[common] { common += 1 }
        let parts = Array(repeating: "..", count: b.count - common) + a[common...].map(String.init)
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }
}
