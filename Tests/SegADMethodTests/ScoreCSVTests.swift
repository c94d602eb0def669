import Foundation
import XCTest
import SegADNative
import SegADMethod

/// Score files (id,score) read through the one CSV codec: their own
/// messages, with the line each record starts on.
final class ScoreCSVTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "segad-scorecsv-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func file(_ text: String) throws -> String {
        let path = dir + "/s.csv"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func refusal(_ text: String) throws -> String {
        let path = try file(text)
        do { _ = try ScoreCSV.read(path: path); XCTFail("read \(text)"); return "" } catch {
            return String("\(error)".dropFirst(path.count + 2))
        }
    }

    func testReadsQuotedIdsCRLFAndExtraColumns() throws {
        let path = try file("seed, id ,score,decision\r\n0,\"a,b\",0.5,normal\r\n\r\n0,c, -2e-3 ,x\r\n")
        XCTAssertEqual(try ScoreCSV.read(path: path), ["a,b": 0.5, "c": -0.002])
    }

    func testMessages() throws {
        XCTAssertEqual(try refusal(""), "empty file; expected a header 'id,score'")
        XCTAssertEqual(try refusal("\n\n"), "empty file; expected a header 'id,score'")
        XCTAssertEqual(try refusal("name,score\na,1\n"), "header must name columns 'id' and 'score'")
        XCTAssertEqual(try refusal("id,score\na,1\n\nb\n"), "line 4: expected an id and a numeric score")
        XCTAssertEqual(try refusal("id,score\na,high\n"), "line 2: expected an id and a numeric score")
        XCTAssertEqual(try refusal("id,score\na,nan\n"), "line 2: score 'nan' is not a finite number")
        XCTAssertEqual(try refusal("id,score\na,inf\n"), "line 2: score 'inf' is not a finite number")
        XCTAssertEqual(try refusal("id,score\na,1\n\"multi\nline\",2\na,3\n"), "line 5: duplicate id 'a'")
        XCTAssertEqual(try refusal("id,score\n\"a,1\n"), "line 2: a quoted field is not closed")
    }
}
