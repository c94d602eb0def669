import Foundation
import SegADNative
import SegADKernels
import SegADDetectors
import SegADCore

/// A saved pipeline, restored and ready to score images: detectors → maps →
/// segment features → Boosted Random Forest margin, with each feature's
/// contribution (XGBoost's `pred_contribs`, SHAP values of the margin).
///
/// The arithmetic is the stages' own — `DetectorImage.load`, the detectors'
/// `apply`, `SegmentStats.compute`, `predictMargins` — so a pipeline scores an
/// image exactly as extract-maps apply → segment-stats → evaluate score do.
public final class PipelineScorer {
    public let pipeline: SavedPipeline
    let detectors: [PixelDetector]
    let booster: XGBBooster
    let columns: [Int]

    /// One scored image.
    public struct Result {
        /// The raw margin: SegAD's anomaly score.
        public var score: Double
        public var anomalous: Bool
        /// Per model feature, its contribution to the margin (same order as `pipeline.featureNames`).
        public var contributions: [Float]
        /// The bias term of the contributions (their sum plus it is the margin).
        public var bias: Float
        /// Each detector's anomaly map (H×W at the working size).
        public var maps: [[Float]]
    }

    public init(_ pipeline: SavedPipeline, booster: XGBBooster? = nil) throws {
        self.pipeline = pipeline
        detectors = try pipeline.restoredDetectors()
        self.booster = try booster ?? XGBBooster(json: pipeline.modelJSON, source: "model_json", limits: Bounds.xgboostModel)
        columns = pipeline.modelColumns
    }

    /// Reads the pipeline at `path` and restores it. The forest (its model
    /// check and XGBoost's own parse, about half the load of a pipeline with
    /// a large forest) is loaded on another thread while the detectors'
    /// tensors are read (docs/patchcore.md, "Pipeline load").
    public convenience init(path: String) throws {
        let forest = BackgroundBooster()
        let p = try SavedPipeline(path: path, modelRead: { forest.start(json: $0) })
        do {
            let booster = try forest.wait()
            try self.init(p, booster: booster.flatMap { p.modelJSON == $0.json ? $0.booster : nil })
        } catch let e as any SegADFault {
            throw PipelineError.cannotRestore(path, fault: e.fault)
        }
    }

    /// Loads a PNG for this pipeline (see `PipelineImage.load`).
    public func load(path: String) throws -> DetectorImage {
        try PipelineImage.load(path: path, size: pipeline.size, channels: pipeline.channels, resize: pipeline.resize)
    }

    /// Scores images already at the working size and channel count.
    /// `timings`, when given, gets the seconds of each step (each detector's
    /// apply, the segment features, the forest); nil costs nothing.
    public func score(_ images: [DetectorImage], timings: ScoreTimings? = nil) throws -> [Result] {
        guard !images.isEmpty else { return [] }
        var clock = timings.map { _ in ContinuousClock().now }
        func lap(_ step: String) {
            guard let timings, let began = clock else { return }
            let now = ContinuousClock().now
            timings.add(step, began.duration(to: now))
            clock = now
        }
        // Detectors on the same backbone share its pass (SharedForward).
        let maps = try SharedForward.sharing {
            try zip(detectors, pipeline.detectors).map { detector, entry in
                let m = try detector.apply(images, progress: nil)
                lap("detector \(entry.name)")
                return m
            }
        }
        let layout = pipeline.layout
        let F = layout.count, L = pipeline.segments
        let (h, w) = pipeline.size
        let pixels = h * w
        var workspace = SegmentStatisticsWorkspace(pixelCount: pixels, segmentCount: L)
        var stats = [SegmentStatistics](repeating: .empty, count: L)
        var matrix = [Float](repeating: 0, count: images.count * columns.count)
        var row = [Float](repeating: 0, count: F)
        for i in images.indices {
            pipeline.segmentation.withUnsafeBufferPointer { labels in
                for k in detectors.indices {
                    maps[k][i].withUnsafeBufferPointer { map in
                        precondition(map.count == pixels, "detector map size differs from the segmentation")
                        stats.withUnsafeMutableBufferPointer { s in
                            SegmentStats.compute(map: map, labels: labels, segmentCount: L, workspace: &workspace, into: s)
                        }
                        for l in 0..<L {
                            let s = stats[l]
                            row[layout.column(segment: l, detector: k, statistic: 0)] = Float(s.q995)
                            row[layout.column(segment: l, detector: k, statistic: 1)] = Float(s.skew)
                            row[layout.column(segment: l, detector: k, statistic: 2)] = Float(s.kurtosis)
                            row[layout.column(segment: l, detector: k, statistic: 3)] = Float(s.mean)
                        }
                        row[layout.maxColumn(detector: k)] = SegmentStats.maximum(map)
                    }
                }
            }
            for (c, col) in columns.enumerated() { matrix[i * columns.count + c] = row[col] }
        }
        lap("segment features")
        let dmatrix = try XGBDMatrix(values: matrix, rows: images.count, columns: columns.count)
        let margins = try booster.predictMargins(dmatrix)
        let contribs = try booster.contributions(dmatrix)
        lap("forest and contributions")
        let threshold = pipeline.operatingPoint.threshold
        return images.indices.map { i in
            let base = i * contribs.columns
            let c = Array(contribs.values[base ..< base + columns.count])
            let score = Double(margins[i])
            return Result(score: score, anomalous: score >= threshold, contributions: c,
                          bias: contribs.values[base + contribs.columns - 1],
                          maps: detectors.indices.map { maps[$0][i] })
        }
    }

    /// The `count` features contributing most to a result (by |contribution|,
    /// ties in feature order), in words with the internal name beside them:
    /// `segment 2 golden 99.5% quantile [c_golden_q995] (+0.83)`.
    public func topFeatures(_ result: Result, count: Int = 3) -> [String] {
        Self.topFeatures(contributions: result.contributions, pipeline: pipeline, count: count)
    }

    static func topFeatures(contributions: [Float], pipeline: SavedPipeline, count: Int) -> [String] {
        let order = contributions.indices.sorted {
            let a = abs(contributions[$0]), b = abs(contributions[$1])
            return a != b ? a > b : $0 < $1
        }
        return order.prefix(count).map {
            let name = pipeline.layout.displayName(pipeline.featureNames[$0], segmentNames: pipeline.segmentNames)
            return "\(name) (\(String(format: "%+.2f", Double(contributions[$0]))))"
        }
    }
}

/// Seconds per step of `PipelineScorer.score`, summed over calls, in the
/// order the steps first ran (segad-bench score; BENCHMARKS.md, "Line speed").
public final class ScoreTimings {
    public private(set) var steps: [String] = []
    public private(set) var seconds: [String: Double] = [:]

    public init() {}

    public func add(_ step: String, _ duration: Duration) {
        if seconds[step] == nil { steps.append(step) }
        seconds[step, default: 0] += Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}

/// Turning any PNG into what a pipeline's detectors were fitted on.
public enum PipelineImage {
    /// Reads a PNG and brings it to the working size and channel count:
    ///
    /// - bit depth: 8- and 16-bit samples are scaled to [0, 1] by 255 and
    ///   65535 (1/2/4-bit gray and palette images are expanded to 8-bit);
    /// - size: any size is resized bilinearly (torch align_corners=False, no
    ///   antialiasing — as the detectors' training images were), by `resize`
    ///   (the pipeline's; stretch: aspect ratio not kept; pad, crop: kept);
    /// - mode: alpha is dropped; a color image for a gray pipeline becomes
    ///   gray by ITU-R BT.601 luma (0.299 R + 0.587 G + 0.114 B), a gray
    ///   image for a color pipeline is replicated to three channels.
    ///
    /// Files that are not PNG, JPEG or TIFF, truncated or corrupt are refused
    /// with the reader's one-line `ImageError`, as are images outside
    /// `ImageLimits` (a side below 8 or above 16384, more than `ImageLimits.maxPixels`, 2^26 by default).
    public static func load(path: String, size: (height: Int, width: Int), channels: Int,
                            resize: ResizeMode = .stretch) throws -> DetectorImage {
        let image = try DetectorImage.load(path: path, height: size.height, width: size.width, resize: resize)
        if image.channels == channels { return image }
        let hw = size.height * size.width
        if channels == 1 {
            let v = image.values
            var gray = [Float](repeating: 0, count: hw)
            for i in 0..<hw { gray[i] = 0.299 * v[i] + 0.587 * v[hw + i] + 0.114 * v[2 * hw + i] }
            return DetectorImage(channels: 1, height: size.height, width: size.width, values: gray)
        }
        return DetectorImage(channels: 3, height: size.height, width: size.width,
                             values: image.values + image.values + image.values)
    }
}
