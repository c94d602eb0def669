/// A bounds-checked little-endian cursor over bytes. Every read either
/// succeeds inside the buffer or throws `ByteReader.Truncated`, so a damaged
/// file can never make a reader run past its end or allocate what it declares.
struct ByteReader {
    struct Truncated: Error {}

    let bytes: [UInt8]
    var position: Int
    let end: Int

    init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.position = start
        self.end = min(end ?? bytes.count, bytes.count)
    }

    var remaining: Int { end - position }
    var atEnd: Bool { position >= end }

    mutating func u8() throws -> UInt8 {
        guard position < end else { throw Truncated() }
        defer { position += 1 }
        return bytes[position]
    }

    /// An unsigned little-endian integer of `width` bytes (1…8).
    mutating func uint(_ width: Int) throws -> UInt64 {
        guard width >= 0, remaining >= width else { throw Truncated() }
        var v: UInt64 = 0
        for i in 0..<width { v |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
        position += width
        return v
    }

    mutating func u16() throws -> Int { Int(try uint(2)) }
    mutating func u32() throws -> Int { Int(try uint(4)) }
    mutating func i32() throws -> Int { Int(Int32(truncatingIfNeeded: try uint(4))) }
    mutating func u64() throws -> UInt64 { try uint(8) }

    /// `count` bytes; throws before allocating when fewer remain.
    mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, remaining >= count else { throw Truncated() }
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    mutating func skip(_ count: Int) throws {
        guard count >= 0, remaining >= count else { throw Truncated() }
        position += count
    }

    /// Bytes up to (not including) the next `\n`, which is consumed.
    mutating func line() throws -> ArraySlice<UInt8> {
        var i = position
        while i < end && bytes[i] != 0x0A { i += 1 }
        guard i < end else { throw Truncated() }
        defer { position = i + 1 }
        return bytes[position..<i]
    }
}
