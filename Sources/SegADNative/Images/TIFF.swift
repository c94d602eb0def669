internal import CTIFF

/// Reads one-channel floating-point TIFF maps (anomaly maps saved by Python
/// tools, e.g. `tifffile.imwrite(path, map.astype(np.float32))`) through
/// libtiff.
///
/// Accepted: the first image of the file, one sample per pixel,
/// `SampleFormat` IEEE floating point with 32 or 16 bits per sample, stored
/// in strips or tiles, any byte order and any compression/predictor libtiff
/// decodes. Anything else is an `InputError` naming the file. libtiff's own
/// error message (which it would otherwise print to stderr) goes into the
/// fault.
public enum TIFFMap {
    /// Largest number of pixels accepted, a guard against corrupt headers.
    public static let maxPixels = 1 << 28

    private static let handlersInstalled: Void = { segad_tiff_install_handlers() }()

    /// Reads the map as row-major `Float` values.
    public static func read(path: String) throws -> (values: [Float], height: Int, width: Int) {
        _ = handlersInstalled
        segad_tiff_clear_error()
        // libtiff's last error for this thread, or (libtiff fails some reads
        // silently, e.g. a tile that runs past the end of the file) a fallback.
        func libtiffMessage(orElse fallback: String? = nil) -> String {
            // The error's own file name is redundant beside InputError's.
            let m = String(cString: segad_tiff_last_error()).replacing("\(path): ", with: "")
            if !m.isEmpty { return " (libtiff: \(m))" }
            return fallback.map { " (\($0))" } ?? ""
        }
        guard let tif = TIFFOpen(path, "r") else {
            throw InputError(path, "cannot open as TIFF\(libtiffMessage())")
        }
        defer { TIFFClose(tif) }

        var width: UInt32 = 0, height: UInt32 = 0
        guard segad_tiff_get_u32(tif, UInt32(TIFFTAG_IMAGEWIDTH), &width) == 1,
              segad_tiff_get_u32(tif, UInt32(TIFFTAG_IMAGELENGTH), &height) == 1 else {
            throw InputError(path, "TIFF lacks image width or length\(libtiffMessage())")
        }
        var samples: UInt16 = 1, bits: UInt16 = 1, format: UInt16 = 1, planar: UInt16 = 1
        _ = segad_tiff_get_u16_defaulted(tif, UInt32(TIFFTAG_SAMPLESPERPIXEL), &samples)
        _ = segad_tiff_get_u16_defaulted(tif, UInt32(TIFFTAG_BITSPERSAMPLE), &bits)
        _ = segad_tiff_get_u16_defaulted(tif, UInt32(TIFFTAG_SAMPLEFORMAT), &format)
        _ = segad_tiff_get_u16_defaulted(tif, UInt32(TIFFTAG_PLANARCONFIG), &planar)
        guard samples == 1 else { throw InputError(path, "TIFF has \(samples) channels; expected 1") }
        guard format == UInt16(SAMPLEFORMAT_IEEEFP) else {
            let kind: String
            switch Int32(format) {
            case SAMPLEFORMAT_UINT: kind = "unsigned integer"
            case SAMPLEFORMAT_INT: kind = "signed integer"
            default: kind = "sample format \(format)"
            }
            throw InputError(path, "TIFF holds \(bits)-bit \(kind) samples; expected 32- or 16-bit floating point")
        }
        guard bits == 32 || bits == 16 else {
            throw InputError(path, "TIFF holds \(bits)-bit floating point samples; expected 32 or 16")
        }
        let w = Int(width), h = Int(height)
        guard w > 0, h > 0 else { throw InputError(path, "TIFF is empty (\(h)×\(w))") }
        guard w.multipliedReportingOverflow(by: h).partialValue <= maxPixels, w <= maxPixels, h <= maxPixels else {
            throw InputError(path, "TIFF declares \(h)×\(w) pixels, more than the \(maxPixels) accepted")
        }
        let bytesPerSample = Int(bits) / 8

        // Decode every strip or tile into `raw` (bytes, host order), then convert.
        var raw = [UInt8](repeating: 0, count: w * h * bytesPerSample)
        try raw.withUnsafeMutableBytes { image in
            if TIFFIsTiled(tif) != 0 {
                var tw: UInt32 = 0, th: UInt32 = 0
                guard segad_tiff_get_u32(tif, UInt32(TIFFTAG_TILEWIDTH), &tw) == 1,
                      segad_tiff_get_u32(tif, UInt32(TIFFTAG_TILELENGTH), &th) == 1, tw > 0, th > 0 else {
                    throw InputError(path, "tiled TIFF lacks a tile size\(libtiffMessage())")
                }
                let tileW = Int(tw), tileH = Int(th)
                let tileBytes = tileW * tileH * bytesPerSample
                var tile = [UInt8](repeating: 0, count: tileBytes)
                for y0 in stride(from: 0, to: h, by: tileH) {
                    for x0 in stride(from: 0, to: w, by: tileW) {
                        let index = TIFFComputeTile(tif, UInt32(x0), UInt32(y0), 0, 0)
                        let n = tile.withUnsafeMutableBytes {
                            TIFFReadEncodedTile(tif, index, $0.baseAddress, tmsize_t(tileBytes))
                        }
                        guard n >= 0 else {
                            throw InputError(path, "cannot decode TIFF tile \(index)\(libtiffMessage(orElse: "data truncated or corrupt"))")
                        }
                        let rowBytes = min(tileW, w - x0) * bytesPerSample
                        for dy in 0..<min(tileH, h - y0) {
                            let dst = ((y0 + dy) * w + x0) * bytesPerSample
                            tile.withUnsafeBytes { t in
                                image.baseAddress!.advanced(by: dst)
                                    .copyMemory(from: t.baseAddress! + dy * tileW * bytesPerSample, byteCount: rowBytes)
                            }
                        }
                    }
                }
            } else {
                var rowsPerStrip: UInt32 = 0
                _ = segad_tiff_get_u32(tif, UInt32(TIFFTAG_ROWSPERSTRIP), &rowsPerStrip)
                let rps = rowsPerStrip == 0 ? h : min(Int(rowsPerStrip), h)
                let stripCount = (h + rps - 1) / rps
                for strip in 0..<stripCount {
                    let rows = min(rps, h - strip * rps)
                    let offset = strip * rps * w * bytesPerSample
                    let want = rows * w * bytesPerSample
                    let n = TIFFReadEncodedStrip(tif, UInt32(strip), image.baseAddress! + offset, tmsize_t(want))
                    guard n >= 0 else {
                        throw InputError(path, "cannot decode TIFF strip \(strip)\(libtiffMessage(orElse: "data truncated or corrupt"))")
                    }
                    guard Int(n) >= want else {
                        throw InputError(path, "TIFF strip \(strip) holds \(n) bytes; expected \(want)\(libtiffMessage())")
                    }
                }
            }
        }

        let count = w * h
        let values = [Float](unsafeUninitializedCapacity: count) { out, initialized in
            raw.withUnsafeBytes { r in
                if bits == 32 {
                    for i in 0..<count { out[i] = r.loadUnaligned(fromByteOffset: 4 * i, as: Float.self) }
                } else {
                    for i in 0..<count {
                        out[i] = Float(Float16(bitPattern: r.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
                    }
                }
            }
            initialized = count
        }
        return (values, h, w)
    }
}
