// Golden files: Tests/SegADNativeTests/Fixtures/jpeg/{extraneous_*,
// unknown_app9,padding_after_eoi,corrupt_*}.jpg and warnings.json, made by
// Fixtures/make_jpeg_fixtures.py (function `warnings`) with Pillow 13.0.0
// from its own rgb_baseline.jpg / rgb_progressive.jpg: bytes inserted before
// a header marker, before EOI, before a later scan; an unknown APP9 marker;
// padding after EOI — Pillow decodes each to the unmodified file's pixels,
// recorded in warnings.json. The corrupt files: a scan cut in half and
// closed with EOI, entropy-coded bytes overwritten with 0xFF 0x00 pairs
// (Pillow decodes both silently into damaged pixels), and a restart marker
// out of sequence (RST2 relabelled RST6; libjpeg resynchronizes, here
// without loss, but a broken sequence means data may be lost). All refused.
import Foundation
import XCTest
@testable import SegADNative
import _TestSupport

private let jpegDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/jpeg").path

private func jpegPath(_ name: String) -> String { jpegDir + "/" + name }

final class JPEGWarningTests: XCTestCase {
    /// Warnings about bytes outside the image data are passed over; the
    /// pixels are Pillow's, sample for sample.
    func testBenignWarningsDecodeExactlyLikePillow() throws {
        let expected = try PillowGolden.load(jpegPath("warnings.json"))
        XCTAssertEqual(expected.count, 5)
        for e in expected {
            let image = try ImageFile.read(path: jpegPath(e.name))
            e.assertEqual(image)
            let original = e.name.contains("scans") ? "rgb_progressive.jpg" : "rgb_baseline.jpg"
            XCTAssertEqual(image, try ImageFile.read(path: jpegPath(original)), e.name)
        }
    }

    /// Warnings that mean damaged image data refuse the file: one line,
    /// naming it, with libjpeg's words.
    func testCorruptDataIsRefused() throws {
        let cases: [(String, String)] = [
            ("truncated.jpg", "Premature end of JPEG file"),
            ("corrupt_cut_scan.jpg", "Corrupt JPEG data: premature end of data segment"),
            ("corrupt_huffman.jpg", "Corrupt JPEG data: bad Huffman code"),
            ("corrupt_restart.jpg", "Corrupt JPEG data: found marker 0xd6 instead of RST2"),
        ]
        for (name, libjpeg) in cases {
            let path = jpegPath(name)
            XCTAssertThrowsError(try ImageFile.read(path: path), name) { error in
                XCTAssertEqual(error as? ImageError,
                               .truncated(path, detail: "JPEG is truncated or corrupt (libjpeg: \(libjpeg))"), name)
                XCTAssertEqual("\(error)", "\(path): JPEG is truncated or corrupt (libjpeg: \(libjpeg))")
            }
        }
        // The entropy-coded data of the benign files cut short: refused too.
        for name in ["extraneous_before_eoi.jpg", "extraneous_between_scans.jpg"] {
            let whole = try Data(contentsOf: URL(fileURLWithPath: jpegPath(name)))
            let dir = try temporaryFolder()
            let cut = dir + "/" + name
            try whole.prefix(whole.count - 60).write(to: URL(fileURLWithPath: cut))
            XCTAssertThrowsError(try ImageFile.read(path: cut), name) { XCTAssertEqual(faultCase($0), "truncated", "\($0)") }
        }
    }

    func testWarningsPrintNothing() throws {
        let printed = try capturingStandardError {
            for name in ["extraneous_before_dqt.jpg", "extraneous_before_eoi.jpg", "corrupt_huffman.jpg"] {
                _ = try? JPEG.read(path: jpegPath(name))
            }
        }
        XCTAssertEqual(printed, "")
    }
}
