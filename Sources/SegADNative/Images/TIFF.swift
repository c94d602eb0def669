internal import CTIFF
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One TIFF reader through libtiff, for maps (`TIFFMap`) and images
/// (`TIFFImage`): the first image of the file, strips or tiles, any byte
/// order and any compression/predictor libtiff decodes.
///
/// The declared size is checked before anything of that size is allocated:
/// against `ImageLimits`, against the file's size when the data is stored
/// uncompressed, and compressed data is decoded one row (strips) or one row
/// of tiles at a time into an output that grows with what was decoded, so a
/// header that lies stops at the first missing row. libtiff's own error
/// message (which it would otherwise print to stderr) goes into the fault.
enum TIFFFile {
    /// What the first directory declares.
    struct Header {
        var width = 0, height = 0
        var samplesPerPixel = 1, bitsPerSample = 1
        var sampleFormat = Int(SAMPLEFORMAT_UINT), planar = Int(PLANARCONFIG_CONTIG)
        var photometric = -1, compression = Int(COMPRESSION_NONE)
        var tiled = false
        /// TIFF tag 274 (the values Exif borrowed: 1 as stored … 8), 1 when absent.
        var orientation = 1
        var isFloat: Bool { sampleFormat == Int(SAMPLEFORMAT_IEEEFP) }
        var bytesPerSample: Int { bitsPerSample / 8 }
    }

    /// Largest tile side accepted (a decoded row of tiles is held at once).
    static let maxTileSide = 2048

    private static let handlersInstalled: Void = { segad_tiff_install_handlers() }()

    /// Opens `path`, lets `check` refuse the header, decodes all samples to
    /// `Float` (integers as stored, 16/32-bit IEEE as their values).
    static func read(path: String, check: (Header) throws -> Void) throws -> (header: Header, samples: [Float]) {
        _ = handlersInstalled
        segad_tiff_clear_error()
        // libtiff's last error for this thread, or (libtiff fails some reads
        // silently, e.g. a tile that runs past the end of the file) a fallback.
        func libtiffMessage(orElse fallback: String? = nil) -> String {
            // The error's own file name is redundant beside ImageError's.
            let m = String(cString: segad_tiff_last_error()).replacing("\(path): ", with: "")
            if !m.isEmpty { return " (libtiff: \(m))" }
            return fallback.map { " (\($0))" } ?? ""
        }
        try RegularFile.refuseSpecial(path)  // a FIFO would block TIFFOpen
        guard let tif = TIFFOpen(path, "r") else {
            throw ImageError.unreadable(path, detail: "cannot open as TIFF\(libtiffMessage())")
        }
        defer { TIFFClose(tif) }

        var width: UInt32 = 0, height: UInt32 = 0
        guard segad_tiff_get_u32(tif, UInt32(TIFFTAG_IMAGEWIDTH), &width) == 1,
              segad_tiff_get_u32(tif, UInt32(TIFFTAG_IMAGELENGTH), &height) == 1 else {
            throw ImageError.unreadable(path, detail: "TIFF lacks image width or length\(libtiffMessage())")
        }
        var samples: UInt16 = 1, bits: UInt16 = 1, format: UInt16 = 1, planar: UInt16 = 1
        var photometric: UInt16 = 0, compression: UInt16 = 1
        _ = segad_tiff_get_u16_defaulted(tif, UInt32(TIFFTAG_SAMPLESPERPIXEL), &samples)
        _ = segad_tiff_get_u16_defaulted(tif, UInt32(TIFFTAG_BITSPERSAMPLE), &bits)
        _ = segad_tiff_get_u16_defaulted(tif, UInt32(TIFFTAG_SAMPLEFORMAT), &format)
        _ = segad_tiff_get_u16_defaulted(tif, UInt32(TIFFTAG_PLANARCONFIG), &planar)
        _ = segad_tiff_get_u16_defaulted(tif, UInt32(TIFFTAG_COMPRESSION), &compression)
        var header = Header()
        header.width = Int(width)
        header.height = Int(height)
        header.samplesPerPixel = Int(samples)
        header.bitsPerSample = Int(bits)
        header.sampleFormat = Int(format)
        header.planar = Int(planar)
        header.compression = Int(compression)
        header.photometric = segad_tiff_get_u16(tif, UInt32(TIFFTAG_PHOTOMETRIC), &photometric) == 1 ? Int(photometric) : -1
        header.tiled = TIFFIsTiled(tif) != 0
        var orientation: UInt16 = 1
        if segad_tiff_get_u16(tif, UInt32(TIFFTAG_ORIENTATION), &orientation) == 1, (1...8).contains(orientation) {
            header.orientation = Int(orientation)
        }
        try check(header)

        let w = header.width, h = header.height, spp = header.samplesPerPixel
        if let error = ImageLimits.error(path: path, width: w, height: h, format: "TIFF") { throw error }
        guard [1, 2, 4].contains(header.bytesPerSample), header.bitsPerSample % 8 == 0 else {
            throw ImageError.unsupported(path, detail: "TIFF holds \(bits)-bit samples; expected 8, 16 or 32")
        }
        guard spp >= 1, spp <= 8, spp == 1 || header.planar == Int(PLANARCONFIG_CONTIG) else {
            throw ImageError.unsupported(path, detail: "TIFF stores its \(spp) samples per pixel in separate planes; save it with interleaved (contiguous) samples")
        }
        let bytesPerSample = header.bytesPerSample
        let rowSamples = w * spp
        let total = rowSamples * h
        if header.compression == Int(COMPRESSION_NONE) {
            var info = stat()
            if stat(path, &info) == 0, total * bytesPerSample > Int(info.st_size) {
                throw ImageError.truncated(path, detail: "TIFF declares \(h)×\(w) uncompressed pixels (\(total * bytesPerSample) bytes) but the file holds \(info.st_size) bytes (truncated or corrupt)")
            }
        }

        var out: [Float] = []
        out.reserveCapacity(min(total, 1 << 22))
        // Appends `count` samples of `raw` (host order) converted to Float.
        func append(_ raw: UnsafeRawPointer, _ count: Int) {
            switch (bytesPerSample, header.isFloat, header.sampleFormat == Int(SAMPLEFORMAT_INT)) {
            case (1, _, false): for i in 0..<count { out.append(Float(raw.load(fromByteOffset: i, as: UInt8.self))) }
            case (1, _, true): for i in 0..<count { out.append(Float(raw.load(fromByteOffset: i, as: Int8.self))) }
            case (2, true, _):
                for i in 0..<count { out.append(Float(Float16(bitPattern: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))) }
            case (2, false, false): for i in 0..<count { out.append(Float(raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
            case (2, false, true): for i in 0..<count { out.append(Float(raw.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))) }
            case (4, true, _): for i in 0..<count { out.append(raw.loadUnaligned(fromByteOffset: 4 * i, as: Float.self)) }
            case (4, false, false): for i in 0..<count { out.append(Float(raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
            default: for i in 0..<count { out.append(Float(raw.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
            }
        }

        if header.tiled {
            var tw: UInt32 = 0, th: UInt32 = 0
            guard segad_tiff_get_u32(tif, UInt32(TIFFTAG_TILEWIDTH), &tw) == 1,
                  segad_tiff_get_u32(tif, UInt32(TIFFTAG_TILELENGTH), &th) == 1, tw > 0, th > 0 else {
                throw ImageError.unreadable(path, detail: "tiled TIFF lacks a tile size\(libtiffMessage())")
            }
            guard tw <= maxTileSide, th <= maxTileSide else {
                throw ImageError.unsupported(path, detail: "TIFF tiles are \(th)×\(tw); at most \(maxTileSide) a side is accepted")
            }
            let tileW = Int(tw), tileH = Int(th)
            let tileBytes = tileW * tileH * spp * bytesPerSample
            var tile = [UInt8](repeating: 0, count: tileBytes)
            for y0 in stride(from: 0, to: h, by: tileH) {
                let bandRows = min(tileH, h - y0)
                var band = [UInt8](repeating: 0, count: bandRows * rowSamples * bytesPerSample)
                for x0 in stride(from: 0, to: w, by: tileW) {
                    let index = TIFFComputeTile(tif, UInt32(x0), UInt32(y0), 0, 0)
                    let n = tile.withUnsafeMutableBytes {
                        TIFFReadEncodedTile(tif, index, $0.baseAddress, tmsize_t(tileBytes))
                    }
                    guard n >= 0 else {
                        throw ImageError.truncated(path, detail: "cannot decode TIFF tile \(index)\(libtiffMessage(orElse: "data truncated or corrupt"))")
                    }
                    let rowBytes = min(tileW, w - x0) * spp * bytesPerSample
                    tile.withUnsafeBytes { t in
                        band.withUnsafeMutableBytes { b in
                            for dy in 0..<bandRows {
                                (b.baseAddress! + (dy * w + x0) * spp * bytesPerSample)
                                    .copyMemory(from: t.baseAddress! + dy * tileW * spp * bytesPerSample, byteCount: rowBytes)
                            }
                        }
                    }
                }
                band.withUnsafeBytes { append($0.baseAddress!, bandRows * rowSamples) }
            }
        } else {
            let lineBytes = Int(TIFFScanlineSize(tif))
            guard lineBytes == rowSamples * bytesPerSample else {
                throw ImageError.unreadable(path, detail: "TIFF rows hold \(lineBytes) bytes; expected \(rowSamples * bytesPerSample)\(libtiffMessage())")
            }
            var line = [UInt8](repeating: 0, count: lineBytes)
            for y in 0..<h {
                let rc = line.withUnsafeMutableBytes { TIFFReadScanline(tif, $0.baseAddress, UInt32(y), 0) }
                guard rc == 1 else {
                    throw ImageError.truncated(path, detail: "cannot decode TIFF row \(y)\(libtiffMessage(orElse: "data truncated or corrupt"))")
                }
                line.withUnsafeBytes { append($0.baseAddress!, rowSamples) }
            }
        }
        return (header, out)
    }
}

/// Reads one-channel floating-point TIFF maps (anomaly maps saved by Python
/// tools, e.g. `tifffile.imwrite(path, map.astype(np.float32))`): one sample
/// per pixel, IEEE floating point with 32 or 16 bits. Anything else is an
/// `ImageError` naming the file.
public enum TIFFMap {
    /// Largest number of pixels accepted, a guard against corrupt headers.
    public static let maxPixels = ImageLimits.maxPixels

    /// Reads the map as row-major `Float` values.
    public static func read(path: String) throws -> (values: [Float], height: Int, width: Int) {
        let (header, values) = try TIFFFile.read(path: path) { header in
            guard header.samplesPerPixel == 1 else {
                throw ImageError.unsupported(path, detail: "TIFF has \(header.samplesPerPixel) channels; expected 1")
            }
            let bits = header.bitsPerSample
            guard header.isFloat else {
                let kind: String
                switch Int32(header.sampleFormat) {
                case SAMPLEFORMAT_UINT: kind = "unsigned integer"
                case SAMPLEFORMAT_INT: kind = "signed integer"
                default: kind = "sample format \(header.sampleFormat)"
                }
                throw ImageError.unsupported(path, detail: "TIFF holds \(bits)-bit \(kind) samples; expected 32- or 16-bit floating point")
            }
            guard bits == 32 || bits == 16 else {
                throw ImageError.unsupported(path, detail: "TIFF holds \(bits)-bit floating point samples; expected 32 or 16")
            }
        }
        return (values, header.height, header.width)
    }
}

/// Reads TIFF images: gray (min-is-black or min-is-white) or RGB, with or
/// without an alpha sample (dropped); 8- or 16-bit unsigned integers
/// (`maxValue` 255 or 65535) or 32/16-bit floating point (taken to lie in
/// 0…1, `maxValue` 1). The Orientation tag (274) is applied as a JPEG's Exif
/// orientation is.
public enum TIFFImage {
    public static func read(path: String) throws -> RasterImage {
        let (header, raw) = try TIFFFile.read(path: path) { header in
            let bits = header.bitsPerSample
            let integer = header.sampleFormat == Int(SAMPLEFORMAT_UINT) && (bits == 8 || bits == 16)
            let float = header.isFloat && (bits == 32 || bits == 16)
            guard integer || float else {
                let kind = header.isFloat ? "floating point" : header.sampleFormat == Int(SAMPLEFORMAT_INT) ? "signed integer" : "integer"
                throw ImageError.unsupported(path, detail: "TIFF holds \(bits)-bit \(kind) samples; expected 8/16-bit unsigned or 32-bit float — convert the image")
            }
            switch (header.photometric, header.samplesPerPixel) {
            case (Int(PHOTOMETRIC_MINISBLACK), 1...2), (Int(PHOTOMETRIC_MINISWHITE), 1...2), (-1, 1...2),
                 (Int(PHOTOMETRIC_RGB), 3...4):
                break
            default:
                throw ImageError.unsupported(path, detail: "TIFF holds \(header.samplesPerPixel) samples per pixel with photometric "
                                 + "interpretation \(header.photometric) (palette, CMYK, YCbCr, ...); convert to RGB or gray")
            }
        }
        let spp = header.samplesPerPixel
        let channels = spp >= 3 ? 3 : 1
        let maxValue: Float = header.isFloat ? 1 : header.bitsPerSample == 16 ? 65535 : 255
        let n = header.width * header.height
        var samples: [Float]
        if spp == channels {
            samples = raw
        } else {
            samples = [Float](repeating: 0, count: n * channels)
            for i in 0..<n { for c in 0..<channels { samples[i * channels + c] = raw[i * spp + c] } }
        }
        if header.photometric == Int(PHOTOMETRIC_MINISWHITE) {
            for i in samples.indices { samples[i] = maxValue - samples[i] }
        }
        let oriented = ExifOrientation.apply(header.orientation, samples, width: header.width, height: header.height,
                                             channels: channels)
        return RasterImage(width: oriented.width, height: oriented.height, channels: channels, maxValue: maxValue,
                           samples: oriented.samples)
    }
}

extension TIFFFile {
    /// The first directory's header only (`ImageFile.header`): `read` stops
    /// right after its tags, before anything of the declared size exists.
    static func header(path: String) throws -> Header {
        struct Stop: Error { let header: Header }
        do {
            _ = try read(path: path) { throw Stop(header: $0) }
        } catch let stop as Stop {
            return stop.header
        }
        preconditionFailure("TIFFFile.read returned without checking the header")
    }
}
