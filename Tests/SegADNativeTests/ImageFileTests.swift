// Fixtures are made here: PNGs by the project's writer, TIFFs by TestTIFF
// (hand-written, uncompressed), JPEGs from Fixtures/jpeg (see JPEGTests).
// Expected samples are the values written.
import Foundation
import XCTest
import _TestSupport
@testable import SegADNative

private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

final class ImageFileTests: XCTestCase {
    func testPNG16BitAnd1Bit() throws {
        let dir = try temporaryFolder()
        let g16 = (0..<(12 * 9)).map { UInt16(($0 * 4099) % 65536) }
        try PNG.writeGray16(path: dir + "/g16.png", width: 12, height: 9, pixels: g16)
        let image = try ImageFile.read(path: dir + "/g16.png")
        XCTAssertEqual(image, RasterImage(width: 12, height: 9, channels: 1, maxValue: 65535, samples: g16.map(Float.init)))
        // 1-bit gray keeps its stored values, 0 and 1, with full white 1
        // (fixture 7×5, below the detectors' minimum, hence minSide 1).
        let bits = try ImageFile.read(path: fixtures + "/png/gray1.png", minSide: 1)
        XCTAssertEqual(bits.maxValue, 1)
        XCTAssertEqual(Set(bits.samples), [0, 1])
        XCTAssertEqual(try PNG.read(path: fixtures + "/png/gray1.png").expandedTo8Bit().samples,
                       bits.samples.map { UInt16($0) * 255 })
        // RGBA: alpha dropped.
        let rgba = try ImageFile.read(path: fixtures + "/png/rgba8.png", minSide: 1)
        let png = try PNG.read(path: fixtures + "/png/rgba8.png")
        XCTAssertEqual(rgba.channels, 3)
        XCTAssertEqual(rgba.samples, (0..<(png.width * png.height * 3)).map { Float(png.samples[$0 / 3 * 4 + $0 % 3]) })
        XCTAssertEqual(rgba.grayFloats(), png.grayFloats())
    }

    func testTIFFImages() throws {
        let dir = try temporaryFolder()
        let w = 9, h = 8, n = w * h
        // 8-bit gray
        let g8 = (0..<n).map { UInt8(($0 * 7) % 256) }
        try write(TestTIFF.image(width: w, height: h, samplesPerPixel: 1, bits: 8, data: g8), dir + "/g8.tif")
        XCTAssertEqual(try ImageFile.read(path: dir + "/g8.tif"),
                       RasterImage(width: w, height: h, channels: 1, maxValue: 255, samples: g8.map(Float.init)))
        // Orientation tag 6 (to be turned 90° clockwise), as ExifOrientation does for JPEG.
        try write(TestTIFF.image(width: w, height: h, samplesPerPixel: 1, bits: 8, extra: [(274, TestTIFF.short, [6])],
                                 data: g8), dir + "/turned.tif")
        let turned = try ImageFile.read(path: dir + "/turned.tif")
        XCTAssertEqual([turned.width, turned.height], [h, w])
        XCTAssertEqual(turned.samples, ExifOrientation.apply(6, g8, width: w, height: h, channels: 1).samples.map(Float.init))
        XCTAssertEqual(turned.samples[0], Float(g8[(h - 1) * w]))  // top-left shows the stored bottom-left
        // 8-bit gray stored min-is-white: inverted.
        try write(TestTIFF.image(width: w, height: h, samplesPerPixel: 1, bits: 8, photometric: 0, data: g8), dir + "/white.tif")
        XCTAssertEqual(try ImageFile.read(path: dir + "/white.tif").samples, g8.map { 255 - Float($0) })
        // 16-bit RGB
        let rgb16 = (0..<(3 * n)).map { UInt16(($0 * 2731) % 65536) }
        try write(TestTIFF.image(width: w, height: h, samplesPerPixel: 3, bits: 16, data: TestTIFF.littleEndian(rgb16)),
                  dir + "/rgb16.tif")
        XCTAssertEqual(try ImageFile.read(path: dir + "/rgb16.tif"),
                       RasterImage(width: w, height: h, channels: 3, maxValue: 65535, samples: rgb16.map(Float.init)))
        // 16-bit RGBA: alpha dropped.
        let rgba16 = (0..<(4 * n)).map { UInt16(($0 * 977) % 65536) }
        try write(TestTIFF.image(width: w, height: h, samplesPerPixel: 4, bits: 16, data: TestTIFF.littleEndian(rgba16)),
                  dir + "/rgba16.tif")
        XCTAssertEqual(try ImageFile.read(path: dir + "/rgba16.tif").samples,
                       (0..<(3 * n)).map { Float(rgba16[$0 / 3 * 4 + $0 % 3]) })
        // float32 gray: values as stored, full white 1.
        let f32 = (0..<n).map { Float($0) / Float(n - 1) }
        try write(TestTIFF.image(width: w, height: h, samplesPerPixel: 1, bits: 32, float: true,
                                 data: TestTIFF.littleEndian(f32)), dir + "/f32.tif")
        XCTAssertEqual(try ImageFile.read(path: dir + "/f32.tif"),
                       RasterImage(width: w, height: h, channels: 1, maxValue: 1, samples: f32))
        // The map reader reads the same file through the same decoder.
        XCTAssertEqual(try TIFFMap.read(path: dir + "/f32.tif").values, f32)
        // Existing golden map fixtures (tifffile: strips, tiles, deflate, big-endian) as images.
        XCTAssertEqual(try TIFFImage.read(path: fixtures + "/tiff/f32_tiled.tif").samples,
                       try TIFFMap.read(path: fixtures + "/tiff/f32_tiled.tif").values)
        XCTAssertEqual(try TIFFImage.read(path: fixtures + "/tiff/rgb_u8.tif").channels, 3)

        // Refused: separate planes, palette, signed integers — one line each.
        let refused: [(String, [UInt8], String)] = [
            ("planar.tif", TestTIFF.image(width: w, height: h, samplesPerPixel: 3, bits: 8, planar: 2,
                                          data: [UInt8](repeating: 1, count: 3 * n)), "separate planes"),
            ("palette.tif", TestTIFF.image(width: w, height: h, samplesPerPixel: 1, bits: 8, photometric: 3,
                                           extra: [(320, TestTIFF.short, (0..<768).map { UInt32($0 % 256) * 257 })], data: g8),
             "convert to RGB or gray"),
            ("cmyk.tif", TestTIFF.image(width: w, height: h, samplesPerPixel: 4, bits: 8, photometric: 5,
                                        data: [UInt8](repeating: 1, count: 4 * n)), "convert to RGB or gray"),
        ]
        for (name, bytes, fault) in refused {
            try write(bytes, dir + "/" + name)
            XCTAssertThrowsError(try ImageFile.read(path: dir + "/" + name), name) {
                XCTAssertEqual(faultCase($0), "unsupported", name)
                XCTAssertTrue("\($0)".contains(fault) && "\($0)".hasPrefix(dir + "/" + name), "\($0)")
                XCTAssertFalse("\($0)".contains("\n"))
            }
        }
        XCTAssertThrowsError(try TIFFImage.read(path: fixtures + "/tiff/int16.tif")) {
            XCTAssertTrue("\($0)".contains("16-bit signed integer samples"), "\($0)")
        }
    }

    /// Declared sizes are checked before allocating: the limits (16384 a
    /// side, 2^26 pixels by default), and what the data can hold — an
    /// 8000×8000 header (just under the pixel limit)
    /// over a few hundred bytes stops at once. Run under an address-space cap
    /// of +512 MiB (an allocation of the declared size would fail and crash),
    /// and the peak resident size may not grow by 64 MiB.
    func testGiantHeadersAreRefusedWithoutAllocating() throws {
        let dir = try temporaryFolder()
        var cases: [(String, [UInt8], String)] = []
        // TIFF: ~400 bytes declaring 8000×8000 8-bit gray, uncompressed and deflate.
        let small = [UInt8](repeating: 7, count: 64)
        cases.append(("lie.tif", TestTIFF.image(width: 8, height: 8, samplesPerPixel: 1, bits: 8,
                                                declaredWidth: 8000, declaredHeight: 8000, data: small),
                      "uncompressed pixels (64000000 bytes) but the file holds"))
        cases.append(("lie_deflate.tif", TestTIFF.image(width: 8, height: 8, samplesPerPixel: 1, bits: 8, compression: 8,
                                                        declaredWidth: 8000, declaredHeight: 8000, data: small),
                      "cannot decode TIFF row 0"))
        cases.append(("huge.tif", TestTIFF.image(width: 8, height: 8, samplesPerPixel: 1, bits: 8,
                                                 declaredWidth: 20000, declaredHeight: 20000, data: small),
                      "TIFF declares 20000×20000 pixels (height×width); at most 16384 a side"))
        // JPEG: SOF of small files patched to 8000×8000 and 20000×20000.
        for (name, fixture, side, fault) in [
            ("lie.jpg", "rgb_baseline.jpg", 8000, "JPEG is truncated"),
            ("lie_progressive.jpg", "rgb_progressive.jpg", 8000, "more than its data can hold"),
            ("lie_gray_progressive.jpg", "gray_progressive.jpg", 8000, "more than its data can hold"),
            ("huge.jpg", "rgb_baseline.jpg", 20000, "JPEG declares 20000×20000 pixels (height×width); at most 16384 a side"),
        ] {
            var b = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixtures + "/jpeg/" + fixture)))
            let sof = try XCTUnwrap((2..<(b.count - 9)).first { b[$0] == 0xFF && (b[$0 + 1] == 0xC0 || b[$0 + 1] == 0xC2) })
            b[sof + 5] = UInt8(side >> 8); b[sof + 6] = UInt8(side & 0xFF)
            b[sof + 7] = UInt8(side >> 8); b[sof + 8] = UInt8(side & 0xFF)
            cases.append((name, b, fault))
        }
        // PNG: IHDR of an 8-bit gray image set to 8000×8000 (CRC made valid) and 1×20000.
        try PNG.writeGray8(path: dir + "/seed.png", width: 9, height: 8, pixels: [UInt8](repeating: 3, count: 72))
        for (name, width, height, fault) in [("lie.png", 8000, 8000, "more than its data can hold"),
                                             ("huge.png", 20000, 1, "PNG declares 1×20000 pixels (height×width); at most 16384 a side")] {
            var b = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/seed.png")))
            for k in 0..<4 {
                b[16 + k] = UInt8(truncatingIfNeeded: width >> (24 - 8 * k))
                b[20 + k] = UInt8(truncatingIfNeeded: height >> (24 - 8 * k))
            }
            let crc = crc32(b[12..<29])
            for k in 0..<4 { b[29 + k] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * UInt32(k))) }
            cases.append((name, b, fault))
        }
        for (name, bytes, _) in cases { try write(bytes, dir + "/" + name) }

        var saved = rlimit()
        getrlimit(Int32(RLIMIT_AS.rawValue), &saved)
        let statm = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8)
        let virtual = (Int(statm.split(separator: " ")[0]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
        var cap = saved
        cap.rlim_cur = rlim_t(min(UInt64(virtual + (512 << 20)), UInt64(saved.rlim_max)))
        setrlimit(Int32(RLIMIT_AS.rawValue), &cap)
        let before = peakResident()
        var faults: [String: String] = [:]
        for (name, _, _) in cases {
            do { _ = try ImageFile.read(path: dir + "/" + name); faults[name] = "accepted" }
            catch { faults[name] = "\(error)" }
        }
        setrlimit(Int32(RLIMIT_AS.rawValue), &saved)
        let grown = peakResident() - before
        for (name, _, fault) in cases {
            let got = faults[name] ?? ""
            XCTAssertTrue(got.hasPrefix(dir + "/" + name + ": ") && got.contains(fault), "\(name): \(got)")
            XCTAssertFalse(got.contains("\n"), got)
        }
        XCTAssertLessThan(grown, 64 << 20, "peak resident size grew by \(grown >> 20) MiB")
    }

    // MARK: Helpers

    func peakResident() -> Int {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss * 1024
    }

    func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for x in bytes {
            c ^= UInt32(x)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return c ^ 0xFFFF_FFFF
    }

    func write(_ bytes: [UInt8], _ path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

}
