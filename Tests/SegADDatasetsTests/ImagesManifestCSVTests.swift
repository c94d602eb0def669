import Foundation
import XCTest
import SegADNative
import SegADCore
@testable import SegADDatasets

/// `images-manifest --csv`: the `path,label` list read through the CSV codec.
final class ImagesManifestCSVTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "segad-images-csv-\(UUID().uuidString)"
        for f in ["good/a.png", "good/b,c.png", "good/say \"hi\".png", "bad/d.jpg"] {
            let path = dir + "/" + f
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data([0]).write(to: URL(fileURLWithPath: path))
        }
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func list(_ text: String) throws -> String {
        let path = dir + "/list.csv"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// CRLF line ends (a list saved on Windows; read as one line before the
    /// codec, as Swift takes "\r\n" for one Character), a quoted path with a
    /// comma, an unquoted one (the label is the last field), doubled quotes.
    func testCRLFQuotedAndUnquotedCommas() throws {
        let csv = try list("path,label\r\n\"good/a.png\",good\r\ngood/b,c.png , GOOD\r\n\r\n\"good/say \"\"hi\"\".png\",good\r\nbad/d.jpg,bad")
        let entries = try ImagesManifest.read(csv: csv)
        XCTAssertEqual(entries.map(\.relative), ["good/a.png", "good/b,c.png", "good/say \"hi\".png", "bad/d.jpg"])
        XCTAssertEqual(entries.map(\.label), [.good, .good, .good, .bad])
        XCTAssertEqual(entries[1].path, dir + "/good/b,c.png")
    }

    func testMessagesNameTheLine() throws {
        let csv = try list("good/a.png,good\n\ngood/a.png\n")
        XCTAssertThrowsError(try ImagesManifest.read(csv: csv)) {
            XCTAssertEqual($0 as? ImagesManifestError, .badLine(csv, line: 3))
            XCTAssertEqual("\($0)", csv + ": line 3: expected 'path,label'")  // the printed line
        }
        try Data("good/a.png,good\r\nbad/d.jpg,fine\r\n".utf8).write(to: URL(fileURLWithPath: csv))
        XCTAssertThrowsError(try ImagesManifest.read(csv: csv)) {
            XCTAssertEqual($0 as? ImagesManifestError, .badLabel(csv, line: 2, label: "fine"))
        }
        try Data("path,label\n\n".utf8).write(to: URL(fileURLWithPath: csv))
        XCTAssertThrowsError(try ImagesManifest.read(csv: csv)) {
            XCTAssertEqual($0 as? ImagesManifestError, .noRows(csv))
        }
    }
}

/// The fixed detector pool (docs/manifest.md, "The fixed pool"): kept while
/// its file exists, new good images never join, gone ids dropped (said once),
/// a pool left too small refused, a new fraction drawn again.
final class ImagesPoolTests: XCTestCase {
    let good = (0..<40).map { "good_p\($0)" }

    func testKeptDroppedAndDrawnAgain() throws {
        let drawn = try ImagesPool.make(good: good, fixed: [:], fraction: 0.4, seed: 0, previous: nil, minimum: 1)
        XCTAssertEqual(drawn.pool.ids, good.filter { ImagesManifest.unit("pool:0:\($0)") < 0.4 })
        XCTAssertEqual(drawn.notes, [])
        let old = (pool: drawn.pool, path: "pool.txt")

        // Twenty more good images: the pool is the same, whatever their hashes.
        let grown = good + (40..<60).map { "good_p\($0)" }
        XCTAssertTrue(grown.dropFirst(40).contains { ImagesManifest.unit("pool:0:\($0)") < 0.4 }, "the fixture should tempt the pool")
        let kept = try ImagesPool.make(good: grown, fixed: [:], fraction: 0.4, seed: 0, previous: old, minimum: 1)
        XCTAssertEqual(kept.pool, drawn.pool)
        XCTAssertEqual(kept.notes, [])

        // One pool image gone, one sent to test by a CSV's split column, one row put in the pool.
        let (gone, moved) = (drawn.pool.ids[0], drawn.pool.ids[1])
        let outside = grown.first { !drawn.pool.ids.contains($0) }!
        let changed = try ImagesPool.make(good: grown.filter { $0 != gone }, fixed: [moved: .test, outside: .pool],
                                          fraction: 0.4, seed: 0, previous: old, minimum: 1)
        XCTAssertEqual(Set(changed.pool.ids), Set(drawn.pool.ids.dropFirst(2)).union([outside]))
        XCTAssertEqual(changed.notes.count, 3, "\(changed.notes)")
        XCTAssertTrue(changed.notes[0].hasPrefix("pool.txt: 1 image of the fixed detector pool is gone or no longer good, dropped from the pool: \(gone)"))

        // Too few left: refused, asking for REPOOL=1.
        XCTAssertThrowsError(try ImagesPool.make(good: grown.filter { !drawn.pool.ids.dropFirst().contains($0) }, fixed: [:],
                                                 fraction: 0.4, seed: 0, previous: old, minimum: 2)) {
            XCTAssertEqual($0 as? ImagesManifestError, .poolShrunk("pool.txt", was: drawn.pool.ids.count, left: 1, minimum: 2))
            XCTAssertTrue("\($0)".contains("REPOOL=1"), "\($0)")
        }
        // Another fraction: a new draw, said once.
        let redrawn = try ImagesPool.make(good: grown, fixed: [:], fraction: 0.5, seed: 0, previous: old, minimum: 1)
        XCTAssertEqual(redrawn.pool.ids, grown.filter { ImagesManifest.unit("pool:0:\($0)") < 0.5 })
        XCTAssertEqual(redrawn.notes.count, 1)
    }

    func testFileRoundTripAndBadFiles() throws {
        let dir = NSTemporaryDirectory() + "segad-pool-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pool = ImagesPool(fraction: 0.4, seed: 7, ids: ["good_a", "good_line 2_b", "#good"])
        try pool.write(to: dir + "/pool.txt")
        XCTAssertEqual(try String(contentsOfFile: dir + "/pool.txt", encoding: .utf8),
                       "# segad detector pool: pool-fraction 0.4, pool-seed 7\ngood_a\ngood_line 2_b\n#good\n")
        XCTAssertEqual(try ImagesPool.read(path: dir + "/pool.txt"), pool)
        for (text, line) in [("good_a\n", 1), ("# segad detector pool: pool-fraction 1.5, pool-seed 0\n", 1),
                             ("# segad detector pool: pool-fraction 0.4, pool-seed 0\ngood_a\n\n", 3),
                             ("# segad detector pool: pool-fraction 0.4, pool-seed 0\ngood_a\ngood_a\n", 3)] {
            try Data(text.utf8).write(to: URL(fileURLWithPath: dir + "/bad.txt"))
            XCTAssertThrowsError(try ImagesPool.read(path: dir + "/bad.txt")) {
                XCTAssertEqual($0 as? ImagesManifestError, .badPoolFile(dir + "/bad.txt", line: line), text)
            }
        }
    }
}
