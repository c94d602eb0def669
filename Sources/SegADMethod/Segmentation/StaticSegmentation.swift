import Foundation
import SegADKernels

/// A label map derived without annotation: one label 0…L-1 per pixel.
public struct DerivedSegmentation: Sendable, Equatable {
    public var height: Int
    public var width: Int
    /// The number of segments L asked for (labels lie in 0…L-1).
    public var segments: Int
    /// H×W labels, row-major.
    public var labels: [Int32]
    /// Lloyd iterations k-means ran (0 for per-image maps).
    public var iterations: Int = 0
    /// Islands merged into a neighbour during clean-up.
    public var islandsMerged: Int = 0

    /// Pixels per segment (L values; 0 for a segment that vanished in clean-up).
    public var counts: [Int] {
        var c = [Int](repeating: 0, count: segments)
        for l in labels { c[Int(l)] += 1 }
        return c
    }
}

/// Static segmentation for aligned parts: clusters per-pixel descriptors of
/// the good images into L segments.
///
/// 1. Each descriptor plane is smoothed with a Gaussian of σ = `smoothing`
///    pixels at 256 px (scaled with the image side) so that texture finer
///    than the parts' layout does not become speckle.
/// 2. Planes are standardized by unit (`PixelDescriptors.standardizeByUnit`:
///    centred, and each unit — gray intensity, each detector's map values —
///    divided by the std of its mean plane) and the H·W pixels are clustered
///    by seeded k-means++ with Lloyd iterations (`KMeans.fit`, at most
///    `maxIterations` rounds).
/// 3. 4-connected islands smaller than `minIslandArea` pixels are merged
///    into the neighbouring segment they share the longest border with
///    (`LabelCleanup.mergeSmallIslands`).
/// 4. Segments are renumbered by ascending mean intensity (the mean good
///    image averaged over the segment's pixels): label 0 is the darkest.
///    A segment emptied by clean-up gets the highest numbers and 0 pixels.
public enum StaticSegmentation {
    public struct Config: Sendable {
        /// L, the number of segments (default 6: for ELPV mono cells,
        /// background corners, cell border, busbars, busbar edges and two
        /// bands of the cell area; tune per product).
        public var segments = StaticSegmentation.defaultSegments
        public var seed: UInt32 = 0
        /// Islands below this many pixels are merged (nil: `defaultMinIslandArea`).
        public var minIslandArea: Int?
        /// Descriptor smoothing σ in pixels at a 256-pixel side.
        public var smoothing: Float = 1
        public var maxIterations = KMeans.defaultMaxIterations
        public init() {}
    }

    public static let defaultSegments = 6

    /// H·W/400 pixels (0.25% of the image; 163 px at 256×256), at least 4.
    public static func defaultMinIslandArea(height: Int, width: Int) -> Int { max(4, height * width / 400) }

    /// The smoothing σ actually used at this size.
    public static func smoothingSigma(_ config: Config, height: Int, width: Int) -> Float {
        config.smoothing * Float(max(height, width)) / 256
    }

    /// Derives the segmentation; `intensity` (H×W) orders the labels.
    ///
    /// - Complexity: O(H·W·d·L·(iterations + trials)) for d descriptors.
    public static func derive(_ descriptors: PixelDescriptors, intensity: [Float], config: Config) -> DerivedSegmentation {
        let (h, w) = (descriptors.height, descriptors.width)
        precondition(!descriptors.planes.isEmpty && intensity.count == h * w)
        precondition(config.segments >= 1)
        let sigma = smoothingSigma(config, height: h, width: w)
        var smoothed = descriptors
        smoothed.planes = descriptors.planes.map { ImageOps.blur($0, height: h, width: w, sigma: sigma) }
        smoothed.standardizeByUnit()
        let rows = smoothed.rows()
        let d = smoothed.planes.count
        let result = KMeans.fit(rows, count: h * w, dimension: d, clusters: config.segments, seed: config.seed,
                                maxIterations: config.maxIterations)
        var labels = result.labels
        let minArea = config.minIslandArea ?? defaultMinIslandArea(height: h, width: w)
        let merged = LabelCleanup.mergeSmallIslands(&labels, height: h, width: w, minArea: minArea)
        labels = renumberByIntensity(labels, intensity: intensity, segments: config.segments)
        return DerivedSegmentation(height: h, width: w, segments: config.segments, labels: labels,
                                   iterations: result.iterations, islandsMerged: merged)
    }

    /// Renumbers labels by ascending mean of `intensity` over their pixels
    /// (ties: the old number); absent labels follow the present ones.
    public static func renumberByIntensity(_ labels: [Int32], intensity: [Float], segments: Int) -> [Int32] {
        var sums = [Double](repeating: 0, count: segments)
        var counts = [Int](repeating: 0, count: segments)
        for (i, l) in labels.enumerated() { sums[Int(l)] += Double(intensity[i]); counts[Int(l)] += 1 }
        let order = (0..<segments).sorted { a, b in
            let ka = (counts[a] == 0 ? 1 : 0, counts[a] == 0 ? 0 : sums[a] / Double(counts[a]), a)
            let kb = (counts[b] == 0 ? 1 : 0, counts[b] == 0 ? 0 : sums[b] / Double(counts[b]), b)
            return ka < kb
        }
        var newNumber = [Int32](repeating: 0, count: segments)
        for (rank, old) in order.enumerated() { newNumber[old] = Int32(rank) }
        return labels.map { newNumber[Int($0)] }
    }
}

/// Per-image segmentation for parts that are not aligned: foreground and
/// background of each image, optionally the foreground split in two by
/// intensity.
///
/// 1. The gray image is blurred (Gaussian, σ = `blur` pixels at 256 px).
/// 2. Otsu's threshold splits it in two; the side holding most of the
///    image's border pixels is the background.
/// 3. The foreground is its largest 4-connected component together with
///    every other component at least `keepFraction` (10%) of its area
///    (several objects per image), holes filled.
/// 4. With 3 classes, a second Otsu threshold over the foreground's blurred
///    values splits it into darker (1) and brighter (2) parts, and islands
///    below `minIslandArea` are merged into their neighbours.
///
/// Labels: 0 background, 1 foreground (2 classes); 0 background, 1 darker
/// foreground, 2 brighter foreground (3 classes).
public enum PerImageSegmentation {
    public struct Config: Sendable {
        /// 2 (background, foreground) or 3 (background, darker, brighter foreground).
        public var classes = 2
        public var blur: Float = 2
        public var minIslandArea: Int?
        /// Foreground components at least this share of the largest one are
        /// kept (several objects per image, e.g. VisA capsules); 1 keeps the
        /// largest alone.
        public var keepFraction: Float = 0.1
        public init() {}
    }

    /// The `true` components of `mask` whose area is at least `fraction` of
    /// the largest one's.
    static func keepLargeComponents(_ mask: [Bool], height h: Int, width w: Int, fraction: Float) -> [Bool] {
        if fraction >= 1 { return LabelCleanup.largestComponent(mask, height: h, width: w) }
        let comps = LabelCleanup.components(mask.map { $0 ? 1 : 0 }, height: h, width: w)
        var largest = 0
        for c in 0..<comps.count where comps.values[c] == 1 { largest = max(largest, comps.sizes[c]) }
        let threshold: Float = fraction * Float(largest)
        let keep: [Bool] = (0..<comps.count).map { c in comps.values[c] == 1 && Float(comps.sizes[c]) >= threshold }
        return comps.component.map { keep[Int($0)] }
    }

    public static func segment(_ gray: [Float], height h: Int, width w: Int, config: Config) -> DerivedSegmentation {
        precondition(gray.count == h * w && (config.classes == 2 || config.classes == 3))
        let blurred = ImageOps.blur(gray, height: h, width: w, sigma: config.blur * Float(max(h, w)) / 256)
        let t = Otsu.threshold(blurred)
        let high = blurred.map { $0 > t }
        var borderHigh = 0, borderCount = 0
        for y in 0..<h {
            for x in 0..<w where y == 0 || x == 0 || y == h - 1 || x == w - 1 {
                borderCount += 1
                if high[y * w + x] { borderHigh += 1 }
            }
        }
        let foregroundIsHigh = 2 * borderHigh <= borderCount
        var foreground = high.map { $0 == foregroundIsHigh }
        foreground = keepLargeComponents(foreground, height: h, width: w, fraction: config.keepFraction)
        foreground = LabelCleanup.fillHoles(foreground, height: h, width: w)
        var labels = foreground.map { Int32($0 ? 1 : 0) }
        var merged = 0
        if config.classes == 3 {
            let inside = (0..<(h * w)).filter { foreground[$0] }.map { blurred[$0] }
            if !inside.isEmpty {
                let t2 = Otsu.threshold(inside)
                for i in 0..<(h * w) where foreground[i] { labels[i] = blurred[i] > t2 ? 2 : 1 }
            }
            let minArea = config.minIslandArea ?? StaticSegmentation.defaultMinIslandArea(height: h, width: w)
            merged = LabelCleanup.mergeSmallIslands(&labels, height: h, width: w, minArea: minArea)
        }
        return DerivedSegmentation(height: h, width: w, segments: config.classes, labels: labels,
                                   iterations: 0, islandsMerged: merged)
    }
}
