import Foundation
import XCTest
import SegADNative

/// One image as Pillow decoded it: an entry of a fixture folder's expected
/// JSON (`{name: {width, height, mode | channels, maxValue?, samples}}`),
/// written by that folder's `make_*_fixtures.py` with Pillow.
struct PillowGolden {
    var name: String
    var width: Int
    var height: Int
    var channels: Int
    var maxValue: Float
    var samples: [Float]

    /// The entries of `path`, sorted by name. `mode` "L" means one channel,
    /// any other three; `maxValue` defaults to 255 (8-bit).
    static func load(_ path: String) throws -> [PillowGolden] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
        return try json.sorted(by: { $0.key < $1.key }).map { name, e in
            PillowGolden(name: name, width: try XCTUnwrap(e["width"] as? Int), height: try XCTUnwrap(e["height"] as? Int),
                         channels: e["channels"] as? Int ?? (e["mode"] as? String == "L" ? 1 : 3),
                         maxValue: Float(e["maxValue"] as? Int ?? 255),
                         samples: try XCTUnwrap(e["samples"] as? [Int]).map { Float($0) })
        }
    }

    /// Asserts `image` equals Pillow's decode, sample for sample.
    func assertEqual(_ image: RasterImage, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(image.width, width, name, file: file, line: line)
        XCTAssertEqual(image.height, height, name, file: file, line: line)
        XCTAssertEqual(image.channels, channels, name, file: file, line: line)
        XCTAssertEqual(image.maxValue, maxValue, name, file: file, line: line)
        XCTAssertEqual(image.samples, samples, name, file: file, line: line)
    }
}
