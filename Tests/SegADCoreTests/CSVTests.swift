import Foundation
import XCTest
import SegADNative
import SegADCore

/// The one CSV codec (RFC 4180): parsing, quoting, round trips and the
/// readers built on it. Expected records are written out by hand from
/// RFC 4180's rules (and agree with Python's csv module on these inputs).
final class CSVTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "segad-core-csv-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func file(_ text: String, _ name: String = "t.csv") throws -> String {
        let path = dir + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func fields(_ text: String) throws -> [[String]] { try CSV.parse(text).map(\.fields) }

    func testPlainFieldsLFAndCRLF() throws {
        XCTAssertEqual(try fields("a,b\n1,2\n"), [["a", "b"], ["1", "2"]])
        XCTAssertEqual(try fields("a,b\r\n1,2\r\n"), [["a", "b"], ["1", "2"]])
        XCTAssertEqual(try fields("a,b\r1,2"), [["a", "b"], ["1", "2"]], "a lone CR ends a record too")
        XCTAssertEqual(try fields("a,b\n1,2"), [["a", "b"], ["1", "2"]], "no final line break")
        XCTAssertEqual(try fields("a,,\n"), [["a", "", ""]], "empty fields are kept")
    }

    func testQuotedFields() throws {
        XCTAssertEqual(try fields("\"a,b\",\"say \"\"hi\"\"\",c\n"), [["a,b", "say \"hi\"", "c"]])
        XCTAssertEqual(try fields("\"\",x\n"), [["", "x"]])
        XCTAssertEqual(try fields("ab\"c,d\n"), [["ab\"c", "d"]], "a quote inside an unquoted field is a character")
    }

    func testEmbeddedLineBreaksAndLineNumbers() throws {
        let records = try CSV.parse("id,note\n1,\"two\nlines\"\n\n2,\"crlf\r\ninside\"\r\n3,x\n")
        XCTAssertEqual(records.map(\.fields), [["id", "note"], ["1", "two\nlines"], ["2", "crlf\r\ninside"], ["3", "x"]])
        XCTAssertEqual(records.map(\.line), [1, 2, 5, 7], "each record keeps the line it starts on; blank lines count")
    }

    func testBlankLinesAndBOMAreSkipped() throws {
        XCTAssertEqual(try fields("\u{FEFF}id,score\n\n\r\na,1\n\n"), [["id", "score"], ["a", "1"]])
        XCTAssertEqual(try fields(""), [])
        XCTAssertEqual(try fields("\"\"\n"), [[""]], "a quoted empty field is a record, not a blank line")
    }

    func testRaggedRowsAreKeptForTheCaller() throws {
        XCTAssertEqual(try fields("a,b,c\n1\n1,2,3,4\n"), [["a", "b", "c"], ["1"], ["1", "2", "3", "4"]])
    }

    func testUnterminatedQuoteNamesItsLine() throws {
        XCTAssertThrowsError(try CSV.parse("a,b\n1,\"open\n2,3\n")) {
            XCTAssertEqual("\($0)", "line 2: a quoted field is not closed")
        }
        let path = try file("a,b\n1,\"open\n")
        XCTAssertThrowsError(try CSV.read(path: path)) {
            XCTAssertEqual("\($0)", path + ": line 2: a quoted field is not closed")
        }
    }

    func testReadRefusesMissingAndNonUTF8Files() throws {
        XCTAssertThrowsError(try CSV.read(path: dir + "/none.csv")) { XCTAssertEqual("\($0)", dir + "/none.csv: no such file") }
        let path = dir + "/latin1.csv"
        try Data([0x69, 0x64, 0x0A, 0xE9, 0x0A]).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try CSV.read(path: path)) { XCTAssertEqual("\($0)", path + ": not UTF-8 text") }
    }

    func testFieldQuotingOnlyWhenNeeded() {
        XCTAssertEqual(CSV.field("SegAD (rd4ad+ead)"), "SegAD (rd4ad+ead)")
        XCTAssertEqual(CSV.field("0.9876"), "0.9876")
        XCTAssertEqual(CSV.field(""), "")
        XCTAssertEqual(CSV.field("a,b"), "\"a,b\"")
        XCTAssertEqual(CSV.field("say \"hi\""), "\"say \"\"hi\"\"\"")
        XCTAssertEqual(CSV.field("two\nlines"), "\"two\nlines\"")
        XCTAssertEqual(CSV.field("cr\rlf"), "\"cr\rlf\"")
        XCTAssertEqual(CSV.field("crlf\r\n"), "\"crlf\r\n\"")
        XCTAssertEqual(CSV.line(["id", "score"]), "id,score\n")
        XCTAssertEqual(CSV.encode(header: ["a", "b"], rows: [["1", "x,y"], ["2", ""]]), "a,b\n1,\"x,y\"\n2,\n")
    }

    func testRoundTrip() throws {
        let rows: [[String]] = [["id", "note", "n"], ["a,b", "say \"hi\"", "1"], ["c", "two\nlines", ""],
                                ["d", "crlf\r\nx", "3"], ["é ü", "  spaced  ", "\"quoted\""]]
        let text = CSV.encode(header: rows[0], rows: Array(rows.dropFirst()))
        XCTAssertEqual(try fields(text), rows)
        XCTAssertEqual(try CSV.read(path: try file(text)).map(\.fields), rows)
    }

    // MARK: Readers on the codec

    func testCSVTableRequiresTheHeadersWidth() throws {
        let ok = try CSVTable(path: try file(",filepath,label\n0,\"a,b.png\",1\r\n1,c.png,0\r\n"))
        XCTAssertEqual(ok.header, ["", "filepath", "label"])
        XCTAssertEqual(ok.rows, [["0", "a,b.png", "1"], ["1", "c.png", "0"]])
        XCTAssertEqual(try ok.column("label"), 2)
        XCTAssertThrowsError(try ok.column("score")) { XCTAssertTrue("\($0)".hasSuffix(": no column 'score' (columns: , filepath, label)"), "\($0)") }
        let ragged = try file("a,b\n1,2\n\n1\n", "ragged.csv")
        XCTAssertThrowsError(try CSVTable(path: ragged)) {
            XCTAssertEqual("\($0)", ragged + ": line 4 has 1 fields; the header has 2")
        }
        let empty = try file("", "empty.csv")
        XCTAssertThrowsError(try CSVTable(path: empty)) { XCTAssertEqual("\($0)", empty + ": empty CSV") }
    }
}
