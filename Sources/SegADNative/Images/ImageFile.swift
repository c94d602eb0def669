#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one entry point for reading images (not label maps): PNG, JPEG or
/// TIFF, told apart by the file's first bytes — the PNG signature, JPEG's
/// SOI marker `FF D8 FF`, TIFF's `II*\0` / `MM\0*` (BigTIFF `II+\0` /
/// `MM\0+`) — never by the file name's extension.
///
/// What comes out: 1 channel for gray files (alpha dropped), 3 for color;
/// samples on the file's scale with `maxValue` full white (PNG 2^depth − 1,
/// so a 1-bit PNG is 0/1 with maxValue 1; JPEG 255; TIFF 255, 65535 or 1
/// for float). The Exif orientation is applied — JPEG's (APP1), PNG's
/// (`eXIf` chunk) and TIFF's Orientation tag — as PIL's
/// `ImageOps.exif_transpose` does, so the image comes out as a viewer shows
/// it (PNG orientation given only in text chunks or XMP, which PIL also
/// reads, is not). Every reader checks the
/// declared size against `ImageLimits` before allocating; an image smaller
/// than `minSide` a side is refused here (the detectors need a few pixels).
public enum ImageFile {
    public enum Format: String, Sendable { case png = "PNG", jpeg = "JPEG", tiff = "TIFF" }

    public static let notAnImage = "not an image (PNG, JPEG or TIFF expected)"

    /// The format by the file's first bytes, or nil.
    public static func format(of head: [UInt8]) -> Format? {
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if head.starts(with: [0x49, 0x49, 0x2A, 0x00]) || head.starts(with: [0x4D, 0x4D, 0x00, 0x2A])
            || head.starts(with: [0x49, 0x49, 0x2B, 0x00]) || head.starts(with: [0x4D, 0x4D, 0x00, 0x2B]) {
            return .tiff
        }
        return nil
    }

    /// The format of the file at `path` (read from its first 8 bytes).
    public static func format(path: String) throws -> Format {
        let fd = try openRegular(path)
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw ImageError.isFolder(path)
        }
        var head = [UInt8](repeating: 0, count: 8)
        #if canImport(Glibc)
        let n = head.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, 8) }
        #else
        let n = head.withUnsafeMutableBytes { Darwin.read(fd, $0.baseAddress, 8) }
        #endif
        guard n > 0 else { throw n == 0 ? ImageError.emptyFile(path) : ImageError.notAnImage(path) }
        guard let format = format(of: Array(head.prefix(n))) else { throw ImageError.notAnImage(path) }
        return format
    }

    /// `RegularFile.open` with its open failures as `ImageError.cannotOpen`
    /// (a special file stays `FileReadError.notRegular`).
    static func openRegular(_ path: String) throws -> Int32 {
        do { return try RegularFile.open(path) } catch let e as FileReadError {
            switch e {
            case .noSuchFile: throw ImageError.cannotOpen(path, reason: String(cString: strerror(ENOENT)))
            case .cannotOpen(_, let reason), .readFailed(_, let reason): throw ImageError.cannotOpen(path, reason: reason)
            case .notRegular: throw e
            }
        }
    }

    /// Reads the image at `path`; refuses one with a side below `minSide`.
    ///
    /// The header is read first: its declared size is checked against the
    /// pixel limit (`ImageLimits.maxPixels`) and charged to `budget` for the
    /// length of the decode, so concurrent decodes stay within it
    /// (docs/reliability.md, "Files, outputs and CSV cells"). A header the
    /// parser cannot read is left to the decoder, whose message names the fault.
    public static func read(path: String, minSide: Int = ImageLimits.minSide,
                            budget: DecodeBudget = .shared) throws -> RasterImage {
        let format = try format(path: path)
        var cost = 0
        if let h = try? header(path: path) {
            if let error = ImageLimits.error(path: path, width: h.width, height: h.height, format: h.format.rawValue) {
                throw error
            }
            cost = h.decodeBytes
        }
        let image = try budget.withBytes(cost) { try decode(path: path, format: format) }
        guard image.width >= minSide, image.height >= minSide else {
            throw ImageError.tooSmall(path, height: image.height, width: image.width, minSide: minSide)
        }
        return image
    }

    static func decode(path: String, format: Format) throws -> RasterImage {
        let image: RasterImage
        switch format {
        case .png:
            let png = try PNG.read(path: path)
            let channels = png.channels >= 3 ? 3 : 1
            let n = png.width * png.height
            var samples = [Float](repeating: 0, count: n * channels)
            png.samples.withUnsafeBufferPointer { s in
                for i in 0..<n { for c in 0..<channels { samples[i * channels + c] = Float(s[i * png.channels + c]) } }
            }
            image = ExifOrientation.apply(png.exifOrientation,
                                          to: RasterImage(width: png.width, height: png.height, channels: channels,
                                                          maxValue: Float(png.maxValue), samples: samples))
        case .jpeg:
            image = try JPEG.read(path: path)
        case .tiff:
            image = try TIFFImage.read(path: path)
        }
        return image
    }
}
