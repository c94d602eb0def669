import Foundation
import SegADNative
import SegADKernels
import SegADCore

/// segment-stats: SegAD's per-segment features for K maps artifacts at once.
public enum FeatureExtraction {
    public struct Options {
        public var manifestPath: String
        public var mapsPaths: [String]
        public var segmentation: SegmentationSource
        public var segments: Int
        public var classifierScores: String?
        public var output: String
        public var threads: Int

        public init(manifestPath: String, mapsPaths: [String], segmentation: SegmentationSource, segments: Int,
                    classifierScores: String? = nil, output: String,
                    threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
            self.manifestPath = manifestPath; self.mapsPaths = mapsPaths; self.segmentation = segmentation
            self.segments = segments; self.classifierScores = classifierScores; self.output = output
            self.threads = threads
        }
    }

    public static func run(_ options: Options) throws {
        guard Bounds.segments.contains(options.segments) else {
            throw InputError("--segments", "must be in 1…\(Bounds.maxSegments) (\(Bounds.segmentsWhy))")
        }
        let manifest = try Manifest.load(path: options.manifestPath)
        let maps = try options.mapsPaths.map { try MapsArtifact(path: $0) }
        var inputs = [try ArtifactInput.hashing(role: "manifest", path: options.manifestPath)]
        let first = maps[0]
        // Hashing the maps artifacts (their SHA-256 goes into the provenance)
        // reads every byte of them and costs more CPU than the statistics:
        // one background thread per artifact, overlapped with the work below,
        // joined before the features artifact is written.
        let mapsHashes = BackgroundHashes(paths: options.mapsPaths)
        var detectors: [String] = []
        for artifact in maps {
            try artifact.reader.requireInput(role: "manifest", file: options.manifestPath)
            try MapSources.verify(artifact, manifest: manifest)
            guard artifact.ids == first.ids else {
                throw StageInputError.otherItems(artifact.reader.path, first: first.reader.path)
            }
            guard artifact.height == first.height, artifact.width == first.width else {
                throw StageInputError.mapsSizeDiffers(artifact.reader.path, height: artifact.height, width: artifact.width,
                                                      first: first.reader.path, firstHeight: first.height, firstWidth: first.width)
            }
            if detectors.contains(artifact.detector) {
                throw StageInputError.detectorGivenTwice(artifact.reader.path, detector: artifact.detector)
            }
            detectors.append(artifact.detector)
        }
        // Leakage guards: the detectors' training images and the derived
        // segmentation's images must be no test image of any seed.
        try LeakageGuard.checkSplits(manifest)
        var trainedOn: [(name: String, ids: [String])] = []
        for artifact in maps {
            if let ids = try LeakageGuard.check(maps: artifact, manifest: manifest) {
                trainedOn.append(("detector-\(artifact.detector)", ids))
            }
        }
        if case .staticMap(let path) = options.segmentation, let derived = try LeakageGuard.segmentationIds(png: path) {
            try LeakageGuard.check(manifest, trainedOn: derived.ids, what: "the derived segmentation \(path) was made from",
                                   file: derived.sidecar)
            trainedOn.append(("segmentation", derived.ids))
        }
        let (height, width, n) = (first.height, first.width, first.count)
        let pixels = height * width
        let L = options.segments

        // Segmentation: one static label map, or per item from the manifest.
        var staticLabels: [Int32]? = nil
        var itemLabelPaths: [String] = []
        var segmentationConfig: [String: Any] = ["segments": L]
        var laterInputs: [ArtifactInput] = []
        switch options.segmentation {
        case .staticMap(let path):
            staticLabels = try LabelMap.read(path: path, height: height, width: width, segments: L)
            laterInputs.append(try .hashing(role: "segmentation", path: path))
            segmentationConfig["segmentation"] = "static"
        case .perItem:
            let index = manifest.index
            itemLabelPaths = try first.ids.map { id in
                guard let at = index[id] else { throw StageInputError.noItemOfMaps(options.manifestPath, id: id) }
                guard let p = manifest.items[at].segmentation else {
                    throw StageInputError.noSegmentation(options.manifestPath, id: id)
                }
                return manifest.resolve(p)
            }
            segmentationConfig["segmentation"] = "per-item"
        }

        var classifier: [Float]? = nil
        if let csv = options.classifierScores {
            let scores = try ScoreCSV.read(path: csv)
            classifier = try first.ids.map {
                guard let s = scores[$0] else { throw ScoreFileError.noScore(csv, id: $0) }
                return Float(s)
            }
            laterInputs.append(try .hashing(role: "classifier-scores", path: csv))
        }

        let layout = FeatureLayout(segmentCount: L, detectors: detectors, hasClassifierScore: classifier != nil)
        let F = layout.count
        var features = [Float](repeating: 0, count: n * F)
        let K = maps.count
        let block = 64
        let threads = max(1, options.threads)
        var buffers = (0..<K).map { _ in [Float](repeating: 0, count: block * pixels) }
        var workspaces = (0..<threads).map { _ in SegmentStatisticsWorkspace(pixelCount: pixels, segmentCount: L) }
        var stats = (0..<threads).map { _ in [SegmentStatistics](repeating: SegmentStatistics(q995: 0, skew: 0, kurtosis: 0, mean: 0), count: L) }
        var labelBuffers = (0..<threads).map { _ in [Int32]() }
        let progress = StageProgress("segment-stats", total: n, unit: "images")

        for start in stride(from: 0, to: n, by: block) {
            let count = min(block, n - start)
            for k in 0..<K {
                try buffers[k].withUnsafeMutableBufferPointer {
                    try maps[k].readMaps(start, count: count, into: UnsafeMutableBufferPointer(rebasing: $0[0 ..< count * pixels]))
                }
            }
            let chunks = min(threads, count)
            try buffers.withUnsafeBufferPointers { maps in
            try features.withUnsafeMutableBufferPointer { out in
            try workspaces.withUnsafeMutableBufferPointer { workspaces in
            try stats.withUnsafeMutableBufferPointer { stats in
            try labelBuffers.withUnsafeMutableBufferPointer { labelBuffers in
                try concurrentForEach(chunks, threads: threads) { t in
                    let lo = t * count / chunks, hi = (t + 1) * count / chunks
                    for j in lo..<hi {
                        let row = start + j
                        if staticLabels == nil {
                            labelBuffers[t] = try LabelMap.read(path: itemLabelPaths[row], height: height, width: width, segments: L)
                        }
                        let labels = staticLabels ?? labelBuffers[t]
                        let rowOut = UnsafeMutableBufferPointer(rebasing: out[row * F ..< (row + 1) * F])
                        labels.withUnsafeBufferPointer { labels in
                            for k in 0..<K {
                                let map = UnsafeBufferPointer(rebasing: maps[k][j * pixels ..< (j + 1) * pixels])
                                stats[t].withUnsafeMutableBufferPointer { s in
                                    SegmentStats.compute(map: map, labels: labels, segmentCount: L,
                                                         workspace: &workspaces[t], into: s)
                                }
                                for l in 0..<L {
                                    let s = stats[t][l]
                                    rowOut[layout.column(segment: l, detector: k, statistic: 0)] = Float(s.q995)
                                    rowOut[layout.column(segment: l, detector: k, statistic: 1)] = Float(s.skew)
                                    rowOut[layout.column(segment: l, detector: k, statistic: 2)] = Float(s.kurtosis)
                                    rowOut[layout.column(segment: l, detector: k, statistic: 3)] = Float(s.mean)
                                }
                                rowOut[layout.maxColumn(detector: k)] = SegmentStats.maximum(map)
                            }
                        }
                        if let classifier { rowOut[F - 1] = classifier[row] }
                    }
                }
            }}}}}
            progress.advance(by: count)
        }

        // Inputs in the order they always had: manifest, maps…, segmentation, scores.
        for (artifact, sha256) in zip(maps, try mapsHashes.wait()) {
            inputs.append(ArtifactInput(role: "maps", path: artifact.reader.path, sha256: sha256))
        }
        inputs += laterInputs
        var config = segmentationConfig
        config["detectors"] = detectors
        config["classifier_score"] = classifier != nil
        trainedOn = trainedOn.filter { !$0.ids.isEmpty }
        if !trainedOn.isEmpty { config[LeakageGuard.featuresGroup] = trainedOn.map(\.name) }
        let index = manifest.index
        try FeaturesArtifact.write(path: options.output, config: config, inputs: inputs, features: features,
                                   names: layout.names, ids: first.ids, labels: first.labels,
                                   tags: first.ids.map { id in index[id].map { manifest.items[$0].tags.joined(separator: ",") } ?? "" },
                                   trainedOn: trainedOn.map { ($0.name, $0.ids) })
    }
}

extension Array where Element == [Float] {
    /// Calls `body` with read-only buffers over every inner array.
    func withUnsafeBufferPointers<R>(_ body: ([UnsafeBufferPointer<Float>]) throws -> R) rethrows -> R {
        func recurse(_ i: Int, _ acc: [UnsafeBufferPointer<Float>]) throws -> R {
            if i == count { return try body(acc) }
            return try self[i].withUnsafeBufferPointer { try recurse(i + 1, acc + [$0]) }
        }
        return try recurse(0, [])
    }
}

/// The SHA-256 of several files, each computed on its own thread (through
/// `FileHashes`, so later look-ups of the same paths hit its cache).
/// `@unchecked Sendable`: `results` is written by the hashing threads and
/// read by `wait` only under `lock`, after `done` has joined them.
final class BackgroundHashes: @unchecked Sendable {
    private let paths: [String]
    private var results: [Result<String, any Error>?]
    private let done = DispatchGroup()
    private let lock = NSLock()

    init(paths: [String]) {
        self.paths = paths
        results = Array(repeating: nil, count: paths.count)
        for (i, path) in paths.enumerated() {
            done.enter()
            let thread = Thread { [self] in
                let result = Result { try FileHashes.sha256(path) }
                lock.lock(); results[i] = result; lock.unlock()
                done.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// Waits for every hash; rethrows the first failure (in path order).
    func wait() throws -> [String] {
        done.wait()
        lock.lock(); defer { lock.unlock() }
        return try results.map { try $0!.get() }
    }
}
