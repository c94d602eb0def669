import Foundation
import XCTest
import _TestSupport
import SegADNative
@testable import SegADDatasets

/// ELPV's labels.csv refusals are `ELPVError` cases naming the file and line
/// (one printed line checked; the command-line tests check more).
final class ELPVLabelsTests: XCTestCase {
    func testRefusalsAreCases() throws {
        let dir = try temporaryFolder()
        let path = dir + "/labels.csv"
        func refusal(_ text: String) throws -> ELPVError? {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            do { _ = try ELPVManifest.readLabels(path: path, checkImages: false); XCTFail("read \(text)"); return nil } catch {
                return error as? ELPVError
            }
        }
        XCTAssertEqual(try refusal("images/a.png 1.0\n"), .fieldCount(path, line: 1, found: 2))
        XCTAssertEqual(try refusal("images/a.png 0.5 mono\n"), .probability(path, line: 1, value: "0.5"))
        XCTAssertEqual(try refusal("images/a.png 1.0 mono\nimages/b.png 0 tri\n"), .cellType(path, line: 2, value: "tri"))
        XCTAssertEqual(try refusal("images/a.png 1.0 mono\nimages/a.png 0 mono\n"),
                       .alreadyListed(path, line: 2, image: "images/a.png", first: 1))
        XCTAssertEqual(try refusal("\n\n"), .noRows(path))
        XCTAssertThrowsError(try ELPVManifest.readLabels(path: dir + "/none.csv")) {
            XCTAssertEqual($0 as? ELPVError, .noSuchFile(dir + "/none.csv"))
        }
        try Data("images/a.png 1.0 mono\n".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try ELPVManifest.readLabels(path: path)) {
            XCTAssertEqual($0 as? ELPVError, .imageMissing(path, line: 1, image: "images/a.png", lookedFor: dir + "/images/a.png"))
            XCTAssertEqual("\($0)", path + ": line 1: image 'images/a.png' does not exist (looked for \(dir)/images/a.png)")
        }
    }
}
