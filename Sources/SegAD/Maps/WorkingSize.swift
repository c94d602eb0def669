import Foundation
import SegADNative

/// The working size when `--size` is not given: the aspect ratio of the
/// manifest's first image (items order) with the short side 256 and each
/// side rounded to a multiple of 32, EfficientNet-Lite0's stride (its
/// "SAME" padding equals the trained static padding on such sizes).
///
/// A 500×1247 (H×W) part gives 256×640; a 300×300 cell 256×256.
public enum WorkingSize {
    public static let shortSide = 256
    public static let stride = 32

    /// H×W for an image of `height`×`width`.
    public static func forImage(height: Int, width: Int) -> (height: Int, width: Int) {
        func side(_ s: Int, _ short: Int) -> Int {
            max(stride, Int((Double(shortSide) * Double(s) / Double(short) / Double(stride)).rounded()) * stride)
        }
        let short = min(height, width)
        return (side(height, short), side(width, short))
    }

    /// The working size of a manifest and the one-line note saying how it was chosen.
    public static func auto(manifest: Manifest) throws -> (size: (height: Int, width: Int), note: String) {
        guard let item = manifest.items.first(where: { $0.image != nil }) else {
            throw InputError(manifest.path, "has no item with an image to take the working size from; give --size HxW")
        }
        let path = manifest.resolve(item.image!)
        let (h, w) = try ImageHeader.size(path: path)
        let size = forImage(height: h, width: w)
        return (size, "--size not given: working size \(size.height)x\(size.width) (HxW), the aspect of the first image \(path) (\(h)x\(w)), short side \(shortSide), sides multiples of \(stride); give --size HxW to choose")
    }
}

/// An image's stored size from its header (PNG, JPEG with EXIF orientation,
/// TIFF), without decoding it.
public enum ImageHeader {
    public static func size(path: String) throws -> (height: Int, width: Int) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw InputError(path, FileManager.default.fileExists(atPath: path) ? "cannot read image" : "no such file")
        }
        defer { try? handle.close() }
        let bytes = [UInt8]((try? handle.read(upToCount: 1 << 20)) ?? Data())
        let size: (Int, Int)?
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
            size = png(bytes)
        } else if bytes.starts(with: [0xFF, 0xD8]) {
            size = jpeg(bytes)
        } else if bytes.starts(with: [0x49, 0x49, 0x2A, 0x00]) || bytes.starts(with: [0x4D, 0x4D, 0x00, 0x2A]) {
            size = tiff(bytes)
        } else {
            throw InputError(path, "not a PNG, JPEG or TIFF image")
        }
        guard let size, size.0 > 0, size.1 > 0 else { throw InputError(path, "image header gives no size (truncated or corrupt image)") }
        return size
    }

    static func be16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) << 8 | Int(b[i + 1]) }
    static func be32(_ b: [UInt8], _ i: Int) -> Int { be16(b, i) << 16 | be16(b, i + 2) }

    static func png(_ b: [UInt8]) -> (Int, Int)? {
        guard b.count >= 24 else { return nil }
        return (be32(b, 20), be32(b, 16))
    }

    static func jpeg(_ b: [UInt8]) -> (Int, Int)? {
        var i = 2
        var orientation = 1
        while i + 4 <= b.count {
            guard b[i] == 0xFF else { return nil }
            let marker = b[i + 1]
            if marker == 0xFF { i += 1; continue }
            if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) { i += 2; continue }
            let length = be16(b, i + 2)
            let body = i + 4
            if marker == 0xE1, body + 6 <= b.count, Array(b[body ..< body + 6]) == Array("Exif\0\0".utf8) {
                orientation = exifOrientation(b, tiffStart: body + 6) ?? orientation
            }
            // SOF0…SOF15 except DHT (C4), JPG (C8) and DAC (CC).
            if (0xC0...0xCF).contains(marker), marker != 0xC4, marker != 0xC8, marker != 0xCC {
                guard body + 5 <= b.count else { return nil }
                let h = be16(b, body + 1), w = be16(b, body + 3)
                return orientation >= 5 && orientation <= 8 ? (w, h) : (h, w)
            }
            i += 2 + length
        }
        return nil
    }

    static func exifOrientation(_ b: [UInt8], tiffStart t: Int) -> Int? {
        guard t + 8 <= b.count else { return nil }
        let little = b[t] == 0x49
        func u16(_ i: Int) -> Int? { i + 2 <= b.count ? (little ? Int(b[i]) | Int(b[i + 1]) << 8 : be16(b, i)) : nil }
        func u32(_ i: Int) -> Int? {
            guard let lo = u16(little ? i : i + 2), let hi = u16(little ? i + 2 : i) else { return nil }
            return hi << 16 | lo
        }
        guard let ifd = u32(t + 4), let n = u16(t + ifd) else { return nil }
        for e in 0..<n {
            let entry = t + ifd + 2 + 12 * e
            guard let tag = u16(entry) else { return nil }
            if tag == 0x0112 { return u16(entry + 8) }
        }
        return nil
    }

    static func tiff(_ b: [UInt8]) -> (Int, Int)? {
        let little = b[0] == 0x49
        func u16(_ i: Int) -> Int? { i + 2 <= b.count ? (little ? Int(b[i]) | Int(b[i + 1]) << 8 : be16(b, i)) : nil }
        func u32(_ i: Int) -> Int? {
            guard let lo = u16(little ? i : i + 2), let hi = u16(little ? i + 2 : i) else { return nil }
            return hi << 16 | lo
        }
        guard let ifd = u32(4), let n = u16(ifd) else { return nil }
        var w: Int?, h: Int?
        for e in 0..<n {
            let entry = ifd + 2 + 12 * e
            guard let tag = u16(entry), let type = u16(entry + 2) else { return nil }
            let value = type == 3 ? u16(entry + 8) : u32(entry + 8)
            if tag == 256 { w = value } else if tag == 257 { h = value }
        }
        guard let h, let w else { return nil }
        return (h, w)
    }
}
