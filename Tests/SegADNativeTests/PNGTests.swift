// Golden files: Tests/SegADNativeTests/Fixtures/png/*.png and expected.json,
// made by Fixtures/make_fixtures.py, which writes PNG chunks by hand with
// Python's zlib + struct (gray 1/4/8/16-bit, gray+alpha, RGB 8/16, RGBA,
// palette 4/8-bit; truncated, empty, non-PNG and bad-CRC files). Expected
// samples are the values encoded; `gray` is numpy's 0.299 R + 0.587 G + 0.114 B
// in float64.
import Foundation
import XCTest
@testable import SegADNative

private let pngDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/png").path

private func pngPath(_ name: String) -> String { pngDir + "/" + name }

final class PNGTests: XCTestCase {
    func testGoldenImagesDecode() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: pngPath("expected.json")))
        let expected = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
        XCTAssertEqual(expected.count, 10)
        for (name, e) in expected.sorted(by: { $0.key < $1.key }) {
            let image = try PNG.read(path: pngPath(name))
            XCTAssertEqual(image.width, e["width"] as? Int, name)
            XCTAssertEqual(image.height, e["height"] as? Int, name)
            XCTAssertEqual(image.channels, e["channels"] as? Int, name)
            XCTAssertEqual(image.bitDepth, e["bitDepth"] as? Int, name)
            XCTAssertEqual(image.samples, try XCTUnwrap(e["samples"] as? [Int]).map { UInt16($0) }, name)
            // Float luma against float64 numpy: relative 1e-6 (a few Float ulps).
            let gray = try XCTUnwrap(e["gray"] as? [Double])
            let got = image.grayFloats()
            XCTAssertEqual(got.count, gray.count, name)
            for (a, b) in zip(got, gray) {
                XCTAssertEqual(Double(a), b, accuracy: 1e-6 * max(1, abs(b)), name)
            }
        }
    }

    func testBrokenFilesCarryLibpngMessage() {
        let cases: [(String, String, String)] = [
            ("truncated.png", "unreadable", "not a readable PNG (libpng: "),
            ("empty.png", "unreadable", "the file is empty"),
            ("not_a_png.png", "unreadable", "not a readable PNG (libpng: Not a PNG file)"),
            ("bad_crc.png", "unreadable", "CRC error"),
            ("does_not_exist.png", "cannotOpen", "cannot open: No such file or directory"),
        ]
        for (name, kind, fault) in cases {
            let path = pngPath(name)
            XCTAssertThrowsError(try PNG.read(path: path), name) { error in
                guard let e = error as? ImageError else { return XCTFail("\(name): \(error)") }
                XCTAssertEqual(e.file, path)
                XCTAssertEqual(faultCase(e), kind, name)
                XCTAssertTrue(e.fault.contains(fault), "\(name): '\(e.fault)' lacks '\(fault)'")
                XCTAssertFalse(e.description.contains("\n"), e.description)
            }
        }
    }

    func testWritersRoundTrip() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pngtests-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let w = 5, h = 3
        let g8 = (0..<(w * h)).map { UInt8(($0 * 37) % 256) }
        try PNG.writeGray8(path: dir + "/g8.png", width: w, height: h, pixels: g8)
        XCTAssertEqual(try PNG.read(path: dir + "/g8.png"),
                       PNGImage(width: w, height: h, channels: 1, bitDepth: 8, samples: g8.map(UInt16.init)))
        let g16 = (0..<(w * h)).map { UInt16(($0 * 4099) % 65536) }
        try PNG.writeGray16(path: dir + "/g16.png", width: w, height: h, pixels: g16)
        XCTAssertEqual(try PNG.read(path: dir + "/g16.png"),
                       PNGImage(width: w, height: h, channels: 1, bitDepth: 16, samples: g16))
        let rgb = (0..<(w * h * 3)).map { UInt8(($0 * 53) % 256) }
        try PNG.writeRGB8(path: dir + "/rgb.png", width: w, height: h, pixels: rgb)
        XCTAssertEqual(try PNG.read(path: dir + "/rgb.png"),
                       PNGImage(width: w, height: h, channels: 3, bitDepth: 8, samples: rgb.map(UInt16.init)))

        XCTAssertThrowsError(try PNG.writeGray8(path: dir + "/bad.png", width: w, height: h, pixels: [1])) { error in
            XCTAssertEqual(error as? ImageError, .cannotWrite(dir + "/bad.png", detail: "cannot write PNG: 1 samples given for 3×5×1"))
        }
        XCTAssertThrowsError(try PNG.writeGray8(path: dir + "/no/dir.png", width: 1, height: 1, pixels: [1])) { error in
            guard case .cannotWrite(_, let detail)? = error as? ImageError else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.hasPrefix("cannot create:"), detail)
        }
    }

    func testGrayFloatsUsesBT601Weights() {
        let image = PNGImage(width: 2, height: 1, channels: 4, bitDepth: 8, samples: [100, 0, 0, 7, 0, 200, 50, 255])
        let g = image.grayFloats()
        XCTAssertEqual(g[0], 29.9, accuracy: 1e-4)
        XCTAssertEqual(g[1], 0.587 * 200 + 0.114 * 50, accuracy: 1e-4)
    }
}
