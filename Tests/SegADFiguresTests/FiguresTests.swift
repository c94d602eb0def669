import Foundation
import XCTest
@testable import SegADFigures
import SegADNative

/// Canvas, bitmap font and Fig. 6 histogram.
final class FiguresTests: XCTestCase {
    // MARK: Font

    func testEveryPrintableASCIICharacterHasItsOwnGlyph() {
        var seen = [[UInt8]: Character]()
        for code in UInt8(32)...126 {
            let c = Character(UnicodeScalar(code))
            XCTAssertTrue(BitmapFont.hasGlyph(c), "no glyph for \(c)")
            let glyph = BitmapFont.glyph(c)
            XCTAssertEqual(glyph.count, BitmapFont.glyphHeight)
            XCTAssertTrue(glyph.allSatisfy { $0 < 1 << BitmapFont.glyphWidth })
            XCTAssertEqual(glyph.allSatisfy { $0 == 0 }, c == " ", "ink of \(c)")
            if let other = seen[glyph] { XCTFail("\(c) and \(other) share a glyph") }
            seen[glyph] = c
        }
    }

    func testCharactersWithoutGlyphDrawAsQuestionMark() {
        XCTAssertFalse(BitmapFont.hasGlyph("é"))
        XCTAssertEqual(BitmapFont.glyph("é"), BitmapFont.glyph("?"))
        XCTAssertTrue(BitmapFont.hasGlyph("±"))
        XCTAssertTrue(BitmapFont.hasGlyph("↑"))
    }

    func testTextInkFillsExactlyItsBox() {
        // "A" inks the top row and the first column, "g" the last column and
        // the bottom descender row, so the ink's bounding box is the whole box.
        for scale in 1...3 {
            var canvas = Canvas(width: 80, height: 60)
            canvas.drawText("Ag", x: 10, y: 7, color: Palette.black, scale: scale)
            let size = BitmapFont.size(of: "Ag", scale: scale)
            XCTAssertEqual(size.width, (2 * 6 - 1) * scale)
            XCTAssertEqual(size.height, 9 * scale)
            XCTAssertEqual(inkBox(canvas), Box(x0: 10, y0: 7, x1: 10 + size.width, y1: 7 + size.height))
        }
    }

    func testRotatedTextFillsTheTurnedBox() {
        var canvas = Canvas(width: 60, height: 60)
        canvas.drawTextRotated("Ag", x: 5, y: 3, color: Palette.black, scale: 2)
        let size = BitmapFont.size(of: "Ag", scale: 2)
        XCTAssertEqual(inkBox(canvas), Box(x0: 5, y0: 3, x1: 5 + size.height, y1: 3 + size.width))
    }

    func testTextOffTheCanvasIsClipped() {
        var canvas = Canvas(width: 20, height: 10)
        canvas.drawText("Hello, world", x: -7, y: 4, color: Palette.black, scale: 2)
        XCTAssertEqual(canvas.pixels.count, 20 * 10 * 3)
        XCTAssertNotNil(inkBox(canvas))
    }

    func testMultilineTextSize() {
        let size = BitmapFont.size(of: "ab\nlonger", scale: 1)
        XCTAssertEqual(size.width, 6 * 6 - 1)
        XCTAssertEqual(size.height, 11 + 9)
        XCTAssertTrue(BitmapFont.size(of: "").width == 0 && BitmapFont.size(of: "").height == 0)
    }

    // MARK: Canvas

    func testLinesIncludeBothEndsInEveryOctant() {
        for (dx, dy) in [(9, 3), (3, 9), (-9, 3), (-3, -9), (9, -3), (0, 5), (5, 0), (0, 0)] {
            var canvas = Canvas(width: 30, height: 30)
            canvas.drawLine(x0: 15, y0: 15, x1: 15 + dx, y1: 15 + dy, color: Palette.black)
            XCTAssertEqual(canvas[15, 15], Palette.black)
            XCTAssertEqual(canvas[15 + dx, 15 + dy], Palette.black)
            let ink = canvas.pixels.indices.filter { $0 % 3 == 0 && canvas.pixels[$0] == 0 }.count
            XCTAssertEqual(ink, max(abs(dx), abs(dy)) + 1, "(\(dx), \(dy))")
        }
    }

    func testRectOutlineAndBlend() {
        var canvas = Canvas(width: 10, height: 10)
        canvas.drawRectOutline(x: 2, y: 2, width: 5, height: 4, color: Palette.black)
        XCTAssertEqual(inkBox(canvas), Box(x0: 2, y0: 2, x1: 7, y1: 6))
        XCTAssertEqual(canvas[4, 4], Palette.white)
        canvas.fillRect(x: 0, y: 0, width: 1, height: 1, color: Palette.black, alpha: 0.5)
        XCTAssertEqual(canvas[0, 0], RGB(128, 128, 128))
        var overlay = Canvas(width: 2, height: 2, background: Palette.bad)
        overlay[1, 1] = Palette.black
        canvas.blend(overlay, alpha: 1, x: 8, y: 8)
        XCTAssertEqual(canvas[8, 8], Palette.bad)
        XCTAssertEqual(canvas[9, 9], Palette.black)
    }

    func testHeatColorIsViridisAndBrightens() {
        XCTAssertEqual(Palette.heat(0), RGB(hex: 0x440154))
        XCTAssertEqual(Palette.heat(1), RGB(hex: 0xFDE725))
        XCTAssertEqual(Palette.heat(0.5), RGB(hex: 0x21918C))
        XCTAssertEqual(Palette.heat(-3), Palette.heat(0))
        XCTAssertEqual(Palette.heat(7), Palette.heat(1))
        XCTAssertEqual(Palette.heat(.nan), Palette.heat(0))
        // Viridis' lightness rises monotonically; so must the approximation's luma.
        func luma(_ c: RGB) -> Double { 0.2126 * Double(c.r) + 0.7152 * Double(c.g) + 0.0722 * Double(c.b) }
        let lumas = stride(from: Float(0), through: 1, by: 0.02).map { luma(Palette.heat($0)) }
        XCTAssertTrue(zip(lumas, lumas.dropFirst()).allSatisfy { $0 <= $1 })
    }

    func testMagnifiedRasterOutlinesSegmentBordersAndClips() {
        // 2×3 raster, labels 0 0 1 / 0 2 2, enlarged 3×: borders are the last
        // column (row) of a pixel whose right (lower) neighbour differs.
        let colors = [Palette.blue, Palette.orange, Palette.yellow, Palette.skyBlue, Palette.vermillion, Palette.black]
        let labels: [Int32] = [0, 0, 1, 0, 2, 2]
        var canvas = Canvas(width: 12, height: 9)
        canvas.drawMagnified(colors, height: 2, width: 3, scale: 3, x: 1, y: 1, outlines: labels)
        func expected(_ cx: Int, _ cy: Int) -> RGB {
            let rx = cx - 1, ry = cy - 1
            guard (0..<9).contains(rx), (0..<6).contains(ry) else { return Palette.white }
            let sx = rx / 3, sy = ry / 3, i = sy * 3 + sx
            if rx % 3 == 2 && sx < 2 && labels[i] != labels[i + 1] { return Palette.segmentOutline }
            if ry % 3 == 2 && sy < 1 && labels[i] != labels[i + 3] { return Palette.segmentOutline }
            return colors[i]
        }
        for cy in 0..<9 { for cx in 0..<12 { XCTAssertEqual(canvas[cx, cy], expected(cx, cy), "(\(cx), \(cy))") } }
        XCTAssertEqual(canvas[6, 1], Palette.segmentOutline, "border between labels 0 and 1")
        XCTAssertEqual(canvas[3, 1], Palette.blue, "no border between two pixels of label 0")
        XCTAssertEqual(canvas[4, 3], Palette.segmentOutline, "border between label 0 and label 2 below it")
        // Off the canvas on every side: the visible part, nothing else, no trap.
        var clipped = Canvas(width: 4, height: 4)
        clipped.drawMagnified(colors, height: 2, width: 3, scale: 3, x: -5, y: -2, outlines: labels)
        XCTAssertEqual(clipped[0, 0], canvas[1 + 5, 1 + 2])
        XCTAssertEqual(clipped[3, 3], canvas[1 + 8, 1 + 5])
    }

    func testOnePaletteForEveryFigure() {
        // Segments: the seven Okabe–Ito hues in a fixed order, then distinct hues.
        XCTAssertEqual((0..<7).map(Palette.segment),
                       [Palette.blue, Palette.orange, Palette.bluishGreen, Palette.vermillion, Palette.skyBlue,
                        Palette.yellow, Palette.reddishPurple])
        XCTAssertEqual(Set((0..<40).map(Palette.segment)).count, 40)
        // Histogram series take the sample kinds' colours, then the spare ones in `series` order.
        XCTAssertEqual(Histogram.colors(for: ["other", "Bad", "good"]), [Palette.unseen, Palette.bad, Palette.good])
        XCTAssertEqual(RGB(gray: 0.5), RGB(128, 128, 128))
        XCTAssertEqual(RGB(gray: -1), Palette.black)
        XCTAssertEqual(RGB(gray: 2), Palette.white)
        // The derived-segmentation figure's legend boxes are the palette's segment colours.
        let (h, w) = (8, 8)
        let labels = (0..<(h * w)).map { Int32($0 % w * 3 / w) }
        let canvas = SegmentationOverlay.render(title: "t", panels: [.init(gray: [Float](repeating: 0.5, count: h * w),
                                                                            labels: labels, caption: "c")],
                                                height: h, width: w, segments: 3, counts: [3, 3, 2])
        let found = Set(canvas.pixels.indices.filter { $0 % 3 == 0 }.map {
            RGB(canvas.pixels[$0], canvas.pixels[$0 + 1], canvas.pixels[$0 + 2]) })
        for l in 0..<3 {
            XCTAssertTrue(found.contains(Palette.segment(l)), "legend box of segment \(l)")
            XCTAssertTrue(found.contains(RGB(gray: 0.5).mixed(with: Palette.segment(l), alpha: Palette.segmentAlpha)))
        }
    }

    // MARK: Histogram

    func testEachSeriesBarsAppearInItsColour() {
        let series: [(name: String, values: [Double])] = [
            ("good", (0..<500).map { Double($0) / 500 }),
            ("bad", (0..<20).map { 3 + Double($0) / 20 }),
            ("unseen", [1.5, 1.6, 1.7]),
            ("uncertain", [2.2, 2.3]),
        ]
        let canvas = Histogram.render(title: "colours", series: series)
        XCTAssertEqual(canvas.pixels.count, 720 * 420 * 3)
        let counts = colourCounts(canvas)
        for color in [Palette.good, Palette.bad, Palette.unseen, Palette.uncertain] {
            let fill = Palette.white.mixed(with: color, alpha: Histogram.fillAlpha)
            XCTAssertGreaterThan(counts[fill, default: 0], 100, "fill of \(color)")
            XCTAssertGreaterThan(counts[color, default: 0], 20, "outline of \(color)")
        }
    }

    func testDensitiesHaveUnitAreaAndShareBins() {
        let binned = Histogram.bin(series: [("a", [0, 1, 2, 3, 4, .nan]), ("b", [4, 4, .infinity]), ("c", [])],
                                   bins: 8)
        XCTAssertEqual(binned.names, ["a", "b"])
        XCTAssertEqual(binned.counts, [5, 2])
        XCTAssertEqual(binned.skipped, [1, 1])
        XCTAssertEqual(binned.lo, 0)
        XCTAssertEqual(binned.hi, 4)
        for densities in binned.densities {
            XCTAssertEqual(densities.count, 8)
            XCTAssertEqual(densities.reduce(0, +) * 0.5, 1, accuracy: 1e-12)
        }
        XCTAssertEqual(binned.densities[1][7], 2) // both 4s in the last bin
    }

    func testDegenerateInputsDoNotCrash() {
        let cases: [[(name: String, values: [Double])]] = [
            [],
            [("good", [])],
            [("good", [0.3, 0.3, 0.3])],
            [("good", [0, 0])],
            [("bad", [.nan, .nan])],
            [("good", [-.infinity, 1, .infinity]), ("bad", [.nan, 2])],
            [("x", [1e-12, 2e-12]), ("y", [1e12])],
        ]
        for series in cases {
            for (bins, width, height) in [(40, 720, 420), (0, 10, 10), (1000, 300, 200)] {
                let canvas = Histogram.render(title: "degenerate", series: series, bins: bins,
                                              width: width, height: height)
                XCTAssertEqual(canvas.pixels.count, canvas.width * canvas.height * 3)
            }
        }
        let constant = Histogram.bin(series: [("good", [0.3, 0.3])], bins: 10)
        XCTAssertLessThan(constant.lo, 0.3)
        XCTAssertGreaterThan(constant.hi, 0.3)
    }

    func testTickLabelsAreCompactAndDistinct() {
        XCTAssertEqual(Histogram.compact(0.25, digits: 3), "0.25")
        XCTAssertEqual(Histogram.compact(1.5e-5, digits: 3), "1.5e-5")
        XCTAssertEqual(Histogram.compact(3e6, digits: 3), "3e6")
        XCTAssertEqual(Histogram.compact(-2, digits: 3), "-2")
        XCTAssertEqual(Histogram.distinctLabels([1000.5, 1000.6, 1000.7]), ["1000.5", "1000.6", "1000.7"])
        XCTAssertEqual(Histogram.niceStep(0.3), 0.5)
        XCTAssertEqual(Histogram.niceStep(2), 2)
        XCTAssertEqual(Histogram.niceStep(7), 10)
        XCTAssertEqual(Histogram.shortened("abcdefghij", toWidth: 59), "abcdefghij")
        XCTAssertEqual(Histogram.shortened("abcdefghij", toWidth: 58), "abcdef...")
    }

    func testWrittenPNGHasTheCanvasSize() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("FiguresTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("fig6.png").path
        try Data("old".utf8).write(to: URL(fileURLWithPath: path))
        try Histogram.write(path: path, title: "sizes", series: [("good", [0.1, 0.2]), ("bad", [0.9])],
                            width: 333, height: 222)
        // PNG signature first, then what libpng reads back: the canvas itself.
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)).prefix(8))
        XCTAssertEqual(bytes, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let image = try PNG.read(path: path)
        XCTAssertEqual(image.width, 333)
        XCTAssertEqual(image.height, 222)
        XCTAssertEqual(image.channels, 3)
        XCTAssertEqual(image.bitDepth, 8)
        let expected = Histogram.render(title: "sizes", series: [("good", [0.1, 0.2]), ("bad", [0.9])],
                                        width: 333, height: 222)
        XCTAssertEqual(image.samples, expected.pixels.map(UInt16.init))
        // Written atomically: no temporary file is left beside it.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["fig6.png"])
    }

    func testWriteIntoAMissingDirectoryThrows() {
        XCTAssertThrowsError(try Histogram.write(path: "/nonexistent-dir-\(UUID().uuidString)/fig.png",
                                                 title: "t", series: [("good", [1])]))
    }

    // MARK: Helpers

    private struct Box: Equatable { var x0, y0, x1, y1: Int }

    /// The bounding box [x0, x1) × [y0, y1) of non-white pixels, if any.
    private func inkBox(_ canvas: Canvas) -> Box? {
        var box: Box?
        for y in 0..<canvas.height {
            for x in 0..<canvas.width where canvas[x, y] != Palette.white {
                box = Box(x0: min(box?.x0 ?? x, x), y0: min(box?.y0 ?? y, y),
                          x1: max(box?.x1 ?? x + 1, x + 1), y1: max(box?.y1 ?? y + 1, y + 1))
            }
        }
        return box
    }

    private func colourCounts(_ canvas: Canvas) -> [RGB: Int] {
        var counts = [RGB: Int]()
        for i in stride(from: 0, to: canvas.pixels.count, by: 3) {
            counts[RGB(canvas.pixels[i], canvas.pixels[i + 1], canvas.pixels[i + 2]), default: 0] += 1
        }
        return counts
    }
}
