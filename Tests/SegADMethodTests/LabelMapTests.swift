import Foundation
import XCTest
import _TestSupport
import SegADMethod
import SegADNative

/// Label maps keep the stored sample values (docs/reliability.md, section 6, class 7): a 1-bit gray
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

    /// Map and label-map refusals are `MapError` cases; one printed line.
    func testRefusalsAreCases() throws {
        let dir = try temporaryFolder()
        let labels = dir + "/labels.npy"
        try NPY.write(path: labels, int32s: [0, 1, 2, 1, 0, 1], shape: [2, 3])
        XCTAssertThrowsError(try LabelMap.read(path: labels, height: 3, width: 2, segments: 3)) {
            XCTAssertEqual($0 as? MapError, .labelSize(labels, height: 2, width: 3, mapsHeight: 3, mapsWidth: 2))
        }
        XCTAssertThrowsError(try LabelMap.read(path: labels, height: 2, width: 3, segments: 2)) {
            XCTAssertEqual($0 as? MapError, .labelOutOfRange(labels, label: 2, row: 0, column: 2, segments: 2))
            XCTAssertEqual("\($0)", labels + ": label 2 at row 0, column 2 is outside 0…1")  // the printed line
        }
        XCTAssertThrowsError(try LabelMap.read(path: dir + "/labels.bmp", height: 2, width: 3, segments: 3)) {
            XCTAssertEqual($0 as? MapError, .noSuchFile(dir + "/labels.bmp"))
        }
        let map = dir + "/map.npy"
        try NPY.write(path: map, floats: [0, 0.5, .nan, 1], shape: [2, 2])
        XCTAssertThrowsError(try MapFile.read(path: map)) { XCTAssertEqual($0 as? MapError, .containsNaN(map, row: 1, column: 0)) }
        XCTAssertThrowsError(try MapFile.read(path: dir)) { XCTAssertEqual($0 as? MapError, .isFolder(dir)) }
    }
}
