// SHA-256 (FIPS 180-4): the artifacts record the hash of every input, and a
// stage refuses inputs whose recorded hashes do not match. The hashing is
// libcrypto's (OpenSSL's EVP digest API), which uses the x86 SHA extensions
// when the CPU has them.

internal import CCrypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Incremental SHA-256 over libcrypto's EVP digest context.
///
///     var h = SHA256()
///     bytes.withUnsafeBytes { h.update($0) }
///     let digest = h.finalize()          // 32 bytes
///     SHA256.hex(of: digest)             // 64 lowercase hex digits
///
/// The hasher owns its context (non-copyable), so it is freed exactly once.
/// - Complexity: O(n) in the bytes hashed; no allocation per update.
public struct SHA256: ~Copyable {
    private let context: OpaquePointer

    public init() {
        guard let context = EVP_MD_CTX_new() else { fatalError("libcrypto: EVP_MD_CTX_new failed (out of memory)") }
        self.context = context
        Self.check(EVP_DigestInit_ex(context, EVP_sha256(), nil), "EVP_DigestInit_ex")
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Feeds bytes into the hash.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let p = bytes.baseAddress, bytes.count > 0 else { return }
        Self.check(EVP_DigestUpdate(context, p, bytes.count), "EVP_DigestUpdate")
    }

    /// Feeds bytes into the hash.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The 32-byte digest. The hasher must not be updated after.
    public mutating func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(segad_sha256_digest_length()))
        var written: UInt32 = 0
        out.withUnsafeMutableBufferPointer { Self.check(EVP_DigestFinal_ex(context, $0.baseAddress, &written), "EVP_DigestFinal_ex") }
        precondition(written == 32, "libcrypto: SHA-256 gave \(written) bytes")
        return out
    }

    /// libcrypto's digest calls fail only when it cannot allocate; that ends the process.
    private static func check(_ status: Int32, _ call: StaticString) {
        if status != 1 { fatalError("libcrypto: \(call) failed") }
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
    /// Throws `FileReadError.noSuchFile(path)` when it does not exist, and
    /// `.cannotOpen` / `.readFailed` with the system's message otherwise.
    public static func hexOfFile(atPath path: String) throws -> String {
        let fd = try RegularFile.open(path)  // a FIFO would block; a device never ends
        guard let file = fdopen(fd, "rb") else {
            let code = errno
            close(fd)
            throw FileReadError.cannotOpen(path, reason: String(cString: strerror(code)))
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
                    throw FileReadError.readFailed(path, reason: String(cString: strerror(errno)))
                }
                break
            }
        }
        return hex(of: hasher.finalize())
    }
}
