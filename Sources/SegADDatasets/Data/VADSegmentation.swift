import Foundation
import SegADNative
import SegADCore

/// The static segmentation map of a VAD run: a label PNG the user draws
/// (VAD_SEGMENTATION), turned into the gray label PNG at the working size
/// that segment-stats reads.
///
/// How to draw one: paint each part of the (aligned) product in its own flat
/// color or gray level over one image of the set, at any size, and save it
/// as PNG without antialiasing. A gray PNG whose values already lie in
/// 0…L−1 keeps them as labels; otherwise the distinct colors (gray levels,
/// or RGB(A) tuples) become labels 0, 1, … in ascending order (for RGB:
/// by red, then green, then blue). The map is resized to the working size by
/// nearest neighbour, so labels never blend.
public enum VADSegmentation {
    public struct Options {
        public var input: String
        public var segments: Int
        public var size: (height: Int, width: Int)
        public var output: String
        /// Ignore the drawn labels' values and write label 0 everywhere (still checks the input).
        public var oneSegment = false
        public init(input: String, segments: Int, size: (height: Int, width: Int), output: String) {
            self.input = input; self.segments = segments; self.size = size; self.output = output
        }
    }

    /// Labels of a drawn map at its own size (rules above).
    public static func labels(of path: String, segments: Int) throws -> (labels: [UInt8], height: Int, width: Int) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw VADError.segmentationMissing(path)
        }
        let png = try PNG.read(path: path)
        let n = png.width * png.height, c = png.channels
        let colorChannels = c == 2 || c == 4 ? c - 1 : c   // alpha ignored
        var keys = [UInt64](repeating: 0, count: n)
        for i in 0..<n {
            var k: UInt64 = 0
            for ch in 0..<colorChannels { k = k << 16 | UInt64(png.samples[i * c + ch]) }
            keys[i] = k
        }
        let distinct = Array(Set(keys)).sorted()
        let labels: [UInt8]
        if colorChannels == 1, let top = distinct.last, top < UInt64(segments) {
            labels = keys.map { UInt8($0) }
        } else {
            guard distinct.count <= segments else {
                throw VADError.segmentationColors(path, colors: distinct.count, segments: segments)
            }
            let index = Dictionary(uniqueKeysWithValues: distinct.enumerated().map { ($1, UInt8($0)) })
            labels = keys.map { index[$0]! }
        }
        return (labels, png.height, png.width)
    }

    /// Nearest-neighbour resize (source index ⌊(o + ½)·n/m⌋ along each axis).
    public static func nearest<T>(_ src: [T], height: Int, width: Int, toHeight: Int, toWidth: Int) -> [T] {
        if height == toHeight && width == toWidth { return src }
        let rows = (0..<toHeight).map { min(height - 1, Int((Double($0) + 0.5) * Double(height) / Double(toHeight))) }
        let cols = (0..<toWidth).map { min(width - 1, Int((Double($0) + 0.5) * Double(width) / Double(toWidth))) }
        var out: [T] = []
        out.reserveCapacity(toHeight * toWidth)
        for r in rows { for c in cols { out.append(src[r * width + c]) } }
        return out
    }

    public static func run(_ o: Options) throws {
        guard Bounds.gray8Segments.contains(o.segments) else {
            throw InputError("--segments", "must be in 1…\(Bounds.maxGray8Segments) (\(Bounds.gray8SegmentsWhy))")
        }
        let (labels, h, w) = try labels(of: o.input, segments: o.segments)
        var resized = nearest(labels, height: h, width: w, toHeight: o.size.height, toWidth: o.size.width)
        if o.oneSegment { resized = resized.map { _ in 0 } }
        let temporary = "\(o.output).tmp-\(getpid())"
        TemporaryLock.claim(temporary)
        defer { TemporaryLock.release(temporary) }
        try? FileManager.default.createDirectory(atPath: (o.output as NSString).deletingLastPathComponent,
                                                 withIntermediateDirectories: true)
        try PNG.writeGray8(path: temporary, width: o.size.width, height: o.size.height, pixels: resized)
        guard rename(temporary, o.output) == 0 else {
            unlink(temporary)
            throw InputError(o.output, "cannot move file into place")
        }
    }
}
