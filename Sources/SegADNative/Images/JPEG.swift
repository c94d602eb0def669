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
/// viewer shows it. CMYK and YCCK files are refused.
///
/// libjpeg's warnings are sorted by their message code (shim.h,
/// `segad_jpeg_warning_is_benign`): bytes that are not part of the image
/// (extraneous bytes before a marker, an unknown JFIF revision, a bad ICC
/// marker) are passed over, as every viewer does; any other warning — the
/// data end early ("Premature end of JPEG file"), the entropy-coded data are
/// corrupt ("premature end of data segment", "bad Huffman code", a missing
/// restart marker, …) — refuses the file (`ImageError.truncated`): a damaged
/// file is never decoded into grey filler silently. docs/manifest.md states
/// the rule.
public enum JPEG {
    public static func read(path: String) throws -> RasterImage {
        try RegularFile.refuseSpecial(path)  // a FIFO would block fopen
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
            case Int32(SEGAD_JPEG_CORRUPT):
                throw ImageError.truncated(path, detail: "JPEG is truncated or corrupt (libjpeg: \(m))")
            default:
                // libjpeg's memory cap (64 MiB + 1 KiB per file byte) hit: a header that lies about the size.
                if status.msg_code == Int32(JERR_NO_BACKING_STORE.rawValue) || status.msg_code == Int32(JERR_OUT_OF_MEMORY.rawValue) {
                    throw ImageError.sizeExceedsData(path, format: "JPEG", height: Int(info.height), width: Int(info.width))
                }
                throw ImageError.unreadable(path, detail: "not a readable JPEG (libjpeg: \(m))")
            }
        }
        defer { free(data) }
        let w = Int(info.width), h = Int(info.height), c = Int(info.channels)
        let count = w * h * c
        let samples = [Float](unsafeUninitializedCapacity: count) { out, initialized in
            for i in 0..<count { out[i] = Float(data[i]) }
            initialized = count
        }
        let image = RasterImage(width: w, height: h, channels: c, maxValue: 255, samples: samples)
        let orientation = info.exif.map { ExifOrientation.parse(UnsafeBufferPointer(start: $0, count: info.exif_length)) } ?? 1
        return ExifOrientation.apply(orientation, to: image)
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
