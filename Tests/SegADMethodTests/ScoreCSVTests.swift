import Foundation
import XCTest
import _TestSupport
import SegADNative
import SegADCore
import SegADMethod

/// Score files (id,score) read through the one CSV codec: their own
/// messages, with the line each record starts on.
final class ScoreCSVTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws { dir = try temporaryFolder() }

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

    /// The same refusals as cases (`ScoreFileError`; the codec's `CSVError`).
    func testRefusalsAreCases() throws {
        func error(_ text: String) throws -> Error? {
            do { _ = try ScoreCSV.read(path: try file(text)); return nil } catch { return error }
        }
        let path = dir + "/s.csv"
        XCTAssertEqual(try error("") as? ScoreFileError, .empty(path))
        XCTAssertEqual(try error("name,score\na,1\n") as? ScoreFileError, .badHeader(path))
        XCTAssertEqual(try error("id,score\na,high\n") as? ScoreFileError, .badRow(path, line: 2))
        XCTAssertEqual(try error("id,score\na,inf\n") as? ScoreFileError, .nonFiniteScore(path, line: 2, score: "inf"))
        XCTAssertEqual(try error("id,score\na,1\na,3\n") as? ScoreFileError, .duplicateId(path, line: 3, id: "a"))
        XCTAssertEqual(try error("id,score\n\"a,1\n") as? CSVError, .unclosedQuote(path, line: 2))
    }
}
