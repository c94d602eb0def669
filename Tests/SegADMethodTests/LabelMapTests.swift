import Foundation
import XCTest
import SegADMethod
import SegADNative

/// Label maps keep the stored sample values (issue 13, item 7): a 1-bit gray
/// label PNG is labels 0 and 1, not 0/255. Fixture: SegADNativeTests'
/// png/gray1.png (7×5, written by make_fixtures.py with the bits of a seeded
/// 0/1 array).
final class LabelMapTests: XCTestCase {
    func testOneBitLabelPNGIsZeroAndOne() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../SegADNativeTests/Fixtures/png/gray1.png").standardized.path
        let labels = try LabelMap.read(path: path, height: 5, width: 7, segments: 2)
        XCTAssertEqual(Set(labels), [0, 1])
        let data = try Data(contentsOf: URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("expected.json"))
        let expected = try XCTUnwrap((JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])?["gray1.png"])
        XCTAssertEqual(labels, try XCTUnwrap(expected["samples"] as? [Int]).map { Int32($0) })
    }
}
