import Foundation
import XCTest

/// Golden data written by the scripts in scripts/detectors/ (raw little-endian
/// float32 files described by a JSON manifest), and the repository's cache.
enum Golden {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let dir = root.appendingPathComponent("scripts/detectors/golden")

    static func floats(_ file: String) throws -> [Float] {
        let d = try Data(contentsOf: dir.appendingPathComponent(file))
        return d.withUnsafeBytes { raw in
            (0..<(d.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }

    /// A torch checkpoint fixture (scripts/detectors/fixtures/NAME.pth.b64:
    /// the .pth bytes, base64 so no weights file is tracked) written to a
    /// temporary .pth file; returns its path.
    static func checkpointFixture(_ name: String) throws -> String {
        let text = try String(contentsOf: root.appendingPathComponent("scripts/detectors/fixtures/\(name).pth.b64"), encoding: .utf8)
        let bytes = try XCTUnwrap(Data(base64Encoded: text, options: .ignoreUnknownCharacters))
        let path = NSTemporaryDirectory() + "segad-\(name)-\(getpid()).pth"
        try bytes.write(to: URL(fileURLWithPath: path))
        return path
    }

    static func manifest(_ file: String) throws -> [String: Any] {
        let d = try Data(contentsOf: dir.appendingPathComponent(file))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: d) as? [String: Any])
    }

    /// ‖a − b‖∞ / ‖b‖∞, the relative error the parity tests bound.
    static func relativeError(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count)
        var num: Float = 0, den: Float = 0
        for i in a.indices { num = max(num, abs(a[i] - b[i])); den = max(den, abs(b[i])) }
        return den > 0 ? num / den : num
    }

    static var weightsPath: String { root.appendingPathComponent(".cache/weights/efficientnet-lite0.pth").path }
}
