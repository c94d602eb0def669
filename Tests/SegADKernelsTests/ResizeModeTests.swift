// Golden file: Golden/resize_modes.json, made by Golden/make_resize_modes.py
// (numpy and Pillow): pad's destination box read off Pillow's ImageOps.pad
// (an all-white image padded onto black, its getbbox), crop's box from
// ImageOps.fit's formulas rounded to whole pixels, and the expected planes
// from a float64 numpy bilinear resize (torch's align_corners=False) into
// those boxes.
import Foundation
import XCTest
import SegADKernels

struct ResizeModesGolden: Decodable {
    struct Case: Decodable {
        var height: Int, width: Int, toHeight: Int, toWidth: Int
        var src: [Float]
        var pad_box: [Int], crop_box: [Int]
        var pad: [Double], crop: [Double]
    }
    var cases: [Case]
}

final class ResizeModeTests: XCTestCase {
    func testPadAndCropMatchPillowGeometryAndNumpyValues() throws {
        let g = try JSONDecoder().decode(ResizeModesGolden.self, from: Data(contentsOf: goldenURL("resize_modes.json")))
        XCTAssertEqual(g.cases.count, 11)
        for c in g.cases {
            let name = "\(c.height)x\(c.width) → \(c.toHeight)x\(c.toWidth)"
            let pad = ResizeMode.pad.box(height: c.height, width: c.width, toHeight: c.toHeight, toWidth: c.toWidth)
            XCTAssertEqual([pad.dstY0, pad.dstX0, pad.dstHeight, pad.dstWidth], c.pad_box, "pad " + name)
            XCTAssertEqual([pad.srcY0, pad.srcX0, pad.srcHeight, pad.srcWidth], [0, 0, c.height, c.width], "pad " + name)
            let crop = ResizeMode.crop.box(height: c.height, width: c.width, toHeight: c.toHeight, toWidth: c.toWidth)
            XCTAssertEqual([crop.srcY0, crop.srcX0, crop.srcHeight, crop.srcWidth], c.crop_box, "crop " + name)
            XCTAssertEqual([crop.dstY0, crop.dstX0, crop.dstHeight, crop.dstWidth], [0, 0, c.toHeight, c.toWidth], "crop " + name)
            for (mode, expected) in [(ResizeMode.pad, c.pad), (.crop, c.crop)] {
                let out = mode.apply(c.src, height: c.height, width: c.width, toHeight: c.toHeight, toWidth: c.toWidth)
                XCTAssertEqual(out.count, expected.count, "\(mode) " + name)
                let worst = zip(out, expected).map { abs(Double($0) - $1) }.max() ?? .infinity
                XCTAssertLessThan(worst, 1e-5, "\(mode) " + name)
            }
        }
    }

    /// Stretch is the plain bilinear resize, bit for bit; an image of the
    /// working aspect is resized the same way in every mode.
    func testStretchAndSameAspectAreTheBilinearResize() {
        var rng = SplitMix64(seed: 3)
        let src = (0..<(12 * 18)).map { _ in rng.unitFloat() }
        let plain = Resize.bilinear(src, height: 12, width: 18, toHeight: 20, toWidth: 30)
        for mode in ResizeMode.allCases {
            XCTAssertEqual(mode.apply(src, height: 12, width: 18, toHeight: 20, toWidth: 30), plain, "\(mode)")
        }
        let other = Resize.bilinear(src, height: 12, width: 18, toHeight: 16, toWidth: 16)
        XCTAssertEqual(ResizeMode.stretch.apply(src, height: 12, width: 18, toHeight: 16, toWidth: 16), other)
        XCTAssertNotEqual(ResizeMode.pad.apply(src, height: 12, width: 18, toHeight: 16, toWidth: 16), other)
        XCTAssertNotEqual(ResizeMode.crop.apply(src, height: 12, width: 18, toHeight: 16, toWidth: 16), other)
    }
}
