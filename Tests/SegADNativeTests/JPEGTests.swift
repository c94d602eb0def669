// Golden files: Tests/SegADNativeTests/Fixtures/jpeg/*.jpg and expected.json,
// made by Fixtures/make_jpeg_fixtures.py with Pillow 13.0.0 (its bundled
// libjpeg-turbo 3.2.0): seeded 14×10 patterns saved as baseline gray, RGB
// 4:2:0 and 4:4:4, progressive gray and RGB, and RGB with each Exif
// orientation 1…8 (IFD0 in both byte orders); expected samples are what
// Pillow decodes after `ImageOps.exif_transpose`. Our reader (Debian's
// libjpeg-turbo 2.1.5, islow IDCT, fancy upsampling — Pillow's defaults)
// matches them EXACTLY, sample for sample.
import Foundation
import XCTest
@testable import SegADNative
import _TestSupport

private let jpegDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/jpeg").path

private func jpegPath(_ name: String) -> String { jpegDir + "/" + name }

final class JPEGTests: XCTestCase {
    func testDecodesExactlyLikePillowWithOrientation() throws {
        let expected = try PillowGolden.load(jpegPath("expected.json"))
        XCTAssertEqual(expected.count, 13)
        for e in expected { e.assertEqual(try ImageFile.read(path: jpegPath(e.name))) }
    }

    /// The orientation transforms on a 2×3 image, by hand (PIL's
    /// exif_transpose: 6 turns the stored image 90° clockwise, 8 counter-clockwise).
    func testOrientationTransformsByHand() {
        // a b c
        // d e f
        let src: [Character] = ["a", "b", "c", "d", "e", "f"]
        let cases: [(Int, Int, Int, String)] = [
            (1, 3, 2, "abcdef"), (2, 3, 2, "cbafed"), (3, 3, 2, "fedcba"), (4, 3, 2, "defabc"),
            (5, 2, 3, "adbecf"), (6, 2, 3, "daebfc"), (7, 2, 3, "fcebda"), (8, 2, 3, "cfbead"),
        ]
        for (o, w, h, want) in cases {
            let r = ExifOrientation.apply(o, src, width: 3, height: 2, channels: 1)
            XCTAssertEqual(r.width, w, "\(o)")
            XCTAssertEqual(r.height, h, "\(o)")
            XCTAssertEqual(String(r.samples), want, "\(o)")
        }
    }

    func testOrientationParserIsBoundsChecked() {
        // "Exif\0\0" + II*\0 + IFD at 8 with one entry 0x0112 SHORT 1 = 6.
        let good: [UInt8] = Array("Exif".utf8) + [0, 0, 0x49, 0x49, 42, 0, 8, 0, 0, 0, 1, 0,
                                                  0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0]
        XCTAssertEqual(ExifOrientation.parse(good), 6)
        var big = good
        big.replaceSubrange(6..<22, with: [0x4D, 0x4D, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0])
        big.replaceSubrange(22..<28, with: [0, 1, 0, 8, 0, 0])
        XCTAssertEqual(ExifOrientation.parse(big), 8)
        // Every truncation before the entry ends, an IFD offset past the end, a wrong type, a value out of 1…8: no crash, 1.
        for n in 0..<28 { XCTAssertEqual(ExifOrientation.parse(Array(good.prefix(n))), 1, "prefix \(n)") }
        var far = good; far[10] = 0xF0
        XCTAssertEqual(ExifOrientation.parse(far), 1)
        var manyEntries = good; manyEntries[14] = 0xFF; manyEntries[15] = 0xFF; manyEntries[16] = 0x31
        XCTAssertEqual(ExifOrientation.parse(manyEntries), 1)
        var long = good; long[18] = 4
        XCTAssertEqual(ExifOrientation.parse(long), 1)
        var nine = good; nine[24] = 9
        XCTAssertEqual(ExifOrientation.parse(nine), 1)
    }

    func testRefusedFilesSayOneLine() throws {
        let dir = try temporaryFolder()
        // YCCK through libjpeg's compressor (Pillow writes only Adobe CMYK).
        let ycck = dir + "/ycck.jpg"
        try JPEG.write(path: ycck, width: 16, height: 16, channels: 4,
                       pixels: (0..<(16 * 16 * 4)).map { UInt8($0 % 251) }, ycck: true)
        let text = dir + "/notes.jpg"
        try "quality report, not a picture\n".write(toFile: text, atomically: true, encoding: .utf8)
        let empty = dir + "/empty.jpg"
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        // The refusal as a case, and its printed text.
        let cases: [(String, ImageError?, String)] = [
            (jpegPath("cmyk.jpg"), .cmykRefused(jpegPath("cmyk.jpg"), colorSpace: "CMYK"),
             "JPEG holds CMYK color, which is not supported; convert to RGB or gray"),
            (ycck, .cmykRefused(ycck, colorSpace: "YCCK"), "JPEG holds YCCK color, which is not supported; convert to RGB or gray"),
            (jpegPath("truncated.jpg"), .truncated(jpegPath("truncated.jpg"), detail: "JPEG is truncated or corrupt (libjpeg: Premature end of JPEG file)"),
             "JPEG is truncated or corrupt (libjpeg: Premature end of JPEG file)"),
            (jpegPath("one_pixel.jpg"), .tooSmall(jpegPath("one_pixel.jpg"), height: 1, width: 1, minSide: 8),
             "image is 1×1 pixels (height×width); at least 8 a side is needed"),
            (text, .notAnImage(text), "not an image (PNG, JPEG or TIFF expected)"),
            (empty, .emptyFile(empty), "the file is empty; not an image (PNG, JPEG or TIFF expected)"),
            (dir, .isFolder(dir), "is a folder; not an image"),
            (dir + "/missing.jpg", .cannotOpen(dir + "/missing.jpg", reason: "No such file or directory"),
             "cannot open: No such file or directory"),
        ]
        for (path, expected, fault) in cases {
            XCTAssertThrowsError(try ImageFile.read(path: path), path) { error in
                guard let e = error as? ImageError else { return XCTFail("\(path): \(error)") }
                XCTAssertEqual(e, expected)
                XCTAssertEqual(e.file, path)
                XCTAssertTrue(e.fault.contains(fault), "'\(e.fault)' lacks '\(fault)'")
                XCTAssertFalse(e.description.contains("\n"), e.description)
            }
        }
        // A JPEG whose data is cut inside the entropy-coded rows of a progressive scan.
        let whole = try Data(contentsOf: URL(fileURLWithPath: jpegPath("rgb_progressive.jpg")))
        let cut = dir + "/cut.jpg"
        try whole.prefix(whole.count - 100).write(to: URL(fileURLWithPath: cut))
        XCTAssertThrowsError(try ImageFile.read(path: cut)) { XCTAssertEqual(faultCase($0), "truncated", "\($0)") }
    }

    /// The format comes from the first bytes, not the name.
    func testFormatByStructureNotExtension() throws {
        let dir = try temporaryFolder()
        let jpegNamedPNG = dir + "/photo.png"
        try FileManager.default.copyItem(atPath: jpegPath("gray_baseline.jpg"), toPath: jpegNamedPNG)
        XCTAssertEqual(try ImageFile.format(path: jpegNamedPNG), .jpeg)
        XCTAssertEqual(try ImageFile.read(path: jpegNamedPNG), try ImageFile.read(path: jpegPath("gray_baseline.jpg")))
        let pngNamedTIF = dir + "/scan.tif"
        try PNG.writeGray8(path: pngNamedTIF, width: 9, height: 8, pixels: (0..<72).map { UInt8($0) })
        XCTAssertEqual(try ImageFile.format(path: pngNamedTIF), .png)
        XCTAssertEqual(try ImageFile.read(path: pngNamedTIF).samples, (0..<72).map { Float($0) })
    }

    /// libjpeg's compressor through the shim (test fixtures) and back:
    /// quality 100 gray within 2 levels, progressive too.
    func testWriterRoundTrip() throws {
        let dir = try temporaryFolder()
        let w = 24, h = 16
        let gray = (0..<(w * h)).map { UInt8(60 + ($0 % w) * 4 + ($0 / w) * 3) }
        for progressive in [false, true] {
            let path = dir + "/g\(progressive).jpg"
            try JPEG.write(path: path, width: w, height: h, channels: 1, pixels: gray, quality: 100, progressive: progressive)
            let back = try JPEG.read(path: path)
            XCTAssertEqual(back.width, w)
            XCTAssertEqual(back.height, h)
            XCTAssertEqual(back.channels, 1)
            let worst = zip(back.samples, gray).map { abs($0 - Float($1)) }.max() ?? 99
            XCTAssertLessThanOrEqual(worst, 2, "progressive \(progressive)")
        }
    }

    func testLibjpegPrintsNothing() throws {
        let printed = try capturingStandardError {
            _ = try? JPEG.read(path: jpegPath("truncated.jpg"))
            _ = try? JPEG.read(path: jpegPath("cmyk.jpg"))
        }
        XCTAssertEqual(printed, "")
    }

}
