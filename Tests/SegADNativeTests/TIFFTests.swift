// Golden files: Tests/SegADNativeTests/Fixtures/tiff/*.tif and expected.json,
// made by Fixtures/make_fixtures.py with Python's `tifffile` (strips, tiles,
// big-endian, deflate, float16; RGB and integer files that must be refused;
// truncated copies). Expected values are the float32 arrays written.
import Foundation
import XCTest
@testable import SegADNative
import _TestSupport

private let tiffDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/tiff").path

private func tiffPath(_ name: String) -> String { tiffDir + "/" + name }

final class TIFFTests: XCTestCase {
    func testGoldenMapsReadExactly() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: tiffPath("expected.json")))
        let expected = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
        XCTAssertEqual(expected.count, 6)
        for (name, e) in expected.sorted(by: { $0.key < $1.key }) {
            let got = try TIFFMap.read(path: tiffPath(name))
            XCTAssertEqual(got.height, e["height"] as? Int, name)
            XCTAssertEqual(got.width, e["width"] as? Int, name)
            let values = try XCTUnwrap(e["values"] as? [Double]).map { Float($0) }
            XCTAssertEqual(got.values, values, name)
        }
    }

    func testRefusedFilesNameTheFault() {
        let cases: [(String, String, String)] = [
            ("rgb_f32.tif", "unsupported", "TIFF has 3 channels; expected 1"),
            ("rgb_u8.tif", "unsupported", "TIFF has 3 channels; expected 1"),
            ("int16.tif", "unsupported", "TIFF holds 16-bit signed integer samples; expected 32- or 16-bit floating point"),
            ("uint8.tif", "unsupported", "TIFF holds 8-bit unsigned integer samples"),
            ("f64.tif", "unsupported", "TIFF holds 64-bit floating point samples; expected 32 or 16"),
            ("not_a_tiff.tif", "unreadable", "cannot open as TIFF (libtiff:"),
            ("truncated.tif", "unreadable", "libtiff:"),
            ("truncated_data.tif", "truncated", "cannot decode TIFF tile 5 (data truncated or corrupt)"),
            ("does_not_exist.tif", "unreadable", "No such file or directory"),
        ]
        for (name, kind, fault) in cases {
            let path = tiffPath(name)
            XCTAssertThrowsError(try TIFFMap.read(path: path), name) { error in
                guard let e = error as? ImageError else { return XCTFail("\(name): \(error)") }
                XCTAssertEqual(e.file, path)
                XCTAssertEqual(faultCase(e), kind, name)
                XCTAssertTrue(e.fault.contains(fault), "\(name): '\(e.fault)' lacks '\(fault)'")
                XCTAssertFalse(e.description.contains("\n"), e.description)
            }
        }
    }

    /// libtiff's messages go into the error, not to stderr.
    func testLibtiffPrintsNothing() throws {
        let printed = try capturingStandardError {
            _ = try? TIFFMap.read(path: tiffPath("not_a_tiff.tif"))
            _ = try? TIFFMap.read(path: tiffPath("truncated.tif"))
            _ = try? TIFFMap.read(path: tiffPath("truncated_data.tif"))
        }
        XCTAssertEqual(printed, "")
    }

    /// The capture the "prints nothing" tests rely on sees what reaches fd 2
    /// (through C's stdio too), so those tests can fail.
    func testStandardErrorCaptureSeesWhatReachesDescriptor2() throws {
        let printed = try capturingStandardError {
            FileHandle.standardError.write(Data("a library message\n".utf8))
            errno = ENOENT
            perror("stdio")
        }
        XCTAssertTrue(printed.hasPrefix("a library message\nstdio: "), printed)
    }
}
