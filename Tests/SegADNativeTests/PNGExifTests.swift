// Golden files: Tests/SegADNativeTests/Fixtures/png_exif/*.png and
// expected.json, made by Fixtures/make_png_exif_fixtures.py with Pillow
// 13.0.0: seeded 14×10 images (8-bit RGB with each Exif orientation 1…8 in
// both byte orders; 16-bit gray, palette and gray+alpha with one orientation
// each) saved with an eXIf chunk; one with the chunk after the image data,
// one whose chunk repeats the JPEG prefix `Exif\0\0`, one whose chunk holds
// no TIFF header. Expected samples are what Pillow shows after
// `ImageOps.exif_transpose` (palette expanded to RGB, alpha dropped); the
// reader must match them exactly.
import Foundation
import XCTest
import _TestSupport
@testable import SegADNative

private let exifDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/png_exif").path

private func exifPath(_ name: String) -> String { exifDir + "/" + name }

final class PNGExifTests: XCTestCase {
    func testOrientationIsAppliedExactlyLikePillow() throws {
        let expected = try PillowGolden.load(exifPath("expected.json"))
        XCTAssertEqual(expected.count, 14)
        for e in expected { e.assertEqual(try ImageFile.read(path: exifPath(e.name))) }
    }

    /// `PNG.read` (label maps too) reports the orientation and keeps the
    /// samples as stored: all eight orientation files hold the same pixels.
    func testPNGReadReportsButDoesNotApply() throws {
        let stored = try PNG.read(path: exifPath("orientation1.png"))
        XCTAssertEqual(stored.exifOrientation, 1)
        for o in 2...8 {
            let png = try PNG.read(path: exifPath("orientation\(o).png"))
            XCTAssertEqual(png.exifOrientation, o)
            XCTAssertEqual(png.samples, stored.samples, "\(o)")
            XCTAssertEqual(png.width, 14)
        }
        XCTAssertEqual(try PNG.read(path: exifPath("after_idat_orientation8.png")).exifOrientation, 8)
        XCTAssertEqual(try PNG.read(path: exifPath("prefixed_exif.png")).exifOrientation, 6)
        XCTAssertEqual(try PNG.read(path: exifPath("junk_exif.png")).exifOrientation, 1)
        // A PNG without eXIf (the project's own writer): 1.
        let dir = try temporaryFolder()
        try PNG.writeGray8(path: dir + "/plain.png", width: 9, height: 8, pixels: [UInt8](repeating: 5, count: 72))
        XCTAssertEqual(try PNG.read(path: dir + "/plain.png").exifOrientation, 1)
    }

    /// One parser for JPEG's APP1 payload and PNG's eXIf chunk: the
    /// TIFF-structured block with zero, one or two `Exif\0\0` prefixes (as
    /// Pillow's Exif.load), never three.
    func testOneParserForBothCarriers() {
        // II*\0, IFD at 8, one entry 0x0112 SHORT 1 = 3.
        let tiff: [UInt8] = [0x49, 0x49, 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0]
        let prefix = Array("Exif".utf8) + [0, 0]
        XCTAssertEqual(ExifOrientation.parse(tiff: tiff), 3)
        XCTAssertEqual(ExifOrientation.parse(tiff), 3)
        XCTAssertEqual(ExifOrientation.parse(prefix + tiff), 3)
        XCTAssertEqual(ExifOrientation.parse(prefix + prefix + tiff), 3)
        XCTAssertEqual(ExifOrientation.parse(prefix + prefix + prefix + tiff), 1)
        XCTAssertEqual(ExifOrientation.parse(tiff: prefix + tiff), 1)
        // Cut anywhere before the entry ends (byte 22): no crash, 1; the next-IFD offset is not needed.
        for n in 0..<22 { XCTAssertEqual(ExifOrientation.parse(tiff: Array(tiff.prefix(n))), 1, "prefix \(n)") }
        XCTAssertEqual(ExifOrientation.parse(tiff: Array(tiff.prefix(22))), 3)
    }
}
