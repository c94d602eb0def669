/// The Exif orientation (TIFF tag 0x0112 in IFD0 of an Exif block) and the
/// pixel transform it asks for — the one routine for every format that
/// carries it: a JPEG's APP1 `Exif\0\0` segment, a PNG's `eXIf` chunk (the
/// same TIFF-structured block without the `Exif\0\0` prefix); TIFF files
/// carry the tag in their own first directory (`TIFFImage`).
///
/// 1 as stored; 2 mirrored left–right; 3 rotated 180°; 4 mirrored top–bottom;
/// 5 transposed (rows become columns); 6 to be rotated 90° clockwise;
/// 7 transversed; 8 to be rotated 90° counter-clockwise — the transforms of
/// PIL's `ImageOps.exif_transpose`.
public enum ExifOrientation {
    /// The orientation in a TIFF-structured Exif block (starting with the
    /// byte order `II` or `MM`, as a PNG's `eXIf` chunk does), or 1 when there
    /// is none, the block is malformed, or the value is not 1…8. Every offset
    /// is checked against the block's length.
    public static func parse(tiff b: UnsafeBufferPointer<UInt8>) -> Int {
        guard b.count >= 8 else { return 1 }
        let little: Bool
        switch (b[0], b[1]) {
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
        guard u16(2) == 42, let ifd = u32(4), ifd >= 8, ifd <= b.count, let entries = u16(ifd) else { return 1 }
        for k in 0..<entries {
            let e = ifd + 2 + 12 * k
            guard e + 12 <= b.count, let tag = u16(e), let type = u16(e + 2), let count = u32(e + 4) else { return 1 }
            guard tag == 0x0112 else { continue }
            guard type == 3, count == 1, let value = u16(e + 8), (1...8).contains(value) else { return 1 }
            return value
        }
        return 1
    }

    public static func parse(tiff: [UInt8]) -> Int { tiff.withUnsafeBufferPointer { parse(tiff: $0) } }

    /// The orientation in an Exif block as a file carries it — a JPEG's APP1
    /// payload (`Exif\0\0` then the TIFF-structured block), a PNG's `eXIf`
    /// chunk (the TIFF-structured block alone, or, from some writers, with
    /// the `Exif\0\0` prefix too): up to two leading `Exif\0\0` are skipped,
    /// as Pillow's `Image.Exif.load` does, then `parse(tiff:)`.
    public static func parse(_ block: UnsafeBufferPointer<UInt8>) -> Int {
        var b = block
        for _ in 0..<2 {
            guard b.count >= 6, b[0] == 0x45, b[1] == 0x78, b[2] == 0x69, b[3] == 0x66, b[4] == 0, b[5] == 0 else { break }
            b = UnsafeBufferPointer(rebasing: b[6...])
        }
        return parse(tiff: b)
    }

    public static func parse(_ block: [UInt8]) -> Int { block.withUnsafeBufferPointer { parse($0) } }

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

    /// `image` as a viewer shows it under orientation `o`.
    public static func apply(_ o: Int, to image: RasterImage) -> RasterImage {
        guard o >= 2, o <= 8 else { return image }
        let r = apply(o, image.samples, width: image.width, height: image.height, channels: image.channels)
        return RasterImage(width: r.width, height: r.height, channels: image.channels, maxValue: image.maxValue,
                           samples: r.samples)
    }
}
