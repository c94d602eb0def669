import Foundation
import XCTest
@testable import SegADNative

/// Fixtures come from scripts/detectors/make_checkpoint_fixtures.py (torch
/// 2.13 CPU): the same small state dict saved in the legacy pickle format, the
/// zip format and safetensors, with transposed and offset views of one
/// storage, float16/float64/int64 tensors. tiny_expected.json holds torch's
/// own contiguous float32 values for every key.
final class CheckpointTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = root.appendingPathComponent("scripts/detectors/fixtures")

    /// A fixture's path; the .pth fixtures are tracked as base64 (NAME.pth.b64,
    /// so no weights file is committed) and written to a temporary file here.
    func fixture(_ name: String) -> String {
        guard name.hasSuffix(".pth") else { return Self.fixtures.appendingPathComponent(name).path }
        let text = (try? String(contentsOf: Self.fixtures.appendingPathComponent(name + ".b64"), encoding: .utf8)) ?? ""
        let path = NSTemporaryDirectory() + "segad-\(getpid())-\(name)"
        _ = FileManager.default.createFile(atPath: path, contents: Data(base64Encoded: text, options: .ignoreUnknownCharacters))
        return path
    }

    func expected() throws -> [String: Tensor] {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixture("tiny_expected.json")))
        let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: [String: [Double]]])
        return obj.mapValues { Tensor(shape: $0["shape"]!.map { Int($0) }, values: $0["values"]!.map { Float($0) }) }
    }

    func checkAll(_ name: String) throws {
        let got = try Checkpoint.load(path: fixture(name))
        let want = try expected()
        XCTAssertEqual(Set(got.keys), Set(want.keys), name)
        for (k, w) in want {
            let g = try XCTUnwrap(got[k], "\(name): \(k)")
            XCTAssertEqual(g.shape, w.shape, "\(name): \(k)")
            XCTAssertEqual(g.values, w.values, "\(name): \(k)")   // conversions are exact here
        }
    }

    func testLegacyFormat() throws { try checkAll("tiny_legacy.pth") }
    func testZipFormat() throws { try checkAll("tiny_zip.pth") }
    func testSafetensors() throws { try checkAll("tiny.safetensors") }

    func testHalfConversion() {
        XCTAssertEqual(ScalarType.halfToFloat(0x3C00), 1)
        XCTAssertEqual(ScalarType.halfToFloat(0xC000), -2)
        XCTAssertEqual(ScalarType.halfToFloat(0x7BFF), 65504)
        XCTAssertEqual(ScalarType.halfToFloat(0x0001), Float(sign: .plus, exponent: -24, significand: 1))
        XCTAssertTrue(ScalarType.halfToFloat(0x7C00).isInfinite)
    }

    // MARK: - Faults: one line, naming the file and the fault or key

    func bytes(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixture(name)))) }

    /// Asserts a `CheckpointError` of case `kind` whose printed line holds `part`.
    func assertFault(_ b: [UInt8], _ kind: String, contains part: String, file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try Checkpoint.load(bytes: b, name: "w.pth")
            XCTFail("expected a fault containing \(part)", file: file, line: line)
        } catch let e as CheckpointError {
            XCTAssertEqual(e.file, "w.pth", file: file, line: line)
            XCTAssertEqual(faultCase(e), kind, file: file, line: line)
            XCTAssertTrue(e.description.contains(part), "\(e)", file: file, line: line)
            XCTAssertFalse(e.description.contains("\n"), file: file, line: line)
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
        }
    }

    func testTruncatedFiles() throws {
        for name in ["tiny_legacy.pth", "tiny_zip.pth", "tiny.safetensors"] {
            let b = try bytes(name)
            for cut in [b.count - 1, b.count / 2, 12] {
                do {
                    _ = try Checkpoint.load(bytes: Array(b[..<cut]), name: "w.pth")
                    XCTFail("\(name) cut at \(cut) loaded")
                } catch let e as CheckpointError {
                    XCTAssertEqual(e.file, "w.pth")
                }
            }
        }
    }

    func testUnknownOpcode() throws {
        var b = try bytes("tiny_legacy.pth")
        b[2] = 0xFE   // first opcode after PROTO
        assertFault(b, "pickle", contains: "unknown pickle opcode 0xfe")
    }

    func testHugeDeclaredStorageDoesNotAllocate() throws {
        // Legacy: the element count before the first storage's bytes says 2⁶⁰.
        var b = try bytes("tiny_legacy.pth")
        var r = ByteReader(b)
        for _ in 0..<5 { _ = try Pickle.load(&r) }
        let at = r.position
        for i in 0..<8 { b[at + i] = i == 7 ? 0x10 : 0 }
        assertFault(b, "storage", contains: "file truncated")
        // safetensors: a shape far larger than its data.
        var s = try bytes("tiny.safetensors")
        let text = String(decoding: s, as: UTF8.self)
        let range = try XCTUnwrap(text.range(of: "[4, 2, 3, 3]"))
        let off = text.utf8.distance(from: text.startIndex, to: range.lowerBound)
        s.replaceSubrange(off..<(off + 12), with: Array("[9999999999]".utf8))
        assertFault(s, "tensor", contains: "key conv.weight")
    }

    func testMissingStorage() throws {
        // Rename the zip entry of one storage so the pickle refers to nothing.
        var b = try bytes("tiny_zip.pth")
        let name = Array("/data/0".utf8)
        var i = 0
        while i + name.count <= b.count {
            if Array(b[i..<(i + name.count)]) == name, i + name.count < b.count, b[i + name.count] < 0x30 || b[i + name.count] > 0x39 {
                b[i + name.count - 1] = UInt8(ascii: "Z")
            }
            i += 1
        }
        assertFault(b, "tensor", contains: "storage 0 missing")
    }

    func testNotACheckpoint() {
        XCTAssertThrowsError(try Checkpoint.load(bytes: Array("hello, world".utf8), name: "w.pth")) {
            XCTAssertEqual($0 as? CheckpointError, .notACheckpoint("w.pth"))
            XCTAssertEqual("\($0)", "w.pth: not a PyTorch checkpoint or safetensors file")  // the printed line
        }
    }

    /// The real EfficientNet-Lite0 weights (legacy format), when set-up fetched them.
    func testEfficientNetLite0Weights() throws {
        let path = Self.root.appendingPathComponent(".cache/weights/efficientnet-lite0.pth").path
        try XCTSkipUnless(FileManager.default.fileExists(atPath: path), "weights not fetched")
        let w = try Checkpoint.load(path: path)
        XCTAssertEqual(w.count, 296)
        XCTAssertEqual(w["_conv_stem.weight"]?.shape, [32, 3, 3, 3])
        XCTAssertEqual(w["_blocks.15._project_conv.weight"]?.shape, [320, 1152, 1, 1])
        XCTAssertEqual(w["_conv_stem.weight"]!.values[0], -1.1103, accuracy: 1e-4)
    }
}

/// docs/reliability.md, section 6, class 8: formats are detected by structure, not by one byte.
final class CheckpointFormatDetectionTests: XCTestCase {
    /// A valid safetensors file whose header is 128…255 bytes long (so its
    /// 8-byte little-endian length starts with 0x80…0xFF, like a pickle's
    /// PROTO opcode) once read as a legacy pickle and was refused.
    func testSafetensorsWhoseHeaderLengthStartsWith0x80() throws {
        for padding in 0..<4 {
            let values: [Float] = [1.5, -2, 3.25, 4]
            var header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}"
            header += ",\"__metadata__\":{\"note\":\"" + String(repeating: "p", count: 60 + padding) + "\"}}"
            while header.utf8.count < 128 + padding { header += " " }  // safetensors pads the header with spaces
            let n = header.utf8.count
            XCTAssertTrue(n >= 128 && n < 256)
            var bytes = (0..<8).map { UInt8(truncatingIfNeeded: UInt64(n) >> (8 * UInt64($0))) }
            XCTAssertGreaterThanOrEqual(bytes[0], 0x80)
            bytes += Array(header.utf8)
            for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
            let tensors = try Checkpoint.load(bytes: bytes, name: "header-0x80.safetensors")
            XCTAssertEqual(tensors["w"]?.shape, [2, 2])
            XCTAssertEqual(tensors["w"]?.values, values)
        }
    }
}
