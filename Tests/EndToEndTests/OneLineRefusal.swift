import Foundation
import XCTest
import _TestSupport

/// The check every refusal test shares (docs/reliability.md, section 3 and
/// section 6, class 7): a refusal is one line naming what is wrong.
extension XCTestCase {
    /// Exit status non-zero, exactly one line on stderr, containing each of `parts`.
    func assertOneLineRefusal(_ r: ToolRunner.Result, _ parts: String..., file: StaticString = #filePath, line: UInt = #line) {
        assertOneLineRefusal(r, parts, file: file, line: line)
    }

    /// `assertOneLineRefusal` with the parts as an array.
    func assertOneLineRefusal(_ r: ToolRunner.Result, _ parts: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNotEqual(r.status, 0, "accepted; stderr: \(r.stderr)", file: file, line: line)
        let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertTrue(lines.count == 2 && lines[1].isEmpty && !lines[0].isEmpty,
                      "stderr is not one line: \(r.stderr.debugDescription)", file: file, line: line)
        XCTAssertFalse(r.stderr.contains("NSCocoaErrorDomain"), "raw Foundation error: \(r.stderr)", file: file, line: line)
        for p in parts {
            XCTAssertTrue(r.stderr.lowercased().contains(p.lowercased()), "stderr does not say '\(p)': \(r.stderr)",
                          file: file, line: line)
        }
    }
}
