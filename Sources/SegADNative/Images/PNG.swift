internal import CPNG
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A decoded PNG: raw samples, row-major, channels interleaved.
public struct PNGImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA.
    public var channels: Int
    /// The file's bit depth for gray images (1, 2, 4, 8 or 16); 8 or 16 for
    /// the others (palette images are expanded to 8-bit RGB).
    public var bitDepth: Int
    /// `height * width * channels` samples, 0…2^bitDepth − 1 as stored in the
    /// file (no gamma correction, no scaling: a 1-bit gray PNG gives 0 and 1,
    /// so label maps keep their labels; image readers divide by `maxValue`).
    public var samples: [UInt16]
    /// The Exif orientation of the file's `eXIf` chunk (1…8, 1 when there is
    /// none; `ExifOrientation`). NOT applied to `samples`, which stay as
    /// stored (label maps are read as stored, as `TIFFMap` reads TIFF maps);
    /// `ImageFile.read` applies it to images.
    public var exifOrientation: Int

    public init(width: Int, height: Int, channels: Int, bitDepth: Int, samples: [UInt16], exifOrientation: Int = 1) {
        self.width = width
        self.height = height
        self.channels = channels
        self.bitDepth = bitDepth
        self.samples = samples
        self.exifOrientation = exifOrientation
    }

    /// One value per pixel, row-major, on the file's own scale (0…255 for
    /// 8-bit, 0…65535 for 16-bit; nothing is scaled).
    ///
    /// Gray images give their gray sample; RGB images give the luma of
    /// ITU-R BT.601, `Y = 0.299 R + 0.587 G + 0.114 B` (the weights PIL's
    /// `convert("L")` and OpenCV's `cvtColor(…, COLOR_RGB2GRAY)` use, without
    /// their rounding to integers). Alpha is ignored.
    /// Full white on the samples' scale: 2^bitDepth − 1.
    public var maxValue: Int { (1 << bitDepth) - 1 }

    /// The image with gray below 8 bits scaled to 8-bit samples
    /// (v · 255 / (2^depth − 1), what libpng's expansion gives), for code
    /// that handles 8- and 16-bit images only; others are returned as they are.
    public func expandedTo8Bit() -> PNGImage {
        guard bitDepth < 8 else { return self }
        let factor = UInt16(255 / maxValue)
        return PNGImage(width: width, height: height, channels: channels, bitDepth: 8,
                        samples: samples.map { $0 * factor })
    }

    public func grayFloats() -> [Float] {
        let n = width * height
        var out = [Float](repeating: 0, count: n)
        switch channels {
        case 1, 2:
            for i in 0..<n { out[i] = Float(samples[i * channels]) }
        default:
            for i in 0..<n {
                let p = i * channels
                out[i] = 0.299 * Float(samples[p]) + 0.587 * Float(samples[p + 1]) + 0.114 * Float(samples[p + 2])
            }
        }
        return out
    }
}

/// PNG reading and writing through libpng.
///
/// libpng's errors (which it reports by `longjmp`) are caught in C helpers
/// in CPNG's shim and come back as an `ImageError` carrying libpng's message.
public enum PNG {
    /// The largest width or height accepted, a guard against corrupt headers.
    public static let maxSide = ImageLimits.maxSide

    /// Reads a PNG of any color type. Palette images become RGB (transparency
    /// is dropped), gray images below 8 bits keep their stored values (see
    /// `PNGImage.samples`), 16-bit stays 16-bit. The `eXIf` chunk's
    /// orientation is reported (`exifOrientation`), not applied. The declared size is checked
    /// against `ImageLimits` and against what the file can hold before the
    /// pixel rows are allocated.
    public static func read(path: String) throws -> PNGImage {
        try RegularFile.refuseSpecial(path)  // a FIFO would block fopen
        var info = segad_png_info()
        var status = segad_png_status()
        let read = segad_png_read(path, &info, &status, png_uint_32(maxSide), UInt64(ImageLimits.maxPixels))
        defer { free(info.exif) }
        guard let data = read else {
            if status.code == 1 {
                throw ImageLimits.error(path: path, width: Int(info.width), height: Int(info.height), format: "PNG")
                    ?? ImageError.unreadable(path, detail: "PNG declares \(info.height)×\(info.width) pixels, too many")
            }
            if status.code == 2 {
                throw ImageError.sizeExceedsData(path, format: "PNG", height: Int(info.height), width: Int(info.width))
            }
            let m = message(&status)
            if m.hasPrefix("cannot open") { throw ImageError.opening(path, m) }
            var fault = "not a readable PNG (libpng: \(m))"
            if let size = fileSize(path), size == 0 { fault += "; the file is empty" }
            throw ImageError.unreadable(path, detail: fault)
        }
        defer { free(data) }
        let w = Int(info.width), h = Int(info.height), c = Int(info.channels), depth = Int(info.bit_depth)
        let fileDepth = c == 1 && info.file_bit_depth < 8 ? Int(info.file_bit_depth) : depth
        let rowBytes = info.rowbytes
        let perRow = w * c
        var samples = [UInt16](repeating: 0, count: perRow * h)
        samples.withUnsafeMutableBufferPointer { out in
            for y in 0..<h {
                let row = data + y * rowBytes
                if depth == 16 {
                    for i in 0..<perRow { out[y * perRow + i] = UInt16(row[2 * i]) << 8 | UInt16(row[2 * i + 1]) }
                } else {
                    for i in 0..<perRow { out[y * perRow + i] = UInt16(row[i]) }
                }
            }
        }
        let orientation = info.exif.map { ExifOrientation.parse(UnsafeBufferPointer(start: $0, count: info.exif_length)) } ?? 1
        return PNGImage(width: w, height: h, channels: c, bitDepth: fileDepth, samples: samples,
                        exifOrientation: orientation)
    }

    /// Writes an 8-bit grayscale PNG; `pixels` holds `height * width` values.
    public static func writeGray8(path: String, width: Int, height: Int, pixels: [UInt8]) throws {
        try write(path: path, width: width, height: height, channels: 1, color: PNG_COLOR_TYPE_GRAY,
                  bitDepth: 8, bytes: pixels, count: pixels.count)
    }

    /// Writes a 16-bit grayscale PNG; `pixels` holds `height * width` values.
    public static func writeGray16(path: String, width: Int, height: Int, pixels: [UInt16]) throws {
        var bytes = [UInt8](repeating: 0, count: pixels.count * 2)
        for (i, v) in pixels.enumerated() { bytes[2 * i] = UInt8(v >> 8); bytes[2 * i + 1] = UInt8(v & 0xFF) }
        try write(path: path, width: width, height: height, channels: 1, color: PNG_COLOR_TYPE_GRAY,
                  bitDepth: 16, bytes: bytes, count: pixels.count)
    }

    /// Writes an 8-bit RGB PNG; `pixels` holds `height * width * 3` values,
    /// interleaved R, G, B. `fast`: zlib level 1 and one filter, a few times
    /// faster to write and somewhat larger — for images written per scored
    /// part (score-new's overlays; BENCHMARKS.md, "Line speed").
    public static func writeRGB8(path: String, width: Int, height: Int, pixels: [UInt8], fast: Bool = false) throws {
        try write(path: path, width: width, height: height, channels: 3, color: PNG_COLOR_TYPE_RGB,
                  bitDepth: 8, bytes: pixels, count: pixels.count, fast: fast)
    }

    private static func write(path: String, width: Int, height: Int, channels: Int, color: Int32,
                              bitDepth: Int, bytes: [UInt8], count: Int, fast: Bool = false) throws {
        guard width > 0, height > 0, width <= maxSide, height <= maxSide else {
            throw ImageError.cannotWrite(path, detail: "cannot write PNG: size \(height)×\(width) is not in 1…\(maxSide)")
        }
        guard count == width * height * channels else {
            throw ImageError.cannotWrite(path, detail: "cannot write PNG: \(count) samples given for \(height)×\(width)×\(channels)")
        }
        var status = segad_png_status()
        let rc = bytes.withUnsafeBufferPointer { buf in
            segad_png_write(path, png_uint_32(width), png_uint_32(height), color, Int32(bitDepth),
                            buf.baseAddress, width * channels * bitDepth / 8, fast ? 1 : 0, &status)
        }
        guard rc == 0 else {
            let m = message(&status)
            throw ImageError.cannotWrite(path, detail: m.hasPrefix("cannot") ? m : "cannot write PNG (libpng: \(m))")
        }
    }

    private static func message(_ status: inout segad_png_status) -> String {
        withUnsafeBytes(of: &status.message) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    private static func fileSize(_ path: String) -> Int? {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : nil
    }
}
