// Golden files: Tests/SegADNativeTests/Fixtures/npy/*.npy and expected.json,
// made by Fixtures/make_fixtures.py (numpy's own np.lib.format.write_array for
// the good files; the bad ones are cut or hand-built headers). Expected values
// are numpy's `a.astype(np.float32)` in C order, stored exactly in JSON.
import Foundation
import XCTest
@testable import SegADNative

private let npyDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/npy").path

private func npyPath(_ name: String) -> String { npyDir + "/" + name }

private func npyExpected() throws -> [String: [String: Any]] {
    let data = try Data(contentsOf: URL(fileURLWithPath: npyPath("expected.json")))
    return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
}

final class NPYTests: XCTestCase {
    /// Every dtype, both byte orders, C and Fortran order, v1/v2/v3 headers,
    /// 0-d, 1-d and empty arrays: values bit-exact, shape as numpy reports it.
    func testGoldenFilesReadExactly() throws {
        let expected = try npyExpected()
        XCTAssertGreaterThan(expected.count, 40)
        for (name, e) in expected.sorted(by: { $0.key < $1.key }) {
            let shape = try XCTUnwrap(e["shape"] as? [Int])
            let floats = try XCTUnwrap(e["floats"] as? [Double]).map { Float($0) }
            if name == "labels_fractional_f4.npy" || name == "i8_out_of_range.npy" { continue }
            let got = try NPY.readFloats(path: npyPath(name))
            XCTAssertEqual(got.shape, shape, name)
            XCTAssertEqual(got.values.count, floats.count, name)
            for (i, (a, b)) in zip(got.values, floats).enumerated() where a.bitPattern != b.bitPattern {
                XCTFail("\(name)[\(i)]: got \(a), expected \(b)")
                break
            }
            if let ints = e["int32s"] as? [Int] {
                let got32 = try NPY.readInt32s(path: npyPath(name))
                XCTAssertEqual(got32.values, ints.map { Int32($0) }, name)
                XCTAssertEqual(got32.shape, shape, name)
            }
            let array = try NPY.parse(data: Array(try Data(contentsOf: URL(fileURLWithPath: npyPath(name)))), name: name)
            XCTAssertEqual(array.fortranOrderInFile, e["fortran"] as? Bool, name)
            XCTAssertEqual(array.count, floats.count, name)
        }
    }

    func testDtypeAndOrderDetected() throws {
        let a = try NPY.parse(data: Array(try Data(contentsOf: URL(fileURLWithPath: npyPath("f2_be_f.npy")))), name: "x")
        XCTAssertEqual(a.dtype, .float16)
        XCTAssertTrue(a.fortranOrderInFile)
        XCTAssertEqual(a.shape, [2, 3, 4])
        let f = try NPY.readFloats(path: npyPath("fortran_2d_f4.npy"))
        XCTAssertEqual(f.values, (0..<12).map(Float.init))  // np.arange(12).reshape(3, 4), Fortran in file
        XCTAssertEqual(f.shape, [3, 4])
        let s = try NPY.readFloats(path: npyPath("scalar_f8.npy"))
        XCTAssertEqual(s.shape, [])
        XCTAssertEqual(s.values, [2.5])
        let e = try NPY.readFloats(path: npyPath("empty_f4.npy"))
        XCTAssertEqual(e.shape, [0, 5])
        XCTAssertEqual(e.values, [])
    }

    func testFloat16ConversionIsExact() throws {
        // Every finite float16 round-trips through Float exactly.
        for bits in UInt16.min...UInt16.max {
            let h = Float16(bitPattern: bits)
            guard h.isFinite else { continue }
            XCTAssertEqual(Float16(Float(h)).bitPattern, bits)
        }
        let v = try NPY.readFloats(path: npyPath("f2_le_c.npy")).values
        XCTAssertEqual(v[0], Float(Float16(0.1)))
        XCTAssertEqual(v[1], -65504)
        XCTAssertEqual(v[2], Float(Float16(6.0e-8)))  // subnormal
    }

    /// Bad files fail with an ImageError naming the file, its case and the
    /// fault's text (the printed line is `FILE: FAULT`).
    func testBadFilesFailWithTheirFault() {
        let cases: [(String, String, String)] = [
            ("truncated.npy", "truncated", "truncated .npy: header says 24 values, file holds 21"),
            ("bad_magic.npy", "unreadable", "not a .npy file (bad magic bytes)"),
            ("empty.npy", "unreadable", "empty file"),
            ("short.npy", "truncated", "truncated .npy"),
            ("header_beyond_file.npy", "truncated", "truncated .npy: header says"),
            ("bad_version.npy", "unsupported", "unsupported .npy format version 9.0"),
            ("huge_shape.npy", "truncated", "truncated .npy: header says 1000000000000000 values, file holds 4"),
            ("overflow_shape.npy", "unreadable", "too large"),
            ("complex.npy", "unsupported", "unsupported dtype '<c8'"),
            ("object.npy", "unsupported", "unsupported dtype '|O'"),
            ("structured.npy", "unsupported", "unsupported dtype"),
            ("missing_key.npy", "unreadable", "bad .npy header: keys are"),
            ("extra_key.npy", "unreadable", "bad .npy header: keys are"),
            ("bad_shape.npy", "unreadable", "bad .npy header"),
            ("does_not_exist.npy", "cannotOpen", "cannot open: No such file or directory"),
        ]
        for (name, kind, fault) in cases {
            let path = npyPath(name)
            XCTAssertThrowsError(try NPY.readFloats(path: path), name) { error in
                guard let e = error as? ImageError else { return XCTFail("\(name): \(error)") }
                XCTAssertEqual(e.file, path)
                XCTAssertEqual(faultCase(e), kind, name)
                XCTAssertTrue(e.fault.contains(fault), "\(name): '\(e.fault)' lacks '\(fault)'")
                XCTAssertEqual(e.description, "\(path): \(e.fault)")
            }
        }
        XCTAssertThrowsError(try NPY.readFloats(path: npyPath("does_not_exist.npy"))) {
            XCTAssertEqual($0 as? ImageError, .cannotOpen(npyPath("does_not_exist.npy"), reason: "No such file or directory"))
        }
    }

    func testReadInt32sRefusesFractionsAndOverflow() throws {
        let fractional = npyPath("labels_fractional_f4.npy")
        XCTAssertThrowsError(try NPY.readInt32s(path: fractional)) { error in
            XCTAssertEqual(error as? ImageError, .labelValue(fractional, value: "1.5", index: 1,
                                                             reason: "is not an integer (float32 labels must be integral)"))
        }
        let wide = npyPath("i8_out_of_range.npy")
        XCTAssertThrowsError(try NPY.readInt32s(path: wide)) { error in
            XCTAssertEqual(error as? ImageError, .labelValue(wide, value: "1099511627776", index: 1, reason: "is outside the Int32 range"))
        }
        XCTAssertEqual(try NPY.readInt32s(path: npyPath("labels_integral_f4.npy")).values, [0, 1, 2, 7])
    }

    func testWriteThenReadRoundTrips() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("npytests-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let floats: [Float] = [0, -1.5, .pi, .greatestFiniteMagnitude, -.leastNonzeroMagnitude, .infinity]
        try NPY.write(path: dir + "/f.npy", floats: floats, shape: [2, 3])
        let f = try NPY.readFloats(path: dir + "/f.npy")
        XCTAssertEqual(f.values, floats)
        XCTAssertEqual(f.shape, [2, 3])
        let ints: [Int32] = [.min, -1, 0, 1, .max]
        try NPY.write(path: dir + "/i.npy", int32s: ints, shape: [5])
        XCTAssertEqual(try NPY.readInt32s(path: dir + "/i.npy").values, ints)
        XCTAssertEqual(try NPY.readInt32s(path: dir + "/i.npy").shape, [5])
        try NPY.write(path: dir + "/s.npy", floats: [7], shape: [])
        XCTAssertEqual(try NPY.readFloats(path: dir + "/s.npy").shape, [])

        // numpy's layout: v1.0, header padded so the data start at a multiple of 64.
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/f.npy")))
        XCTAssertEqual(Array(bytes[0..<8]), [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        XCTAssertEqual((10 + headerLength) % 64, 0)
        XCTAssertEqual(bytes.count, 10 + headerLength + 24)
        let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        XCTAssertTrue(header.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"), header)
        XCTAssertTrue(header.hasSuffix("\n"))

        // Byte-identical to numpy's np.save for the same arrays.
        for (name, isFloat) in [("f4_le_c.npy", true), ("i4_le_c.npy", false), ("vector_i4.npy", false)] {
            let out = dir + "/" + name
            if isFloat {
                let a = try NPY.readFloats(path: npyPath(name))
                try NPY.write(path: out, floats: a.values, shape: a.shape)
            } else {
                let a = try NPY.readInt32s(path: npyPath(name))
                try NPY.write(path: out, int32s: a.values, shape: a.shape)
            }
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out)),
                           try Data(contentsOf: URL(fileURLWithPath: npyPath(name))), name)
        }

        XCTAssertThrowsError(try NPY.write(path: dir + "/bad.npy", floats: [1, 2], shape: [3])) { error in
            XCTAssertEqual(error as? ImageError, .cannotWrite(dir + "/bad.npy", detail: "cannot write .npy: shape (3,) does not hold 2 values"))
        }
        XCTAssertThrowsError(try NPY.write(path: dir + "/no/such/dir.npy", floats: [1], shape: [1])) { error in
            guard case .cannotWrite(_, let detail)? = error as? ImageError else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.hasPrefix("cannot create:"), detail)
        }
    }
}
