import Foundation
import SegADNative
import XCTest
import _TestSupport

/// Bad input at the edges (docs/reliability.md, section 3): a huge declared `.npy`
/// shape, a label map of the wrong rank, a seed that trains on bad rows only,
/// a zero-byte model, a full disk — and one input that looks bad but is valid:
/// a label map whose segments are all empty but one, which must work and give
/// zeros for the empty segments.
final class BadInputEdgeCaseTests: XCTestCase {
    func testHugeDeclaredNPYShape() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .maps)
        let before = try f.snapshot()
        // 100000×100000 float32 (40 GB) declared, 64 bytes present: refused before any allocation.
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        let bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(header.utf8.count), 0]
            + Array(header.utf8) + [UInt8](repeating: 0, count: 64)
        try Data(bytes).write(to: URL(fileURLWithPath: f.mapPath(5)))
        try f.assertRefused(f.extractMaps(), naming: f.mapPath(5), fault: "truncated", "10000000000 values",
                            before: before)
    }

    func testLabelMapNPYOfWrongRank() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .features)
        let before = try f.snapshot()
        let labels = f.dir + "/labels-1d.npy"
        try NPY.write(path: labels, int32s: [Int32](repeating: 0, count: 64), shape: [64])
        try f.assertRefused(f.segmentStats(segmentation: labels), naming: labels, fault: "[64]", before: before)
    }

    func testTrainingSeedWithOnlyBadRows() throws {
        let f = try BadInputFixture(self)
        let manifest = try f.manifestVariant("bad-only.json") { object in
            var seeds = object["seeds"] as! [String: [String: [String]]]
            seeds["3"] = ["segad-train": [1, 3, 5, 7].map(BadInputFixture.id), "test": (8..<12).map(BadInputFixture.id)]
            object["seeds"] = seeds
        }
        XCTAssertEqual(try f.extractMaps(manifest: manifest).status, 0)
        XCTAssertEqual(try f.segmentStats(manifest: manifest).status, 0)
        let before = try f.snapshot()
        let result = try ToolRunner.run("train-brf", ["--features", f.features, "--manifest", manifest, "--seed", "3",
                                                      "-o", f.model, "--rounds", "1", "--num-parallel-tree", "2"])
        try f.assertRefused(result, naming: manifest, fault: "0 good and 4 bad rows", before: before)
    }

    func testZeroByteModelArtifact() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .scores)
        let empty = f.dir + "/model-empty.h5"
        try Data().write(to: URL(fileURLWithPath: empty))
        let before = try f.snapshot()
        try f.assertRefused(f.score(model: empty), naming: empty, fault: "HDF5", before: before)
    }

    /// A full disk, simulated with a file-size limit of 4 KiB (`ulimit -f 4`,
    /// SIGXFSZ ignored so writes fail with EFBIG instead of killing the stage).
    func testFullDiskWhileWritingFeatures() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .features)
        let before = try f.snapshot()
        let args = ["--manifest", f.manifest, "--maps", f.maps, "--segmentation", f.segmentation, "--segments", "2",
                    "-o", f.features, "--threads", "1"]
        let command = "ulimit -f 4; trap '' XFSZ; exec '\(ToolRunner.binDirectory)/segment-stats' "
            + args.map { "'\($0)'" }.joined(separator: " ")
        let result = try ToolRunner.run("bash", ["-c", command])
        try f.assertRefused(result, naming: f.features, fault: "cannot write artifact", "file too large", before: before)
    }

    /// Every pixel in segment 0 of 4: segments 1…3 are empty in every image,
    /// which is valid and gives 0 for all their statistics.
    func testEmptySegmentsEverywhereGiveZeros() throws {
        let f = try BadInputFixture(self)
        try f.build(through: .maps)
        let segmentation = f.dir + "/all-zero.png"
        try PNG.writeGray8(path: segmentation, width: 8, height: 8, pixels: [UInt8](repeating: 0, count: 64))
        let result = try f.segmentStats(segmentation: segmentation, segments: 4)
        XCTAssertEqual(result.status, 0, result.stderr)
        let file = try HDF5File(path: f.features, mode: .readOnly)
        defer { file.close() }
        let (values, shape) = try file.readFloats("features")
        let names = try file.readStrings("feature_names")
        XCTAssertEqual(shape, [BadInputFixture.count, 4 * 4 + 1])
        XCTAssertEqual(names.count, 17)
        for row in 0..<shape[0] {
            for col in 0..<shape[1] {
                let v = values[row * shape[1] + col]
                if names[col].hasPrefix("a_") || names[col].hasPrefix("an_det_score") {
                    XCTAssertTrue(v.isFinite && v != 0, "\(names[col]) row \(row): \(v)")
                } else {
                    XCTAssertEqual(v, 0, "\(names[col]) row \(row) (an empty segment)")
                }
            }
        }
    }
}
