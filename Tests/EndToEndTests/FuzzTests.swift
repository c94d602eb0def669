import Foundation
import SegAD
import SegADNative
import XCTest
#if canImport(Glibc)
import Glibc
import _TestSupport
#endif

/// Seeded random-mutation fuzzing of the readers that take files from
/// users (docs/reliability.md, section 4; section 6, class 9): `.npy` maps, PNG label maps and
/// images, TIFF maps and images, JPEG images, the JSON manifest, and
/// checkpoints (legacy torch pickle, torch zip, safetensors).
///
/// Each input is a valid seed file changed by one to four mutations — bit
/// flips, bytes set to boundary values, truncation, insertion, deletion,
/// duplication, 2/4/8-byte integers overwritten with boundary values, and a
/// format-aware edit of a header field (the `.npy` header's shape and dtype,
/// a PNG chunk's data with its CRC recomputed so libpng reads past it, a TIFF
/// directory entry, a JPEG frame header or table segment, the
/// numbers and keys of the JSON manifest and of the safetensors header). The
/// reader must either accept the input or throw a `SegADFault` (`InputError` or
/// a domain enum such as `ImageError`) whose text is
/// one line without control characters; it must not crash, take more than a second, or allocate without
/// bound: while the inputs run, the address space is capped at what the process
/// had plus 1 GiB (an allocation beyond it would crash the test), and the peak
/// resident size may grow by at most 256 MiB.
///
/// The default run tries 2,000 inputs per reader. `SEGAD_FUZZ_COUNT=100000`
/// (`scripts/reliability/fuzz.sh`) runs the figures recorded in
/// docs/reliability.md; `SEGAD_FUZZ_SEED` changes the seed.
final class FuzzTests: XCTestCase {
    static let environment = ProcessInfo.processInfo.environment
    static let count = Int(environment["SEGAD_FUZZ_COUNT"] ?? "") ?? 2000
    static let seed = UInt64(environment["SEGAD_FUZZ_SEED"] ?? "") ?? 20_240_607

    static let nativeFixtures = ToolRunner.repoRoot + "/Tests/SegADNativeTests/Fixtures"
    static let checkpointFixtures = ToolRunner.repoRoot + "/scripts/detectors/fixtures"

    // MARK: The readers

    func testNPYReaderUnderMutation() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.nativeFixtures + "/npy")
            .filter { $0.hasSuffix(".npy") && !$0.hasPrefix("empty.") }.sorted()
        let seeds = try names.map { try Self.bytes(Self.nativeFixtures + "/npy/" + $0) }
        try fuzz("npy", seeds: seeds, fieldEdit: Mutator.editDigitsOrWords) { input, _ in
            let array = try NPY.parse(data: input, name: "fuzz.npy")
            _ = array.floats()
            _ = try? array.int32s()
        }
    }

    func testPNGReaderUnderMutation() throws {
        let names = ["gray1", "gray4", "gray8", "gray16", "gray_alpha8", "palette4", "palette8", "rgb8", "rgb16", "rgba8"]
        let seeds = try names.map { try Self.bytes(Self.nativeFixtures + "/png/\($0).png") }
        let path = try scratchFile("fuzz.png")
        try fuzz("png", seeds: seeds, fieldEdit: Mutator.editPNGChunk) { input, _ in
            try Self.write(input, to: path)
            let image = try PNG.read(path: path)
            XCTAssertEqual(image.samples.count, image.width * image.height * image.channels)
            _ = image.grayFloats()
        }
    }

    func testTIFFReaderUnderMutation() throws {
        let names = ["f32_strips", "f32_tiled", "f32_deflate", "f32_bigendian", "f16_tiled", "rgb_u8", "uint8"]
        let seeds = try names.map { try Self.bytes(Self.nativeFixtures + "/tiff/\($0).tif") }
        let path = try scratchFile("fuzz.tif")
        try fuzz("tiff", seeds: seeds, fieldEdit: Mutator.editTIFFEntry) { input, _ in
            try Self.write(input, to: path)
            let image = try TIFFImage.read(path: path)
            XCTAssertEqual(image.samples.count, image.width * image.height * image.channels)
            _ = try? TIFFMap.read(path: path)
        }
    }

    func testJPEGReaderUnderMutation() throws {
        let names = ["gray_baseline", "rgb_baseline", "rgb_444", "gray_progressive", "rgb_progressive", "orientation6",
                     "orientation7"]
        let seeds = try names.map { try Self.bytes(Self.nativeFixtures + "/jpeg/\($0).jpg") }
        let path = try scratchFile("fuzz.jpg")
        try fuzz("jpeg", seeds: seeds, fieldEdit: Mutator.editJPEGSegment) { input, _ in
            try Self.write(input, to: path)
            let image = try JPEG.read(path: path)
            XCTAssertEqual(image.samples.count, image.width * image.height * image.channels)
        }
    }

    func testManifestLoaderUnderMutation() throws {
        let seeds = [Self.manifestSeed(small: true), Self.manifestSeed(small: false)]
        let path = try scratchFile("manifest.json")
        try fuzz("manifest", seeds: seeds, fieldEdit: Mutator.editJSON) { input, _ in
            try Self.write(input, to: path)
            _ = try Manifest.load(path: path)
        }
    }

    func testCheckpointReadersUnderMutation() throws {
        let seeds = try ["tiny_legacy.pth", "tiny_zip.pth", "tiny.safetensors"].map {
            try Self.bytes(Self.checkpointFixtures + "/" + $0)
        }
        try fuzz("checkpoint", seeds: seeds, fieldEdit: Mutator.editDigitsOrWords) { input, _ in
            _ = try Checkpoint.load(bytes: input, name: "fuzz.pth")
        }
    }

    /// Headers that declare far more data than the file holds are refused
    /// before anything of that size is allocated.
    func testHugeDeclaredShapesDoNotAllocate() throws {
        let path = try scratchFile("huge.png")
        let limit = try AddressSpaceCap(headroom: 1 << 30)
        defer { limit.restore() }
        let before = Memory.peakResidentBytes()
        for shape in ["(100000, 100000)", "(4611686018427387904,)", "(65536, 65536, 64)", "(99999999999, 99999999999)"] {
            let header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }"
            XCTAssertThrowsError(try NPY.parse(data: Self.npy(header: header, payload: 64), name: "huge.npy"), shape) {
                XCTAssertTrue("\($0)".contains("huge.npy"), "\($0)")
            }
        }
        // PNG: a 65535×65535 16-bit RGBA header (the CRC made valid) over the
        // data of a small image.
        for (width, height) in [(65535, 65535), (65535, 1), (1, 65535), (40000, 40000)] {
            var png = try Self.bytes(Self.nativeFixtures + "/png/rgba8.png")
            Mutator.setPNGHeader(&png, width: UInt32(width), height: UInt32(height), depth: 16, color: 6)
            try Self.write(png, to: path)
            XCTAssertThrowsError(try PNG.read(path: path), "\(width)×\(height)") {
                XCTAssertTrue("\($0)".contains("huge.png") && !"\($0)".contains("\n"), "\($0)")
            }
        }
        let grown = Memory.peakResidentBytes() - before
        XCTAssertLessThan(grown, 64 << 20, "peak resident size grew by \(grown >> 20) MiB")
    }

    // MARK: The loop

    struct Figures: CustomStringConvertible {
        var inputs = 0, accepted = 0, refused = 0
        var slowest = 0.0
        var seconds = 0.0
        var peakGrowth = 0
        var description: String {
            String(format: "%d inputs, %d accepted, %d refused, slowest %.1f ms, %.1f s total, peak RSS +%d MiB",
                   inputs, accepted, refused, slowest * 1000, seconds, peakGrowth >> 20)
        }
    }

    /// Runs `body` on `count` mutated inputs and checks the outcome of each.
    /// `generate`, when given, makes each input itself (nil: none this time)
    /// instead of byte-mutating a seed.
    @discardableResult
    func fuzz(_ name: String, seeds: [[UInt8]], count: Int = FuzzTests.count,
              generate: ((inout SplitMix64) throws -> [UInt8]?)? = nil,
              fieldEdit: @escaping (inout [UInt8], inout SplitMix64) -> Void,
              body: ([UInt8], Int) throws -> Void) throws -> Figures {
        XCTAssertFalse(seeds.isEmpty)
        // Every seed must be read without error, so mutations start from inputs that get deep.
        for (i, s) in seeds.enumerated() where name != "npy" {
            XCTAssertNoThrow(try body(s, -1), "\(name) seed \(i) is not accepted")
        }
        var rng = SplitMix64(seed: Self.seed ^ UInt64(truncatingIfNeeded: name.utf8.reduce(5381) { $0 &* 33 &+ Int($1) }))
        var figures = Figures()
        let cap = try AddressSpaceCap(headroom: 1 << 30)
        defer { cap.restore() }
        let peakBefore = Memory.peakResidentBytes()
        let start = Date()
        for n in 0..<count {
            var input: [UInt8]
            if let generate {
                guard let made = try generate(&rng) else { continue }
                input = made
            } else {
                input = seeds[Int(rng.next() % UInt64(seeds.count))]
                let mutations = 1 + Int(rng.next() % 4)
                for _ in 0..<mutations { Mutator.mutate(&input, &rng, fieldEdit: fieldEdit) }
            }
            if let keep = Self.environment["SEGAD_FUZZ_KEEP_CURRENT"] {
                // Each input is written before it runs, so a crash leaves it behind.
                try? Data(input).write(to: URL(fileURLWithPath: keep))
            }
            let t0 = Date()
            do {
                try body(input, n)
                figures.accepted += 1
            } catch let error as any SegADFault {
                figures.refused += 1
                let text = "\(error)"
                if text.isEmpty || text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                    XCTFail("\(name) input \(n): the error is not one line: \(text.debugDescription)")
                }
            } catch let error as HDF5Error {
                // A damaged artifact (a failed checksum, metadata HDF5
                // cannot read): the documented one-line refusal (section 6, class 4).
                figures.refused += 1
                if "\(error)".contains("\n") { XCTFail("\(name) input \(n): the error is not one line: \(error)") }
            } catch {
                XCTFail("\(name) input \(n): not a SegADFault: \(type(of: error)) \(error)")
            }
            let dt = Date().timeIntervalSince(t0)
            figures.slowest = max(figures.slowest, dt)
            if dt > 1 {
                // Kept to reproduce it.
                let kept = NSTemporaryDirectory() + "segad-fuzz-\(name)-\(n).bin"
                try? Data(input).write(to: URL(fileURLWithPath: kept))
                XCTFail("\(name) input \(n) took \(dt) s (kept as \(kept))")
            }
            figures.inputs += 1
        }
        figures.seconds = Date().timeIntervalSince(start)
        figures.peakGrowth = Memory.peakResidentBytes() - peakBefore
        XCTAssertLessThan(figures.peakGrowth, 256 << 20, "\(name): peak resident size grew by \(figures.peakGrowth >> 20) MiB")
        print("fuzz \(name): \(figures)")
        return figures
    }

    // MARK: Seeds and files

    func scratchFile(_ name: String) throws -> String {
        let shm = "/dev/shm"
        var isFolder: ObjCBool = false
        let base = FileManager.default.fileExists(atPath: shm, isDirectory: &isFolder) && isFolder.boolValue
            && access(shm, W_OK) == 0 ? shm : NSTemporaryDirectory()
        let dir = base + "/segad-fuzz-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir + "/" + name
    }

    /// A file's bytes; a `.pth` fixture is tracked as base64 beside it (`.pth.b64`).
    static func bytes(_ path: String) throws -> [UInt8] {
        if path.hasSuffix(".pth"), !FileManager.default.fileExists(atPath: path) {
            let text = try String(contentsOfFile: path + ".b64", encoding: .utf8)
            return [UInt8](try XCTUnwrap(Data(base64Encoded: text, options: .ignoreUnknownCharacters)))
        }
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw InputError(path, "cannot create") }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw InputError(path, "short write") }
    }

    /// A version 1.0 `.npy` with `header` and `payload` zero bytes of data.
    static func npy(header: String, payload: Int) -> [UInt8] {
        var text = header
        while (10 + text.utf8.count + 1) % 64 != 0 { text += " " }
        text += "\n"
        let length = text.utf8.count
        return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(length & 0xFF), UInt8(length >> 8)]
            + Array(text.utf8) + [UInt8](repeating: 0, count: payload)
    }

    /// A valid manifest: 6 items (maps, tags, a segmentation) and two seeds
    /// (`small`), or 40 items with every role.
    static func manifestSeed(small: Bool) -> [UInt8] {
        let n = small ? 6 : 40
        let items: [[String: Any]] = (0..<n).map { i in
            var item: [String: Any] = ["id": "item\(i)", "label": i % 3 == 0 ? "bad" : "good",
                                       "maps": ["alpha": "maps/alpha/item\(i).npy", "beta": "maps/beta/item\(i).npy"]]
            if i % 2 == 0 { item["tags"] = ["unseen"] }
            if !small { item["segmentation"] = "seg/item\(i).png" }
            return item
        }
        let ids = (0..<n).map { "item\($0)" }
        let half = n / 2
        var seeds: [String: Any] = [:]
        for s in 0..<2 {
            let rotated = Array(ids[s...] + ids[..<s])
            seeds[String(s)] = ["segad-train": Array(rotated[..<half]), "test": Array(rotated[half...])]
        }
        let object: [String: Any] = ["format": "segad-manifest", "version": 1, "name": "fuzz",
                                     "class": "c", "root": ".", "description": "seed", "items": items, "seeds": seeds]
        return [UInt8](try! JSONSerialization.data(withJSONObject: object, options: small ? [.sortedKeys, .prettyPrinted]
                                                                                            : [.sortedKeys]))
    }
}

// MARK: - Mutations

enum Mutator {
    static let interestingBytes: [UInt8] = [0, 1, 0x7F, 0x80, 0xFF, 0x20, 0x0A, 0x22, 0x27, 0x28, 0x29, 0x2C, 0x2D,
                                            0x30, 0x39, 0x3A, 0x5B, 0x5D, 0x7B, 0x7D]
    static let interestingInts: [UInt64] = [0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000,
                                            0xFFFF_FFFF, 0x1_0000_0000, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000,
                                            0xFFFF_FFFF_FFFF_FFFF]

    static func mutate(_ b: inout [UInt8], _ rng: inout SplitMix64, fieldEdit: (inout [UInt8], inout SplitMix64) -> Void) {
        func at(_ n: Int) -> Int { n <= 0 ? 0 : Int(rng.next() % UInt64(n)) }
        switch rng.next() % 10 {
        case 0, 1:  // bit flips
            guard !b.isEmpty else { return }
            for _ in 0...at(4) { b[at(b.count)] ^= UInt8(1) << UInt8(at(8)) }
        case 2:  // a byte set to a boundary value
            guard !b.isEmpty else { return }
            b[at(b.count)] = interestingBytes[at(interestingBytes.count)]
        case 3:  // truncation
            b.removeLast(b.count - at(b.count + 1))
        case 4:  // insertion of random bytes or of a slice of the input
            let p = at(b.count + 1)
            if rng.next() % 2 == 0 || b.isEmpty {
                b.insert(contentsOf: (0...at(16)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: p)
            } else {
                let s = at(b.count), e = min(b.count, s + 1 + at(64))
                b.insert(contentsOf: b[s..<e], at: p)
            }
        case 5:  // deletion
            guard !b.isEmpty else { return }
            let s = at(b.count), e = min(b.count, s + 1 + at(32))
            b.removeSubrange(s..<e)
        case 6:  // a 2, 4 or 8-byte integer overwritten with a boundary value, either byte order
            let width = [2, 4, 8][at(3)]
            guard b.count >= width else { return }
            let p = at(b.count - width + 1)
            let v = interestingInts[at(interestingInts.count)]
            let big = rng.next() % 2 == 0
            for k in 0..<width { b[p + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(big ? width - 1 - k : k))) }
        default:  // a format-aware edit of a header field
            fieldEdit(&b, &rng)
        }
    }

    static let bigNumbers = ["0", "1", "-1", "2", "255", "65536", "2147483647", "2147483648", "4294967296",
                             "9223372036854775807", "9223372036854775808", "18446744073709551616",
                             "99999999999999999999999", "1e308", "1.5", "-0", "nan", "inf"]
    static let words = ["True", "False", "None", "'<f4'", "'>f8'", "'|b1'", "'<c8'", "'|O'", "'<U3'", "()", "(0,)",
                        "(1, 2, 3, 4, 5, 6, 7, 8, 9)", "[", "]", "{", "}", "''", "\"\"", "\"F32\"", "\"I64\"",
                        "\"shape\"", "\"dtype\"", "\"data_offsets\"", "\"__metadata__\"", "null", "true", "false",
                        "\"\\u0000\"", "\"\\ud800\""]

    /// Replaces a run of digits with a boundary number, or a word or quoted
    /// string with another header word (npy, pickle, zip and safetensors headers).
    static func editDigitsOrWords(_ b: inout [UInt8], _ rng: inout SplitMix64) {
        guard !b.isEmpty else { return }
        let start = Int(rng.next() % UInt64(b.count))
        let isDigit: (UInt8) -> Bool = { $0 >= 0x30 && $0 <= 0x39 }
        if rng.next() % 2 == 0, let s = b[start...].firstIndex(where: isDigit) ?? b.firstIndex(where: isDigit) {
            var e = s
            while e < b.count && isDigit(b[e]) { e += 1 }
            b.replaceSubrange(s..<e, with: Array(bigNumbers[Int(rng.next() % UInt64(bigNumbers.count))].utf8))
        } else {
            let isWord: (UInt8) -> Bool = { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x27 || $0 == 0x22 }
            guard let s = b[start...].firstIndex(where: isWord) ?? b.firstIndex(where: isWord) else { return }
            var e = s + 1
            while e < b.count && isWord(b[e]) && e - s < 24 { e += 1 }
            b.replaceSubrange(s..<e, with: Array(words[Int(rng.next() % UInt64(words.count))].utf8))
        }
    }

    /// JSON edits: a number or word replaced, a value turned into another type,
    /// a structure duplicated, or nesting deepened.
    static func editJSON(_ b: inout [UInt8], _ rng: inout SplitMix64) {
        switch rng.next() % 4 {
        case 0, 1:
            editDigitsOrWords(&b, &rng)
        case 2:  // deep nesting at a random place
            let p = Int(rng.next() % UInt64(b.count + 1))
            let depth = Int(rng.next() % 2000)
            b.insert(contentsOf: [UInt8](repeating: rng.next() % 2 == 0 ? 0x5B : 0x7B, count: depth), at: p)
        default:  // a quoted string replaced with a number, null, an array or an object
            guard let q = b.indices.filter({ b[$0] == 0x22 }).randomElement(using: &rng) else { return }
            guard let end = b[(q + 1)...].firstIndex(of: 0x22) else { return }
            let replacement = ["0", "null", "[]", "{}", "[\"x\"]", "{\"a\":1}", "-1", "1e999", "\"\"", "true"]
            b.replaceSubrange(q...end, with: Array(replacement[Int(rng.next() % UInt64(replacement.count))].utf8))
        }
    }

    /// Mutates the data of one PNG chunk (IHDR most often: width, height, bit
    /// depth, color type, interlace set to boundary values) and recomputes
    /// the chunk's CRC, so libpng reads on instead of stopping at the CRC.
    static func editPNGChunk(_ b: inout [UInt8], _ rng: inout SplitMix64) {
        var chunks: [(start: Int, length: Int)] = []  // start of the chunk's type field
        var p = 8
        while p + 12 <= b.count {
            let length = Int(b[p]) << 24 | Int(b[p + 1]) << 16 | Int(b[p + 2]) << 8 | Int(b[p + 3])
            guard p + 12 + length <= b.count else { break }
            chunks.append((p + 4, length))
            p += 12 + length
        }
        guard !chunks.isEmpty else { return }
        let (start, length) = rng.next() % 2 == 0 ? chunks[0] : chunks[Int(rng.next() % UInt64(chunks.count))]
        let data = start + 4
        if start == 12 && length == 13 && rng.next() % 2 == 0 {  // IHDR
            let field = Int(rng.next() % 5)
            switch field {
            case 0, 1:
                let v = UInt32(truncatingIfNeeded: interestingInts.randomElement(using: &rng)! &+ (rng.next() % 3))
                for k in 0..<4 { b[data + 4 * field + k] = UInt8(truncatingIfNeeded: v >> (24 - 8 * UInt32(k))) }
            case 2: b[data + 8] = [0, 1, 2, 3, 4, 8, 16, 32, 255][Int(rng.next() % 9)]
            case 3: b[data + 9] = [0, 1, 2, 3, 4, 5, 6, 7, 255][Int(rng.next() % 9)]
            default: b[data + 12] = UInt8(rng.next() % 3)
            }
        } else if length > 0 {
            for _ in 0...Int(rng.next() % 3) { b[data + Int(rng.next() % UInt64(length))] ^= UInt8(1) << UInt8(rng.next() % 8) }
        }
        writeCRC(&b, typeStart: start, length: length)
    }

    /// Sets one directory entry of a TIFF (either byte order) — its type,
    /// count or value/offset — to a boundary value: sizes, strip offsets and
    /// byte counts, sample counts and formats, tile sizes.
    static func editTIFFEntry(_ b: inout [UInt8], _ rng: inout SplitMix64) {
        guard b.count >= 8 else { return }
        let little = b[0] == 0x49
        func read(_ at: Int, _ width: Int) -> Int? {
            guard at >= 0, at + width <= b.count else { return nil }
            var v = 0
            for k in 0..<width { v |= Int(b[at + k]) << (8 * (little ? k : width - 1 - k)) }
            return v
        }
        guard let ifd = read(4, 4), let n = read(ifd, 2), n > 0 else { return }
        let e = ifd + 2 + 12 * Int(rng.next() % UInt64(n))
        guard e + 12 <= b.count else { return }
        let (field, width) = [(2, 2), (4, 4), (8, 4), (8, 2)][Int(rng.next() % 4)]
        let v = interestingInts.randomElement(using: &rng)! &+ (rng.next() % 3)
        for k in 0..<width {
            b[e + field + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(little ? k : width - 1 - k)))
        }
    }

    /// Edits one JPEG marker segment before the first scan: the frame
    /// header's height, width, component count or sampling factors set to
    /// boundary values, or bits flipped inside a segment (tables, Exif).
    static func editJPEGSegment(_ b: inout [UInt8], _ rng: inout SplitMix64) {
        var segments: [(start: Int, length: Int, marker: UInt8)] = []
        var p = 2
        while p + 4 <= b.count, b[p] == 0xFF {
            let marker = b[p + 1], length = Int(b[p + 2]) << 8 | Int(b[p + 3])
            guard length >= 2, p + 2 + length <= b.count else { break }
            segments.append((p + 4, length - 2, marker))
            if marker == 0xDA { break }
            p += 2 + length
        }
        guard let s = segments.randomElement(using: &rng), s.length > 0 else { return }
        if (0xC0...0xC2).contains(s.marker), s.length >= 6, rng.next() % 2 == 0 {
            let sides: [UInt16] = [0, 1, 7, 8, 255, 256, 8192, 16383, 16384, 16385, 20000, 65535]
            switch rng.next() % 4 {
            case 0, 1:
                let at = s.start + 1 + 2 * Int(rng.next() % 2)
                let v = sides.randomElement(using: &rng)!
                b[at] = UInt8(v >> 8); b[at + 1] = UInt8(v & 0xFF)
            case 2: b[s.start + 5] = [0, 1, 2, 3, 4, 5, 255][Int(rng.next() % 7)]
            default:
                if s.length >= 8 { b[s.start + 7] = [0x11, 0x22, 0x41, 0x14, 0x44, 0x00, 0xFF][Int(rng.next() % 7)] }
            }
        } else {
            for _ in 0...Int(rng.next() % 3) { b[s.start + Int(rng.next() % UInt64(s.length))] ^= UInt8(1) << UInt8(rng.next() % 8) }
        }
    }

    /// Sets the IHDR fields of a PNG and makes its CRC valid.
    static func setPNGHeader(_ b: inout [UInt8], width: UInt32, height: UInt32, depth: UInt8, color: UInt8) {
        for k in 0..<4 {
            b[16 + k] = UInt8(truncatingIfNeeded: width >> (24 - 8 * UInt32(k)))
            b[20 + k] = UInt8(truncatingIfNeeded: height >> (24 - 8 * UInt32(k)))
        }
        b[24] = depth
        b[25] = color
        writeCRC(&b, typeStart: 12, length: 13)
    }

    static func writeCRC(_ b: inout [UInt8], typeStart: Int, length: Int) {
        let crc = crc32(b[typeStart..<(typeStart + 4 + length)])
        let at = typeStart + 4 + length
        for k in 0..<4 { b[at + k] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * UInt32(k))) }
    }

    static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for x in bytes { c = crcTable[Int((c ^ UInt32(x)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}


// MARK: - Memory

enum Memory {
    /// The process's peak resident set size in bytes (getrusage).
    static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss * 1024
    }

    /// The process's current virtual size in bytes (/proc/self/statm).
    static func virtualBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = Int(text.split(separator: " ").first ?? "") else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

/// Caps the address space at the current virtual size plus `headroom` until
/// `restore()`, so a reader that tried to allocate a buffer a corrupt header
/// asks for would fail loudly instead of succeeding lazily.
struct AddressSpaceCap {
    var saved = rlimit()

    init(headroom: Int) throws {
        getrlimit(Int32(RLIMIT_AS.rawValue), &saved)
        guard let now = Memory.virtualBytes() else { return }
        var cap = saved
        cap.rlim_cur = rlim_t(min(UInt64(now + headroom), UInt64(saved.rlim_max)))
        setrlimit(Int32(RLIMIT_AS.rawValue), &cap)
    }

    func restore() {
        var limit = saved
        setrlimit(Int32(RLIMIT_AS.rawValue), &limit)
    }
}
