// Hostile files at the readers (docs/reliability.md, "Files, outputs and CSV
// cells"): special files refused without blocking, .npy sizes checked against
// the declared shape before reading, the pixel limit and the decode budget.
import Foundation
import XCTest
import _TestSupport
@testable import SegADNative

final class HostileFilesTests: XCTestCase {
    /// Runs `body` on another thread and fails (instead of hanging the suite)
    /// when it has not returned within 10 s.
    private func withoutBlocking(_ what: String, _ body: @escaping @Sendable () -> Void) {
        let done = expectation(description: what)
        Thread.detachNewThread { body(); done.fulfill() }
        wait(for: [done], timeout: 10)
    }

    /// A FIFO named as an image, a label PNG, a TIFF map, a `.npy` map, an
    /// HDF5 artifact, a manifest, a CSV or a hashed input is refused at once
    /// with one line; without a writer on the other end every one of these
    /// readers blocked forever before.
    func testFIFOInputIsRefusedWithoutBlocking() throws {
        let dir = try temporaryFolder()
        for name in ["x.png", "x.jpg", "x.tif", "map.npy", "pipeline.h5", "manifest.json", "labels.csv"] {
            XCTAssertEqual(mkfifo(dir + "/" + name, 0o600), 0)
        }
        let readers: [(String, @Sendable (String) throws -> Void)] = [
            ("x.png", { _ = try ImageFile.read(path: $0) }),
            ("x.png", { _ = try ImageFile.header(path: $0) }),
            ("x.png", { _ = try PNG.read(path: $0) }),
            ("x.jpg", { _ = try JPEG.read(path: $0) }),
            ("x.tif", { _ = try TIFFMap.read(path: $0) }),
            ("map.npy", { _ = try NPY.readFloats(path: $0) }),
            ("pipeline.h5", { _ = try HDF5File(path: $0, mode: .readOnly) }),
            ("manifest.json", { _ = try RegularFile.contents(atPath: $0) }),
            ("labels.csv", { _ = try SHA256.hexOfFile(atPath: $0) }),
        ]
        for (name, read) in readers {
            let path = dir + "/" + name
            withoutBlocking(name) {
                do { try read(path); XCTFail("\(name): a FIFO was accepted") } catch {
                    XCTAssertEqual(error as? FileReadError, .notRegular(path, kind: "a FIFO (named pipe)"), "\(error)")
                    XCTAssertEqual("\(error)", "\(path): is a FIFO (named pipe), not a regular file; give a regular file")
                }
            }
        }
    }

    /// A character device (`/dev/zero` never ends) is refused like a FIFO;
    /// a regular file behind a symlink is read as usual.
    func testDeviceInputIsRefused() throws {
        XCTAssertThrowsError(try NPY.readFloats(path: "/dev/zero")) {
            XCTAssertEqual($0 as? FileReadError, .notRegular("/dev/zero", kind: "a character device"))
        }
        XCTAssertThrowsError(try SHA256.hexOfFile(atPath: "/dev/zero"))
        let dir = try temporaryFolder()
        try NPY.write(path: dir + "/real.npy", floats: [1, 2, 3, 4], shape: [2, 2])
        XCTAssertEqual(symlink(dir + "/real.npy", dir + "/link.npy"), 0)
        XCTAssertEqual(try NPY.readFloats(path: dir + "/link.npy").values, [1, 2, 3, 4])
    }

    /// A `.npy` whose size is not header + declared data is refused before
    /// its data are read: a huge sparse file named as an 8×8 map costs a few
    /// bytes (it was read whole), and a short one is truncated as before.
    func testNPYSizeMismatchIsRefusedBeforeReading() throws {
        let dir = try temporaryFolder()
        let path = dir + "/map.npy"
        try NPY.write(path: path, floats: [Float](repeating: 0.5, count: 64), shape: [8, 8])
        let exact = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        XCTAssertEqual(try NPY.readFloats(path: path).shape, [8, 8])
        // 50 GB, sparse: no disk used, but reading it whole would take minutes and 50 GB.
        XCTAssertEqual(truncate(path, 50_000_000_000), 0)
        let start = Date()
        XCTAssertThrowsError(try NPY.readFloats(path: path)) {
            XCTAssertEqual("\($0)", "\(path): the file holds 50000000000 bytes, but a .npy of float32 shape (8, 8) holds \(exact); "
                           + "not the array it claims to be (extra bytes after the data)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 2)
        XCTAssertEqual(truncate(path, off_t(exact - 1)), 0)
        XCTAssertThrowsError(try NPY.readFloats(path: path)) {
            XCTAssertTrue("\($0)".contains("truncated .npy: header says 64 values, file holds 63"), "\($0)")
        }
    }

    /// The pixel limit is checked from the header, before decoding: a PNG of
    /// a few hundred bytes declaring 8193×8193 (over 2^26 pixels) is refused
    /// by `ImageFile.check` and `read` alike, naming the limit and its variable.
    func testPixelLimitIsCheckedFromTheHeader() throws {
        XCTAssertEqual(ImageLimits.maxPixels, ImageLimits.defaultMaxPixels)
        let dir = try temporaryFolder()
        let side = 8193
        let path = dir + "/big.png"
        // A real 8193×8193 gray PNG compresses to ~70 KB: all rows zero.
        try PNG.writeGray8(path: path, width: side, height: 1, pixels: [UInt8](repeating: 0, count: side))
        var b = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        for k in 0..<4 { b[20 + k] = UInt8(truncatingIfNeeded: side >> (24 - 8 * k)) }
        try Data(b).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try ImageFile.header(path: path),
                       ImageHeader(format: .png, width: side, height: side, samplesPerPixel: 1))
        let expected = "\(path): PNG declares 8193×8193 pixels (height×width); at most 16384 a side and 67108864 pixels "
            + "are accepted — downscale the image (or raise SEGAD_MAX_PIXELS)"
        XCTAssertThrowsError(try ImageFile.check(path: path)) { XCTAssertEqual("\($0)", expected) }
        XCTAssertThrowsError(try ImageFile.read(path: path)) { XCTAssertEqual("\($0)", expected) }
    }

    /// `SEGAD_MAX_PIXELS` lowers (or raises) the limit; an unusable value
    /// refuses every image with one line naming the variable. Run in a child
    /// process: the limit is read once per process.
    func testPixelLimitOverrideByEnvironment() throws {
        let dir = try temporaryFolder()
        try PNG.writeGray8(path: dir + "/a.png", width: 20, height: 10, pixels: [UInt8](repeating: 9, count: 200))
        try JPEG.write(path: dir + "/b.jpg", width: 20, height: 10, channels: 1, pixels: [UInt8](repeating: 9, count: 200))
        if let limit = ProcessInfo.processInfo.environment["SEGAD_TEST_CHILD_PIXELS"] {
            // The child: report what the readers say.
            for name in ["a.png", "b.jpg"] {
                do { _ = try ImageFile.read(path: limit + "/" + name); print("CHILD ok") } catch { print("CHILD \(error)") }
            }
            return
        }
        func child(_ setting: String) throws -> [String] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            p.arguments = ["SegADNativeTests.HostileFilesTests/testPixelLimitOverrideByEnvironment"]
            var env = ProcessInfo.processInfo.environment
            env["SEGAD_TEST_CHILD_PIXELS"] = dir
            env["SEGAD_MAX_PIXELS"] = setting
            p.environment = env
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            try p.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            return text.split(separator: "\n").filter { $0.hasPrefix("CHILD ") }.map { String($0.dropFirst(6)) }
        }
        XCTAssertEqual(try child("200"), ["ok", "ok"])
        XCTAssertEqual(try child("199"), [
            "\(dir)/a.png: PNG declares 10×20 pixels (height×width); at most 16384 a side and 199 pixels are accepted — downscale the image (or raise SEGAD_MAX_PIXELS)",
            "\(dir)/b.jpg: JPEG declares 10×20 pixels (height×width); at most 16384 a side and 199 pixels are accepted — downscale the image (or raise SEGAD_MAX_PIXELS)"])
        let bad = "SEGAD_MAX_PIXELS: '64Mpx' is not a whole number of pixels in 64…268435456; unset it or give e.g. 67108864"
        XCTAssertEqual(try child("64Mpx"), [bad, bad])
    }

    /// The decode budget: a decode that does not fit beside the running ones
    /// waits for them; one larger than the whole budget runs alone.
    func testDecodeBudgetBoundsConcurrentDecodes() throws {
        let budget = DecodeBudget(limit: 1000)
        let entered = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let second = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            budget.withBytes(600) { entered.signal(); release.wait() } as Void
        }
        entered.wait()
        Thread.detachNewThread {
            budget.withBytes(600) { _ = second.signal() }
        }
        XCTAssertEqual(second.wait(timeout: .now() + 0.3), .timedOut, "600 + 600 bytes held at once under a 1000-byte budget")
        release.signal()
        XCTAssertEqual(second.wait(timeout: .now() + 10), .success)
        XCTAssertEqual(budget.peakHolders, 1)
        XCTAssertEqual(budget.withBytes(5000) { 7 }, 7)  // larger than the budget: alone, not never
    }

    /// `ImageFile.read` charges the header's estimate to the budget: four
    /// 64×64 RGB PNGs (12 bytes a sample, 147456 bytes each) read on four
    /// threads under a budget of 200000 bytes decode one at a time.
    func testImageReadsHoldTheDecodeBudget() throws {
        let dir = try temporaryFolder()
        let pixels = (0..<(64 * 64 * 3)).map { UInt8(truncatingIfNeeded: $0 * 7) }
        for i in 0..<4 { try PNG.writeRGB8(path: dir + "/\(i).png", width: 64, height: 64, pixels: pixels) }
        XCTAssertEqual(try ImageFile.header(path: dir + "/0.png").decodeBytes, 147456)
        let budget = DecodeBudget(limit: 200_000)
        let plain = try ImageFile.read(path: dir + "/0.png")
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            let image = try? ImageFile.read(path: dir + "/\(i % 4).png", budget: budget)
            XCTAssertEqual(image, plain)
        }
        XCTAssertEqual(budget.peakHolders, 1)
    }

    /// The header readers agree with the decoders on size and channels for
    /// every fixture format (PNG gray/RGB, JPEG gray/RGB/progressive, TIFF).
    func testHeaderMatchesDecodedImage() throws {
        let dir = try temporaryFolder()
        try PNG.writeGray8(path: dir + "/g.png", width: 13, height: 9, pixels: [UInt8](repeating: 1, count: 117))
        try PNG.writeRGB8(path: dir + "/c.png", width: 13, height: 9, pixels: [UInt8](repeating: 1, count: 351))
        try JPEG.write(path: dir + "/g.jpg", width: 13, height: 9, channels: 1, pixels: [UInt8](repeating: 1, count: 117))
        try JPEG.write(path: dir + "/c.jpg", width: 13, height: 9, channels: 3, pixels: [UInt8](repeating: 1, count: 351),
                       progressive: true, app1: Array("Exif\0\0".utf8) + [UInt8](repeating: 0xFF, count: 40))
        try Data(TestTIFF.image(width: 13, height: 9, samplesPerPixel: 3, bits: 8,
                                data: [UInt8](repeating: 1, count: 351))).write(to: URL(fileURLWithPath: dir + "/c.tif"))
        for (name, format, channels) in [("g.png", ImageFile.Format.png, 1), ("c.png", .png, 3), ("g.jpg", .jpeg, 1),
                                         ("c.jpg", .jpeg, 3), ("c.tif", .tiff, 3)] {
            let h = try ImageFile.check(path: dir + "/" + name)
            let image = try ImageFile.read(path: dir + "/" + name)
            XCTAssertEqual([h.width, h.height, h.samplesPerPixel], [image.width, image.height, channels], name)
            XCTAssertEqual(h.format, format, name)
        }
        // Too small, empty, not an image: the same faults as read gives.
        try PNG.writeGray8(path: dir + "/tiny.png", width: 7, height: 9, pixels: [UInt8](repeating: 1, count: 63))
        _ = FileManager.default.createFile(atPath: dir + "/empty.png", contents: Data())
        _ = FileManager.default.createFile(atPath: dir + "/text.png", contents: Data("hello".utf8))
        for name in ["tiny.png", "empty.png", "text.png"] {
            var a = "", b = ""
            do { try ImageFile.check(path: dir + "/" + name) } catch { a = "\(error)" }
            do { _ = try ImageFile.read(path: dir + "/" + name) } catch { b = "\(error)" }
            XCTAssertEqual(a, b, name)
            XCTAssertFalse(a.isEmpty, name)
        }
    }
}
