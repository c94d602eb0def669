import Foundation
import SegADNative
import SegADKernels
import SegADCore

/// `SIZE=auto`: the working size (and PatchCore coreset ratio) chosen by
/// evidence rather than by the fixed rule (`WorkingSize`). Every candidate of
/// a small grid is scored by the k-fold out-of-fold SegAD AUROC on the first
/// seed's `segad-train` images only: the detectors are fitted on that seed's
/// detector pool as in a run, applied to the `segad-train` images, and the
/// forest is trained and scored fold by fold. No test image of any seed is
/// read (docs/size-auto.md, "What auto reads"). The smallest candidate within
/// `tolerance` AUROC points of the best wins, so ties go to speed.
public enum SizeChoice {
    /// The default grid (docs/size-auto.md, "The grid"): short sides 128, 192
    /// and 256, aspect kept and square, at the run's coreset ratio. 320 and
    /// other ratios are opt-in: with them the grid costs more than one run.
    public static let defaultShortSides = [128, 192, 256]
    public static let defaultFolds = 5
    public static let defaultTolerance = 0.3

    public enum Shape: String, Codable, CaseIterable, Sendable { case aspect, square }

    /// One point of the grid.
    public struct Candidate: Codable, Hashable, Sendable {
        public var height: Int
        public var width: Int
        /// PatchCore's coreset ratio; nil when no detector takes one.
        public var coresetRatio: Float?
        public var name: String {
            "\(height)x\(width)" + (coresetRatio.map { "-r\(SizeChoice.ratioText($0))" } ?? "")
        }
        public init(height: Int, width: Int, coresetRatio: Float?) {
            self.height = height; self.width = width; self.coresetRatio = coresetRatio
        }
    }

    /// A candidate's out-of-fold result (AUROC and FPR@95TPR in percent).
    public struct Result: Codable, Sendable {
        public var candidate: Candidate
        public var auroc: Double
        public var fpr95: Double
        /// Wall time of applying every detector, per `segad-train` image (load and resize included).
        public var msPerImage: Double
        public var rows: Int
        public var bad: Int
        /// The cache key: everything the result depends on (`SizeChoice.key`).
        public var key: String
        public init(candidate: Candidate, auroc: Double, fpr95: Double, msPerImage: Double, rows: Int, bad: Int, key: String) {
            self.candidate = candidate; self.auroc = auroc; self.fpr95 = fpr95; self.msPerImage = msPerImage
            self.rows = rows; self.bad = bad; self.key = key
        }
    }

    public struct Options {
        public var manifestPath: String
        public var seed: Int
        public var shortSides: [Int] = defaultShortSides
        public var shapes: [Shape] = Shape.allCases
        /// Empty: no ratio (no detector takes one) or the detectors' default.
        public var coresetRatios: [Float] = []
        /// Detector kinds (`DetectorRegistry.names`).
        public var detectors: [String]
        public var weightsPath: String?
        public var folds = defaultFolds
        /// AUROC points.
        public var tolerance = defaultTolerance
        public var segments = 1
        public var brf = BRFParameters()
        /// Per-candidate results are cached here (`candidates/NAME.json`) and reused when their key matches.
        public var work: String
        /// The chosen HxW (the file `make images` reads as size.txt).
        public var output: String
        public init(manifestPath: String, seed: Int, detectors: [String], weightsPath: String?, work: String, output: String) {
            self.manifestPath = manifestPath; self.seed = seed; self.detectors = detectors
            self.weightsPath = weightsPath; self.work = work; self.output = output
        }
    }

    /// What `choose` decided.
    public struct Choice: Codable, Sendable {
        public var chosen: Candidate
        /// Nil: chosen from the grid; else why the fixed rule was used (one line).
        public var fallback: String?
        public var results: [Result]
        public var folds: Int
        public var tolerance: Double
        public var seed: Int
        /// Candidates whose results came from the cache.
        public var reused: Int
    }

    static func ratioText(_ r: Float) -> String {
        var s = String(format: "%.4f", Double(r))
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    /// The grid for an image of `height`×`width` (a pool image): each short
    /// side with the aspect kept (sides multiples of 32, as `WorkingSize`) and
    /// square, deduplicated, smallest first. A side over `Bounds.maxSide` is refused.
    public static func grid(height: Int, width: Int, shortSides: [Int], shapes: [Shape], ratios: [Float]) throws -> [Candidate] {
        var sizes: [(Int, Int)] = []
        for s in shortSides {
            guard s >= WorkingSize.stride else {
                throw InputError("--short-sides", "\(s) is under \(WorkingSize.stride) px, the backbone's stride")
            }
            guard s <= Bounds.maxSide else {
                throw InputError("--short-sides", "\(s) is over the \(Bounds.maxSide) px bound")
            }
            for shape in shapes {
                let size: (Int, Int)
                switch shape {
                case .square:
                    let side = max(WorkingSize.stride, Int((Double(s) / Double(WorkingSize.stride)).rounded()) * WorkingSize.stride)
                    size = (side, side)
                case .aspect:
                    let short = min(height, width)
                    func side(_ x: Int) -> Int {
                        max(WorkingSize.stride, Int((Double(s) * Double(x) / Double(short) / Double(WorkingSize.stride)).rounded()) * WorkingSize.stride)
                    }
                    size = (side(height), side(width))
                }
                guard max(size.0, size.1) <= Bounds.maxSide else {
                    throw InputError("--short-sides", "\(s) gives \(size.0)x\(size.1), over the \(Bounds.maxSide) px bound")
                }
                if !sizes.contains(where: { $0 == size }) { sizes.append(size) }
            }
        }
        let rs: [Float?] = ratios.isEmpty ? [nil] : ratios.sorted().map { $0 }
        return sizes.sorted { ($0.0 * $0.1, $0.0, $0.1) < ($1.0 * $1.1, $1.0, $1.1) }
            .flatMap { size in rs.map { Candidate(height: size.0, width: size.1, coresetRatio: $0) } }
    }

    /// The pick: the best AUROC, then the fewest pixels within `tolerance`
    /// points of it; among equal pixel counts the smaller coreset ratio (faster), then the better AUROC.
    public static func pick(_ results: [Result], tolerance: Double) -> Result? {
        guard let best = results.map(\.auroc).filter({ $0.isFinite }).max() else { return nil }
        return results.filter { $0.auroc.isFinite && $0.auroc >= best - tolerance }.min { a, b in
            let pa = a.candidate.height * a.candidate.width, pb = b.candidate.height * b.candidate.width
            if pa != pb { return pa < pb }
            let ra = a.candidate.coresetRatio ?? 0, rb = b.candidate.coresetRatio ?? 0
            if ra != rb { return ra < rb }
            if a.auroc != b.auroc { return a.auroc > b.auroc }
            return (a.candidate.height, a.candidate.width) < (b.candidate.height, b.candidate.width)
        }
    }
}
