// SHA-256 (FIPS 180-4): the artifacts record the hash of every input, and a
// stage refuses inputs whose recorded hashes do not match. Whole blocks go
// through the x86 SHA extensions (CSHA256) when the CPU has them, else
// through the pure-Swift block function below.

import CSHA256
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Incremental SHA-256 (FIPS 180-4, section 6.2).
///
///     var h = SHA256()
///     bytes.withUnsafeBytes { h.update($0) }
///     let digest = h.finalize()          // 32 bytes
///     SHA256.hex(of: digest)             // 64 lowercase hex digits
///
/// - Complexity: O(n) in the bytes hashed; no allocation per update.
public struct SHA256: Sendable {
    /// Hash state H0…H7.
    private var h0: UInt32 = 0x6a09_e667, h1: UInt32 = 0xbb67_ae85
    private var h2: UInt32 = 0x3c6e_f372, h3: UInt32 = 0xa54f_f53a
    private var h4: UInt32 = 0x510e_527f, h5: UInt32 = 0x9b05_688c
    private var h6: UInt32 = 0x1f83_d9ab, h7: UInt32 = 0x5be0_cd19
    /// A partial block (up to 63 bytes) waiting for more input.
    private var buffer: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
        (0, 0, 0, 0, 0, 0, 0, 0)
    private var buffered = 0
    /// Total message length in bytes.
    private var length: UInt64 = 0

    /// Which block function `update` uses.
    public enum Implementation: Sendable {
        /// The SHA-NI block function when the CPU supports it, else `software`.
        case automatic
        /// The pure-Swift block function (the fallback; kept for tests).
        case software
    }

    /// Whether this CPU has the SHA extensions that `.automatic` uses.
    public static let hardwareAvailable: Bool = segad_sha256_ni_available() != 0

    /// True when whole blocks go through `segad_sha256_ni_blocks`.
    private let useHardware: Bool

    public init() { useHardware = Self.hardwareAvailable }

    /// A hasher using the given block function; digests do not depend on it.
    public init(implementation: Implementation) {
        useHardware = implementation == .automatic && Self.hardwareAvailable
    }

    /// Feeds bytes into the hash.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var p = bytes.baseAddress, bytes.count > 0 else { return }
        var remaining = bytes.count
        length &+= UInt64(remaining)
        if buffered > 0 {
            let take = min(64 - buffered, remaining)
            let start = buffered
            withUnsafeMutableBytes(of: &buffer) { b in
                (b.baseAddress! + start).copyMemory(from: p, byteCount: take)
            }
            buffered += take
            p += take
            remaining -= take
            if buffered < 64 { return }
            var block = buffer
            withUnsafeBytes(of: &block) { compress(blocks: $0.baseAddress!, count: 1) }
            buffered = 0
        }
        let whole = remaining / 64
        if whole > 0 {
            compress(blocks: p, count: whole)
            p += whole * 64
            remaining -= whole * 64
        }
        if remaining > 0 {
            let rest = remaining
            withUnsafeMutableBytes(of: &buffer) { b in
                b.baseAddress!.copyMemory(from: p, byteCount: rest)
            }
            buffered = rest
        }
    }

    /// Feeds bytes into the hash.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Pads the message (a 1 bit, zeros, the 64-bit big-endian bit length)
    /// and returns the 32-byte digest. The hasher must not be updated after.
    public mutating func finalize() -> [UInt8] {
        let bitLength = length &* 8
        var pad = [UInt8](repeating: 0, count: 72)
        pad[0] = 0x80
        // Bytes of padding so that (length + padLength) ≡ 56 (mod 64).
        let padLength = buffered < 56 ? 56 - buffered : 120 - buffered
        for i in 0..<8 { pad[padLength + i] = UInt8(truncatingIfNeeded: bitLength >> (56 - 8 * UInt64(i))) }
        pad.withUnsafeBytes { update(UnsafeRawBufferPointer(rebasing: $0[0..<(padLength + 8)])) }
        assert(buffered == 0)
        var out = [UInt8]()
        out.reserveCapacity(32)
        for word in [h0, h1, h2, h3, h4, h5, h6, h7] {
            out.append(UInt8(truncatingIfNeeded: word >> 24))
            out.append(UInt8(truncatingIfNeeded: word >> 16))
            out.append(UInt8(truncatingIfNeeded: word >> 8))
            out.append(UInt8(truncatingIfNeeded: word))
        }
        return out
    }

    /// Lowercase hexadecimal of bytes, two digits per byte.
    public static func hex(of data: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var chars = [UInt8]()
        chars.reserveCapacity(data.count * 2)
        for b in data {
            chars.append(digits[Int(b >> 4)])
            chars.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: chars, as: UTF8.self)
    }

    /// The hex SHA-256 of a file's contents, read in 1 MiB blocks.
    /// Throws `InputError(path, "no such file")` when it does not exist, and
    /// an `InputError` with the system's message for any other failure.
    public static func hexOfFile(atPath path: String) throws -> String {
        guard let file = fopen(path, "rb") else {
            let code = errno
            if code == ENOENT { throw InputError(path, "no such file") }
            throw InputError(path, "cannot open: " + String(cString: strerror(code)))
        }
        defer { fclose(file) }
        let blockSize = 1 << 20
        let block = UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: 64)
        defer { block.deallocate() }
        var hasher = SHA256()
        while true {
            let got = fread(block, 1, blockSize, file)
            if got > 0 { hasher.update(UnsafeRawBufferPointer(start: block, count: got)) }
            if got < blockSize {
                if ferror(file) != 0 {
                    throw InputError(path, "read failed: " + String(cString: strerror(errno)))
                }
                break
            }
        }
        return hex(of: hasher.finalize())
    }

    // MARK: - Compression function

    private static let k: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    @inline(__always)
    private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

    /// One SHA-256 round, written so that eight calls with rotated argument
    /// lists replace the eight-variable shuffle (no register moves):
    /// T1 = h + Σ1(e) + Ch(e,f,g) + K[t] + W[t]; d += T1; h = T1 + Σ0(a) + Maj(a,b,c).
    @inline(__always)
    private static func round(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32,
                              _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32,
                              _ kw: UInt32) {
        let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
        let ch = g ^ (e & (f ^ g))
        let t1 = h &+ s1 &+ ch &+ kw
        let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
        let maj = (a & b) | (c & (a | b))
        d = d &+ t1
        h = t1 &+ s0 &+ maj
    }

    /// Processes `count` consecutive 64-byte blocks starting at `p`.
    private mutating func compress(blocks p: UnsafeRawPointer, count: Int) {
        if useHardware {
            var state = (h0, h1, h2, h3, h4, h5, h6, h7)
            withUnsafeMutableBytes(of: &state) { s in
                segad_sha256_ni_blocks(s.baseAddress!.assumingMemoryBound(to: UInt32.self),
                                       p.assumingMemoryBound(to: UInt8.self), count)
            }
            (h0, h1, h2, h3, h4, h5, h6, h7) = state
        } else {
            compressSoftware(blocks: p, count: count)
        }
    }

    /// The pure-Swift block function: `count` 64-byte blocks at `p`.
    private mutating func compressSoftware(blocks p: UnsafeRawPointer, count: Int) {
        var a0 = h0, b0 = h1, c0 = h2, d0 = h3, e0 = h4, f0 = h5, g0 = h6, hh0 = h7
        Self.k.withUnsafeBufferPointer { kb in
            let k = kb.baseAddress!
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { wb in
                let w = wb.baseAddress!
                for blk in 0..<count {
                    let base = p + blk &* 64
                    for t in 0..<16 {
                        w[t] = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: t &* 4, as: UInt32.self))
                    }
                    for t in 16..<64 {
                        let x = w[t &- 15], y = w[t &- 2]
                        let s0 = Self.rotr(x, 7) ^ Self.rotr(x, 18) ^ (x >> 3)
                        let s1 = Self.rotr(y, 17) ^ Self.rotr(y, 19) ^ (y >> 10)
                        w[t] = w[t &- 16] &+ s0 &+ w[t &- 7] &+ s1
                    }
                    var a = a0, b = b0, c = c0, d = d0, e = e0, f = f0, g = g0, h = hh0
                    var t = 0
                    while t < 64 {
                        Self.round(a, b, c, &d, e, f, g, &h, k[t] &+ w[t])
                        Self.round(h, a, b, &c, d, e, f, &g, k[t &+ 1] &+ w[t &+ 1])
                        Self.round(g, h, a, &b, c, d, e, &f, k[t &+ 2] &+ w[t &+ 2])
                        Self.round(f, g, h, &a, b, c, d, &e, k[t &+ 3] &+ w[t &+ 3])
                        Self.round(e, f, g, &h, a, b, c, &d, k[t &+ 4] &+ w[t &+ 4])
                        Self.round(d, e, f, &g, h, a, b, &c, k[t &+ 5] &+ w[t &+ 5])
                        Self.round(c, d, e, &f, g, h, a, &b, k[t &+ 6] &+ w[t &+ 6])
                        Self.round(b, c, d, &e, f, g, h, &a, k[t &+ 7] &+ w[t &+ 7])
                        t &+= 8
                    }
                    a0 = a0 &+ a; b0 = b0 &+ b; c0 = c0 &+ c; d0 = d0 &+ d
                    e0 = e0 &+ e; f0 = f0 &+ f; g0 = g0 &+ g; hh0 = hh0 &+ h
                }
            }
        }
        h0 = a0; h1 = b0; h2 = c0; h3 = d0; h4 = e0; h5 = f0; h6 = g0; h7 = hh0
    }
}
