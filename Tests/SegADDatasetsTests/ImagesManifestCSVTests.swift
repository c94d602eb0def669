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
        XCTAssertThrowsError(try ImagesManifest.read(csv: csv)) { XCTAssertEqual("\($0)", csv + ": line 3: expected 'path,label'") }
        try Data("good/a.png,good\r\nbad/d.jpg,fine\r\n".utf8).write(to: URL(fileURLWithPath: csv))
        XCTAssertThrowsError(try ImagesManifest.read(csv: csv)) {
            XCTAssertEqual("\($0)", csv + ": line 2: label 'fine' is not good, bad or uncertain")
        }
        try Data("path,label\n\n".utf8).write(to: URL(fileURLWithPath: csv))
        XCTAssertThrowsError(try ImagesManifest.read(csv: csv)) {
            XCTAssertEqual("\($0)", csv + ": no rows; expected lines like 'good/part1.jpg,good'")
        }
    }
}
