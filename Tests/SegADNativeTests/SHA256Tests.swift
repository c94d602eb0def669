// Expected digests made with Python's hashlib:
//   import hashlib
//   for n in sizes: hashlib.sha256(bytes(((i*31+7)&0xff) for i in range(n))).hexdigest()
// Sizes straddle the padding boundaries (55/56/57, 63/64/65, 119/120) and
// one case exceeds the 1 MiB file-reading block. The hashing is libcrypto's;
// these tests pin the wrapper: padding boundaries, incremental updates, files.
import Foundation
import XCTest
import SegADNative
import _TestSupport

final class SHA256Tests: XCTestCase {
    static let expected: [(Int, String)] = [
        (0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        (1, "ca358758f6d27e6cf45272937977a748fd88391db679ceda7dc7bf1f005ee879"),
        (3, "647674a296197442f518bcca323ec605dd8d098b2d4f22ee1fdcdd2bb753a189"),
        (55, "8aa994584139d128848eeebc4e815639ba5ab6e6e39574195a63ac4f14f7c43b"),
        (56, "ad574708f75c044c9b85de64cb568ee7711ff4f36448c6242f053ba8f6cc2b63"),
        (57, "5b46e502092be01b1100193e089fdda95638c12e19a1d24f308eb2c3d3ae849d"),
        (63, "280ed3e8ff1df845b2e7dfe6ac6cee817bef20e783cc65abc41b818b4d2fe076"),
        (64, "c6ab9724ade5b6a7a1edfffb12f3aa9181351355af8fd08c919952ad211339dd"),
        (65, "788367c73c7ddf4c53f65e68cc0d943e6227ab55b0e78ba63ace822b1c6301c0"),
        (119, "3d610547d68216dedf7435a4fb6260353911f6b3fd3f18805ddb8be285d726fe"),
        (120, "1f80156a804cb7862ad113e8200e9d74499723e7c7854d5f48776d3148e09656"),
        (127, "192409cd280e14b743642ad1343fbd3e82d9305de72c078117745a679210cc3d"),
        (128, "cc548ca2dec1f6fe4f58b2e27aa9c7521607df1130d140b55a4dad0665302356"),
        (129, "81e89a7b2911aaa7795f9e3d4910cb47d6cd2b00d83b8399481527261a1a7519"),
        (1000, "5097e7d587352f5097062ae679f37bda5802d9f875aba14c8cb4d1a188ada179"),
        ((1 << 20) + 17, "4127c61cb879e78b603e0b3e807c6a4127b1ec5a56630c8fb6a279043649e99a"),
    ]

    static func message(_ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) } }

    func testDigests() {
        for (n, hex) in Self.expected {
            var h = SHA256()
            h.update(Self.message(n))
            XCTAssertEqual(SHA256.hex(of: h.finalize()), hex, "size \(n)")
        }
        var abc = SHA256()
        abc.update(Array("abc".utf8))
        XCTAssertEqual(SHA256.hex(of: abc.finalize()),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    /// Any split of the input into updates gives the same digest.
    func testIncrementalUpdates() {
        let msg = Self.message(1000)
        for chunk in [1, 7, 55, 63, 64, 65, 333] {
            var h = SHA256()
            var i = 0
            while i < msg.count {
                let j = min(i + chunk, msg.count)
                h.update(Array(msg[i..<j]))
                i = j
            }
            XCTAssertEqual(SHA256.hex(of: h.finalize()), "5097e7d587352f5097062ae679f37bda5802d9f875aba14c8cb4d1a188ada179", "chunk \(chunk)")
        }
    }

    /// Random splits into updates, at unaligned addresses, give the digest of
    /// the bytes in one update, for every block count 0…80 (with 0…63
    /// trailing bytes).
    func testSplitsAgreeOnRandomData() {
        var rng = SplitMix64(seed: 0x5e9a_d256)
        let data = (0..<(64 * 81 + 8)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        func digest(_ bytes: ArraySlice<UInt8>, splits: [Int] = []) -> String {
            var h = SHA256()
            bytes.withUnsafeBytes { buf in
                var start = 0
                for cut in splits + [buf.count] where cut >= start {
                    h.update(UnsafeRawBufferPointer(rebasing: buf[start..<cut]))
                    start = cut
                }
            }
            return SHA256.hex(of: h.finalize())
        }
        for blocks in 0...80 {
            let n = blocks * 64 + Int(rng.next() % 64)
            let offset = Int(rng.next() % 8)   // unaligned starts
            let bytes = data[offset..<(offset + n)]
            let whole = digest(bytes)
            let splits = (0..<3).map { _ in Int(rng.next() % UInt64(n + 1)) }.sorted()
            XCTAssertEqual(digest(bytes, splits: splits), whole, "n \(n), splits \(splits)")
        }
    }

    func testFile() throws {
        let dir = FileManager.default.temporaryDirectory
        for (n, hex) in Self.expected where n == 0 || n == 64 || n > 1000 {
            let url = dir.appendingPathComponent("sha256-test-\(ProcessInfo.processInfo.processIdentifier)-\(n).bin")
            try Data(Self.message(n)).write(to: url)
            defer { try? FileManager.default.removeItem(at: url) }
            XCTAssertEqual(try SHA256.hexOfFile(atPath: url.path), hex, "file size \(n)")
        }
    }

    func testMissingFile() {
        let path = "/nonexistent/segad/\(UUID().uuidString).h5"
        XCTAssertThrowsError(try SHA256.hexOfFile(atPath: path)) { error in
            XCTAssertEqual(error as? FileReadError, .noSuchFile(path))
            XCTAssertEqual("\(error)", path + ": no such file")  // the printed line
        }
    }
}
