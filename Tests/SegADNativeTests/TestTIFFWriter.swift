import Foundation

/// A minimal little-endian TIFF writer for test fixtures: one directory, one
/// strip, entries given as (tag, type, values). Written by hand (not through
/// libtiff) so tests can also declare sizes the data does not hold.
enum TestTIFF {
    static let short: UInt16 = 3, long: UInt16 = 4

    /// `entries` as (tag, type, values); StripOffsets (273) is filled in to
    /// point at `data`, which follows the directory.
    static func bytes(entries: [(UInt16, UInt16, [UInt32])], data: [UInt8]) -> [UInt8] {
        let sorted = entries.sorted { $0.0 < $1.0 }
        let ifdSize = 2 + 12 * sorted.count + 4
        var extra: [UInt8] = []
        let extraStart = 8 + ifdSize
        var out: [UInt8] = [0x49, 0x49, 42, 0]
        func u16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func u32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) } }
        out += u32(8)
        // The data offset depends on the extra area's size: count it first.
        var extraSize = 0
        for (_, type, values) in sorted {
            let size = (type == short ? 2 : 4) * values.count
            if size > 4 { extraSize += size + size % 2 }
        }
        let dataStart = UInt32(extraStart + extraSize)
        out += u16(UInt16(sorted.count))
        for (tag, type, var values) in sorted {
            if tag == 273 { values = [dataStart] }
            let packed: [UInt8] = values.flatMap { type == short ? u16(UInt16($0)) : u32($0) }
            out += u16(tag) + u16(type) + u32(UInt32(values.count))
            if packed.count <= 4 {
                out += packed + [UInt8](repeating: 0, count: 4 - packed.count)
            } else {
                out += u32(UInt32(extraStart + extra.count))
                extra += packed
                if packed.count % 2 == 1 { extra.append(0) }
            }
        }
        out += u32(0)
        return out + extra + data
    }

    /// An uncompressed image: `bits` 8/16 (unsigned) or 32 (float when
    /// `float`), samples interleaved, host (little-endian) order.
    static func image(width: Int, height: Int, samplesPerPixel spp: Int, bits: Int, float: Bool = false,
                      photometric: UInt32? = nil, planar: UInt32 = 1, compression: UInt32 = 1,
                      declaredWidth: Int? = nil, declaredHeight: Int? = nil,
                      extra: [(UInt16, UInt16, [UInt32])] = [], data: [UInt8]) -> [UInt8] {
        let photo = photometric ?? (spp >= 3 ? 2 : 1)
        var entries: [(UInt16, UInt16, [UInt32])] = [
            (256, long, [UInt32(declaredWidth ?? width)]),
            (257, long, [UInt32(declaredHeight ?? height)]),
            (258, short, [UInt32](repeating: UInt32(bits), count: spp)),
            (259, short, [compression]),
            (262, short, [photo]),
            (273, long, [0]),
            (277, short, [UInt32(spp)]),
            (278, long, [UInt32(declaredHeight ?? height)]),
            (279, long, [UInt32(data.count)]),
            (284, short, [planar]),
            (339, short, [UInt32](repeating: float ? 3 : 1, count: spp)),
        ]
        if spp == 2 || spp == 4 { entries.append((338, short, [2])) }  // ExtraSamples: unassociated alpha
        return bytes(entries: entries + extra, data: data)
    }

    static func littleEndian(_ values: [UInt16]) -> [UInt8] { values.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] } }
    static func littleEndian(_ values: [Float]) -> [UInt8] {
        values.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v.bitPattern >> (8 * UInt32($0))) } }
    }
}
