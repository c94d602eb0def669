internal import CJPEG
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// JPEG reading (and, for test fixtures, writing) through libjpeg-turbo.
///
/// Baseline, progressive and arithmetic-coded files; gray stays gray, YCbCr
/// (and RGB) become RGB by libjpeg's own conversion (islow IDCT, fancy
/// upsampling: the defaults PIL uses too). The Exif orientation (APP1, IFD0
/// tag 0x0112) is applied to the decoded pixels, so the image comes out as a
/// viewer shows it. CMYK and YCCK files are refused. libjpeg's warnings
/// ("Premature end of JPEG file", "Corrupt JPEG data") are errors here: a
/// damaged file is never decoded into grey filler silently.
public enum JPEG {
    public static func read(path: String) throws -> RasterImage {
        var info = segad_jpeg_info()
        var status = segad_jpeg_status()
        let data = segad_jpeg_read(path, &info, &status, UInt32(ImageLimits.maxSide), UInt64(ImageLimits.maxPixels))
        defer { free(info.exif) }
        guard let data else {
            let m = message(&status)
            switch Int32(status.code) {
            case Int32(SEGAD_JPEG_OPEN): throw ImageError.opening(path, m)
            case Int32(SEGAD_JPEG_CMYK):
                throw ImageError.cmykRefused(path, colorSpace: m)
            case Int32(SEGAD_JPEG_CHANNELS):
                throw ImageError.unsupported(path, detail: "JPEG has \(m) color components; expected 1 (gray) or 3 (color)")
            case Int32(SEGAD_JPEG_TOO_LARGE):
                throw ImageLimits.error(path: path, width: Int(info.width), height: Int(info.height), format: "JPEG")
                    ?? ImageError.unreadable(path, detail: "JPEG declares \(info.height)×\(info.width) pixels, too many")
            default:
                if m == "Backing store not supported" || m.hasPrefix("Insufficient memory") {
                    throw ImageError.sizeExceedsData(path, format: "JPEG", height: Int(info.height), width: Int(info.width))
                }
                if m.hasPrefix("Premature end") || m.hasPrefix("Corrupt JPEG data") {
                    throw ImageError.truncated(path, detail: "JPEG is truncated or corrupt (libjpeg: \(m))")
                }
                throw ImageError.unreadable(path, detail: "not a readable JPEG (libjpeg: \(m))")
            }
        }
        defer { free(data) }
        let w = Int(info.width), h = Int(info.height), c = Int(info.channels)
        let count = w * h * c
        var samples = [Float](unsafeUninitializedCapacity: count) { out, initialized in
            for i in 0..<count { out[i] = Float(data[i]) }
            initialized = count
        }
        var image = RasterImage(width: w, height: h, channels: c, maxValue: 255, samples: [])
        let orientation = info.exif.map { ExifOrientation.parse(UnsafeBufferPointer(start: $0, count: info.exif_length)) } ?? 1
        if orientation != 1 {
            let (ow, oh, oriented) = ExifOrientation.apply(orientation, samples, width: w, height: h, channels: c)
            image.width = ow
            image.height = oh
            samples = oriented
        }
        image.samples = samples
        return image
    }

    /// Writes a JPEG: `channels` 1 (gray), 3 (RGB) or 4 (CMYK; `ycck` stores
    /// it as YCCK). `app1` is written as one APP1 marker (e.g. `Exif\0\0…`).
    /// Meant for test fixtures.
    public static func write(path: String, width: Int, height: Int, channels: Int, pixels: [UInt8],
                             quality: Int = 90, progressive: Bool = false, ycck: Bool = false,
                             app1: [UInt8]? = nil) throws {
        guard [1, 3, 4].contains(channels), width > 0, height > 0, pixels.count == width * height * channels else {
            throw ImageError.cannotWrite(path, detail: "cannot write JPEG: \(pixels.count) samples for \(height)×\(width)×\(channels)")
        }
        var status = segad_jpeg_status()
        let rc = pixels.withUnsafeBufferPointer { px in
            (app1 ?? []).withUnsafeBufferPointer { marker in
                segad_jpeg_write(path, UInt32(width), UInt32(height), Int32(channels), px.baseAddress,
                                 Int32(quality), progressive ? 1 : 0, ycck ? 1 : 0,
                                 marker.baseAddress, marker.count, &status)
            }
        }
        guard rc == 0 else {
            let m = message(&status)
            throw ImageError.cannotWrite(path, detail: m.hasPrefix("cannot") ? m : "cannot write JPEG (libjpeg: \(m))")
        }
    }

    private static func message(_ status: inout segad_jpeg_status) -> String {
        withUnsafeBytes(of: &status.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}

/// The Exif orientation tag (TIFF tag 0x0112 in IFD0 of a JPEG's APP1
/// `Exif\0\0` segment) and the pixel transform it asks for.
///
/// 1 as stored; 2 mirrored left–right; 3 rotated 180°; 4 mirrored top–bottom;
/// 5 transposed (rows become columns); 6 to be rotated 90° clockwise;
/// 7 transversed; 8 to be rotated 90° counter-clockwise — the transforms of
/// PIL's `ImageOps.exif_transpose`.
public enum ExifOrientation {
    /// The orientation in an APP1 payload (starting with `Exif\0\0`), or 1
    /// when there is none, the payload is malformed, or the value is not 1…8.
    /// Every offset is checked against the payload's length.
    public static func parse(_ app1: UnsafeBufferPointer<UInt8>) -> Int {
        let b = app1
        guard b.count >= 14, b[0] == 0x45, b[1] == 0x78, b[2] == 0x69, b[3] == 0x66, b[4] == 0, b[5] == 0 else { return 1 }
        let base = 6
        let little: Bool
        switch (b[base], b[base + 1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return 1
        }
        func u16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= b.count else { return nil }
            return little ? Int(b[at]) | Int(b[at + 1]) << 8 : Int(b[at]) << 8 | Int(b[at + 1])
        }
        func u32(_ at: Int) -> Int? {
            guard let lo = u16(little ? at : at + 2), let hi = u16(little ? at + 2 : at) else { return nil }
            return hi << 16 | lo
        }
        guard u16(base + 2) == 42, let ifd = u32(base + 4), ifd >= 8, ifd <= b.count - base,
              let entries = u16(base + ifd) else { return 1 }
        for k in 0..<entries {
            let e = base + ifd + 2 + 12 * k
            guard e + 12 <= b.count, let tag = u16(e), let type = u16(e + 2), let count = u32(e + 4) else { return 1 }
            guard tag == 0x0112 else { continue }
            guard type == 3, count == 1, let value = u16(e + 8), (1...8).contains(value) else { return 1 }
            return value
        }
        return 1
    }

    public static func parse(_ app1: [UInt8]) -> Int { app1.withUnsafeBufferPointer { parse($0) } }

    /// Applies orientation `o` to row-major interleaved samples; returns the
    /// new width, height and samples.
    public static func apply<T>(_ o: Int, _ src: [T], width w: Int, height h: Int, channels c: Int)
        -> (width: Int, height: Int, samples: [T]) {
        guard o >= 2, o <= 8 else { return (w, h, src) }
        let swaps = o >= 5
        let ow = swaps ? h : w, oh = swaps ? w : h
        var out = src
        for y in 0..<oh {
            for x in 0..<ow {
                let sy: Int, sx: Int
                switch o {
                case 2: (sy, sx) = (y, w - 1 - x)
                case 3: (sy, sx) = (h - 1 - y, w - 1 - x)
                case 4: (sy, sx) = (h - 1 - y, x)
                case 5: (sy, sx) = (x, y)
                case 6: (sy, sx) = (h - 1 - x, y)
                case 7: (sy, sx) = (h - 1 - x, w - 1 - y)
                default: (sy, sx) = (x, w - 1 - y)  // 8
                }
                let d = (y * ow + x) * c, s = (sy * w + sx) * c
                for k in 0..<c { out[d + k] = src[s + k] }
            }
        }
        return (ow, oh, out)
    }
}
