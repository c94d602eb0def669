import Foundation
import SegADKernels

/// Per-pixel descriptors that a set of good images defines, one H×W plane
/// each: what static segmentation clusters.
///
/// Planes, in order: `intensity_mean` and `intensity_std` (mean and
/// population std of the gray value over the good images), `edge` (Sobel
/// gradient magnitude of the mean image), then for each detector D whose
/// maps on the detector pool's good images are given `D_map_mean` and `D_map_std`
/// (where the detector is noisy on good parts).
public struct PixelDescriptors: Sendable {
    public var height: Int
    public var width: Int
    public var names: [String]
    /// One H×W plane per name.
    public var planes: [[Float]]
    /// The unit each plane is measured in ("intensity", or a detector's
    /// name for its map values); the first plane of a unit sets its scale.
    public var units: [String]

    public init(height: Int, width: Int) {
        self.height = height; self.width = width; names = []; planes = []; units = []
    }

    public mutating func append(_ name: String, unit: String, _ plane: [Float]) {
        precondition(plane.count == height * width, "descriptor \(name): \(plane.count) values for \(height)×\(width)")
        names.append(name)
        planes.append(plane)
        units.append(unit)
    }

    /// Centres every plane and divides the planes of each unit by the
    /// population std of that unit's first plane (its mean plane), so every
    /// unit weighs about the same in the clustering, while a plane with
    /// little structure in its unit (a uniform noise level, say) adds little
    /// — plain per-plane z-scores would blow such a plane up to unit
    /// variance and make it dominate. A unit whose first plane is constant
    /// is scaled by its largest plane std (or left as is if all are constant).
    public mutating func standardizeByUnit() {
        let n = Double(height * width)
        var scale: [String: Double] = [:]
        var stds: [Double] = []
        for j in planes.indices {
            let mean = planes[j].reduce(0.0) { $0 + Double($1) } / n
            var v = 0.0
            for x in planes[j] { let t = Double(x) - mean; v += t * t }
            let std = (v / n).squareRoot()
            stds.append(std)
            planes[j] = planes[j].map { Float(Double($0) - mean) }
            if scale[units[j]] == nil { scale[units[j]] = std }
        }
        for (unit, s) in scale where !(s > 0) {
            let largest = planes.indices.filter { units[$0] == unit }.map { stds[$0] }.max() ?? 0
            scale[unit] = largest > 0 ? largest : 1
        }
        for j in planes.indices {
            let s = Float(scale[units[j]]!)
            planes[j] = planes[j].map { $0 / s }
        }
    }

    /// The pixels as rows of `names.count` values (n×d, row-major).
    public func rows() -> [Float] {
        let n = height * width, d = planes.count
        var out = [Float](repeating: 0, count: n * d)
        for (j, plane) in planes.enumerated() { for i in 0..<n { out[i * d + j] = plane[i] } }
        return out
    }
}

/// Per-pixel mean and population standard deviation over a stream of H×W
/// images, accumulated in Double (Welford-free two-sum form: the images are
/// in [0, 1] or small map values, so Σx² − n·mean² loses nothing that matters
/// at Float output precision).
public struct PixelMoments: Sendable {
    public let count: Int
    public let height: Int
    public let width: Int
    private var sum: [Double]
    private var sumSquares: [Double]
    public private(set) var images = 0

    public init(height: Int, width: Int) {
        self.height = height; self.width = width; count = height * width
        sum = [Double](repeating: 0, count: count)
        sumSquares = [Double](repeating: 0, count: count)
    }

    public mutating func add(_ image: [Float]) {
        precondition(image.count == count)
        for i in 0..<count {
            let v = Double(image[i])
            sum[i] += v
            sumSquares[i] += v * v
        }
        images += 1
    }

    public var mean: [Float] {
        let n = Double(max(images, 1))
        return sum.map { Float($0 / n) }
    }

    public var std: [Float] {
        let n = Double(max(images, 1))
        return (0..<count).map { i in
            let m = sum[i] / n
            return Float(max(sumSquares[i] / n - m * m, 0).squareRoot())
        }
    }
}
