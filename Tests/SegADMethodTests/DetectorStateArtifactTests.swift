import Foundation
import XCTest
import SegADNative
import SegADDetectors
import SegADCore
@testable import SegADMethod

/// The detector-state artifact's writer and reader (both in
/// SegADMethod/Maps/DetectorStateArtifact.swift): a round trip keeps the
/// state, the name, the size and the training ids, records its provenance,
/// and a reader expecting another kind refuses it.
final class DetectorStateArtifactTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "segad-state-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func testDetectorStateRoundTrip() throws {
        let input = dir + "/manifest.json"
        try Data("{}".utf8).write(to: URL(fileURLWithPath: input))
        let path = dir + "/state.h5"
        let state = DetectorState(kind: "padim", config: ["backbone": "none", "stages": "1,2"],
                                  tensors: ["mean": Tensor(shape: [1, 2, 2], values: [1, 2, 3, 4]), "cov": Tensor(shape: [1], values: [0.5])])
        try DetectorStateArtifact.write(state, name: "padim-a", path: path, config: ["size": [8, 16]],
                                        inputs: [try .hashing(role: "manifest", path: input)], trainingIds: ["g0", "g1"])
        let a = try DetectorStateArtifact(path: path)
        XCTAssertEqual(a.state, state)
        XCTAssertEqual(a.name, "padim-a")
        XCTAssertEqual([a.size.height, a.size.width], [8, 16])
        XCTAssertEqual(a.trainingIds, ["g0", "g1"])
        XCTAssertEqual(a.reader.stage, "extract-maps fit")
        XCTAssertEqual(a.reader.config["kind"] as? String, "padim")
        XCTAssertEqual(a.reader.config["tensors"] as? [String], ["cov", "mean"])
        XCTAssertThrowsError(try ArtifactReader(path: path, expecting: .maps)) {
            XCTAssertEqual("\($0)", "\(path): is a detector-state artifact; expected maps")
        }
    }
}
