import Foundation
import SegADNative

/// A per-image segmenter for ELPV cells, whose busbars sit at varying rows
/// (poly cells): four labels found from the image's row and column profiles.
///
/// Labels: 0 background (outside the cell's bounding box), 1 border (a band
/// of `borderFraction`·side inside the box), 2 busbars (dark rows), 3 cell
/// area (the rest). The rule (docs/elpv.md):
/// 1. Bounds: the column profile (mean of each column) and the row profile;
///    the cell spans the first to the last index whose profile is at least
///    `boundsLevel` × the profile's median.
/// 2. Busbars: the row profile over the columns inside the border, minus its
///    moving average over `trendWindow` rows (reflected at the ends), is a
///    flat line with a dip at each busbar. Rows inside the border whose
///    detrended value is below −`dipDepth` × the median level form runs; a
///    run is a busbar when its deepest row is at least `dipDepth` deep; runs
///    closer than `minSeparation` rows keep the deeper one; runs wider than
///    `maxWidthFraction`·height rows, or whose neighbouring rows (as many as
///    the run is wide) are not on average `dipDepth` × level brighter than
///    its darkest row, are dark defects or their edges, and are dropped. Each busbar is widened by `margin` rows on both sides.
public struct ELPVSegmenter: Sendable {
    public static let labelNames = ["background", "border", "busbar", "cell"]
    public static let segmentCount = 4

    public var boundsLevel = 0.75
    public var borderFraction = 0.04
    public var trendWindowFraction = 0.12
    public var dipDepth = 0.08
    public var minSeparationFraction = 0.12
    public var maxWidthFraction = 0.05
    public var margin = 1

    public init() {}

    /// What the segmenter found in one image (full-resolution coordinates).
    public struct Result: Equatable, Sendable {
        /// The cell's bounding box: rows top…bottom, columns left…right (inclusive).
        public var top: Int, bottom: Int, left: Int, right: Int
        /// Busbars as inclusive row ranges, top to bottom.
        public var busbars: [ClosedRange<Int>]
        /// Labels, height × width, row-major.
        public var labels: [UInt8]
        public var height: Int, width: Int
    }

    /// Segments a gray image (height × width, any scale).
    ///
    /// - Complexity: O(height · width).
    public func segment(_ image: [Float], height h: Int, width w: Int) -> Result {
        precondition(image.count == h * w && h > 2 && w > 2, "ELPVSegmenter: bad image shape")
        var rowProfile = [Double](repeating: 0, count: h)
        var colProfile = [Double](repeating: 0, count: w)
        for y in 0..<h {
            for x in 0..<w {
                let v = Double(image[y * w + x])
                rowProfile[y] += v
                colProfile[x] += v
            }
        }
        for y in 0..<h { rowProfile[y] /= Double(w) }
        for x in 0..<w { colProfile[x] /= Double(h) }
        let (top, bottom) = Self.span(rowProfile, level: boundsLevel)
        let (left, right) = Self.span(colProfile, level: boundsLevel)
        let border = max(1, Int((borderFraction * Double(min(h, w))).rounded()))

        // Row profile inside the border only (busbars run across the cell).
        let x0 = min(left + border, right), x1 = max(right - border, x0)
        var inner = [Double](repeating: 0, count: h)
        for y in 0..<h {
            var s = 0.0
            for x in x0...x1 { s += Double(image[y * w + x]) }
            inner[y] = s / Double(x1 - x0 + 1)
        }
        let window = max(3, Int(trendWindowFraction * Double(h)) | 1)
        let trend = Self.movingAverage(inner, window: window)
        let y0 = min(top + border, bottom), y1 = max(bottom - border, y0)
        let level = Self.median(Array(inner[y0...y1]))
        let threshold = -dipDepth * level
        let maxWidth = max(1, Int(maxWidthFraction * Double(h)))
        var runs: [(range: ClosedRange<Int>, depth: Double)] = []
        var y = y0
        while y <= y1 {
            if inner[y] - trend[y] < threshold / 2 {
                var end = y
                var depth = inner[y] - trend[y]
                while end + 1 <= y1, inner[end + 1] - trend[end + 1] < threshold / 2 {
                    end += 1
                    depth = min(depth, inner[end] - trend[end])
                }
                // A busbar is a thin line darker than the rows on both sides;
                // a wider dark band (or the edge of one) is a defect.
                if depth <= threshold, end - y + 1 <= maxWidth,
                   Self.flanksAreBright(inner, y...end, within: y0...y1, by: -threshold) {
                    runs.append((y...end, depth))
                }
                y = end + 1
            } else {
                y += 1
            }
        }
        // Non-maximum suppression: deepest first, drop runs too close to a kept one.
        let minSeparation = Int(minSeparationFraction * Double(h))
        var kept: [ClosedRange<Int>] = []
        for run in runs.sorted(by: { $0.depth < $1.depth }) {
            let centre = (run.range.lowerBound + run.range.upperBound) / 2
            if kept.allSatisfy({ abs(($0.lowerBound + $0.upperBound) / 2 - centre) >= minSeparation }) {
                kept.append(max(0, run.range.lowerBound - margin)...min(h - 1, run.range.upperBound + margin))
            }
        }
        kept.sort { $0.lowerBound < $1.lowerBound }

        var labels = [UInt8](repeating: 3, count: h * w)
        for yy in 0..<h {
            let onBusbar = kept.contains { $0.contains(yy) }
            for xx in 0..<w {
                let label: UInt8
                if yy < top || yy > bottom || xx < left || xx > right {
                    label = 0
                } else if yy < top + border || yy > bottom - border || xx < left + border || xx > right - border {
                    label = 1
                } else if onBusbar {
                    label = 2
                } else {
                    label = 3
                }
                labels[yy * w + xx] = label
            }
        }
        return Result(top: top, bottom: bottom, left: left, right: right, busbars: kept,
                      labels: labels, height: h, width: w)
    }

    /// Nearest-neighbour resampling of a label map (pixel centres), as for
    /// labels no interpolation is meaningful.
    public static func resizeNearest(_ labels: [UInt8], height h: Int, width w: Int,
                                     to size: (height: Int, width: Int)) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: size.height * size.width)
        for y in 0..<size.height {
            let sy = min(h - 1, Int((Double(y) + 0.5) * Double(h) / Double(size.height)))
            for x in 0..<size.width {
                let sx = min(w - 1, Int((Double(x) + 0.5) * Double(w) / Double(size.width)))
                out[y * size.width + x] = labels[sy * w + sx]
            }
        }
        return out
    }

    /// Whether the rows just above and just below `run` (as many as the run
    /// is wide, at least 2, clipped to `bounds`) are on average at least
    /// `contrast` brighter than the run's darkest row.
    static func flanksAreBright(_ profile: [Double], _ run: ClosedRange<Int>, within bounds: ClosedRange<Int>,
                                by contrast: Double) -> Bool {
        let width = max(2, run.count)
        let darkest = profile[run].min()!
        let above = max(bounds.lowerBound, run.lowerBound - width)..<run.lowerBound
        let below = (run.upperBound + 1)..<min(bounds.upperBound + 1, run.upperBound + 1 + width)
        for flank in [above, below] where !flank.isEmpty {
            let mean = profile[flank].reduce(0, +) / Double(flank.count)
            if mean - darkest < contrast { return false }
        }
        return true
    }

    /// First and last index whose value is ≥ level × median (the whole range if none).
    static func span(_ profile: [Double], level: Double) -> (Int, Int) {
        let cut = level * median(profile)
        let first = profile.firstIndex { $0 >= cut } ?? 0
        let last = profile.lastIndex { $0 >= cut } ?? profile.count - 1
        return first <= last ? (first, last) : (0, profile.count - 1)
    }

    static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        guard !s.isEmpty else { return 0 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// Centred moving average over an odd `window`, reflecting at the ends.
    static func movingAverage(_ v: [Double], window: Int) -> [Double] {
        let n = v.count, half = window / 2
        func at(_ i: Int) -> Double {
            var j = i
            if j < 0 { j = -j }
            if j >= n { j = 2 * (n - 1) - j }
            return v[min(max(j, 0), n - 1)]
        }
        return (0..<n).map { i in
            var s = 0.0
            for k in -half...half { s += at(i + k) }
            return s / Double(window)
        }
    }
}
