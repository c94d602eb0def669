#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What an image file declares before any pixel is decoded.
public struct ImageHeader: Sendable, Equatable {
    public var format: ImageFile.Format
    /// As stored (before the Exif orientation is applied).
    public var width: Int
    public var height: Int
    /// Samples per pixel as stored: PNG 1–4 (a palette counts 3), JPEG's
    /// component count, TIFF's SamplesPerPixel.
    public var samplesPerPixel: Int

    /// The bytes a decode of this image holds at its peak, roughly: the
    /// library's buffer, the samples and their oriented copy — 12 bytes a
    /// stored sample bounds all three readers (`DecodeBudget`).
    public var decodeBytes: Int {
        let (pixels, o1) = width.multipliedReportingOverflow(by: height)
        let (samples, o2) = pixels.multipliedReportingOverflow(by: max(1, samplesPerPixel) * 12)
        return o1 || o2 ? Int.max / 2 : samples
    }
}

extension ImageFile {
    /// The header of the image at `path`, read from a few bytes (PNG's
    /// IHDR, JPEG's frame header, TIFF's first directory through libtiff);
    /// nothing of the declared size is allocated. Refuses, as `read` does,
    /// a special file, a folder, an empty file or one that is not PNG, JPEG
    /// or TIFF; a header it cannot parse is `ImageError.unreadable`.
    public static func header(path: String) throws -> ImageHeader {
        let fd = try openRegular(path)
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { throw ImageError.isFolder(path) }
        var source = ByteSource(fd: fd)
        let head = (0..<8).compactMap { source.byte(at: $0) }
        guard !head.isEmpty else { throw ImageError.emptyFile(path) }
        guard let format = format(of: head) else { throw ImageError.notAnImage(path) }
        switch format {
        case .png:
            // Signature, then the IHDR chunk: length 13, "IHDR", width, height, depth, color type.
            let b = (8..<26).compactMap { source.byte(at: $0) }
            guard b.count == 18, Array(b[0..<8]) == [0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52] else {
                throw ImageError.unreadable(path, detail: "not a readable PNG (no IHDR chunk first)")
            }
            func u32(_ i: Int) -> Int { Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3]) }
            let channels: Int
            switch b[17] {
            case 0: channels = 1
            case 4: channels = 2
            case 2, 3: channels = 3
            default: channels = 4
            }
            return ImageHeader(format: .png, width: u32(8), height: u32(12), samplesPerPixel: channels)
        case .jpeg:
            return try jpegHeader(&source, path: path)
        case .tiff:
            let h = try TIFFFile.header(path: path)
            return ImageHeader(format: .tiff, width: h.width, height: h.height, samplesPerPixel: h.samplesPerPixel)
        }
    }

    /// Everything `read` would refuse from the header alone: `header`, the
    /// declared size against `ImageLimits` (the pixel limit) and `minSide`
    /// (docs/reliability.md, "Files, outputs and CSV cells"). What the
    /// score-new pre-pass checks for every image before scoring one.
    @discardableResult
    public static func check(path: String, minSide: Int = ImageLimits.minSide) throws -> ImageHeader {
        let h = try header(path: path)
        if let error = ImageLimits.error(path: path, width: h.width, height: h.height, format: h.format.rawValue) {
            throw error
        }
        guard h.width >= minSide, h.height >= minSide else {
            throw ImageError.tooSmall(path, height: h.height, width: h.width, minSide: minSide)
        }
        return h
    }

    /// The pre-pass of a run over many images (score-new): whether `read`
    /// would refuse the file, found in milliseconds for a sound file — the
    /// header (`check`) and the file's end (PNG's IEND chunk, JPEG's EOI
    /// marker; a file cut short lacks them). Only a file failing these is
    /// decoded, so the fault is the decoder's own line, and a file the
    /// decoder accepts (trailing bytes after EOI) is never refused here.
    /// Damage inside otherwise whole data is found only by decoding.
    public static func precheck(path: String, minSide: Int = ImageLimits.minSide) throws {
        if let h = try? check(path: path, minSide: minSide), endsWhole(path: path, format: h.format) { return }
        _ = try read(path: path, minSide: minSide)
    }

    /// Whether the file ends as a whole file of `format` does.
    static func endsWhole(path: String, format: Format) -> Bool {
        guard let fd = try? RegularFile.open(path) else { return false }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return false }
        let size = Int(info.st_size)
        let tail: [UInt8]
        switch format {
        case .png: tail = [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]  // IEND, its CRC
        case .jpeg: tail = [0xFF, 0xD9]
        case .tiff: return true  // offsets anywhere in the file; libtiff checks as it reads
        }
        guard size >= tail.count else { return false }
        var bytes = [UInt8](repeating: 0, count: tail.count)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, tail.count, off_t(size - tail.count)) }
        return n == tail.count && bytes == tail
    }

    /// Walks the markers after SOI as libjpeg does (bytes before a marker
    /// are skipped, fill bytes `FF` too) up to the frame header (SOF0–15,
    /// not DHT/JPG/DAC): precision, height, width, components.
    static func jpegHeader(_ source: inout ByteSource, path: String) throws -> ImageHeader {
        func noFrame(_ why: String) -> ImageError {
            .unreadable(path, detail: "not a readable JPEG (\(why))")
        }
        var pos = 2
        while true {
            // next_marker: skip to an FF, skip fill FFs; FF 00 is not a marker.
            var marker: UInt8 = 0
            while marker == 0 {
                while true {
                    guard let c = source.byte(at: pos) else { throw noFrame("no frame header before the end of the file") }
                    pos += 1
                    if c == 0xFF { break }
                }
                while true {
                    guard let c = source.byte(at: pos) else { throw noFrame("no frame header before the end of the file") }
                    pos += 1
                    if c != 0xFF { marker = c; break }
                }
            }
            switch marker {
            case 0x01, 0xD0...0xD7: continue  // standalone markers
            case 0xD8: throw noFrame("two SOI markers")
            case 0xD9, 0xDA: throw noFrame("no frame header before the scan data")
            default: break
            }
            guard let l0 = source.byte(at: pos), let l1 = source.byte(at: pos + 1) else {
                throw noFrame("no frame header before the end of the file")
            }
            let length = Int(l0) << 8 | Int(l1)
            guard length >= 2 else { throw noFrame("a marker segment of length \(length)") }
            if (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker) {
                let f = (2..<8).compactMap { source.byte(at: pos + $0) }
                guard f.count == 6, length >= 8 else { throw noFrame("a frame header cut short") }
                return ImageHeader(format: .jpeg, width: Int(f[3]) << 8 | Int(f[4]), height: Int(f[1]) << 8 | Int(f[2]),
                                   samplesPerPixel: Int(f[5]))
            }
            pos += length
        }
    }
}

/// Reads single bytes of a file through a 4 KiB window (`pread`), for the
/// header parsers.
struct ByteSource {
    let fd: Int32
    private var window: [UInt8] = []
    private var start = 0

    init(fd: Int32) { self.fd = fd }

    mutating func byte(at offset: Int) -> UInt8? {
        if offset < start || offset >= start + window.count {
            let size = 1 << 12
            var buffer = [UInt8](repeating: 0, count: size)
            var n = 0
            repeat {
                n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, size, off_t(offset)) }
            } while n < 0 && errno == EINTR
            guard n > 0 else { return nil }
            window = Array(buffer[0..<n])
            start = offset
        }
        return window[offset - start]
    }
}
