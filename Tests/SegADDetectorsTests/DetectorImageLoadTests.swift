import Foundation
import XCTest
import SegADNative
@testable import SegADDetectors

/// `DetectorImage.load` reads every format through `ImageFile.read`.
/// Golden: SegADNativeTests' Fixtures/jpeg/expected.json (Pillow's decode
/// after exif_transpose, see JPEGTests) and png/gray1.png (seeded bits).
final class DetectorImageLoadTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../SegADNativeTests/Fixtures").standardized.path

    func testJPEGWithOrientationComesOutAsPillowShowsIt() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/jpeg/expected.json"))
        let all = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
        for name in ["orientation6.jpg", "orientation2.jpg", "gray_progressive.jpg"] {
            let e = try XCTUnwrap(all[name])
            let w = try XCTUnwrap(e["width"] as? Int), h = try XCTUnwrap(e["height"] as? Int)
            let c = e["mode"] as? String == "L" ? 1 : 3
            let samples = try XCTUnwrap(e["samples"] as? [Int])
            let image = try DetectorImage.load(path: Self.fixtures + "/jpeg/" + name, height: h, width: w)
            XCTAssertEqual(image.channels, c, name)
            // Planar, scaled by 1/255.
            let want = (0..<(c * h * w)).map { i in Float(samples[(i % (h * w)) * c + i / (h * w)]) * (1 / Float(255)) }
            XCTAssertEqual(image.values, want, name)
        }
    }

    func testTooSmallAndNonImageFilesAreRefused() throws {
        // 7×5 is below the detectors' minimum of 8 a side: refused, naming the file.
        XCTAssertThrowsError(try DetectorImage.load(path: Self.fixtures + "/png/gray1.png", height: 8, width: 8)) {
            XCTAssertEqual($0 as? ImageError, .tooSmall(Self.fixtures + "/png/gray1.png", height: 5, width: 7, minSide: 8))
            XCTAssertTrue("\($0)".contains("gray1.png: image is 5×7 pixels (height×width); at least 8 a side"), "\($0)")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("detload-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let text = dir + "/image.png"
        try "not a picture".write(toFile: text, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try DetectorImage.load(path: text, height: 8, width: 8)) {
            XCTAssertEqual("\($0)", text + ": not an image (PNG, JPEG or TIFF expected)")
        }
    }
}
