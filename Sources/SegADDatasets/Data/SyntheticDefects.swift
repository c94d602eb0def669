import Foundation
import SegADNative
import SegADKernels
import SegADCore

/// One-class VAD: synthetic defects on a seed's SegAD-training good images
/// (docs/design.md, "Splits"; docs/vad.md): either a Gaussian blur of a region, or a randomly placed,
/// randomly sized thin rectangle of a random gray, where the region is a
/// random segment of the static label map or part of one.
///
/// Seeded and reproducible: one numpy-compatible `RandomState(seed)` stream
/// draws, per image in the order given,
///
///     segment   uniform over the segments present in the label map
///     part      with probability ½ the whole segment, else the segment ∩ a
///               random box (side 15–50% of the image) around a random
///               pixel of the segment
///     kind      blur or rectangle, probability ½ each
///     blur      σ uniform in [1.5, 4]·side/256 px; the blurred image replaces
///               the original inside the region
///     rectangle thickness 1…max(2, side/85) px, length side/16…side/3,
///               horizontal or vertical, centred on a random pixel of the
///               region, gray uniform in 0…255 (0…65535 for 16-bit), painted
///               where it meets the segment
///
/// A draw that changes no pixel is redrawn (at most 20 times). The training
/// images may be PNG, JPEG or TIFF (`readImage`); the results keep their
/// size, channels and bit depth and are written as PNGs (for
/// inspection and as the one-class bad training images); `list.csv` holds
/// id, image, source, kind, segment.
public enum SyntheticDefects {
    public enum Kind: String, Sendable { case blur, rectangle }

    public struct Options {
        public var root: String
        public var seed: Int
        /// The normalized label PNG (gray values are labels).
        public var segmentation: String
        public var segments: Int
        /// Defects on at most this many of the seed's SegAD-training good images.
        public var count: Int?
        public var outputDirectory: String
        public init(root: String, seed: Int, segmentation: String, segments: Int, count: Int? = nil, outputDirectory: String) {
            self.root = root; self.seed = seed; self.segmentation = segmentation; self.segments = segments
            self.count = count; self.outputDirectory = outputDirectory
        }
    }

    public static func run(_ o: Options) throws {
        let layout = try VADLayout(root: o.root)
        var names = VADManifest.goodSplit(layout, seed: o.seed).segad
        if let count = o.count { names = Array(names.prefix(count)) }
        let (labelMap, lh, lw) = try VADSegmentation.labels(of: o.segmentation, segments: o.segments)
        let dir = URL(fileURLWithPath: o.outputDirectory).standardizedFileURL.path
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var rng = RandomState(seed: UInt32(truncatingIfNeeded: o.seed) ^ 0x5EAD_D00D)
        var csv = CSV.line(["id", "image", "source", "kind", "segment"])
        let progress = StageProgress("synthesize-defects seed \(o.seed)", total: names.count, unit: "images")
        for name in names {
            let source = "\(layout.root)/train/good/\(name)"
            let png = try readImage(source)
            let labels = VADSegmentation.nearest(labelMap, height: lh, width: lw, toHeight: png.height, toWidth: png.width)
            let (image, kind, segment) = try apply(png, labels: labels, rng: &rng, path: source)
            let outName = "syn-" + (name as NSString).deletingPathExtension + ".png"
            let out = dir + "/" + outName
            let tmp = out + ".tmp-\(getpid())"
            TemporaryLock.claim(tmp)
            defer { TemporaryLock.release(tmp) }
            try write(image, to: tmp)
            guard rename(tmp, out) == 0 else { unlink(tmp); throw InputError(out, "cannot move file into place") }
            csv += CSV.line(["synthetic/\(outName)", out, "train/good/\(name)", kind.rawValue, "\(segment)"].map(CSV.text))
            progress.advance()
        }
        try AtomicFile.write(Data(csv.utf8), to: dir + "/list.csv")
    }

    /// One defect on `png` (labels at the image's size).
    public static func apply(_ png: PNGImage, labels: [UInt8], rng: inout RandomState, path: String) throws
        -> (PNGImage, Kind, Int) {
        let (h, w, c) = (png.height, png.width, png.channels)
        let side = Double(min(h, w))
        let present = Array(Set(labels)).sorted()
        for _ in 0..<20 {
            let segment = present[Int(rng.interval(UInt64(present.count - 1)))]
            let pixels = labels.indices.filter { labels[$0] == segment }
            var region = labels.map { $0 == segment }
            if rng.randomSample() >= 0.5 {
                let centre = pixels[Int(rng.interval(UInt64(pixels.count - 1)))]
                let bh = Int(side * (0.15 + 0.35 * rng.randomSample())), bw = Int(side * (0.15 + 0.35 * rng.randomSample()))
                let (cy, cx) = (centre / w, centre % w)
                for y in 0..<h { for x in 0..<w where abs(y - cy) > bh / 2 || abs(x - cx) > bw / 2 { region[y * w + x] = false } }
            }
            let inRegion = region.indices.filter { region[$0] }
            guard !inRegion.isEmpty else { continue }
            var out = png
            let kind: Kind = rng.randomSample() < 0.5 ? .blur : .rectangle
            switch kind {
            case .blur:
                let sigma = (1.5 + 2.5 * rng.randomSample()) * side / 256
                for ch in 0..<c {
                    let plane = (0..<(h * w)).map { Float(png.samples[$0 * c + ch]) }
                    let blurred = gaussianBlur(plane, height: h, width: w, sigma: Float(sigma))
                    for i in inRegion { out.samples[i * c + ch] = UInt16(max(0, min(Float(maxSample(png)), blurred[i].rounded()))) }
                }
            case .rectangle:
                let thickness = 1 + Int(rng.interval(UInt64(max(1, Int(side / 85) - 1))))
                let length = Int(side / 16 + (side / 3 - side / 16) * rng.randomSample())
                let horizontal = rng.randomSample() < 0.5
                let centre = inRegion[Int(rng.interval(UInt64(inRegion.count - 1)))]
                let gray = UInt16(rng.interval(UInt64(maxSample(png))))
                let (rh, rw) = horizontal ? (thickness, length) : (length, thickness)
                let (y0, x0) = (centre / w - rh / 2, centre % w - rw / 2)
                for y in max(0, y0)..<min(h, y0 + rh) {
                    for x in max(0, x0)..<min(w, x0 + rw) where labels[y * w + x] == segment {
                        for ch in 0..<c where !(ch == c - 1 && (c == 2 || c == 4)) { out.samples[(y * w + x) * c + ch] = gray }
                    }
                }
            }
            if out.samples != png.samples { return (out, kind, Int(segment)) }
        }
        throw InputError(path, "no synthetic defect changed this image in 20 draws (a flat image or an empty label map?)")
    }

    static func maxSample(_ png: PNGImage) -> Int { png.bitDepth == 16 ? 65535 : 255 }

    /// A training image of any format (`ImageFile.read`: PNG, JPEG, TIFF,
    /// orientation applied, alpha dropped) as integer samples on an 8- or
    /// 16-bit scale: 8- and 16-bit files as stored, gray PNG below 8 bits
    /// stretched to 8 bits (as `PNGImage.expandedTo8Bit`), floating-point
    /// TIFF (0…1) to 16 bits, round(v · 65535) clamped.
    static func readImage(_ path: String) throws -> PNGImage {
        let image = try ImageFile.read(path: path)
        let depth: Int, scaled: RasterImage
        if image.maxValue == 255 || image.maxValue == 65535 {
            (depth, scaled) = (image.maxValue == 255 ? 8 : 16, image)
        } else if image.maxValue < 255, image.samples.allSatisfy({ $0 == $0.rounded() }) {
            (depth, scaled) = (8, image.expandedTo8Bit())
        } else {
            let factor = 65535 / image.maxValue
            var s = image
            s.samples = image.samples.map { min(65535, max(0, ($0 * factor).rounded())) }
            (depth, scaled) = (16, s)
        }
        return PNGImage(width: scaled.width, height: scaled.height, channels: scaled.channels, bitDepth: depth,
                        samples: scaled.samples.map { UInt16($0) })
    }

    /// Separable Gaussian blur, kernel radius ⌈3σ⌉, edges clamped.
    /// - Complexity: O(h·w·σ).
    public static func gaussianBlur(_ src: [Float], height h: Int, width w: Int, sigma: Float) -> [Float] {
        let r = max(1, Int((3 * sigma).rounded(.up)))
        var k = (-r...r).map { exp(-Float($0 * $0) / (2 * sigma * sigma)) }
        let total = k.reduce(0, +)
        k = k.map { $0 / total }
        var tmp = [Float](repeating: 0, count: h * w), out = tmp
        for y in 0..<h {
            for x in 0..<w {
                var s: Float = 0
                for j in -r...r { s += k[j + r] * src[y * w + min(w - 1, max(0, x + j))] }
                tmp[y * w + x] = s
            }
        }
        for y in 0..<h {
            for x in 0..<w {
                var s: Float = 0
                for j in -r...r { s += k[j + r] * tmp[min(h - 1, max(0, y + j)) * w + x] }
                out[y * w + x] = s
            }
        }
        return out
    }

    static func write(_ png: PNGImage, to path: String) throws {
        let (h, w, c) = (png.height, png.width, png.channels)
        switch (c, png.bitDepth) {
        case (1, 16): try PNG.writeGray16(path: path, width: w, height: h, pixels: png.samples)
        case (1, _), (2, _):
            try PNG.writeGray8(path: path, width: w, height: h, pixels: (0..<(h * w)).map { UInt8(min(255, png.samples[$0 * c])) })
        default:
            var rgb = [UInt8](repeating: 0, count: h * w * 3)
            let scale = png.bitDepth == 16 ? 257 : 1
            for i in 0..<(h * w) { for ch in 0..<3 { rgb[i * 3 + ch] = UInt8(Int(png.samples[i * c + ch]) / scale) } }
            try PNG.writeRGB8(path: path, width: w, height: h, pixels: rgb)
        }
    }
}
